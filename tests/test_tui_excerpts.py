"""The Excerpts screen (F2): every excerpt in a virtual table, filters, quick review, open in the reader."""

from __future__ import annotations

import asyncio
import gc
import io
import threading

import pytest
from rich.console import Console

from evidence_tui.domain import codebook, excerpts, sources
from evidence_tui.domain.filters import ExcerptFilter
from evidence_tui.errors import NotFound
from evidence_tui.tui.app import EvidenceApp
from evidence_tui.tui.screens.excerpts import ExcerptsScreen, show_excerpts
from evidence_tui.tui.screens.picker import PickerScreen
from evidence_tui.tui.screens.prompt import ConfirmScreen, TextPrompt
from evidence_tui.tui.screens.reader import ReaderScreen
from evidence_tui.textsafety import clip
from evidence_tui.tui.widgets.excerpts_rows import FILTER_NAME_WIDTH
from tests.tui_util import settle, static_text


def row_ids(screen: ExcerptsScreen) -> list[str]:
    table = screen.table
    return [table.row_at(i).key for i in range(table.row_count)]


def expected_ids(case, **filters) -> list[str]:
    return [e.id for e in excerpts.list_excerpts(case, ExcerptFilter(**filters))]


def status_line(screen: ExcerptsScreen) -> str:
    return static_text(screen.query_one("#excerpts-status"))


class ExcerptsApp(EvidenceApp):
    """The app opening on the Excerpts screen (no library to mount first: faster tests)."""

    DEFAULT_MODE = "excerpts"


async def open_excerpts(app, pilot) -> ExcerptsScreen:
    await settle(app, pilot)
    assert isinstance(app.screen, ExcerptsScreen)
    return app.screen


def test_f2_lists_every_excerpt_with_its_count(demo_case):
    async def run():
        app = EvidenceApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            await pilot.press("f2")
            screen = await open_excerpts(app, pilot)
            assert row_ids(screen) == expected_ids(demo_case)
            assert len(row_ids(screen)) == 16
            assert status_line(screen).startswith("16 excerpts")
            first = excerpts.list_excerpts(demo_case, limit=1)[0]
            cells = screen.table.row_at(0).cells
            assert cells["quote"].plain.startswith(first.quote[:20])
            assert cells["source"] == first.source_title
            assert cells["types"].plain == " ".join(f"■ {t.name}" for t in first.claim_types)
            assert cells["status"].plain == "unreviewed"

    asyncio.run(run())


def test_slash_filters_by_words_as_you_type_and_escape_clears(demo_case):
    async def run():
        app = ExcerptsApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_excerpts(app, pilot)
            await pilot.press("slash", *"visas")
            await settle(app, pilot)
            wanted = expected_ids(demo_case, text="visas")
            assert 0 < len(wanted) < 16
            assert row_ids(screen) == wanted
            assert f"{len(wanted)} excerpt" in status_line(screen) and "words: 'visas'" in status_line(screen)
            await pilot.press("escape")
            await settle(app, pilot)
            assert len(row_ids(screen)) == 16

    asyncio.run(run())


def test_a_filter_that_matches_nothing_says_so_and_how_to_clear_it(demo_case, case):
    async def run(case_file, keys, message):
        app = ExcerptsApp(case_file)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_excerpts(app, pilot)
            await pilot.press(*keys)
            await settle(app, pilot)
            assert screen.table.row_count == 0
            assert screen.table.render_line(2).text.strip() == message

    # An empty case file says how to make excerpts; a filter with no match says how to clear it.
    asyncio.run(run(case, (), "No excerpts here. Mark some in the reader (F1, Enter on a source)."))
    asyncio.run(run(demo_case, ("slash", *"zzzq"), "No excerpts match these filters. F clears them."))


