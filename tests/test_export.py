"""CSV and JSON export: exact columns, RFC 4180 round trips, formula neutralisation, filters, privacy."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import types
from pathlib import Path

import pytest
from click.testing import CliRunner

from evidence_tui.cli import cli
from evidence_tui.domain import claims, codebook, entities, excerpts, sources
from evidence_tui.domain.filters import ExcerptFilter
from evidence_tui.exporters import neutralise, write_csv, write_json
from evidence_tui.importers import ImportOptions
from evidence_tui.store import CaseFile

# The columns, in the order the README documents them.
README_COLUMNS = [
    "excerpt_id", "source_id", "source_title", "outlet", "author", "url", "published", "published_raw",
    "quote", "context_before", "context_after", "start", "end", "claim_types", "claims", "entities",
    "review_status", "note", "reliability", "source_sha256", "tagged_at",
]

TRICKY = 'He said "stop", then left,\nand never came back.'
CYRILLIC = "Вербовщики обещали работу «водителем», но выдали автомат."
ARABIC = "قال إنه وُعد بوظيفة سائق، لكنه أُرسل إلى الجبهة."
FORMULAS = ['=HYPERLINK("http://evil.example/x","click")', "+1+1", "-2+3", "@SUM(A1)", "\t=1"]

BODY = "\n".join([
    "Opening paragraph of the testimony, kept for context before anything.",
    TRICKY,
    CYRILLIC,
    ARABIC,
    *[f"{f} is a line that a spreadsheet would run." for f in FORMULAS],
    "A plain closing line that nobody tagged at all.",
])


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """A case with two sources and excerpts full of awkward characters; returns (path, ids)."""
    path = tmp_path_factory.mktemp("export") / "case.db"
    case = CaseFile.open(path, actor="tester")
    june = sources.import_text(
        case, f"Testimonies, \"collected\"\n\n{BODY}\n".encode(), "testimonies.txt",
        ImportOptions(outlet="Kyiv Ledger", url="https://ledger.example/a", date="2024-06-15"),
    ).source_id
    sources.update_source(case, june, author="Ann Writer", reliability="B")
    july = sources.import_text(
        case, b"Later report\n\nA second source published in July with one excerpt.\n", "later.txt",
        ImportOptions(outlet="Baltic Wire", date="2024-07-02"),
    ).source_id
    codebook.add_type(case, "Coercion")
    codebook.add_type(case, "Threats; violence")  # a name with the list separator in it
    person = entities.add_entity(case, "Anil Madusanka", "person")
    deceived = claims.add_claim(case, "Recruits were deceived; some were threatened")
    denied = claims.add_claim(case, "Nobody was forced")
    ids = {
        "tricky": excerpts.add_excerpt(case, june, quote=TRICKY, types=["Coercion", "Threats; violence"],
                                       note='Note with "quotes", commas\nand a newline').id,
        "cyrillic": excerpts.add_excerpt(case, june, quote=CYRILLIC, types=["Coercion"]).id,
        "arabic": excerpts.add_excerpt(case, june, quote=ARABIC).id,
        "july": excerpts.add_excerpt(case, july, quote="one excerpt", types=["Threats; violence"]).id,
    }
    for i, formula in enumerate(FORMULAS):
        ids[f"formula{i}"] = excerpts.add_excerpt(case, june, quote=formula, note=formula).id
    entities.link_excerpt(case, person.id, ids["tricky"], "victim")
    entities.link_excerpt(case, person.id, ids["cyrillic"])
    claims.link_excerpt(case, deceived.id, ids["tricky"])
    claims.link_excerpt(case, denied.id, ids["tricky"], "contradicts")
    excerpts.set_status(case, ids["cyrillic"], "accepted")
    excerpts.set_status(case, ids["july"], "accepted")
    case.close()
    return path, ids


def run(db: Path, *args: str):
    result = CliRunner().invoke(cli, [*args, "--db", str(db)], catch_exceptions=False)
    return result


def export_csv(db: Path, out: Path, *args: str) -> tuple[bytes, list[list[str]]]:
    result = run(db, "export", "csv", "-o", str(out), *args)
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    with out.open(newline="", encoding="utf-8-sig") as handle:
        return data, list(csv.reader(handle))


def db_rows(db: Path) -> dict[str, dict]:
    case = CaseFile.open(db, create=False)
    rows = case.db.conn.execute(
        """SELECT e.id, e.quote, e.prefix, e.suffix, e.start, e."end", e.note, e.review_status,
                  s.id AS source_id, s.title, s.outlet, s.author, s.url, s.published, s.published_raw,
                  s.reliability, s.sha256
           FROM excerpts e JOIN sources s ON s.id = e.source_id"""
    ).fetchall()
    result = {r["id"]: dict(r) for r in rows}
    case.close()
    return result


def as_cell(value) -> str:
    """What a neutralised CSV cell holds for a database value."""
    if value is None:
        return ""
    value = str(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def test_header_is_the_documented_columns(exported, tmp_path):
    db, _ = exported
    data, rows = export_csv(db, tmp_path / "out.csv")
    assert rows[0] == README_COLUMNS
    assert data.startswith(",".join(README_COLUMNS).encode() + b"\r\n")
    assert len(rows) == 1 + 9


def test_every_cell_round_trips_through_csv_reader(exported, tmp_path):
    db, ids = exported
    _, rows = export_csv(db, tmp_path / "out.csv")
    stored = db_rows(db)
    by_id = {row[0]: dict(zip(README_COLUMNS, row)) for row in rows[1:]}
    assert set(by_id) == set(stored)
    for excerpt_id, row in stored.items():
        cells = by_id[excerpt_id]
        for column, key in (
            ("source_id", "source_id"), ("source_title", "title"), ("outlet", "outlet"), ("author", "author"),
            ("url", "url"), ("published", "published"), ("published_raw", "published_raw"), ("quote", "quote"),
            ("context_before", "prefix"), ("context_after", "suffix"), ("start", "start"), ("end", "end"),
            ("review_status", "review_status"), ("note", "note"), ("reliability", "reliability"),
            ("source_sha256", "sha256"),
        ):
            assert cells[column] == as_cell(row[key]), (excerpt_id, column)
    tricky = by_id[ids["tricky"]]
    assert tricky["quote"] == TRICKY
    assert tricky["note"] == 'Note with "quotes", commas\nand a newline'
    assert tricky["source_title"] == 'Testimonies, "collected"'
    assert tricky["claim_types"] == "Coercion; Threats; violence"
    assert tricky["claims"] == "Nobody was forced (contradicts); Recruits were deceived; some were threatened"
    assert tricky["entities"] == "Anil Madusanka (victim)"
    assert by_id[ids["cyrillic"]]["quote"] == CYRILLIC and by_id[ids["cyrillic"]]["entities"] == "Anil Madusanka"
    assert by_id[ids["arabic"]]["quote"] == ARABIC and by_id[ids["arabic"]]["claim_types"] == ""


def test_rfc4180_quoting_in_the_bytes(exported, tmp_path):
    db, _ = exported
    data, _ = export_csv(db, tmp_path / "out.csv")
    assert b'"He said ""stop"", then left,\nand never came back."' in data  # doubled quotes, newline kept
    assert '"Testimonies, ""collected"""'.encode() in data
    assert CYRILLIC.encode("utf-8") in data and ARABIC.encode("utf-8") in data
    assert not data.startswith(b"\xef\xbb\xbf")
    assert data.endswith(b"\r\n") and data.count(b"\r\n") == 10  # header + 9 rows; no other CRLF


