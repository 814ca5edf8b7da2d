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
    first = search.search(case, "border OR deportation OR detained", kinds=("source",), order="best")
    assert len(first) == 2 and first[0].rank <= first[1].rank


def test_hits_come_newest_first_unless_the_best_are_asked_for(case, corpus):
    s, e = corpus
    newest = search.search(case, "army OR deportation")
    # Sources by import and excerpts by marking, latest first, both kinds together.
    assert [h.at for h in newest] == sorted((h.at for h in newest), reverse=True)
    assert [(h.kind, h.id) for h in newest if h.kind == "source"] == [("source", s["deport"]), ("source", s["apart"]),
                                                                       ("source", s["contract"])]
    assert [h.id for h in newest if h.kind == "excerpt"] == [e["deport"], e["apart"], e["contract"]]
    assert all(h.rank is None for h in newest)
    best = search.search(case, "army OR deportation", order="best")
    assert {(h.kind, h.id) for h in best} == {(h.kind, h.id) for h in newest}
    assert all(isinstance(h.rank, float) for h in best)
    # A limit keeps the newest.
    assert [h.id for h in search.search(case, "army", kinds=("excerpt",), limit=1)] == [e["apart"]]
    with pytest.raises(Invalid, match="unknown order 'oldest'"):
        search.search(case, "army", order="oldest")


def test_snippets_mark_every_match_near_the_first_and_not_what_not_excludes(case):
    text = ("Intro words. " * 20) + "The recruiters came at night; recruiters again at dawn. " + ("Filler. " * 40)
    sources.import_text(case, f"Night visit\n\n{text}\n".encode(), "r.txt")
    (hit,) = search.search(case, "recruit* NOT dawn OR recruiters NOT nothing", kinds=("source",))
    assert f"The {MARK_START}recruiters{MARK_END} came at night; {MARK_START}recruiters{MARK_END} again" in hit.snippet
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…")
    assert f"{MARK_START}dawn" not in hit.snippet


PLAIN_SYNTAX = 'the query is not valid search syntax (put phrases in "double quotes"; use AND, OR, NOT in capitals)'