def test_number_keys_and_T_filter_by_claim_type(demo_case):
    async def run():
        app = ExcerptsApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_excerpts(app, pilot)
            coercion = codebook.type_by_hotkey(demo_case, 2)
            await pilot.press("2")
            await settle(app, pilot)
            assert row_ids(screen) == expected_ids(demo_case, claim_types=(coercion.name,))
            assert len(row_ids(screen)) == 3
            assert f"type: {coercion.name}" in status_line(screen)
            await pilot.press("2")  # the same key again: every type
            await settle(app, pilot)
            assert len(row_ids(screen)) == 16

    asyncio.run(run())


def test_T_picks_a_claim_type(demo_case):
    async def run():
        app = ExcerptsApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_excerpts(app, pilot)
            await pilot.press("T")
            await pilot.pause()
            assert isinstance(app.screen, PickerScreen)
            await pilot.press(*"Legal", "enter")
            await settle(app, pilot)
            assert app.screen is screen
            assert row_ids(screen) == expected_ids(demo_case, claim_types=("Legal violation",))
            assert len(row_ids(screen)) == 4

    asyncio.run(run())


def test_filters_combine_and_F_clears_them(demo_case):
    async def run():
        app = ExcerptsApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_excerpts(app, pilot)
            assert codebook.type_by_hotkey(demo_case, 5).name == "Legal violation"
            await pilot.press("5", "slash")
            screen.filter_box.value = "Geneva"
            await pilot.press("enter")
            await settle(app, pilot)
            assert row_ids(screen) == expected_ids(demo_case, claim_types=("Legal violation",), text="Geneva")
            assert len(row_ids(screen)) == 2
            assert "type: Legal violation · words: 'Geneva'" in status_line(screen)
            # F clears everything.
            await pilot.press("F")
            await settle(app, pilot)
            assert len(row_ids(screen)) == 16
            assert screen.filter == ExcerptFilter()
            assert screen.filter_box.value == "" and screen.filter_box.has_class("hidden")

    asyncio.run(run())


def test_E_filters_by_entity(demo_case):
    async def run():
        app = ExcerptsApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_excerpts(app, pilot)
            await pilot.press("E", *"Bastr", "enter")
            await settle(app, pilot)
            assert row_ids(screen) == expected_ids(demo_case, entities=("Alexander Bastrykin",))
            assert len(row_ids(screen)) == 2
            assert "entity: Alexander Bastrykin" in status_line(screen)

    asyncio.run(run())


def test_S_filters_by_source(demo_case):
    async def run():
        app = ExcerptsApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_excerpts(app, pilot)
            # S offers the source of the excerpt under the cursor right after "any source".
            first = excerpts.list_excerpts(demo_case, limit=1)[0]
            await pilot.press("S")
            await settle(app, pilot)
            assert isinstance(app.screen, PickerScreen)
            await pilot.press("down", "enter")
            await settle(app, pilot)
            assert row_ids(screen) == expected_ids(demo_case, sources=(first.source_id,))
            assert f"source: {clip(first.source_title, FILTER_NAME_WIDTH)}" in status_line(screen)

    asyncio.run(run())


def test_D_filters_by_publication_dates_and_asks_again_on_a_typo(demo_case):
    async def run():
        app = ExcerptsApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_excerpts(app, pilot)
            await pilot.press("D")
            await settle(app, pilot)
            assert isinstance(app.screen, TextPrompt)
            await pilot.press(*"2024-13", "enter")
            await settle(app, pilot)
            # Not a date: said, and asked again with what was typed.
            assert isinstance(app.screen, TextPrompt)
            assert app.screen.query_one("#prompt-input").value == "2024-13"
            assert any("2024-13" in str(n.message) for n in app._notifications)
            app.screen.query_one("#prompt-input").value = "2024-06"
            await pilot.press("enter")
            await settle(app, pilot)
            wanted = expected_ids(demo_case, date_from="2024-06", date_to="2024-06")
            assert 0 < len(wanted) < 16
            assert row_ids(screen) == wanted
            assert "published: 2024-06 to 2024-06" in status_line(screen)
            await pilot.press("F")
            await settle(app, pilot)
            assert len(row_ids(screen)) == 16

    asyncio.run(run())


