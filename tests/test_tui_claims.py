"""The Claims screen (F3): corroboration figures, sort, add, reword, grade, delete, the evidence view."""

from __future__ import annotations

import asyncio

from textual.widgets import Input

from evidence_tui.domain import claims
from evidence_tui.domain import excerpts as excerpts_domain
from evidence_tui.domain import sources as sources_domain
from evidence_tui.tui.app import EvidenceApp
from evidence_tui.tui.screens.claims import ORDERS, ClaimEvidenceScreen, ClaimsScreen
from evidence_tui.tui.screens.picker import PickerScreen
from evidence_tui.tui.screens.prompt import ConfirmScreen, TextPrompt
from evidence_tui.tui.screens.reader import ReaderScreen
from evidence_tui.tui.widgets.claims_rows import SORTED_COLUMN
from tests.test_domain_claims import add_source, build_corroboration_case
from tests.tui_util import settle, static_text


def row_ids(screen) -> list[str]:
    table = screen.table
    return [table.row_at(i).key for i in range(table.row_count)]


def cell(screen, index: int, column: str) -> str:
    value = screen.table.row_at(index).cells[column]
    return value if isinstance(value, str) else value.plain


class ClaimsApp(EvidenceApp):
    """The app opening on the Claims screen (no library to mount first: faster tests)."""

    DEFAULT_MODE = "claims"


async def open_claims(app, pilot) -> ClaimsScreen:
    await settle(app, pilot)
    assert isinstance(app.screen, ClaimsScreen)
    return app.screen


def test_f3_shows_every_claim_with_the_figures_of_list_claims(demo_case):
    async def run():
        app = EvidenceApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            await pilot.press("f3")
            screen = await open_claims(app, pilot)
            listed = claims.list_claims(demo_case)
            assert row_ids(screen) == [c.id for c in listed]
            for index, claim in enumerate(listed):
                assert cell(screen, index, "statement") == claim.statement
                assert cell(screen, index, "supporting") == str(claim.supporting)
                assert cell(screen, index, "contradicting") == str(claim.contradicting)
                assert cell(screen, index, "sources") == str(claim.sources)
                assert cell(screen, index, "outlets").split()[0] == str(claim.outlets)
                assert cell(screen, index, "credibility") == (str(claim.credibility) if claim.credibility else "–")
                assert (claim.claim_type or "–") in cell(screen, index, "type")
            status = static_text(screen.query_one("#claims-status"))
            assert status.startswith(f"{len(listed)} claims")
            # The highlighted claim in full below the table, credibility spelled out.
            summary = static_text(screen.query_one("#claims-summary"))
            assert listed[0].statement in " ".join(summary.split())
            assert "credibility 3 possibly true" in summary

    asyncio.run(run())


def test_corroboration_figures_of_three_sources_from_two_outlets(case):
    async def run():
        claim, _, _ = build_corroboration_case(case)
        app = ClaimsApp(case)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_claims(app, pilot)
            assert row_ids(screen) == [claim.id]
            shown = {key: cell(screen, 0, key) for key in screen.table.row_at(0).cells}
            assert shown == {
                "statement": "Recruits were promised driving jobs", "type": "–", "credibility": "–",
                "supporting": "3", "sources": "2", "outlets": "1 one outlet",
                "contradicting": "1", "sources_against": "1", "outlets_against": "1",
                "reliability": "B", "earliest": "2024-06", "latest": "2024-06",
            }
            assert [c.label for c in screen.table.columns] == [
                "Claim", "Type", "Cred.", "For", "Src", "Outlets", "Against", "Src", "Out", "Rel.", "Earliest", "Latest"]
            summary = " ".join(static_text(screen.query_one("#claims-summary")).split())
            assert ("for: 3 excerpts · 2 sources in 1 outlet · best reliability B usually reliable · published 2024-06 "
                    "against: 1 excerpt · 1 source in 1 outlet One outlet only: not independently corroborated.") in summary
            status = static_text(screen.query_one("#claims-status"))
            assert status.startswith("1 claim · sorted by date added · 1 on one outlet ")
            # What is drawn on the terminal: the figures in the columns, in order.
            line = screen.table.render_line(1).text
            assert line.split()[-11:] == ["3", "2", "1", "one", "outlet", "1", "1", "1", "B", "2024-06", "2024-06"]

    asyncio.run(run())


