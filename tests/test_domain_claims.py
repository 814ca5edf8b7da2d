"""Claims in the domain: unique statements, links, the evidence behind a claim, and corroboration
(sources, outlets, reliability, dates)."""

from __future__ import annotations

import pytest

from evidence_tui.domain import claims, codebook, excerpts, history, sources
from evidence_tui.errors import Invalid, NotFound
from evidence_tui.importers import ImportOptions


def test_claim_evidence_lists_excerpts_and_whole_sources_earliest_first(demo_case):
    claim = claims.list_claims(demo_case)[0]
    linked = claims.claim_evidence(demo_case, claim.id)
    assert [e.stance for e in linked] == ["supports"] * claim.supporting
    assert all(e.excerpt_id and e.quote == excerpts.get_excerpt(demo_case, e.excerpt_id).quote for e in linked)
    # A whole source linked to the claim comes with the excerpts (no quote), sorted by date.
    undated = [s for s in (excerpts.list_excerpts(demo_case)) if s.source_id not in {e.source_id for e in linked}]
    other = undated[0].source_id
    claims.link_source(demo_case, claim.id, other, "contradicts")
    both = claims.claim_evidence(demo_case, claim.id)
    assert len(both) == len(linked) + 1
    whole = [e for e in both if e.excerpt_id is None]
    assert len(whole) == 1 and whole[0].source_id == other and whole[0].quote is None
    assert whole[0].stance == "contradicts"
    dated = [e.published for e in both if e.published]
    assert dated == sorted(dated)
    assert all(e.published for e in both[:len(dated)])  # undated evidence last


def test_claim_evidence_of_a_claim_without_evidence_is_empty(demo_case):
    claim = claims.add_claim(demo_case, "Nothing backs this yet")
    assert claims.claim_evidence(demo_case, claim.id) == []


# -- corroboration on a hand-built case -----------------------------------------------------------


def add_source(case, title: str, *, outlet: str | None, date: str, reliability: str | None, body: str) -> str:
    options = ImportOptions(title=title, outlet=outlet, date=date)
    source_id = sources.import_text(case, f"{title}\n\n{body}\n".encode(), f"{title}.txt", options).source_id
    if reliability:
        sources.update_source(case, source_id, reliability=reliability)
    return source_id


@pytest.fixture
def world(case):
    """Sources from two outlets (one spelled two ways), an outlet-less one, and a contradicting one."""
    s = {
        "ledger1": add_source(case, "Ledger one", outlet="Kyiv Ledger", date="2024-06-15", reliability="C",
                              body="Recruits were promised driving jobs. They were sent to the front."),
        "ledger2": add_source(case, "Ledger two", outlet="kyiv ledger", date="2024-06-20", reliability="A",
                              body="A second recruit said the same about driving jobs."),
        "wire": add_source(case, "Wire story", outlet="Baltic Wire", date="2023-12-07", reliability=None,
                           body="Migrants described being promised civilian work."),
        "denial": add_source(case, "Denial", outlet="Official Gazette", date="2022-01-01", reliability="B",
                             body="The ministry said all recruits signed knowingly."),
        "blog1": add_source(case, "Blog one", outlet=None, date="2024-01-01", reliability=None, body="No outlet here."),
        "blog2": add_source(case, "Blog two", outlet=None, date="2024-02-01", reliability=None, body="No outlet there."),
    }
    e = {
        "l1a": excerpts.add_excerpt(case, s["ledger1"], quote="Recruits were promised driving jobs.").id,
        "l1b": excerpts.add_excerpt(case, s["ledger1"], quote="They were sent to the front.").id,
        "l2": excerpts.add_excerpt(case, s["ledger2"], quote="the same about driving jobs").id,
        "wire": excerpts.add_excerpt(case, s["wire"], quote="promised civilian work").id,
        "denial": excerpts.add_excerpt(case, s["denial"], quote="all recruits signed knowingly").id,
        "blog1": excerpts.add_excerpt(case, s["blog1"], quote="No outlet here.").id,
        "blog2": excerpts.add_excerpt(case, s["blog2"], quote="No outlet there.").id,
    }
    return s, e


