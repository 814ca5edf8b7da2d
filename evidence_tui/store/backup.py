"""Backups of a case file: online copies, verified, owner-only, replaced atomically.

``backup_case`` copies a case file with SQLite's online backup API, which reads one consistent
snapshot: it is safe while the app (or an import) has the file open and writing. The copy is
written to a temporary file next to the target, checked (``integrity_check``, application id),
flushed to disk and only then renamed into place, so a crash never leaves a half backup under
the target's name. ``restore_case`` does the same in the other direction and refuses to replace a
case file that another program has open.

Rolling backups: ``CaseFile.open`` calls ``backup_before_migration`` before it changes the schema
of a file that holds data, and ``daily_backup`` at most once a day; both keep the newest
``KEEP_ROLLING`` copies per case file in ``<user data dir>/backups/``. They are best effort: a
failure is noted in ``case.backup_warning`` and never stops the case file from opening.

A backup of an encrypted case file is encrypted with the same passphrase (the backup API copies
pages through SQLCipher: decrypted from the case file, encrypted again into the copy); verifying
or restoring it needs that passphrase.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from evidence_tui.errors import CaseFileError
from evidence_tui.store import crypto
from evidence_tui.store.schema import APPLICATION_ID, SCHEMA_VERSION

if TYPE_CHECKING:
    from evidence_tui.store.casefile import CaseFile

SQLITE_HEADER = b"SQLite format 3\x00"
KEEP_ROLLING = 5
DAILY_SECONDS = 24 * 60 * 60
# One step: the copy is one read snapshot (in WAL mode writers go on meanwhile); copying in
# smaller steps would restart from scratch after every write by another connection.
_PAGES_PER_STEP = -1
_TEMP_MARK = ".evidence-tmp-"


@dataclass(frozen=True)
class BackupInfo:
    """A verified backup: where it is and what it holds."""

    path: Path
    size: int
    schema_version: int
    sources: int
    excerpts: int


# -- small file helpers ------------------------------------------------------------------------


def _private_temp(folder: Path, stem: str) -> Path:
    """Create an empty owner-only file in ``folder`` (same file system as the target) and return it."""
    for attempt in range(100):
        candidate = folder / f".{stem}{_TEMP_MARK}{os.getpid()}-{time.monotonic_ns()}-{attempt}"
        try:
            fd = os.open(candidate, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            continue
        os.close(fd)
        return candidate
    raise OSError(f"cannot create a temporary file in {folder}")


def _remove_quietly(path: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        try:
            os.unlink(f"{path}{suffix}")
        except OSError:
            pass


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _problem(error: BaseException) -> str:
    if isinstance(error, OSError):
        return (error.strerror or str(error)).lower()
    return str(error)


# -- copying and verifying ---------------------------------------------------------------------


def _copy_into(source: sqlite3.Connection, target: Path, passphrase: str | None = None) -> None:
    """Copy the database behind ``source`` into the (empty) file ``target`` with the backup API.

    With ``passphrase`` (``source`` is then a SQLCipher connection keyed with it) the copy is
    encrypted with the same passphrase.
    """
    dest = crypto.connect(str(target), passphrase, display=target)
    try:
        source.backup(dest, pages=_PAGES_PER_STEP)
        # The copy is a self-contained file: no WAL beside it until someone opens it for writing.
        dest.execute("PRAGMA journal_mode = DELETE")
    finally:
        dest.close()


def verify_backup(path: str | os.PathLike, passphrase: str | None = None) -> BackupInfo:
    """Check that ``path`` is a whole evidence-tui case file this version can open; raise otherwise.

    Opens the file read-only (nothing is written to it, no WAL is made) and runs SQLite's
    ``integrity_check``; checks the application id and the schema version. An encrypted backup
    needs its ``passphrase`` (``crypto.PassphraseNeeded`` without it).
    """
    path = Path(path)
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError as error:
        raise CaseFileError(f"{path}: cannot read the backup ({_problem(error)})") from None
    encrypted = len(header) >= 100 and not header.startswith(SQLITE_HEADER) and crypto.is_encrypted(path)
    if encrypted:
        crypto.require(path)
        if passphrase is None:
            raise crypto.PassphraseNeeded(f"{path}: an encrypted backup; a passphrase is needed to read it")
    elif len(header) < 100 or not header.startswith(SQLITE_HEADER):
        raise CaseFileError(f"{path}: not a case file backup (not a whole SQLite database)")
    # immutable=1: read the file as it is, without locks, -shm or -wal files.
    uri = "file:" + _uri_path(path) + "?mode=ro&immutable=1"
    try:
        conn = crypto.connect(uri, passphrase if encrypted else None, uri=True, display=path)
    except crypto.Error as error:
        raise CaseFileError(f"{path}: cannot open the backup ({error})") from None
    try:
        application_id = conn.execute("PRAGMA application_id").fetchone()[0]
        if application_id != APPLICATION_ID:
            raise CaseFileError(f"{path}: a SQLite database, but not an evidence-tui case file")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise CaseFileError(
                f"{path}: written by a newer evidence-tui (schema {version}, this version knows {SCHEMA_VERSION})"
            )
        result = [row[0] for row in conn.execute("PRAGMA integrity_check(20)")]
        if result != ["ok"]:
            raise CaseFileError(f"{path}: the backup is damaged ({result[0]})")
        sources = conn.execute("SELECT count(*) FROM sources").fetchone()[0]
        excerpts = conn.execute("SELECT count(*) FROM excerpts").fetchone()[0]
    except crypto.DatabaseError as error:
        raise CaseFileError(f"{path}: the backup is damaged ({error})") from None
    finally:
        conn.close()
    return BackupInfo(path, path.stat().st_size, version, sources, excerpts)


def _uri_path(path: Path) -> str:
    from urllib.parse import quote

    return quote(str(path.resolve()), safe="/")


def backup_case(case: CaseFile, target: str | os.PathLike, *, overwrite: bool = False) -> BackupInfo:
    """Write a verified copy of the open case file to ``target`` (a file, or a folder to put it in).

    Safe while other programs read and write the case file. The copy is owner-only (0600) and
    appears under its name only once complete and checked. Raises ``CaseFileError``.
    """
    target = Path(target).expanduser()
    if target.is_dir():
        target = target / default_backup_name(case.path)
    if target.exists():
        if _same_file(target, case.path):
            raise CaseFileError(f"{target}: is the case file itself; choose another path for the backup")
        if not overwrite:
            raise CaseFileError(f"{target}: already exists (add --force to replace it)")
        if not target.is_file():
            raise CaseFileError(f"{target}: not a regular file; choose another path for the backup")
    folder = target.parent
    if not folder.is_dir():
        raise CaseFileError(f"{folder}: no such folder for the backup")
    try:
        temp = _private_temp(folder, target.name)
    except OSError as error:
        raise CaseFileError(f"{target}: cannot write the backup ({_problem(error)})") from None
    try:
        _copy_into(case.db.conn, temp, case._passphrase)
        info = verify_backup(temp, case._passphrase)
        _fsync_file(temp)
        os.replace(temp, target)
        _fsync_dir(folder)
    except crypto.Error as error:
        _remove_quietly(temp)
        from evidence_tui.store.casefile import _describe_sqlite_error

        raise CaseFileError(f"{target}: cannot write the backup ({_describe_sqlite_error(error)})") from None
    except OSError as error:
        _remove_quietly(temp)
        raise CaseFileError(f"{target}: cannot write the backup ({_problem(error)})") from None
    except BaseException:
        _remove_quietly(temp)
        raise
    return BackupInfo(target, info.size, info.schema_version, info.sources, info.excerpts)


def default_backup_name(case_path: Path, reason: str = "backup") -> str:
    """``<case stem>-<UTC time>-<reason>.db``: names that sort in time order."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", case_path.stem) or "case"
    return f"{stem}-{stamp}-{reason}.db"


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


