"""``evidence-tui review``: open the app on a review queue, or report agreement between reviewers."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import click
from rich.table import Table

from evidence_tui.cli.common import console, db_option, filter_options, json_option, open_case, print_json, safe, split_filter
from evidence_tui.config import remember_case
from evidence_tui.domain import review as review_domain
from evidence_tui.errors import EvidenceError


@click.command()
@filter_options
@click.option("--blind", is_flag=True, help="Review excerpts someone else decided, their decisions hidden.")
@click.option("--reviewer", metavar="NAME", help="Who is reviewing (default: $EVIDENCE_REVIEWER, the config's 'reviewer', the OS user).")
@click.option("--order", type=click.Choice(sorted(review_domain.QUEUE_ORDERS)), default="oldest", show_default=True,
              help="Oldest excerpt first, or grouped by source.")
@click.option("--agreement", "show_agreement", is_flag=True,
              help="Print agreement between two reviewers (percent, Cohen's kappa, disagreements) instead.")
@json_option
@db_option
def review(db_path: Path | None, blind: bool, reviewer: str | None, order: str, show_agreement: bool,
           as_json: bool, **filters) -> None:
    """Review excerpts one at a time: a accept, r reject, f flag, n note, s skip, u undo.

    The queue holds the excerpts matching the filters that still need a decision (default: the
    unreviewed ones); quitting and coming back resumes at the next one.

    Example: evidence-tui review --type "Coercion or threat" --reviewer amina
    """
    case = open_case(db_path)
    if reviewer is not None:
        if not reviewer.strip():
            raise EvidenceError("--reviewer: the name is empty")
        case.actor = reviewer.strip()
    try:
        if show_agreement:
            _print_agreement(review_domain.agreement(case, case.actor if reviewer else None), as_json)
            return
        queue = review_domain.ReviewQueue(filter=split_filter(filters), reviewer=case.actor, blind=blind, order=order)
        # Resolve the filter's names now: a typo is a one-line error here, not an empty screen.
        review_domain.remaining(case, queue)
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            raise EvidenceError("review needs a terminal; to decide from a script use 'evidence-tui excerpt status'")
        remember_case(case.path)
    except BaseException:
        case.close()
        raise
    # Loaded only here, by name: the CLI's other commands never pay for (or depend on) textual.
    importlib.import_module("evidence_tui.tui.app").run(case, mode="review", review_queue=queue)


def _print_agreement(figures: review_domain.Agreement | None, as_json: bool) -> None:
    if as_json:
        print_json(None if figures is None else {
            "first": figures.first, "second": figures.second, "compared": figures.compared,
            "agreed": figures.agreed, "percent": figures.percent, "kappa": figures.kappa,
            "disagreements": [d.__dict__ for d in figures.disagreements],
        })
        return
    if figures is None or not figures.compared:
        console.print("No excerpts decided by two reviewers yet.")
        return
    kappa = "n/a" if figures.kappa is None else f"{figures.kappa:.3f}"
    console.print(
        safe(f"{figures.first} / {figures.second}: {figures.agreed} of {figures.compared} agree "
             f"({figures.percent:.1f}%), Cohen's kappa {kappa}")
    )
    if figures.disagreements:
        table = Table("excerpt", "quote", title="Disagreements to settle")
        table.add_column(safe(figures.first))  # names are data: columns take them as Text, not markup
        table.add_column(safe(figures.second))
        for item in figures.disagreements:
            table.add_row(item.excerpt_id[:8], safe(item.quote[:70]), item.first, item.second)
        console.print(table)
