"""The Overview screen (F8): the counts it shows against the database, the month chart, the empty case."""

from __future__ import annotations

import asyncio
import re

from evidence_tui.domain import claims, excerpts
from evidence_tui.store import CaseFile
from evidence_tui.tui.app import EvidenceApp
from evidence_tui.tui.screens.export_dialog import ExportDialog
from evidence_tui.tui.screens.overview import OverviewScreen
from evidence_tui.tui.widgets.month_chart import MonthChart, buckets_for, month_span
from tests.tui_util import settle, static_text


async def open_overview(app, pilot) -> OverviewScreen:
    await settle(app, pilot)
    await pilot.press("f8")
    await settle(app, pilot)
    assert isinstance(app.screen, OverviewScreen)
    return app.screen


def lines(screen, selector: str) -> list[str]:
    """The panel's text, one line per row, runs of spaces collapsed."""
    return [re.sub(r"\s+", " ", line).strip() for line in static_text(screen.query_one(selector)).splitlines() if line.strip()]


def test_overview_shows_the_counts_of_the_database(demo_case):
    conn = demo_case.db.conn
    one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
    per_type = conn.execute(
        """SELECT t.name, (SELECT count(*) FROM excerpt_claim_types x WHERE x.claim_type_id = t.id)
           FROM claim_types t ORDER BY t.position""").fetchall()
    per_status = {s: one(f"SELECT count(*) FROM excerpts WHERE review_status = '{s}'")
                  for s in ("unreviewed", "accepted", "rejected", "flagged")}
    per_outlet = conn.execute(
        """SELECT s.outlet, count(*), sum((SELECT count(*) FROM excerpts e WHERE e.source_id = s.id))
           FROM sources s GROUP BY s.outlet""").fetchall()

    async def run():
        app = EvidenceApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_overview(app, pilot)
            totals = re.sub(r"\s+", " ", static_text(screen.query_one("#overview-totals")))
            assert totals.strip() == (
                f"{one('SELECT count(*) FROM sources')} sources · {one('SELECT count(*) FROM excerpts')} excerpts · "
                f"{one('SELECT count(*) FROM claim_types')} claim types · {one('SELECT count(*) FROM claims')} claims · "
                f"{one('SELECT count(*) FROM entities')} entities")
            shown_types = lines(screen, "#overview-types")
            assert len(shown_types) == len(per_type) == 10
            for line, (name, count) in zip(shown_types, per_type):
                assert line.startswith(f"{name} {count}")
            shown_status = lines(screen, "#overview-status")
            for status, count in per_status.items():
                assert any(line.startswith(f"{status} {count}") for line in shown_status)
            assert f"reviewed {16 - per_status['unreviewed']} 0%" in shown_status
            shown_outlets = lines(screen, "#overview-outlets")
            for outlet, n_sources, n_excerpts in per_outlet:
                assert any(line.startswith(f"{outlet} {n_sources} / {n_excerpts}") for line in shown_outlets)
            # The weakest claims, in the order of the Claims screen's "weakest" sort.
            weakest = claims.list_claims(demo_case, order="weakest")[:10]
            shown_claims = lines(screen, "#overview-weakest")
            assert shown_claims[0].split()[:4] == ["outlets", "sources", "for", "against"]
            for line, claim in zip(shown_claims[1:], weakest, strict=True):
                assert line.startswith(f"{claim.outlets} {claim.sources} {claim.supporting} {claim.contradicting} {claim.statement}")

    asyncio.run(run())


def test_the_month_chart_reads_each_month_with_the_arrow_keys(demo_case):
    conn = demo_case.db.conn
    june_sources = conn.execute(
        "SELECT count(*) FROM sources WHERE published LIKE '2024-06%' AND published_precision IN ('day', 'month')").fetchone()[0]
    june_excerpts = conn.execute(
        """SELECT count(*) FROM excerpts e JOIN sources s ON s.id = e.source_id
           WHERE s.published LIKE '2024-06%' AND s.published_precision IN ('day', 'month')""").fetchone()[0]

    async def run():
        app = EvidenceApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_overview(app, pilot)
            chart = screen.query_one(MonthChart)
            assert chart.has_focus
            # It opens on the busiest month; every month from the first to the last is a bar.
            assert chart.cursor_text() == f"2024-06: {june_sources} sources · {june_excerpts} excerpts"
            drawn = chart.render().plain
            assert "2022-10" in drawn and "2024-01" in drawn and "max 4" in drawn and "max 7" in drawn
            assert "no month known: 2 sources, 3 excerpts" in drawn
            await pilot.press("left")
            assert chart.cursor_text() == "2024-05: 0 sources · 0 excerpts"
            await pilot.press("home")
            assert chart.cursor_text().startswith("2022-10: 1 sources")
            await pilot.press("end")
            assert chart.cursor_text().startswith("2024-10: 2 sources")
            await pilot.press("right")  # stays on the last
            assert chart.cursor_text().startswith("2024-10")

    asyncio.run(run())


def test_months_group_into_quarters_then_years_when_narrow():
    months = month_span("2019-11", "2024-02")
    assert months[:3] == ["2019-11", "2019-12", "2020-01"] and len(months) == 52
    assert [b.label for b in buckets_for(months, 104)][:2] == ["2019-11", "2019-12"]
    quarters = buckets_for(months, 60)
    assert [b.label for b in quarters][:3] == ["2019Q4", "2020Q1", "2020Q2"] and quarters[0].months == ("2019-11", "2019-12")
    assert [b.label for b in buckets_for(months, 20)] == ["2019", "2020", "2021", "2022", "2023", "2024"]


def test_the_overview_follows_changes(demo_case):
    async def run():
        app = EvidenceApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_overview(app, pilot)
            first = excerpts.list_excerpts(demo_case, limit=2)
            for excerpt in first:
                app.db.submit(excerpts.set_status, excerpt.id, "accepted")
            await settle(app, pilot)
            shown = lines(screen, "#overview-status")
            assert any(line.startswith("accepted 2") for line in shown)
            assert "reviewed 2 12%" in shown

    asyncio.run(run())


def test_an_empty_case_says_so(tmp_path):
    async def run():
        case = CaseFile.open(tmp_path / "empty.db", actor="tester")
        app = EvidenceApp(case)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_overview(app, pilot)
            assert "This case file is empty" in static_text(screen.query_one("#overview-empty"))
            assert screen.query_one("#overview-empty").display and not screen.query_one("#overview-body").display
        case.close()

    asyncio.run(run())


def test_ctrl_e_opens_the_export_dialog_from_the_overview(demo_case):
    async def run():
        app = EvidenceApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_overview(app, pilot)
            await pilot.press("ctrl+e")
            await pilot.pause()
            assert isinstance(app.screen, ExportDialog)

    asyncio.run(run())


async def _settle_snapshot(pilot) -> None:
    await settle(pilot.app, pilot)
    await pilot.press("f8")
    await settle(pilot.app, pilot)


def test_overview_snapshot(snap_compare, demo_case):
    assert snap_compare(EvidenceApp(demo_case), terminal_size=(120, 40), run_before=_settle_snapshot)
