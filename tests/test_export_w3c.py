"""W3C Web Annotation export: JSON-LD shape, selectors that re-anchor in the text, bodies, filters."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from evidence_tui.cli import cli
from evidence_tui.domain import codebook, excerpts, sources
from evidence_tui.exporters import ExportOptions
from evidence_tui.importers import ImportOptions
from evidence_tui.store import CaseFile

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
OPENING = "Recruiters promised work as drivers"


@pytest.fixture(scope="module")
def annotated(tmp_path_factory):
    """Two sources (one with a URL, one without) and three excerpts; returns (db, ids, texts)."""
    path = tmp_path_factory.mktemp("w3c") / "case.db"
    case = CaseFile.open(path, actor="amina")
    with_url = sources.import_text(
        case, f"{OPENING} and then handed them rifles «на фронт».\n\nA second paragraph.\n".encode(), "a.txt",
        ImportOptions(url="https://ledger.example/a", date="2024-06-15"),
    ).source_id
    without_url = sources.import_text(case, b"Later report\n\nOne excerpt in July.\n", "b.txt").source_id
    codebook.add_type(case, "Deception")
    codebook.add_type(case, "Coercion")
    ids = {
        "both": excerpts.add_excerpt(case, with_url, quote="handed them rifles «на фронт».",
                                     types=["Deception", "Coercion"], note='He said "go"\nthen left').id,
        "plain": excerpts.add_excerpt(case, without_url, quote="One excerpt").id,
        "noted": excerpts.add_excerpt(case, with_url, quote="A second paragraph.", note="only a note").id,
    }
    excerpts.set_status(case, ids["plain"], "accepted")
    conn = case.db.conn
    texts = {r[0]: r[1] for r in conn.execute("SELECT id, text FROM sources")}
    rows = {r["id"]: dict(r) for r in conn.execute("SELECT e.*, s.url, s.sha256 FROM excerpts e JOIN sources s ON s.id = e.source_id")}
    case.close()
    return path, ids, texts, rows


def run(db: Path, *args: str):
    return CliRunner().invoke(cli, [*args, "--db", str(db)], catch_exceptions=False)


def export_w3c(db: Path, out: Path, *args: str) -> dict:
    result = run(db, "export", "json", "--format", "w3c", "-o", str(out), *args)
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text(encoding="utf-8"))


def test_collection_is_json_ld_in_shape(annotated, tmp_path):
    db, ids, _, _ = annotated
    doc = export_w3c(db, tmp_path / "a.jsonld")
    assert doc["@context"] == CONTEXT  # the IRI only: never an inline or fetched context
    assert doc["type"] == "AnnotationCollection"
    assert doc["total"] == 3
    page = doc["first"]
    assert page["type"] == "AnnotationPage" and page["startIndex"] == 0
    assert len(page["items"]) == 3
    for item in page["items"]:
        assert "@context" not in item  # the collection's context covers them
        assert item["type"] == "Annotation"
        assert item["id"].startswith("urn:uuid:")
        assert item["id"].replace("urn:uuid:", "").replace("-", "") in ids.values()
        assert {s["type"] for s in item["target"]["selector"]} == {"TextQuoteSelector", "TextPositionSelector"}


def test_selectors_anchor_in_the_source_text(annotated, tmp_path):
    db, _, texts, rows = annotated
    doc = export_w3c(db, tmp_path / "a.jsonld")
    for item in doc["first"]["items"]:
        excerpt = rows[item["id"].replace("urn:uuid:", "").replace("-", "")]
        text = texts[excerpt["source_id"]]
        quote, position = item["target"]["selector"]
        assert (position["start"], position["end"]) == (excerpt["start"], excerpt["end"])
        assert text[position["start"]:position["end"]] == quote["exact"] == excerpt["quote"]
        prefix, suffix = quote.get("prefix", ""), quote.get("suffix", "")
        assert text[:position["start"]].endswith(prefix) and text[position["end"]:].startswith(suffix)
        assert prefix == excerpt["prefix"] and suffix == excerpt["suffix"]
        expected = excerpt["url"] or f"urn:sha256:{excerpt['sha256']}"
        assert item["target"]["source"] == expected


def test_bodies_creator_and_times(annotated, tmp_path):
    db, ids, _, rows = annotated
    doc = export_w3c(db, tmp_path / "a.jsonld")
    by_id = {item["id"].replace("urn:uuid:", "").replace("-", ""): item for item in doc["first"]["items"]}
    both = by_id[ids["both"]]
    assert both["motivation"] == "tagging"
    assert both["body"] == [
        {"type": "TextualBody", "value": "Deception", "format": "text/plain", "purpose": "tagging"},
        {"type": "TextualBody", "value": "Coercion", "format": "text/plain", "purpose": "tagging"},
        {"type": "TextualBody", "value": 'He said "go"\nthen left', "format": "text/plain", "purpose": "commenting"},
    ]
    assert both["creator"] == {"type": "Person", "name": "amina"}
    assert both["created"] == rows[ids["both"]]["created_at"]
    assert both["modified"] == rows[ids["both"]]["updated_at"]
    assert by_id[ids["noted"]]["motivation"] == "commenting"
    assert "body" not in by_id[ids["plain"]] and by_id[ids["plain"]]["motivation"] == "highlighting"
    plain_target = by_id[ids["plain"]]["target"]
    assert plain_target["source"].startswith("urn:sha256:") and len(plain_target["source"]) == 11 + 64


def test_lines_and_filters(annotated, tmp_path):
    db, ids, _, _ = annotated
    out = tmp_path / "a.jsonl"
    result = run(db, "export", "json", "--format", "w3c", "--lines", "--status", "accepted", "-o", str(out))
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    item = json.loads(lines[0])
    assert item["@context"] == CONTEXT and item["type"] == "Annotation"
    assert item["id"].replace("urn:uuid:", "").replace("-", "") == ids["plain"]
    empty = export_w3c(db, tmp_path / "none.jsonld", "--type", "Coercion", "--status", "accepted")
    assert empty["total"] == 0 and empty["first"]["items"] == []


def test_stdout_equals_file_and_file_is_private(annotated, tmp_path):
    db, _, _, _ = annotated
    out = tmp_path / "a.jsonld"
    export_w3c(db, out)
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    result = run(db, "export", "json", "--format", "w3c")
    assert result.exit_code == 0 and result.stdout_bytes == out.read_bytes()


def test_default_json_is_unchanged_by_the_format_option(annotated, tmp_path):
    db, _, _, _ = annotated
    plain = run(db, "export", "json")
    rows = run(db, "export", "json", "--format", "rows")
    assert plain.exit_code == rows.exit_code == 0
    assert plain.stdout_bytes == rows.stdout_bytes
    assert isinstance(json.loads(plain.stdout_bytes), list)


def test_bad_format_is_one_line(annotated):
    db, _, _, _ = annotated
    result = run(db, "export", "json", "--format", "xml")
    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.output and "Traceback" not in result.output


def test_export_options_suffix():
    assert ExportOptions("w3c").suffix == ".jsonld"
    assert ExportOptions("w3c", lines=True).suffix == ".jsonl"
    assert ExportOptions("json").suffix == ".json"
