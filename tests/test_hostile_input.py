"""Nothing let in: hostile and broken input, each a test.

Every bad file gets one line naming it and the problem, the exit code says so, and nothing
already in the case file changes. Text from sources reaches the terminal inert: no raw ESC, BEL
or C1 control from an article is ever written (CLI and app), and Rich markup is shown, not run.
"""

from __future__ import annotations

import asyncio
import codecs
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from evidence_tui.cli import cli
from evidence_tui.store import CaseFile
from evidence_tui.store.schema import SCHEMA_VERSION

STRESS = bool(os.environ.get("EVIDENCE_STRESS"))
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # all but tab and newline
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
CAPSH = shutil.which("capsh")


def invoke(*args: str, input: bytes | None = None):
    return CliRunner().invoke(cli, list(args), input=input)


def assert_inert(text: str) -> None:
    found = CONTROL.findall(text)
    assert not found, f"raw control characters reached the terminal: {found[:5]!r}"


def snapshot(db: Path) -> tuple:
    """Everything stored (rows of every table but the log's timestamps), to compare before/after."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = []
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%fts%' ORDER BY name"):
            rows.append((table, conn.execute(f'SELECT * FROM "{table}" ORDER BY 1').fetchall()))
        return tuple(rows)
    finally:
        conn.close()


@pytest.fixture
def db(tmp_path) -> Path:
    """A case file that already holds one source (which must never change)."""
    path = tmp_path / "case.db"
    first = tmp_path / "first.txt"
    first.write_text("Already stored\n\nEvidence that must not change.\n", encoding="utf-8")
    assert invoke("import", "--db", str(path), str(first)).exit_code == 0
    return path


def import_bytes(db: Path, tmp_path: Path, name: str | bytes, data: bytes, *extra: str):
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    path = os.path.join(os.fsencode(folder), name if isinstance(name, bytes) else os.fsencode(name))
    with open(path, "wb") as handle:
        handle.write(data)
    return invoke("import", "--db", str(db), *extra, os.fsdecode(path)), Path(os.fsdecode(path))


# -- files that are refused ----------------------------------------------------------------------

REFUSED = {
    "png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary file (PNG image), not text"),
    "pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "binary file (PDF), not text"),
    "zip": (b"PK\x03\x04\x14\x00\x06\x00" + os.urandom(64), "binary file (ZIP archive, e.g. .docx, .odt or .epub), not text"),
    "elf": (b"\x7fELF\x02\x01\x01" + bytes(100), "binary file (executable), not text"),
    "controls": (bytes(range(1, 32)) * 50, "binary file (mostly control characters), not text"),
    "empty": (b"", "empty file"),
    "whitespace": (b" \n\t\r\n   \n", "file contains only whitespace"),
    "nul": (b"Title\n\nA text with a NUL \x00 byte in it.\n", "binary file (contains NUL bytes), not text"),
    "utf16-no-bom": ("Title\n\nUTF-16 text saved without a byte-order mark.\n".encode("utf-16-le"),
                     "looks like UTF-16 without a byte-order mark; re-save as UTF-8"),
    "utf16be-no-bom": ("Title\n\nBig-endian UTF-16 without a mark.\n".encode("utf-16-be"),
                       "looks like UTF-16 without a byte-order mark; re-save as UTF-8"),
    "bad-utf8-bom": (codecs.BOM_UTF8 + b"Title\n\n\xff\xfe\xfa broken", "not valid UTF-8-SIG text despite its byte-order mark"),
    "html-without-text": (b"<!doctype html><html><head><script>alert(1)</script></head><body><iframe src=x></iframe></body></html>",
                          "no readable text in this HTML page"),
}


@pytest.mark.parametrize("kind", sorted(REFUSED))
def test_a_bad_file_is_refused_in_one_line_and_nothing_changes(db, tmp_path, kind):
    data, problem = REFUSED[kind]
    suffix = ".html" if kind.startswith("html") else ".txt"
    before = snapshot(db)
    result, path = import_bytes(db, tmp_path, f"{kind}{suffix}", data)
    assert result.exit_code == 1
    assert result.stderr == f"failed: {path}: {problem}\n"
    assert result.stdout.splitlines()[-1] == "0 imported, 0 duplicate, 1 failed"
    assert snapshot(db) == before


def test_a_50_mb_file_is_refused_before_it_is_read(db, tmp_path):
    before = snapshot(db)
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.write(b"Huge\n\n")
        handle.write(b"A line of an enormous article.\n" * (50 * 1024 * 1024 // 31))
    result = invoke("import", "--db", str(db), str(path))
    assert result.exit_code == 1
    assert result.stderr == f"failed: {path}: file is 50 MB, over the 20 MB limit (--max-size)\n"
    assert snapshot(db) == before
    if STRESS:  # allowed in, it imports whole (about 10 s: make stress only)
        assert invoke("import", "--db", str(db), "--max-size", "60", str(path)).exit_code == 0
        assert invoke("check", "--db", str(db)).exit_code == 0


def test_a_folder_of_10000_empty_files(db, tmp_path):
    folder = tmp_path / "empties"
    folder.mkdir()
    for i in range(10_000):
        (folder / f"e{i:05d}.txt").touch()
    (folder / "real.txt").write_text("The one real article\n\nSomething.\n", encoding="utf-8")
    before = snapshot(db)
    started = time.monotonic()
    result = invoke("import", "--db", str(db), str(folder))
    assert time.monotonic() - started < 60
    assert result.exit_code == 1
    errors = result.stderr.splitlines()
    assert len(errors) == 10_000 and all(line.endswith(": empty file") for line in errors)
    assert result.stdout.splitlines()[-1] == "1 imported, 0 duplicate, 10000 failed"
    before_rows, after_rows = set(dict(before)["sources"]), set(dict(snapshot(db))["sources"])
    assert before_rows <= after_rows and len(after_rows) == len(before_rows) + 1


# -- files that are imported, exactly ------------------------------------------------------------


def imported_source(db: Path, result) -> dict:
    assert result.exit_code == 0, result.output
    sources = json.loads(invoke("sources", "--db", str(db), "--json").stdout)
    newest = max(sources, key=lambda s: s["imported_at"])
    return json.loads(invoke("show", "--db", str(db), "--json", newest["id"]).stdout)


def test_crlf_and_lone_cr_become_newlines_and_the_original_is_kept(db, tmp_path):
    data = b"Line endings\r\n\r\nWindows line.\r\nOld Mac line.\rUnix line.\n"
    result, _ = import_bytes(db, tmp_path, "endings.txt", data)
    source = imported_source(db, result)
    assert source["text"] == "Line endings\n\nWindows line.\nOld Mac line.\nUnix line.\n"
    assert source["sha256"] == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("bom, codec", [
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
])
def test_byte_order_marks_are_read_and_not_kept_in_the_text(db, tmp_path, bom, codec):
    text = "Marked títle\n\nBody with ünïcode.\n"
    result, _ = import_bytes(db, tmp_path, f"bom-{codec}.txt", bom + text.encode(codec))
    source = imported_source(db, result)
    assert source["text"] == text and source["title"] == "Marked títle"


def test_invalid_utf8_is_decoded_as_a_legacy_encoding_not_refused(db, tmp_path):
    result, _ = import_bytes(db, tmp_path, "latin.txt", b"Caf\xe9 r\xe9fugi\xe9s\n\nLe pr\xe9sident a parl\xe9.\n")
    source = imported_source(db, result)
    assert source["title"] == "Café réfugiés" and "président" in source["text"]
    # Truncated and overlong UTF-8 sequences: still imported, never a crash.
    result, _ = import_bytes(db, tmp_path, "broken.txt", b"Broken \xc3\n\nover\xc0\xaflong \xe2\x82 and \xf0\x9f\x98 cut.\n")
    assert imported_source(db, result)["title"].startswith("Broken")


def test_right_to_left_combining_emoji_and_astral_characters_keep_their_offsets(db, tmp_path):
    text = (
        "שלום עולם — مرحبا بالعالم\n\n"
        "Cafe\u0301 with a combining accent, Z\u0351\u0300a\u0308lgo text, "
        "👩🏽‍⚖️ judges, 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 and 𓀀 outside the BMP; \u202eevil override\u202c here.\n"
    )
    result, _ = import_bytes(db, tmp_path, "scripts.txt", text.encode("utf-8"))
    source = imported_source(db, result)
    assert source["text"] == text  # not normalised: offsets are into exactly these code points
    for quote in ("مرحبا بالعالم", "Cafe\u0301", "👩🏽‍⚖️ judges", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 and 𓀀"):
        added = invoke("excerpt", "add", "--db", str(db), source["id"], "--quote", quote, "--json")
        assert added.exit_code == 0, added.output
        excerpt = json.loads(added.stdout)
        assert text[excerpt["start"]:excerpt["end"]] == quote == excerpt["quote"]
    exported = invoke("export", "csv", "--db", str(db)).stdout_bytes.decode("utf-8")
    assert "👩🏽‍⚖️ judges" in exported and "Cafe\u0301" in exported
    assert invoke("check", "--db", str(db)).exit_code == 0


def test_html_with_scripts_iframes_entities_and_broken_tags(db, tmp_path):
    page = (
        b"<!doctype html><html><head><title>Caf&eacute; &amp; co</title>"
        b"<script>alert('pwned')</script><style>body{display:none}</style></head><body><article>"
        b"<h1>Headline &amp; more &lt;b&gt;</h1><p>First &quot;para&quot; &#x1F600; end"
        b"<iframe src='http://evil.example'>iframe text</iframe></p>"
        b"<p>Broken <b>tag <i>nest</b> here</i> <p>unclosed <div>x<script>document.write(1)</script>"
        b"<img src=x onerror=alert(1)><p>After &#0; &bogus; entity</p></article></body></html"
    )
    result, _ = import_bytes(db, tmp_path, "page.html", page)
    source = imported_source(db, result)
    assert source["title"] == "Headline & more <b>"
    text = source["text"]
    assert "alert" not in text and "document.write" not in text and "iframe text" not in text and "display:none" not in text
    assert 'First "para" 😀' in text and "Broken tag nest here" in text and "&bogus; entity" in text


def test_one_line_of_5_mb(db, tmp_path):
    data = b"Long line\n\n" + b"word " * (1024 * 1024) + b"needle at the end"
    result, _ = import_bytes(db, tmp_path, "oneline.txt", data)
    assert result.exit_code == 0, result.output
    (source,) = [s for s in json.loads(invoke("sources", "--db", str(db), "--json").stdout) if s["title"] == "Long line"]
    added = json.loads(invoke("excerpt", "add", "--db", str(db), source["id"], "--quote", "needle at the end", "--json").stdout)
    assert added["end"] == len(data.decode())
    assert len(json.loads(invoke("search", "--db", str(db), "--json", "needle").stdout)) >= 1


# -- terminal escapes and markup -------------------------------------------------------------------

HOSTILE = (
    "[bold red]Evil[/] \x1b]0;pwned title\x07 \x1b[31mred\x1b[0m\n\n"
    "Outlet: \x1b]8;;https://evil.example\x1b\\Trusted Wire\x1b]8;;\x1b\\\n\n"
    "Body \x1b[2J\x1b[H clears the screen, \x9b31m C1 CSI, \x9d0;title\x9c OSC, bell \x07 and "
    "[link=https://x.example]click[/link] and \x1b[6n asks the terminal to answer.\n"
)


def test_escape_sequences_and_markup_are_printed_inert_by_every_command(db, tmp_path):
    result, _ = import_bytes(db, tmp_path, "evil.txt", HOSTILE.encode("utf-8"))
    assert result.exit_code == 0
    assert_inert(result.stdout + result.stderr)
    sources = json.loads(invoke("sources", "--db", str(db), "--json").stdout)
    evil = next(s for s in sources if s["title"].startswith("[bold red]Evil"))
    invoke("codebook", "add", "--db", str(db), "\x1b]0;type\x07 [b]Type[/b]")
    added = invoke("excerpt", "add", "--db", str(db), evil["id"], "--quote", "clears the screen, \x9b31m C1 CSI",
                   "--type", "\x1b]0;type\x07 [b]Type[/b]", "--note", "note \x1b[31m [i]x[/i]")
    assert added.exit_code == 0, added.output
    assert_inert(added.stdout)
    outputs = {}
    for args in (
        ("sources",), ("show", evil["id"]), ("search", "clears"), ("search", "evil"), ("excerpt", "list"),
        ("codebook", "list"), ("stats",), ("log",), ("excerpt", "add", evil["id"], "--quote", "\x1b[31mnot there"),
        ("show", "\x1b]0;no such\x07"), ("check",),
    ):
        out = invoke(*args, "--db", str(db))
        outputs[args] = out.stdout
        assert_inert(out.stdout + out.stderr)
    shown = outputs[("show", evil["id"])]
    assert "[bold red]Evil[/]" in shown and "␛]0;pwned title␇" in shown
    assert "[link=https://x.example]click[/link]" in shown
    assert "[b]Type[/b]" in outputs[("codebook", "list")]
    # JSON escapes C0 controls; C1 controls are text to a JSON parser and come out as written.
    assert "\\u001b]0;pwned" in invoke("sources", "--db", str(db), "--json").stdout


def test_escape_sequences_are_inert_in_the_app(db, tmp_path):
    from evidence_tui.domain import sources as sources_domain
    from evidence_tui.tui.app import EvidenceApp
    from evidence_tui.tui.screens.reader import ReaderScreen
    from tests.tui_util import settle

    result, _ = import_bytes(db, tmp_path, "evil.txt", HOSTILE.encode("utf-8"))
    assert result.exit_code == 0
    # Hostile names everywhere the other screens show them: a claim type, an excerpt, a claim, an entity.
    hostile_name = "\x1b]0;type\x07 [b]Type[/b] \x9b31m"
    sources = json.loads(invoke("sources", "--db", str(db), "--json").stdout)
    evil_id = next(s["id"] for s in sources if s["title"].startswith("[bold red]"))
    assert invoke("codebook", "add", "--db", str(db), hostile_name).exit_code == 0
    excerpt = json.loads(invoke("excerpt", "add", "--db", str(db), evil_id, "--quote", "Body \x1b[2J\x1b[H clears",
                                "--type", hostile_name, "--note", "\x1b[31m note", "--json").stdout)
    claim = json.loads(invoke("claim", "add", "--db", str(db), "Claim \x1b]0;x\x07 [i]it[/i]", "--json").stdout)
    assert invoke("claim", "link", "--db", str(db), claim["id"], "--excerpt", excerpt["id"]).exit_code == 0
    assert invoke("entity", "add", "--db", str(db), "Ent \x1b[5m [u]ity[/u]", "--kind", "person").exit_code == 0

    def screen_text(app) -> str:
        update = app.screen._compositor.render_update(full=True)
        return "\n".join("".join(segment.text for segment in strip) for strip in update.strips)

    async def run():
        case = CaseFile.open(db, actor="tester")
        evil = next(s for s in sources_domain.list_sources(case) if s.title.startswith("[bold red]"))
        app = EvidenceApp(case)
        async with app.run_test(size=(160, 50)) as pilot:
            await settle(app, pilot)
            library = screen_text(app)
            assert_inert(library)
            assert "[bold red]Evil[/]" in library
            app.push_screen(ReaderScreen(evil.id))
            await settle(app, pilot)
            reader = screen_text(app)
            assert_inert(reader)
            assert "[link=https://x.example]click[/link]" in reader
            await pilot.press("escape")
            for key in ("f2", "f3", "f4", "f5"):
                await pilot.press(key)
                await settle(app, pilot)
                assert_inert(screen_text(app))
        case.close()

    asyncio.run(run())


# -- file names, links, permissions --------------------------------------------------------------


def test_file_names_with_spaces_newlines_and_bytes_that_are_not_utf8(db, tmp_path):
    folder = tmp_path / "names"
    folder.mkdir()
    names = [b"with space.txt", b"new\nline.txt", b"bad\xff\xfe.txt", b"tab\there.txt", b"esc\x1b[31m.txt"]
    for i, name in enumerate(names):
        with open(os.path.join(os.fsencode(folder), name), "wb") as handle:
            handle.write(f"Article {i}\n\nBody {i}.\n".encode())
    with open(os.path.join(os.fsencode(folder), b"empty\xff.txt"), "wb"):
        pass
    result = invoke("import", "--db", str(db), str(folder))
    assert result.exit_code == 1, result.output
    assert_inert(result.stdout + result.stderr)
    assert result.stderr == f"failed: {folder}/empty\ufffd.txt: empty file\n"
    assert result.stdout.splitlines()[-1] == "5 imported, 0 duplicate, 1 failed"
    stored = {s["file_name"] for s in json.loads(invoke("sources", "--db", str(db), "--json").stdout)}
    assert {"with space.txt", "new\nline.txt", "bad\ufffd\ufffd.txt", "tab\there.txt", "esc\x1b[31m.txt"} <= stored
    assert_inert(invoke("sources", "--db", str(db)).stdout)
    again = invoke("import", "--db", str(db), "--json", str(folder))
    assert json.loads(again.stdout)["duplicates"] == 5


def test_symlink_loops_end_and_each_file_is_read_once(db, tmp_path):
    folder = tmp_path / "loops"
    (folder / "a").mkdir(parents=True)
    (folder / "a" / "story.txt").write_text("Looped story\n\nOnce only.\n", encoding="utf-8")
    (folder / "a" / "up").symlink_to(folder)
    (folder / "self").symlink_to(folder / "self")  # a link to itself
    (folder / "self.txt").symlink_to(folder / "self.txt")
    (folder / "alias.txt").symlink_to(folder / "a" / "story.txt")
    result = invoke("import", "--db", str(db), "--json", str(folder))
    data = json.loads(result.stdout)
    assert (data["imported"], data["duplicates"]) == (1, 0), data
    assert result.exit_code in (0, 1)
    assert all("\n" not in f["message"] for f in data["files"])


def run_cli_unprivileged(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the CLI in a subprocess that file permissions apply to (root drops its overrides)."""
    command = [sys.executable, "-m", "evidence_tui", *args]
    if IS_ROOT:
        command = [CAPSH, "--drop=cap_dac_override,cap_dac_read_search", "--", "-c",
                   " ".join(_shell_quote(part) for part in command)]
    return subprocess.run(command, capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=60)


