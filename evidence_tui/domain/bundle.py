"""Case bundles: a case file's content as plain files in one zip, and importing one (a merge).

A bundle holds::

    manifest.json                  format, versions, counts, and the SHA-256 of every other file
    tables/<table>.jsonl           one JSON object per record, in primary-key order (sources
                                   without their text: it is a file of its own)
    texts/<source id>.txt          each source's text, UTF-8, exactly as stored
    originals/<source id><.ext>    each source's original bytes, unchanged
    log/operations.jsonl, log/events.jsonl   the event log (the audit trail; omitted with
                                   ``include_log=False``)

The manifest's ``sha256`` is the SHA-256 of the lines ``<sha256>  <path>\\n`` of every file, sorted
by path (what ``sha256sum`` prints), so the whole bundle has one fingerprint to write in a report.
It detects damage and edits, not a forger who also rewrites the manifest (that needs a signature).

Importing verifies every file against the manifest first (a file missing, unlisted or changed is
refused with one line naming it), loads the bundle into a private temporary case file, and merges
that into the case file (``domain.merge``): the same rules, one logged operation, dry run included.
``settings`` and the event log are carried in the bundle but not merged.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import sqlite3
import tempfile
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evidence_tui.domain.merge import DATA_TABLES, DEFAULT_MATCH_NAMES, MergeReport, check_schema, merge_from
from evidence_tui.errors import EvidenceError
from evidence_tui.store import CaseFile, utc_now
from evidence_tui.store.schema import APPLICATION_ID, MIGRATIONS, PRIMARY_KEYS, SCHEMA_VERSION

FORMAT = "evidence-tui-bundle"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
# Tables written as JSON Lines (the original bytes are files of their own).
TABLES = tuple(t for t in DATA_TABLES if t != "source_originals") + ("settings",)
LOG_TABLES = {"operations": "seq", "events": "seq"}
_EXTENSION = re.compile(r"^\.[A-Za-z0-9]{1,10}$")
_SOURCE_FILE = re.compile(r"^(texts|originals)/([0-9a-f]{32})(\.[A-Za-z0-9]{1,10})?$")
_BLOCK = 1 << 20
# A bundle refuses members bigger than this (a zip bomb would otherwise fill the disk).
MAX_MEMBER_BYTES = 2 * 1024 * 1024 * 1024


class BundleError(EvidenceError):
    """A bundle that cannot be read or does not match its manifest."""


@dataclass
class BundleInfo:
    """What ``export_bundle`` wrote."""

    path: Path
    files: int
    size: int
    sha256: str
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """The figures as a dict (for --json)."""
        return {"path": str(self.path), "files": self.files, "size": self.size, "sha256": self.sha256,
                "counts": dict(self.counts), "seconds": round(self.seconds, 3)}


def overall_sha256(files: dict[str, dict[str, Any]]) -> str:
    """The bundle's fingerprint: SHA-256 of ``sha256sum``-style lines of every file, by path."""
    listing = "".join(f"{files[name]['sha256']}  {name}\n" for name in sorted(files))
    return hashlib.sha256(listing.encode("utf-8")).hexdigest()


