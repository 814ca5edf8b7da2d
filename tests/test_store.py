"""The case file: creation, permissions, WAL, refusal of foreign files, migrations, the log."""

from __future__ import annotations

import os
import sqlite3
import stat

import pytest

from evidence_tui.errors import CaseFileError
from evidence_tui.store import CaseFile, new_id, operation, short_id, undo, utc_now
from evidence_tui.store.schema import APPLICATION_ID, SCHEMA_VERSION


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_new_case_file_is_private_wal_and_versioned(tmp_path):
    path = tmp_path / "new.db"
    case = CaseFile.open(path)
    with operation(case, "test", "me") as op:
        op.insert("settings", {"key": "k", "value": "v"})
    assert mode(path) == 0o600
    assert mode(str(path) + "-wal") == 0o600
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    case.close()


def test_foreign_keys_and_busy_timeout_are_on(case):
    conn = case.db.conn
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000


def test_not_sqlite_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database\n")
    before = path.read_bytes()
    with pytest.raises(CaseFileError, match="not an evidence-tui case file"):
        CaseFile.open(path)
    assert path.read_bytes() == before
    assert not (tmp_path / "notes.db-wal").exists()


def test_other_programs_database_is_refused(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE customers (id INTEGER)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(CaseFileError, match="not an evidence-tui case file"):
        CaseFile.open(path)
    assert path.read_bytes() == before


def test_newer_schema_is_refused_untouched(tmp_path):
    path = tmp_path / "future.db"
    CaseFile.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(CaseFileError, match="newer evidence-tui"):
        CaseFile.open(path)
    assert path.read_bytes() == before


def test_missing_file_without_create(tmp_path):
    with pytest.raises(CaseFileError, match="no such case file"):
        CaseFile.open(tmp_path / "absent.db", create=False)


def test_folder_is_refused(tmp_path):
    with pytest.raises(CaseFileError, match="is a folder"):
        CaseFile.open(tmp_path)


def test_reopening_keeps_data_and_version(tmp_path):
    path = tmp_path / "case.db"
    case = CaseFile.open(path)
    with operation(case, "test", "me") as op:
        op.insert("settings", {"key": "k", "value": "v"})
    case.close()
    again = CaseFile.open(path)
    assert again.db.conn.execute("SELECT value FROM settings WHERE key = 'k'").fetchone()[0] == "v"
    again.close()


def test_ids_are_unique_hex_and_short_ids_are_prefixes():
    ids = {new_id() for _ in range(1000)}
    assert len(ids) == 1000
    some = next(iter(ids))
    assert len(some) == 32 and int(some, 16) >= 0
    assert short_id(some) == some[:8]
    assert utc_now().endswith("Z")


def test_failed_operation_leaves_nothing(case):
    with pytest.raises(RuntimeError):
        with operation(case, "test", "me") as op:
            op.insert("settings", {"key": "a", "value": "1"})
            raise RuntimeError("boom")
    conn = case.db.conn
    assert conn.execute("SELECT count(*) FROM settings").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM operations").fetchone()[0] == 0


def test_every_change_is_logged_and_undo_restores(case):
    with operation(case, "add", "me") as op:
        op.insert("settings", {"key": "a", "value": "1"})
    with operation(case, "change", "me") as op:
        op.update("settings", {"key": "a"}, {"value": "2"})
    conn = case.db.conn
    events = conn.execute("SELECT action, before, after FROM events ORDER BY seq").fetchall()
    assert [e["action"] for e in events] == ["insert", "update"]
    assert '"2"' in events[1]["after"] and '"1"' in events[1]["before"]
    undone = undo(case, "me")
    assert undone.name == "change"
    assert conn.execute("SELECT value FROM settings").fetchone()[0] == "1"
    undo(case, "me")
    assert conn.execute("SELECT count(*) FROM settings").fetchone()[0] == 0
    assert undo(case, "me") is None
    # The log only grows: two operations and two undos.
    assert conn.execute("SELECT count(*) FROM operations").fetchone()[0] == 4


def test_undo_restores_deleted_blobs(case):
    with operation(case, "add", "me") as op:
        op.insert("settings", {"key": "b", "value": "x"})
    with operation(case, "delete", "me") as op:
        op.delete("settings", {"key": "b"})
    undo(case, "me")
    assert case.db.conn.execute("SELECT value FROM settings WHERE key = 'b'").fetchone()[0] == "x"


def test_each_thread_gets_its_own_connection(case):
    import threading

    seen = []
    thread = threading.Thread(target=lambda: seen.append(case.db.conn))
    thread.start()
    thread.join()
    assert seen[0] is not case.db.conn


def test_connections_of_finished_threads_are_forgotten(case):
    """A thread that ended leaves no connection in the case file's list (the collector closes it)."""
    import threading

    case.db.conn.execute("SELECT 1")
    for _ in range(20):
        worker = threading.Thread(target=lambda: case.db.conn.execute("SELECT count(*) FROM sources").fetchone())
        worker.start()
        worker.join()
    case.db.conn.execute("SELECT 1")
    worker = threading.Thread(target=lambda: case.db.conn.execute("SELECT 1").fetchone())
    worker.start()
    worker.join()  # its connection pruned the 20 before it
    assert len(case._connections) == 2  # the main thread's and the last worker's


def test_the_sources_search_index_merges_at_sixteen_segments(tmp_path):
    # Schema 7: import batches write a segment each; merging every 4 re-merged a fifth of an
    # import's time (see schema._v7_source_index_merges). The excerpts' index keeps the default.
    from evidence_tui.store.schema import SOURCES_FTS_AUTOMERGE

    case = CaseFile.open(tmp_path / "case.db", actor="tester")
    try:
        conn = case.db.conn
        assert SOURCES_FTS_AUTOMERGE == 16
        assert conn.execute("SELECT v FROM sources_fts_config WHERE k = 'automerge'").fetchone()[0] == 16
        assert conn.execute("SELECT v FROM excerpts_fts_config WHERE k = 'automerge'").fetchone() is None
    finally:
        case.close()


def test_a_sources_excerpts_are_read_in_text_order_without_a_sort(tmp_path):
    # Schema 8: the index holds start and end, so the exports' and the reader's "ORDER BY start,
    # end" walks it; with end missing SQLite sorted each source's rows again (schema._v8_...).
    from evidence_tui.domain.excerpts import EXPORT_PART_SQL

    case = CaseFile.open(tmp_path / "case.db", actor="tester")
    try:
        conn = case.db.conn
        indexes = {row[1]: [c[2] for c in conn.execute(f"PRAGMA index_info({row[1]})")]
                   for row in conn.execute("PRAGMA index_list(excerpts)")}
        assert indexes["excerpts_source_span"] == ["source_id", "start", "end"]
        assert "excerpts_source" not in indexes
        for sql, params in ((EXPORT_PART_SQL.format(where="1"), (0, 10)),
                            ('SELECT id FROM excerpts WHERE source_id = ? ORDER BY start, "end"', ("s",))):
            plan = " / ".join(row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params))
            assert "excerpts_source_span" in plan and "TEMP B-TREE" not in plan, plan
    finally:
        case.close()


def test_a_reviewers_session_counts_read_only_the_session(tmp_path):
    # Schema 10: the Review screen counts a reviewer's decisions since the session began after
    # each decision; the index keeps that from reading every decision they ever made.
    from evidence_tui.domain import review

    case = CaseFile.open(tmp_path / "case.db", actor="tester")
    try:
        conn = case.db.conn
        assert [c[2] for c in conn.execute("PRAGMA index_info(reviews_reviewer_time)")] == ["reviewer", "decided_at"]
        plan = " / ".join(r[3] for r in conn.execute(
            "EXPLAIN QUERY PLAN SELECT decision, count(*) FROM reviews WHERE reviewer = ? AND decided_at >= ? "
            "GROUP BY decision", ("tester", "2024")))
        assert "reviews_reviewer_time (reviewer=? AND decided_at>?)" in plan, plan
        assert review.session_counts(case, "tester", "2024") == {d: 0 for d in review.DECISIONS}
    finally:
        case.close()
