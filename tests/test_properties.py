"""Property tests (hypothesis): excerpt anchoring under any text and selection, CSV round trips of
any text, and import of any bytes succeeding or failing cleanly."""

from __future__ import annotations

import csv
import hashlib
import io
import sqlite3

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from evidence_tui.domain import excerpts as excerpts_domain
from evidence_tui.domain import integrity
from evidence_tui.domain import sources as sources_domain
from evidence_tui.errors import DocumentError, EvidenceError
from evidence_tui.exporters.csv_export import FORMULA_TRIGGERS, write_csv
from evidence_tui.importers import parse_document
from evidence_tui.store import CaseFile

# Text as SQLite can store it (no lone surrogates), with newlines, controls, RTL, combining marks
# and characters outside the BMP all likely.
TEXT = st.text(
    alphabet=st.one_of(
        st.characters(blacklist_categories=("Cs",)),
        st.sampled_from(["\n", "\t", " ", "\u0301", "\u202e", "\u200d", "\U0001F469", "\U0001F3FD", "\U00013000", "=", "@", '"', ",", "\x1b"]),
    ),
    min_size=1,
    max_size=300,
)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@given(text=TEXT, data=st.data())
@SETTINGS
def test_anchor_and_reanchor_agree_for_any_text_and_selection(text, data):
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    anchored = excerpts_domain.anchor(text, start, end)
    assert text[anchored["start"]:anchored["end"]] == anchored["quote"]
    assert text[:start].endswith(anchored["prefix"]) and text[end:].startswith(anchored["suffix"])
    # Wherever the offsets drifted to, the quote with its context finds an occurrence of itself,
    # and with nothing drifted it finds the very same span.
    assert integrity.reanchor(text, anchored["quote"], anchored["prefix"], anchored["suffix"], start) is not None
    found = integrity.reanchor(text, anchored["quote"], anchored["prefix"], anchored["suffix"], start)
    assert text[found:found + end - start] == anchored["quote"]
    drifted = data.draw(st.integers(0, len(text)))
    again = integrity.reanchor(text, anchored["quote"], anchored["prefix"], anchored["suffix"], drifted)
    assert text[again:again + end - start] == anchored["quote"]
    problem = integrity.excerpt_problem({"id": "x" * 32, **anchored}, text)
    assert problem is None


@given(text=TEXT, data=st.data())
@SETTINGS
def test_excerpts_stored_in_a_case_file_stay_consistent(tmp_path_factory, text, data):
    case = CaseFile.open(tmp_path_factory.mktemp("prop") / "case.db", actor="tester")
    try:
        try:
            parsed = parse_document(("Title\n\n" + text).encode("utf-8"), "t.txt")
        except DocumentError:
            return
        outcome = sources_domain.import_document(case, parsed)
        stored = sources_domain.get_source(case, outcome.source_id).text
        start = data.draw(st.integers(0, len(stored) - 1))
        end = data.draw(st.integers(start + 1, len(stored)))
        try:
            excerpt = excerpts_domain.add_excerpt(case, outcome.source_id, start=start, end=end)
        except EvidenceError:
            assume(False)  # white space only: refused, as it should be
            return
        assert stored[excerpt.start:excerpt.end] == excerpt.quote
        # And by quote: the first occurrence, found by the same rules.
        by_quote = excerpts_domain.add_excerpt(case, outcome.source_id, quote=excerpt.quote, occurrence=1)
        assert stored[by_quote.start:by_quote.end] == excerpt.quote
        assert integrity.check_case(case).ok
    finally:
        case.close()


@given(cells=st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60), min_size=1, max_size=6))
@settings(max_examples=200, deadline=None)
def test_csv_export_round_trips_any_text(cells):
    columns = tuple(f"c{i}" for i in range(len(cells)))
    row = dict(zip(columns, cells))
    for raw in (True, False):
        out = io.StringIO(newline="")
        write_csv([row], out, columns=columns, raw=raw)
        (header, back) = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
        assert header == list(columns)
        if raw:
            assert back == cells
        else:
            # Neutralised: one leading apostrophe before a formula character, nothing else changed.
            assert back == [("'" + c) if c.startswith(FORMULA_TRIGGERS) else c for c in cells]
            assert all(not b.startswith(FORMULA_TRIGGERS) for b in back)


@given(data=st.binary(max_size=2000), name=st.sampled_from(["a.txt", "a.md", "a.html", None]))
@settings(max_examples=300, deadline=None)
def test_parsing_any_bytes_succeeds_or_fails_cleanly(data, name):
    try:
        parsed = parse_document(data, name)
    except DocumentError as error:
        assert str(error).startswith(f"{name or '<stdin>'}: ") and "\n" not in str(error)
        return
    assert parsed.text.strip() and "\x00" not in parsed.text and "\r" not in parsed.text
    assert parsed.sha256 == hashlib.sha256(data).hexdigest() and parsed.original == data
    parsed.text.encode("utf-8")  # storable: no lone surrogates
    assert parsed.title


@given(blobs=st.lists(st.binary(max_size=400), min_size=1, max_size=5))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_importing_any_bytes_stores_whole_sources_or_nothing(tmp_path_factory, blobs):
    folder = tmp_path_factory.mktemp("bytes")
    for i, blob in enumerate(blobs):
        (folder / f"f{i}.txt").write_bytes(blob)
    case = CaseFile.open(folder / "case.db", actor="tester")
    try:
        summary = sources_domain.import_paths(case, [folder])
        assert summary.imported + summary.duplicates + summary.failed == len(blobs)
        conn: sqlite3.Connection = case.db.conn
        assert conn.execute("SELECT count(*) FROM sources").fetchone()[0] == summary.imported
        assert integrity.check_case(case).ok
    finally:
        case.close()
