"""Sources: importing folders into a case file, duplicates, failures, atomicity, listing, editing."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from evidence_tui.domain import excerpts, history
from evidence_tui.domain import sources as sources_domain
from evidence_tui.errors import Ambiguous, CaseFileError, Invalid, NotFound
from evidence_tui.importers import ImportOptions
from evidence_tui.store import journal

SAMPLE_DATA = Path(__file__).resolve().parent.parent / "sample_data"


def article(title: str, body: str, *, outlet: str | None = None, date: str | None = None) -> str:
    """A saved plain-text article: headline, metadata lines, body."""
    lines = [title, ""]
    if outlet:
        lines.append(f"Outlet: {outlet}")
    if date:
        lines.append(f"Published: {date}")
    return "\n".join([*lines, "", body, ""])


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def count(case, table: str) -> int:
    return case.db.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def fts_rowids(case, word: str) -> list[int]:
    """Rowids the sources' full-text index itself holds for a word (not the content table)."""
    return [r[0] for r in case.db.conn.execute("SELECT rowid FROM sources_fts WHERE sources_fts MATCH ?", (word,))]


def by_name(summary) -> dict[str, sources_domain.ImportOutcome]:
    return {Path(o.name).name: o for o in summary.outcomes}


# -- importing folders -----------------------------------------------------------------------


def test_import_folder_of_mixed_files(case, tmp_path):
    folder = tmp_path / "articles"
    write(folder, "one.txt", article("Recruits deceived about driving jobs", "They were promised work as drivers."))
    write(folder, "two.md", "# Migrants detained at the border\n\nThey were offered army contracts.\n")
    write(folder, "three.html", "<html><head><title>Notices sent to migrants</title></head>"
                                "<body><h1>Notices sent to migrants</h1><p>Call-up papers arrived at hostels.</p></body></html>")
    write(folder, "nested/deeper/four.htm", "<html><body><h1>Protest at the UN</h1><p>Envoys met in New York.</p></body></html>")
    write(folder, ".hidden.txt", "hidden files are skipped\n")
    write(folder, "scan.pdf", b"%PDF-1.4 not importable")

    summary = sources_domain.import_paths(case, [folder])

    assert (summary.imported, summary.duplicates, summary.failed, summary.skipped) == (4, 0, 0, 1)
    outcomes = by_name(summary)
    assert outcomes.pop("scan.pdf").status == "skipped"  # reported, not stored; the hidden file is silent
    assert set(outcomes) == {"one.txt", "two.md", "three.html", "four.htm"}
    rows = {
        r["file_name"]: (r["title"], r["format"])
        for r in case.db.conn.execute("SELECT file_name, title, format FROM sources")
    }
    assert rows == {
        "one.txt": ("Recruits deceived about driving jobs", "text"),
        "two.md": ("Migrants detained at the border", "markdown"),
        "three.html": ("Notices sent to migrants", "html"),
        "four.htm": ("Protest at the UN", "html"),
    }
    for name, outcome in outcomes.items():
        assert outcome.status == "imported"
        assert outcome.title == rows[name][0]
        assert case.db.conn.execute("SELECT file_name FROM sources WHERE id = ?", (outcome.source_id,)).fetchone()[0] == name
    assert count(case, "source_originals") == 4
    # One logged operation for the batch, undone as a whole.
    assert [op.name for op in history.recent_operations(case)] == ["source.import"]


def test_import_sample_data_then_again_reports_every_file_as_duplicate_of_its_source(case):
    first = sources_domain.import_paths(case, [SAMPLE_DATA / "articles"])
    assert (first.imported, first.duplicates, first.failed) == (10, 0, 0)

    second = sources_domain.import_paths(case, [SAMPLE_DATA / "articles"])

    assert (second.imported, second.duplicates, second.failed) == (0, 10, 0)
    assert count(case, "sources") == 10
    originals = by_name(first)
    for name, outcome in by_name(second).items():
        existing = originals[name]
        assert outcome.status == "duplicate"
        assert outcome.source_id == existing.source_id
        assert outcome.title == existing.title
        assert outcome.message == f"already in the case file as {existing.source_id[:8]} '{existing.title}'"


