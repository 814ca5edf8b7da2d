"""The virtual table: pages come from a reader thread, placeholders meanwhile, the UI never waits."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from textual.app import App, ComposeResult

from evidence_tui.tui import app as app_module
from evidence_tui.tui.widgets.virtual_table import PAGE_SIZE, PLACEHOLDER, Column, Row, VirtualTable

COLUMNS = [Column("n", "Number", 10), Column("word", "Word")]


class SlowSource:
    """Rows ``row 0``, ``row 1``, ...; every fetch waits for ``gate`` and records its thread."""

    def __init__(self, total: int, prefix: str = "row") -> None:
        self.total = total
        self.prefix = prefix
        self.gate = threading.Event()
        self.threads: list[str] = []
        self.offsets: list[int] = []

    def count(self) -> int:
        return self.total

    def fetch(self, offset: int, limit: int) -> list[Row]:
        self.threads.append(threading.current_thread().name)
        self.offsets.append(offset)
        assert self.gate.wait(10), "the test never opened the gate"
        return [Row(str(i), {"n": str(i), "word": f"{self.prefix} {i}"}) for i in range(offset, min(offset + limit, self.total))]


class TableApp(App):
    def __init__(self) -> None:
        super().__init__()
        self.highlighted: list[str | None] = []
        self.selected: list[str] = []

    def compose(self) -> ComposeResult:
        yield VirtualTable(COLUMNS, id="table")

    @property
    def table(self) -> VirtualTable:
        return self.query_one(VirtualTable)

    def on_virtual_table_row_highlighted(self, event: VirtualTable.RowHighlighted) -> None:
        self.highlighted.append(None if event.row is None else event.row.key)

    def on_virtual_table_row_selected(self, event: VirtualTable.RowSelected) -> None:
        self.selected.append(event.row.key)


def shown(app: App) -> str:
    update = app.screen._compositor.render_update(full=True)
    return "\n".join("".join(segment.text for segment in strip) for strip in update.strips)


async def until(pilot, predicate, timeout: float = 5.0) -> None:
    for _ in range(int(timeout / 0.01)):
        if predicate():
            return
        await pilot.pause(0.01)
    raise AssertionError("timed out")


def test_pages_are_read_off_the_ui_thread_with_placeholders_meanwhile():
    async def run():
        app = TableApp()
        async with app.run_test(size=(60, 12)) as pilot:
            source = SlowSource(1_000)
            app.table.set_source(source, count=source.total)
            await until(pilot, lambda: source.threads)
            await pilot.pause()
            # The fetch is held: the UI still answers and draws placeholders.
            assert source.threads[0].startswith("evidence-pages")
            assert PLACEHOLDER in shown(app) and "row 0" not in shown(app)
            await pilot.press("down", "down")
            assert app.table.cursor_row == 2
            source.gate.set()
            await until(pilot, lambda: "row 0" in shown(app))
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert "row 2" in shown(app) and PLACEHOLDER not in shown(app)
            # The cursor's row is announced once its page is here.
            assert app.highlighted[-1] == "2"

    asyncio.run(run())


def test_end_key_on_a_deep_page_never_blocks_and_enter_waits_for_the_row():
    async def run():
        app = TableApp()
        async with app.run_test(size=(60, 12)) as pilot:
            source = SlowSource(1_000_000)
            source.gate.set()
            app.table.set_source(source, count=source.total)
            await until(pilot, lambda: "row 0" in shown(app))
            source.gate.clear()
            await pilot.press("end")  # returns although the last page is held
            assert app.table.cursor_row == 999_999
            await pilot.press("enter")
            assert app.selected == []  # not yet: the row is on its way
            assert PLACEHOLDER in shown(app)
            source.gate.set()
            await until(pilot, lambda: app.selected == ["999999"])
            await pilot.pause()
            assert "row 999999" in shown(app)
            assert (1_000_000 - 1) // PAGE_SIZE * PAGE_SIZE in source.offsets
            # row_at still answers at once for the screens' actions.
            assert app.table.row_at(123_456).key == "123456"

    asyncio.run(run())


def test_a_page_of_an_older_source_is_never_shown():
    async def run():
        app = TableApp()
        async with app.run_test(size=(60, 12)) as pilot:
            old = SlowSource(500, prefix="old")
            app.table.set_source(old, count=old.total)
            await until(pilot, lambda: old.threads)
            new = SlowSource(3, prefix="new")
            new.gate.set()
            app.table.set_source(new, count=new.total)
            old.gate.set()  # the old page comes back after the new source is set
            await until(pilot, lambda: "new 2" in shown(app))
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert "old" not in shown(app)
            assert app.table.row_count == 3

    asyncio.run(run())


def test_a_page_that_fails_is_shown_empty_with_a_notification():
    class Broken:
        def count(self) -> int:
            return 50

        def fetch(self, offset: int, limit: int):
            raise OSError("disk went away")

    async def run():
        app = TableApp()
        async with app.run_test(size=(60, 12)) as pilot:
            app.table.set_source(Broken(), count=50)
            await until(pilot, lambda: any("disk went away" in n.message for n in app._notifications))
            assert any("Could not read rows 1-100" in n.message for n in app._notifications)

    asyncio.run(run())


def test_a_short_first_page_is_drawn_at_once_and_the_rest_of_it_read_when_needed():
    # A screen that read only the rows on screen hands them over; the rest of the first page is
    # read (off the UI thread) when it scrolls into view, and row_at answers for any row.
    async def run():
        app = TableApp()
        async with app.run_test(size=(60, 12)) as pilot:
            source = SlowSource(300)
            first = [Row(str(i), {"n": str(i), "word": f"row {i}"}) for i in range(12)]
            drawn = []
            app.table.set_source(source, count=300, first_page=first)
            app.table.when_drawn(lambda: drawn.append("row 0" in shown(app)))
            await until(pilot, lambda: drawn)
            assert drawn == [True]  # called once, after a draw that had the rows
            await pilot.pause()
            assert source.offsets == []  # the rows on screen came with set_source
            assert app.table.loaded_row(5).key == "5"
            assert app.table.loaded_row(30) is None  # past the short page: asked for, not here yet
            await until(pilot, lambda: source.offsets)
            assert source.offsets == [0] and source.threads[0].startswith("evidence-pages")
            source.gate.set()
            await until(pilot, lambda: app.table.loaded_row(30) is not None)
            assert app.table.loaded_row(30).key == "30" and app.table.loaded_row(99).key == "99"
            await pilot.press("pagedown", "pagedown", "pagedown")
            await until(pilot, lambda: "row 27" in shown(app))
            assert PLACEHOLDER not in shown(app)
            assert app.table.row_at(150).key == "150"
            assert source.offsets == [0, 100]  # page 0 once more in full, then page 1

    asyncio.run(run())


class StyledTableApp(TableApp):
    CSS_PATH = Path(app_module.__file__).with_name("app.tcss")  # the app's styles for the table


def test_rows_fill_the_table_without_a_horizontal_scrollbar():
    # Rows are cut to the table's width: no horizontal scrollbar hides the last row (nor lays the
    # screen out again when the row count changes).
    async def run():
        app = StyledTableApp()
        async with app.run_test(size=(60, 12)) as pilot:
            source = SlowSource(1_000)
            source.gate.set()
            app.table.set_source(source, count=source.total)
            await until(pilot, lambda: "row 0" in shown(app))
            await pilot.pause()
            assert app.table.show_vertical_scrollbar and not app.table.show_horizontal_scrollbar
            assert app.table.visible_rows == 11  # 12 lines: the header and 11 rows, none for a scrollbar
            assert "row 10" in shown(app)

    asyncio.run(run())


def test_fixed_columns_give_way_to_the_text_column_in_a_narrow_terminal():
    from evidence_tui.tui.widgets.virtual_table import Column, column_widths

    columns = [Column("quote", "Quote"), Column("source", "Source", 20, min_width=10),
               Column("types", "Claim types", 22, min_width=12), Column("status", "Status", 10)]
    # Wide: every fixed column as asked, the text column takes the rest.
    assert column_widths(columns, 120) == [65, 20, 22, 10]
    # Narrow: the text column keeps a quarter (at least 16); the shrinkable ones give, in
    # proportion, never below their minimum; the line is exactly as wide as the table.
    narrow = column_widths(columns, 60)
    assert narrow[0] >= 16 and narrow[3] == 10 and narrow[1] >= 10 and narrow[2] >= 12
    assert sum(narrow) + len(columns) - 1 == 60
    # Narrower than every minimum: the minimums hold, and the text column keeps 8.
    assert column_widths(columns, 30) == [8, 10, 12, 10]


def test_a_column_is_left_out_below_its_width_and_the_line_still_fits():
    from evidence_tui.tui.widgets.virtual_table import Column, column_widths

    columns = [Column("statement", "Claim"), Column("outlets", "Outlets", 12),
               Column("earliest", "Earliest", 10, drop_below=100), Column("latest", "Latest", 10, drop_below=100)]
    assert column_widths(columns, 120) == [85, 12, 10, 10]
    assert column_widths(columns, 80) == [67, 12, 0, 0]  # one gap: the dropped columns have none
