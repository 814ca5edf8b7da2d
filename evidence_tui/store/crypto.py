"""Which SQLite driver opens a case file: the standard ``sqlite3`` or SQLCipher (``sqlcipher3``).

This module is the one place that decides. A plain case file starts with the SQLite header and is
opened with the standard library's ``sqlite3``; an encrypted one (SQLCipher 4: every page,
page 1 included, is encrypted, so the file has no readable header) is opened with ``sqlcipher3``,
an optional extra (``pip install 'evidence-tui[crypto]'``). Every connection to an encrypted file
starts with ``PRAGMA key``, silences SQLCipher's own log lines (they would garble the TUI) and keeps
temporary tables and indexes in memory, so no plaintext is written beside the case file.

The two drivers raise different exception classes; ``Error``, ``DatabaseError``,
``OperationalError``, ``IntegrityError`` and ``ProgrammingError`` here are tuples of both, for
``except`` clauses everywhere else.

``convert`` encrypts, decrypts or re-keys a case file safely: it holds the file exclusively,
writes the converted copy beside it with ``sqlcipher_export``, verifies it (``integrity_check``,
the row count of every table), flushes it to disk and renames it over the original, so a crash at
any moment leaves one whole case file under the name (the old one or the new one).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from evidence_tui.errors import CaseFileError

try:  # The optional extra: evidence-tui[crypto].
    from sqlcipher3 import dbapi2 as sqlcipher
except ImportError:  # pragma: no cover - exercised by test_encryption's "without the extra" test
    sqlcipher = None  # type: ignore[assignment]

SQLITE_HEADER = b"SQLite format 3\x00"
INSTALL_HINT = "pip install 'evidence-tui[crypto]'"
# SQLCipher files are whole pages; the smallest SQLite page is 512 bytes.
_MIN_PAGE = 512


def _both(name: str) -> tuple[type[BaseException], ...]:
    classes: list[type[BaseException]] = [getattr(sqlite3, name)]
    if sqlcipher is not None:
        classes.append(getattr(sqlcipher, name))
    return tuple(classes)


# Exception classes of both drivers: ``except DatabaseError`` catches either's.
Error = _both("Error")
DatabaseError = _both("DatabaseError")
OperationalError = _both("OperationalError")
IntegrityError = _both("IntegrityError")
ProgrammingError = _both("ProgrammingError")


class PassphraseNeeded(CaseFileError):
    """The case file is encrypted and no passphrase was given."""


class WrongPassphrase(CaseFileError):
    """The passphrase does not open the encrypted case file (nothing was changed)."""


def available() -> bool:
    """True when SQLCipher (the ``crypto`` extra) is installed."""
    return sqlcipher is not None


def require(path: Path | str) -> Any:
    """Return the SQLCipher driver module, or raise the one line that says how to install it."""
    if sqlcipher is None:
        raise CaseFileError(f"{path}: an encrypted case file; to open it install the crypto extra: {INSTALL_HINT}")
    return sqlcipher


def file_kind(path: Path) -> str:
    """``"missing"``, ``"empty"``, ``"plain"`` (SQLite) or ``"encrypted"``; raise for anything else.

    Reads the first bytes only; never writes. An encrypted file cannot be told from random bytes,
    so a file of whole pages without the SQLite header is taken to be one (a wrong passphrase then
    says it may not be a case file at all).
    """
    try:
        size = path.stat().st_size
        if size == 0:
            return "empty"
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return "missing"
    except OSError as error:
        raise CaseFileError(f"{path}: cannot read the case file ({(error.strerror or str(error)).lower()})") from None
    if header == SQLITE_HEADER:
        return "plain"
    if size >= _MIN_PAGE and size % _MIN_PAGE == 0:
        return "encrypted"
    raise CaseFileError(f"{path}: not an evidence-tui case file (not a SQLite database)")


def is_encrypted(path: Path | str) -> bool:
    """True when ``path`` is (by its bytes) an encrypted case file; False for anything else."""
    try:
        return file_kind(Path(path)) == "encrypted"
    except CaseFileError:
        return False


def _quote(text: str) -> str:
    if "\x00" in text:
        raise CaseFileError("a passphrase cannot contain a NUL character")
    return "'" + text.replace("'", "''") + "'"


def connect(
    target: str,
    passphrase: str | None = None,
    *,
    uri: bool = False,
    timeout: float = 5.0,
    cipher: bool | None = None,
    display: Path | str | None = None,
    verify: bool = True,
) -> Any:
    """Open a connection: ``sqlite3`` for a plain file, ``sqlcipher3`` keyed with ``passphrase``.

    ``cipher`` forces the driver (True: SQLCipher, also for a plain file when no passphrase is
    given). The key is the first statement on the connection; it is checked by reading the
    schema (unless ``verify`` is False), and a wrong one raises ``WrongPassphrase`` without
    having written anything.
    """
    use_cipher = passphrase is not None if cipher is None else cipher
    if not use_cipher:
        return sqlite3.connect(target, uri=uri, isolation_level=None, timeout=timeout)
    driver = require(display or target)
    conn = driver.connect(target, uri=uri, isolation_level=None, timeout=timeout)
    try:
        if passphrase is not None:
            conn.execute(f"PRAGMA key = {_quote(passphrase)}")
        # SQLCipher writes its errors (a wrong key's "hmac check failed") to stderr by default.
        conn.execute("PRAGMA cipher_log_level = NONE")
        # Temporary tables, indexes and sort spills stay in memory: no plaintext on disk.
        conn.execute("PRAGMA temp_store = MEMORY")
        if passphrase is not None and verify:
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            except driver.DatabaseError as error:
                lowered = str(error).lower()
                if "not a database" in lowered or "encrypt" in lowered:
                    raise WrongPassphrase(
                        f"{display or target}: wrong passphrase (or not an encrypted evidence-tui case file); "
                        "nothing was changed"
                    ) from None
                raise
    except BaseException:
        conn.close()
        raise
    return conn


def row_factory(conn: Any) -> Any:
    """The ``Row`` class of the driver that made ``conn``."""
    if sqlcipher is not None and isinstance(conn, sqlcipher.Connection):
        return sqlcipher.Row
    return sqlite3.Row


def check_passphrase(path: Path | str, passphrase: str) -> None:
    """Raise ``WrongPassphrase`` (or ``CaseFileError``) unless ``passphrase`` opens ``path``."""
    path = Path(path)
    conn = connect(str(path), passphrase, display=path, timeout=1.0)
    conn.close()


# -- converting: encrypt, decrypt, rekey ---------------------------------------------------------


def _tables(conn: Any, schema: str = "main") -> list[str]:
    return [
        row[0]
        for row in conn.execute(f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table' ORDER BY name")
    ]


def _counts(conn: Any, schema: str = "main") -> dict[str, int]:
    return {
        name: conn.execute(f'SELECT count(*) FROM {schema}."{name.replace(chr(34), chr(34) * 2)}"').fetchone()[0]
        for name in _tables(conn, schema)
    }


def _stale_temps(path: Path) -> None:
    """Remove converted copies left by a conversion that was killed (its process is gone)."""
    from evidence_tui.store.backup import _TEMP_MARK, _remove_quietly

    prefix = f".{path.name}.convert{_TEMP_MARK}"
    try:
        entries = list(path.parent.iterdir())
    except OSError:
        return
    for entry in entries:
        if not entry.name.startswith(prefix):
            continue
        try:
            pid = int(entry.name[len(prefix):].split("-")[0])
            os.kill(pid, 0)
        except ProcessLookupError:
            _remove_quietly(entry)
        except (ValueError, OSError):
            continue


def convert(path: Path | str, *, old: str | None, new: str | None) -> dict[str, int]:
    """Re-write the case file ``path`` with passphrase ``new`` (None: plain); ``old`` opens it now.

    encrypt: ``old=None``; decrypt: ``new=None``; rekey: both. Refuses while another program has
    the file open. Returns the row counts of the main tables (``sources``, ``excerpts`` ...).
    """
    from evidence_tui.store.backup import _fsync_dir, _fsync_file, _private_temp, _remove_quietly
    from evidence_tui.store.casefile import _describe_sqlite_error
    from evidence_tui.store.schema import APPLICATION_ID, SCHEMA_VERSION

    path = Path(path).expanduser()
    driver = require(path)
    kind = file_kind(path)
    if kind in ("missing", "empty"):
        raise CaseFileError(f"{path}: no such case file")
    if old is None and kind == "encrypted":
        raise CaseFileError(f"{path}: the case file is already encrypted ('evidence-tui rekey' changes the passphrase)")
    if old is not None and kind == "plain":
        raise CaseFileError(f"{path}: the case file is not encrypted")
    _stale_temps(path)
    if old is not None:
        check_passphrase(path, old)
    # Another program with the case file open (even idle, as the app between keys) holds the
    # shared-memory file's "dead man switch" lock; holding it ourselves keeps newcomers out.
    guard = _hold_shared_memory(path)
    # Exclusive locking mode before the first read: no shared memory, the file to ourselves.
    source = connect(str(path), old, cipher=True, timeout=1.0, display=path, verify=False)
    source.execute("PRAGMA locking_mode = EXCLUSIVE")
    temp: Path | None = None
    try:
        application_id = source.execute("PRAGMA application_id").fetchone()[0]
        version = source.execute("PRAGMA user_version").fetchone()[0]
        if application_id != APPLICATION_ID:
            raise CaseFileError(f"{path}: not an evidence-tui case file")
        if version > SCHEMA_VERSION:
            raise CaseFileError(f"{path}: written by a newer evidence-tui (schema {version}); upgrade evidence-tui first")
        # Hold the file to ourselves from here to the rename: nobody writes to the old file
        # after it was copied. Leaving WAL mode folds the WAL into the file and removes it.
        try:
            mode = source.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
        except driver.OperationalError:
            mode = "busy"
        if str(mode).lower() != "delete":
            raise CaseFileError(f"{path}: the case file is open in another program; close it, then try again")
        temp = _private_temp(path.parent, f"{path.name}.convert")
        source.execute("ATTACH DATABASE ? AS converted KEY ?", (str(temp), new or ""))
        source.execute("BEGIN EXCLUSIVE")
        counts = _counts(source)
        source.execute("SELECT sqlcipher_export('converted')")
        source.execute(f"PRAGMA converted.user_version = {int(version)}")
        source.execute(f"PRAGMA converted.application_id = {int(application_id)}")
        source.execute("COMMIT")
        source.execute("DETACH DATABASE converted")
        _verify_copy(temp, new, counts, path)
        _fsync_file(temp)
        # The old file's -wal and -shm are gone (or stale: we hold the only lock); none belongs
        # to the new file.
        for suffix in ("-wal", "-shm"):
            try:
                os.unlink(f"{path}{suffix}")
            except FileNotFoundError:
                pass
        os.replace(temp, path)
        temp = None
        _fsync_dir(path.parent)
        return counts
    except driver.Error as error:
        raise CaseFileError(f"{path}: cannot convert the case file ({_describe_sqlite_error(error)}); nothing was changed") from None
    except OSError as error:
        raise CaseFileError(
            f"{path}: cannot convert the case file ({(error.strerror or str(error)).lower()}); nothing was changed"
        ) from None
    finally:
        source.close()
        if guard is not None:
            os.close(guard)
        if temp is not None:
            _remove_quietly(temp)


# The byte of the WAL index (-shm) that every connection to a WAL database holds a shared lock on
# while it is open (SQLite's os_unix.c: UNIX_SHM_DMS, after the 8 WAL locks at offset 120).
_SHM_DMS = 128


def _hold_shared_memory(path: Path) -> int | None:
    """Take the -shm file's DMS lock exclusively (raise if another program holds it); its fd or None."""
    import fcntl

    shm = Path(f"{path}-shm")
    try:
        fd = os.open(shm, os.O_RDWR)
    except FileNotFoundError:
        return None
    except OSError:
        raise CaseFileError(f"{path}: the case file is open in another program; close it, then try again") from None
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, _SHM_DMS)
    except OSError:
        os.close(fd)
        raise CaseFileError(f"{path}: the case file is open in another program; close it, then try again") from None
    return fd


def in_use_by_another_process(path: Path) -> bool:
    """True when another process has the WAL case file ``path`` open (it holds its -shm lock).

    Only for a process that does not have the file open itself (the CLI's restore, encrypt...):
    closing the probe's descriptor drops every POSIX lock this process holds on the -shm file.
    """
    try:
        fd = _hold_shared_memory(path)
    except CaseFileError:
        return True
    if fd is not None:
        os.close(fd)
    return False


def _verify_copy(temp: Path, passphrase: str | None, counts: dict[str, int], path: Path) -> None:
    """Check the converted copy: it opens with ``passphrase``, is whole and holds every row."""
    conn = connect(str(temp), passphrase, cipher=True, display=temp)
    try:
        result = [row[0] for row in conn.execute("PRAGMA integrity_check(20)")]
        if result != ["ok"]:
            raise CaseFileError(f"{path}: the converted copy failed its check ({result[0]}); nothing was changed")
        copied = _counts(conn)
        if copied != counts:
            raise CaseFileError(f"{path}: the converted copy is missing rows; nothing was changed")
    finally:
        conn.close()