@pytest.mark.parametrize(
    "query, message",
    [
        ('"unclosed', "a double quote is not closed"),
        ("AND", PLAIN_SYNTAX),
        ("army OR", PLAIN_SYNTAX),
        ("(army", PLAIN_SYNTAX),
        ("army AND", PLAIN_SYNTAX),
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
    # One or two letters are a whole word; from three on, a prefix.
    assert search.match_expression("army co") == '"army" "co"'
    assert search.match_expression("army con") == '"army" "con"*'
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


def test_a_note_only_match_shows_the_note_in_the_snippet(case, corpus):
    s, e = corpus
    (hit,) = search.search(case, "cafe", kinds=("excerpt",))
    assert hit.snippet == f"note: {MARK_START}café{MARK_END} owner said so"
    (hit,) = search.search(case, "later", kinds=("excerpt",))  # a quote match keeps the quote
    assert hit.snippet == f"The army arrived {MARK_START}later{MARK_END}."


def test_counts_match_the_hits_with_no_limit(case, corpus):
    for query in ('"army contract"', "army", "army NOT contract", "deport*", "army OR deportation"):
        found = search.search(case, query, limit=1000)
        counts = search.count_hits(case, query)
        assert (counts.sources, counts.excerpts) == (
            sum(h.kind == "source" for h in found), sum(h.kind == "excerpt" for h in found))
        assert counts.total == len(found)
    assert search.count_hits(case, "army", kinds=("excerpt",)) == search.HitCounts(sources=0, excerpts=2)
    assert len(search.search(case, "army", limit=2)) == 2  # the limit holds across both kinds
    with pytest.raises(Invalid, match="a double quote is not closed"):
        search.count_hits(case, '"army')


def test_filters_narrow_hits_as_the_export_does(case, corpus):
    from evidence_tui.domain import codebook
    from evidence_tui.domain.filters import ExcerptFilter
    from evidence_tui.errors import NotFound

    s, e = corpus
    case.db.conn.execute("UPDATE sources SET published = '2024-06-15' WHERE id = ?", (s["contract"],))
    case.db.conn.execute("UPDATE sources SET published = '2023-01-02' WHERE id = ?", (s["apart"],))
    everything = hits(case, "army")
    assert everything == {("source", s["contract"]), ("source", s["apart"]), ("excerpt", e["contract"]), ("excerpt", e["apart"])}
    # Sources and dates apply to both kinds (a source with no date is out of any date range).
    assert hits_within(case, "army", ExcerptFilter(sources=(s["apart"],))) == {("source", s["apart"]), ("excerpt", e["apart"])}
    assert hits_within(case, "army", ExcerptFilter(date_from="2024")) == {("source", s["contract"]), ("excerpt", e["contract"])}
    assert hits_within(case, "army", ExcerptFilter(date_to="2023")) == {("source", s["apart"]), ("excerpt", e["apart"])}
    assert hits_within(case, "army", ExcerptFilter(date_from="2023-02", date_to="2024-05")) == set()
    # Claim types and review statuses belong to excerpts: no source is listed with them.
    threat = codebook.add_type(case, "Threat")
    excerpts.tag_excerpt(case, e["apart"], [threat.id])
    assert hits_within(case, "army", ExcerptFilter(claim_types=("Threat",))) == {("excerpt", e["apart"])}
    excerpts.set_status(case, e["contract"], "accepted")
    assert hits_within(case, "army", ExcerptFilter(statuses=("accepted",))) == {("excerpt", e["contract"])}
    assert search.count_hits(case, "army", within=ExcerptFilter(statuses=("unreviewed",))) == search.HitCounts(0, 1)
    with pytest.raises(NotFound, match="no claim type 'Nothing'"):
        search.search(case, "army", within=ExcerptFilter(claim_types=("Nothing",)))


def hits_within(case, query, within) -> set[tuple[str, str]]:
    return {(h.kind, h.id) for h in search.search(case, query, within=within)}


def test_first_match_offset_is_where_the_reader_opens(case, corpus):
    s, e = corpus
    text = sources.get_source(case, s["apart"]).text
    assert search.first_match_offset(case, s["apart"], "contract") == text.index("contract")
    assert search.first_match_offset(case, s["apart"], "arriv*") == text.index("arrived")
    assert search.first_match_offset(case, s["apart"], '"was never" OR army') == text.index("army")
    sources.update_source(case, s["apart"], title="Okapi sighting")
    assert search.first_match_offset(case, s["apart"], "okapi") is None  # in the title only
    assert search.first_match_offset(case, s["apart"], "deportation") is None  # not in this source
    # A marker character in the text itself does not shift the offset.
    marked = sources.import_text(case, f"Odd\n\nA {MARK_START} then the word zebra.\n".encode(), "odd.txt").source_id
    assert search.first_match_offset(case, marked, "zebra") == sources.get_source(case, marked).text.index("zebra")


def test_a_very_long_source_gets_a_snippet_cut_around_the_match(case, monkeypatch):
    body = "Filler words here. " * 400 + "The Recruiters came at night. " + "More filler. " * 100
    long_id = sources.import_text(case, f"Long read\n\n{body}\n".encode(), "long.txt").source_id
    short_id = sources.import_text(case, b"Short\n\nThe recruiters came.\n", "short.txt").source_id
    monkeypatch.setattr(search, "LONG_SOURCE_CHARS", 1000)
    found = {h.id: h.snippet for h in search.search(case, "recruit*")}
    assert f"{MARK_START}Recruiters{MARK_END} came at night" in found[long_id]
    assert found[long_id].startswith("…") and len(found[long_id]) < 200
    assert f"The {MARK_START}recruiters{MARK_END} came." in found[short_id]  # FTS5's own snippet
    found = {h.id: h.snippet for h in search.search(case, '"came at night" OR nothing')}
    assert f"{MARK_START}came at night{MARK_END}" in found[long_id]


def test_a_cancelled_search_stops(case, corpus, tmp_path):
    # Enough matches that counting them takes many more than the 1,000 SQLite steps between two
    # polls of ``cancelled`` (imported as one batch: seconds less than one by one).
    folder = tmp_path / "filler"
    folder.mkdir()
    for i in range(1000):
        (folder / f"f{i}.txt").write_text(f"Filler {i}\n\n{'army words ' * 20}\n", encoding="utf-8")
    sources.import_paths(case, [folder])
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return True

    # Ranking every match is the long kind of search (newest first reads only a page's worth).
    with pytest.raises(search.SearchCancelled):
        search.search(case, "army OR words", cancelled=cancelled, order="best")
    assert calls
    with pytest.raises(search.SearchCancelled):
        search.count_hits(case, "army OR words", cancelled=cancelled)
    assert search.search(case, '"army contract"')  # the connection works on afterwards


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("2024", ("2024", "2024")),
        ("2024-03..2024-06", ("2024-03", "2024-06")),
        ("..2023", (None, "2023")),
        ("2022-02-28..", ("2022-02-28", None)),
        ("", (None, None)),
    ],
)
def test_date_ranges_as_people_type_them(typed, expected):
    assert search.parse_dates(typed) == expected