def test_R_cycles_the_review_status_filter(demo_case):
    async def run():
        app = ExcerptsApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_excerpts(app, pilot)
            ids = row_ids(screen)
            excerpts.set_status(demo_case, ids[3], "flagged")
            app.case_changed()
            await settle(app, pilot)
            seen = []
            for _ in range(5):
                await pilot.press("R")
                await settle(app, pilot)
                seen.append((screen.filter.statuses, len(row_ids(screen))))
            assert seen == [(("unreviewed",), 15), (("accepted",), 0), (("rejected",), 0), (("flagged",), 1), ((), 16)]

    asyncio.run(run())


def test_a_r_f_review_the_excerpt_under_the_cursor_and_move_on(demo_case):
    async def run():
        app = ExcerptsApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_excerpts(app, pilot)
            ids = row_ids(screen)
            await pilot.press("a")
            await settle(app, pilot)
            assert excerpts.get_excerpt(demo_case, ids[0]).review_status == "accepted"
            assert screen.table.cursor_row == 1
            assert screen.table.row_at(0).cells["status"].plain == "accepted"
            await pilot.press("r", "f")
            await settle(app, pilot)
            assert excerpts.get_excerpt(demo_case, ids[1]).review_status == "rejected"
            assert excerpts.get_excerpt(demo_case, ids[2]).review_status == "flagged"
            # In the unreviewed queue a reviewed excerpt leaves, and the next one takes its place.
            await pilot.press("R")
            await settle(app, pilot)
            queue = row_ids(screen)
            assert len(queue) == 13 and screen.table.cursor_row == 0
            await pilot.press("a")
            await settle(app, pilot)
            assert excerpts.get_excerpt(demo_case, queue[0]).review_status == "accepted"
            assert row_ids(screen) == queue[1:] and screen.table.cursor_row == 0

    asyncio.run(run())


def test_enter_opens_the_reader_at_the_excerpt(demo_case):
    async def run():
        app = ExcerptsApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_excerpts(app, pilot)
            target = excerpts.get_excerpt(demo_case, row_ids(screen)[4])
            await pilot.press("down", "down", "down", "down", "enter")
            await settle(app, pilot)
            reader = app.screen
            assert isinstance(reader, ReaderScreen)
            assert reader.source_id == target.source_id
            # At the excerpt, not a selection of it: the side panel shows the excerpt and 1-9 tag it.
            assert reader.view.selection is None and reader.view.cursor == target.start
            assert reader.current_excerpt().id == target.id
            await pilot.press("escape")
            await settle(app, pilot)
            assert app.screen is screen

    asyncio.run(run())


def test_x_deletes_after_asking(demo_case):
    async def run():
        app = ExcerptsApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_excerpts(app, pilot)
            first = row_ids(screen)[0]
            await pilot.press("x")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen)
            await pilot.press("n")
            await settle(app, pilot)
            assert excerpts.get_excerpt(demo_case, first)
            await pilot.press("x", "y")
            await settle(app, pilot)
            with pytest.raises(NotFound):
                excerpts.get_excerpt(demo_case, first)
            assert len(row_ids(screen)) == 15 and first not in row_ids(screen)

    asyncio.run(run())


def test_u_undoes_the_last_change(demo_case):
    async def run():
        app = ExcerptsApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_excerpts(app, pilot)
            first = row_ids(screen)[0]
            excerpts.delete_excerpt(demo_case, first)
            await pilot.press("u")
            await settle(app, pilot)
            assert excerpts.get_excerpt(demo_case, first)
            assert row_ids(screen)[0] == first

    asyncio.run(run())