def _jsonl(row: dict[str, Any]) -> bytes:
    return (json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8", "surrogatepass")


def _original_name(source_id: str, file_name: str | None) -> str:
    ext = Path(file_name or "").suffix
    return f"originals/{source_id}{ext if _EXTENSION.match(ext) else ''}"


# -- export ------------------------------------------------------------------------------------


class _Writer:
    """Writes zip members while hashing them."""

    def __init__(self, zf: zipfile.ZipFile, when: tuple[int, ...]) -> None:
        self.zf = zf
        self.when = when
        self.files: dict[str, dict[str, Any]] = {}

    def _info(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self.when)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o100600 << 16  # a regular file, readable by its owner only once unzipped
        return info

    @contextmanager
    def member(self, name: str) -> Iterator[Any]:
        digest = hashlib.sha256()
        size = 0
        with self.zf.open(self._info(name), "w", force_zip64=True) as handle:
            def write(data: bytes) -> None:
                nonlocal size
                digest.update(data)
                size += len(data)
                handle.write(data)
            yield write
        self.files[name] = {"sha256": digest.hexdigest(), "size": size}

    def write(self, name: str, data: bytes) -> None:
        with self.member(name) as write:
            write(data)


def export_bundle(case: CaseFile, path: str | os.PathLike, *, overwrite: bool = False,
                  include_log: bool = True) -> BundleInfo:
    """Write the case file's content to the zip at ``path`` (mode 0600), from one snapshot."""
    started = time.perf_counter()
    path = Path(path).expanduser()
    if path.is_dir():
        raise BundleError(f"{path}: is a folder; give the bundle's file name (e.g. case.zip)")
    if path.exists() and not overwrite:
        raise BundleError(f"{path}: already exists (--force replaces it)")
    if not path.parent.is_dir():
        raise BundleError(f"{path}: the folder {path.parent} does not exist")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as error:
        raise BundleError(f"{path}: cannot write the bundle ({(error.strerror or str(error)).lower()})") from None
    tmp = Path(tmp_name)
    conn = case.db.conn
    counts: dict[str, int] = {}
    now = utc_now()
    when = time.gmtime()[:6]
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w", allowZip64=True) as zf:
            writer = _Writer(zf, when)
            conn.execute("BEGIN")  # one snapshot for every table
            try:
                _write_tables(conn, writer, counts, include_log)
            finally:
                conn.execute("ROLLBACK")
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "schema_version": SCHEMA_VERSION,
                "created_at": now,
                "case_file": case.path.name,
                "counts": counts,
                "files": writer.files,
                "sha256": overall_sha256(writer.files),
            }
            info = writer._info(MANIFEST)
            zf.writestr(info, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return BundleInfo(path, len(writer.files) + 1, path.stat().st_size, manifest["sha256"], counts,
                      time.perf_counter() - started)


def _order(table: str) -> str:
    return ", ".join(f'"{c}"' for c in PRIMARY_KEYS[table])


def _write_tables(conn: sqlite3.Connection, writer: _Writer, counts: dict[str, int], include_log: bool) -> None:
    for table in TABLES:
        columns = [row[1] for row in conn.execute(f'PRAGMA table_info("{table}")') if row[1] != "text"]
        cols = ", ".join(f'"{c}"' for c in columns)
        n = 0
        with writer.member(f"tables/{table}.jsonl") as write:
            for row in conn.execute(f'SELECT {cols} FROM "{table}" ORDER BY {_order(table)}'):
                write(_jsonl(dict(row)))
                n += 1
        counts[table] = n
    for row in conn.execute("SELECT id, file_name, text FROM sources ORDER BY id"):
        writer.write(f"texts/{row['id']}.txt", row["text"].encode("utf-8", "surrogatepass"))
    n = 0
    for row in conn.execute(
        "SELECT o.source_id, o.data, s.file_name FROM source_originals o JOIN sources s ON s.id = o.source_id "
        "ORDER BY o.source_id"
    ):
        writer.write(_original_name(row["source_id"], row["file_name"]), bytes(row["data"]))
        n += 1
    counts["source_originals"] = n
    if include_log:
        for table, order in LOG_TABLES.items():
            n = 0
            with writer.member(f"log/{table}.jsonl") as write:
                for row in conn.execute(f'SELECT * FROM "{table}" ORDER BY {order}'):
                    write(_jsonl(dict(row)))
                    n += 1
            counts[table] = n


# -- import ------------------------------------------------------------------------------------


def read_manifest(path: Path, zf: zipfile.ZipFile) -> dict[str, Any]:
    """Return the bundle's manifest, checked for shape (``BundleError`` naming the problem)."""
    try:
        data = json.loads(zf.read(MANIFEST).decode("utf-8"))
    except KeyError:
        raise BundleError(f"{path}: not an evidence-tui bundle (no {MANIFEST})") from None
    except (UnicodeDecodeError, json.JSONDecodeError, zipfile.BadZipFile, OSError) as error:
        raise BundleError(f"{path}: {MANIFEST} is damaged ({error})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BundleError(f"{path}: not an evidence-tui bundle ({MANIFEST} has no format '{FORMAT}')")
    if not isinstance(data.get("format_version"), int) or data["format_version"] > FORMAT_VERSION:
        raise BundleError(f"{path}: bundle format {data.get('format_version')} is newer than this evidence-tui "
                          f"reads ({FORMAT_VERSION}); upgrade evidence-tui")
    version = data.get("schema_version")
    if not isinstance(version, int):
        raise BundleError(f"{path}: {MANIFEST} has no schema version")
    check_schema(path, APPLICATION_ID, version)
    files = data.get("files")
    if not isinstance(files, dict) or not all(
        isinstance(v, dict) and isinstance(v.get("sha256"), str) and isinstance(v.get("size"), int) for v in files.values()
    ):
        raise BundleError(f"{path}: {MANIFEST} has no valid file list")
    return data


def verify_bundle(path: str | os.PathLike) -> dict[str, Any]:
    """Check every file of the bundle against its manifest; returns the manifest.

    Raises ``BundleError`` with one line naming the first file that is missing, not listed,
    damaged or changed, or the manifest itself when its overall SHA-256 does not match.
    """
    path = Path(path).expanduser()
    with _open_zip(path) as zf:
        manifest = read_manifest(path, zf)
        files = manifest["files"]
        names = [i.filename for i in zf.infolist() if not i.is_dir()]
        if len(names) != len(set(names)):
            raise BundleError(f"{path}: a file name occurs twice in the zip")
        for name in sorted(names):
            if name != MANIFEST and name not in files:
                raise BundleError(f"{path}: {name} is not listed in the manifest (added after export?)")
        for name in sorted(files):
            if name not in names:
                raise BundleError(f"{path}: {name} is listed in the manifest but missing")
            info = zf.getinfo(name)
            if info.file_size > MAX_MEMBER_BYTES or info.file_size != files[name]["size"]:
                raise BundleError(f"{path}: {name} does not match the manifest (size {info.file_size}, "
                                  f"expected {files[name]['size']}): changed or damaged")
            digest = hashlib.sha256()
            try:
                with zf.open(name) as handle:
                    while block := handle.read(_BLOCK):
                        digest.update(block)
            except (zipfile.BadZipFile, OSError, EOFError) as error:
                raise BundleError(f"{path}: {name} is damaged ({error})") from None
            if digest.hexdigest() != files[name]["sha256"]:
                raise BundleError(f"{path}: {name} does not match its SHA-256 in the manifest: changed or damaged")
        if overall_sha256(files) != manifest.get("sha256"):
            raise BundleError(f"{path}: the manifest's overall SHA-256 does not match its file list: changed or damaged")
    return manifest


@contextmanager
def _open_zip(path: Path) -> Iterator[zipfile.ZipFile]:
    if not path.exists():
        raise BundleError(f"{path}: no such bundle")
    if path.is_dir():
        raise BundleError(f"{path}: is a folder, not a bundle")
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise BundleError(f"{path}: not an evidence-tui bundle (not a zip file)") from None
    except OSError as error:
        raise BundleError(f"{path}: cannot read the bundle ({(error.strerror or str(error)).lower()})") from None
    try:
        yield zf
    finally:
        zf.close()


@contextmanager
def open_bundle(path: str | os.PathLike) -> Iterator[sqlite3.Connection]:
    """Verify a bundle and load it into a private temporary case file; yields a connection to it.

    The temporary file (in a 0700 folder) is deleted afterwards.
    """
    path = Path(path).expanduser()
    manifest = verify_bundle(path)
    with tempfile.TemporaryDirectory(prefix="evidence-bundle-") as folder:
        db = Path(folder) / "bundle.db"
        conn = sqlite3.connect(db, isolation_level=None)
        conn.row_factory = sqlite3.Row
        try:
            with _open_zip(path) as zf:
                _load(path, zf, manifest, conn)
            conn.execute("BEGIN")
            yield conn
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            conn.close()


def _rows(path: Path, zf: zipfile.ZipFile, name: str, columns: set[str]) -> Iterator[dict[str, Any]]:
    with zf.open(name) as handle:
        for number, line in enumerate(io.TextIOWrapper(handle, encoding="utf-8", errors="surrogatepass", newline="\n"), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                raise BundleError(f"{path}: {name} line {number}: not valid JSON ({error.msg})") from None
            if not isinstance(row, dict):
                raise BundleError(f"{path}: {name} line {number}: not a record")
            unknown = set(row) - columns
            if unknown:
                raise BundleError(f"{path}: {name} line {number}: unknown column '{sorted(unknown)[0]}'")
            yield row


def _load(path: Path, zf: zipfile.ZipFile, manifest: dict[str, Any], conn: sqlite3.Connection) -> None:
    """Fill the empty temporary database ``conn`` with the bundle's records (schema of this version)."""
    conn.execute("BEGIN")
    for migration in MIGRATIONS:
        migration(conn)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    conn.execute("COMMIT")
    conn.execute("PRAGMA foreign_keys = ON")
    files = manifest["files"]
    texts: dict[str, str] = {}
    originals: dict[str, str] = {}
    for name in files:
        match = _SOURCE_FILE.match(name)
        if match:
            (texts if match.group(1) == "texts" else originals)[match.group(2)] = name
    conn.execute("BEGIN")
    conn.execute("PRAGMA defer_foreign_keys = ON")
    try:
        for table in TABLES:
            name = f"tables/{table}.jsonl"
            if name not in files:
                raise BundleError(f"{path}: {name} is missing")
            columns = {row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')}
            for row in _rows(path, zf, name, columns - {"text"}):
                if table == "sources":
                    row = _with_text(path, zf, row, texts, originals, conn)
                cols = ", ".join(f'"{c}"' for c in row)
                marks = ", ".join("?" for _ in row)
                try:
                    conn.execute(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', list(row.values()))
                except sqlite3.DatabaseError as error:
                    raise BundleError(f"{path}: {name}: a record cannot be loaded ({error})") from None
        for table in ("operations", "events"):
            name = f"log/{table}.jsonl"
            if name in files:
                columns = {row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')}
                for row in _rows(path, zf, name, columns):
                    cols = ", ".join(f'"{c}"' for c in row)
                    marks = ", ".join("?" for _ in row)
                    try:
                        conn.execute(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', list(row.values()))
                    except sqlite3.DatabaseError as error:
                        raise BundleError(f"{path}: {name}: a record cannot be loaded ({error})") from None
        broken = conn.execute("PRAGMA foreign_key_check").fetchone()
        if broken is not None:
            raise BundleError(f"{path}: tables/{broken[0]}.jsonl refers to a record of {broken[2]} that is not in the bundle")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _with_text(path: Path, zf: zipfile.ZipFile, row: dict[str, Any], texts: dict[str, str],
               originals: dict[str, str], conn: sqlite3.Connection) -> dict[str, Any]:
    source_id = row.get("id")
    if source_id not in texts:
        raise BundleError(f"{path}: texts/{source_id}.txt is missing")
    name = texts[source_id]
    text = zf.read(name).decode("utf-8", "surrogatepass")
    if hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest() != row.get("text_sha256"):
        raise BundleError(f"{path}: {name} does not match the source's text_sha256")
    if source_id in originals:
        data = zf.read(originals[source_id])
        if hashlib.sha256(data).hexdigest() != row.get("sha256"):
            raise BundleError(f"{path}: {originals[source_id]} does not match the source's sha256")
        # Inserted right after its source (see _load: foreign keys are checked at the end).
        conn.execute("INSERT INTO source_originals (source_id, data) VALUES (?, ?)", (source_id, data))
    return {**row, "text": text}


def import_bundle(case: CaseFile, path: str | os.PathLike, *, dry_run: bool = False,
                  match_names: str = DEFAULT_MATCH_NAMES) -> MergeReport:
    """Verify the bundle at ``path`` and merge it into ``case`` (see ``domain.merge``)."""
    with open_bundle(path) as theirs:
        return merge_from(case, theirs, Path(path).name, dry_run=dry_run, match_names=match_names)
