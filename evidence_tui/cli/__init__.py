"""The command line: a thin click layer over the domain functions, for people and scripts.

``evidence-tui`` with no command opens the app; every command takes ``--db`` and most ``--json``.
"""

from __future__ import annotations

import sys

import click
from rich.text import Text

from evidence_tui.cli.claims import claim
from evidence_tui.cli.codebook import codebook
from evidence_tui.cli.crypto import decrypt, encrypt, rekey
from evidence_tui.cli.datasette import datasette_metadata
from evidence_tui.cli.common import EvidenceGroup, db_option, err_console, is_debug
from evidence_tui.cli.entities import entity
from evidence_tui.cli.excerpts import excerpt
from evidence_tui.cli.export import export
from evidence_tui.cli.maintenance import backup, check, restore
from evidence_tui.cli.merge import merge
from evidence_tui.cli.bundle import bundle
from evidence_tui.cli.misc import log, open_, search, stats, undo
from evidence_tui.cli.refi import import_qdc, import_qdpx, qdc, qdpx
from evidence_tui.cli.review import review
from evidence_tui.cli.sources import import_, init, show, source_group, sources
from evidence_tui.textsafety import inert_line


@click.group(cls=EvidenceGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="evidence-tui")
@db_option
@click.pass_context
def cli(ctx: click.Context, db_path) -> None:
    """Organise evidence offline: import articles, mark and tag excerpts, link claims and
    entities, review, search and export. Everything lives in one SQLite case file.

    With no command, opens the app on the case file.
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(open_, db_path=db_path)


for command in (init, import_, sources, show, source_group, codebook, excerpt, claim, entity, search, export, stats, undo, log, open_):
    cli.add_command(command)
for command in (check, backup, restore):  # evidence_tui/cli/maintenance.py
    cli.add_command(command)
cli.add_command(review)  # evidence_tui/cli/review.py
cli.add_command(datasette_metadata)  # evidence_tui/cli/datasette.py
for command in (merge, bundle):  # evidence_tui/cli/merge.py, evidence_tui/cli/bundle.py
    cli.add_command(command)
for command in (encrypt, decrypt, rekey):  # evidence_tui/cli/crypto.py
    cli.add_command(command)
for command in (import_qdc, import_qdpx):  # evidence_tui/cli/refi.py (REFI-QDA)
    cli.add_command(command)
for command in (qdc, qdpx):  # export qdc / export qdpx
    export.add_command(command)


def main() -> None:
    """Entry point of the ``evidence-tui`` script: unexpected errors get one line, not a traceback."""
    try:
        cli.main(prog_name="evidence-tui")
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as error:  # a bug: say so in one line (EVIDENCE_DEBUG=1 shows the traceback)
        if is_debug():
            raise
        err_console.print(
            Text(f"evidence-tui: internal error ({type(error).__name__}: {inert_line(str(error))}); "
                 "set EVIDENCE_DEBUG=1 for details"),
            soft_wrap=True,
        )
        sys.exit(70)