def test_other_screens_open_it_prefiltered(demo_case):
    async def run():
        app = EvidenceApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            # The documented way, before the Excerpts screen was ever shown.
            app.switch_mode("excerpts")
            app.screen.show_filter(ExcerptFilter(entities=("Anil Madusanka",)))
            await settle(app, pilot)
            screen = app.screen
            assert isinstance(screen, ExcerptsScreen)
            assert row_ids(screen) == expected_ids(demo_case, entities=("Anil Madusanka",))
            assert "entity: Anil Madusanka" in status_line(screen)
            # A name that matches nothing says so instead of showing nothing silently.
            screen.show_filter(ExcerptFilter(claim_types=("No such type",)))
            await settle(app, pilot)
            assert row_ids(screen) == []
            assert "no claim type" in status_line(screen).lower()

    asyncio.run(run())


def test_show_excerpts_closes_a_reader_left_on_top(demo_case):
    async def run():
        app = ExcerptsApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_excerpts(app, pilot)
            await pilot.press("enter")
            await settle(app, pilot)
            assert isinstance(app.screen, ReaderScreen)
            app.switch_mode("library")
            await settle(app, pilot)
            show_excerpts(app, ExcerptFilter(claim_types=("Official figure",), text="10,000"))
            await settle(app, pilot)
            assert app.screen is screen
            assert row_ids(screen) == expected_ids(demo_case, claim_types=("Official figure",), text="10,000")
            assert screen.filter_box.value == "10,000"

    asyncio.run(run())


def test_untrusted_text_is_shown_inertly(demo_case):
    async def run():
        first = excerpts.list_excerpts(demo_case, limit=1)[0]
        excerpts.set_note(demo_case, first.id, "[bold red]not markup[/]")
        codebook.edit_type(demo_case, first.claim_types[0].id, name="[link=x]Type\x1b]0;evil\x07")
        app = ExcerptsApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_excerpts(app, pilot)
            cells = screen.table.row_at(0).cells
            assert "\x1b" not in cells["types"].plain and "␛" in cells["types"].plain
            assert cells["types"].plain.startswith("■ [link=x]Type")
            await pilot.press("T")  # the picker shows the name as text too
            await pilot.pause()
            assert isinstance(app.screen, PickerScreen)

    asyncio.run(run())


def _pin_creation_times(case) -> None:
    """Give every excerpt the same creation time (the demo is built afresh, so it is today's)."""
    conn = case.db.conn
    conn.execute("UPDATE excerpts SET created_at = '2024-07-01T09:00:00.000Z', updated_at = '2024-07-01T09:00:00.000Z'")


async def _settle_snapshot(pilot) -> None:
    await settle(pilot.app, pilot)
    await pilot.press("f2")
    await settle(pilot.app, pilot)
    await pilot.press("down", "down")
    await settle(pilot.app, pilot)


def test_a_big_filter_shows_its_first_page_before_its_count(case, monkeypatch):
    # Counting a million excerpts takes longer than reading one page: the page is drawn first,
    # the status line says the count is coming, and the count then sizes the table.
    text = " ".join(f"Sentence number {i} about the recruitment office." for i in range(150))
    source_id = sources.import_text(case, text.encode(), "long.txt").source_id
    for i in range(150):
        excerpts.add_excerpt(case, source_id, quote=f"Sentence number {i} about")
    gate = threading.Event()
    counted = excerpts.count_excerpts

    def slow_count(*args, **kwargs):
        assert gate.wait(10), "the test never let the count finish"
        return counted(*args, **kwargs)

    monkeypatch.setattr(excerpts, "count_excerpts", slow_count)

    async def run():
        app = ExcerptsApp(case)
        async with app.run_test(size=(120, 40)) as pilot:
            for _ in range(200):
                await pilot.pause(0.01)
                if isinstance(app.screen, ExcerptsScreen) and "counting" in status_line(app.screen):
                    break
            screen = app.screen
            assert status_line(screen).startswith("100+ excerpts (counting…)")
            assert screen.table.row_count == 100
            assert screen.table.loaded_row(0).cells["quote"].plain.startswith("Sentence number 0 about")
            await pilot.press("down", "down")
            gate.set()
            await settle(app, pilot)
            assert status_line(screen).startswith("150 excerpts")
            assert row_ids(screen) == expected_ids(case)
            assert screen.table.cursor_row == 2  # the count did not move the cursor

    asyncio.run(run())


