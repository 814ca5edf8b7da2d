"""Undo and the audit trail, over the append-only event log."""

from __future__ import annotations

from evidence_tui.store import CaseFile, OperationInfo
from evidence_tui.store import journal


def undo_last(case: CaseFile, *, only_mine: bool = False) -> OperationInfo | None:
    """Undo the newest change not yet undone (only this actor's with ``only_mine``); None if none."""
    return journal.undo(case, case.actor, only_actor=only_mine)


def recent_operations(case: CaseFile, limit: int = 50) -> list[OperationInfo]:
    """Return the newest operations in the log, newest first."""
    rows = case.db.conn.execute(
        "SELECT id, at, actor, name, summary FROM operations ORDER BY seq DESC LIMIT ?", (limit,)
    ).fetchall()
    return [OperationInfo(**dict(r)) for r in rows]
