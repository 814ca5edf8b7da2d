"""How claims and their evidence look on the Claims screens: table rows and summaries.

Statements, titles and quotes come from the case file and are untrusted: they go into
``rich.text.Text`` after ``inert_line``, never into markup.
"""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text

from evidence_tui.domain.claims import RELIABILITY, Evidence
from evidence_tui.domain.models import Claim
from evidence_tui.textsafety import inert_line
from evidence_tui.tui.widgets.virtual_table import Column, Row
from evidence_tui.words import sources_in_outlets

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

# Supporting evidence (excerpts, then the distinct sources and outlets behind them), then the
# contradicting evidence likewise; the best grade and the dates describe the supporting sources.
CLAIM_COLUMNS = [
    Column("statement", "Claim"),
    Column("type", "Type", 14, min_width=6),
    Column("credibility", "Cred.", 5, "right"),
    Column("supporting", "For", 4, "right"),
    Column("sources", "Src", 4, "right"),
    Column("outlets", "Outlets", 12),
    Column("contradicting", "Against", 8, "right", min_width=7),
    Column("sources_against", "Src", 4, "right", drop_below=100),
    Column("outlets_against", "Out", 4, "right", drop_below=100),
    Column("reliability", "Rel.", 5),
    Column("earliest", "Earliest", 10, drop_below=100),
    Column("latest", "Latest", 10, drop_below=100),
]

# The column each order of the Claims screen sorts by (marked ▾ in the header).
SORTED_COLUMN = {
    "statement": "statement",
    "sources": "sources",
    "outlets": "outlets",
    "weakest": "outlets",
    "supporting": "supporting",
    "contradicting": "contradicting",
    "reliability": "reliability",
    "earliest": "earliest",
    "latest": "latest",
}


def claim_columns(order: str) -> list[Column]:
    """The claims table's columns, the one ``order`` sorts by marked with ▾ (▴ for weakest first)."""
    key = SORTED_COLUMN.get(order)
    mark = "▴" if order == "weakest" else "▾"
    return [replace(c, label=c.label + mark) if c.key == key else c for c in CLAIM_COLUMNS]


EVIDENCE_COLUMNS = [
    Column("stance", "Stance", 11),
    Column("source", "Source", 30, min_width=12),
    Column("outlet", "Outlet", 16, min_width=8),
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
    mark = claim.corroboration_mark
    if mark is None:
        return Text(str(claim.outlets))
    return Text.assemble(f"{claim.outlets} ", (mark, "#1e1e1e on #e06c75" if claim.unsupported else "#1e1e1e on #e5c07b"))


def dates_text(earliest: str | None, latest: str | None) -> str:
    """``2024-06-15`` or ``2022-10 to 2024-10-02`` (publication dates of the evidence, at their precision)."""
    if not earliest and not latest:
        return ""
    if earliest == latest or not latest:
        return earliest or ""
    return f"{earliest or '…'} to {latest}"


def reliability_text(grade: str | None) -> str:
    """``B usually reliable``, or an empty string when no supporting source is graded."""
    return f"{grade} {RELIABILITY.get(grade, '?')}" if grade else ""


def _count(value: int) -> Text:
    return Text(str(value), style="" if value else "dim")


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
        "supporting": _count(claim.supporting),
        "sources": _count(claim.sources),
        "outlets": outlets_text(claim),
        "contradicting": Text(str(claim.contradicting), style="bold red" if claim.contradicting else "dim"),
        "sources_against": Text(str(claim.sources_against), style="red" if claim.sources_against else "dim"),
        "outlets_against": Text(str(claim.outlets_against), style="red" if claim.outlets_against else "dim"),
        "reliability": claim.best_reliability or Text("–", style="dim"),
        "earliest": claim.earliest or Text("–", style="dim"),
        "latest": claim.latest or Text("–", style="dim"),
    })


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def claim_summary(claim: Claim) -> Text:
    """A few lines about a claim: the whole statement, its grade, its corroboration, its entities."""
    text = Text(inert_line(claim.statement), style="bold")
    text.append("\n")
    text.append(inert_line(claim.claim_type) if claim.claim_type else "no claim type", style="" if claim.claim_type else "dim")
    text.append(" · credibility ")
    text.append_text(credibility_text(claim.credibility))
    text.append("\nfor: ", style="dim")
    text.append(f"{claim.supporting} excerpt{_s(claim.supporting)}")
    if claim.sources:
        text.append(f" · {sources_in_outlets(claim.sources, claim.outlets, claim.sources_without_outlet)}")
    if claim.best_reliability:
        text.append(f" · best reliability {reliability_text(claim.best_reliability)}")
    dates = dates_text(claim.earliest, claim.latest)
    if dates:
        text.append(f" · published {dates}")
    text.append("\nagainst: ", style="dim")
    text.append(f"{claim.contradicting} excerpt{_s(claim.contradicting)}", style="bold red" if claim.contradicting else "")
    if claim.sources_against:
        text.append(f" · {sources_in_outlets(claim.sources_against, claim.outlets_against)}")
    if claim.unsupported:
        text.append("\nUnsupported: no source supports it yet (attach excerpts in the reader with c).", style="italic red")
    elif claim.outlet_unknown:
        text.append("\nOutlet unknown: no supporting source names its outlet (m in the Library sets it).",
                    style="bold yellow")
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