def _many_excerpts(case, n: int = 150) -> None:
    text = " ".join(f"Sentence number {i} about the recruitment office." for i in range(n))
    source_id = sources.import_text(case, text.encode(), "long.txt").source_id
    for i in range(n):
        excerpts.add_excerpt(case, source_id, quote=f"Sentence number {i} about")


def test_a_new_filter_reads_the_rows_on_screen_first_and_counts_once_they_are_drawn(case, monkeypatch):
    # The first read of a new filter brings the rows that fit on screen (and one more), not a
    # whole page; the count starts only once they are drawn; the rest is read as it scrolls in.
    _many_excerpts(case)
    events: list = []
    listed, counted = excerpts.list_excerpts, excerpts.count_excerpts
    gate = threading.Event()
    gate.set()

    def list_excerpts(*args, **kwargs):
        events.append(("list", kwargs.get("limit"), kwargs.get("offset")))
        return listed(*args, **kwargs)

    def count_excerpts(*args, **kwargs):
        events.append("count")
        assert gate.wait(10), "the test never let the count finish"
        return counted(*args, **kwargs)

    monkeypatch.setattr(excerpts, "list_excerpts", list_excerpts)
    monkeypatch.setattr(excerpts, "count_excerpts", count_excerpts)

    async def run():
        app = ExcerptsApp(case)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_excerpts(app, pilot)
            table = screen.table
            table_lines = table.render_lines

            def drawing(crop):
                events.append("draw")
                return table_lines(crop)

            table.render_lines = drawing
            visible = table.visible_rows
            assert 20 < visible < 100
            gate.clear()
            events.clear()
            screen.show_filter(ExcerptFilter(statuses=("unreviewed",)))
            for _ in range(200):
                await pilot.pause(0.01)
                if "count" in events:
                    break
            assert events[0] == ("list", visible + 1, 0)
            assert "draw" in events[: events.index("count")]  # drawn before the count began
            assert status_line(screen).startswith(f"{visible + 1}+ excerpts (counting…)")
            assert table.row_count == visible + 1
            assert table.loaded_row(0).cells["quote"].plain.startswith("Sentence number 0 about")
            gate.set()
            await settle(app, pilot)
            assert status_line(screen).startswith("150 excerpts")
            await pilot.press("pagedown", "pagedown")  # past the rows read first: the rest of the page comes
            await settle(app, pilot)
            assert ("list", 100, 0) in events
            cursor = table.cursor_row
            assert cursor > visible + 1
            assert table.loaded_row(cursor).cells["quote"].plain.startswith(f"Sentence number {cursor} about")
            assert row_ids(screen) == expected_ids(case, statuses=("unreviewed",))

    asyncio.run(run())


def _gate_list_excerpts(monkeypatch) -> threading.Event:
    """Make excerpts.list_excerpts wait for the event returned (set to begin with: no wait)."""
    gate = threading.Event()
    gate.set()
    listed = excerpts.list_excerpts

    def slow_list(*args, **kwargs):
        assert gate.wait(10), "the test never let the rows come"
        return listed(*args, **kwargs)

    monkeypatch.setattr(excerpts, "list_excerpts", slow_list)
    return gate


def test_the_status_line_says_counting_only_when_the_first_rows_are_slow(case, monkeypatch):
    _many_excerpts(case, 10)
    gate = _gate_list_excerpts(monkeypatch)

    async def run():
        app = ExcerptsApp(case)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_excerpts(app, pilot)
            # Fast rows: the status line goes straight from one filter's count to the next.
            seen = []
            status = screen.query_one("#excerpts-status")
            update = status.update
            monkeypatch.setattr(status, "update", lambda content, **kw: (seen.append(str(content)), update(content, **kw)))
            screen.show_filter(ExcerptFilter(statuses=("unreviewed",)))
            await settle(app, pilot)
            await pilot.pause(0.2)
            assert status_line(screen).startswith("10 excerpts · status: unreviewed")
            assert not any("counting" in line for line in seen)
            # Slow rows: after a moment it says they are coming, then shows them.
            gate.clear()
            screen.show_filter(ExcerptFilter())
            await pilot.pause(0.3)
            assert status_line(screen).startswith("counting the matching excerpts…")
            gate.set()
            await settle(app, pilot)
            assert status_line(screen).startswith("10 excerpts")

    asyncio.run(run())


