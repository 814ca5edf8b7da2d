"""The case file: SQLite storage, schema migrations and the logged write path."""

from evidence_tui.store.casefile import CaseFile
from evidence_tui.store.ids import new_id, short_id, utc_now
from evidence_tui.store.journal import Operation, OperationInfo, operation, undo

__all__ = ["CaseFile", "Operation", "OperationInfo", "new_id", "operation", "short_id", "undo", "utc_now"]
