"""Sources: importing documents into the case file, listing, reading and editing them."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from evidence_tui.domain.models import Source
from evidence_tui.domain.refs import resolve_id
from evidence_tui.errors import DocumentError, Invalid, NotFound
from evidence_tui.importers import (
    ImportOptions,
    ParsedDocument,
    find_importable,
    parse_document,
    read_document,
)
from evidence_tui.importers.dates import PublicationDate, parse_date
from evidence_tui.importers.files import Skipped, display_name
from evidence_tui.store import CaseFile, new_id, operation, utc_now
from evidence_tui.store.journal import bulk_source_index
from evidence_tui.store.schema import RELIABILITY_GRADES

# One transaction per batch: each source is whole or absent, and a big folder does not pay a
# commit (an fsync, ~40 ms on a laptop disk) per file. A batch of 1,000 articles holds the write
# lock for about half a second (the files are read and parsed before it is taken).
BATCH_FILES = 1000
BATCH_BYTES = 16 * 1024 * 1024

_COLUMNS = """s.id, s.title, s.outlet, s.author, s.url, s.published, s.published_raw,
    s.published_precision, s.language, s.file_name, s.format, s.encoding, s.imported_at, s.sha256,
    s.notes, s.reliability"""
_COUNT = "(SELECT count(*) FROM excerpts e WHERE e.source_id = s.id) AS excerpt_count"


@dataclass(frozen=True)
class ImportOutcome:
    """What happened to one file: imported, duplicate (of an existing source), failed, or skipped
    (a file of another type inside a folder: left out, not an error)."""

    name: str
    status: str
    source_id: str | None = None
    title: str | None = None
    message: str = ""


@dataclass
class ImportSummary:
    """The outcome of an import run, file by file, with counts."""

    outcomes: list[ImportOutcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        """Return how many files ended with ``status``."""
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def imported(self) -> int:
        """Files added as new sources."""
        return self.count("imported")

    @property
    def duplicates(self) -> int:
        """Files whose content was already in the case file."""
        return self.count("duplicate")

    @property
    def failed(self) -> int:
        """Files refused, each with a one-line message."""
        return self.count("failed")

    @property
    def skipped(self) -> int:
        """Files of other types found in folders and left out (not failures)."""
        return self.count("skipped")

    def line(self) -> str:
        """"3 imported, 0 duplicate, 1 failed" (and ", 2 skipped" only when some were): what the
        CLI prints last and the import dialog shows first. Scripts read it: the form stays."""
        line = f"{self.imported} imported, {self.duplicates} duplicate, {self.failed} failed"
        return line + (f", {self.skipped} skipped" if self.skipped else "")


ProgressCallback = Callable[[int, int, ImportOutcome], None]


def _row_to_source(row: sqlite3.Row) -> Source:
    return Source(**dict(row))


def _source_row(parsed: ParsedDocument, now: str) -> dict:
    return {
        "id": new_id(),
        "title": parsed.title,
        "outlet": parsed.outlet,
        "author": parsed.author,
        "url": parsed.url,
        "published": parsed.published.iso,
        "published_raw": parsed.published.raw,
        "published_precision": parsed.published.precision,
        "language": parsed.language,
        "file_name": parsed.file_name,
        "format": parsed.format,
        "encoding": parsed.encoding,
        "imported_at": now,
        "sha256": parsed.sha256,
        "text_sha256": hashlib.sha256(parsed.text.encode("utf-8")).hexdigest(),
        "notes": None,
        "reliability": None,
        "created_at": now,
        "updated_at": now,
        "text": parsed.text,
    }


def _store_batch(
    case: CaseFile, batch: list[ParsedDocument], before_index: Callable[[], None] | None = None
) -> list[ImportOutcome]:
    """Insert parsed documents in one transaction; a known hash is reported as a duplicate.

    One lookup for the batch's hashes and one multi-row insert per table (each source and its
    original still logged as their own events): each source is whole or absent with the batch.
    ``before_index`` is called when what is left is SQLite's own work (indexing the batch for
    search, committing), which runs without the GIL: ``import_paths`` lets its reader go on then.
    """
    outcomes: list[ImportOutcome] = []
    with operation(case, "source.import", case.actor) as op:
        now = utc_now()
        # Hash -> (id, title) of the source holding it: those already stored, then this batch's own,
        # so the same bytes twice in one batch name the source the first copy became.
        known: dict[str, tuple[str, str]] = {}
        hashes = list({parsed.sha256 for parsed in batch})
        for start in range(0, len(hashes), 500):
            chunk = hashes[start:start + 500]
            for row in op.conn.execute(
                f"SELECT sha256, id, title FROM sources WHERE sha256 IN ({', '.join('?' for _ in chunk)})", chunk
            ):
                known[row["sha256"]] = (row["id"], row["title"])
        rows: list[dict] = []
        originals: list[dict] = []
        for parsed in batch:
            name = parsed.file_name or "<stdin>"
            existing = known.get(parsed.sha256)
            if existing:
                source_id, title = existing
                outcomes.append(
                    ImportOutcome(name, "duplicate", source_id, title,
                                  f"already in the case file as {source_id[:8]} '{title}'")
                )
                continue
            row = _source_row(parsed, now)
            known[parsed.sha256] = (row["id"], row["title"])
            rows.append(row)
            originals.append({"source_id": row["id"], "data": parsed.original})
            outcomes.append(ImportOutcome(name, "imported", row["id"], row["title"]))
        imported = len(rows)
        op.summary = (
            f"import '{outcomes[0].title}'" if imported == 1 and len(outcomes) == 1 else f"import {imported} sources"
        )
        # The batch's text is indexed for search in one statement (as fast as a rebuild) when the
        # block ends, then the transaction commits.
        with bulk_source_index(op.conn, len(rows)):
            op.insert_many("sources", rows)
            op.insert_many("source_originals", originals)
            if before_index is not None:
                before_index()
    return outcomes


def import_document(case: CaseFile, parsed: ParsedDocument) -> ImportOutcome:
    """Store one parsed document as a source (or report the source it duplicates)."""
    return _store_batch(case, [parsed])[0]


def read_date(raw: str, dayfirst: bool | None = None) -> PublicationDate:
    """Read a publication date a person typed (``import --date``, ``source edit --date``, the
    metadata form); raise ``Invalid`` if it is not a date this tool can read.

    Everything ``parse_date`` reads is kept with its precision; a date without a year ("27 June")
    is kept as written with precision "none": its year is never guessed.
    """
    text = (raw or "").strip()
    parsed = parse_date(text, dayfirst)
    if parsed is None:
        raise Invalid(f"'{text}' is not a date this tool can read (try 2024-06-15)")
    return parsed


def check_import_options(options: ImportOptions) -> None:
    """Raise ``Invalid`` for an import option that cannot be used (a ``date`` that is not one),
    before any file is read or anything stored. An empty date means "the one the file gives"."""
    if options.date is not None and options.date.strip():
        read_date(options.date, options.dayfirst)


def import_text(case: CaseFile, data: bytes, name: str | None, options: ImportOptions = ImportOptions()) -> ImportOutcome:
    """Import pasted or piped bytes (``name`` may be None for stdin); raises DocumentError,
    or ``Invalid`` for an unusable option (``check_import_options``)."""
    check_import_options(options)
    return import_document(case, parse_document(data, name, options))


def import_paths(
    case: CaseFile,
    paths: Iterable[Path],
    options: ImportOptions = ImportOptions(),
    on_progress: ProgressCallback | None = None,
) -> ImportSummary:
    """Import files and folders (recursively). Bad files are reported and the rest go on; files of
    other types inside folders are reported as skipped.

    Files are read and parsed on a reader thread one batch ahead of the batch being stored; the
    reader runs while SQLite indexes and commits a batch (work done without the GIL), and waits
    while this thread runs Python (storing rows, reporting progress), so neither slows the other.
    Batches, outcomes and their order are the same as reading and storing in turn. An unusable
    option (a ``date`` that is not one) raises ``Invalid`` before any file is read.
    """
    check_import_options(options)
    found = list(find_importable(Path(p) for p in paths))
    total = len(found)
    summary = ImportSummary()
    done = 0

    def report(outcome: ImportOutcome) -> None:
        nonlocal done
        done += 1
        summary.outcomes.append(outcome)
        if on_progress:
            on_progress(done, total, outcome)

    reader = _Reader(found, options)
    try:
        for chunk in reader.chunks():
            batch: list[ParsedDocument] = []
            for item in chunk:
                if isinstance(item, ImportOutcome):
                    report(item)
                else:
                    batch.append(item)
            if batch:
                # The same bytes twice in one batch need no special case: _store_batch looks the
                # hash up inside the batch's transaction, where the first copy is already
                # visible, so the second is reported as a duplicate naming the source the first became.
                outcomes = _store_batch(case, batch, before_index=reader.resume)
                reader.pause()
                for outcome in outcomes:
                    report(outcome)
    finally:
        reader.stop()
    return summary


class _Stopped(Exception):
    """The reader was told to stop (the import ended early)."""


class _Reader:
    """Reads and parses files on its own thread, handing over one batch's worth at a time.

    A chunk is the files of one batch in order: a ``ParsedDocument`` for each file read, an
    ``ImportOutcome`` for each refused one; it ends where a batch is full (``BATCH_FILES``,
    ``BATCH_BYTES``). The reader reads the next chunk while one is stored, then waits for it to be
    taken: two batches in memory at most. It reads only while the importing thread lets it
    (``resume``): two threads running Python at once take turns on the GIL, and each blocking call
    of the other (a progress callback, each SQLite step of an executemany) would wait out a whole
    switch interval (5 ms) to get the GIL back.
    """

    def __init__(self, found: list[tuple[Path, DocumentError | None]], options: ImportOptions) -> None:
        self._found = found
        self._options = options
        self._cond = threading.Condition()
        self._ready: deque[tuple[str, object]] = deque()
        self._held = False  # the importing thread runs Python: wait at the next file
        self._idle = True  # the reader is waiting (not running Python)
        self._finished = False
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="evidence-import-reader", daemon=True)
        self._thread.start()

    # -- the importing thread ----------------------------------------------------------------

    def chunks(self) -> Iterator[list[ParsedDocument | ImportOutcome]]:
        """Yield the chunks in order; the reader is paused while the caller handles each one."""
        while True:
            with self._cond:
                self._held = False
                self._cond.notify_all()
                self._cond.wait_for(lambda: self._ready or self._finished)
                if not self._ready:
                    return
                kind, value = self._ready.popleft()
                self._cond.notify_all()
            self.pause()
            if kind == "error":
                raise value  # type: ignore[misc]
            yield value  # type: ignore[misc]

    def pause(self) -> None:
        """Stop the reader at its next file and wait until it is waiting."""
        with self._cond:
            self._held = True
            self._cond.wait_for(lambda: self._idle or self._finished)

    def resume(self) -> None:
        """Let the reader go on (while this thread waits on SQLite)."""
        with self._cond:
            self._held = False
            self._cond.notify_all()

    def stop(self) -> None:
        """End the reader (the import is over or failed) and wait for its thread."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        self._thread.join()

    # -- the reader thread -------------------------------------------------------------------

    def _wait_while(self, condition: Callable[[], bool]) -> None:
        with self._cond:
            while condition() and not self._stopping:
                self._idle = True
                self._cond.notify_all()
                self._cond.wait()
            self._idle = False
            if self._stopping:
                raise _Stopped

    def _run(self) -> None:
        try:
            chunk: list[ParsedDocument | ImportOutcome] = []
            parsed_files = parsed_bytes = 0
            for path, problem in self._found:
                self._wait_while(lambda: self._held)
                if problem is not None:
                    status = "skipped" if isinstance(problem, Skipped) else "failed"
                    chunk.append(ImportOutcome(display_name(path), status, message=str(problem)))
                    continue
                try:
                    parsed = read_document(path, self._options)
                except DocumentError as error:
                    chunk.append(ImportOutcome(display_name(path), "failed", message=str(error)))
                    continue
                chunk.append(parsed)
                parsed_files += 1
                parsed_bytes += len(parsed.original)
                if parsed_files >= BATCH_FILES or parsed_bytes >= BATCH_BYTES:
                    self._hand_over("chunk", chunk)
                    chunk, parsed_files, parsed_bytes = [], 0, 0
            if chunk:
                self._hand_over("chunk", chunk)
        except _Stopped:
            pass
        except BaseException as error:  # raised again in the importing thread
            with self._cond:
                self._ready.append(("error", error))
        finally:
            with self._cond:
                self._finished = self._idle = True
                self._cond.notify_all()

    def _hand_over(self, kind: str, value: object) -> None:
        with self._cond:
            self._ready.append((kind, value))
            self._cond.notify_all()
        # Not a file more until the importing thread takes it: two batches in memory at most.
        self._wait_while(lambda: bool(self._ready))


