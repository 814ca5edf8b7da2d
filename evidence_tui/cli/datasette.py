"""``evidence-tui datasette-metadata``: titles and descriptions for browsing the case file in Datasette."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.text import Text

from evidence_tui.cli.common import err_console, safe, with_case
from evidence_tui.datasette import database_name, write_metadata
from evidence_tui.store import CaseFile


@click.command("datasette-metadata")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: standard output).")
@with_case
def datasette_metadata(case: CaseFile, output: Path | None) -> None:
    """Write Datasette metadata (titles, descriptions, search) for the case file.

    Opening the case file brings its schema up to date (the readable views excerpts_export,
    claims_corroboration, sources_overview and entities_overview). Then, on this computer only:

        datasette case.db --metadata metadata.json

    Example: evidence-tui datasette-metadata --db case.db -o metadata.json
    """
    if output is None or str(output) == "-":
        sys.stdout.write(write_metadata(None, case.path))
        return
    write_metadata(output, case.path)
    err_console.print(
        Text("Datasette metadata for database '") + safe(database_name(case.path)) + Text("' written to ")
        + safe(str(output)) + Text(f"; serve it with: datasette {case.path} --metadata {output}"),
        soft_wrap=True,
    )
