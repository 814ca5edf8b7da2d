"""How an excerpt looks as a row of the Excerpts screen's table, and its filter as one line.

Everything here comes from the case file, so it is untrusted: text goes into ``rich.text.Text``
after ``inert_line`` (control characters made visible), never into markup.
"""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text

from evidence_tui.domain.filters import ExcerptFilter
from evidence_tui.domain.models import ClaimType, Excerpt
from evidence_tui.textsafety import clip, inert_line
from evidence_tui.tui.widgets.virtual_table import Column, Row

# The review statuses in the order R cycles through them (None: every status).
STATUS_CYCLE: tuple[str | None, ...] = (None, "unreviewed", "accepted", "rejected", "flagged")

STATUS_STYLES = {
    "unreviewed": "dim",
    "accepted": "green",
    "rejected": "red",
    "flagged": "bold yellow",
}

EXCERPT_COLUMNS = [
    Column("quote", "Quote"),
    Column("source", "Source", 20, min_width=10),
    Column("types", "Claim types", 22, min_width=12),
    Column("entities", "Entities", 16, min_width=8),
    Column("status", "Status", 10),
    Column("created", "Created", 10),
]


def claim_types_text(types: tuple[ClaimType, ...] | list[ClaimType]) -> Text:
    """Claim type names, each after a swatch of its codebook colour.

    The names themselves keep the row's colour, so they stay readable under the cursor.
    """
    text = Text()
    for number, claim_type in enumerate(types):
        if number:
            text.append(" ")
        text.append("■ ", style=claim_type.colour or "")
        text.append(inert_line(claim_type.name))
    return text


def status_text(status: str) -> Text:
    """A review status in its colour."""
    return Text(status, style=STATUS_STYLES.get(status, ""))


def excerpt_row(excerpt: Excerpt) -> Row:
    """An excerpt as a table row (keyed by its id)."""
    quote = Text(inert_line(excerpt.quote))
    if excerpt.note:
        quote.append(" ✎", style="yellow")
    return Row(excerpt.id, {
        "quote": quote,
        "source": excerpt.source_title or "",
        "types": claim_types_text(excerpt.claim_types),
        "entities": ", ".join(e.name for e in excerpt.entities),
        "status": status_text(excerpt.review_status),
        "created": excerpt.created_at[:10],
    })


def excerpt_count(n: int) -> str:
    """``n`` (with thousands separators) and "excerpt" or "excerpts"."""
    return f"{n:,} excerpt{'' if n == 1 else 's'}"


# Characters of a record's name (a source title, a claim) shown in the status line's filters.
FILTER_NAME_WIDTH = 32


def filter_line(f: ExcerptFilter, labels: dict[str, list[str]], total: int, *, counting: bool = False) -> StatusLine:
    """The status line: the count and each active filter by name; at the right, the key that
    clears them (or, with none, the keys that set them).

    ``counting``: ``total`` is only what is shown so far (the first page); the count is on its way.
    """
    if counting:
        line = Text(f"{total:,}+ excerpts", style="bold")
        line.append(" (counting…)", style="dim italic")
    else:
        line = Text(excerpt_count(total), style="bold")
    count_cells = line.cell_len
    parts: list[tuple[str, str]] = []
    for key, what in (("claim_types", "type"), ("entities", "entity"), ("sources", "source"), ("claims", "claim")):
        names = labels.get(key) or list(getattr(f, key))
        if names:  # each name cut short: a long title must not push the other filters off the line
            parts.append((what, " or ".join(clip(name, FILTER_NAME_WIDTH) for name in names)))
    if f.statuses:
        parts.append(("status", " or ".join(f.statuses)))
    if f.date_from or f.date_to:
        parts.append(("published", f"{f.date_from or '…'} to {f.date_to or '…'}"))
    if f.text and f.text.strip():
        parts.append(("words", f"'{f.text.strip()}'"))
    for what, value in parts:
        line.append(" · ")
        line.append(f"{what}: ", style="dim")
        line.append(inert_line(value))
    hint = "F clears the filters" if parts else "filter: / words · T type · 1-9 type by key · E entity · S source · R status · D dates"
    return StatusLine(line, Text(hint, style="dim italic"), keep=count_cells)


class StatusLine:
    """One line: ``left`` cut with "…" where it would run into ``right``, which always shows whole
    at the right edge (the key that clears the filters must not fall off a long line)."""

    def __init__(self, left: Text, right: Text, keep: int = 0) -> None:
        self.left, self.right = left, right
        self.keep = keep  # the left's first cells (the count) show whole before the right does

    @property
    def plain(self) -> str:
        """The line's text, the two sides three spaces apart."""
        return f"{self.left.plain}   {self.right.plain}"

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        right = self.right.copy()
        right.truncate(max(0, width - min(self.keep, self.left.cell_len) - 3), overflow="ellipsis")
        room = max(0, width - right.cell_len - 3)
        left = self.left.copy()
        left.truncate(room, overflow="ellipsis")
        line = Text.assemble(left, " " * (width - left.cell_len - right.cell_len), right, end="")
        yield line