def test_a_claim_whose_sources_name_no_outlet_is_marked(case):
    async def run():
        claim = claims.add_claim(case, "Men were detained in Kalutara")
        for n in (1, 2):  # two pasted texts without an outlet: they may be one wire story
            source = sources_domain.import_text(case, f"Report {n}\n\nMen were detained.\n".encode(), "-").source_id
            excerpt = excerpts_domain.add_excerpt(case, source, quote="Men were detained.")
            claims.link_excerpt(case, claim.id, excerpt.id)
        app = ClaimsApp(case)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_claims(app, pilot)
            assert (cell(screen, 0, "sources"), cell(screen, 0, "outlets")) == ("2", "0 no outlet")
            assert "1 with no outlet named" in static_text(screen.query_one("#claims-status"))
            summary = static_text(screen.query_one("#claims-summary"))
            assert "2 sources, outlet unknown" in summary
            assert "Outlet unknown: no supporting source names its outlet" in summary

    asyncio.run(run())


def test_claims_on_one_outlet_are_marked(demo_case):
    async def run():
        # A claim with no evidence at all is marked "unsupported".
        claims.add_claim(demo_case, "A claim nobody has evidence for yet")
        app = ClaimsApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_claims(app, pilot)
            listed = claims.list_claims(demo_case)
            assert any(c.single_outlet for c in listed) and any(not c.single_outlet for c in listed)
            for index, claim in enumerate(listed):
                outlets = cell(screen, index, "outlets")
                if claim.unsupported:
                    assert outlets == "0 unsupported"
                elif claim.single_outlet:
                    assert outlets == f"{claim.outlets} one outlet"
                else:
                    assert outlets == str(claim.outlets)
            single = sum(1 for c in listed if c.single_outlet)
            status = static_text(screen.query_one("#claims-status"))
            assert f"{single} on one outlet · 1 unsupported" in status
            single = next(i for i, c in enumerate(listed) if c.outlets == 1)
            screen.table.move_cursor(single)
            await pilot.pause()
            assert "not independently corroborated" in static_text(screen.query_one("#claims-summary"))
            screen.table.move_cursor(len(listed) - 1)  # the new claim, added last
            await pilot.pause()
            assert "Unsupported" in static_text(screen.query_one("#claims-summary"))

    asyncio.run(run())


def test_o_cycles_the_sort_orders(demo_case):
    async def run():
        app = ClaimsApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_claims(app, pilot)
            cycle = ("sources", "outlets", "weakest", "supporting", "contradicting", "reliability",
                     "earliest", "latest", "statement", "created")
            assert ORDERS == ("created", *cycle[:-1])
            for order in cycle:
                await pilot.press("o")
                await settle(app, pilot)
                assert screen.order == order
                assert row_ids(screen) == [c.id for c in claims.list_claims(demo_case, order=order)]
                # The header marks the column sorted by.
                marked = [c.key for c in screen.table.columns if c.label[-1] in "▾▴"]
                assert marked == ([] if order == "created" else [SORTED_COLUMN[order]])
            await pilot.press("O")  # backwards
            await settle(app, pilot)
            assert screen.order == "statement"
            assert row_ids(screen) == [c.id for c in claims.list_claims(demo_case, order="statement")]

    asyncio.run(run())


def test_a_adds_a_claim_with_a_claim_type_and_selects_it(demo_case):
    async def run():
        app = ClaimsApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_claims(app, pilot)
            await pilot.press("a")
            await pilot.pause()
            assert isinstance(app.screen, TextPrompt)
            app.screen.query_one(Input).value = "Recruits  were paid less than promised"
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, PickerScreen)
            await pilot.press(*"Paymen", "enter")
            await settle(app, pilot)
            assert app.screen is screen
            added = [c for c in claims.list_claims(demo_case) if c.statement == "Recruits were paid less than promised"]
            assert len(added) == 1 and added[0].claim_type == "Payment or promise"
            assert screen.table.current_row.key == added[0].id

    asyncio.run(run())


