"""JSON export: the same rows as the CSV, as a JSON array (streamed) or JSON Lines."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TextIO

_LIST_COLUMNS = ("claim_types", "claims", "entities")


def _as_list(value: object) -> list:
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _structured(row: dict) -> dict:
    # In JSON, lists are lists (never split on "; ": a claim statement may contain one).
    return {k: _as_list(v) if k in _LIST_COLUMNS else v for k, v in row.items()}


def write_json(rows: Iterable[dict], out: TextIO, *, lines: bool = False) -> int:
    """Write rows as a JSON array (or JSON Lines); returns the number of rows. Memory stays flat."""
    count = 0
    if lines:
        for row in rows:
            out.write(json.dumps(_structured(row), ensure_ascii=False) + "\n")
            count += 1
        return count
    out.write("[")
    for row in rows:
        out.write(",\n  " if count else "\n  ")
        out.write(json.dumps(_structured(row), ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count
