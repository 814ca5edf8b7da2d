"""What every command shares: the --db and --json options, the console, and the error policy."""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.text import Text

from evidence_tui.config import default_db_path, reviewer_name
from evidence_tui.domain.filters import ExcerptFilter
from evidence_tui.errors import EvidenceError
from evidence_tui.store import CaseFile
from evidence_tui.textsafety import inert, inert_line

console = Console(highlight=False)
# Messages on stderr are one line each, however long the path in them: no wrapping at the width.
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


class EvidenceGroup(click.Group):
    """A click group that turns ``EvidenceError`` into one line on stderr and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except EvidenceError as error:
            # soft_wrap: one line, however long the path in it (Rich would wrap at the width).
            err_console.print(Text("error: ", style="bold red") + Text(inert_line(str(error))), soft_wrap=True)
            ctx.exit(error.exit_code)
        except BrokenPipeError:
            # `evidence-tui export csv | head`: the reader left; that is not an error.
            sys.stderr.close()
            ctx.exit(0)


def db_option(func: Callable) -> Callable:
    """Add ``--db PATH`` (default ``$EVIDENCE_DB`` or the user data folder's case.db)."""
    return click.option(
        "--db",
        "db_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Case file to use (default: $EVIDENCE_DB, else case.db in the user data folder).",
    )(func)


def json_option(func: Callable) -> Callable:
    """Add ``--json``: print machine-readable JSON instead of tables."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts instead of a table.")(func)


def _group_db_path() -> Path | None:
    """Return the ``--db`` given before the command (``evidence-tui --db X sources``), if any."""
    ctx = click.get_current_context(silent=True)
    return ctx.find_root().params.get("db_path") if ctx is not None else None


def open_case(db_path: Path | None, *, create: bool = True) -> CaseFile:
    """Open the case file the user named (or the default one), acting as the configured reviewer.

    ``--db`` after the command wins, then ``--db`` before it, then the default case file.
    """
    path = db_path or _group_db_path() or default_db_path()
    return CaseFile.open(path, create=create, actor=reviewer_name())


def with_case(func: Callable) -> Callable:
    """Open the case file from ``--db`` for the command and close it afterwards."""

    @db_option
    @functools.wraps(func)
    def wrapper(db_path: Path | None, **kwargs: Any) -> Any:
        case = open_case(db_path)
        try:
            return func(case, **kwargs)
        finally:
            case.close()

    return wrapper


def print_json(data: Any) -> None:
    """Print JSON to stdout (control characters escaped by json, so it is terminal-safe)."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def safe(text: str | None, *, one_line: bool = True) -> Text:
    """Return text from the case file as an inert ``rich.text.Text`` (no markup, no escapes)."""
    if text is None:
        return Text("")
    return Text(inert_line(text) if one_line else inert(text))


def filter_options(func: Callable) -> Callable:
    """Add the excerpt filter options shared by ``excerpt list``, ``export`` and ``review``."""
    options = [
        click.option("--type", "-t", "claim_types", multiple=True, help="Claim type (name or id); repeat for any of several."),
        click.option("--entity", "entities", multiple=True, help="Entity (name, alias or id); repeat for any of several."),
        click.option("--source", "sources", multiple=True, help="Source (title or id); repeat for any of several."),
        click.option("--claim", "claims", multiple=True, help="Claim (statement or id); repeat for any of several."),
        click.option(
            "--status", "statuses", multiple=True,
            type=click.Choice(["unreviewed", "accepted", "rejected", "flagged"]),
            help="Review status; repeat for any of several.",
        ),
        click.option("--from", "date_from", metavar="DATE", help="Sources published on or after DATE (2024, 2024-06, 2024-06-15)."),
        click.option("--to", "date_to", metavar="DATE", help="Sources published on or before DATE."),
        click.option("--text", "text", metavar="WORDS", help="Words in the quote or note."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def make_filter(**kwargs: Any) -> ExcerptFilter:
    """Build an ``ExcerptFilter`` from the values of ``filter_options``."""
    return ExcerptFilter(
        claim_types=tuple(kwargs.pop("claim_types", ()) or ()),
        entities=tuple(kwargs.pop("entities", ()) or ()),
        sources=tuple(kwargs.pop("sources", ()) or ()),
        claims=tuple(kwargs.pop("claims", ()) or ()),
        statuses=tuple(kwargs.pop("statuses", ()) or ()),
        date_from=kwargs.pop("date_from", None),
        date_to=kwargs.pop("date_to", None),
        text=kwargs.pop("text", None),
    )


FILTER_KEYS = ("claim_types", "entities", "sources", "claims", "statuses", "date_from", "date_to", "text")


def split_filter(kwargs: dict[str, Any]) -> ExcerptFilter:
    """Take the filter options out of a command's kwargs and return the filter."""
    return make_filter(**{k: kwargs.pop(k) for k in FILTER_KEYS if k in kwargs})


def is_debug() -> bool:
    """True when EVIDENCE_DEBUG is set: unexpected errors show their traceback."""
    return bool(os.environ.get("EVIDENCE_DEBUG"))