def test_same_bytes_twice_in_one_batch_names_the_source_the_first_became(case, tmp_path):
    content = article("Ukraine urges UN members to trace recruiters", "The envoy spoke on Friday.")
    write(tmp_path, "a-original.txt", content)
    write(tmp_path, "b-copy.txt", content)

    summary = sources_domain.import_paths(case, [tmp_path])

    outcomes = by_name(summary)
    assert outcomes["a-original.txt"].status == "imported"
    duplicate = outcomes["b-copy.txt"]
    source_id = outcomes["a-original.txt"].source_id
    assert duplicate.status == "duplicate"
    assert duplicate.source_id == source_id
    assert duplicate.message == f"already in the case file as {source_id[:8]} 'Ukraine urges UN members to trace recruiters'"
    assert count(case, "sources") == 1


def test_failed_files_are_reported_and_the_rest_of_the_batch_goes_on(case, tmp_path):
    folder = tmp_path / "batch"
    write(folder, "a-good.txt", article("First good article", "Body of the first."))
    empty = write(folder, "b-empty.txt", b"")
    binary = write(folder, "c-binary.txt", b"\x00\x01\x02\x03 PNG-ish \xff\xfe")
    write(folder, "d-good.md", "# Second good article\n\nBody of the second.\n")
    missing = tmp_path / "not-there.txt"

    summary = sources_domain.import_paths(case, [folder, missing])

    assert (summary.imported, summary.duplicates, summary.failed) == (2, 0, 3)
    outcomes = by_name(summary)
    assert outcomes["b-empty.txt"].message == f"{empty}: empty file"
    assert outcomes["c-binary.txt"].message == f"{binary}: binary file (contains NUL bytes), not text"
    assert outcomes["not-there.txt"].message == f"{missing}: no such file or directory"
    assert all(outcomes[n].source_id is None for n in ("b-empty.txt", "c-binary.txt", "not-there.txt"))
    titles = sorted(r[0] for r in case.db.conn.execute("SELECT title FROM sources"))
    assert titles == ["First good article", "Second good article"]


def test_a_failing_batch_leaves_no_source_no_original_and_no_index_entry(case, tmp_path, monkeypatch):
    for letter in "abcd":
        write(tmp_path, f"{letter}.txt", article(f"Article {letter}", f"Uniqueword{letter} appears here."))
    monkeypatch.setattr(sources_domain, "BATCH_FILES", 2)  # batches: (a, b) then (c, d)
    real_insert_many = journal.Operation.insert_many

    def insert_many(self, table, rows):
        # The disk fills up while the batch (c, d) stores its originals (its sources are in already).
        if table == "source_originals" and any(self.conn.execute(
            "SELECT title FROM sources WHERE id = ?", (row["source_id"],)
        ).fetchone()[0] == "Article c" for row in rows):
            raise sqlite3.OperationalError("database or disk is full")
        return real_insert_many(self, table, rows)

    monkeypatch.setattr(journal.Operation, "insert_many", insert_many)

    with pytest.raises(CaseFileError, match="the disk is full"):
        sources_domain.import_paths(case, [tmp_path])

    # The first batch is whole; the failing one left nothing at all behind.
    assert sorted(r[0] for r in case.db.conn.execute("SELECT title FROM sources")) == ["Article a", "Article b"]
    assert count(case, "source_originals") == 2
    assert fts_rowids(case, "uniqueworda") and fts_rowids(case, "uniquewordb")
    assert fts_rowids(case, "uniquewordc") == [] and fts_rowids(case, "uniquewordd") == []
    assert count(case, "sources_fts_docsize") == 2
    assert count(case, "operations") == 1
    assert count(case, "events") == 4  # two sources and their two originals


def test_original_bytes_are_kept_exactly_with_their_sha256(case, tmp_path):
    raw = "\ufeffCafé owners questioned\r\n\r\nThey said «nothing» about Київ.\r\n".encode("utf-8")
    cp1251 = "Повестки мигрантам\r\n\r\nТекст статьи.\r\n".encode("cp1251")
    write(tmp_path, "utf8-bom-crlf.txt", raw)
    write(tmp_path, "russian.txt", cp1251)

    summary = by_name(sources_domain.import_paths(case, [tmp_path]))

    for name, data in (("utf8-bom-crlf.txt", raw), ("russian.txt", cp1251)):
        source_id = summary[name].source_id
        assert sources_domain.original_bytes(case, source_id) == data
        source = sources_domain.get_source(case, source_id)
        assert source.sha256 == hashlib.sha256(data).hexdigest()
        stored_text_hash = case.db.conn.execute("SELECT text_sha256 FROM sources WHERE id = ?", (source_id,)).fetchone()[0]
        assert stored_text_hash == hashlib.sha256(source.text.encode("utf-8")).hexdigest()
    utf8 = sources_domain.get_source(case, summary["utf8-bom-crlf.txt"].source_id)
    assert utf8.text == "Café owners questioned\n\nThey said «nothing» about Київ.\n"
    russian = sources_domain.get_source(case, summary["russian.txt"].source_id)
    assert (russian.title, russian.encoding) == ("Повестки мигрантам", "cp1251")


