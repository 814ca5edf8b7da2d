"""Commands for case files and sources: init, import, sources, show, source edit."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.table import Table
from rich.text import Text

from evidence_tui.cli.common import console, db_option, err_console, json_option, open_case, print_json, safe, with_case
from evidence_tui.config import remember_case
from evidence_tui.domain import excerpts as excerpts_domain
from evidence_tui.domain import sources as sources_domain
from evidence_tui.errors import DocumentError, EvidenceError
from evidence_tui.importers import ImportOptions
from evidence_tui.store import CaseFile
from evidence_tui.textsafety import inert

MB = 1024 * 1024
SKIPPED_SHOWN = 20  # skipped files listed one a line; the rest are counted


@click.command()
@click.option("--encrypt", is_flag=True, help="Make the new case file encrypted (asks for a passphrase).")
@db_option
def init(db_path: Path | None, encrypt: bool) -> None:
    """Create an empty case file (or check that an existing one opens).

    With --encrypt the new case file is encrypted with a passphrase you choose (asked twice, or
    --passphrase-file); needs the crypto extra: pip install 'evidence-tui[crypto]'.

    Example: evidence-tui init --encrypt --db ~/cases/recruitment.db
    """
    case = open_case(db_path, create=True, encrypt=encrypt)
    remember_case(case.path)
    console.print(Text("Case file ready: ") + safe(str(case.path)), soft_wrap=True)
    case.close()


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path())  # str: click would make "" into "."
@click.option("--dayfirst/--monthfirst", default=None, help="Read numeric dates like 07/12/2023 day first (default) or month first.")
@click.option("--title", help="Use this title instead of the detected one.")
@click.option("--outlet", help="Use this outlet instead of the detected one.")
@click.option("--url", help="Use this URL instead of the detected one.")
@click.option("--date", "date", help="Use this publication date instead of the detected one (read as source edit reads it: 2024-06-15, June 2024, 27 June; anything else is refused).")
@click.option("--max-size", type=click.FloatRange(min=0.001), default=20.0, show_default=True, metavar="MB", help="Refuse files larger than this many megabytes.")
@json_option
@db_option
def import_(db_path: Path | None, paths: tuple[str, ...], dayfirst: bool | None, title: str | None, outlet: str | None,
            url: str | None, date: str | None, max_size: float, as_json: bool) -> None:
    """Import articles: .txt, .md, .html files, whole folders (recursively), or - for stdin.

    Each file becomes one source, kept unchanged with its SHA-256; content already in the case file
    is reported as a duplicate. Bad files are reported one line each and the rest go on; the exit
    code is 1 if any file failed.

    Example: evidence-tui import ~/articles/ notes.md --dayfirst
    """
    options = ImportOptions(dayfirst=dayfirst, title=title, outlet=outlet, url=url, date=date, max_bytes=int(max_size * MB))
    # A --date that is not one is refused before the case file is opened (or made) or stdin read.
    sources_domain.check_import_options(options)
    if any(not p.strip() for p in paths):
        # An empty argument (an unset shell variable) would otherwise mean the current folder.
        raise EvidenceError("an empty path: name the file or folder to import (. for the current folder)")
    file_args = tuple(Path(p) for p in paths)
    case = open_case(db_path, create=True)
    try:
        _import(case, file_args, options, as_json)
    finally:
        case.close()


def _import(case: CaseFile, paths: tuple[Path, ...], options: ImportOptions, as_json: bool) -> None:
    """Import ``paths`` (``-`` for stdin) into ``case`` and report each file; exit 1 if any failed."""
    outcomes = []
    file_paths = [p for p in paths if str(p) != "-"]
    if len(file_paths) != len(paths):
        data = sys.stdin.buffer.read()
        try:
            outcomes.append(sources_domain.import_text(case, data, None, options))
        except DocumentError as error:
            outcomes.append(sources_domain.ImportOutcome("<stdin>", "failed", message=str(error)))
    if file_paths:
        outcomes.extend(_import_with_progress(case, file_paths, options, quiet=as_json).outcomes)
    summary = sources_domain.ImportSummary(outcomes)
    if as_json:
        print_json({
            "imported": summary.imported, "duplicates": summary.duplicates, "failed": summary.failed,
            "skipped": summary.skipped, "files": [o.__dict__ for o in outcomes],
        })
    else:
        skipped_seen = 0
        for outcome in outcomes:
            # soft_wrap: one line per file, however long its path (Rich would wrap at the width).
            if outcome.status == "failed":
                err_console.print(Text("failed: ", style="red") + safe(outcome.message), soft_wrap=True)
            elif outcome.status == "skipped":
                skipped_seen += 1
                if skipped_seen <= SKIPPED_SHOWN:
                    err_console.print(Text("skipped: ", style="dim") + safe(outcome.message), soft_wrap=True)
            elif outcome.status == "duplicate":
                err_console.print(Text("duplicate: ", style="yellow") + safe(f"{outcome.name}: {outcome.message}"), soft_wrap=True)
            elif len(outcomes) - summary.skipped <= 20:  # skipped files do not hide the imported ones
                console.print(Text("imported: ", style="green") + safe(f"{outcome.source_id[:8]} {outcome.title}"), soft_wrap=True)
        if summary.skipped > SKIPPED_SHOWN:
            err_console.print(f"... and {summary.skipped - SKIPPED_SHOWN} more skipped", style="dim")
        console.print(summary.line(), style="bold red" if summary.failed else "bold")
    if summary.failed:
        raise SystemExit(1)


def _import_with_progress(case: CaseFile, paths: list[Path], options: ImportOptions, *, quiet: bool) -> sources_domain.ImportSummary:
    """Run the import with a progress bar on stderr when there are many files and stderr is a terminal."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    progress = Progress(
        TextColumn("importing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=err_console, transient=True, disable=quiet or not err_console.is_terminal,
    )
    with progress:
        task = progress.add_task("import", total=None)

        def on_progress(done: int, total: int, _outcome) -> None:
            progress.update(task, completed=done, total=total)

        return sources_domain.import_paths(case, paths, options, on_progress)


