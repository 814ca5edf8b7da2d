"""``evidence-tui claim``: statements, their evidence, and how well they are corroborated."""

from __future__ import annotations

import click
from rich.table import Table
from rich.text import Text

from evidence_tui.cli.common import console, json_option, print_json, safe, with_case
from evidence_tui.domain import claims as claims_domain
from evidence_tui.errors import EvidenceError
from evidence_tui.store import CaseFile
from evidence_tui.textsafety import inert_line


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


@claim.command("list")
@click.option("--order", type=click.Choice(list(claims_domain.CLAIM_ORDERS)), default="created", show_default=True)
@json_option
@with_case
def list_(case: CaseFile, order: str, as_json: bool) -> None:
    """List claims with their evidence: supporting and contradicting excerpts, sources, outlets.

    A claim whose evidence comes from a single outlet is marked "one outlet".

    Example: evidence-tui claim list --order weakest
    """
    rows = claims_domain.list_claims(case, order=order)
    if as_json:
        print_json([c.as_dict() for c in rows])
        return
    table = Table("id", "statement", "type", "cred.", "+", "-", "sources", "outlets", "best", "dates", title=f"{len(rows)} claims")
    for c in rows:
        outlets = Text(str(c.outlets))
        if c.single_outlet:
            outlets.append(" one outlet", style="yellow")
        elif c.unsupported:
            outlets.append(" no evidence", style="red")
        dates = f"{c.earliest or ''}..{c.latest or ''}" if c.earliest else ""
        table.add_row(
            c.short_id, safe(c.statement), safe(c.claim_type), str(c.credibility or ""), str(c.supporting),
            str(c.contradicting), str(c.sources), outlets, c.best_reliability or "", dates,
        )
    console.print(table)


@claim.command("show")
@click.argument("claim_ref", metavar="CLAIM")
@json_option
@with_case
def show(case: CaseFile, claim_ref: str, as_json: bool) -> None:
    """Show a claim with every piece of evidence, earliest first.

    Example: evidence-tui claim show 5e7a
    """
    found = claims_domain.get_claim(case, claim_ref)
    evidence = claims_domain.claim_evidence(case, found.id)
    if as_json:
        print_json({**found.as_dict(), "evidence": [e.__dict__ for e in evidence]})
        return
    console.print(Text(inert_line(found.statement), style="bold"), soft_wrap=True)
    console.print(f"{found.sources} sources, {found.outlets} outlets" + (" (one outlet)" if found.single_outlet else ""))
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
    console.print(Text("linked: ") + safe(f"{found.short_id} now has {found.sources} sources, {found.outlets} outlets"), soft_wrap=True)