def figures(claim) -> tuple:
    return (claim.supporting, claim.contradicting, claim.sources, claim.outlets, claim.single_outlet,
            claim.best_reliability, claim.earliest, claim.latest)


def test_corroboration_counts_sources_and_outlets(case, world):
    s, e = world
    claim = claims.add_claim(case, "Recruits were deceived about the job")
    # No evidence yet: not "one outlet" but unsupported.
    assert claim.unsupported
    assert figures(claim) == (0, 0, 0, 0, False, None, None, None)

    for excerpt_id in (e["l1a"], e["l1b"], e["l2"]):
        claim = claims.link_excerpt(case, claim.id, excerpt_id)
    # Three excerpts, two sources, one outlet (spelled in two cases): one voice.
    assert figures(claim) == (3, 0, 2, 1, True, "A", "2024-06-15", "2024-06-20")

    claim = claims.link_excerpt(case, claim.id, e["denial"], "contradicts")
    # Contradicting evidence is counted apart and never adds a source, an outlet, a grade or a date.
    assert figures(claim) == (3, 1, 2, 1, True, "A", "2024-06-15", "2024-06-20")

    claim = claims.link_excerpt(case, claim.id, e["wire"])
    assert figures(claim) == (4, 1, 3, 2, False, "A", "2023-12-07", "2024-06-20")
    assert claims.get_claim(case, claim.id[:6]) == claim
    assert claim.as_dict()["single_outlet"] is False


def test_best_reliability_is_the_best_grade(case, world):
    s, e = world
    claim = claims.add_claim(case, "A recruit was sent to the front")
    claim = claims.link_excerpt(case, claim.id, e["l1a"])
    assert claim.best_reliability == "C"
    claim = claims.link_excerpt(case, claim.id, e["wire"])  # no grade: does not count
    assert claim.best_reliability == "C"
    claim = claims.link_excerpt(case, claim.id, e["l2"])
    assert claim.best_reliability == "A"


def test_relinking_changes_the_stance(case, world):
    s, e = world
    claim = claims.add_claim(case, "Recruits signed knowingly")
    claims.link_excerpt(case, claim.id, e["l1a"])
    claim = claims.link_excerpt(case, claim.id, e["l1a"], "contradicts")
    assert figures(claim) == (0, 1, 0, 0, False, None, None, None)
    assert case.db.conn.execute("SELECT count(*) FROM claim_excerpts").fetchone()[0] == 1
    claim = claims.unlink_excerpt(case, claim.id, e["l1a"])
    assert figures(claim)[:2] == (0, 0)


def test_sources_without_an_outlet_never_count_as_outlets(case, world):
    # Two outlet-less files may be one wire story: not independent corroboration.
    s, e = world
    claim = claims.add_claim(case, "Bloggers reported it")
    claims.link_excerpt(case, claim.id, e["blog1"])
    claim = claims.link_excerpt(case, claim.id, e["blog2"])
    assert (claim.sources, claim.outlets, claim.sources_without_outlet) == (2, 0, 2)
    assert (claim.outlet_unknown, claim.single_outlet, claim.corroboration_mark) == (True, False, "no outlet")
    # With one named outlet beside them it rests on one outlet; with two it is corroborated.
    claim = claims.link_excerpt(case, claim.id, e["wire"])
    assert (claim.sources, claim.outlets, claim.sources_without_outlet, claim.corroboration_mark) == (3, 1, 2, "one outlet")
    claim = claims.link_excerpt(case, claim.id, e["l1a"])
    assert (claim.sources, claim.outlets, claim.sources_without_outlet, claim.corroboration_mark) == (4, 2, 2, None)
    # Naming a blog's outlet makes it count; a blank outlet is no outlet.
    sources.update_source(case, s["blog1"], outlet="Steppe Blog")
    sources.update_source(case, s["blog2"], outlet="  ")
    claim = claims.get_claim(case, claim.id)
    assert (claim.outlets, claim.sources_without_outlet) == (3, 1)
    view = case.db.conn.execute(
        "SELECT outlets, sources_without_outlet FROM claims_corroboration WHERE claim_id = ?", (claim.id,)).fetchone()
    assert tuple(view) == (3, 1)


