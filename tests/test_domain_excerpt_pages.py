"""Paging the excerpt list: every page, read on from the last one (keyset) or from the end, is the
same as the slice of the whole list, for every filter strategy, and a change is never paged past."""

from __future__ import annotations

import pytest

from evidence_tui.domain import codebook, excerpts, sources
from evidence_tui.domain.filters import ExcerptFilter
from evidence_tui.store import CaseFile

WORDS = 130


@pytest.fixture(scope="module")
def paged(tmp_path_factory):
    """One source of 130 words, each word an excerpt; A on even words, B on every third; a third accepted.

    Excerpts made in the same millisecond share created_at: the order falls back on the rowid.
    """
    case = CaseFile.open(tmp_path_factory.mktemp("pages") / "case.db", actor="tester")
    codebook.add_type(case, "A")
    codebook.add_type(case, "B")
    body = " ".join(f"w{i:03d}" for i in range(WORDS))
    source_id = sources.import_text(case, f"Words\n\n{body}\n".encode(), "words.txt").source_id
    text = sources.get_source(case, source_id).text
    for i in range(WORDS):
        start = text.index(f"w{i:03d}")
        types = [t for t, on in (("A", i % 2 == 0), ("B", i % 3 == 0)) if on]
        made = excerpts.add_excerpt(case, source_id, start=start, end=start + 4, types=types)
        if i % 3 == 1:
            excerpts.set_status(case, made.id, "accepted")
    yield case
    case.close()


FILTERS = [
    ExcerptFilter(),
    ExcerptFilter(claim_types=("A",)),
    ExcerptFilter(claim_types=("A", "B")),
    ExcerptFilter(statuses=("accepted",)),
    ExcerptFilter(claim_types=("B",), statuses=("unreviewed",)),
]


@pytest.mark.parametrize(("few_linked", "budget"), [(3, 10.0), (5000, 10.0), (3, -1.0)],
                         ids=["walk-excerpts", "from-links", "walk-over-budget"])
@pytest.mark.parametrize("f", FILTERS, ids=lambda f: repr(f)[14:60])
def test_every_page_is_the_slice_of_the_whole_list(paged, f, few_linked, budget, monkeypatch):
    # Every strategy of reading linked excerpts: walking the list, starting from the links, and
    # a walk stopped by its time budget that starts from the links instead.
    monkeypatch.setattr(excerpts, "_FEW_LINKED", few_linked)
    monkeypatch.setattr(excerpts, "_WALK_BUDGET", budget)
    monkeypatch.setattr(excerpts, "_BUDGET_CHECK_EVERY", 1)
    whole = [e.id for e in excerpts.list_excerpts(paged, f)]
    total = excerpts.count_excerpts(paged, f)
    assert len(whole) == total > 10
    for size in (7, 10):
        # In order (each page reads on from the previous one), then from the end backwards
        # (pages past the middle read newest first), then a jump to a page never read before.
        in_order = [e.id for offset in range(0, total, size)
                    for e in excerpts.list_excerpts(paged, f, limit=size, offset=offset, total=total)]
        assert in_order == whole
        backwards = [[e.id for e in excerpts.list_excerpts(paged, f, limit=size, offset=offset, total=total)]
                     for offset in reversed(range(0, total, size))]
        assert [i for page in reversed(backwards) for i in page] == whole
        assert [e.id for e in excerpts.list_excerpts(paged, f, limit=size, offset=total - 3, total=total)] == whole[-3:]
        assert [e.id for e in excerpts.list_excerpts(paged, f, limit=size, offset=total - 3)] == whole[-3:]


def test_a_change_is_never_paged_past(paged):
    f = ExcerptFilter(claim_types=("A",))
    first = excerpts.list_excerpts(paged, f, limit=5, offset=0)
    excerpts.list_excerpts(paged, f, limit=5, offset=5)  # remembers where page 2 ends
    # Delete the first excerpt: every later one moves up a place, and a remembered page end is stale.
    gone = excerpts.delete_excerpt(paged, first[0].id)
    try:
        whole = [e.id for e in excerpts.list_excerpts(paged, f)]
        assert [e.id for e in excerpts.list_excerpts(paged, f, limit=5, offset=5)] == whole[5:10]
        assert [e.id for e in excerpts.list_excerpts(paged, f, limit=5, offset=10)] == whole[10:15]
    finally:
        from evidence_tui.domain import history

        history.undo_last(paged)
    assert excerpts.get_excerpt(paged, gone.id).id == gone.id


def test_a_walk_over_its_time_budget_reads_the_page_from_the_links(paged, monkeypatch):
    f = ExcerptFilter(claim_types=("A", "B"))
    monkeypatch.setattr(excerpts, "_FEW_LINKED", 3)
    expected = [e.id for e in excerpts.list_excerpts(paged, f, limit=10)]
    routes = []
    page_rowids = excerpts._page_rowids

    def spy(*args, from_links=False, **kwargs):
        routes.append(from_links)
        return page_rowids(*args, from_links=from_links, **kwargs)

    monkeypatch.setattr(excerpts, "_page_rowids", spy)
    monkeypatch.setattr(excerpts, "_WALK_BUDGET", -1.0)  # over budget at SQLite's first check
    monkeypatch.setattr(excerpts, "_BUDGET_CHECK_EVERY", 1)
    assert [e.id for e in excerpts.list_excerpts(paged, f, limit=10)] == expected
    assert routes == [False, True]
    # The connection is left without the budget's interrupt.
    assert len(excerpts.list_excerpts(paged, f)) == excerpts.count_excerpts(paged, f)
