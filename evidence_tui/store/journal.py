"""Writes that leave a trace: every domain change goes through an ``Operation``.

An operation is one write transaction plus one row in ``operations`` and one row in ``events`` per
record it inserted, updated or deleted (with the row before and after, as JSON). The log is the
audit trail and the base of undo: undoing an operation applies the inverse of its events, in
reverse order, as a new operation that names the one it undoes. Nothing in the log is rewritten.
"""

from __future__ import annotations

import base64
import json
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from evidence_tui.store.casefile import CaseFile
from evidence_tui.store.ids import new_id, utc_now
from evidence_tui.store.schema import PRIMARY_KEYS

# Large columns left out of the "after" image of an insert: undoing an insert only needs its key,
# and the audit trail keeps the hashes. (Deletes and updates keep whole rows, so they can be undone.)
_OMITTED_ON_INSERT = {"sources": {"text"}, "source_originals": {"data"}}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _encode(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"$base64": base64.b64encode(value).decode("ascii")}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"$base64"}:
        return base64.b64decode(value["$base64"])
    return value


# json.dumps(..., ensure_ascii=False) builds an encoder per call; one kept is the same output.
_ENCODER = json.JSONEncoder(ensure_ascii=False)


def _dump(row: Mapping[str, Any] | None, omit: set[str] = frozenset()) -> str | None:
    if row is None:
        return None
    return _ENCODER.encode({k: _encode(v) for k, v in row.items() if k not in omit})