def test_escape_at_the_type_picker_adds_the_claim_without_a_type(demo_case):
    async def run():
        app = ClaimsApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_claims(app, pilot)
            await pilot.press("a")
            await pilot.pause()
            app.screen.query_one(Input).value = "A claim without a type"
            await pilot.press("enter")
            await pilot.pause()
            await pilot.press("escape")
            await settle(app, pilot)
            untyped = claims.get_claim(demo_case, "A claim without a type")
            assert untyped.claim_type is None
            assert len(row_ids(screen)) == 11 and screen.table.current_row.key == untyped.id

    asyncio.run(run())


def test_g_grades_credibility_on_the_admiralty_scale(demo_case):
    async def run():
        app = ClaimsApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_claims(app, pilot)
            first = claims.list_claims(demo_case)[0]
            await pilot.press("g")
            await pilot.pause()
            assert isinstance(app.screen, PickerScreen)
            labels = [str(app.screen.query_one("#picker-options").get_option_at_index(i).prompt) for i in range(6)]
            assert [label.split("  ")[0] for label in labels] == [
                "1 confirmed", "2 probably true", "3 possibly true", "4 doubtful", "5 improbable", "6 cannot be judged"]
            await pilot.press(*"doubt", "enter")
            await settle(app, pilot)
            assert claims.get_claim(demo_case, first.id).credibility == 4
            assert cell(screen, 0, "credibility") == "4"

    asyncio.run(run())


def test_r_rewords_the_statement(demo_case):
    async def run():
        app = ClaimsApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_claims(app, pilot)
            first = claims.list_claims(demo_case)[0]
            await pilot.press("r")
            await pilot.pause()
            prompt = app.screen.query_one(Input)
            assert prompt.value == first.statement
            prompt.value = "Russia threatened foreign students' visas"
            await pilot.press("enter")
            await settle(app, pilot)
            assert claims.get_claim(demo_case, first.id).statement == "Russia threatened foreign students' visas"
            assert cell(screen, 0, "statement") == "Russia threatened foreign students' visas"

    asyncio.run(run())


def test_x_deletes_a_claim_after_asking(demo_case):
    async def run():
        app = ClaimsApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_claims(app, pilot)
            first = row_ids(screen)[0]
            await pilot.press("x")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen)
            await pilot.press("n")
            await settle(app, pilot)
            assert len(claims.list_claims(demo_case)) == 10
            await pilot.press("x", "y")
            await settle(app, pilot)
            assert first not in [c.id for c in claims.list_claims(demo_case)]
            assert len(row_ids(screen)) == 9
            assert len(excerpts_domain.list_excerpts(demo_case)) == 16  # the evidence stays

    asyncio.run(run())


def test_enter_lists_the_evidence_of_the_claim(demo_case):
    async def run():
        app = ClaimsApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_claims(app, pilot)
            first = claims.list_claims(demo_case)[0]
            # A whole source may back a claim too.
            claims.link_source(demo_case, first.id, claims.claim_evidence(demo_case, first.id)[0].source_id, "mentions")
            evidence = claims.claim_evidence(demo_case, first.id)
            await pilot.press("enter")
            await settle(app, pilot)
            view = app.screen
            assert isinstance(view, ClaimEvidenceScreen)
            assert view.table.row_count == len(evidence) == 3
            for index, piece in enumerate(evidence):
                assert cell(view, index, "stance") == piece.stance
                assert cell(view, index, "source") == piece.source_title
                assert cell(view, index, "outlet") == (piece.outlet or "")
                assert cell(view, index, "published") == (piece.published or "")
                assert cell(view, index, "quote") == (piece.quote if piece.quote is not None else "(the whole source)")
            assert first.statement in " ".join(static_text(view.query_one("#claim-evidence-summary")).split())
            # g works here too; escape goes back to the list.
            await pilot.press("g", "1", "enter")
            await settle(app, pilot)
            assert claims.get_claim(demo_case, first.id).credibility == 1
            assert "credibility 1 confirmed" in static_text(view.query_one("#claim-evidence-summary"))
            await pilot.press("escape")
            await settle(app, pilot)
            assert isinstance(app.screen, ClaimsScreen)

    asyncio.run(run())


