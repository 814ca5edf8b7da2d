"""Full-text search: FTS5 syntax, plain refusals of bad queries, and the index kept in step."""

from __future__ import annotations

import pytest

from evidence_tui.domain import excerpts, history, search, sources
from evidence_tui.domain.search import MARK_END, MARK_START
from evidence_tui.errors import Invalid


@pytest.fixture
def corpus(case):
    """Three sources and three excerpts with known words."""

    def add(title: str, body: str) -> str:
        return sources.import_text(case, f"{title}\n\n{body}\n".encode(), f"{title}.txt").source_id

    s = {
        "contract": add("Detained migrants", "They were offered an army contract in detention."),
        "apart": add("Separate words", "The army arrived later. A contract was never shown."),
        "deport": add("Border story", "Deportation was threatened. Повестки пришли в общежитие."),
    }
    e = {
        "contract": excerpts.add_excerpt(case, s["contract"], quote="offered an army contract", note="key evidence").id,
        "apart": excerpts.add_excerpt(case, s["apart"], quote="The army arrived later.").id,
        "deport": excerpts.add_excerpt(case, s["deport"], quote="Deportation was threatened.", note="café owner said so").id,
    }
    return s, e


def hits(case, query: str, kinds=("source", "excerpt")) -> set[tuple[str, str]]:
    return {(h.kind, h.id) for h in search.search(case, query, kinds=kinds)}


def test_phrase_or_not_and_prefix_queries(case, corpus):
    s, e = corpus
    assert hits(case, '"army contract"') == {("source", s["contract"]), ("excerpt", e["contract"])}
    assert hits(case, "army contract") == {("source", s["contract"]), ("source", s["apart"]), ("excerpt", e["contract"])}
    assert hits(case, '"army contract" OR deportation') == {
        ("source", s["contract"]), ("excerpt", e["contract"]), ("source", s["deport"]), ("excerpt", e["deport"]),
    }
    # Both sources say "contract" somewhere; of the excerpts, only one says "army" without it.
    assert hits(case, "army NOT contract") == {("excerpt", e["apart"])}
    assert hits(case, "army NOT detention") == {("source", s["apart"]), ("excerpt", e["contract"]), ("excerpt", e["apart"])}
    assert hits(case, "deport*") == {("source", s["deport"]), ("excerpt", e["deport"])}
    assert hits(case, "deport") == set()  # without the star, a whole word
    assert hits(case, "повестки") == {("source", s["deport"])}  # Cyrillic, case-folded
    assert hits(case, "cafe") == {("excerpt", e["deport"])}  # notes are searched, diacritics folded
    assert hits(case, "evidence", kinds=("excerpt",)) == {("excerpt", e["contract"])}
    assert hits(case, "army", kinds=("source",)) == {("source", s["contract"]), ("source", s["apart"])}


def test_hits_carry_their_source_and_a_marked_snippet(case, corpus):
    s, e = corpus
    (source_hit,) = search.search(case, "detention", kinds=("source",))
    assert (source_hit.source_id, source_hit.title) == (s["contract"], "Detained migrants")
    assert f"{MARK_START}detention{MARK_END}" in source_hit.snippet
    assert "[detention]" in source_hit.as_dict()["snippet"]
    (excerpt_hit,) = search.search(case, "later", kinds=("excerpt",))
    assert (excerpt_hit.id, excerpt_hit.source_id, excerpt_hit.title) == (e["apart"], s["apart"], "Separate words")
    assert excerpt_hit.snippet == f"The army arrived {MARK_START}later{MARK_END}."
    # The title weighs more than the text: a title match ranks first.
    first = search.search(case, "border OR deportation OR detained", kinds=("source",))
    assert len(first) == 2 and first[0].rank <= first[1].rank


PLAIN_SYNTAX = 'the query is not valid search syntax (put phrases in "double quotes"; use AND, OR, NOT in capitals)'


@pytest.mark.parametrize(
    "query, message",
    [
        ('"unclosed', "a double quote is not closed"),
        ("AND", PLAIN_SYNTAX),
        ("army OR", PLAIN_SYNTAX),
        ("(army", PLAIN_SYNTAX),
        ("foo:bar", "a word followed by ':' is read as a column name; put it in \"double quotes\""),
        ("*", PLAIN_SYNTAX),
        ("-army", PLAIN_SYNTAX),
        ("NEAR(army contract, x)", PLAIN_SYNTAX),
    ],
)
def test_rejected_queries_get_a_plain_message(case, corpus, query, message):
    with pytest.raises(Invalid) as raised:
        search.search(case, query)
    assert str(raised.value) == f"cannot search for {query!r}: {message}"
    assert "fts5" not in str(raised.value).lower() and "sqlite" not in str(raised.value).lower()


def test_empty_query_is_refused(case):
    with pytest.raises(Invalid, match="^the search query is empty$"):
        search.search(case, "  ")


def test_match_expression_makes_anything_typed_safe(case, corpus):
    s, e = corpus
    assert search.match_expression('army "contract') == '"army" "contract"*'
    assert search.match_expression("AND OR NOT :") == '"AND" "OR" "NOT"*'
    assert search.match_expression("!!!") == '""'
    assert hits(case, search.match_expression("AND foo:bar")) == set()


def test_index_follows_source_edits_and_their_undo(case, corpus):
    s, e = corpus
    sources.update_source(case, s["apart"], title="Zebra crossing report")
    assert hits(case, "zebra", kinds=("source",)) == {("source", s["apart"])}
    assert [x.id for x in sources.list_sources(case, text="zebra")] == [s["apart"]]

    sources.update_source(case, s["apart"], title="Okapi sighting")

    assert hits(case, "okapi", kinds=("source",)) == {("source", s["apart"])}
    assert hits(case, "zebra", kinds=("source",)) == set()  # the old title is out of the index
    assert sources.list_sources(case, text="zebra") == []

    history.undo_last(case)

    assert hits(case, "zebra", kinds=("source",)) == {("source", s["apart"])}
    assert hits(case, "okapi", kinds=("source",)) == set()


def test_index_follows_excerpt_notes_deletion_and_undo(case, corpus):
    s, e = corpus
    excerpts.set_note(case, e["apart"], "giraffe sighting")
    assert hits(case, "giraffe") == {("excerpt", e["apart"])}
    excerpts.set_note(case, e["apart"], "")
    assert hits(case, "giraffe") == set()
    history.undo_last(case)
    assert hits(case, "giraffe") == {("excerpt", e["apart"])}

    excerpts.delete_excerpt(case, e["apart"])
    assert hits(case, "giraffe") == set()
    assert hits(case, "arrived") == {("source", s["apart"])}
    history.undo_last(case)
    assert hits(case, "giraffe") == {("excerpt", e["apart"])}
    assert hits(case, "arrived") == {("source", s["apart"]), ("excerpt", e["apart"])}
