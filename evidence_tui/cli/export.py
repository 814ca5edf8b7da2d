"""``evidence-tui export``: tagged excerpts with source metadata, for spreadsheets and reports."""

from __future__ import annotations

import io
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from rich.text import Text

from evidence_tui.cli.common import err_console, filter_options, safe, split_filter, with_case
from evidence_tui.domain.excerpts import iter_export_rows
from evidence_tui.exporters import open_private, write_csv, write_json
from evidence_tui.store import CaseFile


@click.group()
def export() -> None:
    """Export excerpts (one row each, with source metadata) as CSV or JSON."""


@contextmanager
def _output(path: Path | None):
    if path is None or str(path) == "-":
        # The text layer of stdout would translate newlines on some platforms; CSV wants \r\n exact.
        # A wrapper over stdout's byte buffer (not its file descriptor, which stdout may not have)
        # writes UTF-8 with no translation, after whatever stdout already holds.
        sys.stdout.flush()
        stream = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
        try:
            yield stream
        finally:
            stream.flush()
            stream.detach()  # leave stdout open
    else:
        with open_private(path) as stream:
            yield stream


@export.command("csv")
@filter_options
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: standard output).")
@click.option("--one-row-per-type", is_flag=True, help="One row per excerpt and claim type (easy to pivot).")
@click.option("--excel", is_flag=True, help="Start with a byte-order mark so Excel reads UTF-8.")
@click.option("--raw", is_flag=True, help="Do not neutralise cells that a spreadsheet would run as formulas.")
@with_case
def csv_(case: CaseFile, output: Path | None, one_row_per_type: bool, excel: bool, raw: bool, **filters) -> None:
    """Export excerpts as CSV (RFC 4180, UTF-8).

    Columns: excerpt_id, source_id, source_title, outlet, author, url, published, published_raw,
    quote, context_before, context_after, start, end, claim_types, claims, entities, review_status,
    note, reliability, source_sha256, tagged_at. Lists are joined with "; ".

    Example: evidence-tui export csv --type "Coercion or threat" --status accepted -o coercion.csv
    """
    rows = iter_export_rows(case, split_filter(filters))
    with _output(output) as stream:
        count = write_csv(rows, stream, one_row_per_type=one_row_per_type, excel=excel, raw=raw)
    if output is not None:
        err_console.print(Text(f"{count} rows written to ") + safe(str(output)) + Text(" (plain text, readable by you only)"))


@export.command("json")
@filter_options
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: standard output).")
@click.option("--lines", is_flag=True, help="JSON Lines: one object per line.")
@with_case
def json_(case: CaseFile, output: Path | None, lines: bool, **filters) -> None:
    """Export excerpts as JSON (the CSV's columns; claim types, claims and entities as lists).

    Example: evidence-tui export json --entity "Anil Madusanka" -o madusanka.json
    """
    rows = iter_export_rows(case, split_filter(filters))
    with _output(output) as stream:
        count = write_json(rows, stream, lines=lines)
    if output is not None:
        err_console.print(Text(f"{count} rows written to ") + safe(str(output)) + Text(" (plain text, readable by you only)"))
