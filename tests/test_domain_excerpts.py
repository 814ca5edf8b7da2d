"""Excerpts: anchoring quotes to offsets in any script, refusals, tags, notes, status, undo, filters."""

from __future__ import annotations

import pytest

from evidence_tui.domain import claims, codebook, entities, excerpts, history, sources
from evidence_tui.domain.excerpts import CONTEXT_CHARS
from evidence_tui.domain.filters import ExcerptFilter, filter_names
from evidence_tui.errors import Invalid, NotFound
from evidence_tui.store import CaseFile

# Every quote below occurs once, at least 32 characters from either end, so prefix and suffix are full.
TEXT = (
    "Field notes collected by the team during the spring of that year.\n"
    "\n"
    "A café owner in Kraków told us the recruiters came twice; naïve façades hid the deal.\n"
    "В Киеве посольство заявило: «вербовщики обещали работу водителем».\n"
    "A migrant sent a thumbs-up 👍🏽 and the note 𝐒𝐈𝐆𝐍𝐄𝐃 under duress 🙏 before leaving.\n"
    "The leaflet in Arabic read: تم تجنيد الطلاب الأجانب قسراً في الجيش والتقطوا صوراً.\n"
    "The Hebrew caption said: הם גויסו בכוח לצבא ואז נשלחו לחזית המלחמה.\n"
    "A decomposed name: Jose\u0301 Ram\u0131\u0301rez and Zoe\u0308 signed with n\u0303 marks.\n"
    "The same phrase appears here: army contract. And again here: army contract.\n"
    "Closing paragraph of the field notes, added later for the record only.\n"
)

QUOTES = [
    "café owner in Kraków told us the recruiters came twice; naïve façades",
    "посольство заявило: «вербовщики обещали работу водителем»",
    "thumbs-up 👍🏽 and the note 𝐒𝐈𝐆𝐍𝐄𝐃 under duress 🙏",
    "تم تجنيد الطلاب الأجانب قسراً في الجيش",
    "הם גויסו בכוח לצבא ואז נשלחו לחזית",
    "Jose\u0301 Ram\u0131\u0301rez and Zoe\u0308 signed with n\u0303",
]


@pytest.fixture
def source_id(case) -> str:
    return sources.import_text(case, ("Field notes\n\n" + TEXT).encode("utf-8"), "notes.txt").source_id


@pytest.fixture
def text(case, source_id) -> str:
    return sources.get_source(case, source_id).text


def count(case, table: str) -> int:
    return case.db.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def excerpt_ids(found) -> list[str]:
    return [e.id for e in found]


# -- anchoring -------------------------------------------------------------------------------


@pytest.mark.parametrize("quote", QUOTES, ids=["accents", "cyrillic", "emoji", "arabic", "hebrew", "combining"])
def test_quote_and_offsets_agree_in_every_script(case, source_id, text, quote):
    made = excerpts.add_excerpt(case, source_id, quote=quote)

    start = text.index(quote)
    assert (made.start, made.end) == (start, start + len(quote))
    assert text[made.start:made.end] == made.quote == quote
    assert made.prefix == text[start - CONTEXT_CHARS:start] and len(made.prefix) == 32
    assert made.suffix == text[made.end:made.end + CONTEXT_CHARS] and len(made.suffix) == 32
    # What SQLite stored agrees too: its substr() counts the same characters as Python.
    row = case.db.conn.execute(
        'SELECT e.quote, e.prefix, e.suffix, substr(s.text, e.start + 1, e."end" - e.start) '
        "FROM excerpts e JOIN sources s ON s.id = e.source_id WHERE e.id = ?",
        (made.id,),
    ).fetchone()
    assert tuple(row) == (quote, made.prefix, made.suffix, quote)
    # Marking the same span by offsets finds the same excerpt.
    assert excerpts.add_excerpt(case, source_id, start=made.start, end=made.end).id == made.id
    assert count(case, "excerpts") == 1


def test_context_is_cut_at_the_edges_of_the_text(case, source_id, text):
    first = excerpts.add_excerpt(case, source_id, start=0, end=5)
    assert (first.quote, first.prefix, first.suffix) == ("Field", "", text[5:37])
    last = excerpts.add_excerpt(case, source_id, start=len(text) - 8, end=len(text) - 1)
    assert (last.quote, last.prefix, last.suffix) == ("d only.", text[-40:-8], "\n")