def _shell_quote(part: str) -> str:
    import shlex

    return shlex.quote(part)


needs_permissions = pytest.mark.skipif(IS_ROOT and not CAPSH, reason="running as root without capsh to drop privileges")


@needs_permissions
def test_an_unreadable_file_is_named_and_the_rest_imported(db, tmp_path):
    folder = tmp_path / "perm"
    folder.mkdir()
    (folder / "ok.txt").write_text("Readable\n\nFine.\n", encoding="utf-8")
    secret = folder / "secret.txt"
    secret.write_text("Secret\n\nNo.\n", encoding="utf-8")
    secret.chmod(0)
    result = run_cli_unprivileged("import", "--db", str(db), str(folder))
    assert result.returncode == 1, result.stderr
    assert result.stderr == f"failed: {secret}: permission denied\n"
    assert result.stdout.splitlines()[-1] == "1 imported, 0 duplicate, 1 failed"


@needs_permissions
def test_a_read_only_case_file_reads_and_refuses_writes_in_one_line(db, tmp_path):
    CaseFile.open(db).close()  # checkpointed: no WAL left
    db.chmod(0o400)
    before = db.read_bytes()
    listed = run_cli_unprivileged("sources", "--db", str(db), "--json")
    assert listed.returncode == 0, listed.stderr
    assert [s["title"] for s in json.loads(listed.stdout)] == ["Already stored"]
    written = run_cli_unprivileged("codebook", "add", "--db", str(db), "New type")
    assert written.returncode == 1
    assert written.stderr == f"error: {db}: the case file is read-only\n"
    new = tmp_path / "new.txt"
    new.write_text("A new article\n\nNot yet stored.\n", encoding="utf-8")
    imported = run_cli_unprivileged("import", "--db", str(db), str(new))
    assert imported.returncode == 1 and "read-only" in imported.stderr
    db.chmod(0o600)
    assert db.read_bytes() == before


