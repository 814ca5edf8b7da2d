"""The case file: SQLite storage, schema migrations and the logged write path."""

from evidence_tui.store.casefile import CaseFile
from evidence_tui.store.crypto import DatabaseError as DatabaseErrors
from evidence_tui.store.crypto import Error as SqliteErrors
from evidence_tui.store.crypto import IntegrityError as IntegrityErrors
from evidence_tui.store.crypto import OperationalError as OperationalErrors
from evidence_tui.store.ids import new_id, short_id, utc_now
from evidence_tui.store.journal import Operation, OperationInfo, operation, undo

# The ``*Errors`` are tuples of the exception classes of both SQLite drivers (the standard
# ``sqlite3`` and SQLCipher's ``sqlcipher3``) for ``except`` clauses: ``except OperationalErrors:``.
__all__ = [
    "CaseFile", "DatabaseErrors", "IntegrityErrors", "Operation", "OperationInfo", "OperationalErrors", "SqliteErrors",
    "new_id", "operation", "short_id", "undo", "utc_now",
]