def test_quote_with_windows_newlines_matches_the_normalised_text(case, source_id, text):
    made = excerpts.add_excerpt(case, source_id, quote="spring of that year.\r\n\r\nA café owner")
    assert made.quote == "spring of that year.\n\nA café owner"
    assert text[made.start:made.end] == made.quote


def test_quote_not_in_source_is_refused(case, source_id):
    with pytest.raises(Invalid, match=f"^the quote is not in source {source_id[:8]} 'Field notes'$"):
        excerpts.add_excerpt(case, source_id, quote="a sentence nobody wrote")
    # Near misses are not matches: another normalisation form, another case.
    with pytest.raises(Invalid, match="is not in source"):
        excerpts.add_excerpt(case, source_id, quote="José")  # the text has e + combining acute
    with pytest.raises(Invalid, match="is not in source"):
        excerpts.add_excerpt(case, source_id, quote="CAFÉ OWNER")
    with pytest.raises(Invalid, match="^the quote is empty$"):
        excerpts.add_excerpt(case, source_id, quote="")
    assert count(case, "excerpts") == 0 and count(case, "operations") == 1  # only the import


def test_quote_occurring_twice_needs_an_occurrence(case, source_id, text):
    with pytest.raises(
        Invalid, match=f"^the quote occurs 2 times in source {source_id[:8]}; choose one with --occurrence 1..2$"
    ):
        excerpts.add_excerpt(case, source_id, quote="army contract")
    assert count(case, "excerpts") == 0

    first = text.index("army contract")
    second = text.index("army contract", first + 1)
    made = excerpts.add_excerpt(case, source_id, quote="army contract", occurrence=2)
    assert (made.start, made.end) == (second, second + len("army contract"))
    assert made.prefix == text[second - 32:second] and made.prefix.endswith("And again here: ")
    assert excerpts.add_excerpt(case, source_id, quote="army contract", occurrence=1).start == first
    with pytest.raises(Invalid, match="^occurrence 3 does not exist: the quote occurs 2 time\\(s\\)$"):
        excerpts.add_excerpt(case, source_id, quote="army contract", occurrence=3)


@pytest.mark.parametrize("start, end", [(-1, 4), (10, 10), (12, 11), (0, None), (None, 5)])
def test_bad_offsets_are_refused(case, source_id, text, start, end):
    if start is None or end is None:
        message = "^give either a quote or both start and end offsets$"
    elif start >= end:
        message = f"^span {start}-{end}: the end must come after the start$"
    else:
        message = f"^span {start}-{end} is outside the source's text \\(0-{len(text)}\\)$"
    with pytest.raises(Invalid, match=message):
        excerpts.add_excerpt(case, source_id, start=start, end=end)


def test_span_past_the_end_is_refused(case, source_id, text):
    with pytest.raises(Invalid, match=f"^span 5-{len(text) + 1} is outside the source's text \\(0-{len(text)}\\)$"):
        excerpts.add_excerpt(case, source_id, start=5, end=len(text) + 1)
    assert excerpts.add_excerpt(case, source_id, start=len(text) - 3, end=len(text)).end == len(text)


def test_white_space_only_span_is_refused(case, source_id, text):
    start = text.index("\n\n")
    with pytest.raises(Invalid, match="^an excerpt must contain more than white space$"):
        excerpts.add_excerpt(case, source_id, start=start, end=start + 2)
    with pytest.raises(Invalid, match="^an excerpt must contain more than white space$"):
        excerpts.add_excerpt(case, source_id, quote="\n\n", occurrence=2)
    assert count(case, "excerpts") == 0


def test_unknown_source_or_type_is_refused(case, source_id):
    with pytest.raises(NotFound, match="^no source 'nowhere'"):
        excerpts.add_excerpt(case, "nowhere", quote="café")
    with pytest.raises(NotFound, match="^no claim type 'Nope'"):
        excerpts.add_excerpt(case, source_id, quote="café owner", types=["Nope"])
    assert count(case, "excerpts") == 0


# -- tags, notes, status -----------------------------------------------------------------------


@pytest.fixture
def types(case) -> dict[str, str]:
    return {name: codebook.add_type(case, name, hotkey=i).id for i, name in enumerate(("Coercion", "Deception", "Figure"), 1)}


def type_names(excerpt) -> list[str]:
    return [t.name for t in excerpt.claim_types]


