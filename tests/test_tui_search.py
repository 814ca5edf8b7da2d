"""The Search screen (F7, /): FTS5 as you type, ranked rows with highlighted snippets, open at the hit."""

from __future__ import annotations

import asyncio
import re
import threading

from evidence_tui.domain import excerpts, search, sources
from evidence_tui.domain.filters import ExcerptFilter
from evidence_tui.tui.app import EvidenceApp
from evidence_tui.tui.screens import search as search_screen
from evidence_tui.tui.screens.reader import ReaderScreen
from evidence_tui.tui.screens.search import SearchRequest, SearchScreen
from tests.tui_util import settle, static_text


class SearchApp(EvidenceApp):
    """The app opening on the Search screen."""

    DEFAULT_MODE = "search"


async def typed(app, pilot, query: str) -> SearchScreen:
    """Type ``query`` into the (focused) query box and wait for the results."""
    screen = app.screen
    assert isinstance(screen, SearchScreen) and screen.input.has_focus
    await pilot.press(*query)
    await settle(app, pilot)
    return screen


def shown(screen: SearchScreen) -> list[str]:
    table = screen.table
    return [table.row_at(i).key for i in range(table.row_count)]


def expected(case, query: str, **options) -> list[str]:
    return [f"{h.kind}:{h.id}" for h in search.search(case, query, limit=search_screen.RESULT_LIMIT, **options)]


def status(screen: SearchScreen) -> str:
    return static_text(screen.query_one("#search-status")).strip()


def matched_words(cell) -> list[str]:
    """The words of a snippet cell drawn in the match style."""
    return [cell.plain[span.start:span.end] for span in cell.spans if span.style == search_screen.MATCH_STYLE]


def source_text(case, source_id: str) -> str:
    return sources.get_source(case, source_id).text


def test_phrase_query_lists_the_sources_with_the_phrase(demo_case):
    async def run():
        app = SearchApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            screen = await typed(app, pilot, '"job offer"')
            rows = shown(screen)
            assert rows == expected(demo_case, '"job offer"') and len(rows) == 1
            row = screen.table.row_at(0)
            assert row.cells["title"].startswith("Offered a driving job, sent to the front")
            assert [w.lower() for w in matched_words(row.cells["snippet"])] == ["job offer"]
            assert status(screen).startswith("1 hit (1 in sources, 0 in excerpts)")

    asyncio.run(run())


def test_not_query_leaves_out_records_with_the_second_word(demo_case):
    async def run():
        app = SearchApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            screen = await typed(app, pilot, "army NOT contract")
            rows = shown(screen)
            assert rows == expected(demo_case, "army NOT contract") and len(rows) == 8
            for key in rows:
                kind, record = key.split(":")
                if kind == "source":
                    text = source_text(demo_case, record) + " " + sources.get_source(demo_case, record).title
                else:
                    excerpt = excerpts.get_excerpt(demo_case, record)
                    text = f"{excerpt.quote} {excerpt.note}"
                words = set(re.findall(r"\w+", text.lower()))  # whole words ("contracts" is another)
                assert "army" in words and "contract" not in words
            counts = search.count_hits(demo_case, "army NOT contract")
            assert status(screen).startswith(f"8 hits ({counts.sources} in sources, {counts.excerpts} in excerpts)")

    asyncio.run(run())


def test_prefix_and_or_queries(demo_case):
    async def run():
        app = SearchApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            screen = await typed(app, pilot, "deport*")
            rows = shown(screen)
            assert rows == expected(demo_case, "deport*") and len(rows) == 6
            words = {w.lower() for i in range(len(rows)) for w in matched_words(screen.table.row_at(i).cells["snippet"])}
            assert words and all(w.startswith("deport") for w in words)
            assert "deportation" in words

            await pilot.press("ctrl+u")  # clear the box (Input: delete to the start)
            await settle(app, pilot)
            assert screen.query_one("#search-hint").display and not screen.table.display
            screen = await typed(app, pilot, "passport OR visa")
            rows = shown(screen)
            assert rows == expected(demo_case, "passport OR visa") and len(rows) == 3
            for i in range(3):
                assert {w.lower() for w in matched_words(screen.table.row_at(i).cells["snippet"])} <= {"passport", "visa"}
            assert {screen.table.row_at(i).cells["title"][:20] for i in range(3)} == {
                "Ukraine urges UN mem", "Investigative Commit", "Russia says thousands"[:20]}

    asyncio.run(run())