def test_import_text_from_stdin_has_no_file_name(case):
    data = b"Piped headline\n\nPiped body text.\n"
    outcome = sources_domain.import_text(case, data, None)
    assert outcome.status == "imported" and outcome.name == "<stdin>"
    source = sources_domain.get_source(case, outcome.source_id)
    assert (source.title, source.file_name, source.text) == ("Piped headline", None, "Piped headline\n\nPiped body text.\n")
    again = sources_domain.import_text(case, data, None)
    assert again.status == "duplicate" and again.source_id == outcome.source_id


def test_import_options_override_detected_metadata(case):
    options = ImportOptions(title="Given title", outlet="Given Outlet", url="https://given.example/a", date="June 2024")
    outcome = sources_domain.import_text(case, article("Detected", "Body.", outlet="Detected Outlet", date="2020-01-01").encode(), "x.txt", options)
    source = sources_domain.get_source(case, outcome.source_id)
    assert (source.title, source.outlet, source.url) == ("Given title", "Given Outlet", "https://given.example/a")
    assert (source.published, source.published_raw, source.published_precision) == ("2024-06", "June 2024", "month")



def test_import_refuses_a_date_option_it_cannot_read_before_reading_any_file(case, tmp_path):
    folder = tmp_path / "in"
    write(folder, "a.txt", article("First", "Body one."))
    write(folder, "b.txt", article("Second", "Body two."))
    operations = count(case, "operations")
    message = "^'someday' is not a date this tool can read \\(try 2024-06-15\\)$"
    with pytest.raises(Invalid, match=message):
        sources_domain.import_paths(case, [folder], ImportOptions(date="someday"))
    with pytest.raises(Invalid, match=message):
        sources_domain.import_text(case, b"Piped\n\nBody.\n", None, ImportOptions(date=" someday "))
    assert (count(case, "sources"), count(case, "operations")) == (0, operations)
    # The same check as editing a source's date: one domain function.
    with pytest.raises(Invalid, match=message):
        sources_domain.read_date("someday")
    assert sources_domain.read_date("27 June").precision == "none"  # no year: none is invented
    summary = sources_domain.import_paths(case, [folder], ImportOptions(date="27 June"))
    assert [o.status for o in summary.outcomes] == ["imported", "imported"]
    stored_dates = {(r["published"], r["published_raw"], r["published_precision"])
                    for r in case.db.conn.execute("SELECT * FROM sources")}
    assert stored_dates == {(None, "27 June", "none")}


# -- reading ---------------------------------------------------------------------------------


@pytest.fixture
def three_sources(case):
    """Three sources imported in the order zulu, alpha, mike, with different dates and outlets."""
    ids = {}
    for key, title, outlet, date, body in (
        ("zulu", "Zulu report on conscription notices", "beta Times", "2024-06-30", "Notices reached migrants in hostels."),
        ("alpha", "alpha digest of recruiter networks", "Alpha Post", "2023-12-07", "Recruiters approached the café owners."),
        ("mike", "Mike bulletin, undated", None, None, "Nothing about the subject at all."),
    ):
        outcome = sources_domain.import_text(case, article(title, body, outlet=outlet, date=date).encode(), f"{key}.txt")
        ids[key] = outcome.source_id
    return ids


def order_of(case, ids, **kwargs) -> list[str]:
    names = {v: k for k, v in ids.items()}
    return [names[s.id] for s in sources_domain.list_sources(case, **kwargs)]


def test_list_sources_orders(case, three_sources):
    s = three_sources
    source_id = s["mike"]
    excerpts.add_excerpt(case, source_id, quote="Nothing about")
    excerpts.add_excerpt(case, source_id, quote="the subject")
    excerpts.add_excerpt(case, s["alpha"], quote="Recruiters")

    assert order_of(case, s) == ["zulu", "alpha", "mike"]  # import order
    assert order_of(case, s, order="-imported") == ["mike", "alpha", "zulu"]
    assert order_of(case, s, order="title") == ["alpha", "mike", "zulu"]  # case-insensitive
    assert order_of(case, s, order="published") == ["alpha", "zulu", "mike"]  # unknown dates last
    assert order_of(case, s, order="-published") == ["zulu", "alpha", "mike"]
    assert order_of(case, s, order="outlet") == ["mike", "alpha", "zulu"]  # no outlet first, then A..b
    assert order_of(case, s, order="excerpts") == ["mike", "alpha", "zulu"]
    assert [x.excerpt_count for x in sources_domain.list_sources(case, order="excerpts")] == [2, 1, 0]
    assert order_of(case, s, order="title", limit=1, offset=1) == ["mike"]
    with pytest.raises(Invalid, match="^unknown order 'newest' \\(one of title, outlet, published"):
        sources_domain.list_sources(case, order="newest")


