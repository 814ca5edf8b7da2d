"""A table that draws only the rows on screen, fetched page by page from the case file.

Textual's DataTable measures every cell it is given (seconds for 10k rows); a case file can hold
100k sources and a million excerpts. This ``ScrollView`` asks a ``RowSource`` for the row count and
for pages of rows as they scroll into view, so opening and scrolling cost the same at any size.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from evidence_tui.textsafety import inert_line

PAGE_SIZE = 100
CACHED_PAGES = 20


@dataclass(frozen=True)
class Column:
    """A column: ``key`` into the row's cells, a label, a width (None shares what is left)."""

    key: str
    label: str
    width: int | None = None
    justify: str = "left"


@dataclass(frozen=True)
class Row:
    """A row: its record id and its cells (strings, or Text for styled cells)."""

    key: str
    cells: dict[str, str | Text] = field(default_factory=dict)


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

    # -- data -------------------------------------------------------------------------------

    def set_source(self, source: RowSource, *, count: int | None = None, keep_cursor: bool = False) -> None:
        """Show rows from ``source`` (``count`` when already known, e.g. counted in a worker)."""
        self.source = source
        self._pages.clear()
        self.row_count = source.count() if count is None else count
        if not keep_cursor:
            self.cursor_row = 0
            self.scroll_to(y=0, animate=False, immediate=True)
        self.cursor_row = max(0, min(self.cursor_row, self.row_count - 1))
        self.virtual_size = Size(self.size.width, self.row_count + 1)
        self.refresh()
        self.post_message(self.RowHighlighted(self, self.current_row))

    def refresh_rows(self) -> None:
        """Fetch the rows again (after a change), keeping the cursor where it is."""
        self.set_source(self.source, keep_cursor=True)

    def row_at(self, index: int) -> Row | None:
        """The row at ``index`` (fetching its page when needed), or None past the end."""
        if not 0 <= index < self.row_count:
            return None
        page = index // PAGE_SIZE
        rows = self._pages.get(page)
        if rows is None:
            rows = self.source.fetch(page * PAGE_SIZE, PAGE_SIZE)
            self._pages[page] = rows
            if len(self._pages) > CACHED_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page)
        position = index - page * PAGE_SIZE
        return rows[position] if position < len(rows) else None

    @property
    def current_row(self) -> Row | None:
        """The row under the cursor."""
        return self.row_at(self.cursor_row)

    # -- drawing ----------------------------------------------------------------------------

    def _widths(self, total: int) -> list[int]:
        fixed = sum(c.width or 0 for c in self.columns) + len(self.columns) - 1
        flexible = [c for c in self.columns if c.width is None]
        share = max(8, (total - fixed) // max(1, len(flexible)))
        return [c.width if c.width is not None else share for c in self.columns]

    def _render_cells(self, cells: list[str | Text], style: Style, width: int) -> Strip:
        line = Text(style=style, no_wrap=True, end="")
        widths = self._widths(width)
        for i, (column, cell, cell_width) in enumerate(zip(self.columns, cells, widths)):
            text = cell.copy() if isinstance(cell, Text) else Text(inert_line(str(cell)))
            text.truncate(cell_width, overflow="ellipsis", pad=False)
            pad = cell_width - text.cell_len
            if column.justify == "right":
                line.append(" " * pad)
                line.append_text(text)
            else:
                line.append_text(text)
                line.append(" " * pad)
            if i < len(self.columns) - 1:
                line.append(" ")
        # Text.render leaves the Text's own style out when it has no spans: apply it here.
        segments = list(line.render(self.app.console))
        return Strip(segments).apply_style(style).adjust_cell_length(width, style)

    def render_line(self, y: int) -> Strip:
        """Draw the header (line 0) or the row at this screen line."""
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            header = self.get_component_rich_style("virtual-table--header")
            return self._render_cells([c.label for c in self.columns], base + header, width)
        if self.row_count == 0:
            if y == 2:
                empty = self.get_component_rich_style("virtual-table--empty")
                message = Strip([*Text("  " + self.empty_text).render(self.app.console)])
                return message.apply_style(base + empty).adjust_cell_length(width, base)
            return Strip.blank(width, base)
        index = int(self.scroll_y) + y - 1
        row = self.row_at(index)
        if row is None:
            return Strip.blank(width, base)
        style = base
        if index == self.cursor_row:
            style = base + self.get_component_rich_style("virtual-table--cursor")
        return self._render_cells([row.cells.get(c.key, "") for c in self.columns], style, width)

    # -- moving -----------------------------------------------------------------------------

    def _visible_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

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
        self.post_message(self.RowHighlighted(self, self.current_row))

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
        """Select the row under the cursor."""
        row = self.current_row
        if row is not None:
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