def test_same_span_twice_adds_types_to_the_existing_excerpt(case, source_id, types):
    first = excerpts.add_excerpt(case, source_id, quote="café owner", types=["Coercion"], note="first note")
    again = excerpts.add_excerpt(case, source_id, quote="café owner", types=["Deception", "coercion"])
    assert again.id == first.id
    assert type_names(again) == ["Coercion", "Deception"]  # codebook order, no duplicate
    assert again.note == "first note"
    assert count(case, "excerpts") == 1 and count(case, "excerpt_claim_types") == 2
    assert history.recent_operations(case, 1)[0].summary == f"tag excerpt {first.id[:8]}"


def test_tag_untag_and_toggle(case, source_id, types):
    made = excerpts.add_excerpt(case, source_id, quote="café owner")
    assert type_names(made) == []
    assert type_names(excerpts.tag_excerpt(case, made.id[:6], ["Figure", "Coercion"])) == ["Coercion", "Figure"]
    assert type_names(excerpts.tag_excerpt(case, made.id, ["Figure"])) == ["Coercion", "Figure"]  # no-op
    assert type_names(excerpts.untag_excerpt(case, made.id, ["Figure"])) == ["Coercion"]

    toggled, added = excerpts.toggle_tag(case, made.id, "Deception")
    assert added is True and type_names(toggled) == ["Coercion", "Deception"]
    toggled, added = excerpts.toggle_tag(case, made.id, "Coercion")
    assert added is False and type_names(toggled) == ["Deception"]
    rows = case.db.conn.execute("SELECT claim_type_id FROM excerpt_claim_types WHERE excerpt_id = ?", (made.id,)).fetchall()
    assert [r[0] for r in rows] == [types["Deception"]]
    history.undo_last(case)
    assert type_names(excerpts.get_excerpt(case, made.id)) == ["Coercion", "Deception"]


def test_set_note(case, source_id):
    made = excerpts.add_excerpt(case, source_id, quote="café owner")
    assert excerpts.set_note(case, made.id, "  Check against the BBC report \n").note == "Check against the BBC report"
    assert excerpts.list_excerpts(case, ExcerptFilter(text="BBC")) == [excerpts.get_excerpt(case, made.id)]
    assert excerpts.set_note(case, made.id, "").note is None
    assert case.db.conn.execute("SELECT note FROM excerpts WHERE id = ?", (made.id,)).fetchone()[0] is None
    assert excerpts.list_excerpts(case, ExcerptFilter(text="BBC")) == []


def test_set_status(case, source_id):
    made = excerpts.add_excerpt(case, source_id, quote="café owner")
    assert made.review_status == "unreviewed"
    for status in ("accepted", "rejected", "flagged", "unreviewed"):
        assert excerpts.set_status(case, made.id, status).review_status == status
        assert case.db.conn.execute("SELECT review_status FROM excerpts WHERE id = ?", (made.id,)).fetchone()[0] == status
    with pytest.raises(Invalid, match="^unknown review status 'approved' \\(one of unreviewed, accepted, rejected, flagged\\)$"):
        excerpts.set_status(case, made.id, "approved")


def link_rows(case, excerpt_id: str) -> dict[str, list[tuple]]:
    conn = case.db.conn
    return {
        table: sorted(tuple(r) for r in conn.execute(f"SELECT * FROM {table} WHERE excerpt_id = ?", (excerpt_id,)))
        for table in ("excerpt_claim_types", "excerpt_entities", "claim_excerpts")
    }


