"""CSV export: one row per excerpt (or per excerpt and claim type), streamed, spreadsheet-safe.

RFC 4180 quoting, UTF-8 (with a BOM for Excel when asked). Cells that a spreadsheet would run as
a formula are neutralised as OWASP recommends: a leading ``'`` before ``= + - @``, tab or CR.
"""

from __future__ import annotations

import csv
import queue
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from itertools import compress
from typing import TextIO, TypeVar

from evidence_tui.domain.excerpts import EXPORT_COLUMNS, ExportChunk, ExportPlan, export_part_chunks
from evidence_tui.store import CaseFile

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
LIST_SEPARATOR = "; "


def neutralise(value: object) -> object:
    """Return a cell value that a spreadsheet will show as text, never run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def cell(value: object) -> object:
    """Return a row value as a CSV cell: lists joined with "; ", None as empty."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return LIST_SEPARATOR.join(str(v) for v in value)
    return value


def explode_types(rows: Iterable[dict]) -> Iterator[dict]:
    """Yield one row per claim type of each excerpt (an untagged excerpt keeps one empty row)."""
    for row in rows:
        types = row.get("claim_types") or []
        if isinstance(types, str):
            types = [types]
        for claim_type in types or [""]:
            yield {**row, "claim_types": claim_type}


def write_csv(
    rows: Iterable[dict],
    out: TextIO,
    *,
    columns: tuple[str, ...] = EXPORT_COLUMNS,
    one_row_per_type: bool = False,
    excel: bool = False,
    raw: bool = False,
) -> int:
    """Write rows as CSV to ``out`` (opened with ``newline=''``); returns the number of data rows."""
    if excel:
        out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    header = [("claim_type" if c == "claim_types" and one_row_per_type else c) for c in columns]
    writer.writerow(header)
    count = 0
    source = explode_types(rows) if one_row_per_type else rows
    for row in source:
        values = [cell(row.get(c)) for c in columns]
        writer.writerow(values if raw else [neutralise(v) for v in values])
        count += 1
    return count


# -- the column path: whole columns encoded with bytes methods ----------------------------------
# ``write_csv`` runs csv.writer and a Python call per cell; at a million rows that is most of the
# time. Here a column of a chunk is joined once and checked with ``bytes.translate`` (a C loop):
# only the cells that need quotes or a formula guard are touched one by one. The bytes are the
# same as ``write_csv``'s (tests/test_export_columns.py checks it, on any text).

_SEP = b"\xff"  # never in UTF-8 text; a cell that holds it (not UTF-8) goes the cell-by-cell way
_NOT_SPECIAL = bytes(sorted(set(range(256)) - set(b',"\r\n\xff')))
_TRIGGERS = tuple(t.encode() for t in FORMULA_TRIGGERS)
# A cell (after the first) that starts with a trigger: one regex pass (sre finds the separators
# with a fast literal search), five times faster than a search per trigger.
_GUARD_NEEDED = re.compile(_SEP + b"[" + re.escape(b"".join(_TRIGGERS)) + b"]")


def _encode_cell(value: bytes, raw: bool) -> bytes:
    if not raw and value.startswith(_TRIGGERS):
        value = b"'" + value
    if any(c in value for c in (b",", b'"', b"\r", b"\n")):
        return b'"' + value.replace(b'"', b'""') + b'"'
    return value


def encode_column(cells: list[bytes] | tuple[bytes, ...], raw: bool = False) -> list[bytes] | tuple[bytes, ...]:
    """Return a column's UTF-8 cells as CSV cells: formula guard (unless ``raw``) and RFC 4180 quotes."""
    joined = _SEP.join(cells)
    if joined.count(_SEP) != len(cells) - 1:
        return [_encode_cell(v, raw) for v in cells]
    if not raw and (joined.startswith(_TRIGGERS) or _GUARD_NEEDED.search(joined)):
        cells = [b"'" + v if v.startswith(_TRIGGERS) else v for v in cells]
    specials = joined.translate(None, _NOT_SPECIAL)
    if len(specials) == len(cells) - 1:  # nothing but the separators: no cell needs quotes
        return cells
    cells = list(cells)
    for i in compress(range(len(cells)), specials.split(_SEP)):
        cells[i] = b'"' + cells[i].replace(b'"', b'""') + b'"'
    return cells


def encode_rows(columns: list, raw: bool = False) -> bytes:
    """Return CSV lines (each ending in CRLF) for a chunk given as columns of UTF-8 cells."""
    return _lines([encode_column(column, raw) for column in columns])


def _lines(columns: Iterable) -> bytes:
    """CSV lines (each ending in CRLF) of columns of encoded cells."""
    return b"\r\n".join(map(b",".join, zip(*columns))) + b"\r\n"


# Excerpt columns written as they are: "start,end" (digits and a comma) and review_status (one
# of four words), as the schema's CHECKs keep them.
_AS_IS = {4, 8}


