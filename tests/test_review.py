"""Review sessions in the domain and the CLI: the queue, decisions, resume, blind review, agreement."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from evidence_tui.cli import cli
from evidence_tui.domain import excerpts, history, review
from evidence_tui.domain.filters import ExcerptFilter
from evidence_tui.domain.review import ReviewQueue
from evidence_tui.errors import Invalid, NotFound


def oldest_ids(case) -> list[str]:
    return [r[0] for r in case.db.conn.execute("SELECT id FROM excerpts ORDER BY created_at, rowid")]


def test_the_queue_is_the_unreviewed_excerpts_oldest_first(demo_case):
    queue = ReviewQueue(reviewer="tester")
    order = oldest_ids(demo_case)
    assert review.remaining(demo_case, queue) == len(order) == 16
    assert review.next_excerpt(demo_case, queue).id == order[0]
    # Skipped this session: the next one comes up, and is not counted.
    assert review.next_excerpt(demo_case, queue, skipped=[order[0]]).id == order[1]
    assert review.remaining(demo_case, queue, skipped=[order[0]]) == 15


def test_a_decision_is_saved_at_once_with_reviewer_time_and_an_event(demo_case):
    first = oldest_ids(demo_case)[0]
    decided = review.decide(demo_case, first, "flagged", note="check the date")
    assert decided.review_status == "flagged" and decided.note == "check the date"
    row = demo_case.db.conn.execute("SELECT reviewer, decision, note, blind, decided_at FROM reviews").fetchone()
    assert tuple(row)[:4] == ("tester", "flagged", "check the date", 0)
    assert row["decided_at"].endswith("Z")
    op = demo_case.db.conn.execute("SELECT name, actor, summary FROM operations ORDER BY seq DESC LIMIT 1").fetchone()
    assert tuple(op) == ("review.decide", "tester", f"review: flagged excerpt {first[:8]}")


def test_leaving_and_coming_back_resumes_at_the_next_undecided(demo_case, tmp_path):
    order = oldest_ids(demo_case)
    for excerpt_id, decision in zip(order, ("accepted", "accepted", "rejected", "flagged")):
        review.decide(demo_case, excerpt_id, decision)
    path = demo_case.path
    demo_case.close()
    from evidence_tui.store import CaseFile

    again = CaseFile.open(path, actor="tester")
    try:
        assert review.next_excerpt(again, ReviewQueue(reviewer="tester")).id == order[4]
        assert review.remaining(again, ReviewQueue(reviewer="tester")) == 12
        # Undo after the restart works from the event log.
        undone = history.undo_last(again, only_mine=True)
        assert undone.name == "review.decide"
        assert review.next_excerpt(again, ReviewQueue(reviewer="tester")).id == order[3]
        assert excerpts.get_excerpt(again, order[3]).review_status == "unreviewed"
    finally:
        again.close()


def test_the_queue_takes_a_filter_and_an_order(demo_case):
    queue = ReviewQueue(filter=ExcerptFilter(claim_types=("Coercion or threat",)), reviewer="tester", order="source")
    shown = []
    skipped: list[str] = []
    while (excerpt := review.next_excerpt(demo_case, queue, skipped)) is not None:
        shown.append(excerpt)
        skipped.append(excerpt.id)
    assert shown and all(any(t.name == "Coercion or threat" for t in e.claim_types) for e in shown)
    titles = [e.source_id for e in shown]
    # Grouped by source: a source's excerpts come together, in text order.
    assert titles == sorted(titles, key=titles.index)
    assert [e.start for e in shown if e.source_id == shown[0].source_id] == sorted(
        e.start for e in shown if e.source_id == shown[0].source_id)
    with pytest.raises(NotFound, match="no claim type"):
        review.remaining(demo_case, ReviewQueue(filter=ExcerptFilter(claim_types=("Nope",))))
    with pytest.raises(Invalid, match="unknown queue order"):
        review.remaining(demo_case, ReviewQueue(order="random"))


def test_a_decision_on_a_deleted_excerpt_is_reported(demo_case):
    first = oldest_ids(demo_case)[0]
    excerpts.delete_excerpt(demo_case, first)
    with pytest.raises(NotFound):
        review.decide(demo_case, first, "accepted")
    with pytest.raises(Invalid, match="unknown decision"):
        review.decide(demo_case, oldest_ids(demo_case)[0], "maybe")


def test_credibility_is_graded_1_to_6(demo_case):
    first = oldest_ids(demo_case)[0]
    assert review.set_credibility(demo_case, first, 2).credibility == 2
    with pytest.raises(Invalid, match="from 1"):
        review.set_credibility(demo_case, first, 7)
    history.undo_last(demo_case)
    assert excerpts.get_excerpt(demo_case, first).credibility is None


# Hand-computed: 10 excerpts, 8 agreements (po = 0.8); each reviewer accepts 6 and rejects 4, so
# chance agreement pe = (6*6 + 4*4) / 100 = 0.52 and kappa = (0.8 - 0.52) / (1 - 0.52) = 0.58333.
FIRST = ["accepted"] * 5 + ["accepted", "rejected"] + ["rejected"] * 3
SECOND = ["accepted"] * 5 + ["rejected", "accepted"] + ["rejected"] * 3


def review_twice(case) -> list[str]:
    order = oldest_ids(case)[:10]
    case.actor = "amina"
    for excerpt_id, decision in zip(order, FIRST):
        review.decide(case, excerpt_id, decision)
    case.actor = "bashir"
    blind = ReviewQueue(reviewer="bashir", blind=True)
    for decision in SECOND:
        excerpt = review.next_excerpt(case, blind)
        review.decide(case, excerpt.id, decision, blind=True)
    return order


def test_blind_review_sees_only_others_decisions_and_leaves_the_status_alone(demo_case):
    order = review_twice(demo_case)
    # The blind queue held exactly the ten amina decided, in the same order, and is now empty.
    blind = ReviewQueue(reviewer="bashir", blind=True)
    assert review.next_excerpt(demo_case, blind) is None
    decided = [r[0] for r in demo_case.db.conn.execute(
        "SELECT excerpt_id FROM reviews WHERE reviewer = 'bashir' ORDER BY rowid")]
    assert decided == order
    statuses = [excerpts.get_excerpt(demo_case, i).review_status for i in order]
    assert statuses == FIRST  # amina's decisions stand; bashir's are in the reviews table only


def test_agreement_matches_the_hand_computed_kappa(demo_case):
    order = review_twice(demo_case)
    figures = review.agreement(demo_case, "amina", "bashir")
    assert (figures.compared, figures.agreed, figures.percent) == (10, 8, 80.0)
    assert figures.kappa == pytest.approx(0.58333, abs=1e-4)
    assert [(d.excerpt_id, d.first, d.second) for d in figures.disagreements] == sorted(
        [(order[5], "accepted", "rejected"), (order[6], "rejected", "accepted")])
    # The default pair is the one with the most excerpts in common.
    assert review.agreement(demo_case).compared == 10


def test_kappa_edge_cases():
    assert review.cohen_kappa([]) is None
    assert review.cohen_kappa([("accepted", "accepted")] * 3) == 1.0
    # Perfect disagreement on two labels used equally: kappa -1.
    assert review.cohen_kappa([("accepted", "rejected"), ("rejected", "accepted")]) == pytest.approx(-1.0)


def test_cli_review_agreement_prints_percent_and_kappa(demo_case):
    review_twice(demo_case)
    path = str(demo_case.path)
    runner = CliRunner()
    result = runner.invoke(cli, ["review", "--db", path, "--agreement", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["first"], data["second"], data["compared"], data["agreed"]) == ("amina", "bashir", 10, 8)
    assert data["kappa"] == pytest.approx(0.58333, abs=1e-4)
    shown = runner.invoke(cli, ["review", "--db", path, "--agreement"])
    assert shown.exit_code == 0, shown.output
    text = shown.output
    assert "amina / bashir: 8 of 10 agree (80.0%), Cohen's kappa 0.583" in text
    assert "Disagreements to settle" in text


def test_cli_review_refuses_a_bad_filter_and_a_missing_terminal(demo_case):
    path = str(demo_case.path)
    runner = CliRunner()
    bad = runner.invoke(cli, ["review", "--db", path, "--type", "Nope"])
    assert bad.exit_code != 0
    assert bad.output.count("\n") == 1 and "no claim type" in bad.output and "Traceback" not in bad.output
    # CliRunner is not a terminal: the app is not started, the user is told what to use instead.
    headless = runner.invoke(cli, ["review", "--db", path])
    assert headless.exit_code != 0 and "review needs a terminal" in headless.output
    empty = runner.invoke(cli, ["review", "--db", path, "--reviewer", "  "])
    assert empty.exit_code != 0 and "--reviewer" in empty.output


def test_a_status_set_elsewhere_is_a_decision_too(demo_case):
    first, second = oldest_ids(demo_case)[:2]
    excerpts.set_status(demo_case, first, "rejected")
    excerpts.set_status(demo_case, second, "unreviewed")  # a reset is not a judgement
    rows = demo_case.db.conn.execute("SELECT excerpt_id, reviewer, decision FROM reviews").fetchall()
    assert [tuple(r) for r in rows] == [(first, "tester", "rejected")]


@pytest.mark.parametrize("filters", [
    {}, {"claim_types": ("Official figure",)}, {"date_from": "2024-06", "date_to": "2024"},
    {"statuses": ("flagged", "unreviewed")}, {"text": "visas"},
])
def test_remaining_counts_what_the_queue_would_still_show(demo_case, filters):
    # remaining() counts from the filter's indexes; it must agree with walking the queue itself.
    from evidence_tui.domain.review import _queue_sql

    review.decide(demo_case, excerpts.list_excerpts(demo_case)[0].id, "flagged")
    queue = review.ReviewQueue(ExcerptFilter(**filters), reviewer="tester")
    every = [e.id for e in excerpts.list_excerpts(demo_case, queue.effective_filter())]
    for skipped in ([], every[:1], every[1:3] + ["not-an-excerpt"]):
        where, params = _queue_sql(demo_case, queue, skipped)
        walked = demo_case.db.conn.execute(
            f"SELECT count(*) FROM excerpts e JOIN sources s ON s.id = e.source_id WHERE {where}", params).fetchone()[0]
        assert review.remaining(demo_case, queue, skipped) == walked == len(set(every) - set(skipped))


def test_decided_in_all_counts_a_skipped_excerpt_decided_since(demo_case):
    queue = review.ReviewQueue(reviewer="tester")
    skipped = [review.next_excerpt(demo_case, queue).id]
    assert review.queue_state(demo_case, queue, skipped, since="2000").overall == (0, 16)
    review.decide(demo_case, skipped[0], "accepted")  # decided elsewhere while still in the skipped list
    state = review.queue_state(demo_case, queue, skipped, since="2000")
    assert state.overall == (1, 16) and state.remaining == 15
