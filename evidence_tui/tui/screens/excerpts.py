"""The Excerpts screen: every excerpt of the case file, filtered, reviewed and opened in the reader.

A case file can hold a million excerpts, so the table is a ``VirtualTable``: the matching excerpts
are counted in a worker thread and only the pages on screen are fetched. Filters combine (type and
entity and status ...); the status line names them with the count.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from functools import partial

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import Input, Static
from textual.worker import get_current_worker

from evidence_tui.domain import codebook, entities, excerpts, history, sources
from evidence_tui.domain.filters import ExcerptFilter, filter_names
from evidence_tui.domain.models import Excerpt
from evidence_tui.domain.review import ReviewQueue
from evidence_tui.errors import EvidenceError
from evidence_tui.textsafety import inert_line
from evidence_tui.tui.collector import CollectorPause
from evidence_tui.tui.date_range import ask_date_range
from evidence_tui.tui.excerpt_actions import delete_question
from evidence_tui.tui.screens.base import EvidenceScreen, Footer
from evidence_tui.tui.screens.picker import Picked, PickerItem, PickerScreen
from evidence_tui.tui.screens.prompt import ConfirmScreen
from evidence_tui.tui.widgets.excerpts_rows import EXCERPT_COLUMNS, STATUS_CYCLE, excerpt_count, excerpt_row, filter_line
from evidence_tui.tui.widgets.virtual_table import PAGE_SIZE, CallbackSource, VirtualTable

# How many sources the source picker offers (those with the most excerpts first).
SOURCE_PICKER_LIMIT = 1000
# How long a count waits for a new filter's first rows to be drawn before it starts anyway (s).
FIRST_DRAW_WAIT = 0.25
NO_EXCERPTS = "No excerpts here. Mark some in the reader (F1, Enter on a source)."
NO_MATCHES = "No excerpts match these filters. F clears them."

# When a new filter's first rows are not there after this long, the status line says they are coming (s).
COUNTING_NOTE_AFTER = 0.1


def show_excerpts(app: App, f: ExcerptFilter) -> None:
    """Switch to the Excerpts screen showing the excerpts that match ``f``.

    Like ``app.switch_mode("excerpts"); app.screen.show_filter(f)``, but also closes a reader (or
    anything else) left open on top of the Excerpts screen, so ``app.screen`` is the right one.
    """
    app.switch_mode("excerpts")
    while not isinstance(app.screen, ExcerptsScreen) and len(app.screen_stack) > 1:
        app.pop_screen()
    screen = app.screen
    if isinstance(screen, ExcerptsScreen):
        screen.show_filter(f)


class ExcerptsScreen(EvidenceScreen):
    """Every excerpt: filter (/ T 1-9 E S R, F clears), review (a r f), delete (x), open (Enter).

    Other screens open it pre-filtered (the Codebook's "excerpts of this type", say) with::

        self.app.switch_mode("excerpts")
        self.app.screen.show_filter(ExcerptFilter(claim_types=(type_id,)))

    or with ``show_excerpts(self.app, ExcerptFilter(...))`` from this module, which also closes a
    reader left open on top of this screen first.
    """

    TITLE_TEXT = "Excerpts"
    CSS_PATH = "excerpts.tcss"
    BINDINGS = [
        Binding("slash", "filter_text", "Filter", key_display="/", id="excerpts.filter",
                tooltip="Filter by words in the quote or note as you type"),
        Binding("T", "filter_type", "Type", id="excerpts.type", tooltip="Show only excerpts of a claim type (picker)"),
        *(Binding(str(n), f"filter_hotkey({n})", f"Type {n}", show=False, id=f"excerpts.type{n}",
                  tooltip=f"Show only excerpts of the claim type on key {n} (again: all types)") for n in range(1, 10)),
        Binding("E", "filter_entity", "Entity", show=False, id="excerpts.entity", tooltip="Show only excerpts about an entity (picker)"),
        Binding("S", "filter_source", "Source", show=False, id="excerpts.source", tooltip="Show only excerpts of a source (picker)"),
        Binding("R", "filter_status", "Status", show=False, id="excerpts.status",
                tooltip="Show all / unreviewed / accepted / rejected / flagged excerpts (cycles)"),
        Binding("D", "filter_dates", "Dates", show=False, id="excerpts.dates",
                tooltip="Show only excerpts of sources published in a date range (2024, 2024-03..2024-06, ..2023)"),
        Binding("F", "clear_filters", "Clear filters", show=False, id="excerpts.clear", tooltip="Clear every filter"),
        Binding("a", "review('accepted')", "Accept", id="excerpts.accept", tooltip="Accept the excerpt under the cursor and go to the next"),
        Binding("r", "review('rejected')", "Reject", id="excerpts.reject", tooltip="Reject the excerpt under the cursor and go to the next"),
        Binding("f", "review('flagged')", "Flag", id="excerpts.flag", tooltip="Flag the excerpt under the cursor for another look and go to the next"),
        Binding("v", "review_these", "Review these", id="excerpts.review_these",
                tooltip="Start a review session on the excerpts this filter shows (F6)"),
        Binding("x", "delete", "Delete", id="excerpts.delete", tooltip="Delete the excerpt under the cursor (asks first; u brings it back)"),
        Binding("u", "undo", "Undo", show=False, id="excerpts.undo", tooltip="Undo your last change"),
        Binding("ctrl+e", "export", "Export", show=False, id="excerpts.export",
                tooltip="Export the excerpts this filter shows to a CSV or JSON file"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filter = ExcerptFilter()
        self.filter_names: dict[str, list[str]] = {}
        self._shown_filter: ExcerptFilter | None = None
        self._ready = False
        self._counting_note: Timer | None = None  # "counting…" on the status line, when the rows are slow
        self._collector = CollectorPause(self)  # no garbage collection between a new filter and its rows

    def compose(self) -> ComposeResult:
        """A filter box (hidden until /), the table and a status line."""
        yield from self.compose_frame()
        yield Input(self.filter.text or "", placeholder="filter: words in the quote or note (escape to close)",
                    id="excerpts-filter", classes="filter-box" if self.filter.text else "filter-box hidden")
        yield VirtualTable(EXCERPT_COLUMNS, empty_text=NO_EXCERPTS, id="excerpts-table")
        yield Static(id="excerpts-status", classes="status-line")
        yield Footer()

    @property
    def table(self) -> VirtualTable:
        """The excerpts table."""
        return self.query_one("#excerpts-table", VirtualTable)

    @property
    def filter_box(self) -> Input:
        """The words filter."""
        return self.query_one("#excerpts-filter", Input)

    def on_mount(self) -> None:
        """Count and show the excerpts, and focus the table."""
        super().on_mount()
        self._ready = True
        self.reload()
        self.table.focus()

    def on_unmount(self) -> None:
        """Turn the garbage collector back on if a filter's rows were still on their way."""
        self._collector.end()

    # -- loading --------------------------------------------------------------------------------

    def reload(self) -> None:
        """Count the excerpts matching the filter in the background, then show them."""
        if self._ready:
            # A new filter shows its first page before its count; the same one again (after a
            # change) waits for the count, so the cursor keeps its place further down.
            self._count(self.filter, early=self.filter != self._shown_filter, first_rows=self._first_rows())

    def _first_rows(self) -> int:
        """How many rows to read first: those on screen and one more, so the scrollbar stays while
        counting (the table reads the rest of its first page when it needs it)."""
        visible = self.table.visible_rows
        return visible + 1 if 0 < visible < PAGE_SIZE else PAGE_SIZE

    @work(thread=True, exclusive=True, group="excerpts-count")
    def _count(self, f: ExcerptFilter, early: bool = True, first_rows: int = PAGE_SIZE) -> None:
        # The rows on screen are shown as soon as they are read; counting a million rows (or
        # matching words) takes longer, so the count follows when it is done. Never on the UI thread.
        worker = get_current_worker()
        try:
            labels = filter_names(self.case, f)
            first = [excerpt_row(e) for e in excerpts.list_excerpts(self.case, f, limit=first_rows, offset=0)]
            if len(first) < first_rows:  # all of them fit on screen: that is the count
                total = len(first)
            else:
                if worker.is_cancelled:
                    return
                if early:
                    drawn = threading.Event()
                    self.app.call_from_thread(self._show, f, None, labels, first, drawn)
                    # Counting beside the first draw (on two cores, with other work) slows the
                    # draw: the count starts once the rows are on screen.
                    drawn.wait(FIRST_DRAW_WAIT)
                    if worker.is_cancelled:
                        return
                total = excerpts.count_excerpts(self.case, f)
        except EvidenceError as error:
            if not worker.is_cancelled:
                self.app.call_from_thread(self._show_error, f, str(error))
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show, f, total, labels, first)

    def _show(self, f: ExcerptFilter, total: int | None, labels: dict[str, list[str]], first: list,
              drawn: threading.Event | None = None) -> None:
        """Show a filter's rows: ``total`` None while they are still being counted.

        ``drawn`` is set once they are on screen (at once when they are not shown).
        """
        if f != self.filter:  # a newer filter is being counted
            if drawn is not None:
                drawn.set()
            return
        self._stop_counting_note()
        case = self.case
        known = len(first) if total is None else total

        def fetch(offset: int, limit: int):
            try:
                return [excerpt_row(e) for e in excerpts.list_excerpts(case, f, limit=limit, offset=offset, total=total)]
            except EvidenceError:  # a filtered record was deleted meanwhile; the next count says so
                return []

        self.filter_names = labels
        # The same filter again (after a change, or its count arriving): keep the cursor; a new
        # filter starts at the top.
        same = f == self._shown_filter
        self._shown_filter = f
        self.table.empty_text = NO_EXCERPTS if f.is_empty() else NO_MATCHES
        self.table.set_source(CallbackSource(lambda: known, fetch), count=known, keep_cursor=same, first_page=first)
        self.table.when_drawn(self._collector.end)
        if drawn is not None:
            self.table.when_drawn(drawn.set)
        # layout=False: the status line is one line high whatever it says (no relayout of the screen).
        self.query_one("#excerpts-status", Static).update(filter_line(f, labels, known, counting=total is None), layout=False)

    def _show_error(self, f: ExcerptFilter, message: str) -> None:
        if f != self.filter:
            return
        self._stop_counting_note()
        self._collector.end()
        self._shown_filter = None
        self.table.set_source(CallbackSource(lambda: 0, lambda offset, limit: []), count=0)
        line = Text(inert_line(message), style="bold red")
        line.append("   F clears the filters", style="dim italic")
        self.query_one("#excerpts-status", Static).update(line, layout=False)

    def show_filter(self, f: ExcerptFilter) -> None:
        """Show the excerpts matching ``f``, replacing every filter set on this screen.

        Works before the screen is mounted too (right after ``switch_mode`` the first time).
        """
        f = replace(f, text=(f.text or "").strip() or None)
        self._set_filter(f)
        if self._ready:
            box = self.filter_box
            box.value = f.text or ""
            box.set_class(not box.value, "hidden")

    def _set_filter(self, f: ExcerptFilter) -> None:
        if f == self.filter:
            return
        self.filter = f
        self.reload()
        if self._ready:
            # The first rows usually come within a frame or two: a "counting…" drawn at once would
            # hold theirs back a frame (the screen redraws at most every 1/60 s). Said when they are slow.
            self._stop_counting_note()
            self._counting_note = self.set_timer(COUNTING_NOTE_AFTER, self._say_counting)
            self._collector.start()

    def _say_counting(self) -> None:
        self._counting_note = None
        self.query_one("#excerpts-status", Static).update(Text("counting the matching excerpts…", style="dim italic"),
                                                          layout=False)

    def _stop_counting_note(self) -> None:
        if self._counting_note is not None:
            self._counting_note.stop()
            self._counting_note = None

    # -- filters ----------------------------------------------------------------------------

    def action_filter_text(self) -> None:
        """Show the words filter and focus it."""
        box = self.filter_box
        box.remove_class("hidden")
        box.focus()

    @on(Input.Changed, "#excerpts-filter")
    def _text_changed(self, event: Input.Changed) -> None:
        self._set_filter(replace(self.filter, text=event.value.strip() or None))

    @on(Input.Submitted, "#excerpts-filter")
    def _text_done(self) -> None:
        self.table.focus()

    def action_filter_type(self) -> None:
        """Choose a claim type to filter by (or any type)."""
        items = [PickerItem("", "any claim type", "clear this filter")]
        items += [PickerItem(t.id, t.name, f"{t.hotkey or ' '}  {excerpt_count(t.excerpt_count)}", t.colour)
                  for t in codebook.list_types(self.case)]
        self.app.push_screen(PickerScreen("Show excerpts of the claim type", items),
                             partial(self._picked, "claim_types"))

    def action_filter_hotkey(self, hotkey: int) -> None:
        """Filter by the claim type on this number key (pressing it again shows every type)."""
        claim_type = codebook.type_by_hotkey(self.case, hotkey)
        if claim_type is None:
            self.notify(f"No claim type on key {hotkey}: give one a hotkey in the Codebook (F5)", severity="warning")
            return
        chosen = () if self.filter.claim_types == (claim_type.id,) else (claim_type.id,)
        self._set_filter(replace(self.filter, claim_types=chosen))

    def action_filter_entity(self) -> None:
        """Choose an entity to filter by (or any entity)."""
        items = [PickerItem("", "any entity", "clear this filter")]
        items += [PickerItem(e.id, e.name, f"{e.kind} · {excerpt_count(e.excerpt_count)}" + (f" · {', '.join(e.aliases)}" if e.aliases else ""))
                  for e in entities.list_entities(self.case)]
        self.app.push_screen(PickerScreen("Show excerpts about the entity", items), partial(self._picked, "entities"))

    def action_filter_source(self) -> None:
        """Choose a source to filter by (the one under the cursor first, then those with most excerpts)."""
        row = self.table.current_row
        self._pick_source(row.key if row else None)

    @work(thread=True, exclusive=True, group="excerpts-pick")
    def _pick_source(self, excerpt_id: str | None) -> None:
        # Sources can be many (100k): list them off the UI thread, the busiest first, capped.
        case = self.case
        listed = sources.list_sources(case, order="excerpts", limit=SOURCE_PICKER_LIMIT)
        first = None
        if excerpt_id is not None:
            try:
                first = sources.get_source(case, excerpts.get_excerpt(case, excerpt_id).source_id, with_text=False)
            except EvidenceError:
                first = None
        items = [PickerItem("", "any source", "clear this filter")]
        if first is not None:
            items.append(PickerItem(first.id, first.title, "this excerpt's source"))
        items += [PickerItem(s.id, s.title, " · ".join(d for d in (s.outlet, s.published, excerpt_count(s.excerpt_count)) if d))
                  for s in listed if first is None or s.id != first.id]
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(
                self.app.push_screen, PickerScreen("Show excerpts of the source", items), partial(self._picked, "sources"))

    def _picked(self, field: str, picked: Picked | None) -> None:
        if picked is None:
            return
        self._set_filter(replace(self.filter, **{field: (picked.value,) if picked.value else ()}))

    def action_filter_status(self) -> None:
        """Cycle the review status shown: all, unreviewed, accepted, rejected, flagged."""
        current = self.filter.statuses[0] if len(self.filter.statuses) == 1 else None
        following = STATUS_CYCLE[(STATUS_CYCLE.index(current) + 1) % len(STATUS_CYCLE)] if current in STATUS_CYCLE else None
        self._set_filter(replace(self.filter, statuses=(following,) if following else ()))

    def action_filter_dates(self) -> None:
        """Ask for a publication date range and show only the excerpts of sources published in it."""
        ask_date_range(self, self.filter.date_from, self.filter.date_to,
                       lambda start, end: self._set_filter(replace(self.filter, date_from=start, date_to=end)))

    def action_clear_filters(self) -> None:
        """Clear every filter (and the words box)."""
        self.show_filter(ExcerptFilter())
        self.table.focus()

    # -- reviewing, deleting, opening -----------------------------------------------------------

    def _current_id(self) -> str | None:
        row = self.table.current_row
        if row is None:
            self.notify("No excerpt here", severity="warning")
            return None
        return row.key

    def action_review(self, status: str) -> None:
        """Set the review status of the excerpt under the cursor, then move to the next one."""
        excerpt_id = self._current_id()
        if excerpt_id is None:
            return
        self.submit(excerpts.set_status, excerpt_id, status)
        # With a status filter that hides the new status, the next excerpt moves up by itself.
        if not self.filter.statuses or status in self.filter.statuses:
            self.table.move_cursor(self.table.cursor_row + 1)

    def action_review_these(self) -> None:
        """Open the Review screen on this filter (its undecided excerpts; a status filter is kept)."""
        # The Review screen starts on the app's queue (or restarts on it when it was open already).
        self.app.review_queue = ReviewQueue(filter=self.filter, reviewer=self.case.actor)  # type: ignore[attr-defined]
        self.app.switch_mode("review")

    def action_delete(self) -> None:
        """Delete the excerpt under the cursor, after asking."""
        excerpt_id = self._current_id()
        if excerpt_id is None:
            return
        try:
            excerpt = excerpts.get_excerpt(self.case, excerpt_id)
        except EvidenceError as error:
            self.notify(inert_line(str(error)), severity="error", markup=False)
            return
        self.app.push_screen(ConfirmScreen(delete_question(excerpt)), partial(self._confirmed_delete, excerpt))  # type: ignore[arg-type]

    def _confirmed_delete(self, excerpt: Excerpt, yes: bool | None) -> None:
        if yes:
            self.submit(excerpts.delete_excerpt, excerpt.id,
                        then=lambda gone: self.notify(f"Deleted excerpt {gone.short_id} (u to undo)", markup=False))

    def action_export(self) -> None:
        """Open the export dialog, prefilled with this screen's filter."""
        from evidence_tui.tui.screens.export_dialog import ExportDialog

        names = self.filter_names if self._shown_filter == self.filter else None
        self.app.push_screen(ExportDialog(self.filter, names))

    def action_undo(self) -> None:
        """Undo your last change in this case file."""
        self.submit(partial(history.undo_last, only_mine=True),
                    then=lambda op: self.notify("Nothing to undo" if op is None else f"Undone: {inert_line(op.summary or op.name)}", markup=False))

    @on(VirtualTable.RowSelected, "#excerpts-table")
    def _open(self, event: VirtualTable.RowSelected) -> None:
        from evidence_tui.tui.screens.reader import ReaderScreen

        try:
            excerpt = excerpts.get_excerpt(self.case, event.row.key)
        except EvidenceError as error:
            self.notify(inert_line(str(error)), severity="error", markup=False)
            return
        # At the excerpt, not selecting it: the side panel shows it (types, links, note) and 1-9 tag it.
        self.app.push_screen(ReaderScreen(excerpt.source_id, cursor=excerpt.start))

    def action_back(self) -> None:
        """Escape closes the words filter first; otherwise back to the library."""
        box = self.filter_box
        if box.has_focus or (not box.has_class("hidden") and box.value):
            box.value = ""
            box.add_class("hidden")
            self.table.focus()
            return
        super().action_back()
