"""Building a case file from a folder laid out like ``sample_data/``.

``codebook.toml`` (claim types), ``entities.toml`` (entities with aliases), ``articles/`` (the
documents) and ``demo_tags.toml`` (excerpts by exact quote, with types, entities, notes and the
claims they support). ``make demo`` runs ``python -m evidence_tui.sampledata sample_data demo.db``.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

from evidence_tui.domain import claims, codebook, entities, excerpts, sources
from evidence_tui.errors import EvidenceError
from evidence_tui.store import CaseFile


def apply_tags_file(case: CaseFile, file: Path, source_ids: dict[str, str]) -> int:
    """Create the claims and excerpts of a demo tags file; returns how many excerpts were made."""
    data = tomllib.loads(file.read_text(encoding="utf-8"))
    claim_ids: dict[str, str] = {}
    for entry in data.get("claim", []):
        added = claims.add_claim(case, entry["statement"], claim_type=entry.get("type"), credibility=entry.get("credibility"))
        claim_ids[entry["statement"]] = added.id
    count = 0
    for entry in data.get("excerpt", []):
        source_id = source_ids.get(entry["file"])
        if source_id is None:
            raise EvidenceError(f"{file}: no article '{entry['file']}' was imported")
        made = excerpts.add_excerpt(case, source_id, quote=entry["quote"], types=entry.get("types", ()), note=entry.get("note"))
        for name in entry.get("entities", ()):
            entities.link_excerpt(case, name, made.id)
        for statement in entry.get("claims", ()):
            claims.link_excerpt(case, claim_ids.get(statement, statement), made.id, entry.get("stance", "supports"))
        count += 1
    return count


def build(folder: Path, db_path: Path) -> CaseFile:
    """Build (or top up) a case file from a sample-data folder and return it open."""
    case = CaseFile.open(db_path, actor="demo")
    codebook_file = folder / "codebook.toml"
    if codebook_file.exists():
        codebook.load_codebook(case, codebook_file)
    if (folder / "entities.toml").exists():
        entities.load_entities(case, folder / "entities.toml")
    summary = sources.import_paths(case, [folder / "articles"])
    failed = [o.message for o in summary.outcomes if o.status == "failed"]
    if failed:
        raise EvidenceError("; ".join(failed))
    source_ids = {Path(o.name).name: o.source_id for o in summary.outcomes if o.source_id}
    if (folder / "demo_tags.toml").exists() and summary.imported:
        apply_tags_file(case, folder / "demo_tags.toml", source_ids)
    return case


def main(argv: list[str]) -> int:
    """``python -m evidence_tui.sampledata FOLDER DB``: build the demo case file."""
    if len(argv) != 2:
        print("usage: python -m evidence_tui.sampledata SAMPLE_FOLDER CASE_FILE", file=sys.stderr)
        return 2
    try:
        case = build(Path(argv[0]), Path(argv[1]))
    except EvidenceError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    from evidence_tui.domain.stats import case_stats

    figures = case_stats(case)
    print(
        f"{argv[1]}: {figures.sources} sources, {figures.excerpts} excerpts, {figures.claim_types} claim types, "
        f"{figures.claims} claims, {figures.entities} entities"
    )
    case.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
