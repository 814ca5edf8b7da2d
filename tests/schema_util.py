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


def undo_later_indexes(conn: sqlite3.Connection) -> None:
    """Take out the indexes schemas 8 and 10 made (and put back the one 8 replaced), as a
    version 7 file has them."""
    conn.execute("DROP INDEX excerpts_source_span")
    conn.execute("CREATE INDEX excerpts_source ON excerpts(source_id, start)")
    conn.execute("DROP INDEX reviews_reviewer_time")