def test_enter_on_evidence_opens_the_reader_there(demo_case):
    async def run():
        app = ClaimsApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_claims(app, pilot)
            first = claims.list_claims(demo_case)[0]
            evidence = claims.claim_evidence(demo_case, first.id)
            await pilot.press("enter")
            await settle(app, pilot)
            view = app.screen
            # Enter on an excerpt opens the reader at it (the side panel shows it).
            target = next(i for i, piece in enumerate(evidence) if piece.excerpt_id)
            view.table.move_cursor(target)
            await pilot.press("enter")
            await settle(app, pilot)
            assert isinstance(app.screen, ReaderScreen)
            excerpt = excerpts_domain.get_excerpt(demo_case, evidence[target].excerpt_id)
            assert app.screen.source_id == excerpt.source_id
            assert app.screen.view.selection is None and app.screen.view.cursor == excerpt.start
            assert app.screen.current_excerpt().id == excerpt.id
            await pilot.press("escape")
            await settle(app, pilot)
            assert app.screen is view

    asyncio.run(run())


def test_untrusted_statements_are_shown_inertly(demo_case):
    async def run():
        claims.add_claim(demo_case, "[bold]Not markup[/bold] \x1b[31m")
        app = ClaimsApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_claims(app, pilot)
            last = screen.table.row_count - 1
            assert cell(screen, last, "statement") == "[bold]Not markup[/bold] ␛[31m"
            screen.table.move_cursor(last)
            await pilot.press("g")  # the picker's title quotes the statement: as text, not markup
            await pilot.pause()
            assert isinstance(app.screen, PickerScreen)
            await pilot.press("escape", "x")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen)

    asyncio.run(run())


# -- changing a claim's evidence: stance, unlink, undo --------------------------------------------


async def open_evidence(app, pilot) -> ClaimEvidenceScreen:
    await open_claims(app, pilot)
    await pilot.press("enter")
    await settle(app, pilot)
    assert isinstance(app.screen, ClaimEvidenceScreen)
    return app.screen


def evidence_summary(view) -> str:
    return " ".join(static_text(view.query_one("#claim-evidence-summary")).split())


def test_s_turns_the_stance_and_the_figures_follow(case):
    async def run():
        claim, s, e = build_corroboration_case(case)
        app = ClaimsApp(case)
        async with app.run_test(size=(120, 40)) as pilot:
            view = await open_evidence(app, pilot)
            assert "for: 3 excerpts · 2 sources in 1 outlet" in evidence_summary(view)
            assert "against: 1 excerpt · 1 source in 1 outlet" in evidence_summary(view)
            # The denial (earliest) first; the cursor on the follow-up (last) for the second turn.
            assert [cell(view, i, "source") for i in range(4)] == [
                "Ministry denial", "Ledger in June", "Ledger in June", "Ledger follow-up"]
            await pilot.press("s")
            await settle(app, pilot)
            stance = "SELECT stance FROM claim_excerpts WHERE excerpt_id = ?"
            assert case.db.conn.execute(stance, (e["denial"],)).fetchone()[0] == "supports"
            assert cell(view, 0, "stance") == "supports" and view.table.cursor_row == 0
            summary = evidence_summary(view)
            assert ("for: 4 excerpts · 3 sources in 2 outlets · best reliability A completely reliable · "
                    "published 2023-11-02 to 2024-06 against: 0 excerpts") in summary
            assert "One outlet only" not in summary
            assert static_text(view.query_one("#claim-evidence-status")).startswith(
                "4 pieces of evidence · 4 supporting · 0 contradicting")
            view.table.move_cursor(3)
            await pilot.press("s")
            await settle(app, pilot)
            assert case.db.conn.execute(stance, (e["follow_up"],)).fetchone()[0] == "contradicts"
            assert view.table.cursor_row == 3 and cell(view, 3, "stance") == "contradicts"
            assert "for: 3 excerpts · 2 sources in 2 outlets" in evidence_summary(view)
            assert "against: 1 excerpt · 1 source in 1 outlet" in evidence_summary(view)
            # Back to supports: an excerpt has two stances only.
            await pilot.press("s")
            await settle(app, pilot)
            assert case.db.conn.execute(stance, (e["follow_up"],)).fetchone()[0] == "supports"
            # The Claims list shows the new figures too.
            await pilot.press("escape")
            await settle(app, pilot)
            assert cell(app.screen, 0, "supporting") == "4" and cell(app.screen, 0, "contradicting") == "0"

    asyncio.run(run())