def test_delete_then_undo_brings_back_the_excerpt_and_every_link(case, source_id, types):
    made = excerpts.add_excerpt(case, source_id, quote="café owner", types=["Coercion", "Figure"], note="owner's words")
    other = excerpts.add_excerpt(case, source_id, quote="посольство заявило")
    person = entities.add_entity(case, "Anna Owner", "person")
    city = entities.add_entity(case, "Kraków", "place")
    entities.link_excerpt(case, person.id, made.id, "witness")
    entities.link_excerpt(case, person.id, made.id, "speaker")
    entities.link_excerpt(case, city.id, made.id)
    supported = claims.add_claim(case, "Recruiters visited businesses")
    contradicted = claims.add_claim(case, "Recruiters never approached civilians")
    claims.link_excerpt(case, supported.id, made.id, "supports")
    claims.link_excerpt(case, contradicted.id, made.id, "contradicts")
    excerpts.set_status(case, made.id, "accepted")
    row_before = dict(case.db.conn.execute("SELECT * FROM excerpts WHERE id = ?", (made.id,)).fetchone())
    links_before = link_rows(case, made.id)
    assert [len(v) for v in links_before.values()] == [2, 3, 2]

    removed = excerpts.delete_excerpt(case, made.id[:8])

    assert removed.id == made.id
    assert case.db.conn.execute("SELECT count(*) FROM excerpts WHERE id = ?", (made.id,)).fetchone()[0] == 0
    assert link_rows(case, made.id) == {"excerpt_claim_types": [], "excerpt_entities": [], "claim_excerpts": []}
    assert excerpts.list_excerpts(case, ExcerptFilter(text="owner")) == []
    assert claims.get_claim(case, supported.id).supporting == 0
    assert excerpts.get_excerpt(case, other.id).id == other.id  # the other excerpt is untouched

    undone = history.undo_last(case)

    assert undone.name == "excerpt.delete"
    assert dict(case.db.conn.execute("SELECT * FROM excerpts WHERE id = ?", (made.id,)).fetchone()) == row_before
    assert link_rows(case, made.id) == links_before
    back = excerpts.get_excerpt(case, made.id)
    assert type_names(back) == ["Coercion", "Figure"]
    assert sorted((e.name, e.role) for e in back.entities) == [("Anna Owner", "speaker"), ("Anna Owner", "witness"), ("Kraków", "")]
    assert sorted((c.statement, c.stance) for c in back.claims) == [
        ("Recruiters never approached civilians", "contradicts"),
        ("Recruiters visited businesses", "supports"),
    ]
    assert excerpt_ids(excerpts.list_excerpts(case, ExcerptFilter(text="owner"))) == [made.id]  # index too
    assert claims.get_claim(case, contradicted.id).contradicting == 1


# -- filters ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def filtered(tmp_path_factory):
    """Four sources (June, July, a year only, no date) with excerpts tagged, linked and reviewed.

    Built once for the module (the filter tests only read); yields the case and the excerpt ids.
    """
    case = CaseFile.open(tmp_path_factory.mktemp("filters") / "case.db", actor="tester")
    for i, name in enumerate(("Coercion", "Deception", "Figure"), 1):
        codebook.add_type(case, name, hotkey=i)

    def add_source(title: str, date: str | None, body: str) -> str:
        dated = f"Published: {date}\n" if date else ""
        return sources.import_text(case, f"{title}\n\n{dated}\n{body}\n".encode(), f"{title}.txt").source_id

    june = add_source("June report", "2024-06-30", "Recruiters promised drivers jobs. Officials denied everything.")
    july = add_source("July report", "2024-07-01", "Migrants were detained near the border. Contracts were offered.")
    year = add_source("Year report", None, "Students were threatened with visa loss.")
    sources.update_source(case, year, date="2024")  # a year alone: precision "year", ISO "2024"
    undated = add_source("Undated report", None, "Families heard nothing for months.")
    madusanka = entities.add_entity(case, "Anil Madusanka", "person", aliases=("Madushanka",))
    claim = claims.add_claim(case, "Recruits were deceived")
    e = {
        "drivers": excerpts.add_excerpt(case, june, quote="Recruiters promised drivers jobs.", types=["Deception"]),
        "denied": excerpts.add_excerpt(case, june, quote="Officials denied everything.", types=["Figure"], note="a denial"),
        "detained": excerpts.add_excerpt(case, july, quote="Migrants were detained", types=["Coercion", "Figure"]),
        "threatened": excerpts.add_excerpt(case, year, quote="threatened with visa loss", types=["Coercion"]),
        "families": excerpts.add_excerpt(case, undated, quote="Families heard nothing"),
    }
    entities.link_excerpt(case, madusanka.id, e["drivers"].id, "victim")
    entities.link_excerpt(case, "Madushanka", e["detained"].id)
    claims.link_excerpt(case, claim.id, e["drivers"].id)
    claims.link_excerpt(case, claim.id, e["families"].id, "contradicts")
    excerpts.set_status(case, e["denied"].id, "accepted")
    excerpts.set_status(case, e["detained"].id, "flagged")
    yield case, {name: made.id for name, made in e.items()}
    case.close()


