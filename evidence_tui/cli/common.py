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
from evidence_tui.errors import CaseFileError, EvidenceError
from evidence_tui.store import CaseFile, crypto
from evidence_tui.textsafety import inert, inert_line

console = Console(highlight=False)
# Messages on stderr are one line each, however long the path in them: no wrapping at the width.
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


class EvidenceGroup(click.Group):
    """A click group that turns ``EvidenceError`` into one line on stderr and exit code 1."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """End the main help with where the config file is (computed now: it follows XDG_CONFIG_HOME)."""
        from evidence_tui.config import config_path

        formatter.write_paragraph()
        # Written as is, not wrapped: a path cut at a hyphen could not be copied.
        formatter.write(f"  Config file (optional): {config_path()}\n  with e.g. reviewer = \"Amina K.\"\n")

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as error:  # evidence-tui --bogus
            _usage_error(ctx, error)
            raise  # not reached: _usage_error exits

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as error:
            _usage_error(ctx, error)
        except EvidenceError as error:
            # soft_wrap: one line, however long the path in it (Rich would wrap at the width).
            err_console.print(Text("error: ", style="bold red") + Text(inert_line(str(error))), soft_wrap=True)
            ctx.exit(error.exit_code)
        except BrokenPipeError:
            # `evidence-tui export csv | head`: the reader left; that is not an error.
            sys.stderr.close()
            ctx.exit(0)


def _usage_error(ctx: click.Context, error: click.UsageError) -> None:
    """A mistyped command, option or value: one line, like every other error (click prints the
    usage, a hint and the error on four), naming the command and where to read more; exit 2.

    A group given no command (``evidence-tui claim``) is click's way of asking for its help:
    that is raised again for click to print the help as it does."""
    if isinstance(error, click.exceptions.NoArgsIsHelpError):
        raise error
    where = error.ctx.command_path if error.ctx is not None else ctx.command_path
    message = error.format_message().rstrip(".")
    err_console.print(Text("error: ", style="bold red") + Text(inert_line(f"{where}: {message} (see '{where} --help')")),
                      soft_wrap=True)
    ctx.exit(error.exit_code)


def db_option(func: Callable) -> Callable:
    """Add ``--db PATH`` (default ``$EVIDENCE_DB`` or the user data folder's case.db).

    Also adds ``--passphrase-file FILE`` for an encrypted case file (see ``read_passphrase``).
    """
    func = passphrase_file_option(func)
    return click.option(
        "--db",
        "db_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Case file to use (default: $EVIDENCE_DB, else the one last opened or made with init, else case.db in the user data folder).",
    )(func)


# -- passphrases of encrypted case files ---------------------------------------------------------

PASSPHRASE_FILE_ENV = "EVIDENCE_PASSPHRASE_FILE"
MIN_PASSPHRASE = 8
_META_KEY = "evidence_tui.passphrase_file"


class PassphraseCancelled(Exception):
    """The user closed the passphrase dialog instead of unlocking the case file."""


def _remember_passphrase_file(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
    if value is not None:
        ctx.meta[_META_KEY] = value


def passphrase_file_option(func: Callable) -> Callable:
    """Add ``--passphrase-file FILE`` (kept in the context; the command's signature is unchanged)."""
    return click.option(
        "--passphrase-file",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        expose_value=False,
        callback=_remember_passphrase_file,
        help=f"Read the passphrase of an encrypted case file from FILE (default: ${PASSPHRASE_FILE_ENV}; else you are asked).",
    )(func)


def passphrase_file() -> Path | None:
    """The passphrase file named by ``--passphrase-file`` (any level) or ``$EVIDENCE_PASSPHRASE_FILE``."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.meta.get(_META_KEY) is not None:
        return Path(ctx.meta[_META_KEY]).expanduser()
    named = os.environ.get(PASSPHRASE_FILE_ENV)
    return Path(named).expanduser() if named else None


def read_passphrase_file(path: Path) -> str:
    """The passphrase in ``path``: its text without the final newline; one clear line if unusable."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CaseFileError(f"{path}: cannot read the passphrase file ({(error.strerror or str(error)).lower()})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise CaseFileError(f"{path}: the passphrase file is not UTF-8 text") from None
    if text.endswith("\n"):
        text = text[:-1]
        if text.endswith("\r"):
            text = text[:-1]
    if not text:
        raise CaseFileError(f"{path}: the passphrase file is empty")
    if "\x00" in text:
        raise CaseFileError(f"{path}: the passphrase file holds a NUL character")
    return text


def _can_prompt() -> bool:
    """True when a passphrase can be asked without echo: a terminal (or a test's stand-in)."""
    if getattr(click.termui.hidden_prompt_func, "__module__", "") != "click.termui":  # click's CliRunner
        return True
    if sys.stdin.isatty():
        return True
    try:
        import termios

        with open("/dev/tty", "rb") as tty:
            termios.tcgetattr(tty.fileno())  # what getpass needs to turn the echo off
            return True
    except (OSError, ImportError, Exception):
        return False


def read_passphrase(case_path: Path, *, new: bool = False, label: str | None = None) -> str:
    """A passphrase for ``case_path``: from the passphrase file, else asked without echo.

    ``new``: a passphrase being set (asked twice, at least ``MIN_PASSPHRASE`` characters).
    Never from a command-line argument: those show up in the shell history and ``ps``.
    """
    source = passphrase_file()
    if source is not None:
        value = read_passphrase_file(source)
    else:
        prompt = label or ("New passphrase" if new else "Passphrase")
        try:
            if not _can_prompt():
                raise click.Abort()
            value = click.prompt(f"{prompt} for {case_path}", hide_input=True, confirmation_prompt=new, err=True)
        except click.Abort:
            raise CaseFileError(
                f"{case_path}: an encrypted case file needs its passphrase: type it at the prompt, or give "
                f"--passphrase-file FILE or ${PASSPHRASE_FILE_ENV}"
            ) from None
    if new and len(value) < MIN_PASSPHRASE:
        raise CaseFileError(f"{case_path}: a new passphrase needs at least {MIN_PASSPHRASE} characters; nothing was changed")
    return value


def json_option(func: Callable) -> Callable:
    """Add ``--json``: print machine-readable JSON instead of tables."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts instead of a table.")(func)


def _group_db_path() -> Path | None:
    """Return the ``--db`` given before the command (``evidence-tui --db X sources``), if any."""
    ctx = click.get_current_context(silent=True)
    return ctx.find_root().params.get("db_path") if ctx is not None else None


def case_path(db_path: Path | None) -> Path:
    """The case file the user named: ``--db`` after the command, then before it, then the default."""
    return Path(db_path or _group_db_path() or default_db_path()).expanduser()


def open_case(
    db_path: Path | None,
    *,
    create: bool = False,
    encrypt: bool = False,
    ask: Callable[[Path], str | None] | None = None,
) -> CaseFile:
    """Open the case file the user named (or the default one), acting as the configured reviewer.

    ``--db`` after the command wins, then ``--db`` before it, then the default case file. An
    encrypted case file asks for its passphrase (``read_passphrase``; or ``ask(path)``, which
    returns a passphrase it has checked or None to cancel: ``PassphraseCancelled``). With
    ``encrypt`` a new case file is made encrypted with a new passphrase. A missing case file is
    created only with ``create`` (init, import, open): a mistyped ``--db`` on any other command
    is an error, not a new empty case file.
    """
    path = case_path(db_path)
    passphrase = None
    kind = "plain" if path.is_dir() else crypto.file_kind(path)
    if kind == "encrypted":
        crypto.require(path)
        if ask is not None and passphrase_file() is None:
            passphrase = ask(path)
            if passphrase is None:
                raise PassphraseCancelled(str(path))
        else:
            passphrase = read_passphrase(path)
    elif encrypt and kind in ("missing", "empty"):
        crypto.require(path)
        passphrase = read_passphrase(path, new=True)
    return CaseFile.open(path, create=create, actor=reviewer_name(), passphrase=passphrase, encrypt=encrypt,
                         on_upgrade=_say_upgrading)


def _say_upgrading(path: Path, old: int, new: int) -> None:
    """One line on stderr before a case file's schema is brought forward (it may take minutes)."""
    err_console.print(
        Text(f"upgrading {inert_line(str(path))} from schema {old} to {new} (a copy is kept; rebuilding "
             "indexes takes a few minutes on a case file of 100,000 articles)…", style="dim"),
        soft_wrap=True,
    )


def with_case(func: Callable | None = None, *, create: bool = False) -> Callable:
    """Open the case file from ``--db`` for the command and close it afterwards.

    ``@with_case(create=True)`` for the commands that may start a new case file (import).
    """
    if func is None:
        return functools.partial(with_case, create=create)

    @db_option
    @functools.wraps(func)
    def wrapper(db_path: Path | None, **kwargs: Any) -> Any:
        case = open_case(db_path, create=create)
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
