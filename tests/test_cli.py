"""The command line: every command's help, exit codes, one-line errors, JSON output, inert text."""

from __future__ import annotations

import csv
import json
import os
import re
import sqlite3
import stat
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from evidence_tui.cli import cli
from evidence_tui.store import CaseFile
from evidence_tui.store.schema import SCHEMA_VERSION
from tests.schema_util import drop_excerpt_links, undo_later_indexes

SAMPLE_DATA = Path(__file__).resolve().parent.parent / "sample_data"


def invoke(*args: str, input: bytes | str | None = None, env: dict | None = None):
    return CliRunner().invoke(cli, list(args), input=input, env=env)


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "case.db"


@pytest.fixture
def article(tmp_path) -> Path:
    path = tmp_path / "in" / "recruiters.txt"
    path.parent.mkdir()
    path.write_text(
        "Ukraine urges UN members to trace recruiters\n\n"
        "Outlet: Kyiv Ledger\nPublished: 2024-06-15\n\n"
        "The envoy said recruiters promised work. Later, recruiters promised pay.\n",
        encoding="utf-8",
    )
    return path


def imported(db: Path, *paths: Path) -> list[dict]:
    result = invoke("import", "--db", str(db), *map(str, paths))
    assert result.exit_code == 0, result.output
    return json.loads(invoke("sources", "--db", str(db), "--json").stdout)