# -- restoring ---------------------------------------------------------------------------------


def is_in_use(path: Path, timeout_ms: int = 200, passphrase: str | None = None) -> bool:
    """True when another connection (this process or another) has the case file open or locked.

    An encrypted case file needs its ``passphrase`` (without it the answer is True: unknown).
    """
    if not path.exists():
        return False
    # Another process with the file open, even idle between reads, holds its -shm lock.
    if crypto.in_use_by_another_process(path):
        return True
    encrypted = crypto.is_encrypted(path)
    if encrypted and passphrase is None:
        return True
    try:
        conn = crypto.connect(str(path), passphrase if encrypted else None, timeout=timeout_ms / 1000, display=path)
    except (*crypto.Error, CaseFileError):
        return True
    try:
        # In exclusive locking mode the first transaction needs the whole file to itself: it
        # fails while any other connection, even an idle WAL reader, has it open.
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("ROLLBACK")
        return False
    except crypto.OperationalError as error:
        # Locked or busy: someone has it. Anything else ("file is not a database"): a damaged
        # file nobody could have open as a case file.
        lowered = str(error).lower()
        return "locked" in lowered or "busy" in lowered
    except crypto.DatabaseError:
        return False
    finally:
        conn.close()


def restore_case(
    backup: str | os.PathLike, target: str | os.PathLike, *, force: bool = False, passphrase: str | None = None
) -> BackupInfo:
    """Replace the case file ``target`` with the verified backup ``backup``; raise ``CaseFileError``.

    Refuses when ``target`` is open in another program (the app, an import), and when it exists
    unless ``force``; then the replaced file is first kept as a rolling backup. The new file is
    written beside the target, checked, flushed and renamed over it in one step. An encrypted
    backup needs its ``passphrase`` and is restored encrypted with it.
    """
    backup, target = Path(backup).expanduser(), Path(target).expanduser()
    if not backup.is_file():
        raise CaseFileError(f"{backup}: no such backup file")
    if target.exists() and _same_file(backup, target):
        raise CaseFileError(f"{backup}: is the case file itself")
    if not crypto.is_encrypted(backup):
        passphrase = None
    info = verify_backup(backup, passphrase)
    if target.is_dir():
        raise CaseFileError(f"{target}: is a folder, not a case file")
    folder = target.parent
    if not folder.is_dir():
        raise CaseFileError(f"{folder}: no such folder for the case file")
    if target.exists():
        if not force:
            raise CaseFileError(
                f"{target}: already exists; add --force to replace it with the backup "
                "(it is kept as a rolling backup first)"
            )
        if is_in_use(target, passphrase=passphrase):
            raise CaseFileError(f"{target}: the case file is open in another program; close it, then restore")
        _keep_replaced(target, passphrase)
    try:
        temp = _private_temp(folder, target.name)
    except OSError as error:
        raise CaseFileError(f"{target}: cannot restore ({_problem(error)})") from None
    try:
        source = crypto.connect(
            "file:" + _uri_path(backup) + "?mode=ro&immutable=1", passphrase, uri=True, display=backup
        )
        try:
            _copy_into(source, temp, passphrase)
        finally:
            source.close()
        verify_backup(temp, passphrase)
        _fsync_file(temp)
        if target.exists() and is_in_use(target, passphrase=passphrase):
            raise CaseFileError(f"{target}: the case file is open in another program; close it, then restore")
        # The old file's WAL and shared-memory index belong to it, never to the restored copy.
        for suffix in ("-wal", "-shm"):
            try:
                os.unlink(f"{target}{suffix}")
            except FileNotFoundError:
                pass
        os.replace(temp, target)
        _fsync_dir(folder)
    except crypto.Error as error:
        _remove_quietly(temp)
        raise CaseFileError(f"{target}: cannot restore ({error})") from None
    except OSError as error:
        _remove_quietly(temp)
        raise CaseFileError(f"{target}: cannot restore ({_problem(error)})") from None
    except BaseException:
        _remove_quietly(temp)
        raise
    return BackupInfo(target, target.stat().st_size, info.schema_version, info.sources, info.excerpts)