def test_rejected_query_shows_one_plain_line_and_the_app_goes_on(demo_case):
    async def run():
        app = SearchApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            screen = await typed(app, pilot, '"unbalanced')
            assert status(screen) == "Can't search: a double quote is not closed"
            assert shown(screen) == [] and not app._notifications
            await pilot.press("ctrl+u", *"foo NOT")
            await settle(app, pilot)
            assert status(screen) == (
                "Can't search: the query is not valid search syntax (put phrases in \"double quotes\"; use AND, OR, NOT in capitals)")
            assert not app._notifications
            await pilot.press("ctrl+u", *"AND")
            await settle(app, pilot)
            assert status(screen).startswith("Can't search: the query is not valid")
            # Typing on makes it a good query again.
            await pilot.press("ctrl+u", *"driving")
            await settle(app, pilot)
            assert shown(screen) == expected(demo_case, "driving") and status(screen).startswith("1 hit")
            assert not app._notifications

    asyncio.run(run())


def test_empty_query_shows_the_syntax_hint(demo_case):
    async def run():
        app = EvidenceApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            await pilot.press("f3")  # the Claims screen has no filter of its own: / searches
            await settle(app, pilot)
            await pilot.press("slash")
            await settle(app, pilot)
            screen = app.screen
            assert isinstance(screen, SearchScreen) and screen.input.has_focus
            hint = static_text(screen.query_one("#search-hint"))
            for example in ('"army contract"', "army OR navy", "army NOT contract", "deport*"):
                assert example in hint
            assert not screen.table.display
            await pilot.press("question_mark")  # FTS5 has no use for ?: it opens the help from the box
            await pilot.pause()
            assert type(app.screen).__name__ == "HelpScreen"
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is screen and screen.input.value == ""

    asyncio.run(run())


def test_enter_on_a_source_hit_opens_the_reader_at_the_first_match(demo_case):
    async def run():
        app = SearchApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            screen = await typed(app, pilot, '"job offer"')
            await pilot.press("escape")  # from the query to the results
            assert screen.table.has_focus
            await pilot.press("enter")
            await settle(app, pilot)
            reader = app.screen
            assert isinstance(reader, ReaderScreen)
            hit = screen.hits[0]
            text = source_text(demo_case, hit.source_id)
            assert reader.source_id == hit.source_id
            at = re.search(r"\bjob offer\b", text, re.IGNORECASE).start()  # not "job offers" before it
            assert reader.view.cursor == at
            # v and movement select from the hit at once; 1 tags it.
            await pilot.press("v", *["w"] * 2, "1")
            await settle(app, pilot)
            made = excerpts.excerpts_in_source(demo_case, hit.source_id)
            assert any(e.start == at and e.quote.lower().startswith("job offer") for e in made)
            await pilot.press("escape")
            await settle(app, pilot)
            assert app.screen is screen and screen.table.has_focus

    asyncio.run(run())


def test_enter_on_an_excerpt_hit_opens_the_reader_at_the_excerpt(demo_case):
    async def run():
        app = SearchApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            screen = await typed(app, pilot, "Madusanka")
            await pilot.press("enter")  # Enter in the query box: to the results
            assert screen.table.has_focus
            index = next(i for i, h in enumerate(screen.hits) if h.kind == "excerpt")
            screen.table.move_cursor(index)
            await pilot.press("enter")
            await settle(app, pilot)
            reader = app.screen
            assert isinstance(reader, ReaderScreen)
            excerpt = excerpts.get_excerpt(demo_case, screen.hits[index].id)
            assert reader.source_id == excerpt.source_id and reader.view.cursor == excerpt.start
            assert reader.current_excerpt().id == excerpt.id

    asyncio.run(run())


def test_filters_narrow_the_hits_as_the_export_does(demo_case):
    async def run():
        app = SearchApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            screen = await typed(app, pilot, "deportation")
            assert len(shown(screen)) == 6
            await pilot.press("escape", "K")  # sources only
            await settle(app, pilot)
            assert shown(screen) == expected(demo_case, "deportation", kinds=("source",))
            assert "only: sources" in status(screen)
            await pilot.press("K")  # excerpts only
            await settle(app, pilot)
            assert shown(screen) == expected(demo_case, "deportation", kinds=("excerpt",))
            await pilot.press("K", "R")  # both kinds; status: unreviewed (excerpts only, then)
            await settle(app, pilot)
            assert shown(screen) == expected(demo_case, "deportation", within=ExcerptFilter(statuses=("unreviewed",)))
            assert all(key.startswith("excerpt:") for key in shown(screen))
            assert "status: unreviewed" in status(screen)
            await pilot.press("F", "D")
            await pilot.pause()
            await pilot.press(*"2024-06..2024-12", "enter")
            await settle(app, pilot)
            dated = expected(demo_case, "deportation", within=ExcerptFilter(date_from="2024-06", date_to="2024-12"))
            assert shown(screen) == dated and 0 < len(dated) < 6
            assert "published: 2024-06 to 2024-12" in status(screen)
            await pilot.press("D")
            await pilot.pause()
            await pilot.press("ctrl+u", *"2024-13", "enter")
            await settle(app, pilot)
            assert shown(screen) == dated  # a bad date changes nothing and says why
            assert any("'2024-13' is not a date" in n.message for n in app._notifications)

    asyncio.run(run())


