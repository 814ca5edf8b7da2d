"""The Library screen: list, filter as you type, sort, open, import with progress, edit metadata."""

from __future__ import annotations

import asyncio

from evidence_tui.domain import sources
from evidence_tui.tui.app import EvidenceApp
from evidence_tui.tui.screens.library import LibraryScreen
from evidence_tui.tui.screens.reader import ReaderScreen
from tests.tui_util import settle, static_text


def table_titles(screen: LibraryScreen) -> list[str]:
    table = screen.table
    return [table.row_at(i).cells["title"] for i in range(table.row_count)]


def test_library_lists_every_source_with_counts_in_header(demo_case):
    async def run():
        app = EvidenceApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            assert isinstance(app.screen, LibraryScreen)
            assert app.screen.table.row_count == 10
            assert "10 sources · 16 excerpts" in app.sub_title
            expected = [s.title for s in sources.list_sources(demo_case)]
            assert table_titles(app.screen) == expected

    asyncio.run(run())


def test_slash_filters_as_you_type(demo_case):
    async def run():
        app = EvidenceApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            await pilot.press("slash", *"Madusank")
            await settle(app, pilot)
            titles = table_titles(app.screen)
            assert len(titles) == 1 and "Sri Lankan" in titles[0]
            # Words from the text (not the title) match too, through full-text search.
            await pilot.press(*["backspace"] * 8, *"Petrozavodsk")
            await settle(app, pilot)
            assert any("Finland" in t for t in table_titles(app.screen))
            # Down goes from the box into the results; Enter there opens.
            await pilot.press("down")
            assert app.focused is app.screen.table
            await pilot.press("slash")
            await settle(app, pilot)
            # Escape clears the filter and hides the box.
            await pilot.press("escape")
            await settle(app, pilot)
            assert app.screen.table.row_count == 10

    asyncio.run(run())


def test_a_filter_that_matches_nothing_says_so(demo_case):
    async def run():
        app = EvidenceApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            await pilot.press("slash", *"zzzq")
            await settle(app, pilot)
            table = app.screen.table
            assert table.row_count == 0
            assert table.render_line(2).text.strip() == "No source matches 'zzzq'. Escape clears the filter."
            await pilot.press("escape")
            await settle(app, pilot)
            assert table.row_count == 10

    asyncio.run(run())