@click.command("sources")
@click.option("--filter", "text", metavar="WORDS", help="Only sources whose title, outlet or text has these words.")
@click.option("--order", type=click.Choice(list(sources_domain.SOURCE_ORDERS)), default="imported", show_default=True)
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Show at most this many.")
@json_option
@with_case
def sources(case: CaseFile, text: str | None, order: str, limit: int | None, as_json: bool) -> None:
    """List the sources in the case file.

    Example: evidence-tui sources --filter recruiters --order published --json
    """
    rows = sources_domain.list_sources(case, text=text, order=order, limit=limit)
    if as_json:
        print_json([s.as_dict() for s in rows])
        return
    table = Table("id", "title", "outlet", "published", "excerpts", "rel.", title=f"{len(rows)} sources")
    for s in rows:
        table.add_row(
            s.short_id, safe(s.title), safe(s.outlet), safe(s.published or (f"({s.published_raw})" if s.published_raw else "")),
            str(s.excerpt_count), s.reliability or "",
        )
    console.print(table)


@click.command()
@click.argument("source")
@json_option
@with_case
def show(case: CaseFile, source: str, as_json: bool) -> None:
    """Show a source: its metadata, then its text with the excerpts marked.

    SOURCE is an id prefix or the exact title.

    Example: evidence-tui show 3fa2c1
    """
    found = sources_domain.get_source(case, source)
    marks = excerpts_domain.excerpts_in_source(case, found.id)
    if as_json:
        print_json({**found.as_dict(with_text=True), "excerpts": [e.as_dict() for e in marks]})
        return
    fields = [
        (label, value)
        for label, value in (
            ("id", found.id), ("title", found.title), ("outlet", found.outlet), ("author", found.author),
            ("url", found.url), ("published", found.published), ("date as written", found.published_raw),
            ("precision", found.published_precision), ("language", found.language), ("file", found.file_name),
            ("sha256", found.sha256), ("reliability", found.reliability), ("excerpts", str(len(marks))),
        )
        if value
    ]
    width = max(len(label) for label, _ in fields) + 2
    for label, value in fields:
        # One line per field, never cut at the terminal's width: an id, a URL or the SHA-256 must
        # come out whole (a table would crop them with an ellipsis).
        console.print(Text(label.ljust(width), style="bold") + safe(value), soft_wrap=True)
    console.rule()
    # soft_wrap: the text keeps its own lines (the terminal wraps them; a pipe gets them as stored).
    console.print(marked_text(found.text or "", marks), soft_wrap=True)


def marked_text(text: str, marks) -> Text:
    """Return the source text as inert rich Text with excerpts underlined in their type's colour."""
    # inert() swaps each control character for one symbol, so offsets still line up.
    rendered = Text(inert(text))
    for excerpt in marks:
        colour = excerpt.claim_types[0].colour if excerpt.claim_types else "#888888"
        rendered.stylize(f"underline {colour}", excerpt.start, excerpt.end)
    return rendered


@click.command("edit")
@click.argument("source")
@click.option("--title")
@click.option("--outlet")
@click.option("--author")
@click.option("--url")
@click.option("--date", help="Publication date as written (parsed like on import; '' clears).")
@click.option("--reliability", help="Admiralty reliability grade A-F ('' clears).")
@click.option("--notes")
@json_option
@with_case
def source_edit(case: CaseFile, source: str, as_json: bool, **changes) -> None:
    """Edit a source's metadata.

    Example: evidence-tui source edit 3fa2c1 --reliability B --date "15 June 2024"
    """
    kwargs = {k: v for k, v in changes.items() if v is not None}
    if not kwargs:
        raise EvidenceError("nothing to change: give at least one of --title --outlet --author --url --date --reliability --notes")
    updated = sources_domain.update_source(case, source, **kwargs)
    if as_json:
        print_json(updated.as_dict())
    else:
        console.print(Text("updated: ") + safe(f"{updated.short_id} {updated.title}"), soft_wrap=True)


@click.group("source")
def source_group() -> None:
    """Change a source's metadata."""


source_group.add_command(source_edit)
