"""Backups: `evidence-tui backup` (online, verified, owner-only, atomic), `restore` (verified,
refuses an open case file), and the rolling backups made before migrations and once a day."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import stat
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from evidence_tui.cli import cli
from evidence_tui.config import data_dir
from evidence_tui.domain import codebook as codebook_domain
from evidence_tui.store import CaseFile
from evidence_tui.store import backup as backups
from evidence_tui.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

SAMPLE_DATA = Path(__file__).resolve().parent.parent / "sample_data"


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def count(path: Path, table: str = "sources") -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "case.db"
    assert invoke("import", "--db", str(path), str(SAMPLE_DATA / "articles")).exit_code == 0
    return path


# -- backup ----------------------------------------------------------------------------------


def test_backup_writes_a_verified_private_copy(db, tmp_path):
    target = tmp_path / "out" / "copy.db"
    target.parent.mkdir()
    result = invoke("backup", "--db", str(db), str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"backed up: {target} (10 sources, 0 excerpts)\n"
    assert mode(target) == 0o600
    assert count(target) == 10
    assert backups.verify_backup(target).sources == 10
    # Only the copy: no temporary file, journal or WAL beside it.
    assert sorted(p.name for p in target.parent.iterdir()) == ["copy.db"]


def test_backup_into_a_folder_names_the_copy_by_time(db, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    result = invoke("backup", "--db", str(db), str(folder), "--json")
    made = Path(json.loads(result.stdout)["path"])
    assert made.parent == folder and made.name.startswith("case-") and made.name.endswith("-backup.db")


def test_backup_into_a_folder_not_there_yet_makes_it(db, tmp_path):
    # "backup ~/backups/" (the help's example) with no such folder: a folder, not a file named so.
    folder = tmp_path / "new" / "backups"
    result = invoke("backup", "--db", str(db), str(folder) + "/", "--json")
    assert result.exit_code == 0, result.output
    made = Path(json.loads(result.stdout)["path"])
    assert folder.is_dir() and made.parent == folder and count(made) == 10
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_backup_refuses_to_overwrite_without_force_and_never_the_case_file(db, tmp_path):
    target = tmp_path / "copy.db"
    target.write_bytes(b"precious")
    refused = invoke("backup", "--db", str(db), str(target))
    assert refused.exit_code == 1
    assert refused.stderr == f"error: {target}: already exists (add --force to replace it)\n"
    assert target.read_bytes() == b"precious"
    assert invoke("backup", "--db", str(db), str(target), "--force").exit_code == 0
    assert count(target) == 10 and mode(target) == 0o600
    itself = invoke("backup", "--db", str(db), str(db), "--force")
    assert "is the case file itself" in itself.stderr and itself.exit_code == 1


def test_backup_of_a_missing_case_file_creates_nothing(tmp_path):
    result = invoke("backup", "--db", str(tmp_path / "none.db"), str(tmp_path / "copy.db"))
    assert result.exit_code == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_backup_is_consistent_while_another_thread_writes(db, tmp_path):
    """The online backup reads one snapshot: a writer going on meanwhile never tears it."""
    stop = threading.Event()
    errors: list[BaseException] = []

    def writer() -> None:
        case = CaseFile.open(db, actor="writer")
        try:
            i = 0
            while not stop.is_set():
                codebook_domain.add_type(case, f"type {i}")
                i += 1
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            case.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        for i in range(5):
            target = tmp_path / f"copy{i}.db"
            assert invoke("backup", "--db", str(db), str(target)).exit_code == 0
            assert backups.verify_backup(target).sources == 10
    finally:
        stop.set()
        thread.join()
    assert errors == []


def test_backup_while_the_app_is_open_and_writing(db, tmp_path):
    from evidence_tui.tui.app import EvidenceApp
    from tests.tui_util import settle

    target = tmp_path / "during-app.db"

    async def run():
        case = CaseFile.open(db, actor="tester")
        app = EvidenceApp(case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            app.db.submit(codebook_domain.add_type, "Made in the app")
            result = invoke("backup", "--db", str(db), str(target))
            assert result.exit_code == 0, result.output
            await settle(app, pilot)
        case.close()

    asyncio.run(run())
    assert backups.verify_backup(target).sources == 10


# -- restore ---------------------------------------------------------------------------------


def test_restore_replaces_the_case_file_with_force_keeping_the_old_one(db, tmp_path):
    copy = tmp_path / "copy.db"
    assert invoke("backup", "--db", str(db), str(copy)).exit_code == 0
    assert invoke("codebook", "add", "--db", str(db), "Added after the backup").exit_code == 0
    refused = invoke("restore", "--db", str(db), str(copy))
    assert refused.exit_code == 1 and "already exists; add --force" in refused.stderr
    assert count(db, "claim_types") == 1

    result = invoke("restore", "--db", str(db), str(copy), "--force")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"restored: {db} from {copy} (10 sources, 0 excerpts)\n"
    assert count(db, "claim_types") == 0 and count(db) == 10
    assert mode(db) == 0o600
    assert invoke("check", "--db", str(db)).exit_code == 0
    # The replaced file was kept: nothing is lost by a restore.
    kept = [p for p in backups.rolling_backups(db) if "before-restore" in p.name]
    assert len(kept) == 1 and count(kept[0], "claim_types") == 1
    listed = invoke("restore", "--db", str(db), "--list").stdout
    assert str(kept[0]) in listed
    missing = invoke("restore", "--db", str(db))
    assert missing.exit_code == 1 and "give the backup file to restore" in missing.output
    assert not [p for p in tmp_path.iterdir() if ".evidence-tmp-" in p.name]


def test_restore_to_a_new_path_needs_no_force(db, tmp_path):
    copy = tmp_path / "copy.db"
    invoke("backup", "--db", str(db), str(copy))
    fresh = tmp_path / "restored.db"
    assert invoke("restore", "--db", str(fresh), str(copy)).exit_code == 0
    assert count(fresh) == 10 and mode(fresh) == 0o600


def test_restore_refuses_while_the_case_file_is_open(db, tmp_path):
    copy = tmp_path / "copy.db"
    invoke("backup", "--db", str(db), str(copy))
    before = db.read_bytes()
    case = CaseFile.open(db, actor="app")  # as the app holds it
    case.db.conn.execute("SELECT count(*) FROM sources").fetchone()
    try:
        result = invoke("restore", "--db", str(db), str(copy), "--force")
        assert result.exit_code == 1
        assert result.stderr == f"error: {db}: the case file is open in another program; close it, then restore\n"
    finally:
        case.close()
    assert db.read_bytes() == before


@pytest.mark.parametrize(
    "content, message",
    [
        (b"not a database at all" * 10, "not a case file backup (not a whole SQLite database)"),
        (b"SQLite format 3\x00" + b"\x00" * 50, "not a case file backup (not a whole SQLite database)"),
        ("other-app", "a SQLite database, but not an evidence-tui case file"),
        ("truncated", "the backup is damaged"),
        ("newer", "written by a newer evidence-tui"),
    ],
)
def test_restore_verifies_the_backup_before_touching_anything(db, tmp_path, content, message):
    bad = tmp_path / "bad.db"
    if content == "other-app":
        conn = sqlite3.connect(bad)
        conn.execute("CREATE TABLE notes (x)")
        conn.commit()
        conn.close()
    elif content in ("truncated", "newer"):
        invoke("backup", "--db", str(db), str(bad))
        if content == "truncated":
            data = bad.read_bytes()
            bad.write_bytes(data[: len(data) // 2])
        else:
            conn = sqlite3.connect(bad)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
            conn.close()
    else:
        bad.write_bytes(content)
    before = db.read_bytes()
    result = invoke("restore", "--db", str(db), str(bad), "--force")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {bad}: {message}"), result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert db.read_bytes() == before


def test_restore_over_a_damaged_case_file_keeps_its_bytes(db, tmp_path):
    copy = tmp_path / "copy.db"
    invoke("backup", "--db", str(db), str(copy))
    db.write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)
    assert invoke("restore", "--db", str(db), str(copy), "--force").exit_code == 0
    assert count(db) == 10
    (raw,) = [p for p in backups.rolling_backups(db) if p.name.endswith("-raw.db")]
    assert raw.read_bytes() == b"SQLite format 3\x00" + b"\xff" * 5000


# -- rolling backups ---------------------------------------------------------------------------


def test_no_backup_of_a_file_created_just_now(tmp_path):
    case = CaseFile.open(tmp_path / "new.db")
    case.close()
    assert backups.rolling_backups(tmp_path / "new.db") == []


def test_a_daily_backup_on_open_once_a_day_keeping_five(db):
    # The import made the file; the first open after that backs it up, the next ones do not.
    CaseFile.open(db).close()
    CaseFile.open(db).close()
    (first,) = backups.rolling_backups(db)
    assert "-daily" in first.name and mode(first) == 0o600 and count(first) == 10
    assert mode(data_dir()) == 0o700 and mode(first.parent) == 0o700
    case = CaseFile.open(db)
    try:
        import time

        now = time.time()
        for day in range(1, 8):
            assert backups.daily_backup(case, now=now + day * backups.DAILY_SECONDS + 1) is not None
        assert backups.daily_backup(case, now=now + 7 * backups.DAILY_SECONDS + 60) is None
    finally:
        case.close()
    kept = backups.rolling_backups(db)
    assert len(kept) == backups.KEEP_ROLLING
    assert first not in kept  # the oldest went first


def test_no_automatic_backup_of_a_read_only_case_file(db, monkeypatch):
    monkeypatch.setattr(CaseFile, "read_only", property(lambda self: True))
    CaseFile.open(db).close()
    assert backups.rolling_backups(db) == []


def test_a_failed_automatic_backup_never_stops_the_case_file_opening(db, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backups, "backup_case", broken)
    case = CaseFile.open(db)
    try:
        assert case.backup_warning == "automatic backup failed: no space left on device"
        assert case.db.conn.execute("SELECT count(*) FROM sources").fetchone()[0] == 10
    finally:
        case.close()


def test_a_backup_before_every_migration(tmp_path):
    old = tmp_path / "old.db"
    conn = sqlite3.connect(old, isolation_level=None)
    MIGRATIONS[0](conn)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 1")
    conn.execute(
        "INSERT INTO claim_types (id, name, created_at, updated_at) VALUES ('a' || hex(randomblob(15)), 'Old type', 'x', 'x')"
    )
    conn.close()
    case = CaseFile.open(old)
    try:
        assert case.db.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        case.close()
    (kept,) = backups.rolling_backups(old)
    assert "-before-migration-v1" in kept.name
    conn = sqlite3.connect(f"file:{kept}?mode=ro", uri=True)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert conn.execute("SELECT name FROM claim_types").fetchall() == [("Old type",)]
    conn.close()
