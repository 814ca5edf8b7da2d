"""``evidence-tui excerpt``: mark exact spans of sources, tag them, annotate and list them."""

from __future__ import annotations

import click
from rich.table import Table
from rich.text import Text

from evidence_tui.cli.common import console, filter_options, json_option, print_json, safe, split_filter, with_case
from evidence_tui.domain import excerpts as excerpts_domain
from evidence_tui.errors import EvidenceError
from evidence_tui.store import CaseFile


@click.group()
def excerpt() -> None:
    """Mark, tag, annotate and list excerpts."""


@excerpt.command("add")
@click.argument("source")
@click.option("--quote", help="The exact text to mark (must occur in the source).")
@click.option("--occurrence", type=click.IntRange(min=1), help="Which occurrence of the quote, when it occurs more than once.")
@click.option("--start", type=click.IntRange(min=0), help="Start offset (characters) instead of --quote.")
@click.option("--end", type=click.IntRange(min=1), help="End offset (exclusive) instead of --quote.")
@click.option("--type", "-t", "types", multiple=True, help="Claim type to tag with (repeatable).")
@click.option("--note", help="A note on the excerpt.")
@json_option
@with_case
def add(case: CaseFile, source: str, quote, occurrence, start, end, types, note, as_json: bool) -> None:
    """Mark an excerpt of SOURCE by its exact quote (or offsets) and tag it.

    Example: evidence-tui excerpt add 3fa2c1 --quote "given an assault rifle" --type "Deception about the job"
    """
    if quote is None and (start is None or end is None):
        raise EvidenceError("give --quote TEXT, or both --start and --end")
    if quote is not None and (start is not None or end is not None):
        raise EvidenceError("give either --quote or --start/--end, not both")
    if occurrence is not None and quote is None:
        raise EvidenceError("--occurrence goes with --quote")
    added = excerpts_domain.add_excerpt(
        case, source, quote=quote, occurrence=occurrence, start=start, end=end, types=types, note=note
    )
    if as_json:
        print_json(added.as_dict())
    else:
        console.print(Text("excerpt ") + safe(f"{added.short_id} [{added.start}-{added.end}] {', '.join(t.name for t in added.claim_types)}"), soft_wrap=True)


@excerpt.command("list")
@filter_options
@click.option("--limit", type=click.IntRange(min=1), help="Show at most this many.")
@json_option
@with_case
def list_(case: CaseFile, limit, as_json: bool, **filters) -> None:
    """List excerpts, filtered by claim type, entity, source, claim, status, date or words.

    Example: evidence-tui excerpt list --type "Coercion or threat" --status unreviewed
    """
    f = split_filter(filters)
    rows = excerpts_domain.list_excerpts(case, f, limit=limit)
    if as_json:
        print_json([e.as_dict() for e in rows])
        return
    table = Table("id", "source", "quote", "types", "status", title=f"{len(rows)} excerpts")
    for e in rows:
        table.add_row(
            e.short_id, safe(e.source_title), safe(e.quote), safe(", ".join(t.name for t in e.claim_types)),
            e.review_status,
        )
    console.print(table)


def _claim_types(command: str, named: tuple[str, ...], options: tuple[str, ...]) -> tuple[str, ...]:
    """The claim types given as arguments and as ``--type`` options (either way, or both), in order."""
    types = (*named, *options)
    if not types:
        raise EvidenceError(f"give at least one claim type: excerpt {command} EXCERPT TYPE... or --type TYPE")
    return types


@excerpt.command("tag")
@click.argument("excerpt_ref", metavar="EXCERPT")
@click.argument("types", nargs=-1, metavar="[TYPE]...")
@click.option("--type", "-t", "type_options", multiple=True, help="Claim type to tag with (repeatable), as for excerpt add.")
@with_case
def tag(case: CaseFile, excerpt_ref: str, types, type_options) -> None:
    """Add claim types (names or ids) to an excerpt: as arguments, or with --type as in excerpt add.

    \b
    Example: evidence-tui excerpt tag 9c1d --type "Official figure" --type "Coercion or threat"
    or:      evidence-tui excerpt tag 9c1d "Official figure" "Coercion or threat"
    """
    tagged = excerpts_domain.tag_excerpt(case, excerpt_ref, _claim_types("tag", types, type_options))
    console.print(Text("tagged: ") + safe(f"{tagged.short_id} {', '.join(t.name for t in tagged.claim_types)}"), soft_wrap=True)


@excerpt.command("untag")
@click.argument("excerpt_ref", metavar="EXCERPT")
@click.argument("types", nargs=-1, metavar="[TYPE]...")
@click.option("--type", "-t", "type_options", multiple=True, help="Claim type to remove (repeatable).")
@with_case
def untag(case: CaseFile, excerpt_ref: str, types, type_options) -> None:
    """Remove claim types (names or ids) from an excerpt: as arguments, or with --type.

    Example: evidence-tui excerpt untag 9c1d "Official figure"
    """
    tagged = excerpts_domain.untag_excerpt(case, excerpt_ref, _claim_types("untag", types, type_options))
    console.print(Text("now: ") + safe(f"{tagged.short_id} {', '.join(t.name for t in tagged.claim_types) or '(no types)'}"), soft_wrap=True)


@excerpt.command("note")
@click.argument("excerpt_ref", metavar="EXCERPT")
@click.argument("note")
@with_case
def note(case: CaseFile, excerpt_ref: str, note: str) -> None:
    """Set an excerpt's note ('' clears it).

    Example: evidence-tui excerpt note 9c1d "Check against the BBC report"
    """
    updated = excerpts_domain.set_note(case, excerpt_ref, note)
    console.print(Text("note set on ") + safe(updated.short_id), soft_wrap=True)


@excerpt.command("status")
@click.argument("excerpt_ref", metavar="EXCERPT")
@click.argument("status", type=click.Choice(["unreviewed", "accepted", "rejected", "flagged"]))
@with_case
def status(case: CaseFile, excerpt_ref: str, status: str) -> None:
    """Set an excerpt's review status.

    Example: evidence-tui excerpt status 9c1d accepted
    """
    updated = excerpts_domain.set_status(case, excerpt_ref, status)
    console.print(Text(f"{updated.short_id} is {updated.review_status}"), soft_wrap=True)


@excerpt.command("delete")
@click.argument("excerpt_ref", metavar="EXCERPT")
@with_case
def delete(case: CaseFile, excerpt_ref: str) -> None:
    """Delete an excerpt with its tags and links (evidence-tui undo brings it back).

    Example: evidence-tui excerpt delete 9c1d
    """
    removed = excerpts_domain.delete_excerpt(case, excerpt_ref)
    console.print(Text("deleted: ") + safe(f"{removed.short_id} {removed.quote[:60]}"), soft_wrap=True)
