"""Case figures (domain.stats.case_stats) and `evidence-tui stats`: counts, months, weakest claims."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from evidence_tui.cli import cli
from evidence_tui.domain import claims, excerpts, sources
from evidence_tui.domain.stats import case_stats
from evidence_tui.importers import ImportOptions
from evidence_tui.store import CaseFile


def _source(case, name: str, outlet: str | None, date: str | None, body: str) -> str:
    return sources.import_text(case, f"{name}\n\n{body}\n".encode(), f"{name}.txt",
                               ImportOptions(outlet=outlet, date=date)).source_id


@pytest.fixture
def dated(case):
    """Sources dated to the day, the month, the year only and not at all, with excerpts."""
    june = _source(case, "June report", "Kyiv Ledger", "2024-06-15", "alpha beta gamma delta")
    june2 = _source(case, "Second June report", "Kyiv Ledger", "2024-06-20", "one two three")
    august = _source(case, "August report", "Baltic Wire", "August 2024", "red green blue")
    year = _source(case, "Year report", None, "2023", "north south east west")
    none = _source(case, "Undated report", "Baltic Wire", None, "up down")
    for source_id, quotes in ((june, ["alpha", "gamma"]), (june2, ["two"]), (august, ["red", "blue", "green"]),
                              (year, ["north"]), (none, ["up", "down"])):
        for quote in quotes:
            excerpts.add_excerpt(case, source_id, quote=quote)
    return case


def test_months_count_sources_and_their_excerpts_by_publication_month(dated):
    figures = case_stats(dated)
    assert figures.sources_by_month == [("2024-06", 2), ("2024-08", 1)]
    assert figures.excerpts_by_month == [("2024-06", 3), ("2024-08", 3)]
    # A year alone gives no month: counted apart, never put in January.
    assert (figures.sources_undated, figures.excerpts_undated) == (2, 3)
    assert figures.month_rows() == [("2024-06", 2, 3), ("2024-08", 1, 3)]
    assert sum(n for _, n in figures.marked_by_month) == figures.excerpts == 9


def test_outlets_count_sources_and_excerpts(dated):
    figures = case_stats(dated)
    assert figures.outlet_rows() == [("Baltic Wire", 2, 5), ("Kyiv Ledger", 2, 3), ("(unknown)", 1, 1)]
    assert figures.as_dict()["excerpts_by_outlet"] == {"Baltic Wire": 5, "Kyiv Ledger": 3, "(unknown)": 1}


def test_weakest_claims_follow_list_claims_weakest_order(demo_case):
    lone = claims.add_claim(demo_case, "A claim nobody has backed yet")
    figures = case_stats(demo_case)
    weakest = claims.list_claims(demo_case, order="weakest")
    assert [c.id for c in figures.weakest_claims] == [c.id for c in weakest[:10]]
    assert figures.weakest_claims[0].id == lone.id and figures.weakest_claims[0].sources == 0
    first = figures.weakest_claims[1]
    assert (first.sources, first.outlets, first.supporting) == (weakest[1].sources, weakest[1].outlets, weakest[1].supporting)
    assert case_stats(demo_case, weakest=3).weakest_claims == figures.weakest_claims[:3]


def test_demo_figures_match_the_database(demo_case):
    conn = demo_case.db.conn
    figures = case_stats(demo_case)
    assert dict(figures.by_status) == {
        s: conn.execute("SELECT count(*) FROM excerpts WHERE review_status = ?", (s,)).fetchone()[0]
        for s in ("unreviewed", "accepted", "rejected", "flagged")
    }
    assert dict(figures.by_claim_type) == {
        name: n for name, n in conn.execute(
            "SELECT t.name, (SELECT count(*) FROM excerpt_claim_types x WHERE x.claim_type_id = t.id) FROM claim_types t")
    }
    per_outlet = {}
    for outlet, n in conn.execute("SELECT s.outlet, (SELECT count(*) FROM excerpts e WHERE e.source_id = s.id) FROM sources s"):
        got = per_outlet.setdefault(outlet or "(unknown)", [0, 0])
        got[0] += 1
        got[1] += n
    assert {name: [a, b] for name, a, b in figures.outlet_rows()} == per_outlet
    assert sum(n for _, n in figures.sources_by_month) + figures.sources_undated == figures.sources == 10
    assert sum(n for _, n in figures.excerpts_by_month) + figures.excerpts_undated == figures.excerpts == 16


# -- the CLI --------------------------------------------------------------------------------------


def _invoke(*args: str):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False, env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    return result.stdout


def test_stats_cli_prints_every_table(demo_case):
    db = str(demo_case.path)
    figures = case_stats(demo_case)
    out = _invoke("stats", "--db", db)
    assert out.splitlines()[0].split() == ["10", "sources", "16", "excerpts", "10", "claim", "types", "10", "claims",
                                           "25", "entities"]
    for title in ("Excerpts per claim type", "Excerpts per review status", "Sources per outlet",
                  "Per publication month", "Excerpts marked per month", "Least corroborated claims"):
        assert title in out
    cells = lambda line: [c.strip() for c in line.strip("│ ").split("│")]  # noqa: E731
    rows = {tuple(cells(line)[:1])[0]: cells(line)[1:] for line in out.splitlines() if line.startswith("│")}
    for name, count in figures.by_claim_type:
        assert rows[name] == [str(count)]
    for month, n_sources, n_excerpts in figures.month_rows():
        assert rows[month] == [str(n_sources), str(n_excerpts)]
    assert rows["no month known"] == [str(figures.sources_undated), str(figures.excerpts_undated)]
    for name, n_sources, n_excerpts in figures.outlet_rows():
        assert rows[name] == [str(n_sources), str(n_excerpts)]
    weakest = figures.weakest_claims[0]
    assert rows[weakest.statement] == [weakest.claim_type, "1", "0", "1", "1"]


def test_stats_cli_json_is_case_stats(demo_case):
    data = json.loads(_invoke("stats", "--db", str(demo_case.path), "--json"))
    assert data == json.loads(json.dumps(case_stats(demo_case).as_dict()))
    assert data["excerpts_by_month"]["2024-06"] == 7 and data["sources_undated"] == 2
    assert len(data["weakest_claims"]) == 10 and set(data["weakest_claims"][0]) == {
        "id", "statement", "claim_type", "supporting", "contradicting", "sources", "outlets"}


def test_stats_cli_on_an_empty_case_says_so(tmp_path):
    db = tmp_path / "empty.db"
    CaseFile.open(db).close()
    out = _invoke("stats", "--db", str(db))
    assert re.sub(r"\s+", " ", out.splitlines()[0]) == "0 sources 0 excerpts 0 claim types 0 claims 0 entities"
    assert "The case file is empty" in out
    data = json.loads(_invoke("stats", "--db", str(db), "--json"))
    assert data["sources"] == 0 and data["weakest_claims"] == [] and data["sources_by_month"] == {}
