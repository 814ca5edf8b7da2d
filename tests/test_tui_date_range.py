"""A publication date range that ends before it starts, in the app: one notification, no crash, no file."""

from __future__ import annotations

import asyncio

from textual.widgets import Input

from evidence_tui.tui.app import EvidenceApp
from evidence_tui.tui.screens.export_dialog import ExportDialog
from evidence_tui.tui.screens.search import SearchScreen
from tests.tui_util import settle


def notes(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


class SearchApp(EvidenceApp):
    """The app opening on the Search screen."""

    DEFAULT_MODE = "search"


def test_the_export_dialog_refuses_a_reversed_range_and_writes_nothing(demo_case, tmp_path):
    out = tmp_path / "x.csv"

    async def run():
        app = EvidenceApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            await pilot.press("ctrl+e")
            await pilot.pause()
            dialog = app.screen
            assert isinstance(dialog, ExportDialog)
            dialog.query_one("#export-path", Input).value = str(out)
            dialog.query_one("#export-from", Input).value = "2024"
            dialog.query_one("#export-to", Input).value = "2023"
            await pilot.press("ctrl+s")
            await settle(app, pilot)
            message = notes(app)[-1]
            assert "2024 is after" in message and "2023" in message and "\n" not in message
            assert app.screen is dialog and not dialog.running  # stays open to correct it

    asyncio.run(run())
    assert not out.exists()


def test_the_search_date_prompt_refuses_a_reversed_range_and_keeps_the_hits(demo_case):
    async def run():
        app = SearchApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            screen = app.screen
            assert isinstance(screen, SearchScreen)
            await pilot.press(*"deportation")
            await settle(app, pilot)
            before = [screen.table.row_at(i).key for i in range(screen.table.row_count)]
            await pilot.press("escape", "D")
            await pilot.pause()
            await pilot.press(*"2024..2023", "enter")
            await settle(app, pilot)
            assert notes(app)[-1] == "the date range '2024..2023' ends before it starts"
            if app.screen is not screen:  # the prompt may ask again with what was typed
                await pilot.press("escape")
                await settle(app, pilot)
            assert app.screen is screen
            assert [screen.table.row_at(i).key for i in range(screen.table.row_count)] == before and before

    asyncio.run(run())
