"""Commands about the whole case file: search, stats, undo, log, open."""

from __future__ import annotations

import importlib
from pathlib import Path

import click
from rich.table import Table
from rich.text import Text

from evidence_tui.cli.common import (
    PassphraseCancelled,
    console,
    db_option,
    json_option,
    open_case,
    print_json,
    safe,
    with_case,
)
from evidence_tui.config import remember_case
from evidence_tui.domain import history
from evidence_tui.domain.search import MARK_END, MARK_START, search as search_domain
from evidence_tui.domain.stats import CaseStats, case_stats
from evidence_tui.store import CaseFile
from evidence_tui.textsafety import inert_line


def highlighted(snippet: str) -> Text:
    """Return a search snippet as inert Text with the matches in bold."""
    text = Text()
    for i, part in enumerate(snippet.split(MARK_START)):
        if i == 0:
            text.append(inert_line(part))
            continue
        match, _, rest = part.partition(MARK_END)
        text.append(inert_line(match), style="bold reverse")
        text.append(inert_line(rest))
    return text


@click.command()
@click.argument("query")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--sources-only", is_flag=True, help="Search sources only, not excerpts.")
@click.option("--excerpts-only", is_flag=True, help="Search excerpts only, not sources.")
@click.option("--order", type=click.Choice(["newest", "best"]), default="newest", show_default=True,
              help="newest: latest imported sources and marked excerpts first; best: bm25 relevance "
                   "(ranks every match: slower for common words on a big case file).")
@json_option
@with_case
def search(case: CaseFile, query: str, limit: int, sources_only: bool, excerpts_only: bool, order: str,
           as_json: bool) -> None:
    """Search sources and excerpts (FTS5: "a phrase", OR, NOT, prefix*), newest or best first.

    Example: evidence-tui search '"army contracts" OR deportation NOT Azov' --order best
    """
    kinds = ("source",) if sources_only else ("excerpt",) if excerpts_only else ("source", "excerpt")
    hits = search_domain(case, query, limit=limit, kinds=kinds, order=order)
    if as_json:
        print_json([h.as_dict() for h in hits])
        return
    table = Table("kind", "id", "source", "snippet", title=f"{len(hits)} hits, {order} first")
    for h in hits:
        table.add_row(h.kind, h.id[:8], safe(h.title), highlighted(h.snippet))
    console.print(table)


@click.command()
@json_option
@with_case
def stats(case: CaseFile, as_json: bool) -> None:
    """Print the case file's figures: counts per claim type, review status, outlet and month, and
    the ten least corroborated claims (the numbers of the Overview screen, F8).

    Months are publication months (an excerpt counts in its source's month); "marked" counts
    excerpts by the month they were marked.

    Example: evidence-tui stats --json
    """
    figures = case_stats(case)
    if as_json:
        print_json(figures.as_dict())
        return
    console.print(
        f"[bold]{figures.sources}[/] sources  [bold]{figures.excerpts}[/] excerpts  "
        f"[bold]{figures.claim_types}[/] claim types  [bold]{figures.claims}[/] claims  [bold]{figures.entities}[/] entities"
    )
    if figures.is_empty():
        console.print("The case file is empty: import articles with `evidence-tui import PATH` first.")
        return
    for table in stats_tables(figures):
        console.print(table)


def stats_tables(figures: CaseStats) -> list[Table]:
    """The rich tables ``evidence-tui stats`` prints (untrusted names as inert text)."""

    def table(title: str, *columns: str, text_columns: int = 1) -> Table:
        made = Table(title=title, title_justify="left", title_style="bold")
        for i, column in enumerate(columns):
            made.add_column(column, justify="left" if i < text_columns else "right")
        return made

    types = table("Excerpts per claim type", "claim type", "excerpts")
    for name, count in figures.by_claim_type:
        types.add_row(safe(name), str(count))
    statuses = table("Excerpts per review status", "review status", "excerpts")
    for name, count in figures.by_status:
        statuses.add_row(name, str(count))
    outlets = table("Sources per outlet", "outlet", "sources", "excerpts")
    for name, n_sources, n_excerpts in figures.outlet_rows():
        outlets.add_row(safe(name), str(n_sources), str(n_excerpts))
    months = table("Per publication month", "month", "sources", "excerpts")
    for month, n_sources, n_excerpts in figures.month_rows():
        months.add_row(month, str(n_sources), str(n_excerpts))
    months.add_row(Text("no month known", style="dim"), str(figures.sources_undated), str(figures.excerpts_undated))
    marked = table("Excerpts marked per month", "month marked", "excerpts")
    for month, count in figures.marked_by_month:
        marked.add_row(month, str(count))
    tables = [types, statuses, outlets, months, marked]
    if figures.weakest_claims:
        weak = table("Least corroborated claims", "claim", "type", "for", "against", "sources", "outlets",
                     text_columns=2)
        for claim in figures.weakest_claims:
            weak.add_row(safe(claim.statement), safe(claim.claim_type or "–"), str(claim.supporting),
                         str(claim.contradicting), str(claim.sources), str(claim.outlets))
        tables.append(weak)
    return tables


@click.command()
@click.option("--mine", is_flag=True, help="Undo only your own last change (when others share the file).")
@with_case
def undo(case: CaseFile, mine: bool) -> None:
    """Undo the last change to the case file (from the event log).

    Example: evidence-tui undo
    """
    undone = history.undo_last(case, only_mine=mine)
    if undone is None:
        console.print("nothing to undo")
    else:
        console.print(Text("undone: ") + safe(undone.summary or undone.name), soft_wrap=True)


@click.command()
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@json_option
@with_case
def log(case: CaseFile, limit: int, as_json: bool) -> None:
    """Show the newest changes in the event log (the audit trail).

    Example: evidence-tui log --limit 50
    """
    ops = history.recent_operations(case, limit)
    if as_json:
        print_json([op.__dict__ for op in ops])
        return
    table = Table("when (UTC)", "who", "what")
    for op in ops:
        table.add_row(op.at, safe(op.actor), safe(op.summary or op.name))
    console.print(table)


@click.command("open")
@db_option
def open_(db_path: Path | None) -> None:
    """Open the app (the terminal UI) on the case file.

    An encrypted case file asks for its passphrase in a dialog (or reads --passphrase-file).

    Example: evidence-tui open --db demo.db
    """
    try:
        case = open_case(db_path, create=True, ask=_ask_passphrase_in_app)
    except PassphraseCancelled:
        return  # Escape in the passphrase dialog: nothing opened, nothing to say.
    remember_case(case.path)
    # Loaded only here, by name: the CLI's other commands never pay for (or depend on) textual.
    tui = importlib.import_module("evidence_tui.tui.app")
    tui.run(case)


def _ask_passphrase_in_app(path: Path) -> str | None:
    """Ask for an encrypted case file's passphrase in a dialog; the checked passphrase or None."""
    dialog = importlib.import_module("evidence_tui.tui.screens.passphrase")
    return dialog.ask_passphrase(path)