class ChunkEncoder:
    """Encodes the ``ExportChunk``s of one part as CSV lines in ``EXPORT_COLUMNS`` order; a source's
    cells are encoded once, not once per excerpt (a part holds at most ``_PART_SOURCES`` sources)."""

    def __init__(self, raw: bool = False) -> None:
        self.raw = raw
        self._head: dict[int, bytes] = {}  # source rowid -> its cells before the quote, encoded
        self._tail: dict[int, bytes] = {}  # source rowid -> reliability and sha256, encoded

    def encode(self, chunk: ExportChunk) -> bytes:
        """Return the chunk's CSV lines, each ending in CRLF."""
        rowids = chunk.source_rowids
        new = [r for r in dict.fromkeys(rowids) if r not in self._head]
        if new:
            cells = [encode_column(column, self.raw) for column in zip(*(chunk.sources[r] for r in new))]
            self._head.update(zip(new, map(b",".join, zip(*cells[:-2]))))  # source_id .. published_raw
            self._tail.update(zip(new, map(b",".join, zip(*cells[-2:]))))
        columns = [column if i in _AS_IS else encode_column(column, self.raw)
                   for i, column in enumerate(chunk.columns)]
        excerpt_id, *middle, note, tagged_at = columns
        return _lines([excerpt_id, map(self._head.__getitem__, rowids), *middle, note,
                       map(self._tail.__getitem__, rowids), tagged_at])


T = TypeVar("T")
B = TypeVar("B")
_DONE = object()


def ordered_parallel(parts: list[T], work: Callable[[T], Iterator[B]], workers: int = 2, depth: int = 8,
                     *, start: Callable[[], object] | None = None, finish: Callable[[], object] | None = None,
                     ) -> Iterator[B]:
    """Yield the blocks ``work(part)`` yields, part after part in order, while ``workers`` threads
    produce them. At most ``workers + 1`` parts are under way and each holds at most ``depth``
    blocks, so memory stays flat whatever the size. Every part runs on a worker thread (never
    the caller's), each thread calling ``start()`` first and ``finish()`` last; an error in a
    part is raised here, and closing the iterator stops the workers.
    """
    if not parts:
        return
    lock = threading.Lock()
    slots = threading.Semaphore(workers + 1)
    order: queue.Queue = queue.Queue()
    pending = iter(parts)
    stop = threading.Event()

    def put(out: queue.Queue, item: object) -> bool:
        while not stop.is_set():
            try:
                out.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            if start is not None:
                start()
            produce()
        except BaseException as error:  # start() failed: the next part to be read reports it
            with lock:
                order.put(error)
        finally:
            if finish is not None:
                finish()

    def produce() -> None:
        while not stop.is_set():
            if not slots.acquire(timeout=0.1):
                continue
            with lock:  # parts are taken and announced in order
                part = next(pending, _DONE)
                out: queue.Queue = queue.Queue(depth)
                order.put(_DONE if part is _DONE else out)
            if part is _DONE:
                return
            try:
                for block in work(part):
                    if not put(out, block):
                        return
                put(out, _DONE)
            except BaseException as error:  # raised again in the caller's thread
                put(out, error)
                return

    threads = [threading.Thread(target=run, name=f"export-{i}", daemon=True) for i in range(workers)]
    for thread in threads:
        thread.start()
    try:
        for _ in parts:
            out = order.get()
            if isinstance(out, BaseException):
                raise out
            while (block := out.get()) is not _DONE:
                if isinstance(block, BaseException):
                    raise block
                yield block
            slots.release()
    finally:
        stop.set()
        for thread in threads:
            thread.join()


def write_csv_columns(case: CaseFile, plan: ExportPlan, out: TextIO, *, excel: bool = False, raw: bool = False,
                      workers: int = 1) -> int:
    """Write the export ``plan`` describes as CSV to ``out``: the same bytes as ``write_csv`` over
    ``iter_export_rows``, read and encoded a chunk of columns at a time; returns the row count.

    One reader thread by default: it reads every part in one read transaction, so the file is
    one snapshot of the case even while someone tags on. (Two readers, each with a snapshot of
    its own, measured 20% slower on a million excerpts: SQLite's share of the work is small since
    schema v6, and the Python share holds the GIL.)
    """
    def work(part: tuple[int, int]) -> Iterator[tuple[int, bytes]]:
        encoder = ChunkEncoder(raw)  # one per part: parts never share a source
        for chunk in export_part_chunks(case, plan, part):
            yield len(chunk), encoder.encode(chunk)

    def start() -> None:
        case.db.conn.execute("BEGIN")  # one snapshot for all this thread's parts

    def finish() -> None:
        case.db.conn.close()  # this worker thread's own connection (it was set to read bytes)

    blocks = ordered_parallel(plan.parts, work, workers, start=start, finish=finish)
    count = 0

    header = ("\ufeff" if excel else "") + ",".join(EXPORT_COLUMNS) + "\r\n"
    buffer = getattr(out, "buffer", None)
    if buffer is None:  # a text-only stream (io.StringIO)
        out.write(header)
        for rows, block in blocks:
            out.write(block.decode("utf-8", "surrogateescape"))
            count += rows
        return count
    out.write(header)
    out.flush()
    for rows, block in blocks:
        buffer.write(block)
        count += rows
    buffer.flush()
    return count
