"""FollowTheMoney export: schemas per kind, stable ids, links, and (with the ftm extra) validation."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from evidence_tui.cli import cli
from evidence_tui.store import CaseFile

# The FtM schemata and properties this export may write (followthemoney 4); checked against the
# package's model in the last test when the 'ftm' extra is installed.
ALLOWED = {
    "Document": {"title", "fileName", "mimeType", "author", "publisher", "publishedAt", "sourceUrl", "language",
                 "notes", "contentHash", "description", "bodyText"},
    "Person": {"name", "alias", "notes"},
    "Organization": {"name", "alias", "notes"},
    "LegalEntity": {"name", "alias", "notes"},
    "Address": {"name", "alias", "notes", "full"},
    "Documentation": {"document", "entity", "role", "summary", "description", "recordId", "date"},
    "Note": {"description", "entity", "proof", "keywords", "notes"},
}


def run(db: Path, *args: str):
    return CliRunner().invoke(cli, [*args, "--db", str(db)], catch_exceptions=False)


def export(db: Path, out: Path, *args: str) -> list[dict]:
    result = run(db, "export", "ftm", "-o", str(out), *args)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def demo_db(demo_case) -> Path:
    path = demo_case.path
    demo_case.close()
    return path


def test_structure_ids_and_links(demo_db, tmp_path):
    entities = export(demo_db, tmp_path / "case.ftm.json")
    case = CaseFile.open(demo_db, create=False)
    conn = case.db.conn
    by_id = {e["id"]: e for e in entities}
    assert len(by_id) == len(entities)  # ids unique
    for entity in entities:
        assert set(entity) == {"id", "schema", "properties"}
        assert set(entity["properties"]) <= ALLOWED[entity["schema"]], entity
        assert all(isinstance(v, list) and v and all(isinstance(s, str) and s for s in v)
                   for v in entity["properties"].values())
    # Every source a Document with its metadata and the SHA-1 of the original file.
    for source in conn.execute("SELECT s.*, o.data FROM sources s JOIN source_originals o ON o.source_id = s.id"):
        doc = by_id[f"et-source-{source['id']}"]
        assert doc["schema"] == "Document"
        assert doc["properties"]["title"] == [source["title"]]
        assert doc["properties"]["contentHash"] == [hashlib.sha1(source["data"]).hexdigest()]
        assert source["sha256"] in doc["properties"]["description"][0]
        if source["url"]:
            assert doc["properties"]["sourceUrl"] == [source["url"]]
        if source["published"]:
            assert doc["properties"]["publishedAt"] == [source["published"]]
        assert "bodyText" not in doc["properties"]
    # Entities by kind, with their aliases.
    schema = {"person": "Person", "organisation": "Organization", "unit": "Organization", "place": "Address",
              "other": "LegalEntity"}
    for row in conn.execute("SELECT id, name, kind FROM entities"):
        entity = by_id[f"et-entity-{row['id']}"]
        assert entity["schema"] == schema[row["kind"]]
        assert entity["properties"]["name"] == [row["name"]]
        aliases = sorted(r[0] for r in conn.execute("SELECT alias FROM entity_aliases WHERE entity_id = ?", (row["id"],)))
        assert sorted(entity["properties"].get("alias", [])) == aliases
    # One Documentation per excerpt-entity link, pointing at the excerpt's source and the entity.
    links = conn.execute(
        "SELECT x.excerpt_id, x.entity_id, e.source_id, e.quote FROM excerpt_entities x JOIN excerpts e ON e.id = x.excerpt_id"
    ).fetchall()
    docs = [e for e in entities if e["schema"] == "Documentation"]
    assert len(links) == len(docs) > 0
    for link in links:
        match = [d for d in docs if d["properties"]["recordId"] == [link["excerpt_id"]]
                 and d["properties"]["entity"] == [f"et-entity-{link['entity_id']}"]]
        assert len(match) == 1
        assert match[0]["properties"]["document"] == [f"et-source-{link['source_id']}"]
        assert match[0]["properties"]["summary"] == [link["quote"]]
    # Claims as Notes whose proof is the documents of their supporting excerpts.
    notes = [e for e in entities if e["schema"] == "Note"]
    assert len(notes) == conn.execute("SELECT count(*) FROM claims").fetchone()[0]
    for claim in conn.execute("SELECT id, statement FROM claims"):
        note = by_id[f"et-claim-{claim['id']}"]
        assert note["properties"]["description"] == [claim["statement"]]
        supporting = {f"et-source-{r[0]}" for r in conn.execute(
            "SELECT e.source_id FROM claim_excerpts c JOIN excerpts e ON e.id = c.excerpt_id"
            " WHERE c.claim_id = ? AND c.stance = 'supports'", (claim["id"],))}
        assert set(note["properties"].get("proof", [])) == supporting
    # Every reference points at an entity in the export.
    for entity in entities:
        for prop in ("document", "entity", "proof"):
            for ref in entity["properties"].get(prop, []):
                assert ref in by_id, (entity["id"], prop, ref)
    case.close()


def test_stable_private_and_same_on_stdout(demo_db, tmp_path):
    out = tmp_path / "a.json"
    first = export(demo_db, out)
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    again = run(demo_db, "export", "ftm")
    assert again.exit_code == 0
    assert again.stdout_bytes == out.read_bytes()  # same bytes every time
    assert run(demo_db, "export", "ftm", "-o", str(out)).stderr == f"{len(first)} entities written to {out} (plain text, readable by you only)\n"


def test_with_text_adds_body_text(demo_db, tmp_path):
    entities = export(demo_db, tmp_path / "t.json", "--with-text")
    case = CaseFile.open(demo_db, create=False)
    texts = {f"et-source-{r[0]}": r[1] for r in case.db.conn.execute("SELECT id, text FROM sources")}
    case.close()
    for entity in entities:
        if entity["schema"] == "Document":
            assert entity["properties"]["bodyText"] == [texts[entity["id"]]]


def test_an_unwritable_output_is_one_line(demo_db, tmp_path):
    missing = tmp_path / "no-such-folder" / "x.json"
    result = run(demo_db, "export", "ftm", "-o", str(missing))
    assert result.exit_code == 1
    assert result.stderr == f"error: {missing}: cannot write the export (no such file or directory)\n"


def test_validates_with_followthemoney(demo_db, tmp_path):
    """Only with the optional 'ftm' extra: the package's own model accepts every entity as is."""
    model = pytest.importorskip("followthemoney").model
    entities = export(demo_db, tmp_path / "v.json", "--with-text")
    for entity in entities:
        schema = model.get(entity["schema"])
        assert schema is not None
        assert set(entity["properties"]) <= ALLOWED[entity["schema"]]
        proxy = model.get_proxy(entity, cleaned=False)
        for prop, values in entity["properties"].items():
            prop_obj = schema.get(prop)
            assert prop_obj is not None, (entity["schema"], prop)
            for value in values:
                assert prop_obj.type.clean(value, proxy=proxy) is not None, (entity["schema"], prop, value)
        cleaned = model.get_proxy(entity, cleaned=True)
        assert cleaned.id == entity["id"]
