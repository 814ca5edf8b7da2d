"""Naming records the way people do: a short id prefix (as git does) or an exact title/name."""

from __future__ import annotations

import re

from evidence_tui.errors import Ambiguous, NotFound
from evidence_tui.store import CaseFile

_HEX = re.compile(r"^[0-9a-f]{4,32}$")
MIN_PREFIX = 4

_ASCII_FOLD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def nocase(value: str | None) -> str:
    """``value`` as SQLite's NOCASE compares it (ASCII letters folded, nothing else): to sort or
    match names in Python exactly as the schema's NOCASE columns and constraints do."""
    return (value or "").translate(_ASCII_FOLD)


def resolve_id(case: CaseFile, table: str, ref: str, *, name_column: str, what: str) -> str:
    """Return the id of the one row of ``table`` that ``ref`` names.

    ``ref`` is an id, an id prefix of at least four hex digits, or the exact value of
    ``name_column`` (case-insensitive). Raises ``NotFound`` or ``Ambiguous`` with a message that
    says what was looked for.
    """
    ref = ref.strip()
    if not ref:
        raise NotFound(f"no {what} given")
    conn = case.db.conn
    lowered = ref.lower()
    if _HEX.match(lowered):
        # Range scan on the primary key index: prefix <= id < prefix + 'g'.
        rows = conn.execute(
            f"SELECT id FROM {table} WHERE id >= ? AND id < ? LIMIT 2", (lowered, lowered + "g")
        ).fetchall()
        if len(rows) == 1:
            return rows[0][0]
        if len(rows) > 1:
            raise Ambiguous(f"{what} id '{ref}' is ambiguous; give more digits")
    rows = conn.execute(
        f"SELECT id FROM {table} WHERE {name_column} = ? COLLATE NOCASE LIMIT 2", (ref,)
    ).fetchall()
    if len(rows) == 1:
        return rows[0][0]
    if len(rows) > 1:
        raise Ambiguous(f"more than one {what} is called '{ref}'; use its id")
    raise NotFound(f"no {what} '{ref}' (give {MIN_PREFIX} or more characters of its id, or the exact {name_column})")
