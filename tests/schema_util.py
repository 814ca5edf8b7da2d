"""Helpers for tests that take a case file back to an older schema by hand."""

from __future__ import annotations

import sqlite3


def drop_excerpt_links(conn: sqlite3.Connection) -> None:
    """Remove what schema 6 added (``excerpt_links`` and its triggers), as a version 5 file lacks it."""
    for (trigger,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_links_a_'"
    ).fetchall():
        conn.execute(f"DROP TRIGGER {trigger}")
    conn.execute("DROP TABLE excerpt_links")


def undo_span_index(conn: sqlite3.Connection) -> None:
    """Put back the index on excerpts that schema 8 replaced, as a version 7 file has it."""
    conn.execute("DROP INDEX excerpts_source_span")
    conn.execute("CREATE INDEX excerpts_source ON excerpts(source_id, start)")