FILTER_CASES = {
    "no filter": (ExcerptFilter(), ["drivers", "denied", "detained", "threatened", "families"]),
    "one type": (ExcerptFilter(claim_types=("Coercion",)), ["detained", "threatened"]),
    "any of two types": (ExcerptFilter(claim_types=("Deception", "figure")), ["drivers", "denied", "detained"]),
    "entity by name": (ExcerptFilter(entities=("Anil Madusanka",)), ["drivers", "detained"]),
    "entity by alias": (ExcerptFilter(entities=("madushanka",)), ["drivers", "detained"]),
    "source by title": (ExcerptFilter(sources=("June report",)), ["drivers", "denied"]),
    "claim": (ExcerptFilter(claims=("Recruits were deceived",)), ["drivers", "families"]),
    "status": (ExcerptFilter(statuses=("accepted", "flagged")), ["denied", "detained"]),
    "unreviewed": (ExcerptFilter(statuses=("unreviewed",)), ["drivers", "threatened", "families"]),
    "to a month includes its last day": (ExcerptFilter(date_to="2024-06"), ["drivers", "denied", "threatened"]),
    "from a month": (ExcerptFilter(date_from="2024-07"), ["detained"]),
    "within a month": (ExcerptFilter(date_from="2024-06", date_to="2024-06"), ["drivers", "denied"]),
    "exact day bounds": (ExcerptFilter(date_from="2024-06-30", date_to="2024-07-01"), ["drivers", "denied", "detained"]),
    "a year": (ExcerptFilter(date_from="2024", date_to="2024"), ["drivers", "denied", "detained", "threatened"]),
    "text in quote": (ExcerptFilter(text="detained"), ["detained"]),
    "text in note, prefix": (ExcerptFilter(text="denia"), ["denied"]),
    "text with every word": (ExcerptFilter(text="officials everything"), ["denied"]),
    "combined": (ExcerptFilter(claim_types=("Figure",), statuses=("flagged",), date_from="2024-07"), ["detained"]),
}


@pytest.mark.parametrize("name", list(FILTER_CASES))
def test_excerpt_filters(filtered, name):
    case, filtered_case = filtered
    f, expected = FILTER_CASES[name]
    found = excerpts.list_excerpts(case, f)
    assert sorted(excerpt_ids(found)) == sorted(filtered_case[n] for n in expected)
    assert excerpts.count_excerpts(case, f) == len(expected)
    assert sorted(row["excerpt_id"] for row in excerpts.iter_export_rows(case, f)) == sorted(filtered_case[n] for n in expected)


def test_filter_names_that_match_nothing_are_refused(filtered):
    case, _ = filtered
    with pytest.raises(NotFound, match="^no claim type 'Threats' \\(give 4 or more characters of its id, or the exact name\\)$"):
        excerpts.list_excerpts(case, ExcerptFilter(claim_types=("Threats",)))
    with pytest.raises(NotFound, match="^no entity 'Nobody'"):
        excerpts.list_excerpts(case, ExcerptFilter(entities=("Nobody",)))
    with pytest.raises(Invalid, match="^unknown review status 'done'"):
        excerpts.list_excerpts(case, ExcerptFilter(statuses=("done",)))


def test_filter_names_reads_the_names_a_filter_refers_to(filtered):
    # What the Excerpts screen's status line says, read without counting each record's excerpts.
    case, _ = filtered
    f = ExcerptFilter(claim_types=("coercion", "Figure"), entities=("Madushanka",), sources=("June report",),
                      claims=("Recruits were deceived",), statuses=("accepted",))
    assert filter_names(case, f) == {
        "claim_types": ["Coercion", "Figure"],
        "entities": ["Anil Madusanka"],
        "sources": ["June report"],
        "claims": ["Recruits were deceived"],
    }
    assert filter_names(case, ExcerptFilter()) == {"claim_types": [], "entities": [], "sources": [], "claims": []}
    with pytest.raises(NotFound, match="^no entity 'Nobody'"):
        filter_names(case, ExcerptFilter(entities=("Nobody",)))


def test_list_excerpts_pages_and_carries_links(filtered):
    case, filtered_case = filtered
    everything = excerpts.list_excerpts(case)
    assert excerpt_ids(excerpts.list_excerpts(case, limit=2, offset=1)) == excerpt_ids(everything)[1:3]
    drivers = next(e for e in everything if e.id == filtered_case["drivers"])
    assert drivers.source_title == "June report"
    assert [(x.name, x.role) for x in drivers.entities] == [("Anil Madusanka", "victim")]
    assert [(c.statement, c.stance) for c in drivers.claims] == [("Recruits were deceived", "supports")]
    in_june = excerpts.excerpts_in_source(case, drivers.source_id)
    assert [e.quote for e in in_june] == ["Recruiters promised drivers jobs.", "Officials denied everything."]