def test_an_older_result_never_overwrites_a_newer_one(demo_case, monkeypatch):
    """The first query is held back until the second has been shown; its result is then dropped."""
    release = threading.Event()
    real = search_screen.run_search
    outcomes: list[str] = []

    def slow_first(case, request, cancelled):
        if request.query == "driving":
            release.wait(5)
        outcome = real(case, request, cancelled)
        outcomes.append(request.query if outcome is not None else f"{request.query} (cancelled)")
        return outcome

    monkeypatch.setattr(search_screen, "run_search", slow_first)
    monkeypatch.setattr(search_screen, "DEBOUNCE_SECONDS", 0)

    async def run():
        app = SearchApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            screen = app.screen
            screen.input.value = "driving"
            await pilot.pause(0.1)  # "driving" is now running (held) on the search thread
            screen.input.value = "passport"
            await pilot.pause()
            release.set()
            await settle(app, pilot)
            assert shown(screen) == expected(demo_case, "passport")
            assert screen.request.query == "passport"
            # The held search saw it was stale (cancelled, or dropped on arrival); either way the
            # newer one is what is shown. A late message for an older generation is ignored too:
            old = search_screen.SearchOutcome(hits=tuple(search.search(demo_case, "driving")))
            screen.post_message(SearchScreen.Found(screen.generation - 1, SearchRequest("driving"), old))
            await settle(app, pilot)
            assert shown(screen) == expected(demo_case, "passport")
            assert outcomes[-1] == "passport" and "driving" not in outcomes  # never a finished stale search

    asyncio.run(run())


def test_escape_goes_query_to_results_then_back(demo_case):
    async def run():
        app = EvidenceApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            await pilot.press("f7")
            await settle(app, pilot)
            screen = await typed(app, pilot, "army")
            await pilot.press("escape")
            assert screen.table.has_focus and app.current_mode == "search"
            await pilot.press("slash")
            assert screen.input.has_focus and screen.input.value == "army"
            await pilot.press("escape", "escape")
            await settle(app, pilot)
            assert app.current_mode == "library"

    asyncio.run(run())


def test_O_orders_by_best_match_and_back_and_counts_stop_at_the_cap(demo_case, monkeypatch):
    monkeypatch.setattr(search_screen, "COUNT_CAP", 2)

    async def run():
        app = SearchApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            screen = await typed(app, pilot, "deport* OR visa")
            assert shown(screen) == expected(demo_case, "deport* OR visa")
            # Three of each kind match; each count stops at two and says so.
            assert status(screen).startswith("4+ hits (2+ in sources, 2+ in excerpts)")
            assert "latest added first" in status(screen)
            await pilot.press("escape", "O")
            await settle(app, pilot)
            assert shown(screen) == expected(demo_case, "deport* OR visa", order="best")
            assert "best matches first" in status(screen)
            await pilot.press("O")
            await settle(app, pilot)
            assert shown(screen) == expected(demo_case, "deport* OR visa")

    asyncio.run(run())


def test_hits_are_shown_before_they_are_counted(demo_case, monkeypatch):
    gate = threading.Event()
    real = search_screen.run_count

    def slow_count(*args):
        assert gate.wait(10), "the test never let the count finish"
        return real(*args)

    monkeypatch.setattr(search_screen, "run_count", slow_count)
    monkeypatch.setattr(search_screen, "DEBOUNCE_SECONDS", 0)

    async def run():
        app = SearchApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            screen = app.screen
            await pilot.press(*"deport*")
            for _ in range(200):
                await pilot.pause(0.01)
                if "counting" in status(screen):
                    break
            assert status(screen).startswith("6 hits (counting…) · latest added first")
            assert shown(screen) == expected(demo_case, "deport*")
            gate.set()
            await settle(app, pilot)
            assert status(screen).startswith("6 hits (3 in sources, 3 in excerpts) · latest added first")
            assert shown(screen) == expected(demo_case, "deport*")

    asyncio.run(run())


def test_search_snapshot(demo_case, snap_compare):
    async def type_query(pilot):
        await pilot.pause()
        await pilot.press(*"deport* OR visa")
        await settle(pilot.app, pilot)

    assert snap_compare(SearchApp(demo_case), terminal_size=(120, 40), run_before=type_query)