# -- case files that are not what they claim ----------------------------------------------------


def _damage(db: Path, tmp_path: Path, kind: str) -> Path:
    CaseFile.open(db).close()
    target = tmp_path / f"{kind}.db"
    data = db.read_bytes()
    if kind == "not-sqlite":
        target.write_bytes(b"These are my notes, not a database.\n" * 40)
    elif kind == "truncated":
        target.write_bytes(data[: len(data) // 3])
    elif kind == "header-only":
        target.write_bytes(data[:100])
    elif kind == "other-app":
        conn = sqlite3.connect(target)
        conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, path TEXT)")
        conn.commit()
        conn.close()
    elif kind == "newer-schema":
        target.write_bytes(data)
        conn = sqlite3.connect(target)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        conn.close()
    return target


CASE_FILE_PROBLEMS = {
    "not-sqlite": "not an evidence-tui case file (not a SQLite database)",
    "truncated": "the case file is damaged (run 'evidence-tui check')",
    "header-only": "the case file is damaged (run 'evidence-tui check')",
    "other-app": "a SQLite database, but not an evidence-tui case file",
    "newer-schema": f"written by a newer evidence-tui (schema {SCHEMA_VERSION + 1}, this version knows {SCHEMA_VERSION}); upgrade evidence-tui to open it",
}


@pytest.mark.parametrize("kind", sorted(CASE_FILE_PROBLEMS))
@pytest.mark.parametrize("command", [("sources",), ("import", "ARTICLE"), ("codebook", "add", "T"), ("backup", "OUT")])
def test_a_case_file_that_is_not_right_is_refused_untouched(db, tmp_path, kind, command):
    target = _damage(db, tmp_path, kind)
    before = target.read_bytes()
    args = [str(tmp_path / "first.txt") if a == "ARTICLE" else str(tmp_path / "out.db") if a == "OUT" else a for a in command]
    result = invoke(*args, "--db", str(target))
    assert result.exit_code == 1
    assert result.stderr == f"error: {target}: {CASE_FILE_PROBLEMS[kind]}\n"
    assert target.read_bytes() == before
    assert not (tmp_path / "out.db").exists()


def test_a_case_file_locked_by_another_process(db, monkeypatch):
    monkeypatch.setenv("EVIDENCE_BUSY_TIMEOUT_MS", "150")
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # a writer that does not let go
    try:
        started = time.monotonic()
        written = invoke("codebook", "add", "--db", str(db), "Blocked")
        assert written.exit_code == 1
        assert written.stderr == f"error: {db}: the case file is locked by another program; try again when it is done\n"
        assert time.monotonic() - started < 3
        # In WAL mode readers go on while another program writes.
        assert invoke("sources", "--db", str(db), "--json").exit_code == 0
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")  # another program holding the whole file
    holder.execute("SELECT count(*) FROM sources").fetchone()
    try:
        for args in (("sources",), ("codebook", "add", "Blocked")):
            result = invoke(*args, "--db", str(db))
            assert result.exit_code == 1
            assert result.stderr == f"error: {db}: the case file is locked by another program; try again when it is done\n"
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert json.loads(invoke("codebook", "list", "--db", str(db), "--json").stdout) == []