def test_list_sources_filter_by_words_in_title_outlet_or_text(case, three_sources):
    s = three_sources
    assert order_of(case, s, text="hostels") == ["zulu"]  # a word of the text only (full-text index)
    assert order_of(case, s, text="recruit") == ["alpha"]  # the last word is a prefix
    assert order_of(case, s, text="cafe") == ["alpha"]  # diacritics folded
    assert order_of(case, s, text="Alpha Post") == ["alpha"]  # outlet
    assert order_of(case, s, text="undated") == ["mike"]  # title
    assert order_of(case, s, text="notices migrants") == ["zulu"]  # every word
    assert order_of(case, s, text="giraffe") == []
    assert order_of(case, s, text='"') == []  # punctuation cannot break the filter
    assert order_of(case, s, text="   ") == ["zulu", "alpha", "mike"]
    assert sources_domain.count_sources(case, text="hostels") == 1
    assert sources_domain.count_sources(case) == 3
    listed = sources_domain.list_sources(case)
    assert all(x.text is None for x in listed)  # the list never loads texts


def test_get_source_by_prefix_or_title(case, three_sources):
    zulu = three_sources["zulu"]
    assert sources_domain.get_source(case, zulu[:6]).id == zulu
    assert sources_domain.get_source(case, "ZULU REPORT ON CONSCRIPTION NOTICES").id == zulu
    assert sources_domain.get_source(case, zulu).text.startswith("Zulu report on conscription notices\n")
    assert sources_domain.get_source(case, zulu, with_text=False).text is None
    with pytest.raises(NotFound, match="^no source 'Nope' \\(give 4 or more characters of its id, or the exact title\\)$"):
        sources_domain.get_source(case, "Nope")
    sources_domain.import_text(case, article("Zulu report on conscription notices", "Another body.").encode(), "other.txt")
    with pytest.raises(Ambiguous, match="^more than one source is called 'Zulu report on conscription notices'; use its id$"):
        sources_domain.get_source(case, "Zulu report on conscription notices")


# -- editing ---------------------------------------------------------------------------------


def stored(case, source_id: str) -> dict:
    return dict(case.db.conn.execute("SELECT * FROM sources WHERE id = ?", (source_id,)).fetchone())


def test_update_source_reparses_dates_keeping_what_was_written(case, three_sources):
    source_id = three_sources["zulu"]
    for written, iso, precision in (
        ("June 2024", "2024-06", "month"),
        ("2024", "2024", "year"),
        ("Saturday, 15 June 2024, 03:15", "2024-06-15", "day"),
        ("Thursday, June 27", None, "none"),  # no year on the page: none is invented
    ):
        updated = sources_domain.update_source(case, source_id, date=written)
        assert (updated.published, updated.published_raw, updated.published_precision) == (iso, written, precision)
        row = stored(case, source_id)
        assert (row["published"], row["published_raw"], row["published_precision"]) == (iso, written, precision)
    month_first = sources_domain.update_source(case, source_id, date="07/12/2023", dayfirst=False)
    assert month_first.published == "2023-07-12"
    day_first = sources_domain.update_source(case, source_id, date="07/12/2023")
    assert day_first.published == "2023-12-07"
    cleared = sources_domain.update_source(case, source_id, date="")
    assert (cleared.published, cleared.published_raw, cleared.published_precision) == (None, None, "none")


