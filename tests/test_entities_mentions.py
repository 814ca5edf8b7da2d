"""Finding an entity's unlinked mentions in the sources, and tagging one (domain only)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evidence_tui.domain import entities, excerpts, sources
from evidence_tui.domain.entities import find_mentions, mention_pattern, sentence_span, tag_mention
from evidence_tui.errors import Invalid
from evidence_tui.store import undo

KYIV = "Ukraine urges UN member states to trace Russia's recruiters of foreign nationals"


def source_id(case, title_start: str) -> str:
    return next(s.id for s in sources.list_sources(case) if s.title.startswith(title_start))


def text_of(case, sid: str) -> str:
    return sources.get_source(case, sid).text


def test_mentions_of_kyslytsya_skip_the_linked_excerpts(demo_case):
    found = find_mentions(demo_case, "Sergiy Kyslytsya")
    # Kyiv Ledger: the Ukrainian summary, the full name, then the surname alone; the Harbour Line
    # misspelling "Kyskytsya" is inside an excerpt already linked to him, so it is not offered.
    assert [m.text for m in found] == ["Кислиця", "Sergiy Kyslytsya", "Kyslytsya"]
    assert {m.source_title for m in found} == {KYIV}
    for mention in found:
        text = text_of(demo_case, mention.source_id)
        assert text[mention.start:mention.end] == mention.text
        assert mention.context[mention.context_start:mention.context_start + len(mention.text)] == mention.text


def test_misspelled_alias_is_found_in_a_second_source_once_unlinked(demo_case):
    linked = [e for e in excerpts.list_excerpts(demo_case) if "Kyskytsya" in e.quote]
    assert len(linked) == 1
    entities.unlink_excerpt(demo_case, "Sergiy Kyslytsya", linked[0].id)
    found = find_mentions(demo_case, "Kyslytsya")  # by alias
    by_text = {m.text: m for m in found}
    assert by_text["Kyskytsya"].source_title.startswith("Offered a driving job")
    assert {m.source_title for m in found} == {KYIV, by_text["Kyskytsya"].source_title}
    # The longest name wins where names overlap: "Sergiy Kyslytsya", not "Kyslytsya" inside it.
    assert "Sergiy Kyslytsya" in by_text


def test_cyrillic_alias_matches_ignoring_case(demo_case):
    entity = entities.add_entity(demo_case, "Test person", "person", aliases=("кИСЛИЦЯ",))
    found = find_mentions(demo_case, entity.id)
    assert [m.text for m in found] == ["Кислиця"]


def test_whole_words_only_and_limit(demo_case):
    entity = entities.add_entity(demo_case, "Kyslyt", "person")  # a prefix of the surname
    assert find_mentions(demo_case, entity.id) == []
    assert len(find_mentions(demo_case, "Sergiy Kyslytsya", limit=2)) == 2
    assert find_mentions(demo_case, "Sergiy Kyslytsya", limit=0) == []


def test_acronyms_match_in_capitals_only():
    pattern = mention_pattern(["UN", "United Nations"])
    text = "The UN said un mot. the united\nnations agreed; UNESCO too"
    assert [m.group() for m in pattern.finditer(text)] == ["UN", "united\nnations"]
    assert mention_pattern(["", "  ", "..."]) is None


def test_names_inside_web_addresses_are_skipped(demo_case):
    # The Eurasia Rights Digest has "bastrykin" in its URL, share links and a mailto: subject.
    found = find_mentions(demo_case, "Alexander Bastrykin")
    assert found and all(m.text[0].isupper() for m in found)


def test_curly_and_straight_apostrophes_match_each_other(demo_case):
    found = find_mentions(demo_case, "Defence Intelligence of Ukraine")
    assert {m.text for m in found} >= {"Ukraine’s military intelligence"}


def test_sentence_span():
    text = "Hello world. The U.N. said Kyslytsya was here! Mr. Umerov left.\nA new line"
    at = text.index("Kyslytsya")
    assert text[slice(*sentence_span(text, at, at + 9))] == "The U.N. said Kyslytsya was here!"
    at = text.index("Umerov")
    assert text[slice(*sentence_span(text, at, at + 6))] == "Mr. Umerov left."
    at = text.index("new")
    assert text[slice(*sentence_span(text, at, at + 3))] == "A new line"
    long = "word " * 1000 + "Name " + "word " * 1000
    at = long.index("Name")
    start, end = sentence_span(long, at, at + 4)
    assert start <= at and end >= at + 4 and end - start < 500


@given(st.text(alphabet="ab .!?\nU", max_size=80), st.data())
def test_sentence_span_always_holds_the_span(text, data):
    if not text:
        return
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    begin, finish = sentence_span(text, start, end)
    assert 0 <= begin <= start and end <= finish <= len(text)


def test_tag_mention_makes_the_sentence_an_excerpt_linked_to_the_entity(demo_case):
    mention = next(m for m in find_mentions(demo_case, "Sergiy Kyslytsya") if m.text == "Sergiy Kyslytsya")
    excerpt = tag_mention(demo_case, "Sergiy Kyslytsya", mention.source_id, mention.start, mention.end)
    assert excerpt.quote.startswith("Ukraine's Permanent Representative to the United Nations, Sergiy Kyslytsya, has called")
    assert excerpt.quote.endswith(".")
    assert excerpt.start <= mention.start and mention.end <= excerpt.end
    assert "Sergiy Kyslytsya" in [link.name for link in excerpt.entities]
    assert [m.text for m in find_mentions(demo_case, "Sergiy Kyslytsya")] == ["Кислиця", "Kyslytsya"]
    # Tagging it again links the same excerpt (no duplicate).
    again = tag_mention(demo_case, "Sergiy Kyslytsya", mention.source_id, mention.start, mention.end)
    assert again.id == excerpt.id and len(again.entities) == 1


def test_tag_mention_refuses_a_span_outside_the_text(demo_case):
    sid = source_id(demo_case, "Ukraine urges")
    with pytest.raises(Invalid):
        tag_mention(demo_case, "Sergiy Kyslytsya", sid, 10**7, 10**7 + 3)


def test_tag_mention_is_undone_link_then_excerpt(demo_case):
    mention = find_mentions(demo_case, "Sergiy Kyslytsya")[-1]
    before = len(excerpts.list_excerpts(demo_case))
    tag_mention(demo_case, "Sergiy Kyslytsya", mention.source_id, mention.start, mention.end)
    assert len(excerpts.list_excerpts(demo_case)) == before + 1
    undo(demo_case, "tester")
    undo(demo_case, "tester")
    assert len(excerpts.list_excerpts(demo_case)) == before
    assert mention in find_mentions(demo_case, "Sergiy Kyslytsya")
