"""How claims and their evidence look on the Claims screens: table rows and summaries.

Statements, titles and quotes come from the case file and are untrusted: they go into
``rich.text.Text`` after ``inert_line``, never into markup.
"""

from __future__ import annotations

from rich.text import Text

from evidence_tui.domain.claims import Evidence
from evidence_tui.domain.models import Claim
from evidence_tui.textsafety import inert_line
from evidence_tui.tui.widgets.virtual_table import Column, Row

# The Admiralty (NATO) scale for the credibility of information.
CREDIBILITY = {
    1: "confirmed",
    2: "probably true",
    3: "possibly true",
    4: "doubtful",
    5: "improbable",
    6: "cannot be judged",
}
CREDIBILITY_STYLES = {1: "green", 2: "green", 3: "yellow", 4: "red", 5: "red", 6: "dim"}

STANCE_STYLES = {"supports": "green", "contradicts": "bold red", "mentions": "dim"}

CLAIM_COLUMNS = [
    Column("statement", "Claim"),
    Column("type", "Type", 16),
    Column("credibility", "Cred.", 5, "right"),
    Column("supporting", "For", 3, "right"),
    Column("contradicting", "Against", 7, "right"),
    Column("sources", "Sources", 7, "right"),
    Column("outlets", "Outlets", 12),
    Column("reliability", "Rel.", 4),
    Column("dates", "Evidence published", 21),
]

EVIDENCE_COLUMNS = [
    Column("stance", "Stance", 11),
    Column("source", "Source", 30),
    Column("outlet", "Outlet", 16),
    Column("published", "Published", 10),
    Column("reliability", "Rel.", 4),
    Column("quote", "Quote"),
]


def credibility_text(credibility: int | None) -> Text:
    """``3 possibly true`` in its colour, or a dim dash when not graded yet."""
    if credibility is None:
        return Text("–", style="dim")
    return Text(f"{credibility} {CREDIBILITY.get(credibility, '?')}", style=CREDIBILITY_STYLES.get(credibility, ""))


def credibility_digit(credibility: int | None) -> Text:
    """The grade alone (the table's column); the summary below the table spells it out."""
    if credibility is None:
        return Text("–", style="dim")
    return Text(str(credibility))


def outlets_text(claim: Claim) -> Text:
    """The number of distinct outlets, marked when the claim is not independently corroborated."""
    # Badges (dark on a light colour) stay readable on the cursor row's background too.
    if claim.unsupported:
        return Text.assemble(f"{claim.outlets} ", ("unsupported", "#1e1e1e on #e06c75"))
    if claim.single_outlet:
        return Text.assemble(f"{claim.outlets} ", ("one outlet", "#1e1e1e on #e5c07b"))
    return Text(str(claim.outlets))


def dates_text(earliest: str | None, latest: str | None) -> str:
    """``2024-06-15`` or ``2022-10-12–2024-10-02`` (publication dates of the evidence)."""
    if not earliest and not latest:
        return ""
    if earliest == latest or not latest:
        return earliest or ""
    return f"{earliest or '…'}–{latest}"


def claim_row(claim: Claim, colours: dict[str, str | None]) -> Row:
    """A claim as a table row (keyed by its id); ``colours`` maps claim type names to colours."""
    if claim.claim_type:
        claim_type = Text.assemble(("■ ", colours.get(claim.claim_type) or ""), inert_line(claim.claim_type))
    else:
        claim_type = Text("–", style="dim")
    return Row(claim.id, {
        "statement": Text(inert_line(claim.statement)),
        "type": claim_type,
        "credibility": credibility_digit(claim.credibility),
        "supporting": str(claim.supporting),
        "contradicting": Text(str(claim.contradicting), style="bold red" if claim.contradicting else "dim"),
        "sources": str(claim.sources),
        "outlets": outlets_text(claim),
        "reliability": claim.best_reliability or "",
        "dates": dates_text(claim.earliest, claim.latest),
    })


def claim_summary(claim: Claim) -> Text:
    """A few lines about a claim: the whole statement, its grade, its corroboration, its entities."""
    text = Text(inert_line(claim.statement), style="bold")
    text.append("\n")
    text.append(inert_line(claim.claim_type) if claim.claim_type else "no claim type", style="" if claim.claim_type else "dim")
    text.append(" · credibility ")
    text.append_text(credibility_text(claim.credibility))
    text.append(f" · {claim.supporting} supporting, {claim.contradicting} contradicting")
    text.append(f" · {claim.sources} source{'' if claim.sources == 1 else 's'}, "
                f"{claim.outlets} outlet{'' if claim.outlets == 1 else 's'}")
    if claim.best_reliability:
        text.append(f" · best reliability {claim.best_reliability}")
    dates = dates_text(claim.earliest, claim.latest)
    if dates:
        text.append(f" · published {dates}")
    if claim.unsupported:
        text.append("\nUnsupported: no source supports it yet (attach excerpts in the reader with c).", style="italic red")
    elif claim.single_outlet:
        text.append("\nOne outlet only: not independently corroborated.", style="bold yellow")
    if claim.entities:
        text.append("\n")
        text.append("entities: ", style="dim")
        text.append(", ".join(inert_line(e.name) + (f" ({inert_line(e.role)})" if e.role else "") for e in claim.entities), style="cyan")
    if claim.notes:
        text.append("\n")
        text.append("notes: ", style="dim")
        text.append(inert_line(claim.notes), style="yellow")
    return text


def evidence_row(index: int, evidence: Evidence) -> Row:
    """A piece of evidence as a row (keyed by its position in the list)."""
    quote = Text(inert_line(evidence.quote)) if evidence.quote is not None else Text("(the whole source)", style="dim italic")
    return Row(str(index), {
        "stance": Text(evidence.stance, style=STANCE_STYLES.get(evidence.stance, "")),
        "source": evidence.source_title,
        "outlet": evidence.outlet or "",
        "published": evidence.published or "",
        "reliability": evidence.reliability or "",
        "quote": quote,
    })