def test_x_unlinks_after_asking_and_u_links_again(case):
    async def run():
        claim, s, e = build_corroboration_case(case)
        app = ClaimsApp(case)
        async with app.run_test(size=(120, 40)) as pilot:
            view = await open_evidence(app, pilot)
            june1 = next(i for i, piece in enumerate(view.evidence) if piece.excerpt_id == e["june1"])
            view.table.move_cursor(june1)  # one of the two excerpts from June
            await pilot.press("x")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen)
            question = str(app.screen.question)
            assert "Ledger in June" in question and "“Recruits were promised driving jobs.”" in question
            await pilot.press("n")  # no: the link stays
            await settle(app, pilot)
            assert app.screen is view and view.table.row_count == 4
            links = "SELECT excerpt_id FROM claim_excerpts ORDER BY excerpt_id"
            assert len(case.db.conn.execute(links).fetchall()) == 4
            await pilot.press("x")
            await pilot.pause()
            await pilot.press("y")
            await settle(app, pilot)
            assert [r[0] for r in case.db.conn.execute(links)] == sorted([e["june2"], e["follow_up"], e["denial"]])
            assert excerpts_domain.get_excerpt(case, e["june1"]).quote == "Recruits were promised driving jobs."
            assert view.table.row_count == 3
            assert "Recruits were promised driving jobs." not in [cell(view, i, "quote") for i in range(3)]
            assert view.table.cursor_row == june1  # the next piece of evidence moved up
            assert "for: 2 excerpts · 2 sources in 1 outlet" in evidence_summary(view)
            await pilot.press("u")
            await settle(app, pilot)
            assert len(case.db.conn.execute(links).fetchall()) == 4
            assert view.table.row_count == 4
            assert cell(view, view.table.cursor_row, "quote") == "Recruits were promised driving jobs."
            assert "for: 3 excerpts · 2 sources in 1 outlet" in evidence_summary(view)

    asyncio.run(run())


def test_a_whole_source_cycles_three_stances_and_unlinks(case):
    async def run():
        claim, s, e = build_corroboration_case(case)
        rebuttal = add_source(case, "Rebuttal", outlet="Kyiv Ledger", date="2025-01-02", reliability="A", body="Not so.")
        claims.link_source(case, claim.id, rebuttal, "supports")
        app = ClaimsApp(case)
        async with app.run_test(size=(120, 40)) as pilot:
            view = await open_evidence(app, pilot)
            view.table.move_cursor(4)  # the latest: the whole source
            assert cell(view, 4, "quote") == "(the whole source)"
            assert "latest" not in evidence_summary(view) and "published 2024-06 to 2025-01-02" in evidence_summary(view)
            stance = "SELECT stance FROM claim_sources WHERE source_id = ?"
            shown = []
            for _ in range(3):
                await pilot.press("s")
                await settle(app, pilot)
                shown.append((case.db.conn.execute(stance, (rebuttal,)).fetchone()[0], cell(view, 4, "stance")))
                if shown[-1][0] == "contradicts":
                    assert "against: 1 excerpt · 2 sources in 2 outlets" in evidence_summary(view)
                if shown[-1][0] == "mentions":  # mentioning corroborates nothing
                    assert "published 2024-06 against: 1 excerpt · 1 source in 1 outlet" in evidence_summary(view)
            assert shown == [("contradicts",) * 2, ("mentions",) * 2, ("supports",) * 2]
            assert view.table.cursor_row == 4
            await pilot.press("x")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen)
            assert "Rebuttal" in str(app.screen.question) and "(the whole source)" in str(app.screen.question)
            await pilot.press("y")
            await settle(app, pilot)
            assert case.db.conn.execute("SELECT count(*) FROM claim_sources").fetchone()[0] == 0
            assert sources_domain.get_source(case, rebuttal).title == "Rebuttal"
            assert view.table.row_count == 4 and view.table.cursor_row == 3
            await pilot.press("u")
            await settle(app, pilot)
            assert case.db.conn.execute(stance, (rebuttal,)).fetchone()[0] == "supports"
            assert view.table.row_count == 5 and view.table.cursor_row == 4

    asyncio.run(run())


async def _settle_snapshot(pilot) -> None:
    await settle(pilot.app, pilot)
    await pilot.press("f3")
    await settle(pilot.app, pilot)
    await pilot.press("down")
    await settle(pilot.app, pilot)


def test_claims_snapshot(snap_compare, demo_case):
    assert snap_compare(EvidenceApp(demo_case), terminal_size=(120, 40), run_before=_settle_snapshot)