def test_formulas_are_neutralised_and_raw_keeps_them(exported, tmp_path):
    db, ids = exported
    _, safe_rows = export_csv(db, tmp_path / "safe.csv")
    _, raw_rows = export_csv(db, tmp_path / "raw.csv", "--raw")
    safe_by_id = {r[0]: dict(zip(README_COLUMNS, r)) for r in safe_rows[1:]}
    raw_by_id = {r[0]: dict(zip(README_COLUMNS, r)) for r in raw_rows[1:]}
    for i, formula in enumerate(FORMULAS):
        excerpt_id = ids[f"formula{i}"]
        assert safe_by_id[excerpt_id]["quote"] == "'" + formula
        assert safe_by_id[excerpt_id]["note"] == "'" + formula.strip()  # notes are stored trimmed
        assert raw_by_id[excerpt_id]["quote"] == formula
    assert safe_by_id[ids["tricky"]]["quote"] == TRICKY  # other cells are left alone


@pytest.mark.parametrize("value", ["=1+1", '=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_neutralise_every_owasp_form(value):
    assert neutralise(value) == "'" + value
    out = io.StringIO(newline="")
    write_csv([{"quote": value}], out, columns=("quote",))
    assert list(csv.reader(io.StringIO(out.getvalue(), newline=""))) == [["quote"], ["'" + value]]
    raw = io.StringIO(newline="")
    write_csv([{"quote": value}], raw, columns=("quote",), raw=True)
    assert list(csv.reader(io.StringIO(raw.getvalue(), newline=""))) == [["quote"], [value]]


@pytest.mark.parametrize("value", ["a=b", "1-2", " =1", "", "'already", 42, -3, None])
def test_neutralise_leaves_other_values(value):
    assert neutralise(value) == value


def test_excel_adds_a_byte_order_mark(exported, tmp_path):
    db, _ = exported
    data, rows = export_csv(db, tmp_path / "excel.csv", "--excel")
    assert data.startswith(b"\xef\xbb\xbfexcerpt_id,source_id,")
    assert rows[0] == README_COLUMNS


def test_one_row_per_type(exported, tmp_path):
    db, ids = exported
    _, rows = export_csv(db, tmp_path / "types.csv", "--one-row-per-type")
    header = rows[0]
    assert header == [("claim_type" if c == "claim_types" else c) for c in README_COLUMNS]
    pairs = sorted((r[0], r[header.index("claim_type")]) for r in rows[1:])
    expected = [
        (ids["tricky"], "Coercion"), (ids["tricky"], "Threats; violence"),  # a "; " in a name is not a split
        (ids["cyrillic"], "Coercion"), (ids["arabic"], ""), (ids["july"], "Threats; violence"),
        *[(ids[f"formula{i}"], "") for i in range(len(FORMULAS))],
    ]
    assert pairs == sorted(expected)
    tricky_rows = [r for r in rows[1:] if r[0] == ids["tricky"]]
    assert all(r[header.index("quote")] == TRICKY for r in tricky_rows)


def test_json_export_has_lists(exported, tmp_path):
    db, ids = exported
    out = tmp_path / "out.json"
    assert run(db, "export", "json", "-o", str(out)).exit_code == 0
    rows = {r["excerpt_id"]: r for r in json.loads(out.read_text(encoding="utf-8"))}
    assert list(next(iter(rows.values()))) == README_COLUMNS
    tricky = rows[ids["tricky"]]
    assert tricky["claim_types"] == ["Coercion", "Threats; violence"]
    assert tricky["claims"] == ["Nobody was forced (contradicts)", "Recruits were deceived; some were threatened"]
    assert tricky["entities"] == ["Anil Madusanka (victim)"]
    assert (tricky["quote"], tricky["start"]) == (TRICKY, db_rows(db)[ids["tricky"]]["start"])
    assert rows[ids["arabic"]]["claim_types"] == [] and rows[ids["arabic"]]["note"] is None
    assert rows[ids["formula0"]]["quote"] == FORMULAS[0]  # JSON is data, not a spreadsheet: no neutralising

    lines = run(db, "export", "json", "--lines", "--status", "accepted").stdout.splitlines()
    assert sorted(json.loads(line)["excerpt_id"] for line in lines) == sorted([ids["cyrillic"], ids["july"]])


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--type", "Coercion"], ["tricky", "cyrillic"]),
        (["--type", "threats; violence"], ["tricky", "july"]),
        (["--status", "accepted"], ["cyrillic", "july"]),
        (["--from", "2024-07"], ["july"]),
        (["--to", "2024-06"], ["tricky", "cyrillic", "arabic", "formula0", "formula1", "formula2", "formula3", "formula4"]),
        (["--entity", "Anil Madusanka"], ["tricky", "cyrillic"]),
        (["--claim", "Nobody was forced"], ["tricky"]),
        (["--source", "Later report"], ["july"]),
        (["--text", "водителем"], ["cyrillic"]),
        (["--type", "Coercion", "--status", "unreviewed"], ["tricky"]),
    ],
)
def test_export_filters(exported, tmp_path, args, expected):
    db, ids = exported
    _, rows = export_csv(db, tmp_path / "f.csv", *args)
    assert sorted(r[0] for r in rows[1:]) == sorted(ids[n] for n in expected)


