"""A table that draws only the rows on screen, fetched page by page from the case file.

Textual's DataTable measures every cell it is given (seconds for 10k rows); a case file can hold
100k sources and a million excerpts. This ``ScrollView`` asks a ``RowSource`` for the row count and
for pages of rows as they scroll into view, so opening and scrolling cost the same at any size.

Pages are fetched off the UI thread (one reader thread with its own connection, in order): until a
page arrives its rows are drawn as "…", so a deep page (the End key on a million rows) never
freezes the screen. ``row_at`` and ``current_row`` still answer at once (fetching the page there
and then when it is not here yet) for the screens' actions and the tests.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from evidence_tui.textsafety import inert_line

PAGE_SIZE = 100
CACHED_PAGES = 20
PLACEHOLDER = "…"

# Every table's pages are read by this one thread (lazily started): reads in the order they were
# asked for, on a connection of their own (``CaseFile.db`` is per thread), never on the UI thread.
_page_reader: ThreadPoolExecutor | None = None


def _reader() -> ThreadPoolExecutor:
    global _page_reader
    if _page_reader is None:
        _page_reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="evidence-pages")
    return _page_reader


@dataclass(frozen=True)
class Column:
    """A column: ``key`` into the row's cells, a label, a width (None shares what is left).

    ``min_width``: in a narrow terminal a fixed column gives up cells down to this, so the
    flexible columns (the titles, quotes, statements people read) keep a quarter of the width.
    ``drop_below``: a table narrower than this leaves the column out (one the screen shows
    elsewhere too, e.g. in a summary of the row under the cursor).
    """

    key: str
    label: str
    width: int | None = None
    justify: str = "left"
    min_width: int | None = None
    drop_below: int = 0


@dataclass(frozen=True)
class Row:
    """A row: its record id and its cells (strings, or Text for styled cells)."""

    key: str
    cells: dict[str, str | Text] = field(default_factory=dict)


def column_widths(columns: Sequence[Column], total: int) -> list[int]:
    """The width of each column in ``total`` cells (a space between columns): fixed columns as
    wide as they ask, flexible ones share the rest. When that leaves the flexible ones less than a
    quarter of the width (at least 16 cells each), fixed columns with a ``min_width`` shrink,
    each in proportion to what it can give, until they do."""
    dropped = {i for i, c in enumerate(columns) if total < c.drop_below}
    if dropped:  # the others are laid out as if these were not there; these are 0 wide
        kept = column_widths([c for i, c in enumerate(columns) if i not in dropped], total)
        widths = iter(kept)
        return [0 if i in dropped else next(widths) for i in range(len(columns))]
    widths = [c.width or 0 for c in columns]
    flexible = [i for i, c in enumerate(columns) if c.width is None]
    gaps = len(columns) - 1
    if flexible:
        wanted = max(16 * len(flexible), total // 4)
        deficit = sum(widths) + gaps + wanted - total
        give = {i: c.width - c.min_width for i, c in enumerate(columns)
                if c.width is not None and c.min_width is not None and c.width > c.min_width}
        can = sum(give.values())
        if deficit > 0 and can:
            taken = min(deficit, can)
            for i, room in give.items():
                widths[i] -= room * taken // can
            left = taken - sum(room * taken // can for room in give.values())
            for i in sorted(give, key=lambda i: -give[i]):  # rounding: a cell more from the widest
                if left <= 0:
                    break
                if widths[i] > columns[i].min_width:
                    widths[i] -= 1
                    left -= 1
    share = max(8, (total - sum(widths) - gaps) // max(1, len(flexible)))
    return [share if c.width is None else w for c, w in zip(columns, widths)]


class RowSource(Protocol):
    """Where a table's rows come from (a query with its filter and order)."""

    def count(self) -> int:
        """How many rows there are."""

    def fetch(self, offset: int, limit: int) -> Sequence[Row]:
        """The rows from ``offset``, at most ``limit`` of them."""


class EmptySource:
    """No rows (before the first load)."""

    def count(self) -> int:
        """There are none."""
        return 0

    def fetch(self, offset: int, limit: int) -> Sequence[Row]:
        """There are none."""
        return []


@dataclass
class CallbackSource:
    """A RowSource from two functions (handy for screens: a count and a page fetcher)."""

    counter: Callable[[], int]
    fetcher: Callable[[int, int], Sequence[Row]]

    def count(self) -> int:
        """How many rows there are."""
        return self.counter()

    def fetch(self, offset: int, limit: int) -> Sequence[Row]:
        """The rows from ``offset``."""
        return self.fetcher(offset, limit)


