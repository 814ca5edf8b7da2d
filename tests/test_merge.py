"""Merging case files: two researchers tag the sample articles separately, one merges the other's.

Assertions are on the merged case file's rows: counts per table, ids and authors kept, tags
re-pointed to the matched claim types, conflicts listed with the version that won, the losing
version in the event log, idempotence, a dry run that writes nothing, undo of the whole merge.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from evidence_tui.cli import cli
from evidence_tui.domain import claims, codebook, entities, excerpts, history, sources
from evidence_tui.domain.merge import DATA_TABLES, merge_case_file
from evidence_tui.errors import CaseFileError
from evidence_tui.store import CaseFile
from evidence_tui.store.schema import PRIMARY_KEYS

from tests.conftest import SAMPLE_DATA

TAGS = tomllib.loads((SAMPLE_DATA / "demo_tags.toml").read_text(encoding="utf-8"))["excerpt"]
CLAIM = "Recruits were deceived about the job they were offered"
AMINA = {i: None for i in range(0, 10)}  # demo excerpts 0-9 with the demo's claim types
BASHIR = {i: None for i in range(10, 16)} | {i: ["Coercion or threat"] for i in range(6, 10)}  # 6-9 tagged otherwise


def researcher(path: Path, actor: str, picks: dict[int, list[str] | None]) -> CaseFile:
    """A case file built from the sample articles by one researcher, tagging the demo excerpts ``picks``."""
    case = CaseFile.open(path, actor=actor)
    codebook.load_codebook(case, SAMPLE_DATA / "codebook.toml")
    entities.load_entities(case, SAMPLE_DATA / "entities.toml")
    summary = sources.import_paths(case, [SAMPLE_DATA / "articles"])
    ids = {Path(o.name).name: o.source_id for o in summary.outcomes}
    claim = claims.add_claim(case, CLAIM, claim_type="Deception about the job")
    for i, types in picks.items():
        entry = TAGS[i]
        made = excerpts.add_excerpt(case, ids[entry["file"]], quote=entry["quote"], types=types or entry["types"])
        for name in entry.get("entities", ()):
            entities.link_excerpt(case, name, made.id)
        if i in (3, 8):
            claims.link_excerpt(case, claim.id, made.id)
    return case


@pytest.fixture(scope="module")
def _templates(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("researchers")
    amina = researcher(folder / "amina.db", "amina", AMINA)
    amina.close()
    bashir = researcher(folder / "bashir.db", "bashir", BASHIR)
    codebook.add_type(bashir, "Forced labour", description="Made to work without pay", hotkey=None)
    entities.add_alias(bashir, "Sergiy Kyslytsya", "Kislitsa")
    first = bashir.db.conn.execute("SELECT id FROM excerpts ORDER BY created_at LIMIT 1").fetchone()[0]
    excerpts.set_status(bashir, first, "accepted")
    bashir.close()
    return folder / "amina.db", folder / "bashir.db"


def _copy(source: Path, target: Path) -> Path:
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    src.backup(dst)
    src.close()
    dst.close()
    return target


@pytest.fixture
def pair(_templates, tmp_path) -> tuple[CaseFile, Path]:
    """Amina's case file, open as amina, and the path of Bashir's (closed)."""
    amina = CaseFile.open(_copy(_templates[0], tmp_path / "amina.db"), actor="amina")
    bashir = _copy(_templates[1], tmp_path / "bashir.db")
    yield amina, bashir
    amina.close()


def rows(path_or_case, table: str) -> list[dict]:
    conn = path_or_case.db.conn if isinstance(path_or_case, CaseFile) else sqlite3.connect(path_or_case)
    conn.row_factory = sqlite3.Row
    order = ", ".join(PRIMARY_KEYS[table])
    found = [dict(r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY {order}")]
    if not isinstance(path_or_case, CaseFile):
        conn.close()
    return found


def record_hashes(path_or_case) -> dict[str, list[str]]:
    """Every record of every data table as a SHA-256 of its JSON (bytes as hex)."""
    def digest(row: dict) -> str:
        plain = {k: v.hex() if isinstance(v, bytes) else v for k, v in row.items()}
        return hashlib.sha256(json.dumps(plain, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return {t: sorted(digest(r) for r in rows(path_or_case, t)) for t in DATA_TABLES}


def file_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def count(case: CaseFile, sql: str, *params) -> int:
    return case.db.conn.execute(sql, params).fetchone()[0]


# -- two researchers, no shared history ---------------------------------------------------------


def test_two_researchers_merge_exactly(pair):
    amina, bashir_path = pair
    mine, theirs = rows(amina, "excerpts"), rows(bashir_path, "excerpts")
    my_tags, their_tags = rows(amina, "excerpt_claim_types"), rows(bashir_path, "excerpt_claim_types")
    my_links, their_links = rows(amina, "excerpt_entities"), rows(bashir_path, "excerpt_entities")
    my_sources = {r["id"] for r in rows(amina, "sources")}
    types_by_name = {r["name"]: r["id"] for r in rows(amina, "claim_types")}
    their_type_names = {r["id"]: r["name"] for r in rows(bashir_path, "claim_types")}

    report = merge_case_file(amina, bashir_path)

    merged = {r["id"]: r for r in rows(amina, "excerpts")}
    assert len(merged) == len(mine) + len(theirs) == 20
    assert {r["id"] for r in mine} | {r["id"] for r in theirs} == set(merged)
    assert {r["author"] for r in mine} == {"amina"} and {r["author"] for r in theirs} == {"bashir"}
    for row in theirs:  # kept with its author, re-pointed to our copy of its article, same span and quote
        got = merged[row["id"]]
        assert got["author"] == "bashir" and got["source_id"] in my_sources
        assert (got["start"], got["end"], got["quote"]) == (row["start"], row["end"], row["quote"])
    assert count(amina, "SELECT count(*) FROM sources") == 10  # same SHA-256: one source each
    assert len(report.same_sources) == 10
    # Every tag of both, Bashir's on Amina's claim type of the same name.
    tags = {(r["excerpt_id"], r["claim_type_id"]) for r in rows(amina, "excerpt_claim_types")}
    assert len(tags) == len(my_tags) + len(their_tags)
    for tag in their_tags:
        name = their_type_names[tag["claim_type_id"]]
        assert (tag["excerpt_id"], types_by_name.get(name, tag["claim_type_id"])) in tags
    overlap = [TAGS[i]["quote"] for i in range(6, 10)]  # tagged differently by each: both versions kept
    for quote in overlap:
        both = [r for r in merged.values() if r["quote"] == quote]
        assert sorted(r["author"] for r in both) == ["amina", "bashir"]
    assert count(amina, "SELECT count(*) FROM excerpt_entities") == len(my_links) + len(their_links)
    # Names: 10 claim types, every entity, and the claim matched; the new claim type came in.
    assert count(amina, "SELECT count(*) FROM claim_types") == 11
    assert count(amina, "SELECT count(*) FROM claim_types WHERE name = 'Forced labour'") == 1
    matched = {m.table for m in report.name_matches}
    assert matched == {"claim_types", "entities", "claims"}
    assert sum(m.table == "claim_types" for m in report.name_matches) == 10
    assert count(amina, "SELECT count(*) FROM claims") == 1
    claim_id = rows(amina, "claims")[0]["id"]
    assert count(amina, "SELECT count(*) FROM claim_excerpts WHERE claim_id = ?", claim_id) == 3  # amina 3 and 8, bashir 8
    assert count(amina, "SELECT count(*) FROM entity_aliases WHERE alias = 'Kislitsa'") == 1
    assert count(amina, "SELECT count(*) FROM reviews WHERE reviewer = 'bashir'") == 1
    assert report.new["excerpts"] == 10 and report.authors == {"bashir": 10}
    assert report.conflicts == []
    assert any("same span" in n for n in report.notes)
    touched = {merged[r["id"]]["source_id"] for r in theirs}  # every excerpt of the sources the merge touched
    assert report.excerpts_checked == sum(r["source_id"] in touched for r in merged.values())
    assert report.anchor_problems == []
    # One operation in the log, by amina, naming the file.
    op = history.recent_operations(amina, 1)[0]
    assert op.name == "merge" and op.actor == "amina" and "bashir.db" in op.summary


def test_merging_twice_changes_nothing(pair):
    amina, bashir_path = pair
    merge_case_file(amina, bashir_path)
    before = record_hashes(amina)
    operations = count(amina, "SELECT count(*) FROM operations")
    again = merge_case_file(amina, bashir_path)
    assert again.total_new == 0 and again.total_updated == 0 and again.operation_id is None
    assert record_hashes(amina) == before
    assert count(amina, "SELECT count(*) FROM operations") == operations


def test_the_other_file_is_never_changed(pair):
    amina, bashir_path = pair
    before = file_sha(bashir_path)
    merge_case_file(amina, bashir_path)
    assert file_sha(bashir_path) == before


def test_dry_run_writes_nothing_and_predicts_the_merge(pair, tmp_path):
    amina, bashir_path = pair
    amina.close()  # checkpoint: the case file is whole in its main file
    path = tmp_path / "amina.db"
    before = file_sha(path)
    result = CliRunner().invoke(cli, ["merge", str(bashir_path), "--db", str(path), "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    predicted = json.loads(result.output)
    assert predicted["dry_run"] is True and predicted["new_total"] > 0
    assert file_sha(path) == before
    assert not Path(str(path) + "-wal").exists() or Path(str(path) + "-wal").stat().st_size == 0
    result = CliRunner().invoke(cli, ["merge", str(bashir_path), "--db", str(path), "--json"])
    done = json.loads(result.output)
    assert done["new"] == predicted["new"] and done["conflicts"] == predicted["conflicts"]
    assert done["anchor_problems"] == predicted["anchor_problems"] == []


def test_undo_takes_the_whole_merge_back(pair):
    amina, bashir_path = pair
    before = record_hashes(amina)
    report = merge_case_file(amina, bashir_path)
    assert report.total_new > 0
    undone = history.undo_last(amina)
    assert undone.id == report.operation_id
    assert record_hashes(amina) == before
    # And the merge can be made again, the same.
    assert merge_case_file(amina, bashir_path).new == report.new


def test_keep_both_brings_namesakes_in_under_a_new_name(pair):
    amina, bashir_path = pair
    report = merge_case_file(amina, bashir_path, match_names="keep-both")
    names = {r["name"] for r in rows(amina, "claim_types")}
    assert "Coercion or threat" in names and "Coercion or threat (from bashir)" in names
    assert count(amina, "SELECT count(*) FROM claim_types") == 21
    # Their hotkeys clash with ours: dropped, said so; ours unchanged.
    assert count(amina, "SELECT count(*) FROM claim_types WHERE name LIKE '% (from bashir)' AND hotkey IS NOT NULL") == 0
    assert any("hotkey" in n for n in report.notes)
    assert all(m.action == "kept both" for m in report.name_matches)
    assert count(amina, "SELECT count(*) FROM claims") == 2


# -- a shared history: changed on both sides ------------------------------------------------------


def _tick() -> None:
    time.sleep(0.003)  # timestamps have millisecond resolution


def test_record_changed_on_both_sides_newer_wins_and_both_are_logged(pair, tmp_path):
    amina, _ = pair
    copy = _copy(amina.path, tmp_path / "bashir-copy.db")  # Bashir continues from a copy of Amina's file
    bashir = CaseFile.open(copy, actor="bashir")
    ids = [r["id"] for r in rows(amina, "excerpts")]
    one_sided, theirs_newer, ours_newer = ids[0], ids[1], ids[2]
    excerpts.set_note(bashir, one_sided, "Bashir: checked against the video")
    _tick()
    excerpts.set_note(bashir, ours_newer, "Bashir: first")
    _tick()
    excerpts.set_note(amina, ours_newer, "Amina: later")
    _tick()
    excerpts.set_note(amina, theirs_newer, "Amina: first")
    _tick()
    excerpts.set_note(bashir, theirs_newer, "Bashir: later")
    codebook.edit_type(bashir, "Official figure", description="A number given by an official body")
    bashir.close()

    report = merge_case_file(amina, copy)

    notes = {r["id"]: r["note"] for r in rows(amina, "excerpts")}
    assert notes[one_sided] == "Bashir: checked against the video"
    assert notes[theirs_newer] == "Bashir: later"
    assert notes[ours_newer] == "Amina: later"
    conflicts = {c.record: c for c in report.conflicts}
    assert set(conflicts) == {theirs_newer, ours_newer}  # the one-sided edits are updates, not conflicts
    assert conflicts[theirs_newer].winner == "theirs" and conflicts[theirs_newer].fields == ("note",)
    assert conflicts[ours_newer].winner == "ours"
    assert report.updated == {"excerpts": 2, "claim_types": 1}
    description = count(amina, "SELECT count(*) FROM claim_types WHERE description = 'A number given by an official body'")
    assert description == 1
    # Both versions of each conflict are in the event log of the merge.
    events = [dict(r) for r in amina.db.conn.execute(
        "SELECT tbl, record_key, action, before, after FROM events WHERE operation_id = ?", (report.operation_id,))]
    update = next(e for e in events if e["tbl"] == "excerpts" and e["record_key"] == theirs_newer)
    assert json.loads(update["before"])["note"] == "Amina: first" and json.loads(update["after"])["note"] == "Bashir: later"
    kept = next(e for e in events if e["tbl"] == "settings" and ours_newer in e["record_key"])
    assert json.loads(json.loads(kept["after"])["value"])["theirs"]["note"] == "Bashir: first"
    # Idempotent with conflicts too.
    again = merge_case_file(amina, copy)
    assert again.total_new == 0 and again.total_updated == 0 and again.operation_id is None


# -- refusals ------------------------------------------------------------------------------------


def _one_line_error(args: list[str]) -> str:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert "Traceback" not in result.output
    return lines[0]


def test_a_file_that_is_not_a_case_file_is_refused(pair, tmp_path):
    amina, _ = pair
    db = str(amina.path)
    text = tmp_path / "notes.db"
    text.write_text("just text\n", encoding="utf-8")
    assert "not an evidence-tui case file" in _one_line_error(["merge", str(text), "--db", db])
    foreign = tmp_path / "other.sqlite"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    assert "another program's database" in _one_line_error(["merge", str(foreign), "--db", db])
    assert "no such case file" in _one_line_error(["merge", str(tmp_path / "missing.db"), "--db", db])
    assert "being merged into" in _one_line_error(["merge", db, "--db", db])


def test_a_newer_case_file_is_refused_and_left_alone(pair, tmp_path):
    amina, bashir_path = pair
    newer = _copy(bashir_path, tmp_path / "newer.db")
    conn = sqlite3.connect(newer)
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    before = file_sha(newer)
    with pytest.raises(CaseFileError, match="newer evidence-tui"):
        merge_case_file(amina, newer)
    assert file_sha(newer) == before
    assert "newer evidence-tui" in _one_line_error(["merge", str(newer), "--db", str(amina.path)])


def test_cli_merge_prints_a_summary(pair):
    amina, bashir_path = pair
    amina.close()
    result = CliRunner().invoke(cli, ["merge", str(bashir_path), "--db", str(amina.path)])
    assert result.exit_code == 0, result.output
    assert "merged: 45 new, 0 updated, 0 conflicts" in result.output, result.output
    assert "new excerpts by author: bashir 10" in result.output
    assert "same sources: 10" in result.output
    assert "same names: 10 claim types, 25 entities, 1 claim of theirs matched ours" in result.output
    result = CliRunner().invoke(cli, ["merge", str(bashir_path), "--db", str(amina.path)])
    assert "nothing new: 0 new, 0 updated" in result.output


def test_anchors_are_checked_after_the_merge(pair, tmp_path):
    amina, bashir_path = pair
    damaged = _copy(bashir_path, tmp_path / "damaged.db")
    conn = sqlite3.connect(damaged)
    bad = conn.execute("SELECT id FROM excerpts ORDER BY id LIMIT 1").fetchone()[0]
    conn.execute('UPDATE excerpts SET start = start + 3, "end" = "end" + 3 WHERE id = ?', (bad,))
    conn.commit()
    conn.close()
    predicted = merge_case_file(amina, damaged, dry_run=True)
    report = merge_case_file(amina, damaged)
    assert [p.record for p in report.anchor_problems] == [f"excerpt {bad[:8]}"]
    assert "--repair re-anchors it" in report.anchor_problems[0].message
    assert predicted.anchor_problems == report.anchor_problems


def test_an_encrypted_or_empty_file_is_refused_with_what_to_do(pair, tmp_path):
    amina, _ = pair
    db = str(amina.path)
    # An encrypted case file is whole pages without SQLite's header (see crypto.file_kind).
    encrypted = tmp_path / "locked.db"
    encrypted.write_bytes(bytes(range(256)) * 16 * 4)
    line = _one_line_error(["merge", str(encrypted), "--db", db])
    assert line == (f"error: {encrypted}: is encrypted (or not a SQLite database); merge reads plain case files: "
                    "decrypt a copy of it ('evidence-tui decrypt --db COPY') and merge the copy")
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    assert _one_line_error(["merge", str(empty), "--db", db]) == f"error: {empty}: not an evidence-tui case file (empty)"