def test_whole_sources_count_unless_they_only_mention_the_claim(case, world):
    s, e = world
    claim = claims.add_claim(case, "Migrants were promised civilian work")
    claims.link_excerpt(case, claim.id, e["wire"])
    claim = claims.link_source(case, claim.id, s["wire"])  # the same source again: still one
    assert (claim.supporting, claim.sources, claim.outlets) == (1, 1, 1)
    claim = claims.link_source(case, claim.id, "Ledger one", "mentions")
    assert (claim.sources, claim.outlets) == (1, 1)
    claim = claims.link_source(case, claim.id, "Ledger one", "supports")  # relinking changes the stance
    assert (claim.sources, claim.outlets, claim.earliest, claim.latest) == (2, 2, "2023-12-07", "2024-06-15")
    claim = claims.link_source(case, claim.id, "Denial", "contradicts")
    assert (claim.sources, claim.outlets, claim.best_reliability) == (2, 2, "C")
    with pytest.raises(Invalid, match="^a source supports, contradicts or mentions a claim, not 'proves'$"):
        claims.link_source(case, claim.id, "Denial", "proves")
    with pytest.raises(Invalid, match="^an excerpt either supports or contradicts a claim, not 'mentions'$"):
        claims.link_excerpt(case, claim.id, e["l1a"], "mentions")


def test_claim_evidence_mixes_excerpts_and_sources_earliest_first(case, world):
    s, e = world
    claim = claims.add_claim(case, "Recruits were deceived")
    claims.link_excerpt(case, claim.id, e["l2"])
    claims.link_excerpt(case, claim.id, e["denial"], "contradicts")
    claims.link_source(case, claim.id, s["wire"])
    evidence = claims.claim_evidence(case, claim.id)
    assert [(x.stance, x.source_title, x.published, x.quote) for x in evidence] == [
        ("contradicts", "Denial", "2022-01-01", "all recruits signed knowingly"),
        ("supports", "Wire story", "2023-12-07", None),
        ("supports", "Ledger two", "2024-06-20", "the same about driving jobs"),
    ]


# -- corroboration figures, one by one, on three sources from two outlets -------------------------


def build_corroboration_case(case):
    """Three sources from two outlets: two supporting (one outlet, spelled two ways; a month-precision
    date and a day in that month; grades D and B) and one contradicting (graded A, dated earlier).

    Returns the claim and the ids of the sources and excerpts, for the domain and the TUI tests.
    """
    june = add_source(case, "Ledger in June", outlet="Kyiv Ledger", date="2024-06", reliability="D",
                      body="Recruits were promised driving jobs. They were sent to the front.")
    follow_up = add_source(case, "Ledger follow-up", outlet="KYIV LEDGER", date="2024-06-15", reliability="B",
                           body="A second recruit said the same about driving jobs.")
    denial = add_source(case, "Ministry denial", outlet="Official Gazette", date="2023-11-02", reliability="A",
                        body="The ministry said all recruits signed knowingly.")
    e = {
        "june1": excerpts.add_excerpt(case, june, quote="Recruits were promised driving jobs.").id,
        "june2": excerpts.add_excerpt(case, june, quote="They were sent to the front.").id,
        "follow_up": excerpts.add_excerpt(case, follow_up, quote="the same about driving jobs").id,
        "denial": excerpts.add_excerpt(case, denial, quote="all recruits signed knowingly").id,
    }
    claim = claims.add_claim(case, "Recruits were promised driving jobs")
    for key in ("june1", "june2", "follow_up"):
        claims.link_excerpt(case, claim.id, e[key])
    claim = claims.link_excerpt(case, claim.id, e["denial"], "contradicts")
    return claim, {"june": june, "follow_up": follow_up, "denial": denial}, e