def _keep_replaced(target: Path, passphrase: str | None = None) -> Path:
    """Keep the case file about to be replaced in its rolling folder; raise if that is impossible.

    A readable database is copied with the backup API; a damaged one (the usual reason to
    restore), or an encrypted one the passphrase does not open, byte for byte, with its WAL, so
    nothing is ever lost by a restore (and nothing encrypted is kept in plaintext).
    """
    try:
        folder = rolling_folder(target)
        temp = _private_temp(folder, "replaced")
    except OSError as error:
        raise CaseFileError(f"{target}: cannot keep a copy before replacing it ({_problem(error)}); nothing was changed") from None
    kept = folder / default_backup_name(target, "before-restore")
    try:
        key = passphrase if crypto.is_encrypted(target) else None
        if crypto.is_encrypted(target) and key is None:
            raise OSError("encrypted; copied byte for byte")
        conn = crypto.connect(str(target), key, timeout=1, display=target)
        try:
            _copy_into(conn, temp, key)
        finally:
            conn.close()
        os.replace(temp, kept)
    except (*crypto.Error, CaseFileError, OSError):
        _remove_quietly(temp)
        kept = kept.with_name(kept.stem + "-raw.db")
        try:
            for suffix in ("", "-wal"):
                if os.path.exists(f"{target}{suffix}"):
                    _raw_copy(Path(f"{target}{suffix}"), Path(f"{kept}{suffix}"))
        except OSError as error:
            _remove_quietly(kept)
            raise CaseFileError(
                f"{target}: cannot keep a copy before replacing it ({_problem(error)}); nothing was changed"
            ) from None
    _prune(folder)
    return kept