def _load(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    return {k: _decode(v) for k, v in json.loads(text).items()}


@dataclass(frozen=True)
class OperationInfo:
    """An operation as the log shows it."""

    id: str
    at: str
    actor: str
    name: str
    summary: str


class Operation:
    """One domain operation in progress: logged inserts, updates and deletes in one transaction."""

    def __init__(self, conn: sqlite3.Connection, name: str, actor: str, undoes: str | None = None):
        self.conn = conn
        self.id = new_id()
        self.at = utc_now()
        self.name = name
        self.actor = actor
        self.undoes = undoes
        self.summary = ""
        self.changed = 0

    # -- the three kinds of change -----------------------------------------------------------

    def insert(self, table: str, row: Mapping[str, Any]) -> dict[str, Any]:
        """Insert ``row`` into ``table`` and log it; returns the row."""
        row = dict(row)
        columns = ", ".join(_quote(c) for c in row)
        marks = ", ".join("?" for _ in row)
        self.conn.execute(
            f"INSERT INTO {_quote(table)} ({columns}) VALUES ({marks})", list(row.values())
        )
        self._log(table, self._key_of(table, row), "insert", None, row)
        return row

    def insert_many(self, table: str, rows: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Insert rows that share their columns with one statement; each is logged as its own event.

        The bulk form of ``insert`` (an import stores hundreds of sources per transaction): the
        same rows and the same events, without a round trip per row.
        """
        rows = [dict(row) for row in rows]
        if not rows:
            return rows
        columns = list(rows[0])
        names = ", ".join(_quote(c) for c in columns)
        marks = ", ".join("?" for _ in columns)
        self.conn.executemany(
            f"INSERT INTO {_quote(table)} ({names}) VALUES ({marks})", [[row[c] for c in columns] for row in rows]
        )
        self._log_many(table, [(self._key_of(table, row), "insert", None, row) for row in rows])
        return rows

    def update(self, table: str, key: Mapping[str, Any] | str, changes: Mapping[str, Any]) -> dict[str, Any] | None:
        """Change columns of one row and log before/after; returns the new row (None if absent)."""
        key = self._normalise_key(table, key)
        before = self.fetch(table, key)
        if before is None:
            return None
        changes = {k: v for k, v in changes.items() if before.get(k) != v}
        if not changes:
            return before
        sets = ", ".join(f"{_quote(c)} = ?" for c in changes)
        where, params = self._where(key)
        self.conn.execute(
            f"UPDATE {_quote(table)} SET {sets} WHERE {where}", [*changes.values(), *params]
        )
        after = {**before, **changes}
        self._log(table, key, "update", before, after)
        return after

    def delete(self, table: str, key: Mapping[str, Any] | str) -> dict[str, Any] | None:
        """Delete one row and log its whole content (so undo can restore it); returns it."""
        key = self._normalise_key(table, key)
        before = self.fetch(table, key)
        if before is None:
            return None
        where, params = self._where(key)
        self.conn.execute(f"DELETE FROM {_quote(table)} WHERE {where}", params)
        self._log(table, key, "delete", before, None)
        return before

    def fetch(self, table: str, key: Mapping[str, Any] | str) -> dict[str, Any] | None:
        """Return one row of ``table`` as a dict, or None."""
        key = self._normalise_key(table, key)
        where, params = self._where(key)
        row = self.conn.execute(f"SELECT * FROM {_quote(table)} WHERE {where}", params).fetchone()
        return dict(row) if row is not None else None

    # -- internals ----------------------------------------------------------------------------

    @staticmethod
    def _key_of(table: str, row: Mapping[str, Any]) -> dict[str, Any]:
        return {column: row[column] for column in PRIMARY_KEYS[table]}

    @staticmethod
    def _normalise_key(table: str, key: Mapping[str, Any] | str) -> dict[str, Any]:
        if isinstance(key, str):
            (column,) = PRIMARY_KEYS[table]
            return {column: key}
        return {column: key[column] for column in PRIMARY_KEYS[table]}

    @staticmethod
    def _where(key: Mapping[str, Any]) -> tuple[str, list[Any]]:
        return " AND ".join(f"{_quote(c)} = ?" for c in key), list(key.values())

    def _log(self, table: str, key: Mapping[str, Any], action: str, before, after) -> None:
        self._log_many(table, [(key, action, before, after)])

    def _log_many(self, table: str, changes: list[tuple[Mapping[str, Any], str, Any, Any]]) -> None:
        """Log ``(key, action, before, after)`` changes of ``table``, one event each, in order."""
        if not changes:
            return
        if self.changed == 0:
            # The operation row is written with its first event: a call that changes nothing
            # leaves nothing in the log.
            self.conn.execute(
                "INSERT INTO operations (id, at, actor, name, summary, undoes) VALUES (?, ?, ?, ?, ?, ?)",
                (self.id, self.at, self.actor, self.name, self.summary, self.undoes),
            )
        self.changed += len(changes)
        events = []
        for key, action, before, after in changes:
            record_key = (
                str(next(iter(key.values()))) if len(key) == 1 else json.dumps(list(key.values()), ensure_ascii=False)
            )
            omit = _OMITTED_ON_INSERT.get(table, set()) if action == "insert" else set()
            events.append((self.id, table, record_key, action, _dump(before), _dump(after, omit)))
        self.conn.executemany(
            "INSERT INTO events (operation_id, tbl, record_key, action, before, after) VALUES (?, ?, ?, ?, ?, ?)",
            events,
        )

    def finish(self) -> None:
        """Store the summary set during the operation (called on commit)."""
        if self.changed and self.summary:
            self.conn.execute("UPDATE operations SET summary = ? WHERE id = ?", (self.summary, self.id))


# Below this many rows the per-row trigger is as quick as indexing the batch in one statement.
BULK_INDEX_MIN_ROWS = 50


@contextmanager
def bulk_source_index(conn: sqlite3.Connection, rows: int) -> Iterator[None]:
    """Index the sources inserted in the block in one FTS statement instead of one trigger call each.

    Inside the caller's transaction: the insert trigger is dropped, the new rows are indexed
    together, and the trigger is recreated from its own stored DDL. Other connections never see the
    trigger missing (they read the last commit); on an error the rollback restores it.
    """
    row = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'sources_fts_ai'").fetchone()
    if rows < BULK_INDEX_MIN_ROWS or row is None or not conn.in_transaction:
        yield
        return
    trigger_sql = row[0]
    last = conn.execute("SELECT coalesce(max(rowid), 0) FROM sources").fetchone()[0]
    conn.execute("DROP TRIGGER sources_fts_ai")
    yield
    conn.execute(
        "INSERT INTO sources_fts(rowid, title, text) SELECT rowid, title, text FROM sources WHERE rowid > ?", (last,)
    )
    conn.execute(trigger_sql)


@contextmanager
def operation(case: CaseFile, name: str, actor: str, *, undoes: str | None = None) -> Iterator[Operation]:
    """Run a domain operation: one transaction, logged; commits at the end of the block."""
    with case.write() as conn:
        op = Operation(conn, name, actor, undoes)
        yield op
        op.finish()


def last_undoable(case: CaseFile, actor: str | None = None) -> OperationInfo | None:
    """Return the newest operation not yet undone (by ``actor`` when given), or None."""
    sql = """
        SELECT id, at, actor, name, summary FROM operations AS o
        WHERE o.undoes IS NULL
          AND NOT EXISTS (SELECT 1 FROM operations AS u WHERE u.undoes = o.id)
          {actor}
        ORDER BY o.seq DESC LIMIT 1
    """.format(actor="AND o.actor = ?" if actor else "")
    row = case.db.conn.execute(sql, [actor] if actor else []).fetchone()
    return OperationInfo(**dict(row)) if row else None


def undo(case: CaseFile, actor: str, *, only_actor: bool = False) -> OperationInfo | None:
    """Undo the newest operation not yet undone; returns it, or None when there is nothing to undo."""
    with case.write() as conn:
        target = last_undoable(case, actor if only_actor else None)
        if target is None:
            return None
        op = Operation(conn, "undo", actor, undoes=target.id)
        op.summary = f"undo: {target.summary or target.name}"
        events = conn.execute(
            "SELECT tbl, record_key, action, before, after FROM events WHERE operation_id = ? ORDER BY seq DESC",
            (target.id,),
        ).fetchall()
        for event in events:
            table, before, after = event["tbl"], _load(event["before"]), _load(event["after"])
            if event["action"] == "insert":
                op.delete(table, Operation._key_of(table, after))
            elif event["action"] == "delete":
                op.insert(table, before)
            else:
                op.update(table, Operation._key_of(table, before), before)
        op.finish()
        return target