def test_corroboration_figures_on_three_sources_from_two_outlets(case):
    claim, s, e = build_corroboration_case(case)
    assert claim.as_dict() | {"id": None, "entities": None} == {
        "id": None, "statement": "Recruits were promised driving jobs", "claim_type": None, "credibility": None,
        "notes": None, "entities": None,
        "supporting": 3, "contradicting": 1,            # excerpts
        "sources": 2, "outlets": 1,                     # behind the supporting ones: one outlet, two spellings
        "sources_without_outlet": 0, "outlet_unknown": False,
        "sources_against": 1, "outlets_against": 1,     # behind the contradicting one
        "best_reliability": "B",                        # the A source contradicts: it corroborates nothing
        "earliest": "2024-06", "latest": "2024-06",     # June may be before and after the 15th
        "single_outlet": True, "unsupported": False,
    }
    # A fourth source, from a second outlet, dated by its year only, ungraded.
    wire = add_source(case, "Wire", outlet="Baltic Wire", date="2024", reliability=None, body="Driving jobs, they said.")
    claim = claims.link_excerpt(case, claim.id, excerpts.add_excerpt(case, wire, quote="Driving jobs").id)
    assert figures(claim) == (4, 1, 3, 2, False, "B", "2024", "2024")
    # A whole source contradicting adds a source against, no excerpt; its outlet is unknown, so
    # it adds no outlet.
    other = add_source(case, "Rebuttal", outlet=None, date="2025-01-02", reliability="A", body="Not so.")
    claim = claims.link_source(case, claim.id, other, "contradicts")
    assert (claim.contradicting, claim.sources_against, claim.outlets_against) == (1, 2, 1)
    assert figures(claim)[2:] == (3, 2, False, "B", "2024", "2024")
    assert claims.get_claim(case, claim.id) == claim == claims.list_claims(case)[0]


def test_latest_date_respects_precision(case):
    claim = claims.add_claim(case, "Dated claim")
    for title, date in (("day", "2024-12-31"), ("year", "2024"), ("month", "2024-01"), ("early", "2024-01-01")):
        source = add_source(case, title, outlet=title, date=date, reliability=None, body=f"{title} text.")
        claim = claims.link_source(case, claim.id, source)
    # "2024" may be any day of 2024: as early as 2024-01 and 2024-01-01, as late as 2024-12-31.
    assert (claim.earliest, claim.latest) == ("2024", "2024")
    claims.link_source(case, claim.id, "year", "mentions")
    claim = claims.get_claim(case, claim.id)
    assert (claim.earliest, claim.latest) == ("2024-01", "2024-12-31")


def test_orders_by_reliability_and_dates(case):
    def claim_on(statement: str, date: str, reliability: str | None):
        made = claims.add_claim(case, statement)
        source = add_source(case, statement, outlet=statement, date=date, reliability=reliability, body=f"{statement}.")
        return claims.link_source(case, made.id, source)

    claim_on("graded F", "2024-06-15", "F")
    claim_on("graded A", "2024-06", "A")
    claim_on("ungraded", "2023", None)
    claim_on("graded C", "2024-06-30", "C")
    claims.add_claim(case, "no evidence")

    def order(name):
        return [c.statement for c in claims.list_claims(case, order=name)]

    # A best, F worst; ungraded after F (better sourced first among those), then no evidence at all.
    assert order("reliability") == ["graded A", "graded C", "graded F", "ungraded", "no evidence"]
    assert order("earliest") == ["ungraded", "graded A", "graded F", "graded C", "no evidence"]
    # "2024-06" may be as late as June 30th, so it comes first; undated last in both.
    assert order("latest") == ["graded A", "graded C", "graded F", "ungraded", "no evidence"]


# -- statements and values --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "existing, attempt",
    [("Recruits were deceived", "recruits  were DECEIVED"), ("Вербовщики обманули", "вербовщики обманули")],
)
def test_duplicate_statements_are_refused(case, existing, attempt):
    first = claims.add_claim(case, existing)
    with pytest.raises(Invalid, match=f"^the claim '{existing}' already exists \\({first.id[:8]}\\)$"):
        claims.add_claim(case, attempt)
    other = claims.add_claim(case, "Something else")
    with pytest.raises(Invalid, match=f"^the claim '{existing}' already exists"):
        claims.edit_claim(case, other.id, statement=attempt)
    assert claims.edit_claim(case, first.id, statement=attempt).statement == " ".join(attempt.split())  # itself
    assert len(claims.list_claims(case)) == 2