def test_p_imports_pasted_text_with_the_outlet_given(case):
    from textual.widgets import TextArea

    from evidence_tui.tui.screens.paste_dialog import PasteDialog

    article = ("Fourteen men detained in Kalutara\n\n12 March 2024\n\n"
               "Police said fourteen men were detained while boarding a flight to Moscow.\n")

    async def run():
        app = EvidenceApp(case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            await pilot.press("p")
            await settle(app, pilot)
            assert isinstance(app.screen, PasteDialog)
            await pilot.press("ctrl+s")  # nothing pasted yet: said, and nothing imported
            await settle(app, pilot)
            assert "Paste the article's text first." in static_text(app.screen.query_one("#paste-result"))
            assert sources.list_sources(case) == []
            app.screen.query_one(TextArea).text = article  # what a terminal paste puts there
            await pilot.press("tab", *"Kalutara Times", "ctrl+s")
            await settle(app, pilot)
            assert isinstance(app.screen, LibraryScreen)
            assert app.screen.table.row_count == 1
            assert any("Imported 'Fourteen men detained in Kalutara'" in str(n.message) for n in app._notifications)
        (source,) = sources.list_sources(case)
        full = sources.get_source(case, source.id)
        assert (full.title, full.outlet, full.published) == ("Fourteen men detained in Kalutara", "Kalutara Times", "2024-03-12")
        assert full.text == article

    asyncio.run(run())


def test_sort_cycles_orders(demo_case):
    async def run():
        app = EvidenceApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            await pilot.press("o")
            await settle(app, pilot)
            titles = table_titles(app.screen)
            assert titles == sorted(titles, key=str.casefold)

    asyncio.run(run())


def test_enter_opens_the_reader_and_q_comes_back(demo_case):
    async def run():
        app = EvidenceApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            await pilot.press("down", "enter")
            await settle(app, pilot)
            assert isinstance(app.screen, ReaderScreen)
            second = sources.list_sources(demo_case)[1]
            assert app.screen.source.id == second.id
            await pilot.press("q")
            await settle(app, pilot)
            assert isinstance(app.screen, LibraryScreen)
            await pilot.press("q")
            await pilot.pause()
        assert app.return_code == 0

    asyncio.run(run())


def test_import_dialog_imports_a_folder_with_progress_and_summary(case, tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    for n in range(5):
        (folder / f"a{n}.txt").write_text(f"Headline number {n}\n\nBody text {n} about recruiters.\n", encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")

    async def run():
        app = EvidenceApp(case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            await pilot.press("i")
            await pilot.pause()
            app.screen.query_one("#import-path").value = str(folder)
            await pilot.press("enter")
            await settle(app, pilot)
            result = static_text(app.screen.query_one("#import-result"))
            assert "5 imported, 0 duplicate, 1 failed" in result
            assert "empty.txt" in result
            bar = app.screen.query_one("#import-progress")
            assert bar.total == 6 and bar.progress == 6
            await pilot.press("escape")
            await settle(app, pilot)
            assert app.screen.table.row_count == 5
        assert sources.count_sources(case) == 5

    asyncio.run(run())


def test_tab_completes_the_path_in_the_import_dialog(case, tmp_path):
    (tmp_path / "saved-articles").mkdir()
    (tmp_path / "saved-articles" / "one.txt").write_text("Headline\n\nBody about recruiters.\n", encoding="utf-8")

    async def run():
        app = EvidenceApp(case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            await pilot.press("i")
            await settle(app, pilot)
            box = app.screen.query_one("#import-path")
            box.value = str(tmp_path / "saved-a")
            box.cursor_position = len(box.value)
            await settle(app, pilot)
            await pilot.press("tab")
            assert box.value == str(tmp_path / "saved-articles") + "/"
            await pilot.press("enter")
            await settle(app, pilot)
            assert "1 imported" in static_text(app.screen.query_one("#import-result"))

    asyncio.run(run())


def test_metadata_form_validates_inline_and_saves(demo_case):
    async def run():
        app = EvidenceApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            first = sources.list_sources(demo_case)[0]
            await pilot.press("m")
            await pilot.pause()
            app.screen.query_one("#field-reliability").value = "Z"
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert "reliability must be one of A-F" in static_text(app.screen.query_one("#source-form-error"))
            app.screen.query_one("#field-reliability").value = "b"
            app.screen.query_one("#field-date").value = "31 February 2024"
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert "not a date" in static_text(app.screen.query_one("#source-form-error"))
            app.screen.query_one("#field-date").value = "8 December 2023"
            await pilot.press("ctrl+s")
            await settle(app, pilot)
            assert isinstance(app.screen, LibraryScreen)
        saved = sources.get_source(demo_case, first.id, with_text=False)
        assert saved.reliability == "B"
        assert (saved.published, saved.published_raw, saved.published_precision) == ("2023-12-08", "8 December 2023", "day")

    asyncio.run(run())


def test_metadata_form_starts_in_the_title_and_typing_adds_to_a_field(demo_case):
    async def run():
        app = EvidenceApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            first = sources.list_sources(demo_case)[0]
            await pilot.press("m")
            await pilot.pause()
            assert app.focused is app.screen.query_one("#field-title")
            # Tab into Outlet and type: the text goes at the end, it does not replace the outlet.
            await pilot.press("tab", *" (EN)")
            assert app.screen.query_one("#field-outlet").value == f"{first.outlet} (EN)"

    asyncio.run(run())


def test_library_snapshot(snap_compare, demo_case):
    assert snap_compare(EvidenceApp(demo_case), terminal_size=(120, 40), run_before=_settle_snapshot)


async def _settle_snapshot(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_paste_dialog_snapshot_at_80_by_24(snap_compare, demo_case):
    # The smallest terminal the app supports: the title wraps, the text area takes what is left.
    async def paste(pilot) -> None:
        await _settle_snapshot(pilot)
        await pilot.press("p")
        await pilot.pause()
        pilot.app.screen.query_one("#paste-text").text = (
            "Fourteen men detained in Kalutara\n\nColombo Gazette, 12 March 2024\n\n"
            "Police said fourteen men were detained while boarding a flight to Moscow.\n")
        await pilot.pause()

    assert snap_compare(EvidenceApp(demo_case), terminal_size=(80, 24), run_before=paste)


# -- the dialogs at 80x24 --------------------------------------------------------------------------


def test_metadata_form_fits_80_by_24_without_scrolling(demo_case):
    async def run():
        app = EvidenceApp(demo_case)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app, pilot)
            await pilot.press("m")
            await settle(app, pilot)
            form = app.screen.query_one("#source-form")
            assert app.screen.region.contains_region(form.region)
            assert form.max_scroll_y == 0  # at 80% of the height it scrolled, hiding Reliability and the keys
            for selector in ("#field-title", "#field-reliability", "#source-form-error"):
                assert form.region.contains_region(app.screen.query_one(selector).region), selector

    asyncio.run(run())


def test_metadata_form_snapshot_at_80_by_24(snap_compare, demo_case):
    async def open_form(pilot) -> None:
        await _settle_snapshot(pilot)
        await pilot.press("m")
        await pilot.pause()

    assert snap_compare(EvidenceApp(demo_case), terminal_size=(80, 24), run_before=open_form)


def test_a_long_import_summary_scrolls_at_80_by_24(case, tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    for n in range(20):
        (folder / f"empty{n:02d}.txt").write_bytes(b"")

    async def run():
        app = EvidenceApp(case)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app, pilot)
            await pilot.press("i")
            await settle(app, pilot)
            box = app.screen.query_one("#import-path")
            box.value = str(folder)
            await pilot.press("enter")
            await settle(app, pilot)
            dialog = app.screen.query_one("#import-dialog")
            assert "20 failed" in static_text(app.screen.query_one("#import-result"))
            assert app.screen.region.contains_region(dialog.region)
            assert dialog.max_scroll_y > 0  # longer than the screen: it scrolls rather than cuts
            await pilot.press("tab")  # from the path box to the list, then to its end by keyboard
            assert app.screen.focused is dialog
            await pilot.press("end")
            await pilot.pause()
            assert dialog.scroll_y == dialog.max_scroll_y

    asyncio.run(run())


def _import_in_dialog(app, pilot, path):
    """Open the import dialog, import ``path``, and return the result text and the toasts."""
    async def run():
        await pilot.press("i")
        await settle(app, pilot)
        app.screen.query_one("#import-path").value = str(path)
        await pilot.press("enter")
        await settle(app, pilot)
        return static_text(app.screen.query_one("#import-result")), [str(n.message) for n in app._notifications]
    return run()


def test_import_dialog_lists_skipped_files_after_the_failed_ones(case, tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "a.txt").write_text("Headline A\n\nBody.\n", encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "b-scan.pdf").write_bytes(b"%PDF")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")

    async def run():
        app = EvidenceApp(case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            result, toasts = await _import_in_dialog(app, pilot, folder)
            lines = result.splitlines()
            assert lines[:4] == [
                "1 imported, 0 duplicate, 1 failed, 2 skipped",
                f"{folder / 'empty.txt'}: empty file",
                f"skipped: {folder / 'b-scan.pdf'}: not a .txt, .md or .html file",
                f"skipped: {folder / 'photo.jpg'}: not a .txt, .md or .html file",
            ]
            assert ".DS_Store" not in result
            # One failure: the toast is its own line, not a count.
            assert toasts == [f"{folder / 'empty.txt'}: empty file"]
        assert sources.count_sources(case) == 1

    asyncio.run(run())


def test_import_dialog_toast_for_a_folder_with_nothing_importable(case, tmp_path):
    folder = tmp_path / "scans"
    folder.mkdir()
    (folder / "scan.pdf").write_bytes(b"%PDF")

    async def run():
        app = EvidenceApp(case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            result, toasts = await _import_in_dialog(app, pilot, folder)
            assert result.splitlines()[0] == "0 imported, 0 duplicate, 1 failed, 1 skipped"
            assert toasts == [f"{folder}: no importable files (.txt, .md, .html, .htm) in this folder"]
            assert not any("files could not" in t for t in toasts)

    asyncio.run(run())


def test_import_dialog_counts_failures_and_cuts_the_skipped_list(case, tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    (folder / "a.txt").write_text("Headline A\n\nBody.\n", encoding="utf-8")
    (folder / "empty1.txt").write_text("", encoding="utf-8")
    (folder / "empty2.txt").write_text("", encoding="utf-8")
    for n in range(22):
        (folder / f"scan{n:02d}.pdf").write_bytes(b"%PDF")

    async def run():
        app = EvidenceApp(case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            result, toasts = await _import_in_dialog(app, pilot, folder)
            lines = result.splitlines()
            assert lines[0] == "1 imported, 0 duplicate, 2 failed, 22 skipped"
            assert len([line for line in lines if line.startswith("skipped: ")]) == 20
            assert "and 2 more skipped" in lines
            assert toasts == ["2 files could not be imported"]

    asyncio.run(run())


def test_keys_pressed_while_a_save_or_import_is_on_its_way_do_not_close_twice(case, demo_case):
    # The paste dialog and the metadata form save on the database worker; a second ctrl+s or an
    # escape before it answers used to dismiss twice (the second popped the Library: a crash).
    import time

    from textual.widgets import TextArea

    article = "Fourteen men detained\n\n12 March 2024\n\nPolice said fourteen men were detained.\n"

    async def paste_twice():
        app = EvidenceApp(case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            await pilot.press("p")
            await settle(app, pilot)
            app.screen.query_one(TextArea).text = article
            app.db.submit(lambda _case: time.sleep(0.3), changed=False)  # the worker busy, as on a big case
            await pilot.press("ctrl+s", "ctrl+s", "escape")
            await settle(app, pilot)
            assert isinstance(app.screen, LibraryScreen) and app.return_code is None
        assert len(sources.list_sources(case)) == 1

    async def save_twice():
        app = EvidenceApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            await pilot.press("m")
            await settle(app, pilot)
            app.db.submit(lambda _case: time.sleep(0.3), changed=False)
            await pilot.press("ctrl+s", "ctrl+s", "escape")
            await settle(app, pilot)
            assert isinstance(app.screen, LibraryScreen) and app.return_code is None

    asyncio.run(paste_twice())
    asyncio.run(save_twice())
