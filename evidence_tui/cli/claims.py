"""``evidence-tui claim``: statements, their evidence, and how well they are corroborated."""

from __future__ import annotations

import click
from rich import box
from rich.table import Table
from rich.text import Text

from evidence_tui.cli.common import console, json_option, print_json, safe, with_case
from evidence_tui.domain import claims as claims_domain
from evidence_tui.domain.models import Claim
from evidence_tui.errors import EvidenceError
from evidence_tui.store import CaseFile
from evidence_tui.textsafety import inert_line
from evidence_tui.words import count, sources_in_outlets


@click.group()
def claim() -> None:
    """Add claims, link evidence to them, and see their corroboration."""


@claim.command("add")
@click.argument("statement")
@click.option("--type", "-t", "claim_type", help="Claim type (name or id).")
@click.option("--credibility", type=click.IntRange(1, 6), help="1 confirmed ... 6 cannot be judged.")
@click.option("--notes")
@json_option
@with_case
def add(case: CaseFile, statement: str, claim_type, credibility, notes, as_json: bool) -> None:
    """Add a claim in your own words.

    Example: evidence-tui claim add "Detained migrants were offered army contracts" --type "Detention to enlistment"
    """
    added = claims_domain.add_claim(case, statement, claim_type=claim_type, credibility=credibility, notes=notes)
    if as_json:
        print_json(added.as_dict())
    else:
        console.print(Text("claim ") + safe(f"{added.short_id} {added.statement}"), soft_wrap=True)


def _sources_outlets(found: Claim) -> Text:
    """``2/1`` (sources/outlets) and below it the mark: "one outlet" (not independently
    corroborated) or "unsupported"."""
    figures = Text(f"{found.sources}/{found.outlets}")
    mark = found.corroboration_mark
    if mark is not None:
        figures.append(f"\n{mark}", style="red" if found.unsupported else "yellow")
    return figures


def _dates(found: Claim) -> str:
    """``2024-06`` or ``2022-10-12 to 2024-10-02``: the publication dates of the supporting sources."""
    if not found.earliest:
        return ""
    return found.earliest if found.latest == found.earliest else f"{found.earliest} to {found.latest}"


@claim.command("list")
@click.option("--order", type=click.Choice(list(claims_domain.CLAIM_ORDERS)), default="created", show_default=True,
              help="weakest: fewest outlets first; reliability: best grade first; earliest/latest: by evidence date.")
@json_option
@with_case
def list_(case: CaseFile, order: str, as_json: bool) -> None:
    """List claims with their corroboration: supporting and contradicting excerpts, the distinct
    sources and outlets behind each, the best reliability grade and the earliest and latest
    publication dates of the supporting sources.

    A claim whose supporting evidence comes from a single outlet is marked "one outlet"; one whose
    supporting sources name no outlet, "no outlet" (sources without an outlet never count as
    outlets: they may be one wire story); one with no supporting source, "unsupported".

    Example: evidence-tui claim list --order weakest
    """
    rows = claims_domain.list_claims(case, order=order)
    if as_json:
        print_json([c.as_dict() for c in rows])
        return
    # The figures keep their width; the statement (and the type, left out below 100 columns so that
    # every figure fits in 80) take what is left. "src/out": the distinct sources and outlets behind
    # the supporting (then the contradicting) excerpts.
    with_type = console.width >= 100
    table = Table(title=f"{len(rows)} claims", box=box.SIMPLE_HEAD, pad_edge=False, padding=0)
    table.add_column("id", min_width=8)
    table.add_column("statement", min_width=10)
    if with_type:
        table.add_column("type", max_width=20)
    for header, width in (("cred.", 5), ("for", 3), ("src/out", 11), ("against", 7), ("src/out", 7), ("rel.", 4)):
        table.add_column(header, min_width=len(header), max_width=width, justify="left" if header in ("src/out", "rel.") else "right")
    table.add_column("published", min_width=10, max_width=10)
    for c in rows:
        table.add_row(
            c.short_id, safe(c.statement), *([safe(c.claim_type)] if with_type else []), str(c.credibility or ""),
            str(c.supporting), _sources_outlets(c), str(c.contradicting),
            f"{c.sources_against}/{c.outlets_against}", c.best_reliability or "", _dates(c),
        )
    console.print(table)


@claim.command("show")
@click.argument("claim_ref", metavar="CLAIM")
@json_option
@with_case
def show(case: CaseFile, claim_ref: str, as_json: bool) -> None:
    """Show a claim, its corroboration and every piece of evidence, earliest first.

    Example: evidence-tui claim show 5e7a
    """
    found = claims_domain.get_claim(case, claim_ref)
    evidence = claims_domain.claim_evidence(case, found.id)
    if as_json:
        print_json({**found.as_dict(), "evidence": [e.__dict__ for e in evidence]})
        return
    console.print(Text(inert_line(found.statement), style="bold"), soft_wrap=True)
    figures = Text(f"for: {count(found.supporting, 'excerpt')}, "
                   f"{sources_in_outlets(found.sources, found.outlets, found.sources_without_outlet)}")
    if found.unsupported:
        figures.append(" (unsupported)", style="red")
    elif found.outlet_unknown:
        figures.append(" (no source names its outlet: not independently corroborated)", style="yellow")
    elif found.single_outlet:
        figures.append(" (one outlet: not independently corroborated)", style="yellow")
    if found.best_reliability:
        figures.append(f"; best reliability {found.best_reliability} ({claims_domain.RELIABILITY[found.best_reliability]})")
    if found.earliest:
        figures.append(f"; published {_dates(found)}")
    console.print(figures, soft_wrap=True)
    console.print(f"against: {count(found.contradicting, 'excerpt')}, "
                  f"{sources_in_outlets(found.sources_against, found.outlets_against)}", soft_wrap=True, markup=False)
    table = Table("stance", "source", "outlet", "published", "rel.", "quote")
    for e in evidence:
        table.add_row(e.stance, safe(e.source_title), safe(e.outlet), e.published or "", e.reliability or "", safe(e.quote or "(whole source)"))
    console.print(table)


@claim.command("link")
@click.argument("claim_ref", metavar="CLAIM")
@click.option("--excerpt", "excerpts", multiple=True, help="Excerpt id (repeatable).")
@click.option("--source", "sources", multiple=True, help="Source id or title (repeatable).")
@click.option("--stance", type=click.Choice(["supports", "contradicts", "mentions"]), default="supports", show_default=True)
@with_case
def link(case: CaseFile, claim_ref: str, excerpts, sources, stance: str) -> None:
    """Link excerpts or whole sources to a claim as supporting or contradicting evidence.

    Example: evidence-tui claim link 5e7a --excerpt 9c1d --excerpt 2b44 --stance supports
    """
    if not excerpts and not sources:
        raise EvidenceError("give at least one --excerpt or --source")
    if excerpts and stance == "mentions":
        raise EvidenceError("an excerpt supports or contradicts a claim; 'mentions' is for whole sources")
    found = None
    for excerpt_ref in excerpts:
        found = claims_domain.link_excerpt(case, claim_ref, excerpt_ref, stance)
    for source_ref in sources:
        found = claims_domain.link_source(case, claim_ref, source_ref, stance)
    unnamed = f" ({found.sources_without_outlet} without a named outlet)" if found.sources_without_outlet else ""
    console.print(Text("linked: ") + safe(f"{found.short_id} now has {count(found.sources, 'source')}, "
                                          f"{count(found.outlets, 'outlet')}{unnamed}"), soft_wrap=True)