@pytest.mark.parametrize(
    "typed, message",
    [
        ("2024-13", "'2024-13' is not a date (no such month or day)"),
        ("June", "'June' is not a date (write 2024, 2024-06 or 2024-06-15; a range as FROM..TO)"),
        ("2024-02-30", "'2024-02-30' is not a date (no such month or day)"),
        ("2024..2023", "the date range '2024..2023' ends before it starts"),
    ],
)
def test_bad_date_ranges_are_refused_plainly(typed, message):
    with pytest.raises(Invalid) as raised:
        search.parse_dates(typed)
    assert str(raised.value) == message


def test_words_with_punctuation_are_searched_as_typed(demo_case):
    # FTS5 refuses barewords with - , ' or . in them; people type them all the time.
    from evidence_tui.domain.search import count_hits, quote_barewords, search

    assert quote_barewords("pre-deportation OR 10,000*") == '"pre-deportation" OR "10,000"*'
    assert quote_barewords('deport* NOT "work visas" (a OR b)') == 'deport* NOT "work visas" (a OR b)'
    for query in ("pre-deportation", "10,000", "Russia's", "pre-deport*"):
        hits = search(demo_case, query)
        assert hits, query
        assert count_hits(demo_case, query)
    assert search(demo_case, "e.g.") == []  # searched, not refused
    assert search(demo_case, "foo:bar") == []  # not a column: the phrase "foo bar"
    assert search(demo_case, "Russia's army")
    assert any("pre-deportation" in h.snippet.replace("\x02", "").replace("\x03", "") or "deportation" in h.snippet
               for h in search(demo_case, "pre-deportation"))


def test_a_version_4_file_gets_prefix_indexes_and_finds_the_same(tmp_path):
    import sqlite3

    from evidence_tui.store import CaseFile
    from evidence_tui.store.schema import FTS_PREFIXES, SCHEMA_VERSION
    from tests.schema_util import drop_excerpt_links, undo_later_indexes

    path = tmp_path / "old.db"
    case = CaseFile.open(path, actor="tester")
    source_id = sources.import_text(case, b"Recruiters\n\nThe recruiters came at night.\n", "r.txt").source_id
    excerpts.add_excerpt(case, source_id, quote="recruiters came")
    case.close()
    # As schema 4 made them: the same indexes without prefix indexes.
    conn = sqlite3.connect(path)
    for table, columns, content in (("sources_fts", "title, text", "sources"), ("excerpts_fts", "quote, note", "excerpts")):
        conn.execute(f"DROP TABLE {table}")
        conn.execute(f"CREATE VIRTUAL TABLE {table} USING fts5({columns}, content='{content}', content_rowid='rowid', "
                     "tokenize='unicode61 remove_diacritics 2')")
        conn.execute(f"INSERT INTO {table}({table}) VALUES ('rebuild')")
    drop_excerpt_links(conn)
    undo_later_indexes(conn)
    conn.execute("PRAGMA user_version = 4")
    conn.commit()
    conn.close()
    case = CaseFile.open(path, actor="tester", create=False)
    conn = case.db.conn
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    for table in ("sources_fts", "excerpts_fts"):
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
        assert f"prefix='{FTS_PREFIXES}'" in sql
        conn.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")  # raises when out of step
    assert {(h.kind, h.source_id) for h in search.search(case, "recr*")} == {("source", source_id), ("excerpt", source_id)}
    # The triggers keep the new indexes in step.
    sources.import_text(case, b"Later\n\nMore recruitment news.\n", "l.txt")
    assert len(search.search(case, "recr*", kinds=("source",))) == 2
    case.close()


def test_snippets_keep_the_text_as_written_whatever_its_case(case):
    # 'İ' lowers to two characters: such a text is matched as it is (positions must not shift).
    sources.import_text(case, "Report\n\nIn İstanbul the RECRUITERS came; Recruiters left.\n".encode(), "i.txt")
    sources.import_text(case, "Other\n\nThe RECRUITERS came to Odesa.\n".encode(), "o.txt")
    first, second = sorted(h.snippet for h in search.search(case, "recruiters", kinds=("source",)))
    assert f"In İstanbul the {MARK_START}RECRUITERS{MARK_END} came; {MARK_START}Recruiters{MARK_END} left." in second
    assert f"The {MARK_START}RECRUITERS{MARK_END} came to Odesa." in first
