"""Exporting excerpts, as ``evidence-tui export`` and the app's export dialog both do.

One function for both, so the CLI and the TUI write the same bytes for the same filter and
options. The filter is checked and resolved before the output is opened: a bad date or a name
that matches nothing never truncates an existing file.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from evidence_tui.domain.excerpts import iter_export_rows, plan_export
from evidence_tui.domain.filters import ExcerptFilter
from evidence_tui.errors import EvidenceError, Invalid
from evidence_tui.exporters.csv_export import write_csv, write_csv_columns
from evidence_tui.exporters.json_export import write_json
from evidence_tui.exporters.output import open_private
from evidence_tui.exporters.w3c import write_w3c
from evidence_tui.store import CaseFile

FORMATS = ("csv", "json", "w3c")  # w3c: JSON-LD Web Annotations (exporters/w3c.py)


@dataclass(frozen=True)
class ExportOptions:
    """How to write the rows: ``format`` csv, json or w3c; the others as the CLI's flags."""

    format: str = "csv"
    lines: bool = False  # JSON Lines (json and w3c)
    one_row_per_type: bool = False  # csv only
    excel: bool = False  # csv only: a byte-order mark first
    raw: bool = False  # csv only: leave cells a spreadsheet would run as formulas alone

    @property
    def suffix(self) -> str:
        """The file name suffix for this format (``.csv``, ``.json``, ``.jsonl`` or ``.jsonld``)."""
        if self.format in ("json", "w3c") and self.lines:
            return ".jsonl"
        return ".jsonld" if self.format == "w3c" else f".{self.format}"


def export_excerpts(
    case: CaseFile,
    f: ExcerptFilter,
    open_output: Callable[[], AbstractContextManager[TextIO]],
    options: ExportOptions = ExportOptions(),
) -> int:
    """Write the excerpts matching ``f`` to the stream ``open_output()`` gives; return the row count.

    ``open_output`` is called only once the filter is known to be good.
    """
    if options.format not in FORMATS:
        raise Invalid(f"unknown export format '{options.format}' (one of {', '.join(FORMATS)})")
    if options.format == "csv" and not options.one_row_per_type:
        # The column path (same bytes as write_csv, several times faster); resolves the filter now.
        plan = plan_export(case, f)
        with open_output() as stream:
            return write_csv_columns(case, plan, stream, excel=options.excel, raw=options.raw)
    rows = iter_export_rows(case, f)  # resolves the filter's names now (NotFound before any output)
    with open_output() as stream:
        if options.format == "csv":
            return write_csv(rows, stream, one_row_per_type=options.one_row_per_type, excel=options.excel, raw=options.raw)
        if options.format == "w3c":
            return write_w3c(rows, stream, conn=case.db.conn, lines=options.lines)
        return write_json(rows, stream, lines=options.lines)


def export_to_file(case: CaseFile, f: ExcerptFilter, path: str | Path, options: ExportOptions = ExportOptions()) -> int:
    """Export to the file ``path`` (created 0600, replaced if it exists); return the row count.

    Any problem writing it (no such folder, a folder of that name, a full disk) is an
    ``EvidenceError`` naming the file.
    """
    path = Path(path)
    if path.is_dir():
        raise EvidenceError(f"{path}: is a folder; give the export a file name")
    try:
        return export_excerpts(case, f, lambda: open_private(path), options)
    except OSError as error:
        raise EvidenceError(f"{path}: cannot write the export ({(error.strerror or str(error)).lower()})") from None
