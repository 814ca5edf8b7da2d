"""CSV export: one row per excerpt (or per excerpt and claim type), streamed, spreadsheet-safe.

RFC 4180 quoting, UTF-8 (with a BOM for Excel when asked). Cells that a spreadsheet would run as
a formula are neutralised as OWASP recommends: a leading ``'`` before ``= + - @``, tab or CR.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import TextIO

from evidence_tui.domain.excerpts import EXPORT_COLUMNS

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
LIST_SEPARATOR = "; "


def neutralise(value: object) -> object:
    """Return a cell value that a spreadsheet will show as text, never run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def cell(value: object) -> object:
    """Return a row value as a CSV cell: lists joined with "; ", None as empty."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return LIST_SEPARATOR.join(str(v) for v in value)
    return value


def explode_types(rows: Iterable[dict]) -> Iterator[dict]:
    """Yield one row per claim type of each excerpt (an untagged excerpt keeps one empty row)."""
    for row in rows:
        types = row.get("claim_types") or []
        if isinstance(types, str):
            types = [types]
        for claim_type in types or [""]:
            yield {**row, "claim_types": claim_type}


def write_csv(
    rows: Iterable[dict],
    out: TextIO,
    *,
    columns: tuple[str, ...] = EXPORT_COLUMNS,
    one_row_per_type: bool = False,
    excel: bool = False,
    raw: bool = False,
) -> int:
    """Write rows as CSV to ``out`` (opened with ``newline=''``); returns the number of data rows."""
    if excel:
        out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    header = [("claim_type" if c == "claim_types" and one_row_per_type else c) for c in columns]
    writer.writerow(header)
    count = 0
    source = explode_types(rows) if one_row_per_type else rows
    for row in source:
        values = [cell(row.get(c)) for c in columns]
        writer.writerow(values if raw else [neutralise(v) for v in values])
        count += 1
    return count