def test_claim_values_are_checked(case):
    codebook.add_type(case, "Deception")
    with pytest.raises(Invalid, match="^a claim needs a statement$"):
        claims.add_claim(case, "   ")
    with pytest.raises(Invalid, match="^credibility must be from 1 \\(confirmed\\) to 6 \\(cannot be judged\\), not 7$"):
        claims.add_claim(case, "Valid statement", credibility=7)
    with pytest.raises(NotFound, match="^no claim type 'Nope'"):
        claims.add_claim(case, "Valid statement", claim_type="Nope")
    made = claims.add_claim(case, "  Valid\nstatement ", claim_type="deception", credibility=2, notes="n")
    assert (made.statement, made.claim_type, made.credibility, made.notes) == ("Valid statement", "Deception", 2, "n")
    assert claims.list_claims(case)[0].id == made.id
    with pytest.raises(Invalid, match="^unknown order 'best'"):
        claims.list_claims(case, order="best")


def test_list_claims_orders(case, world):
    s, e = world
    strong = claims.add_claim(case, "Strong")
    weak = claims.add_claim(case, "Weak")
    none = claims.add_claim(case, "Unsupported")
    for excerpt_id in (e["l1a"], e["wire"], e["blog1"]):
        claims.link_excerpt(case, strong.id, excerpt_id)
    claims.link_excerpt(case, weak.id, e["l2"])
    assert [c.statement for c in claims.list_claims(case, order="sources")] == ["Strong", "Weak", "Unsupported"]
    assert [c.statement for c in claims.list_claims(case, order="weakest")] == ["Unsupported", "Weak", "Strong"]
    assert [c.statement for c in claims.list_claims(case, order="statement")] == ["Strong", "Unsupported", "Weak"]
    assert [c.id for c in claims.list_claims(case)] == [strong.id, weak.id, none.id]


def test_delete_claim_keeps_its_evidence_and_undo_restores_the_links(case, world):
    s, e = world
    claim = claims.add_claim(case, "Recruits were deceived")
    claims.link_excerpt(case, claim.id, e["l1a"])
    claims.link_source(case, claim.id, s["wire"], "mentions")
    claims.delete_claim(case, claim.id)
    assert claims.list_claims(case) == []
    assert excerpts.get_excerpt(case, e["l1a"]).claims == ()
    history.undo_last(case)
    restored = claims.get_claim(case, "Recruits were deceived")
    assert (restored.supporting, restored.sources) == (1, 1)
    assert case.db.conn.execute("SELECT stance FROM claim_sources").fetchone()[0] == "mentions"


def test_unlink_source_keeps_the_source_and_undo_links_it_again(case, world):
    s, e = world
    claim = claims.add_claim(case, "The ministry denied it")
    claims.link_excerpt(case, claim.id, e["denial"])
    claim = claims.link_source(case, claim.id, s["wire"], "contradicts")
    assert (claim.sources, claim.sources_against) == (1, 1)
    claim = claims.unlink_source(case, claim.id, s["wire"])
    assert (claim.sources, claim.sources_against) == (1, 0)
    assert case.db.conn.execute("SELECT count(*) FROM claim_sources").fetchone()[0] == 0
    assert sources.get_source(case, s["wire"]).title == "Wire story"  # the source stays
    assert [x.excerpt_id for x in claims.claim_evidence(case, claim.id)] == [e["denial"]]
    assert history.undo_last(case).summary.startswith("unlink source")
    assert case.db.conn.execute("SELECT source_id, stance FROM claim_sources").fetchone()[:] == (s["wire"], "contradicts")
    assert claims.get_claim(case, claim.id).sources_against == 1


def test_an_outlet_written_with_extra_spaces_is_the_same_outlet(case, world):
    s, e = world
    sources.update_source(case, s["blog1"], outlet="Le  Monde")
    sources.update_source(case, s["blog2"], outlet=" Le Monde\t")
    assert {sources.get_source(case, s[k]).outlet for k in ("blog1", "blog2")} == {"Le Monde"}
    claim = claims.add_claim(case, "Bloggers reported it")
    claims.link_excerpt(case, claim.id, e["blog1"])
    claim = claims.link_excerpt(case, claim.id, e["blog2"])
    assert (claim.sources, claim.outlets, claim.single_outlet) == (2, 1, True)
    pasted = sources.import_text(case, b"Title\n\nText.\n", None, ImportOptions(outlet="Kyiv   Ledger")).source_id
    assert sources.get_source(case, pasted).outlet == "Kyiv Ledger"