def _fit(plain: str, width: int) -> str:
    """``plain`` cut to ``width`` cells with an ellipsis (as ``Text.truncate(overflow="ellipsis")``)."""
    return plain if cell_len(plain) <= width else set_cell_size(plain, width - 1) + "…"


@dataclass(frozen=True)
class _Draw:
    """What every line of one draw shares: its width, the styles and the column widths."""

    width: int
    base: Style
    header: Style
    cursor: Style
    widths: tuple[int, ...]


class VirtualTable(ScrollView, can_focus=True):
    """Rows from a ``RowSource``, a header that stays put, a cursor row; Enter selects."""

    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False, id="table.up"),
        Binding("down", "cursor(1)", "Down", show=False, id="table.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="table.page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="table.page_down"),
        Binding("home", "edge(-1)", "First", show=False, id="table.first"),
        Binding("end", "edge(1)", "Last", show=False, id="table.last"),
        Binding("enter", "select", "Open", id="table.open", tooltip="Open the row under the cursor"),
    ]

    COMPONENT_CLASSES = {"virtual-table--header", "virtual-table--cursor", "virtual-table--empty"}

    class RowHighlighted(Message):
        """The cursor is on another row."""

        def __init__(self, table: VirtualTable, row: Row | None) -> None:
            super().__init__()
            self.table = table
            self.row = row

        @property
        def control(self) -> VirtualTable:
            """The table the message came from (lets ``@on(..., "#id")`` match)."""
            return self.table

    class RowSelected(Message):
        """Enter (or a click) on a row."""

        def __init__(self, table: VirtualTable, row: Row) -> None:
            super().__init__()
            self.table = table
            self.row = row

        @property
        def control(self) -> VirtualTable:
            """The table the message came from (lets ``@on(..., "#id")`` match)."""
            return self.table

    def __init__(self, columns: list[Column], *, empty_text: str = "Nothing here yet.", id: str | None = None) -> None:
        super().__init__(id=id)
        self.columns = columns
        self.empty_text = empty_text
        self.source: RowSource = EmptySource()
        self.row_count = 0
        self.cursor_row = 0
        self._pages: OrderedDict[int, Sequence[Row]] = OrderedDict()
        self._generation = 0  # bumped by set_source: pages fetched for an older source are dropped
        self._loading: set[int] = set()  # pages asked of the reader thread, not back yet
        self._highlight_pending = False  # RowHighlighted waits for the cursor's page
        self._select_pending = False  # Enter was pressed before the cursor's page arrived
        self._stale: OrderedDict[int, Sequence[Row]] = OrderedDict()  # the pages shown before set_source
        self._short_first = False  # the first page holds only the rows the caller read (the rest is read when needed)
        self._draw: _Draw | None = None  # what every line of one draw shares (set by render_lines)
        self._when_drawn: list[Callable[[], object]] = []  # called after the next draw

    # -- data -------------------------------------------------------------------------------

    def set_source(
        self,
        source: RowSource,
        *,
        count: int | None = None,
        keep_cursor: bool = False,
        first_page: Sequence[Row] | None = None,
    ) -> None:
        """Show rows from ``source`` (``count`` when already known, e.g. counted in a worker).

        ``first_page``: the rows of the first page when the caller has read them already (they are
        drawn at once, without asking the source again). It may hold only the first rows (those on
        screen): the rest of the page is then read from ``source`` when it is needed.
        """
        self.source = source
        self._generation += 1
        self._loading.clear()
        self._select_pending = False
        # The old rows stay on screen (as they were) until the new pages arrive: no flash of
        # placeholders when a change only refreshes what is shown.
        self._stale = self._pages if keep_cursor else OrderedDict()
        self._pages = OrderedDict()
        if first_page is not None:
            self._store(0, first_page)
        self.row_count = source.count() if count is None else count
        self._short_first = first_page is not None and len(first_page) < min(PAGE_SIZE, self.row_count)
        if not keep_cursor:
            self.cursor_row = 0
            self.scroll_to(y=0, animate=False, immediate=True)
        self.cursor_row = max(0, min(self.cursor_row, self.row_count - 1))
        size = Size(self.size.width, self.row_count + 1)
        if size != self.virtual_size:
            # Not a layout of the whole screen for a new row count (as ``virtual_size = size``
            # would do): the scrollbar is updated here, and showing or hiding it still lays out.
            self.set_reactive(VirtualTable.virtual_size, size)
            self._scroll_update(size)
        self.refresh()
        self._highlighted()

    def refresh_rows(self) -> None:
        """Fetch the rows again (after a change), keeping the cursor where it is."""
        self.set_source(self.source, keep_cursor=True)

    def row_at(self, index: int) -> Row | None:
        """The row at ``index`` (fetching its page here and now when needed), or None past the end."""
        if not 0 <= index < self.row_count:
            return None
        page = index // PAGE_SIZE
        position = index - page * PAGE_SIZE
        rows = self._pages.get(page)
        if rows is None or self._beyond_short_first(page, position, rows):
            self._store(page, self.source.fetch(page * PAGE_SIZE, PAGE_SIZE))
            rows = self._pages[page]
        else:
            self._pages.move_to_end(page)
        return rows[position] if position < len(rows) else None

    def loaded_row(self, index: int) -> Row | None:
        """The row at ``index`` when its page is here; otherwise None, and the page is asked for."""
        if not 0 <= index < self.row_count:
            return None
        page = index // PAGE_SIZE
        position = index - page * PAGE_SIZE
        rows = self._pages.get(page)
        if rows is None or self._beyond_short_first(page, position, rows):
            self._request(page)
            return None
        self._pages.move_to_end(page)
        return rows[position] if position < len(rows) else None

    def _beyond_short_first(self, page: int, position: int, rows: Sequence[Row]) -> bool:
        """True for a row past the end of a first page the caller gave only in part."""
        return page == 0 and self._short_first and position >= len(rows)

    @property
    def current_row(self) -> Row | None:
        """The row under the cursor."""
        return self.row_at(self.cursor_row)

    @property
    def fetching(self) -> bool:
        """True while pages are being fetched."""
        return bool(self._loading)

    def _store(self, page: int, rows: Sequence[Row]) -> None:
        if page == 0:
            self._short_first = False
        self._pages[page] = rows
        self._pages.move_to_end(page)
        self._loading.discard(page)
        while len(self._pages) > CACHED_PAGES:
            self._pages.popitem(last=False)

    def _request(self, page: int) -> None:
        """Fetch a page on the reader thread; it is drawn (and announced) when it arrives."""
        if page in self._loading or not self.is_attached:
            return
        self._loading.add(page)
        generation, source = self._generation, self.source

        def fetch() -> Sequence[Row] | None:
            # A page asked for an older source (the filter changed meanwhile) is not read at all.
            if generation != self._generation:
                return None
            return source.fetch(page * PAGE_SIZE, PAGE_SIZE)

        async def run() -> None:
            try:
                rows = await asyncio.wrap_future(_reader().submit(fetch))
            except Exception as error:  # noqa: BLE001 - a failed page is shown empty, never a traceback
                if generation == self._generation:
                    self._loading.discard(page)
                    self._store(page, [])
                    self.notify(f"Could not read rows {page * PAGE_SIZE + 1}-{(page + 1) * PAGE_SIZE}: {error}",
                                severity="error", markup=False)
                return
            if rows is None or generation != self._generation:
                return
            self._store(page, rows)
            self.refresh()
            if page == self.cursor_row // PAGE_SIZE:
                self._highlighted()

        self.run_worker(run(), group="virtual-table-pages", exit_on_error=False)

    def _highlighted(self) -> None:
        """Announce the row under the cursor (now if its page is here, else when it arrives)."""
        if self.row_count == 0:
            self._highlight_pending = False
            self.post_message(self.RowHighlighted(self, None))
            return
        row = self.loaded_row(self.cursor_row)
        self._highlight_pending = row is None
        if row is None:
            return
        self.post_message(self.RowHighlighted(self, row))
        if self._select_pending:
            self._select_pending = False
            self.post_message(self.RowSelected(self, row))

    # -- drawing ----------------------------------------------------------------------------

    def _widths(self, total: int) -> list[int]:
        return column_widths(self.columns, total)

    def _draw_context(self) -> _Draw:
        width = self.scrollable_content_region.width
        base = self.rich_style
        return _Draw(width, base, base + self.get_component_rich_style("virtual-table--header"),
                     base + self.get_component_rich_style("virtual-table--cursor"), tuple(self._widths(width)))

    def _render_cells(self, cells: list[str | Text], style: Style, draw: _Draw) -> Strip:
        # Every line of every draw comes through here: plain cells are appended as one string
        # with their padding, a styled cell is copied only when it must be cut, one Strip is made.
        line = Text(no_wrap=True, end="")
        last = max(i for i, width in enumerate(draw.widths) if width) if any(draw.widths) else 0
        for i, (column, cell, cell_width) in enumerate(zip(self.columns, cells, draw.widths)):
            if not cell_width:  # left out at this width (Column.drop_below)
                continue
            gap = " " if i < last else ""
            if isinstance(cell, Text):
                text = cell
                pad = cell_width - text.cell_len
                if pad < 0:  # cut to the column (a copy: the row's own Text is drawn again later)
                    text = text.copy()
                    text.truncate(cell_width, overflow="ellipsis", pad=False)
                    pad = cell_width - text.cell_len
                if column.justify == "right":
                    line.append(" " * pad)
                    line.append_text(text)
                    line.append(gap)
                else:
                    line.append_text(text)
                    line.append(" " * pad + gap)
            else:
                plain = _fit(inert_line(str(cell)), cell_width)
                padding = " " * (cell_width - cell_len(plain))
                line.append((padding + plain if column.justify == "right" else plain + padding) + gap)
        # The row's style under each cell's own (the line Text has none of its own).
        strip = Strip(list(Segment.apply_style(line.render(self.app.console), style)))
        return strip if strip.cell_length == draw.width else strip.adjust_cell_length(draw.width, style)

    def render_lines(self, crop: Region) -> list[Strip]:
        """Draw the lines in ``crop`` (the styles and column widths worked out once, not per line)."""
        self._draw = self._draw_context()
        try:
            return super().render_lines(crop)
        finally:
            self._draw = None
            callbacks, self._when_drawn = self._when_drawn, []
            for callback in callbacks:
                callback()

    def when_drawn(self, callback: Callable[[], object]) -> None:
        """Call ``callback`` (on the UI thread) once the table has next drawn its lines."""
        self._when_drawn.append(callback)

    def render_line(self, y: int) -> Strip:
        """Draw the header (line 0) or the row at this screen line."""
        draw = self._draw or self._draw_context()
        width, base = draw.width, draw.base
        if y == 0:
            return self._render_cells([c.label for c in self.columns], draw.header, draw)
        if self.row_count == 0:
            if y == 2:
                empty = self.get_component_rich_style("virtual-table--empty")
                message = Strip([*Text("  " + self.empty_text).render(self.app.console)])
                return message.apply_style(base + empty).adjust_cell_length(width, base)
            return Strip.blank(width, base)
        index = int(self.scroll_y) + y - 1
        if index >= self.row_count:
            return Strip.blank(width, base)
        row = self.loaded_row(index)
        style = draw.cursor if index == self.cursor_row else base
        if row is None:
            row = self._stale_row(index)
        if row is None:
            placeholder = Text(PLACEHOLDER, style="dim")
            return self._render_cells([placeholder] + [""] * (len(self.columns) - 1), style, draw)
        return self._render_cells([row.cells.get(c.key, "") for c in self.columns], style, draw)

    def _stale_row(self, index: int) -> Row | None:
        """The row this line showed before the source was set again (drawn until the new page comes)."""
        rows = self._stale.get(index // PAGE_SIZE)
        position = index % PAGE_SIZE
        return rows[position] if rows is not None and position < len(rows) else None

    # -- moving -----------------------------------------------------------------------------

    @property
    def visible_rows(self) -> int:
        """How many rows fit on screen under the header (0 before the table is laid out)."""
        return max(0, self.scrollable_content_region.height - 1)

    def _visible_rows(self) -> int:
        return max(1, self.visible_rows)

    def move_cursor(self, row: int) -> None:
        """Put the cursor on ``row`` (clamped) and scroll it into view."""
        if self.row_count == 0:
            return
        self.cursor_row = max(0, min(row, self.row_count - 1))
        top = int(self.scroll_y)
        visible = self._visible_rows()
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + visible:
            self.scroll_to(y=self.cursor_row - visible + 1, animate=False, immediate=True)
        self.refresh()
        self._highlighted()

    def action_cursor(self, step: int) -> None:
        """Move the cursor up or down a row."""
        self.move_cursor(self.cursor_row + step)

    def action_page(self, direction: int) -> None:
        """Move the cursor a screenful."""
        self.move_cursor(self.cursor_row + direction * self._visible_rows())

    def action_edge(self, direction: int) -> None:
        """Go to the first or last row."""
        self.move_cursor(0 if direction < 0 else self.row_count - 1)

    def action_select(self) -> None:
        """Select the row under the cursor (when its page arrives, if it is still on its way)."""
        if self.row_count == 0:
            return
        row = self.loaded_row(self.cursor_row)
        if row is None:
            self._select_pending = True
            return
        self.post_message(self.RowSelected(self, row))

    def on_click(self, event) -> None:
        """A click moves the cursor; a double click opens."""
        if event.y == 0:
            return
        self.move_cursor(int(self.scroll_y) + event.y - 1)
        if event.chain >= 2:
            self.action_select()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        """Redraw when scrolled (the base class only moves the content of widgets with children)."""
        super().watch_scroll_y(old_value, new_value)
        self.refresh()