def test_update_source_metadata_and_refusals(case, three_sources):
    source_id = three_sources["alpha"]
    updated = sources_domain.update_source(
        case, source_id, title="  A   new\ttitle ", outlet=" Alpha  Post ", author="Ann Writer", reliability="b", notes="check"
    )
    assert (updated.title, updated.outlet, updated.author, updated.reliability, updated.notes) == (
        "A new title", "Alpha Post", "Ann Writer", "B", "check",
    )
    assert sources_domain.update_source(case, source_id, outlet="", reliability="").outlet is None
    assert stored(case, source_id)["reliability"] is None
    before = stored(case, source_id)
    operations = count(case, "operations")

    with pytest.raises(Invalid, match="^a source needs a title$"):
        sources_domain.update_source(case, source_id, title=" \n ")
    with pytest.raises(Invalid, match="^reliability must be one of A-F \\(Admiralty scale\\), not 'G'$"):
        sources_domain.update_source(case, source_id, reliability="G")
    with pytest.raises(Invalid, match="^'early June' is not a date this tool can read \\(try 2024-06-15\\)$"):
        sources_domain.update_source(case, source_id, date="early June")

    assert stored(case, source_id) == before
    assert count(case, "operations") == operations  # refusals log nothing


def test_update_source_is_undone_whole(case, three_sources):
    source_id = three_sources["alpha"]
    before = stored(case, source_id)
    sources_domain.update_source(case, source_id, title="Changed", date="2020", reliability="A")
    undone = history.undo_last(case)
    assert undone.name == "source.edit"
    assert stored(case, source_id) == before


def test_undoing_an_import_removes_source_original_and_index_entry(case):
    outcome = sources_domain.import_text(case, article("Headline", "Xylophonist testimony.").encode(), "x.txt")
    assert fts_rowids(case, "xylophonist")
    history.undo_last(case)
    assert count(case, "sources") == 0 and count(case, "source_originals") == 0
    assert fts_rowids(case, "xylophonist") == []
    with pytest.raises(NotFound):
        sources_domain.get_source(case, outcome.source_id)


# -- the reader thread ----------------------------------------------------------------------


def reader_threads() -> list:
    import threading

    return [t for t in threading.enumerate() if t.name == "evidence-import-reader"]


def test_outcomes_come_in_the_order_of_reading_then_storing_each_batch(case, tmp_path, monkeypatch):
    # Files are read ahead on a thread; what is reported, and when, is as if read and stored in turn:
    # a refused file as it is met, the imported ones when their batch is stored.
    monkeypatch.setattr(sources_domain, "BATCH_FILES", 2)
    folder = tmp_path / "articles"  # not tmp_path itself: the case file there would be listed as skipped
    for letter in "abcdef":
        content = b"%PDF-1.4" if letter in "be" else article(f"Article {letter}", f"Body of {letter}.")
        write(folder, f"{letter}.txt", content)
    seen = []
    summary = sources_domain.import_paths(case, [folder], on_progress=lambda done, total, o: seen.append(
        (done, total, Path(o.name).name, o.status)))
    assert seen == [(1, 6, "b.txt", "failed"), (2, 6, "a.txt", "imported"), (3, 6, "c.txt", "imported"),
                    (4, 6, "e.txt", "failed"), (5, 6, "d.txt", "imported"), (6, 6, "f.txt", "imported")]
    assert [o.status for o in summary.outcomes] == [s for *_, s in seen]
    assert count(case, "sources") == 4 and count(case, "operations") == 2
    assert reader_threads() == []


def test_an_unexpected_error_while_reading_stops_the_import_after_the_stored_batches(case, tmp_path, monkeypatch):
    monkeypatch.setattr(sources_domain, "BATCH_FILES", 2)
    for letter in "abcde":
        write(tmp_path, f"{letter}.txt", article(f"Article {letter}", f"Body of {letter}."))
    real_read = sources_domain.read_document

    def read_document(path, options):
        if path.name == "d.txt":
            raise MemoryError("out of memory")
        return real_read(path, options)

    monkeypatch.setattr(sources_domain, "read_document", read_document)
    with pytest.raises(MemoryError):
        sources_domain.import_paths(case, [tmp_path])
    # (a, b) was stored; c was read, but its batch never completed: nothing of it is in the case file.
    assert sorted(r[0] for r in case.db.conn.execute("SELECT title FROM sources")) == ["Article a", "Article b"]
    assert reader_threads() == []


def test_a_progress_callback_that_raises_ends_the_reader_too(case, tmp_path, monkeypatch):
    monkeypatch.setattr(sources_domain, "BATCH_FILES", 2)
    for i in range(9):
        write(tmp_path, f"{i}.txt", article(f"Article {i}", f"Body {i}."))

    def progress(done, total, outcome):
        if done == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sources_domain.import_paths(case, [tmp_path], on_progress=progress)
    assert count(case, "sources") == 4  # the batch being reported was already committed
    assert reader_threads() == []
    summary = sources_domain.import_paths(case, [tmp_path])  # and the next import goes on normally
    assert (summary.imported, summary.duplicates) == (5, 4)
