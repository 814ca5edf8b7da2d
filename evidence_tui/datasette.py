"""Datasette metadata for a case file: titles and descriptions of its tables, views and columns.

``evidence-tui datasette-metadata -o metadata.json`` writes it; ``datasette case.db --metadata
metadata.json`` then serves the case file as browsable, searchable web pages without any code of
ours (see README, "Browsing a case file with Datasette"). Nothing here imports Datasette: this is
only the JSON it reads. The views it describes are created by the schema's v3 migration.

Full-text search: the case file's FTS5 indexes are external-content tables (``content='sources'``)
that Datasette does not detect by itself, so ``fts_table`` and ``fts_pk`` name them for the tables
and views they index.
"""

from __future__ import annotations

import json
from pathlib import Path

from evidence_tui.errors import EvidenceError
from evidence_tui.exporters.output import open_private

TITLE = "evidence-tui case file"
DESCRIPTION = (
    "Evidence organised with evidence-tui: sources (saved articles), excerpts marked in them and "
    "tagged with claim types, claims with their evidence, entities, reviews, and the event log of "
    "every change. Start with the views: excerpts_export, claims_corroboration, sources_overview, "
    "entities_overview. Searches use SQLite FTS5 syntax: words, \"a phrase\", OR, NOT, prefix*."
)

_EXCERPT_COLUMNS = {
    "excerpt_id": "The excerpt's id (evidence-tui accepts any unique prefix of it).",
    "source_id": "The id of the source the excerpt was marked in.",
    "source_title": "The source's title.",
    "outlet": "The outlet (publication) of the source.",
    "author": "The author of the source (not who tagged the excerpt: see tagged_by).",
    "url": "Where the source was published.",
    "published": "Publication date as ISO 8601, at its precision (2024, 2024-06 or 2024-06-15).",
    "published_raw": "The publication date as the source wrote it.",
    "quote": "The exact text of the excerpt.",
    "context_before": "Up to 32 characters before the quote (to find it again).",
    "context_after": "Up to 32 characters after the quote.",
    "start": "Where the quote starts in the source's text (characters from 0).",
    "end": "Where the quote ends in the source's text (exclusive).",
    "claim_types": "The excerpt's claim types, in codebook order, joined with '; '.",
    "claims": "The claims the excerpt is evidence for ('(contradicts)' when against), joined with '; '.",
    "entities": "The entities linked to the excerpt ('name (role)'), joined with '; '.",
    "review_status": "unreviewed, accepted, rejected or flagged (the latest review decision).",
    "note": "The researcher's note on the excerpt.",
    "reliability": "The source's reliability on the Admiralty scale: A completely reliable ... F cannot be judged.",
    "source_sha256": "SHA-256 of the source file as imported (chain of custody).",
    "tagged_at": "When the excerpt was last tagged (UTC).",
    "tagged_by": "Who marked the excerpt.",
    "credibility": "The excerpt's credibility on the Admiralty scale, 1 confirmed ... 6 cannot be judged.",
    "excerpt_rowid": "Internal row number (links the view to the excerpts' search index).",
}