def one_line_error(result) -> str:
    """The single line a failing command writes to stderr (no traceback, nothing else)."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


# -- help ------------------------------------------------------------------------------------


def command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [prefix]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            paths += command_paths(command, (*prefix, name))
        else:
            paths.append((*prefix, name))
    return paths


PATHS = command_paths(cli)


def test_the_walk_finds_every_command():
    assert {"init", "import", "sources", "show", "search", "stats", "undo", "log", "open"} <= {p[0] for p in PATHS if p}
    assert ("excerpt", "add") in PATHS and ("export", "csv") in PATHS and ("source", "edit") in PATHS
    assert len(PATHS) > 30


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "evidence-tui")
def test_every_command_has_help(path):
    result = invoke(*path, "--help")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Usage: {' '.join(('cli', *path))}")
    command = cli
    for name in path:
        command = command.commands[name]
    assert command.help and command.help.strip()
    assert result.stderr == ""


# -- case files ------------------------------------------------------------------------------


def test_init_creates_a_private_case_file_and_remembers_it(db, article):
    result = invoke("init", "--db", str(db))
    assert result.exit_code == 0
    assert result.stdout == f"Case file ready: {db}\n"
    assert stat.S_IMODE(os.stat(db).st_mode) == 0o600
    case = CaseFile.open(db, create=False)
    assert case.db.conn.execute("SELECT count(*) FROM sources").fetchone()[0] == 0
    case.close()
    # Later commands without --db work on the case made by init.
    assert invoke("import", str(article)).exit_code == 0
    assert [s["title"] for s in json.loads(invoke("sources", "--json", "--db", str(db)).stdout)] == [
        "Ukraine urges UN members to trace recruiters"
    ]


def test_evidence_db_environment_variable_is_honoured(db, article, tmp_path):
    result = invoke("import", str(article), env={"EVIDENCE_DB": str(db)})
    assert result.exit_code == 0
    assert db.exists()
    assert len(json.loads(invoke("sources", "--json", env={"EVIDENCE_DB": str(db)}).stdout)) == 1
    # --db wins over the variable, before or after the command name.
    other = tmp_path / "other.db"
    assert invoke("init", "--db", str(other)).exit_code == 0
    assert json.loads(invoke("sources", "--json", "--db", str(other), env={"EVIDENCE_DB": str(db)}).stdout) == []
    assert json.loads(invoke("--db", str(other), "sources", "--json", env={"EVIDENCE_DB": str(db)}).stdout) == []
    assert len(json.loads(invoke("--db", str(db), "sources", "--json").stdout)) == 1


def test_a_mistyped_db_is_an_error_not_a_new_case_file(tmp_path):
    missing = tmp_path / "nodir" / "x.db"
    for command in (("sources",), ("excerpt", "list"), ("stats",), ("export", "csv"), ("search", "army"),
                    ("codebook", "add", "T"), ("review", "--agreement")):
        result = invoke(*command, "--db", str(missing))
        assert one_line_error(result) == f"error: {missing}: no such case file (create it with 'evidence-tui init')", command
    assert not missing.exists() and not missing.parent.exists()
    # init and import may start one.
    assert invoke("import", "--db", str(missing), "-", input="Title\n\nSome text here.\n").exit_code == 0
    assert missing.exists()


def test_a_file_that_is_not_sqlite_is_refused_untouched(tmp_path):
    notes = tmp_path / "notes.db"
    notes.write_bytes(b"my private notes\n" * 10)
    result = invoke("sources", "--db", str(notes))
    assert one_line_error(result) == f"error: {notes}: not an evidence-tui case file (not a SQLite database)"
    assert notes.read_bytes() == b"my private notes\n" * 10
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"]


# -- import ----------------------------------------------------------------------------------


def test_import_folder_prints_a_summary(db):
    result = invoke("import", "--db", str(db), str(SAMPLE_DATA / "articles"))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[-1] == "10 imported, 0 duplicate, 0 failed"
    assert len([line for line in lines if line.startswith("imported: ")]) == 10
    assert "imported: " in lines[0] and "Russia offers army contracts to migrants held after trying to reach Finland" in lines[0]
    assert result.stderr == ""

    again = invoke("import", "--db", str(db), str(SAMPLE_DATA / "articles" / "kyiv-ledger-un-recruiters-2024-06-15.txt"))
    assert again.exit_code == 0
    assert again.stdout == "0 imported, 1 duplicate, 0 failed\n"
    assert again.stderr.startswith("duplicate: kyiv-ledger-un-recruiters-2024-06-15.txt: already in the case file as ")


def test_import_with_a_bad_file_exits_1_naming_it(db, article):
    bad = article.parent / "a-very-long-name-for-a-binary-file-saved-by-mistake-from-the-browser.txt"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    result = invoke("import", "--db", str(db), str(article.parent))
    assert one_line_error(result) == f"failed: {bad}: binary file (PNG image), not text"
    assert result.stdout.splitlines()[-1] == "1 imported, 0 duplicate, 1 failed"
    assert len(json.loads(invoke("sources", "--db", str(db), "--json").stdout)) == 1


def test_import_from_stdin(db):
    result = invoke("import", "--db", str(db), "-", input="Piped headline\n\nPiped body.\n".encode())
    assert result.exit_code == 0, result.output
    (source,) = json.loads(invoke("sources", "--db", str(db), "--json").stdout)
    assert (source["title"], source["file_name"]) == ("Piped headline", None)
    assert result.stdout.splitlines() == [f"imported: {source['id'][:8]} Piped headline", "1 imported, 0 duplicate, 0 failed"]
    empty = invoke("import", "--db", str(db), "-", input=b"")
    assert one_line_error(empty) == "failed: <stdin>: empty file"


def test_import_json(db, article):
    result = invoke("import", "--db", str(db), "--json", str(article))
    data = json.loads(result.stdout)
    assert (data["imported"], data["duplicates"], data["failed"]) == (1, 0, 0)
    assert data["files"][0]["status"] == "imported" and data["files"][0]["title"] == "Ukraine urges UN members to trace recruiters"


def test_import_lists_skipped_files_on_stderr_and_still_exits_0(db, article):
    folder = article.parent
    (folder / "scan.pdf").write_bytes(b"%PDF-1.7")
    (folder / "sub").mkdir()
    (folder / "sub" / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    result = invoke("import", "--db", str(db), str(folder))
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"skipped: {folder / 'scan.pdf'}: not a .txt, .md or .html file",
        f"skipped: {folder / 'sub' / 'photo.jpg'}: not a .txt, .md or .html file",
    ]
    lines = result.stdout.splitlines()
    assert lines[0].startswith("imported: ") and lines[0].endswith(" Ukraine urges UN members to trace recruiters")
    assert lines[-1] == "1 imported, 0 duplicate, 0 failed, 2 skipped"
    assert len(json.loads(invoke("sources", "--db", str(db), "--json").stdout)) == 1


def test_import_summary_line_is_unchanged_when_nothing_is_skipped(db, article):
    (article.parent / ".hidden.pdf").write_bytes(b"%PDF")  # hidden: passed over silently
    result = invoke("import", "--db", str(db), str(article.parent))
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout.splitlines()[-1] == "1 imported, 0 duplicate, 0 failed"


def test_import_lists_at_most_20_skipped_files(db, article):
    for n in range(23):
        (article.parent / f"scan{n:02d}.pdf").write_bytes(b"%PDF")
    result = invoke("import", "--db", str(db), str(article.parent))
    assert result.exit_code == 0
    errors = result.stderr.splitlines()
    assert len(errors) == 21 and errors[-1] == "... and 3 more skipped"
    assert errors[19] == f"skipped: {article.parent / 'scan19.pdf'}: not a .txt, .md or .html file"
    assert result.stdout.splitlines()[-1] == "1 imported, 0 duplicate, 0 failed, 23 skipped"
    assert result.stdout.startswith("imported: ")  # skipped files do not hide the imported ones


def test_import_a_folder_of_only_other_files_fails_and_lists_them(db, tmp_path):
    folder = tmp_path / "scans"
    folder.mkdir()
    (folder / "scan.pdf").write_bytes(b"%PDF")
    result = invoke("import", "--db", str(db), str(folder))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"skipped: {folder / 'scan.pdf'}: not a .txt, .md or .html file",
        f"failed: {folder}: no importable files (.txt, .md, .html, .htm) in this folder",
    ]
    assert result.stdout == "0 imported, 0 duplicate, 1 failed, 1 skipped\n"


def test_import_json_counts_and_lists_skipped_files(db, article):
    plain = json.loads(invoke("import", "--db", str(db), "--json", str(article)).stdout)
    assert plain["skipped"] == 0  # always present
    (article.parent / "scan.pdf").write_bytes(b"%PDF")
    result = invoke("import", "--db", str(db), "--json", str(article.parent))
    assert result.exit_code == 0 and result.stderr == ""
    data = json.loads(result.stdout)
    assert (data["imported"], data["duplicates"], data["failed"], data["skipped"]) == (0, 1, 0, 1)
    by_status = {f["status"]: f for f in data["files"]}  # refused files come before their batch is stored
    assert sorted(by_status) == ["duplicate", "skipped"]
    assert by_status["skipped"] == {
        "name": str(article.parent / "scan.pdf"), "status": "skipped", "source_id": None, "title": None,
        "message": f"{article.parent / 'scan.pdf'}: not a .txt, .md or .html file",
    }


# -- sources and show ------------------------------------------------------------------------


def test_sources_json_fields(db, article):
    (source,) = imported(db, article)
    assert {"id", "title", "outlet", "url", "published", "published_raw", "sha256"} <= set(source)
    assert (source["title"], source["outlet"], source["published"], source["published_raw"]) == (
        "Ukraine urges UN members to trace recruiters", "Kyiv Ledger", "2024-06-15", "2024-06-15",
    )
    assert len(source["id"]) == 32 and len(source["sha256"]) == 64
    table = invoke("sources", "--db", str(db)).stdout
    assert source["id"][:8] in table and "Kyiv Ledger" in table and "1 sources" in table


def test_show_prints_metadata_then_text(db, article):
    (source,) = imported(db, article)
    result = invoke("show", "--db", str(db), source["id"][:6])
    assert result.exit_code == 0
    lines = [line.rstrip() for line in result.stdout.splitlines()]
    rule = next(i for i, line in enumerate(lines) if line and set(line) == {"─"})
    metadata = dict(re.split(r"\s{2,}", line, maxsplit=1) for line in lines[:rule])
    assert metadata == {
        "id": source["id"], "title": "Ukraine urges UN members to trace recruiters", "outlet": "Kyiv Ledger",
        "published": "2024-06-15", "date as written": "2024-06-15", "precision": "day", "file": "recruiters.txt",
        "sha256": source["sha256"], "excerpts": "0", **({"language": source["language"]} if source["language"] else {}),
    }
    assert "\n".join(lines[rule + 1:]).strip() == article.read_text(encoding="utf-8").strip()
    shown = json.loads(invoke("show", "--db", str(db), "--json", source["id"]).stdout)
    assert shown["text"] == article.read_text(encoding="utf-8") and shown["excerpts"] == []
    missing = invoke("show", "--db", str(db), "nothing-like-this")
    assert one_line_error(missing) == "error: no source 'nothing-like-this' (give 4 or more characters of its id, or the exact title)"


def test_hostile_text_is_printed_inert(db, tmp_path):
    evil = tmp_path / "evil.txt"
    evil.write_text(
        "[bold]Evil[/bold] \x1b]0;pwned\x07 \x1b[31mred\n\n"
        "Body \x1b[2J clears the screen, [link=https://x.example]click[/link] and \x9b31m too.\n",
        encoding="utf-8",
    )
    (source,) = imported(db, evil)
    assert source["title"].startswith("[bold]Evil[/bold] \x1b]0;pwned")  # stored as written
    for args in (("sources",), ("show", source["id"]), ("search", "evil"), ("search", "clears")):
        result = invoke(*args, "--db", str(db))
        assert result.exit_code == 0, result.output
        out = result.stdout
        assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out
        if args[0] != "search":
            assert "[bold]Evil[/bold]" in out  # markup printed literally, not applied
            assert "␛]0;pwned␇" in out
    shown = invoke("show", source["id"], "--db", str(db)).stdout
    assert "Body ␛[2J clears the screen, [link=https://x.example]click[/link] and \ufffd31m too." in shown


# -- excerpts ----------------------------------------------------------------------------------


def test_excerpt_add_by_quote_and_its_refusals(db, article):
    (source,) = imported(db, article)
    sid = source["id"][:8]
    ambiguous = invoke("excerpt", "add", "--db", str(db), sid, "--quote", "recruiters promised")
    assert one_line_error(ambiguous) == f"error: the quote occurs 2 times in source {sid}; choose one with --occurrence 1..2"
    both = invoke("excerpt", "add", "--db", str(db), sid, "--quote", "envoy", "--start", "0", "--end", "3")
    assert one_line_error(both) == "error: give either --quote or --start/--end, not both"
    neither = invoke("excerpt", "add", "--db", str(db), sid)
    assert one_line_error(neither) == "error: give --quote TEXT, or both --start and --end"

    assert invoke("codebook", "add", "--db", str(db), "Deception", "--hotkey", "1").exit_code == 0
    added = invoke("excerpt", "add", "--db", str(db), sid, "--quote", "recruiters promised", "--occurrence", "2",
                   "--type", "Deception", "--json")
    assert added.exit_code == 0, added.output
    excerpt = json.loads(added.stdout)
    text = json.loads(invoke("show", "--db", str(db), "--json", sid).stdout)["text"]
    second = text.index("recruiters promised", text.index("recruiters promised") + 1)
    assert (excerpt["start"], excerpt["end"], excerpt["claim_types"]) == (second, second + 19, ["Deception"])
    listed = json.loads(invoke("excerpt", "list", "--db", str(db), "--json", "--type", "Deception").stdout)
    assert [e["id"] for e in listed] == [excerpt["id"]]


def test_excerpt_status_note_tag_delete_and_undo(db, article):
    (source,) = imported(db, article)
    invoke("codebook", "add", "--db", str(db), "Deception")
    excerpt = json.loads(invoke("excerpt", "add", "--db", str(db), source["id"], "--quote", "The envoy said", "--json").stdout)
    eid = excerpt["id"][:8]
    assert invoke("excerpt", "tag", "--db", str(db), eid, "Deception").stdout == f"tagged: {eid} Deception\n"
    assert invoke("excerpt", "status", "--db", str(db), eid, "accepted").stdout == f"{eid} is accepted\n"
    assert invoke("excerpt", "note", "--db", str(db), eid, "check this").stdout == f"note set on {eid}\n"
    assert invoke("excerpt", "untag", "--db", str(db), eid, "Deception").stdout == f"now: {eid} (no types)\n"
    assert invoke("excerpt", "delete", "--db", str(db), eid).stdout == f"deleted: {eid} The envoy said\n"
    assert json.loads(invoke("excerpt", "list", "--db", str(db), "--json").stdout) == []

    undone = invoke("undo", "--db", str(db))
    assert undone.stdout == f"undone: delete excerpt {eid}\n"
    (back,) = json.loads(invoke("excerpt", "list", "--db", str(db), "--json").stdout)
    assert (back["id"], back["review_status"], back["note"]) == (excerpt["id"], "accepted", "check this")
    log = json.loads(invoke("log", "--db", str(db), "--json", "--limit", "2").stdout)
    assert [entry["name"] for entry in log] == ["undo", "excerpt.delete"]


def test_undo_with_nothing_to_undo(db):
    assert invoke("init", "--db", str(db)).exit_code == 0
    assert invoke("undo", "--db", str(db)).stdout == "nothing to undo\n"


# -- codebook, claims, entities --------------------------------------------------------------------


def test_codebook_claims_and_entities(db, article):
    (source,) = imported(db, article)
    assert invoke("codebook", "load", "--db", str(db), str(SAMPLE_DATA / "codebook.toml")).exit_code == 0
    clash = invoke("codebook", "add", "--db", str(db), "deception ABOUT the job")
    assert one_line_error(clash) == "error: a claim type called 'Deception about the job' already exists"
    types = json.loads(invoke("codebook", "list", "--db", str(db), "--json").stdout)
    assert types[0]["name"] == "Deception about the job" and types[0]["hotkey"] == 1

    excerpt = json.loads(invoke("excerpt", "add", "--db", str(db), source["id"], "--quote", "The envoy said", "--json").stdout)
    claim = json.loads(invoke("claim", "add", "--db", str(db), "Recruiters made promises", "--type",
                              "Deception about the job", "--json").stdout)
    linked = invoke("claim", "link", "--db", str(db), claim["id"][:8], "--excerpt", excerpt["id"][:8])
    assert linked.stdout == f"linked: {claim['id'][:8]} now has 1 source, 1 outlet\n"
    (listed,) = json.loads(invoke("claim", "list", "--db", str(db), "--json").stdout)
    assert (listed["supporting"], listed["sources"], listed["outlets"], listed["single_outlet"]) == (1, 1, 1, True)
    shown = json.loads(invoke("claim", "show", "--db", str(db), "--json", claim["id"]).stdout)
    assert [e["quote"] for e in shown["evidence"]] == ["The envoy said"]

    person = json.loads(invoke("entity", "add", "--db", str(db), "Sergiy Kyslytsya", "--kind", "person",
                               "--alias", "Kyskytsya", "--json").stdout)
    assert invoke("entity", "link", "--db", str(db), "kyskytsya", "--excerpt", excerpt["id"], "--role", "speaker").exit_code == 0
    (entity,) = json.loads(invoke("entity", "list", "--db", str(db), "--json").stdout)
    assert (entity["id"], entity["aliases"], entity["excerpt_count"]) == (person["id"], ["Kyskytsya"], 1)
    dup = invoke("entity", "add", "--db", str(db), "sergiy kyslytsya", "--kind", "person")
    assert one_line_error(dup) == "error: there is already a person called 'Sergiy Kyslytsya'"


# -- search, stats, export ---------------------------------------------------------------------------


def test_search(db, article):
    (source,) = imported(db, article)
    hits = json.loads(invoke("search", "--db", str(db), "--json", '"trace recruiters" OR nothing').stdout)
    assert [(h["kind"], h["id"]) for h in hits] == [("source", source["id"])]
    bad = invoke("search", "--db", str(db), '"unclosed')
    assert one_line_error(bad) == "error: cannot search for '\"unclosed': a double quote is not closed"
    # Words FTS5 would refuse as they are (foo:bar, pre-deportation) are searched as phrases.
    assert invoke("search", "--db", str(db), "foo:bar").exit_code == 0
    other = invoke("search", "--db", str(db), "--", "-army")
    assert "fts5" not in one_line_error(other)


def test_search_order_newest_or_best(db):
    invoke("import", "--db", str(db), str(SAMPLE_DATA / "articles"))
    newest = json.loads(invoke("search", "--db", str(db), "--json", "--sources-only", "army").stdout)
    best = json.loads(invoke("search", "--db", str(db), "--json", "--sources-only", "--order", "best", "army").stdout)
    assert len(newest) > 2 and {h["id"] for h in newest} == {h["id"] for h in best}
    assert [h["at"] for h in newest] == sorted((h["at"] for h in newest), reverse=True)
    assert all(h["rank"] is None for h in newest)
    assert [h["rank"] for h in best] == sorted(h["rank"] for h in best)
    assert "hits, best first" in invoke("search", "--db", str(db), "--order", "best", "army").stdout
    bad = invoke("search", "--db", str(db), "--order", "oldest", "army")
    assert bad.exit_code != 0 and "oldest" in bad.output


def test_stats_json(db):
    invoke("import", "--db", str(db), str(SAMPLE_DATA / "articles"))
    invoke("codebook", "load", "--db", str(db), str(SAMPLE_DATA / "codebook.toml"))
    stats = json.loads(invoke("stats", "--db", str(db), "--json").stdout)
    assert (stats["sources"], stats["excerpts"], stats["claims"], stats["entities"]) == (10, 0, 0, 0)
    assert stats["claim_types"] == len(stats["by_claim_type"]) > 0
    assert stats["by_status"] == {"unreviewed": 0, "accepted": 0, "rejected": 0, "flagged": 0}
    assert stats["by_outlet"]["Kyiv Ledger"] == 1
    assert sum(stats["sources_by_month"].values()) == 8  # two sources have no full date
    assert "10 sources" in invoke("stats", "--db", str(db)).stdout


def test_export_csv_to_a_file(db, article, tmp_path):
    (source,) = imported(db, article)
    invoke("excerpt", "add", "--db", str(db), source["id"], "--quote", "The envoy said")
    out = tmp_path / "out.csv"
    result = invoke("export", "csv", "--db", str(db), "-o", str(out))
    assert result.exit_code == 0
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:3] == ["excerpt_id", "source_id", "source_title"] and len(rows) == 2
    assert (rows[1][1], rows[1][8]) == (source["id"], "The envoy said")


def test_source_edit(db, article):
    (source,) = imported(db, article)
    result = invoke("source", "edit", "--db", str(db), source["id"][:8], "--date", "June 2024", "--reliability", "b", "--json")
    edited = json.loads(result.stdout)
    assert (edited["published"], edited["published_raw"], edited["published_precision"], edited["reliability"]) == (
        "2024-06", "June 2024", "month", "B",
    )
    nothing = invoke("source", "edit", "--db", str(db), source["id"][:8])
    assert one_line_error(nothing).startswith("error: nothing to change: give at least one of --title")
    bad = invoke("source", "edit", "--db", str(db), source["id"][:8], "--reliability", "Z")
    assert one_line_error(bad) == "error: reliability must be one of A-F (Admiralty scale), not 'Z'"


def test_an_unexpected_error_is_one_line_without_traceback(db, monkeypatch, capsys):
    import evidence_tui.cli.misc as misc
    from evidence_tui.cli import main

    def broken(case):
        raise RuntimeError("boom [/bold] \x1b[31m")  # markup and escapes in the message stay inert

    assert invoke("init", "--db", str(db)).exit_code == 0
    monkeypatch.setattr(misc, "case_stats", broken)
    monkeypatch.setattr("sys.argv", ["evidence-tui", "stats", "--db", str(db)])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 70
    err = capsys.readouterr().err
    assert err == "evidence-tui: internal error (RuntimeError: boom [/bold] ␛[31m); set EVIDENCE_DEBUG=1 for details\n"


def test_every_filtered_command_refuses_a_date_that_is_not_one(db, article):
    imported(db, article)
    for command in (("excerpt", "list"), ("export", "csv"), ("review",), ("export", "json")):
        for bad in ("yesterday", "31/02/2024", "2024-02-30"):
            result = invoke(*command, "--db", str(db), "--from", bad)
            assert one_line_error(result) == f"error: --from '{bad}': not a date (write 2024, 2024-06 or 2024-06-15)"
    assert invoke("excerpt", "list", "--db", str(db), "--from", "2024-02", "--to", "2024").exit_code == 0


def test_help_names_the_config_file(tmp_path, monkeypatch):
    from evidence_tui.config import config_path

    result = invoke("--help")
    assert result.exit_code == 0
    assert f"Config file (optional): {config_path()}" in " ".join(result.output.split())


def test_an_older_case_file_says_it_is_being_upgraded(db, article):
    (source,) = imported(db, article)
    conn = sqlite3.connect(db)  # back to schema 4: search indexes without prefix indexes
    for table, columns, content in (("sources_fts", "title, text", "sources"), ("excerpts_fts", "quote, note", "excerpts")):
        conn.execute(f"DROP TABLE {table}")
        conn.execute(f"CREATE VIRTUAL TABLE {table} USING fts5({columns}, content='{content}', content_rowid='rowid', "
                     "tokenize='unicode61 remove_diacritics 2')")
        conn.execute(f"INSERT INTO {table}({table}) VALUES ('rebuild')")
    drop_excerpt_links(conn)  # and without schema 6's excerpt_links
    undo_later_indexes(conn)  # and the indexes of schemas 8 and 10
    conn.execute("PRAGMA user_version = 4")
    conn.commit()
    conn.close()
    first = invoke("sources", "--db", str(db), "--json")
    assert first.exit_code == 0
    assert first.stderr.startswith(f"upgrading {db} from schema 4 to {SCHEMA_VERSION} (a copy is kept;")
    assert [s["id"] for s in json.loads(first.stdout)] == [source["id"]]
    again = invoke("sources", "--db", str(db), "--json")
    assert again.exit_code == 0 and again.stderr == ""


def test_db_help_says_which_case_file_is_used_by_default():
    # The order default_db_path follows: $EVIDENCE_DB, the case last opened (or made), then case.db.
    text = " ".join(invoke("sources", "--help").stdout.split())
    assert "default: $EVIDENCE_DB, else the one last opened or made with init, else case.db in the user data folder" in text


@pytest.mark.parametrize(("args", "line"), [
    (("log", "--limit", "x"), "error: cli log: Invalid value for '--limit': 'x' is not a valid integer range (see 'cli log --help')"),
    (("export", "csv", "--bogus"), "error: cli export csv: No such option '--bogus' (see 'cli export csv --help')"),
    (("excerpt", "tag"), "error: cli excerpt tag: Missing argument 'EXCERPT' (see 'cli excerpt tag --help')"),
    (("nosuchcmd",), "error: cli: No such command 'nosuchcmd' (see 'cli --help')"),
    (("--bogus",), "error: cli: No such option '--bogus' (see 'cli --help')"),
])
def test_a_mistyped_command_option_or_value_is_one_line(args, line):
    result = invoke(*args)
    assert result.exit_code == 2
    assert result.stderr == line + "\n"
    assert result.stdout == ""


def test_a_group_given_no_command_shows_its_help_as_click_does():
    # Not squeezed into the one-line usage error: a bare `evidence-tui claim` asks for the help.
    result = invoke("claim")
    assert result.exit_code == 2
    assert "Usage: cli claim [OPTIONS] COMMAND [ARGS]..." in result.output
    assert "Commands:" in result.output and "error:" not in result.output