def _raw_copy(source: Path, target: Path) -> None:
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out, source.open("rb") as inp:
        while chunk := inp.read(1 << 20):
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())


# -- rolling backups ---------------------------------------------------------------------------


def rolling_folder(case_path: Path) -> Path:
    """The folder holding the rolling backups of one case file (by its absolute path)."""
    from evidence_tui.config import data_dir

    real = os.path.realpath(case_path)
    digest = hashlib.sha256(os.fsencode(real)).hexdigest()[:12]
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(real).stem) or "case"
    folder = data_dir() / "backups" / f"{stem}-{digest}"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def rolling_backups(case_path: Path) -> list[Path]:
    """The rolling backups of a case file, oldest first."""
    folder = rolling_folder(case_path)
    return sorted(p for p in folder.iterdir() if p.suffix == ".db" and not p.name.startswith("."))


def _prune(folder: Path, keep: int = KEEP_ROLLING) -> None:
    backups = sorted(p for p in folder.iterdir() if p.suffix == ".db" and not p.name.startswith("."))
    for old in backups[:-keep] if keep else backups:
        _remove_quietly(old)
    # Temporary files of a backup that was killed half-way (older than an hour).
    for stale in folder.iterdir():
        if _TEMP_MARK in stale.name:
            try:
                if time.time() - stale.stat().st_mtime > 3600:
                    stale.unlink()
            except OSError:
                pass


def _rolling_backup(case: CaseFile, reason: str) -> Path | None:
    """Copy the case file into its rolling folder and keep the newest few; None if it failed."""
    try:
        folder = rolling_folder(case.path)
        target = folder / default_backup_name(case.path, reason)
        backup_case(case, target)
        _prune(folder)
        return target
    except (CaseFileError, OSError, *crypto.Error) as error:
        case.backup_warning = f"automatic backup failed: {_problem(error)}"
        return None


def backup_before_migration(case: CaseFile, version: int) -> Path | None:
    """Keep a copy of a case file before its schema is migrated from ``version``."""
    return _rolling_backup(case, f"before-migration-v{version}")


def _stamp(case_path: Path) -> Path:
    return rolling_folder(case_path) / "last-daily"


def daily_backup(case: CaseFile, *, now: float | None = None) -> Path | None:
    """Back the case file up if its last daily backup is a day old (or missing); cheap otherwise."""
    now = time.time() if now is None else now
    try:
        stamp = _stamp(case.path)
        try:
            last = float(stamp.read_text(encoding="ascii").strip() or 0)
        except (OSError, ValueError):
            last = 0.0
        # (A stamp up to a day in the future, from a clock set back, also counts as recent.)
        if abs(now - last) < DAILY_SECONDS:
            return None
    except OSError as error:
        case.backup_warning = f"automatic backup failed: {_problem(error)}"
        return None
    made = _rolling_backup(case, "daily")
    if made is not None:
        try:
            fd = os.open(stamp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(f"{now!r}\n")
        except OSError:
            pass
    return made
