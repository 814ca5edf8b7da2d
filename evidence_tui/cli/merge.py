"""``evidence-tui merge OTHER.db``: bring another researcher's case file into this one."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from rich.table import Table
from rich.text import Text

from evidence_tui.cli.common import _group_db_path, console, db_option, json_option, open_case, print_json, safe
from evidence_tui.config import default_db_path, reviewer_name
from evidence_tui.domain import merge as merging
from evidence_tui.domain.merge import DEFAULT_MATCH_NAMES, MATCH_NAMES, MergeReport
from evidence_tui.store import CaseFile


def match_names_option(func):
    """Add ``--match-names merge|keep-both``."""
    return click.option(
        "--match-names", type=click.Choice(MATCH_NAMES), default=DEFAULT_MATCH_NAMES, show_default=True,
        help="Claim types, entities and claims with one of our names but another id: use ours for theirs "
             "(merge), or bring theirs in as 'NAME (from FILE)' (keep-both).",
    )(func)


@contextmanager
def target_case(db_path: Path | None, dry_run: bool) -> Iterator[CaseFile]:
    """The case file to merge into; for a dry run into a file not made yet, an empty temporary one."""
    path = Path(db_path or _group_db_path() or default_db_path()).expanduser()
    if dry_run and not path.exists():
        with tempfile.TemporaryDirectory(prefix="evidence-merge-") as folder:
            case = CaseFile.open(Path(folder) / path.name, actor=reviewer_name())
            try:
                yield case
            finally:
                case.close()
        return
    case = open_case(db_path, create=not dry_run)
    try:
        yield case
    finally:
        case.close()


@click.command()
@click.argument("other", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Print what the merge would do; write nothing.")
@match_names_option
@json_option
@db_option
def merge(db_path: Path | None, other: Path, dry_run: bool, match_names: str, as_json: bool) -> None:
    """Merge the case file OTHER (another researcher's) into this one.

    Every record of OTHER comes in by its id, with its author; a source both files hold (same
    SHA-256) stays one source; claim types, entities and claims of the same name are matched
    (--match-names). A record changed on both sides keeps both versions in the event log and the
    newer wins; every such conflict is listed. Afterwards every excerpt of the sources concerned is
    checked against its text. OTHER is only read. Merging twice changes nothing; the whole merge is
    one change, so 'evidence-tui undo' takes it back.

    Example: evidence-tui merge ~/usb/bashir.db --dry-run
    """
    with target_case(db_path, dry_run) as case:
        report = merging.merge_case_file(case, other, dry_run=dry_run, match_names=match_names)
    if as_json:
        print_json(report.as_dict())
    else:
        print_report(report)


def print_report(report: MergeReport) -> None:
    """Print a merge report for people: counts per table, then every match, conflict and problem."""
    title = f"{'dry run: ' if report.dry_run else ''}merge of {report.other}"
    table = Table("records", "new", "updated", "already here", title=title, title_justify="left")
    for name in merging.DATA_TABLES:
        new, updated, here = report.new.get(name, 0), report.updated.get(name, 0), report.already_here.get(name, 0)
        if new or updated or here:
            table.add_row(name.replace("_", " "), str(new), str(updated), str(here))
    console.print(table)
    if report.authors:
        console.print(Text("new excerpts by author: ") + safe(", ".join(f"{a} {n}" for a, n in sorted(report.authors.items()))),
                      soft_wrap=True)
    if report.same_sources:
        console.print(Text(f"same sources: {len(report.same_sources)} sources of theirs are ours under another id "
                           "(same SHA-256); their excerpts and links now point to ours"), soft_wrap=True)
    quiet = [m for m in report.name_matches if m.action == "merged" and not m.differences]
    if quiet:
        per_table: dict[str, int] = {}
        for match in quiet:
            per_table[match.table] = per_table.get(match.table, 0) + 1
        listing = ", ".join(f"{n} {name.replace('_', ' ') if n != 1 else merging._singular(name)}"
                            for name, n in per_table.items())
        console.print(Text(f"same names: {listing} of theirs matched ours by name and merged (identical otherwise)"),
                      soft_wrap=True)
    for match in report.name_matches:
        if match not in quiet:
            console.print(Text("same name: ") + safe(match.line()), soft_wrap=True)
    for conflict in report.conflicts:
        console.print(Text("conflict: ", style="bold yellow") + safe(conflict.line()), soft_wrap=True)
    for note in report.notes:
        console.print(Text("note: ") + safe(note), soft_wrap=True)
    for problem in report.anchor_problems:
        console.print(Text("anchor: ", style="bold red") + safe(problem.line()), soft_wrap=True)
    anchors = (f"{report.excerpts_checked} excerpts checked against their text: "
               + (f"{len(report.anchor_problems)} problems (see 'evidence-tui check --repair')" if report.anchor_problems
                  else "all anchored"))
    summary = (f"{report.total_new} new, {report.total_updated} updated, {len(report.conflicts)} conflicts, "
               f"{len(report.name_matches)} matched by name; {anchors}")
    if report.dry_run:
        console.print(Text("would merge: ", style="bold") + Text(summary) + Text(" (dry run: nothing written)"), soft_wrap=True)
    elif report.changed:
        console.print(Text("merged: ", style="bold green") + Text(summary + f" in {report.seconds:.2f} s")
                      + Text(" ('evidence-tui undo' takes it back)"), soft_wrap=True)
    else:
        console.print(Text("nothing new: ", style="bold") + Text(summary), soft_wrap=True)
