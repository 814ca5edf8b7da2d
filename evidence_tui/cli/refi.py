"""REFI-QDA on the command line: ``export qdc|qdpx`` and ``import-qdc`` / ``import-qdpx``."""

from __future__ import annotations

from pathlib import Path

import click
from rich.text import Text

from evidence_tui.cli.common import console, err_console, json_option, print_json, safe, with_case
from evidence_tui.exporters import refi as refi_export
from evidence_tui.importers import refi as refi_import
from evidence_tui.store import CaseFile

_OUTPUT = click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (replaced if it exists; readable by you only).",
)


def _left_out(unmapped: dict[str, int], what: str) -> None:
    """One line on stderr listing what REFI-QDA (or the case file) has no place for."""
    if unmapped:
        listed = ", ".join(f"{count} {name}" for name, count in unmapped.items())
        err_console.print(Text(f"not {what} (no place for it): ") + safe(listed), soft_wrap=True)


def _plain(case: CaseFile) -> str:
    return "plain text, not encrypted like the case file" if case.encrypted else "plain text"


@click.command("qdc")
@_OUTPUT
@with_case
def qdc(case: CaseFile, output: Path) -> None:
    """Export the codebook as a REFI-QDA codebook (.qdc) for ATLAS.ti, MAXQDA, NVivo, QualCoder...

    Each claim type is a code with its name, colour and description.

    Example: evidence-tui export qdc -o codebook.qdc
    """
    report = refi_export.export_qdc(case, output)
    err_console.print(
        Text(f"{report.codes} codes written to ") + safe(str(report.path)) + Text(f" ({_plain(case)}, readable by you only)"),
        soft_wrap=True,
    )


@click.command("qdpx")
@_OUTPUT
@with_case
def qdpx(case: CaseFile, output: Path) -> None:
    """Export the whole case as a REFI-QDA project (.qdpx) for other QDA software.

    Sources as plain text, excerpts as text selections coded with their claim types, notes as
    memos, excerpt authors as users. Entities, claims, review decisions and grades have no place
    in REFI-QDA: what is left out is listed on stderr.

    Example: evidence-tui export qdpx -o case.qdpx
    """
    report = refi_export.export_qdpx(case, output)
    for warning in report.warnings:
        err_console.print(Text("warning: ") + safe(warning), soft_wrap=True)
    _left_out(report.unmapped, "exported")
    err_console.print(
        Text(f"{report.sources} sources, {report.selections} selections ({report.codings} codings), "
             f"{report.codes} codes, {report.notes} memos, {report.users} users written to ")
        + safe(str(report.path)) + Text(f" ({_plain(case)}, readable by you only)"),
        soft_wrap=True,
    )


@click.command("import-qdc")
@click.argument("file", type=click.Path(path_type=Path))
@json_option
@with_case
def import_qdc(case: CaseFile, file: Path, as_json: bool) -> None:
    """Merge a REFI-QDA codebook (.qdc) into the codebook: codes become claim types, matched by name.

    Example: evidence-tui import-qdc shared-codebook.qdc
    """
    report = refi_import.import_qdc(case, file)
    if as_json:
        print_json(report.as_dict())
        return
    console.print(Text(f"{report.types_added} claim types added, {report.types_matched} already in the codebook "
                       "(matched by name) from ") + safe(str(file)), soft_wrap=True)


@click.command("import-qdpx")
@click.argument("file", type=click.Path(path_type=Path))
@json_option
@with_case
def import_qdpx(case: CaseFile, file: Path, as_json: bool) -> None:
    """Import a REFI-QDA project (.qdpx): text sources, selections as excerpts with their codes
    as claim types, memos as notes.

    A source whose text is already in the case file is that source; a selection with the span
    of an existing excerpt is that excerpt; codes match claim types by name. So importing the
    same file twice changes nothing. The file is checked whole first, and stored as one change
    ('evidence-tui undo' reverts it).

    Example: evidence-tui import-qdpx from-maxqda.qdpx
    """
    report = refi_import.import_qdpx(case, file)
    if as_json:
        print_json(report.as_dict())
        return
    for warning in report.warnings:
        err_console.print(Text("warning: ") + safe(warning), soft_wrap=True)
    _left_out(report.unmapped, "imported")
    console.print(
        Text(f"{report.sources_added} sources added ({report.sources_matched} already in the case file), "
             f"{report.excerpts_added} excerpts added ({report.excerpts_matched} already there), "
             f"{report.tags_added} tags, {report.types_added} new claim types "
             f"({report.types_matched} matched by name), {report.notes_added} notes from ") + safe(str(file)),
        soft_wrap=True,
    )
