"""The CSV export's column path writes exactly the bytes of the row path (csv.writer), faster."""

from __future__ import annotations

import io
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidence_tui.domain import codebook, entities, excerpts
from evidence_tui.domain.filters import ExcerptFilter
from evidence_tui.exporters import ExportOptions, export_excerpts, write_csv
from evidence_tui.exporters.csv_export import encode_rows, ordered_parallel

CELL = st.text(alphabet=st.sampled_from(list('ab ,"\r\n\t=+-@\'é✓\x1f') + ["\U0001f600"]), max_size=12)


@given(rows=st.lists(st.lists(CELL, min_size=3, max_size=3), min_size=1, max_size=8), raw=st.booleans())
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_encode_rows_is_byte_identical_to_csv_writer(rows, raw):
    columns = [[row[i].encode("utf-8") for row in rows] for i in range(3)]
    out = io.StringIO(newline="")
    write_csv([dict(zip("abc", row)) for row in rows], out, columns=("a", "b", "c"), raw=raw)
    expected = out.getvalue().encode("utf-8").split(b"\r\n", 1)[1]
    assert encode_rows(columns, raw) == expected


def _old_bytes(case, f=ExcerptFilter(), *, excel=False, raw=False) -> bytes:
    out = io.StringIO(newline="")
    write_csv(excerpts.iter_export_rows(case, f), out, excel=excel, raw=raw)
    return out.getvalue().encode("utf-8")


def _new_bytes(case, f=ExcerptFilter(), *, excel=False, raw=False, binary=True) -> bytes:
    raw_out = io.BytesIO()
    stream = io.TextIOWrapper(raw_out, encoding="utf-8", newline="") if binary else io.StringIO(newline="")

    class Keep:
        def __enter__(self):
            return stream

        def __exit__(self, *exc):
            stream.flush()

    export_excerpts(case, f, Keep, ExportOptions(excel=excel, raw=raw))
    return raw_out.getvalue() if binary else stream.getvalue().encode("utf-8")


@pytest.mark.parametrize("excel, raw, binary", [(False, False, True), (True, False, True), (False, True, False)])
def test_demo_case_export_is_byte_identical(demo_case, monkeypatch, excel, raw, binary):
    monkeypatch.setattr(excerpts, "_PART_SOURCES", 2)  # many parts, read by both threads
    monkeypatch.setattr(excerpts, "_CHUNK_ROWS", 3)
    assert _new_bytes(demo_case, excel=excel, raw=raw, binary=binary) == _old_bytes(demo_case, excel=excel, raw=raw)
    # and filtered
    f = ExcerptFilter(statuses=("unreviewed", "accepted"))
    assert _new_bytes(demo_case, f) == _old_bytes(demo_case, f)


def test_generated_case_with_awkward_cells_is_byte_identical(demo_case, monkeypatch):
    """Lists, formulas, quotes, line breaks, a contradicting claim, entity roles: same bytes."""
    monkeypatch.setattr(excerpts, "_PART_SOURCES", 1)
    case = demo_case
    conn = case.db.conn
    excerpt_ids = [r[0] for r in conn.execute("SELECT id FROM excerpts ORDER BY rowid")]
    codebook.add_type(case, '=cmd|" /C calc"!A0', description="formula")
    codebook.add_type(case, "aardvark, the \"first\"")
    excerpts.tag_excerpt(case, excerpt_ids[0], ['=cmd|" /C calc"!A0', "aardvark, the \"first\""])
    excerpts.set_note(case, excerpt_ids[1], "-2+3\r\nsecond line, \"quoted\"")
    excerpts.set_note(case, excerpt_ids[2], "@SUM(A1)")
    person = entities.add_entity(case, "zed, Ünïcode", "person")
    entities.link_excerpt(case, person.id, excerpt_ids[0], role="witness")
    entities.link_excerpt(case, person.id, excerpt_ids[0], role="")
    for raw in (False, True):
        assert _new_bytes(case, raw=raw) == _old_bytes(case, raw=raw)


def test_ordered_parallel_keeps_order_and_reports_errors():
    seen = set()

    def work(part):
        seen.add(threading.current_thread().name)
        for i in range(part % 4):
            yield (part, i)

    blocks = list(ordered_parallel(list(range(40)), work, workers=2, depth=1))
    assert blocks == [(p, i) for p in range(40) for i in range(p % 4)]
    assert threading.current_thread().name not in seen

    def failing(part):
        yield part
        if part == 5:
            raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        list(ordered_parallel(list(range(20)), failing))
    # closing early stops the workers
    it = ordered_parallel(list(range(1000)), lambda p: iter([p]), depth=1)
    assert next(it) == 0
    it.close()
    assert not [t for t in threading.enumerate() if t.name.startswith("export-")]