def test_export_to_stdout_is_the_same_as_to_a_file(exported, tmp_path):
    db, _ = exported
    data, _ = export_csv(db, tmp_path / "file.csv")
    result = run(db, "export", "csv")
    assert result.exit_code == 0
    assert result.stdout_bytes == data
    assert result.stderr == ""


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_export_file_is_private(exported, tmp_path):
    db, _ = exported
    fresh = tmp_path / "fresh.csv"
    result = run(db, "export", "csv", "-o", str(fresh))
    assert mode(fresh) == 0o600
    assert result.stderr == f"9 rows written to {fresh} (plain text, readable by you only)\n"
    existing = tmp_path / "existing.json"
    existing.write_text("old", encoding="utf-8")
    existing.chmod(0o644)
    assert run(db, "export", "json", "-o", str(existing)).exit_code == 0
    assert mode(existing) == 0o600
    assert json.loads(existing.read_text(encoding="utf-8"))


def test_a_bad_filter_leaves_an_existing_export_untouched(exported, tmp_path):
    db, _ = exported
    previous = tmp_path / "previous.csv"
    previous.write_bytes(b"last week's export\r\n")
    result = run(db, "export", "csv", "--type", "Nope", "-o", str(previous))
    assert result.exit_code == 1
    assert result.stderr == "error: no claim type 'Nope' (give 4 or more characters of its id, or the exact name)\n"
    assert previous.read_bytes() == b"last week's export\r\n"
    assert not (tmp_path / "never.csv").exists()


def test_export_rows_are_streamed(exported):
    db, ids = exported
    case = CaseFile.open(db, create=False)
    rows = excerpts.iter_export_rows(case)
    assert isinstance(rows, types.GeneratorType)  # an iterator over a cursor, never a list
    first = next(rows)
    assert list(first) == README_COLUMNS
    assert 1 + sum(1 for _ in rows) == 9
    filtered = excerpts.iter_export_rows(case, ExcerptFilter(statuses=("accepted",)))
    out = io.StringIO()
    assert write_json(filtered, out) == 2
    assert write_json(iter([]), io.StringIO()) == 0
    case.close()
