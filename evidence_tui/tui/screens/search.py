"""The Search screen (F7, or / where a screen has no filter of its own): FTS5 over everything.

Results appear as you type. Each change of the query (or of a filter) starts an exclusive worker
that waits a moment (typing on cancels it: a debounce), then runs the search on this screen's own
thread and posts a ``Found`` message. Every request carries a generation number: a result whose
generation is not the latest is dropped, and SQLite stops a search as soon as a newer one exists,
so an old, slow query never overwrites a newer one. Only the best ``RESULT_LIMIT`` hits are listed,
with their total count.
"""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input, Static

from evidence_tui.domain import codebook, entities, excerpts, sources
from evidence_tui.domain.filters import ExcerptFilter, filter_names
from evidence_tui.domain.search import (
    KINDS, MARK_END, MARK_START, ORDERS, HitCounts, SearchCancelled, SearchHit, count_hits, first_match_offset, search,
)
from evidence_tui.errors import EvidenceError
from evidence_tui.store import CaseFile
from evidence_tui.textsafety import inert_line
from evidence_tui.tui.date_range import ask_date_range
from evidence_tui.tui.screens.base import EvidenceScreen, Footer
from evidence_tui.tui.screens.excerpts import SOURCE_PICKER_LIMIT
from evidence_tui.tui.screens.picker import Picked, PickerItem, PickerScreen
from evidence_tui.tui.widgets.excerpts_rows import STATUS_CYCLE
from evidence_tui.tui.widgets.query_input import QueryInput
from evidence_tui.tui.widgets.virtual_table import CallbackSource, Column, Row, VirtualTable

# How long typing must pause before the query runs, and how many hits are listed at most.
DEBOUNCE_SECONDS = 0.15
RESULT_LIMIT = 1000
# Counting stops here: a word in every article says "10,000+" instead of scanning the whole index.
COUNT_CAP = 10_000

# What K cycles through: both kinds, sources only, excerpts only.
KIND_CYCLE: tuple[tuple[str, ...], ...] = (KINDS, ("source",), ("excerpt",))

MATCH_STYLE = "bold reverse"
# At most this many characters of a snippet come before its first match.
LEAD_CHARS = 24

SEARCH_COLUMNS = [
    Column("kind", "Kind", 8),
    Column("snippet", "Match"),
    Column("title", "Source", 28, min_width=12),
    Column("outlet", "Outlet", 16, min_width=8),
    Column("date", "Published", 10),
]

HINT = (
    ("army contract", "both words, anywhere in a source or excerpt"),
    ('"army contract"', "the exact phrase"),
    ("army OR navy", "either word"),
    ("army NOT contract", "the first word, without the second"),
    ("deport*", "words starting with deport"),
)

_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class SearchRequest:
    """What to search for: the query, which kinds of record, and the export-style filter."""

    query: str
    kinds: tuple[str, ...] = KINDS
    within: ExcerptFilter = field(default_factory=ExcerptFilter)
    order: str = "newest"  # or "best" (see domain.search.ORDERS)


@dataclass(frozen=True)
class SearchOutcome:
    """What a search found: the best hits and the counts, or the plain reason it could not run."""

    hits: tuple[SearchHit, ...] = ()
    counts: HitCounts | None = None  # None while they are being counted (the hits come first)
    labels: dict[str, list[str]] = field(default_factory=dict)
    error: str | None = None


def run_search(case: CaseFile, request: SearchRequest, cancelled) -> SearchOutcome | None:
    """Run a search (on a worker thread): the hits and the filter's names (``run_count`` counts).

    Returns None when ``cancelled()`` says a newer request exists; bad queries and filters come
    back as ``error``, never raised.
    """
    if cancelled():
        return None
    try:
        labels = filter_names(case, request.within)
        hits = search(case, request.query, limit=RESULT_LIMIT, kinds=request.kinds, within=request.within,
                      cancelled=cancelled, order=request.order)
    except SearchCancelled:
        return None
    except EvidenceError as error:
        return SearchOutcome(error=str(error))
    return SearchOutcome(tuple(hits), None, labels)


