"""`evidence-tui check`: every kind of damage is found and named; --repair fixes only what it can,
through the log (undoable), and never deletes evidence."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from evidence_tui.cli import cli
from evidence_tui.domain import excerpts as excerpts_domain
from evidence_tui.domain import integrity
from evidence_tui.domain import sources as sources_domain
from evidence_tui.store import CaseFile

TEXT = (
    "Recruiters promised work in Moscow.\n\n"
    "The first group was told: recruiters promised work, then handed rifles.\n"
    "A second group heard that recruiters promised work too, and refused.\n"
)


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "case.db"
    case = CaseFile.open(path, actor="tester")
    source = sources_domain.import_text(case, TEXT.encode(), "groups.txt")
    excerpts_domain.add_excerpt(case, source.source_id, quote="recruiters promised work", occurrence=2)
    excerpts_domain.add_excerpt(case, source.source_id, quote="handed rifles")
    case.close()
    return path


def raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def excerpt_rows(path: Path) -> list[tuple]:
    with raw(path) as conn:
        return conn.execute('SELECT id, start, "end", quote, prefix, suffix FROM excerpts ORDER BY id').fetchall()


def test_a_sound_case_file_passes(db):
    result = invoke("check", "--db", str(db))
    assert result.exit_code == 0, result.output
    assert result.stdout == "1 sources, 2 excerpts checked: no problems\n"
    data = json.loads(invoke("check", "--db", str(db), "--json").stdout)
    assert (data["ok"], data["sources"], data["excerpts"], data["problems"]) == (True, 1, 2, [])


def test_the_demo_case_file_passes(demo_case):
    report = integrity.check_case(demo_case)
    assert report.ok, [p.line() for p in report.problems]
    assert report.sources > 0 and report.excerpts > 0


def test_drifted_offsets_are_found_and_reanchored_by_prefix_and_suffix(db):
    before = excerpt_rows(db)
    with raw(db) as conn:
        # The quote occurs three times: only prefix and suffix say which one is this excerpt's.
        conn.execute('UPDATE excerpts SET start = start + 7, "end" = "end" + 7')
    result = invoke("check", "--db", str(db))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len([line for line in lines if line.startswith("excerpt: excerpt ")]) == 2
    assert "do not hold its quote; its quote is in the source (--repair re-anchors it)" in lines[0]
    assert lines[-1] == "1 sources, 2 excerpts checked: 2 problems (2 repairable with --repair)"

    repaired = invoke("check", "--db", str(db), "--repair")
    assert repaired.exit_code == 0, repaired.output
    assert repaired.stdout.count("re-anchored: excerpt ") == 2
    assert repaired.stdout.splitlines()[-1] == "1 sources, 2 excerpts checked: no problems"
    assert excerpt_rows(db) == before  # back where they were, context and all

    # The repair is one logged operation, and undo puts the drift back (nothing is hidden).
    log = json.loads(invoke("log", "--db", str(db), "--json", "--limit", "1").stdout)
    assert log[0]["name"] == "check.repair" and log[0]["summary"] == "repair: re-anchor 2 excerpts"
    assert invoke("undo", "--db", str(db)).exit_code == 0
    assert invoke("check", "--db", str(db)).exit_code == 1


def test_reanchor_prefers_the_occurrence_whose_context_matches():
    text = "alpha key beta ... gamma key delta ... epsilon key zeta"
    second = text.index("key", text.index("key") + 1)
    assert integrity.reanchor(text, "key", "... gamma ", " delta", 0) == second
    # No context at all: the occurrence nearest the old offset.
    assert integrity.reanchor(text, "key", "", "", len(text)) == text.rindex("key")
    assert integrity.reanchor(text, "absent", "", "", 0) is None


def test_an_excerpt_whose_quote_is_gone_is_reported_not_deleted(db):
    with raw(db) as conn:
        conn.execute("UPDATE excerpts SET quote = 'words the source never had' WHERE quote = 'handed rifles'")
    result = invoke("check", "--db", str(db), "--repair")
    assert result.exit_code == 1
    assert "its quote is not in the source" in result.stdout
    assert len(excerpt_rows(db)) == 2  # nothing deleted


def test_offsets_outside_the_text_are_reported(db):
    with raw(db) as conn:
        conn.execute("UPDATE excerpts SET start = 10000, \"end\" = 10005 WHERE quote = 'handed rifles'")
    result = invoke("check", "--db", str(db))
    assert result.exit_code == 1
    assert "offsets 10000-10005 are outside the source's text (0-" in result.stdout
    assert invoke("check", "--db", str(db), "--repair").exit_code == 0


def test_an_inconsistent_search_index_is_found_and_rebuilt(db):
    with raw(db) as conn:
        row = conn.execute("SELECT rowid, title, text FROM sources").fetchone()
        conn.execute("INSERT INTO sources_fts(sources_fts, rowid, title, text) VALUES ('delete', ?, ?, ?)", row)
    assert json.loads(invoke("search", "--db", str(db), "--json", "Moscow").stdout) == []
    result = invoke("check", "--db", str(db))
    assert result.exit_code == 1
    assert "fts: sources_fts: the search index does not match the sources table" in result.stdout
    repaired = invoke("check", "--db", str(db), "--repair")
    assert repaired.exit_code == 0, repaired.output
    assert "rebuilt: sources_fts" in repaired.stdout
    assert len(json.loads(invoke("search", "--db", str(db), "--json", "Moscow").stdout)) == 1
    log = json.loads(invoke("log", "--db", str(db), "--json", "--limit", "1").stdout)
    assert log[0]["name"] == "check.repair"


def test_hash_mismatches_are_reported_and_never_repaired(db):
    with raw(db) as conn:
        conn.execute("UPDATE source_originals SET data = CAST('tampered' AS BLOB)")
        conn.execute("UPDATE sources SET text_sha256 = 'x'")
    result = invoke("check", "--db", str(db), "--repair")
    assert result.exit_code == 1
    assert "the original bytes do not match their stored SHA-256" in result.stdout
    assert "the text does not match its stored SHA-256" in result.stdout
    with raw(db) as conn:
        assert conn.execute("SELECT data FROM source_originals").fetchone()[0] == b"tampered"


def test_a_missing_original_and_broken_links_are_reported(db):
    with raw(db) as conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("DELETE FROM source_originals")
        excerpt_id = conn.execute("SELECT id FROM excerpts LIMIT 1").fetchone()[0]
        conn.execute(
            "INSERT INTO excerpt_claim_types (excerpt_id, claim_type_id, created_at) VALUES (?, 'gone', 'now')",
            (excerpt_id,),
        )
    result = invoke("check", "--db", str(db), "--json")
    assert result.exit_code == 1
    kinds = {p["kind"]: p for p in json.loads(result.stdout)["problems"]}
    assert kinds["original"]["message"] == "the original bytes are missing"
    assert kinds["foreign-key"]["record"].startswith("excerpt_claim_types ")
    assert kinds["foreign-key"]["message"] == "refers to a missing row of claim_types"


def test_a_damaged_file_is_named_with_its_backups(db, tmp_path):
    # Open once more so a rolling backup exists, then damage the file.
    CaseFile.open(db, actor="tester").close()
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 2] + b"\x00" * 1000)
    result = invoke("check", "--db", str(db))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    err = result.stderr.splitlines()
    assert err[0].startswith(f"error: {db}: ") and "damaged" in err[0]
    assert err[1].startswith("backups: newest ") and "evidence-tui restore" in err[1]


def test_a_missing_case_file_is_not_created_by_check(tmp_path):
    missing = tmp_path / "nothing.db"
    result = invoke("check", "--db", str(missing))
    assert result.exit_code == 1
    assert not missing.exists()


def test_the_check_reads_a_read_only_case_file(db, monkeypatch):
    # Read-only: the FTS check cannot run its INSERT-shaped command; it falls back to comparing
    # the indexed rows, and says so.
    monkeypatch.setattr(CaseFile, "read_only", property(lambda self: True))
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, isolation_level=None)
    problems, notes = integrity.fts_problems(conn)
    assert problems == [] and len(notes) == 2
    result = invoke("check", "--db", str(db), "--repair")
    assert result.exit_code == 1 and "read-only; cannot repair it" in result.stderr