def test_no_garbage_collection_between_a_new_filter_and_its_rows(case, monkeypatch):
    # A full collection is a 25-55 ms stall on a big case file: it waits until the rows are drawn,
    # or half a second at most.
    _many_excerpts(case, 10)
    gate = _gate_list_excerpts(monkeypatch)

    async def run():
        app = ExcerptsApp(case)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_excerpts(app, pilot)
            assert gc.isenabled()
            gate.clear()
            screen.show_filter(ExcerptFilter(statuses=("unreviewed",)))
            await pilot.pause(0.05)
            assert not gc.isenabled()
            gate.set()
            await settle(app, pilot)
            assert status_line(screen).startswith("10 excerpts · status: unreviewed")
            assert gc.isenabled()
            gate.clear()
            screen.show_filter(ExcerptFilter())
            await pilot.pause(0.05)
            assert not gc.isenabled()
            await pilot.pause(0.7)
            assert gc.isenabled()  # the rows are still on their way, but never longer than that
            gate.set()
            await settle(app, pilot)
            assert gc.isenabled()

    try:
        asyncio.run(run())
    finally:
        gc.enable()


def test_excerpts_snapshot(snap_compare, demo_case):
    _pin_creation_times(demo_case)
    assert snap_compare(EvidenceApp(demo_case), terminal_size=(120, 40), run_before=_settle_snapshot)


def test_the_status_line_cuts_a_long_name_so_every_filter_shows():
    from evidence_tui.tui.widgets.excerpts_rows import filter_line

    title = "Offered a driving job, sent to the front: Sri Lankan men who deserted"
    f = ExcerptFilter(sources=("abcd1234",), claim_types=("Coercion or threat",), text="Russia")
    line = filter_line(f, {"sources": [title], "claim_types": ["Coercion or threat"]}, 1).plain
    assert line.startswith("1 excerpt · type: Coercion or threat · source: Offered a driving job, sent to…")
    assert line.endswith("· words: 'Russia'   F clears the filters")


def test_the_key_that_clears_the_filters_shows_however_long_the_line():
    from evidence_tui.tui.widgets.excerpts_rows import filter_line

    title = "Offered a driving job, sent to the front: Sri Lankan men who deserted"
    f = ExcerptFilter(sources=("abcd1234",), claim_types=("t",), entities=("e",), text="Russia")
    line = filter_line(f, {"sources": [title], "claim_types": ["Coercion or threat"],
                           "entities": ["Wagner Group (organisation)"]}, 1200)
    shown = {}
    for width in (120, 80, 50):
        console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
        console.print(line)
        shown[width] = console.export_text().rstrip("\n")
        assert len(shown[width]) == width
    assert shown[120] == ("1,200 excerpts · type: Coercion or threat · entity: Wagner Group (organisation) · source: "
                          "Offere…   F clears the filters")
    assert shown[80] == "1,200 excerpts · type: Coercion or threat · entity: Wagn…   F clears the filters"
    assert shown[50] == "1,200 excerpts · type: Coe…   F clears the filters"
    # With no filter the keys that set one come second to the count.
    console = Console(width=60, record=True, file=io.StringIO(), color_system=None)
    console.print(filter_line(ExcerptFilter(), {}, 16))
    assert console.export_text().rstrip("\n") == "16 excerpts   filter: / words · T type · 1-9 type by key · …"


def test_picker_counts_say_excerpt_or_excerpts():
    from evidence_tui.tui.widgets.excerpts_rows import excerpt_count

    assert [excerpt_count(n) for n in (0, 1, 2, 1200)] == ["0 excerpts", "1 excerpt", "2 excerpts", "1,200 excerpts"]