def run_count(case: CaseFile, request: SearchRequest, cancelled) -> HitCounts | None:
    """Count a search's hits up to ``COUNT_CAP`` (on a worker thread); None when cancelled or refused."""
    try:
        return count_hits(case, request.query, kinds=request.kinds, within=request.within, cancelled=cancelled,
                          cap=COUNT_CAP)
    except (SearchCancelled, EvidenceError):
        return None


def snippet_text(snippet: str, *, lead: int = LEAD_CHARS) -> Text:
    """A snippet as inert one-line Text, the matched words styled (markers never reach the screen).

    At most ``lead`` characters come before the first match, so it shows in a narrow column.
    """
    snippet = _SPACES.sub(" ", snippet)
    first = snippet.find(MARK_START)
    if first > lead:
        cut = snippet.find(" ", first - lead, first)
        snippet = "…" + snippet[(cut + 1 if cut >= 0 else first - lead):]
    text = Text(no_wrap=True)
    for i, part in enumerate(snippet.split(MARK_START)):
        match, _, rest = part.partition(MARK_END) if i else ("", "", part)
        if match:
            text.append(inert_line(match), style=MATCH_STYLE)
        text.append(inert_line(rest.replace(MARK_END, "")))
    return text


def hit_row(hit: SearchHit) -> Row:
    """A hit as a table row, keyed ``kind:id``."""
    return Row(f"{hit.kind}:{hit.id}", {
        "kind": Text(hit.kind, style="dim" if hit.kind == "source" else "italic"),
        "snippet": snippet_text(hit.snippet or ""),
        "title": hit.title,
        "outlet": hit.outlet or "",
        "date": hit.published or "",
    })


