"""``evidence-tui export``: tagged excerpts with source metadata, for spreadsheets and reports."""

from __future__ import annotations

import io
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from rich.text import Text

from evidence_tui.cli.common import err_console, filter_options, safe, split_filter, with_case
from evidence_tui.domain.filters import ExcerptFilter
from evidence_tui.exporters import ExportOptions, export_excerpts, export_to_file
from evidence_tui.exporters.ftm import export_ftm, export_ftm_to_file
from evidence_tui.store import CaseFile


@click.group()
def export() -> None:
    """Export excerpts (one row each, with source metadata) as CSV or JSON."""


@contextmanager
def _stdout():
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


def _export(case: CaseFile, f: ExcerptFilter, output: Path | None, options: ExportOptions) -> None:
    """Export to the file ``output`` (and say so on stderr) or to standard output (``-`` or none)."""
    if output is None or str(output) == "-":
        export_excerpts(case, f, _stdout, options)
        if case.encrypted:
            err_console.print(Text("note: the export on standard output is plain text, not encrypted like the case file"))
        return
    count = export_to_file(case, f, output, options)
    how = "plain text, not encrypted like the case file" if case.encrypted else "plain text"
    err_console.print(
        Text(f"{count} rows written to ") + safe(str(output)) + Text(f" ({how}, readable by you only)"), soft_wrap=True
    )


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
    options = ExportOptions("csv", one_row_per_type=one_row_per_type, excel=excel, raw=raw)
    _export(case, split_filter(filters), output, options)


@export.command("json")
@filter_options
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: standard output).")
@click.option("--lines", is_flag=True, help="JSON Lines: one object per line.")
@click.option(
    "--format", "format_", type=click.Choice(["rows", "w3c"]), default="rows", show_default=True,
    help="rows: the CSV's columns; w3c: W3C Web Annotations (JSON-LD).",
)
@with_case
def json_(case: CaseFile, output: Path | None, lines: bool, format_: str, **filters) -> None:
    """Export excerpts as JSON (the CSV's columns; claim types, claims and entities as lists).

    With --format w3c each excerpt is a W3C Web Annotation on its source, all in one
    AnnotationCollection (with --lines: one annotation per line): a TextQuoteSelector (exact,
    prefix, suffix) and a TextPositionSelector (start, end), its claim types as tagging bodies,
    its note as a commenting body, its author as creator.

    Example: evidence-tui export json --entity "Anil Madusanka" -o madusanka.json
    """
    _export(case, split_filter(filters), output, ExportOptions("json" if format_ == "rows" else "w3c", lines=lines))


@export.command("ftm")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: standard output).")
@click.option("--with-text", is_flag=True, help="Put each source's whole text in its Document (bodyText).")
@with_case
def ftm(case: CaseFile, output: Path | None, with_text: bool) -> None:
    """Export sources, entities, their evidence and claims as FollowTheMoney entities (JSON Lines).

    Sources are Documents; persons Person, organisations and units Organization, places Address,
    other entities LegalEntity (aliases as alias); each entity linked to an excerpt is a
    Documentation of the excerpt's source (summary: the quote); each claim is a Note with its
    entities and, as proof, the documents that support it. Ids are stable (derived from ours).
    Load it with ftm or Aleph's tools, e.g. `ftm validate -i case.ftm.json`.

    Example: evidence-tui export ftm -o case.ftm.json
    """
    if output is None or str(output) == "-":
        export_ftm(case, _stdout, with_text=with_text)
        if case.encrypted:
            err_console.print(Text("note: the export on standard output is plain text, not encrypted like the case file"))
        return
    count = export_ftm_to_file(case, output, with_text=with_text)
    how = "plain text, not encrypted like the case file" if case.encrypted else "plain text"
    err_console.print(
        Text(f"{count} entities written to ") + safe(str(output)) + Text(f" ({how}, readable by you only)"), soft_wrap=True
    )
