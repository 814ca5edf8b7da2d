"""Encrypted case files (SQLCipher): the whole workflow, no plaintext on disk, passphrases, and
encrypt/decrypt/rekey that survive a kill at any moment."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from evidence_tui.cli import cli
from evidence_tui.domain import codebook, excerpts, integrity, review, search
from evidence_tui.domain import sources as sources_domain
from evidence_tui.domain.filters import ExcerptFilter
from evidence_tui.exporters import ExportOptions, export_to_file
from evidence_tui.store import CaseFile, crypto
from evidence_tui.store import backup as backups
from tests.conftest import SAMPLE_DATA

pytest.importorskip("sqlcipher3")

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = SAMPLE_DATA / "articles"
PASSPHRASE = "correct horse battery staple"
# A sentence of one of the sample articles, and a slice of every article's text.
MARKER = "Foreigners holding work visas, he said, had been detained"


def markers() -> list[bytes]:
    found = [MARKER.encode()]
    for article in sorted(ARTICLES.iterdir()):
        data = article.read_bytes()
        middle = len(data) // 2
        found.append(data[middle : middle + 40])
    return found


def assert_no_plaintext(path: Path) -> None:
    data = path.read_bytes()
    assert not data.startswith(b"SQLite format 3"), path
    for marker in markers():
        assert marker not in data, (path, marker)
    # Python's standard sqlite3 cannot read it.
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        with pytest.raises(sqlite3.DatabaseError):
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    finally:
        conn.close()


def invoke(*args: str, input: str | None = None, env: dict | None = None):
    return CliRunner().invoke(cli, list(args), input=input, env=env, catch_exceptions=False)


@pytest.fixture
def passfile(tmp_path) -> Path:
    path = tmp_path / "passphrase"
    path.write_text(PASSPHRASE + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path


@pytest.fixture
def plain_db(tmp_path) -> Path:
    path = tmp_path / "plain.db"
    assert invoke("import", "--db", str(path), str(ARTICLES)).exit_code == 0
    return path


def test_the_whole_workflow_on_an_encrypted_case_file_leaves_no_plaintext(tmp_path):
    path = tmp_path / "case.db"
    case = CaseFile.open(path, actor="tester", passphrase=PASSPHRASE, encrypt=True)
    try:
        assert case.encrypted
        assert case.db.conn.execute("PRAGMA temp_store").fetchone()[0] == 2  # MEMORY
        summary = sources_domain.import_paths(case, [ARTICLES])
        assert len(summary.outcomes) == 10 and all(o.status == "imported" for o in summary.outcomes)
        kyiv = next(s for s in sources_domain.list_sources(case) if "Kyslytsya" in (sources_domain.get_source(case, s.id).text or ""))
        deception = codebook.add_type(case, "Coercion or threat")
        excerpt = excerpts.add_excerpt(case, kyiv.id, quote=MARKER, types=[deception.id])
        review.decide(case, excerpt.id, "accepted")
        assert excerpts.get_excerpt(case, excerpt.id).review_status == "accepted"
        hits = search.search(case, '"choose between deportation and enlistment"')
        assert {hit.source_id for hit in hits} == {kyiv.id}
        # While the case file is open its WAL holds the latest pages: encrypted too.
        assert Path(f"{path}-wal").exists()
        assert_no_plaintext(Path(f"{path}-wal"))
        export = tmp_path / "accepted.csv"
        assert export_to_file(case, ExcerptFilter(statuses=("accepted",)), export, ExportOptions("csv")) == 1
        assert MARKER in export.read_text(encoding="utf-8")  # exports are plaintext by nature
        made = backups.backup_case(case, tmp_path / "backup.db")
        assert (made.sources, made.excerpts) == (10, 1)
        report = integrity.check_case(case)
        assert report.ok, report.problems
        # A rolling backup (the daily one, made on the next open) is encrypted too.
    finally:
        case.close()
    reopened = CaseFile.open(path, actor="tester", passphrase=PASSPHRASE)
    try:
        assert excerpts.count_excerpts(reopened) == 1
    finally:
        reopened.close()
    rolling = backups.rolling_backups(path)
    assert rolling
    for copy in [path, tmp_path / "backup.db", *rolling]:
        assert_no_plaintext(copy)
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0
    # The backup is whole and opens with the same passphrase (and only with it).
    assert backups.verify_backup(tmp_path / "backup.db", PASSPHRASE).excerpts == 1
    with pytest.raises(crypto.PassphraseNeeded):
        backups.verify_backup(tmp_path / "backup.db")


def test_cli_workflow_with_a_passphrase_file(tmp_path, passfile):
    db = tmp_path / "case.db"
    env = {"EVIDENCE_PASSPHRASE_FILE": str(passfile)}
    assert invoke("init", "--encrypt", "--db", str(db), env=env).exit_code == 0
    assert crypto.file_kind(db) == "encrypted"
    assert oct(db.stat().st_mode & 0o777) == "0o600"
    assert invoke("import", "--db", str(db), str(ARTICLES), env=env).exit_code == 0
    listed = invoke("--passphrase-file", str(passfile), "sources", "--db", str(db), "--json")
    assert listed.exit_code == 0 and MARKER not in listed.stdout and len(listed.stdout) > 100
    found = invoke("search", "--db", str(db), "--passphrase-file", str(passfile), "deportation and enlistment")
    assert found.exit_code == 0 and "1 hits" in found.stdout
    exported = invoke("export", "csv", "--db", str(db), "-o", str(tmp_path / "x.csv"), env=env)
    assert exported.exit_code == 0
    assert "plain text, not encrypted" in exported.stderr and str(tmp_path / "x.csv") in exported.stderr
    assert exported.stderr.count("not encrypted") == 1
    assert invoke("check", "--db", str(db), env=env).exit_code == 0
    assert invoke("backup", "--db", str(db), str(tmp_path / "b.db"), env=env).exit_code == 0
    assert_no_plaintext(tmp_path / "b.db")
    restored = invoke("restore", "--db", str(tmp_path / "restored.db"), str(tmp_path / "b.db"), env=env)
    assert restored.exit_code == 0, restored.stderr
    assert crypto.file_kind(tmp_path / "restored.db") == "encrypted"
    assert invoke("sources", "--db", str(tmp_path / "restored.db"), env=env).exit_code == 0


def test_the_passphrase_prompt_does_not_take_an_argument_and_asks_twice_for_a_new_one(tmp_path):
    db = tmp_path / "case.db"
    mismatch = invoke("init", "--encrypt", "--db", str(db), input="first passphrase\nother passphrase\n")
    assert mismatch.exit_code == 1 and "do not match" in mismatch.stderr
    assert crypto.file_kind(db) == "missing"
    made = invoke("init", "--encrypt", "--db", str(db), input=f"{PASSPHRASE}\n{PASSPHRASE}\n")
    assert made.exit_code == 0, made.stderr
    assert PASSPHRASE not in made.stdout + made.stderr  # not echoed
    assert invoke("sources", "--db", str(db), input=f"{PASSPHRASE}\n").exit_code == 0
    assert invoke("--passphrase", PASSPHRASE, "sources", "--db", str(db)).exit_code == 2  # no such option
    short = invoke("init", "--encrypt", "--db", str(tmp_path / "short.db"), input="short\nshort\n")
    assert short.exit_code == 1 and "at least 8 characters" in short.stderr


def test_a_wrong_passphrase_is_one_line_and_changes_nothing(tmp_path, passfile, plain_db):
    assert invoke("encrypt", "--db", str(plain_db), "--passphrase-file", str(passfile)).exit_code == 0
    wrong = tmp_path / "wrong"
    wrong.write_text("not the passphrase\n")
    before = plain_db.read_bytes()
    names = sorted(p.name for p in tmp_path.iterdir())
    for args in (("sources",), ("import", str(ARTICLES)), ("check",), ("decrypt",), ("rekey",), ("backup", str(tmp_path / "b.db"))):
        result = invoke(*args, "--db", str(plain_db), "--passphrase-file", str(wrong))
        assert result.exit_code == 1, args
        assert result.stderr == (
            f"error: {plain_db}: wrong passphrase (or not an encrypted evidence-tui case file); nothing was changed\n"
        ), args
    assert plain_db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == names
    with pytest.raises(crypto.WrongPassphrase):
        CaseFile.open(plain_db, passphrase="not the passphrase")
    with pytest.raises(crypto.PassphraseNeeded):
        CaseFile.open(plain_db)
    assert plain_db.read_bytes() == before


def test_without_the_extra_an_encrypted_file_says_how_to_get_it(tmp_path, passfile, plain_db, monkeypatch):
    assert invoke("encrypt", "--db", str(plain_db), "--passphrase-file", str(passfile)).exit_code == 0
    monkeypatch.setattr(crypto, "sqlcipher", None)
    result = invoke("sources", "--db", str(plain_db), "--passphrase-file", str(passfile))
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {plain_db}: an encrypted case file; to open it install the crypto extra: "
        "pip install 'evidence-tui[crypto]'\n"
    )


def test_encrypt_rekey_decrypt_keep_every_row(tmp_path, passfile, plain_db):
    counts = {t: sqlite3.connect(plain_db).execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("sources", "sources_fts")}
    result = invoke("encrypt", "--db", str(plain_db), "--passphrase-file", str(passfile))
    assert result.exit_code == 0 and "encrypted:" in result.stdout and "(10 sources, 0 excerpts)" in result.stdout
    assert_no_plaintext(plain_db)
    assert not Path(f"{plain_db}-wal").exists() and not Path(f"{plain_db}-shm").exists()
    again = invoke("encrypt", "--db", str(plain_db), "--passphrase-file", str(passfile))
    assert again.exit_code == 1 and "already encrypted" in again.stderr
    new = tmp_path / "new-passphrase"
    new.write_text("a different passphrase\n")
    rekeyed = invoke("rekey", "--db", str(plain_db), "--passphrase-file", str(passfile), "--new-passphrase-file", str(new))
    assert rekeyed.exit_code == 0, rekeyed.stderr
    with pytest.raises(crypto.WrongPassphrase):
        CaseFile.open(plain_db, passphrase=PASSPHRASE)
    case = CaseFile.open(plain_db, passphrase="a different passphrase")
    assert integrity.check_case(case).ok
    case.close()
    # rekey by prompt: the current passphrase, then the new one twice.
    prompted = invoke("rekey", "--db", str(plain_db), input="a different passphrase\nthird passphrase\nthird passphrase\n")
    assert prompted.exit_code == 0, prompted.stderr
    decrypted = invoke("decrypt", "--db", str(plain_db), input="third passphrase\n")
    assert decrypted.exit_code == 0, decrypted.stderr
    conn = sqlite3.connect(plain_db)
    assert {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in counts} == counts
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


def test_encrypt_refuses_a_case_file_open_in_another_program(passfile, plain_db):
    # Another program with the case file open and idle between reads, as the app is.
    holder = subprocess.Popen(
        [sys.executable, "-c", (
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], isolation_level=None); "
            "c.execute('SELECT count(*) FROM sources').fetchone(); print('ready', flush=True); sys.stdin.read()"
        ), str(plain_db)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        before = plain_db.read_bytes()
        result = invoke("encrypt", "--db", str(plain_db), "--passphrase-file", str(passfile))
        assert result.exit_code == 1
        assert result.stderr == f"error: {plain_db}: the case file is open in another program; close it, then try again\n"
        assert plain_db.read_bytes() == before
    finally:
        holder.stdin.close()
        holder.wait()
    assert invoke("encrypt", "--db", str(plain_db), "--passphrase-file", str(passfile)).exit_code == 0


def _whole(path: Path, expected: dict[str, int]) -> str:
    """Open the case file whichever it is now; check its rows; return its kind."""
    kind = crypto.file_kind(path)
    case = CaseFile.open(path, create=False, passphrase=PASSPHRASE if kind == "encrypted" else None)
    try:
        conn = case.db.conn
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in expected} == expected
        assert integrity.check_case(case).ok
    finally:
        case.close()
    return kind


def test_encrypt_killed_at_random_moments_leaves_one_readable_file(tmp_path, passfile, plain_db):
    template = tmp_path / "template.db"
    conn = sqlite3.connect(plain_db)
    expected = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("sources", "sources_fts", "operations")}
    conn.backup(dest := sqlite3.connect(template))
    dest.close()
    conn.close()
    env = {**os.environ, "EVIDENCE_PASSPHRASE_FILE": str(passfile)}
    command = [sys.executable, "-m", "evidence_tui", "encrypt", "--db"]
    # How long a whole run takes, to spread the kills over it.
    target = tmp_path / "run.db"
    dest = sqlite3.connect(target)
    sqlite3.connect(template).backup(dest)
    dest.close()
    started = time.monotonic()
    timed = subprocess.Popen([*command, str(target)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    converting = None
    while timed.poll() is None:
        if converting is None and list(tmp_path.glob(f".{target.name}.convert*")):
            converting = time.monotonic()
        time.sleep(0.001)
    assert timed.returncode == 0
    duration = time.monotonic() - started
    # How long the conversion itself takes, from the encrypted copy's creation to the end.
    window = time.monotonic() - (converting or started)
    rng = random.Random(8)
    kinds = []
    for round_ in range(10):
        target.unlink()
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        dest = sqlite3.connect(target)
        sqlite3.connect(template).backup(dest)
        dest.close()
        process = subprocess.Popen([*command, str(target)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if round_ % 2:
            # Anywhere in the run (most of it is Python starting).
            time.sleep(rng.uniform(0.3, 1.1) * duration)
        else:
            # In the conversion itself: once the encrypted copy has been started beside the file.
            deadline = time.monotonic() + 10
            while not list(tmp_path.glob(f".{target.name}.convert*")) and process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.001)
            time.sleep(rng.uniform(0, 1.1) * window)
        process.send_signal(signal.SIGKILL)
        process.wait()
        kinds.append(_whole(target, expected))
        # Whatever a killed run left beside the file is encrypted, never a plaintext copy.
        for leftover in tmp_path.glob(f".{target.name}.convert*"):
            if leftover.stat().st_size:
                assert_no_plaintext(leftover)
    # Encrypting again (after a kill left it plain) completes and cleans up.
    if crypto.file_kind(target) == "plain":
        assert subprocess.run([*command, str(target)], env=env, capture_output=True).returncode == 0
    assert _whole(target, expected) == "encrypted"
    assert not list(tmp_path.glob(f".{target.name}.convert*"))
    assert len(kinds) == 10


def test_the_passphrase_dialog_asks_again_after_a_wrong_one(tmp_path):
    from evidence_tui.tui.screens.passphrase import PassphraseApp

    path = tmp_path / "case.db"
    CaseFile.open(path, passphrase=PASSPHRASE, encrypt=True).close()
    before = path.read_bytes()

    async def run() -> str | None:
        app = PassphraseApp(path)
        async with app.run_test(size=(80, 20)) as pilot:
            await pilot.pause()
            await pilot.press(*"wrong passphrase", "enter")
            for _ in range(50):
                await app.workers.wait_for_complete()
                await pilot.pause()
                message = str(app.screen.query_one("#passphrase-message").render())
                if "Wrong" in message:
                    break
            assert "Wrong passphrase; try again" in message
            field = app.screen.query_one("#passphrase-input")
            assert field.password and field.value == ""
            await pilot.press(*PASSPHRASE, "enter")
            for _ in range(50):
                await app.workers.wait_for_complete()
                await pilot.pause()
                if app.return_value is not None:
                    break
        return app.return_value

    assert asyncio.run(run()) == PASSPHRASE
    assert path.read_bytes() == before

    async def escape() -> str | None:
        app = PassphraseApp(path)
        async with app.run_test(size=(80, 20)) as pilot:
            await pilot.pause()
            await pilot.press("escape")
            await pilot.pause()
        return app.return_value

    assert asyncio.run(escape()) is None