class SearchScreen(EvidenceScreen):
    """Search every source and excerpt as you type; Enter opens the reader at the hit."""

    TITLE_TEXT = "Search"
    CSS_PATH = "search.tcss"
    BINDINGS = [
        Binding("slash", "focus_query", "Query", key_display="/", id="search.query",
                tooltip="Edit the search query (results follow as you type)"),
        Binding("down", "to_results", "Results", show=False, id="search.results", tooltip="Move from the query to the results"),
        Binding("T", "filter_type", "Type", id="search.type", tooltip="Only excerpts of a claim type (picker)"),
        Binding("E", "filter_entity", "Entity", show=False, id="search.entity", tooltip="Only excerpts about an entity (picker)"),
        Binding("S", "filter_source", "Source", show=False, id="search.source", tooltip="Only hits in one source (picker)"),
        Binding("R", "filter_status", "Status", id="search.status",
                tooltip="Only excerpts that are unreviewed / accepted / rejected / flagged (cycles)"),
        Binding("D", "filter_dates", "Dates", id="search.dates", tooltip="Only hits in sources published in a date range"),
        Binding("K", "cycle_kinds", "Kinds", id="search.kinds", tooltip="Search sources and excerpts, sources only, or excerpts only (cycles)"),
        Binding("O", "toggle_order", "Order", id="search.order",
                tooltip="The latest imported sources and marked excerpts first, or the best matches first (ranking every match takes longer on a big case)"),
        Binding("F", "clear_filters", "Clear filters", show=False, id="search.clear", tooltip="Clear every filter (the query stays)"),
    ]

    class Found(Message):
        """A search finished (posted by the worker; the screen shows it if it is still the latest)."""

        def __init__(self, generation: int, request: SearchRequest, outcome: SearchOutcome) -> None:
            super().__init__()
            self.generation = generation
            self.request = request
            self.outcome = outcome

    def __init__(self) -> None:
        super().__init__()
        self.request = SearchRequest("")
        self.generation = 0
        self.hits: tuple[SearchHit, ...] = ()
        self._shown: SearchRequest | None = None
        # One thread (one SQLite connection) for searches: they never wait behind writes, and a
        # worker thread per keystroke would open a connection per keystroke.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="evidence-search")

    def compose(self) -> ComposeResult:
        """The query, a status line, the results (or the syntax hint), the footer."""
        yield from self.compose_frame()
        yield QueryInput(placeholder='search: words, "a phrase", OR, NOT, prefix*   (escape: to the results)',
                    id="search-input", classes="filter-box")
        yield Static(id="search-status", classes="status-line")
        yield VirtualTable(SEARCH_COLUMNS, empty_text="Nothing matches.", id="search-results")
        yield Static(self._hint(), id="search-hint")
        yield Footer()

    @property
    def input(self) -> Input:
        """The query box."""
        return self.query_one("#search-input", Input)

    @property
    def table(self) -> VirtualTable:
        """The results."""
        return self.query_one("#search-results", VirtualTable)

    def on_mount(self) -> None:
        """Show the hint and focus the query box."""
        super().on_mount()
        self._show_empty()
        self.input.focus()

    def on_unmount(self) -> None:
        """Stop the search thread."""
        self._executor.shutdown(wait=False, cancel_futures=True)

    def on_screen_resume(self) -> None:
        """Search again (the case may have changed); with no query, focus the query box."""
        super().on_screen_resume()
        if not self.request.query.strip():
            self.input.focus()

    # -- searching ---------------------------------------------------------------------------

    def reload(self) -> None:
        """Run the current search again, at once (after a change to the case file)."""
        self._start(self.request, delay=0)

    def _start(self, request: SearchRequest, *, delay: float = DEBOUNCE_SECONDS) -> None:
        self.request = request
        self.generation += 1
        if not request.query.strip():
            self.workers.cancel_group(self, "search")
            self._show_empty()
            return
        self._search(request, self.generation, delay)

    @work(exclusive=True, group="search")
    async def _search(self, request: SearchRequest, generation: int, delay: float) -> None:
        # Typing on within ``delay`` cancels this worker here (exclusive): the debounce.
        if delay:
            await asyncio.sleep(delay)
        stale = lambda: self.generation != generation  # noqa: E731 - polled by SQLite
        outcome = await asyncio.wrap_future(self._executor.submit(partial(run_search, self.case, request, stale)))
        if outcome is None:
            return
        # The hits first; their count (a common word: up to COUNT_CAP matches read) follows.
        self.post_message(self.Found(generation, request, outcome))
        if outcome.error is None:
            counts = await asyncio.wrap_future(self._executor.submit(partial(run_count, self.case, request, stale)))
            if counts is not None:
                self.post_message(self.Found(generation, request, replace(outcome, counts=counts)))

    @on(Found)
    def _found(self, message: Found) -> None:
        if message.generation != self.generation:  # a newer query is on its way: drop this one
            return
        outcome, request = message.outcome, message.request
        status = self.query_one("#search-status", Static)
        self.query_one("#search-hint").display = False
        self.table.display = True
        if outcome.error is not None:
            self.hits = ()
            self._shown = None
            self.table.set_source(CallbackSource(lambda: 0, lambda offset, limit: []), count=0)
            # The query is in the box above: say only what is wrong with it (one line at 80 columns+).
            message = outcome.error.removeprefix(f"cannot search for {request.query.strip()!r}: ")
            if message != outcome.error:
                message = f"Can't search: {message}"
            status.update(Text(inert_line(message), style="bold red"))
            return
        if outcome.hits is not self.hits:  # not only the count of the hits shown
            self.hits = outcome.hits
            hits = outcome.hits
            same = request == self._shown  # the same search again (after a change): keep the cursor
            self._shown = request
            self.table.set_source(CallbackSource(lambda: len(hits), lambda offset, limit: [hit_row(h) for h in hits[offset:offset + limit]]),
                                  count=len(hits), keep_cursor=same)
        status.update(self._status_line(request, outcome))

    def _show_empty(self) -> None:
        self.hits = ()
        self._shown = None
        self.table.set_source(CallbackSource(lambda: 0, lambda offset, limit: []), count=0)
        self.table.display = False
        self.query_one("#search-hint").display = True
        self.query_one("#search-status", Static).update(self._filters_text(self.request, {}) or Text("Type to search.", style="dim"))

    def _status_line(self, request: SearchRequest, outcome: SearchOutcome) -> Text:
        counts, shown = outcome.counts, len(outcome.hits)
        if counts is None:  # the hits are here; their count is on its way
            line = Text(f"{shown:,}{'+' if shown >= RESULT_LIMIT else ''} hit{'' if shown == 1 else 's'}", style="bold")
            line.append(" (counting…)", style="dim italic")
        else:
            plus = "+" if counts.capped else ""
            line = Text(f"{counts.total:,}{plus} hit{'' if counts.total == 1 and not plus else 's'}", style="bold")
            parts = []
            if "source" in request.kinds:
                parts.append(f"{counts.sources:,}{'+' if counts.sources_capped else ''} in sources")
            if "excerpt" in request.kinds:
                parts.append(f"{counts.excerpts:,}{'+' if counts.excerpts_capped else ''} in excerpts")
            line.append(f" ({', '.join(parts)})")
            if counts.total > shown:
                line.append(f" · the {'best' if request.order == 'best' else 'latest added'} {shown:,} listed", style="dim")
        # "Latest added", not "newest": the order is by import (sources) and marking (excerpts),
        # which the Published column beside it could be mistaken for.
        line.append(" · best matches first" if request.order == "best" else " · latest added first", style="dim")
        filters = self._filters_text(request, outcome.labels)
        if filters:
            line.append(" · ")
            line.append_text(filters)
        return line

    def _filters_text(self, request: SearchRequest, labels: dict[str, list[str]]) -> Text | None:
        f = request.within
        parts: list[tuple[str, str]] = []
        if request.kinds != KINDS:
            parts.append(("only", f"{request.kinds[0]}s"))
        for key, what in (("claim_types", "type"), ("entities", "entity"), ("sources", "source")):
            names = labels.get(key) or list(getattr(f, key))
            if names:
                parts.append((what, " or ".join(names)))
        if f.statuses:
            parts.append(("status", " or ".join(f.statuses)))
        if f.date_from or f.date_to:
            parts.append(("published", f"{f.date_from or '…'} to {f.date_to or '…'}"))
        if not parts:
            return None
        text = Text()
        for i, (what, value) in enumerate(parts):
            if i:
                text.append(" · ")
            text.append(f"{what}: ", style="dim")
            text.append(inert_line(value))
        text.append("   F clears", style="dim italic")
        return text

    @staticmethod
    def _hint() -> Text:
        hint = Text("Type to search every source and excerpt; results appear as you type, the latest added first (O: best matches first).\n\n")
        for example, meaning in HINT:
            hint.append(f"  {example:<22}", style="bold")
            hint.append(f"{meaning}\n")
        hint.append("\nEnter or escape: to the results · Enter on a result: open it in the reader at the match\n", style="dim")
        hint.append("In the results: T claim type · E entity · S source · R status · D dates · K kinds · O order · F clears filters",
                    style="dim")
        return hint

    @on(Input.Changed, "#search-input")
    def _query_changed(self, event: Input.Changed) -> None:
        if event.value != self.request.query:
            self._start(replace(self.request, query=event.value))

    @on(Input.Submitted, "#search-input")
    def _query_done(self) -> None:
        self.action_to_results()

    # -- moving and opening -------------------------------------------------------------------

    def action_focus_query(self) -> None:
        """Focus the query box (its text selected, so typing replaces it)."""
        self.input.focus()
        self.input.select_all()

    def action_to_results(self) -> None:
        """Focus the results (when there are any)."""
        if self.table.display:
            self.table.focus()

    def action_back(self) -> None:
        """Escape in the query box goes to the results; otherwise leave the screen."""
        if self.input.has_focus and self.request.query.strip():
            self.table.focus()
            return
        super().action_back()

    def current_hit(self) -> SearchHit | None:
        """The hit under the results' cursor."""
        row = self.table.current_row
        return None if row is None else self.hits[self.table.cursor_row]

    @on(VirtualTable.RowSelected, "#search-results")
    def _open(self, event: VirtualTable.RowSelected) -> None:
        hit = self.current_hit()
        if hit is None or f"{hit.kind}:{hit.id}" != event.row.key:
            return
        if hit.kind == "excerpt":
            try:
                excerpt = excerpts.get_excerpt(self.case, hit.id)
            except EvidenceError as error:
                self.notify(inert_line(str(error)), severity="error", markup=False)
                return
            self._open_reader(excerpt.source_id, excerpt.start)
            return
        query = (self._shown or self.request).query
        self.submit(first_match_offset, hit.source_id, query, changed=False,
                    then=lambda offset: self._open_reader(hit.source_id, offset or 0))

    def _open_reader(self, source_id: str, offset: int) -> None:
        from evidence_tui.tui.screens.reader import ReaderScreen

        if self.is_current:
            self.app.push_screen(ReaderScreen(source_id, cursor=offset))

    # -- filters ----------------------------------------------------------------------------

    def _filter(self, **changes) -> None:
        self._start(replace(self.request, within=replace(self.request.within, **changes)), delay=0)

    def action_filter_type(self) -> None:
        """Choose a claim type: only excerpts tagged with it are listed."""
        items = [PickerItem("", "any claim type", "clear this filter")]
        items += [PickerItem(t.id, t.name, f"{t.hotkey or ' '}  {t.excerpt_count} excerpts", t.colour)
                  for t in codebook.list_types(self.case)]
        self.app.push_screen(PickerScreen("Search only excerpts of the claim type", items), partial(self._picked, "claim_types"))

    def action_filter_entity(self) -> None:
        """Choose an entity: only excerpts linked to it are listed."""
        self.submit(entities.list_entities, changed=False, then=self._pick_entity)

    def _pick_entity(self, listed) -> None:
        items = [PickerItem("", "any entity", "clear this filter")]
        items += [PickerItem(e.id, e.name, f"{e.kind} · {e.excerpt_count} excerpts") for e in listed]
        self.app.push_screen(PickerScreen("Search only excerpts about the entity", items), partial(self._picked, "entities"))

    def action_filter_source(self) -> None:
        """Choose a source (the hit's own first): only hits in it are listed."""
        hit = self.current_hit()
        self.submit(partial(sources.list_sources, order="excerpts", limit=SOURCE_PICKER_LIMIT), changed=False,
                    then=partial(self._pick_source, hit))

    def _pick_source(self, hit: SearchHit | None, listed) -> None:
        items = [PickerItem("", "any source", "clear this filter")]
        if hit is not None:
            items.append(PickerItem(hit.source_id, hit.title, "this hit's source"))
        items += [PickerItem(s.id, s.title, " · ".join(d for d in (s.outlet, s.published, f"{s.excerpt_count} excerpts") if d))
                  for s in listed if hit is None or s.id != hit.source_id]
        self.app.push_screen(PickerScreen("Search only in the source", items), partial(self._picked, "sources"))

    def _picked(self, name: str, picked: Picked | None) -> None:
        if picked is not None:
            self._filter(**{name: (picked.value,) if picked.value else ()})

    def action_filter_status(self) -> None:
        """Cycle the review status of the excerpts listed: any, unreviewed, accepted, rejected, flagged."""
        statuses = self.request.within.statuses
        current = statuses[0] if len(statuses) == 1 else None
        following = STATUS_CYCLE[(STATUS_CYCLE.index(current) + 1) % len(STATUS_CYCLE)] if current in STATUS_CYCLE else None
        self._filter(statuses=(following,) if following else ())

    def action_filter_dates(self) -> None:
        """Ask for a publication date range (2024, 2024-03..2024-06, ..2023)."""
        f = self.request.within
        ask_date_range(self, f.date_from, f.date_to, lambda start, end: self._filter(date_from=start, date_to=end))

    def action_cycle_kinds(self) -> None:
        """Search sources and excerpts, then sources only, then excerpts only."""
        following = KIND_CYCLE[(KIND_CYCLE.index(self.request.kinds) + 1) % len(KIND_CYCLE)]
        self._start(replace(self.request, kinds=following), delay=0)

    def action_toggle_order(self) -> None:
        """List the latest added hits first (sources by import, excerpts by marking), or the best matches (bm25) first."""
        following = ORDERS[(ORDERS.index(self.request.order) + 1) % len(ORDERS)]
        self._start(replace(self.request, order=following), delay=0)

    def action_clear_filters(self) -> None:
        """Clear every filter and search both kinds again (the query stays)."""
        self._start(replace(self.request, kinds=KINDS, within=ExcerptFilter()), delay=0)
