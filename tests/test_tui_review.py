"""The Review screen (F6, `evidence-tui review`): a whole session, resume, undo, blind review, edge cases."""

from __future__ import annotations

import asyncio

from textual.widgets import TextArea

from evidence_tui.domain import codebook, excerpts, review
from evidence_tui.domain.filters import ExcerptFilter
from evidence_tui.domain.review import ReviewQueue
from evidence_tui.store import CaseFile
from evidence_tui.tui.app import EvidenceApp
from evidence_tui.tui.screens.picker import PickerScreen
from evidence_tui.tui.screens.prompt import TextPrompt
from evidence_tui.tui.screens.review import ReviewScreen
from tests.test_review import FIRST, SECOND, oldest_ids
from tests.tui_util import settle, static_text

SIZE = (120, 40)


def shown_id(app) -> str | None:
    screen = app.screen
    assert isinstance(screen, ReviewScreen)
    return screen.current.id if screen.current else None


def progress(app) -> str:
    return static_text(app.screen.query_one("#review-progress")).strip()


def notes(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def press(app, pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(app, pilot)


def test_a_whole_session_accept_reject_flag_note_undo_quit_resume(demo_case):
    order = oldest_ids(demo_case)

    async def session():
        app = EvidenceApp(demo_case, mode="review")
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            assert shown_id(app) == order[0]
            assert progress(app) == "0 of 16 · 0.0 per minute"
            # The excerpt in its paragraph, the source named above it.
            context = " ".join(static_text(app.screen.query_one("#review-context")).split())
            assert " ".join(excerpts.get_excerpt(demo_case, order[0]).quote.split()) in context
            assert "Ukraine urges UN member states" in static_text(app.screen.query_one("#review-source"))
            await press(app, pilot, "a", "a", "r")
            assert shown_id(app) == order[3]
            assert progress(app).startswith("3 of 16 · ")
            # A note, then the flag.
            await press(app, pilot, "n")
            assert isinstance(app.screen, TextPrompt)
            app.screen.query_one(TextArea).text = "Check against the UN transcript"
            await press(app, pilot, "ctrl+s", "f")
            assert shown_id(app) == order[4]
            # u takes the flag back and shows that excerpt again; flag it once more.
            await press(app, pilot, "u")
            assert shown_id(app) == order[3]
            assert excerpts.get_excerpt(demo_case, order[3]).review_status == "unreviewed"
            assert progress(app).startswith("3 of 16")
            await press(app, pilot, "f")
            await pilot.press("q")  # q on the screen the app opened on quits
            await settle(app, pilot)
        assert app.return_code is not None

    asyncio.run(session())
    statuses = [excerpts.get_excerpt(demo_case, i).review_status for i in order[:5]]
    assert statuses == ["accepted", "accepted", "rejected", "flagged", "unreviewed"]
    assert excerpts.get_excerpt(demo_case, order[3]).note == "Check against the UN transcript"
    rows = demo_case.db.conn.execute("SELECT reviewer, decision FROM reviews ORDER BY rowid").fetchall()
    # The undone flag left no row behind: undo takes the decision out of the log's current state.
    assert [tuple(r) for r in rows] == [("tester", d) for d in ("accepted", "accepted", "rejected", "flagged")]

    async def resumed():
        app = EvidenceApp(demo_case, mode="review")
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            assert shown_id(app) == order[4]  # the fifth
            # This session starts at 0; the four decisions before it are said to be there.
            assert progress(app) == "0 of 12 · 0.0 per minute · 4 of 16 decided in all"
            await press(app, pilot, "a")
            assert progress(app).startswith("1 of 12 · ") and progress(app).endswith(" · 5 of 16 decided in all")

    asyncio.run(resumed())


def test_skip_retag_and_grade(demo_case):
    order = oldest_ids(demo_case)
    hotkeyed = {t.hotkey: t for t in codebook.list_types(demo_case) if t.hotkey}

    async def run():
        app = EvidenceApp(demo_case, mode="review")
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            before = {t.id for t in excerpts.get_excerpt(demo_case, order[0]).claim_types}
            await press(app, pilot, "1")
            after = {t.id for t in excerpts.get_excerpt(demo_case, order[0]).claim_types}
            assert after ^ before == {hotkeyed[1].id}
            await press(app, pilot, "g")
            assert isinstance(app.screen, PickerScreen)
            await press(app, pilot, "down", "enter")  # 2: probably true
            assert excerpts.get_excerpt(demo_case, order[0]).credibility == 2
            assert "credibility 2 (probably true)" in static_text(app.screen.query_one("#review-side"))
            await press(app, pilot, "s")
            assert shown_id(app) == order[1]
            assert "1 skipped" in progress(app)

    asyncio.run(run())
    assert excerpts.get_excerpt(demo_case, order[0]).review_status == "unreviewed"


def test_blind_review_hides_the_first_decisions_and_reports_agreement(demo_case):
    order = oldest_ids(demo_case)[:10]
    demo_case.actor = "amina"
    for excerpt_id, decision in zip(order, FIRST):
        review.decide(demo_case, excerpt_id, decision)
    demo_case.actor = "bashir"
    keys = {"accepted": "a", "rejected": "r"}

    async def run():
        app = EvidenceApp(demo_case, mode="review", review_queue=ReviewQueue(reviewer="bashir", blind=True))
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            assert app.screen.sub_title == "blind review by bashir"
            side = static_text(app.screen.query_one("#review-side"))
            assert "hidden: blind review" in side and "accepted" not in side
            for decision in SECOND:
                await press(app, pilot, keys[decision])
            summary = " ".join(static_text(app.screen.query_one("#review-context")).split())
            assert "accepted 6 · rejected 4 · flagged 0 · skipped 0" in summary
            assert "Agreement amina / bashir: 80% on 10 excerpts · Cohen's kappa 0.58" in summary
            assert "Disagreements to settle" in summary

    asyncio.run(run())
    assert [excerpts.get_excerpt(demo_case, i).review_status for i in order] == FIRST


def test_an_empty_queue_says_so(demo_case):
    async def run():
        queue = ReviewQueue(filter=ExcerptFilter(statuses=("flagged",)), reviewer="tester")
        app = EvidenceApp(demo_case, mode="review", review_queue=queue)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            assert "Nothing to review: no excerpt matches this queue." in static_text(app.screen.query_one("#review-context"))
            await press(app, pilot, "a")
            assert "Nothing to review here" in notes(app)

    asyncio.run(run())


def test_a_decision_on_an_excerpt_deleted_in_another_window_is_reported(demo_case):
    order = oldest_ids(demo_case)

    async def run():
        app = EvidenceApp(demo_case, mode="review")
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            assert shown_id(app) == order[0]
            other = CaseFile.open(demo_case.path, actor="someone else")
            excerpts.delete_excerpt(other, order[0])
            other.close()
            await press(app, pilot, "a")
            assert any("no excerpt" in n for n in notes(app)), notes(app)
            assert shown_id(app) == order[1]

    asyncio.run(run())


def test_f6_opens_review_and_the_palette_offers_its_actions(demo_case):
    async def run():
        app = EvidenceApp(demo_case)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            await press(app, pilot, "f6")
            assert isinstance(app.screen, ReviewScreen)
            commands = {c.title for c in app.get_system_commands(app.screen)}
            assert {"Accept", "Reject", "Flag", "Skip", "Note", "Undo", "Grade", "Go to Review"} <= commands
            await press(app, pilot, "q")  # not the home screen: back to the library
            assert app.current_mode == "library"

    asyncio.run(run())


async def _settle_snapshot(pilot) -> None:
    await settle(pilot.app, pilot)


def test_review_snapshot(snap_compare, demo_case):
    assert snap_compare(EvidenceApp(demo_case, mode="review"), terminal_size=SIZE, run_before=_settle_snapshot)


def test_review_these_starts_a_session_on_the_excerpts_filter(demo_case):
    coercion = next(t for t in codebook.list_types(demo_case) if t.name == "Coercion or threat")
    expected = {e.id for e in excerpts.list_excerpts(demo_case, ExcerptFilter(claim_types=(coercion.id,)))}

    async def run():
        app = EvidenceApp(demo_case)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            await press(app, pilot, "f6")  # a session open on the default queue first
            await press(app, pilot, "f2")
            app.screen.show_filter(ExcerptFilter(claim_types=(coercion.id,)))
            await settle(app, pilot)
            await press(app, pilot, "v")
            assert isinstance(app.screen, ReviewScreen)
            assert progress(app).startswith(f"0 of {len(expected)} ")
            seen = set()
            while app.screen.current is not None:
                seen.add(app.screen.current.id)
                await press(app, pilot, "a")
            assert seen == expected

    asyncio.run(run())
    accepted = {e.id for e in excerpts.list_excerpts(demo_case, ExcerptFilter(statuses=("accepted",)))}
    assert accepted == expected


def test_undo_after_a_skip_gives_back_the_skipped_excerpt(demo_case):
    order = oldest_ids(demo_case)

    async def run():
        app = EvidenceApp(demo_case, mode="review")
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            await press(app, pilot, "a", "s")
            assert shown_id(app) == order[2]
            await press(app, pilot, "u")  # takes back the skip, not the accept
            assert shown_id(app) == order[1]
            assert progress(app).startswith("1 of 16") and "skipped" not in progress(app)
            await press(app, pilot, "f")
            await press(app, pilot, "u", "u")  # the flag, then the accept
            assert shown_id(app) == order[0]

    asyncio.run(run())
    assert [excerpts.get_excerpt(demo_case, i).review_status for i in order[:2]] == ["unreviewed", "unreviewed"]