# -- reading ---------------------------------------------------------------------------------

SOURCE_ORDERS = {
    "title": "s.title COLLATE NOCASE, s.id",
    "outlet": "s.outlet COLLATE NOCASE, s.title COLLATE NOCASE, s.id",
    "published": "s.published IS NULL, s.published, s.id",
    "-published": "s.published IS NULL, s.published DESC, s.id",
    "imported": "s.imported_at, s.rowid",
    "-imported": "s.imported_at DESC, s.rowid DESC",
    "excerpts": "excerpt_count DESC, s.title COLLATE NOCASE",
}


def list_sources(
    case: CaseFile,
    *,
    text: str | None = None,
    order: str = "imported",
    limit: int | None = None,
    offset: int = 0,
) -> list[Source]:
    """Return sources (without their text), filtered by words in the title, outlet or text."""
    if order not in SOURCE_ORDERS:
        raise Invalid(f"unknown order '{order}' (one of {', '.join(SOURCE_ORDERS)})")
    where, params = _source_filter(text)
    sql = f"SELECT {_COLUMNS}, {_COUNT} FROM sources s {where} ORDER BY {SOURCE_ORDERS[order]}"
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params += [limit, offset]
    return [_row_to_source(r) for r in case.db.conn.execute(sql, params)]


def count_sources(case: CaseFile, *, text: str | None = None) -> int:
    """Return how many sources match the same filter as ``list_sources``."""
    where, params = _source_filter(text)
    return case.db.conn.execute(f"SELECT count(*) FROM sources s {where}", params).fetchone()[0]


