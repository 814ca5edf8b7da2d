"""Opening a case file: one SQLite file, checked before it is touched, migrated forward.

A ``CaseFile`` hands each thread its own connection (SQLite connections belong to their thread;
the TUI's workers run on other threads) and opens write transactions with ``BEGIN IMMEDIATE`` so
that two writers (the TUI and a CLI) queue on the busy timeout instead of failing on upgrade.

An encrypted case file (SQLCipher, see ``store/crypto.py``) is opened with its passphrase, which
the ``CaseFile`` keeps in memory only, to key every thread's connection; nothing else in the code
needs to know whether the file is encrypted.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from evidence_tui.errors import CaseFileError
from evidence_tui.store import crypto
from evidence_tui.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000
# How long a write waits for another writer (the TUI, a CLI import) before giving up.
BUSY_TIMEOUT_ENV = "EVIDENCE_BUSY_TIMEOUT_MS"


def busy_timeout_ms() -> int:
    """The busy timeout: ``$EVIDENCE_BUSY_TIMEOUT_MS`` when set to a number, else 5 seconds."""
    try:
        value = int(os.environ.get(BUSY_TIMEOUT_ENV, ""))
    except ValueError:
        return BUSY_TIMEOUT_MS
    return max(0, value)


class CaseFile:
    """An open case file. Use ``CaseFile.open(path)``; ``db`` is this thread's connection."""

    def __init__(self, path: Path, actor: str = "unknown", passphrase: str | None = None) -> None:
        self.path = path
        # Kept in memory only, to key each new connection; None for a plain case file.
        self._passphrase = passphrase
        # Who the changes are logged under (the reviewer's name; see config.reviewer_name).
        self.actor = actor
        self._local = threading.local()
        self._connections: list[tuple[threading.Thread, sqlite3.Connection]] = []
        self._lock = threading.Lock()
        # True when ``open`` made the file just now (no rolling backup of an empty file).
        self.created = False
        self._on_upgrade: Callable[[Path, int, int], None] | None = None
        # Why the last automatic backup failed (it never stops the case file from opening).
        self.backup_warning: str | None = None

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: str | os.PathLike,
        *,
        create: bool = True,
        actor: str = "unknown",
        passphrase: str | None = None,
        encrypt: bool = False,
        on_upgrade: Callable[[Path, int, int], None] | None = None,
    ) -> CaseFile:
        """Open (and with ``create``, make) the case file at ``path``, migrating it forward.

        ``on_upgrade(path, from_version, to_version)`` is called before an existing case file's
        schema is brought forward (a step may rebuild an index: minutes on a big file), so the
        caller can say why it waits.

        An encrypted file needs ``passphrase`` (``crypto.PassphraseNeeded`` without it,
        ``crypto.WrongPassphrase`` for a wrong one); with ``encrypt`` a new (or empty) file is
        made encrypted with ``passphrase``, and an existing plain one is refused. A passphrase
        given for a plain file is not used.

        Raises ``CaseFileError`` for a file that is not SQLite, is another program's database,
        was written by a newer evidence-tui, or cannot be read; such a file is left untouched.
        """
        path = Path(path).expanduser()
        if path.is_dir():
            raise CaseFileError(f"{path}: is a folder, not a case file")
        kind = crypto.file_kind(path)
        if kind == "encrypted":
            crypto.require(path)
            if passphrase is None:
                raise crypto.PassphraseNeeded(f"{path}: an encrypted case file; a passphrase is needed to open it")
        elif encrypt:
            if kind == "plain":
                raise CaseFileError(
                    f"{path}: already exists and is not encrypted ('evidence-tui encrypt' encrypts it)"
                )
            crypto.require(path)
            if not passphrase:
                raise CaseFileError(f"{path}: a new encrypted case file needs a passphrase")
        else:
            passphrase = None
        created = False
        if kind == "missing":
            if not create:
                raise CaseFileError(f"{path}: no such case file (create it with 'evidence-tui init')")
            created = _create_private_file(path)
        case = cls(path, actor, passphrase)
        case.created = created
        case._on_upgrade = on_upgrade
        try:
            case._prepare()
        except crypto.DatabaseError as error:
            case.close()
            raise CaseFileError(f"{path}: {_describe_sqlite_error(error)}") from None
        except BaseException:
            case.close()
            raise
        return case

    def _prepare(self) -> None:
        conn = self.db.conn
        application_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        has_tables = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
        ).fetchone()[0]
        if application_id != APPLICATION_ID and (has_tables or version):
            raise CaseFileError(
                f"{self.path}: a SQLite database, but not an evidence-tui case file"
            )
        if version > SCHEMA_VERSION:
            raise CaseFileError(
                f"{self.path}: written by a newer evidence-tui (schema {version}, this version "
                f"knows {SCHEMA_VERSION}); upgrade evidence-tui to open it"
            )
        # WAL lets readers (the TUI) carry on while a writer (an import) works.
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode.lower() != "wal" and not self.read_only:
            raise CaseFileError(f"{self.path}: cannot switch the case file to WAL mode ({mode})")
        if version < SCHEMA_VERSION:
            if version > 0 and not self.read_only:
                if self._on_upgrade is not None:
                    self._on_upgrade(self.path, version, SCHEMA_VERSION)
                # A case file with data is copied aside before its schema changes.
                from evidence_tui.store.backup import backup_before_migration

                backup_before_migration(self, version)
            self._migrate(version)
        elif not self.created and not self.read_only:
            from evidence_tui.store.backup import daily_backup

            daily_backup(self)

    def _migrate(self, version: int) -> None:
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Re-read inside the lock: another process may have migrated meanwhile.
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            for step in range(version, SCHEMA_VERSION):
                MIGRATIONS[step](conn)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    # -- connections -----------------------------------------------------------------------

    @property
    def db(self) -> sqlite_utils.Database:
        """Return this thread's connection, wrapped in ``sqlite_utils.Database``."""
        db = getattr(self._local, "db", None)
        if db is None:
            conn = self._connect()
            db = sqlite_utils.Database(conn)
            self._local.db = db
        return db

    @property
    def encrypted(self) -> bool:
        """True for an encrypted (SQLCipher) case file."""
        return self._passphrase is not None

    @property
    def read_only(self) -> bool:
        """True when the file cannot be written by this user."""
        return not os.access(self.path, os.W_OK)

    def _connect(self) -> sqlite3.Connection:
        try:
            # isolation_level=None: we issue BEGIN/COMMIT ourselves, nothing implicit.
            timeout = busy_timeout_ms()
            # sqlite3 for a plain file; SQLCipher, keyed first thing, for an encrypted one.
            conn = crypto.connect(str(self.path), self._passphrase, timeout=timeout / 1000, display=self.path)
            conn.row_factory = crypto.row_factory(conn)
            conn.execute(f"PRAGMA busy_timeout = {timeout}")
            conn.execute("PRAGMA foreign_keys = ON")
            # FULL: a committed change survives a power cut too, not only a killed process.
            conn.execute("PRAGMA synchronous = FULL")
        except crypto.DatabaseError as error:
            raise CaseFileError(f"{self.path}: {_describe_sqlite_error(error)}") from None
        with self._lock:
            # A thread worker's connection outlives its thread only through this list (its
            # thread-local slot goes with the thread): forget those of finished threads, and the
            # garbage collector closes them. Without this, an app that runs a worker per keystroke
            # would hold a connection (and a file descriptor) for every keystroke of the session.
            self._connections = [(thread, kept) for thread, kept in self._connections if thread.is_alive()]
            self._connections.append((threading.current_thread(), conn))
        return conn

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """Run the block in one write transaction (``BEGIN IMMEDIATE``); roll back on error."""
        conn = self.db.conn
        if conn.in_transaction:
            # Nested call from within a domain operation: the outer transaction owns it.
            yield conn
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
        except crypto.OperationalError as error:
            raise CaseFileError(f"{self.path}: {_describe_sqlite_error(error)}") from None
        try:
            yield conn
            conn.execute("COMMIT")
        except crypto.OperationalError as error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise CaseFileError(f"{self.path}: {_describe_sqlite_error(error)}") from None
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def close(self) -> None:
        """Close every connection this case file opened (on any thread)."""
        with self._lock:
            connections, self._connections = self._connections, []
        for _thread, conn in connections:
            try:
                conn.close()
            except crypto.ProgrammingError:
                # A connection made on another thread refuses to close here; it closes
                # when that thread's objects are collected.
                pass
        self._local = threading.local()

    def __enter__(self) -> CaseFile:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _create_private_file(path: Path) -> bool:
    """Create an empty file readable by the owner only; SQLite gives its WAL the same mode.

    Returns True when this call made the file (False when another process just did).
    """
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
    except FileExistsError:
        return False
    except OSError as error:
        raise CaseFileError(f"{path}: cannot create the case file ({error.strerror.lower()})") from None
    return True


def _describe_sqlite_error(error: BaseException) -> str:
    message = str(error)
    lowered = message.lower()
    if "locked" in lowered or "busy" in lowered:
        return "the case file is locked by another program; try again when it is done"
    if "readonly" in lowered or "read-only" in lowered:
        return "the case file is read-only"
    if "malformed" in lowered or "not a database" in lowered or "corrupt" in lowered:
        return "the case file is damaged (run 'evidence-tui check')"
    if "disk" in lowered and "full" in lowered:
        return "the disk is full"
    return message