TABLES: dict[str, dict] = {
    "excerpts_export": {
        "title": "Excerpts (as exported)",
        "description": "One row per excerpt with its source, claim types, claims and entities: the columns of "
                       "'evidence-tui export csv', then who tagged it and its credibility. Search looks in the "
                       "quotes and notes.",
        "columns": _EXCERPT_COLUMNS,
        "fts_table": "excerpts_fts",
        "fts_pk": "excerpt_rowid",
        "searchmode": "raw",
        "facets": ["review_status", "outlet", "tagged_by"],
        "sort": "source_title",
    },
    "claims_corroboration": {
        "title": "Claims and their corroboration",
        "description": "One row per claim with the evidence behind it: supporting and contradicting excerpts, "
                       "the distinct sources and outlets for and against (ten excerpts from one outlet are one "
                       "voice), the best source grade and the evidence dates.",
        "columns": {
            "claim_id": "The claim's id.",
            "statement": "The claim, in the researcher's words.",
            "claim_type": "The claim's type from the codebook.",
            "credibility": "The claim's credibility, 1 confirmed ... 6 cannot be judged.",
            "supporting": "Excerpts that support the claim.",
            "contradicting": "Excerpts that contradict it.",
            "sources": "Distinct sources supporting it (through excerpts or whole sources).",
            "outlets": "Distinct named outlets supporting it (sources without an outlet are not counted here).",
            "sources_without_outlet": "Supporting sources whose outlet is not known (they may share one).",
            "sources_against": "Distinct sources contradicting it.",
            "outlets_against": "Distinct outlets contradicting it.",
            "best_reliability": "The best Admiralty grade (A best) among the supporting sources.",
            "earliest": "The earliest publication date of the supporting sources.",
            "latest": "The latest publication date of the supporting sources.",
            "entities": "Entities linked to the claim, joined with '; '.",
            "notes": "The researcher's notes on the claim.",
            "created_at": "When the claim was made (UTC).",
            "updated_at": "When it last changed (UTC).",
        },
        "sort_desc": "outlets",
        "facets": ["claim_type"],
    },
    "sources_overview": {
        "title": "Sources",
        "description": "One row per source (without its text: see the sources table) with how many excerpts "
                       "were marked in it and how many of them were accepted. Search looks in titles and texts.",
        "columns": {
            "source_id": "The source's id.", "title": "Its title.", "outlet": "The outlet that published it.",
            "author": "Its author.", "url": "Where it was published.",
            "published": "Publication date (ISO 8601 at its precision).", "published_raw": "The date as written.",
            "language": "Its language.", "reliability": "Admiralty grade of the source, A-F.",
            "file_name": "The file it was imported from.", "format": "text, markdown or html.",
            "excerpts": "Excerpts marked in it.", "accepted": "Of them, accepted in review.",
            "sha256": "SHA-256 of the file as imported.", "imported_at": "When it was imported (UTC).",
            "notes": "The researcher's notes.", "source_rowid": "Internal row number (for search).",
        },
        "fts_table": "sources_fts",
        "fts_pk": "source_rowid",
        "searchmode": "raw",
        "facets": ["outlet", "reliability"],
        "sort_desc": "published",
    },
    "entities_overview": {
        "title": "Entities",
        "description": "People, organisations, places and units named in the evidence, with their aliases and "
                       "how many excerpts, sources and claims name them.",
        "columns": {
            "entity_id": "The entity's id.", "name": "Its name.",
            "kind": "person, organisation, place, unit or other.", "aliases": "Other names, joined with '; '.",
            "excerpts": "Excerpts linked to it.", "sources": "Distinct sources of those excerpts.",
            "claims": "Claims linked to it.", "notes": "The researcher's notes.",
        },
        "facets": ["kind"],
        "sort_desc": "excerpts",
    },
    "sources": {
        "title": "Sources (with their text)",
        "description": "Every imported source with its metadata and its whole extracted text.",
        "fts_table": "sources_fts",
        "fts_pk": "rowid",
        "searchmode": "raw",
        "columns": {"text": "The text extracted from the file, as excerpts' positions count it.",
                    "sha256": "SHA-256 of the original file.", "text_sha256": "SHA-256 of the text."},
    },
    "excerpts": {
        "title": "Excerpts (raw)",
        "description": "The excerpts as stored; excerpts_export is the readable form.",
        "fts_table": "excerpts_fts",
        "fts_pk": "rowid",
        "searchmode": "raw",
    },
    "source_originals": {"title": "Original files", "description": "The bytes of each file as imported (what sha256 is of)."},
    "claim_types": {"title": "Codebook", "description": "The claim types excerpts are tagged with."},
    "excerpt_claim_types": {"title": "Excerpt tags", "description": "Which excerpt has which claim type."},
    "claims": {"title": "Claims (raw)", "description": "Claims as stored; claims_corroboration is the readable form."},
    "claim_excerpts": {"title": "Claim evidence", "description": "Excerpts that support or contradict a claim."},
    "claim_sources": {"title": "Claim sources", "description": "Whole sources that support, contradict or mention a claim."},
    "entities": {"title": "Entities (raw)", "description": "Entities as stored; entities_overview is the readable form."},
    "entity_aliases": {"title": "Entity aliases", "description": "Other names of the entities."},
    "excerpt_entities": {"title": "Excerpt entities", "description": "Entities linked to excerpts, with a role."},
    "claim_entities": {"title": "Claim entities", "description": "Entities linked to claims, with a role."},
    "reviews": {"title": "Review decisions", "description": "Every reviewer's decision on every excerpt, with the time."},
    "operations": {"title": "Change log", "description": "One row per change made (who, when, what): the audit trail."},
    "events": {"title": "Change log details", "description": "Each row a change made to, with its values before and after."},
    "settings": {"title": "Settings", "description": "Settings of this case file."},
}

# The search indexes and their shadow tables: machinery, not evidence.
HIDDEN = tuple(
    f"{fts}{suffix}" for fts in ("sources_fts", "excerpts_fts") for suffix in ("", "_data", "_idx", "_docsize", "_config")
) + ("excerpt_links",)  # derived like the search indexes: raw id lists for the export


def metadata(database: str) -> dict:
    """Datasette metadata for a case file served under the name ``database`` (its file's stem)."""
    tables = {name: dict(table) for name, table in TABLES.items()}
    tables.update({name: {"hidden": True} for name in HIDDEN})
    return {
        "title": TITLE,
        "description": DESCRIPTION,
        "databases": {database: {"title": TITLE, "description": DESCRIPTION, "tables": tables}},
    }


def database_name(path: str | Path) -> str:
    """The name Datasette gives a database file: its name without the suffix."""
    return Path(path).stem


def write_metadata(out: Path | None, case_path: str | Path) -> str:
    """Write the metadata for the case file at ``case_path`` to ``out`` (0600); return the JSON."""
    text = json.dumps(metadata(database_name(case_path)), indent=2, ensure_ascii=False) + "\n"
    if out is not None:
        if Path(out).is_dir():
            raise EvidenceError(f"{out}: is a folder; give the metadata a file name")
        try:
            with open_private(out) as stream:
                stream.write(text)
        except OSError as error:
            raise EvidenceError(f"{out}: cannot write the metadata ({(error.strerror or str(error)).lower()})") from None
    return text