def _source_filter(text: str | None) -> tuple[str, list]:
    if not text or not text.strip():
        return "", []
    from evidence_tui.domain.search import match_expression

    like = f"%{text.strip()}%"
    return (
        "WHERE s.title LIKE ? OR s.outlet LIKE ? "
        "OR s.rowid IN (SELECT rowid FROM sources_fts WHERE sources_fts MATCH ?)",
        [like, like, match_expression(text)],
    )


def get_source(case: CaseFile, ref: str, *, with_text: bool = True) -> Source:
    """Return the source named by id prefix or exact title, with its text unless told not to."""
    source_id = resolve_id(case, "sources", ref, name_column="title", what="source")
    columns = _COLUMNS + (", s.text" if with_text else "")
    row = case.db.conn.execute(
        f"SELECT {columns}, {_COUNT} FROM sources s WHERE s.id = ?", (source_id,)
    ).fetchone()
    if row is None:
        raise NotFound(f"no source '{ref}'")
    return _row_to_source(row)


def iter_sources(case: CaseFile) -> Iterator[Source]:
    """Yield every source without its text, in import order (streamed)."""
    cursor = case.db.conn.execute(f"SELECT {_COLUMNS}, {_COUNT} FROM sources s ORDER BY s.rowid")
    for row in cursor:
        yield _row_to_source(row)


