"""``evidence-tui import --date``: read the same way as ``source edit --date``, refused the same way;
and an empty path refused, not read as the current folder."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from evidence_tui.cli import cli

REFUSED = "error: 'someday' is not a date this tool can read (try 2024-06-15)"


def invoke(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input)


@pytest.fixture
def article(tmp_path) -> Path:
    path = tmp_path / "in" / "recruiters.txt"
    path.parent.mkdir()
    path.write_text(
        "Ukraine urges UN members to trace recruiters\n\nOutlet: Kyiv Ledger\nPublished: 2024-06-15\n\n"
        "The envoy said recruiters promised work.\n",
        encoding="utf-8",
    )
    return path


def one_line_error(result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def source_rows(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT published, published_raw, published_precision FROM sources").fetchall()


def test_import_refuses_an_unreadable_date_before_making_the_case_file(tmp_path, article):
    db = tmp_path / "case.db"
    result = invoke("import", "--db", str(db), str(article), "--date", "someday")
    assert one_line_error(result) == REFUSED
    assert result.stdout == ""
    assert not db.exists()  # nothing written, not even an empty case file


def test_import_refuses_an_unreadable_date_into_an_existing_case_file_and_from_stdin(tmp_path, article):
    db = tmp_path / "case.db"
    assert invoke("init", "--db", str(db)).exit_code == 0
    with sqlite3.connect(db) as conn:
        operations = conn.execute("SELECT count(*) FROM operations").fetchone()[0]
    assert one_line_error(invoke("import", "--db", str(db), str(article), "--date", "someday")) == REFUSED
    assert one_line_error(invoke("import", "--db", str(db), "-", "--date", "someday", input="Title\n\nText.\n")) == REFUSED
    assert source_rows(db) == []
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM operations").fetchone()[0] == operations


def test_import_and_source_edit_refuse_the_same_dates_the_same_way(tmp_path, article):
    db = tmp_path / "case.db"
    assert invoke("import", "--db", str(db), str(article)).exit_code == 0
    (source,) = json.loads(invoke("sources", "--db", str(db), "--json").stdout)
    other = tmp_path / "other.txt"
    other.write_text("Another headline\n\nOther text.\n", encoding="utf-8")
    for bad in ("someday", "early June", "31/02/2024"):
        edited = invoke("source", "edit", "--db", str(db), source["id"][:8], "--date", bad)
        imported = invoke("import", "--db", str(db), str(other), "--date", bad)
        assert one_line_error(imported) == one_line_error(edited)
        assert f"'{bad}' is not a date this tool can read" in one_line_error(imported)
    assert len(source_rows(db)) == 1


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("27 June", (None, "27 June", "none")),  # no year: kept as written, never given one
        ("June 2024", ("2024-06", "June 2024", "month")),
        ("2024-06-15", ("2024-06-15", "2024-06-15", "day")),
    ],
)
def test_import_keeps_what_source_edit_keeps(tmp_path, article, typed, stored):
    db = tmp_path / "case.db"
    result = invoke("import", "--db", str(db), str(article), "--date", typed)
    assert result.exit_code == 0, result.output
    assert source_rows(db) == [stored]
    (source,) = json.loads(invoke("sources", "--db", str(db), "--json").stdout)
    edited = json.loads(invoke("source", "edit", "--db", str(db), source["id"][:8], "--date", typed, "--json").stdout)
    assert (edited["published"], edited["published_raw"], edited["published_precision"]) == stored


def test_an_empty_date_on_import_keeps_the_detected_one(tmp_path, article):
    db = tmp_path / "case.db"
    assert invoke("import", "--db", str(db), str(article), "--date", "").exit_code == 0
    assert source_rows(db) == [("2024-06-15", "2024-06-15", "day")]


def test_import_refuses_an_empty_path_instead_of_importing_the_current_folder(tmp_path, article, monkeypatch):
    db = tmp_path / "case.db"
    monkeypatch.chdir(article.parent)  # the folder "" would have meant
    result = invoke("import", "--db", str(db), "")
    assert one_line_error(result) == "error: an empty path: name the file or folder to import (. for the current folder)"
    assert not db.exists()
    assert invoke("import", "--db", str(db), ".").exit_code == 0
    assert len(source_rows(db)) == 1