def original_bytes(case: CaseFile, ref: str) -> bytes:
    """Return the original bytes a source was imported from."""
    source_id = resolve_id(case, "sources", ref, name_column="title", what="source")
    row = case.db.conn.execute("SELECT data FROM source_originals WHERE source_id = ?", (source_id,)).fetchone()
    if row is None:
        raise NotFound(f"source {source_id[:8]} has no stored original")
    return bytes(row[0])


# -- editing ---------------------------------------------------------------------------------

_UNSET = object()


def update_source(
    case: CaseFile,
    ref: str,
    *,
    title: str | None = None,
    outlet: str | None | object = _UNSET,
    author: str | None | object = _UNSET,
    url: str | None | object = _UNSET,
    date: str | None | object = _UNSET,
    reliability: str | None | object = _UNSET,
    notes: str | None | object = _UNSET,
    dayfirst: bool | None = None,
) -> Source:
    """Edit a source's metadata. ``date`` is a raw date string, parsed as on import ('' clears)."""
    source_id = resolve_id(case, "sources", ref, name_column="title", what="source")
    changes: dict = {}
    if title is not None:
        title = " ".join(title.split())
        if not title:
            raise Invalid("a source needs a title")
        changes["title"] = title
    for column, value in (("outlet", outlet), ("author", author), ("url", url), ("notes", notes)):
        if value is not _UNSET:
            changes[column] = (value or "").strip() or None  # type: ignore[union-attr]
    if changes.get("outlet"):  # one spelling per outlet (see importers.document): spaces collapsed
        changes["outlet"] = " ".join(changes["outlet"].split())
    if reliability is not _UNSET:
        grade = (reliability or "").strip().upper() or None  # type: ignore[union-attr]
        if grade is not None and grade not in RELIABILITY_GRADES:
            raise Invalid(f"reliability must be one of A-F (Admiralty scale), not '{reliability}'")
        changes["reliability"] = grade
    if date is not _UNSET:
        raw = (date or "").strip()  # type: ignore[union-attr]
        if not raw:
            changes.update(published=None, published_raw=None, published_precision="none")
        else:
            parsed = read_date(raw, dayfirst)
            changes.update(published=parsed.iso, published_raw=raw, published_precision=parsed.precision)
    if changes:
        with operation(case, "source.edit", case.actor) as op:
            changes["updated_at"] = utc_now()
            op.update("sources", source_id, changes)
            op.summary = f"edit source {source_id[:8]}"
    return get_source(case, source_id, with_text=False)
