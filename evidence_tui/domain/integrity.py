"""Checking a case file, and repairing what can be repaired without losing evidence.

``check_case`` looks at everything a case file promises: SQLite's own ``integrity_check``, the
full-text indexes against the tables they index, every source's original bytes and text against
the SHA-256 stored at import, every excerpt's quote against its offsets, and foreign keys. It
returns a ``CheckReport`` listing each problem on one line.

``repair_case`` fixes the two kinds of problem that can be fixed from the case file itself: an
excerpt whose offsets drifted is re-anchored where its quote occurs (the occurrence whose
surroundings best match its stored prefix and suffix), and the full-text indexes are rebuilt.
It never deletes anything, and it goes through the logged write path, so a repair is in the
audit trail and ``undo`` reverts it. Hash mismatches and damaged pages are reported, never
"fixed": they need a human and a backup.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import asdict, dataclass, field

from evidence_tui.domain.excerpts import anchor, find_quote
from evidence_tui.store import CaseFile, DatabaseErrors, OperationalErrors, operation, utc_now
from evidence_tui.store.schema import APPLICATION_ID, SCHEMA_VERSION, excerpt_links_select, rebuild_excerpt_links

FTS_TABLES = {"sources_fts": "sources", "excerpts_fts": "excerpts"}
_MAX_SQLITE_MESSAGES = 50


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a case file."""

    kind: str  # sqlite, schema, fts, index, original, source-hash, text-hash, excerpt, foreign-key
    record: str | None
    message: str
    repairable: bool = False

    def line(self) -> str:
        """The problem as one line: ``kind: record: message``."""
        return f"{self.kind}: {self.record}: {self.message}" if self.record else f"{self.kind}: {self.message}"

    def as_dict(self) -> dict:
        """The problem as a dict (for --json)."""
        return asdict(self)


@dataclass
class CheckReport:
    """The outcome of ``check_case``: what was looked at and what is wrong."""

    problems: list[Problem] = field(default_factory=list)
    sources: int = 0
    excerpts: int = 0
    notes: list[str] = field(default_factory=list)  # checks that could not run, and why

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems

    def as_dict(self) -> dict:
        """The report as a dict (for --json)."""
        return {
            "ok": self.ok,
            "sources": self.sources,
            "excerpts": self.excerpts,
            "problems": [p.as_dict() for p in self.problems],
            "notes": list(self.notes),
        }


@dataclass
class RepairReport:
    """What ``repair_case`` changed, and the check that followed it."""

    reanchored: list[tuple[str, int, int, int, int]] = field(default_factory=list)  # id, old start/end, new start/end
    fts_rebuilt: list[str] = field(default_factory=list)
    operation_id: str | None = None
    after: CheckReport = field(default_factory=CheckReport)

    def as_dict(self) -> dict:
        """The report as a dict (for --json)."""
        return {
            "reanchored": [
                {"excerpt_id": i, "old": [a, b], "new": [c, d]} for i, a, b, c, d in self.reanchored
            ],
            "fts_rebuilt": list(self.fts_rebuilt),
            "operation_id": self.operation_id,
            "after": self.after.as_dict(),
        }


# -- checking ----------------------------------------------------------------------------------


def check_case(case: CaseFile) -> CheckReport:
    """Check the whole case file; read-only (the FTS check runs in a transaction it rolls back)."""
    report = CheckReport()
    conn = case.db.conn
    steps = (_check_sqlite, _check_schema, _check_foreign_keys, _check_fts, _check_links, _check_sources,
             _check_excerpts)
    for step in steps:
        try:
            step(conn, report)
        except DatabaseErrors as error:
            report.problems.append(Problem("sqlite", None, f"{step.__name__[7:]} check stopped: {error}"))
    return report


def _check_sqlite(conn: sqlite3.Connection, report: CheckReport) -> None:
    rows = [row[0] for row in conn.execute(f"PRAGMA integrity_check({_MAX_SQLITE_MESSAGES})")]
    if rows != ["ok"]:
        for message in rows:
            report.problems.append(Problem("sqlite", None, message))


def _check_schema(conn: sqlite3.Connection, report: CheckReport) -> None:
    application_id = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if application_id != APPLICATION_ID:
        report.problems.append(Problem("schema", None, f"application id is {application_id:#x}, not {APPLICATION_ID:#x}"))
    if version != SCHEMA_VERSION:
        report.problems.append(Problem("schema", None, f"schema version is {version}, expected {SCHEMA_VERSION}"))


def _check_foreign_keys(conn: sqlite3.Connection, report: CheckReport) -> None:
    for row in conn.execute("PRAGMA foreign_key_check"):
        table, rowid, parent = row[0], row[1], row[2]
        key = _record_key(conn, table, rowid)
        report.problems.append(Problem("foreign-key", f"{table} {key}", f"refers to a missing row of {parent}"))


def _record_key(conn: sqlite3.Connection, table: str, rowid: int | None) -> str:
    if rowid is None:
        return "(no rowid)"
    from evidence_tui.store.schema import PRIMARY_KEYS

    columns = PRIMARY_KEYS.get(table)
    if not columns:
        return f"rowid {rowid}"
    quoted = ", ".join(f'"{c}"' for c in columns)
    row = conn.execute(f'SELECT {quoted} FROM "{table}" WHERE rowid = ?', (rowid,)).fetchone()
    if row is None:
        return f"rowid {rowid}"
    return "/".join(str(v)[:8] if isinstance(v, str) and len(v) == 32 else str(v) for v in row)


def fts_problems(conn: sqlite3.Connection) -> tuple[list[Problem], list[str]]:
    """Compare each full-text index with its table; returns (problems, notes)."""
    problems: list[Problem] = []
    notes: list[str] = []
    for fts, table in FTS_TABLES.items():
        # FTS5's own check (rank 1: against the content table). It is an INSERT, so it runs in a
        # savepoint that is rolled back; nothing is written.
        try:
            conn.execute("SAVEPOINT evidence_check")
            try:
                conn.execute(f"INSERT INTO {fts}({fts}, rank) VALUES ('integrity-check', 1)")
            finally:
                conn.execute("ROLLBACK TO evidence_check")
                conn.execute("RELEASE evidence_check")
        except OperationalErrors as error:
            if "readonly" not in str(error).lower() and "read-only" not in str(error).lower():
                raise
            notes.append(f"{fts}: the case file is read-only; only the indexed rows were compared")
            missing = conn.execute(
                f"SELECT count(*) FROM {table} t WHERE t.rowid NOT IN (SELECT id FROM {fts}_docsize)"
            ).fetchone()[0]
            extra = conn.execute(
                f"SELECT count(*) FROM {fts}_docsize d WHERE d.id NOT IN (SELECT rowid FROM {table})"
            ).fetchone()[0]
            if missing or extra:
                problems.append(Problem("fts", fts, f"{missing} rows not indexed, {extra} stale index entries", True))
        except DatabaseErrors:
            problems.append(Problem("fts", fts, f"the search index does not match the {table} table", True))
    return problems, notes


def _check_fts(conn: sqlite3.Connection, report: CheckReport) -> None:
    problems, notes = fts_problems(conn)
    report.problems.extend(problems)
    report.notes.extend(notes)


def _check_links(conn: sqlite3.Connection, report: CheckReport) -> None:
    report.problems.extend(links_problems(conn))


# excerpt_links is derived like the search indexes (see schema._v6_excerpt_links): a row that
# differs from what the link tables make now, is missing, or belongs to no excerpt.
_LINKS_OUT_OF_STEP = f"""
SELECT count(*) FROM ({excerpt_links_select('1')}) AS now
LEFT JOIN excerpt_links kept ON kept.excerpt_rowid = now.excerpt_rowid
WHERE (kept.excerpt_rowid IS NULL AND coalesce(now.claim_types, now.claims, now.entities) IS NOT NULL)
   OR (kept.excerpt_rowid IS NOT NULL AND (kept.claim_types IS NOT now.claim_types OR kept.tagged_at IS NOT now.tagged_at
       OR kept.claims IS NOT now.claims OR kept.entities IS NOT now.entities))
"""


def links_problems(conn: sqlite3.Connection) -> list[Problem]:
    """Compare ``excerpt_links`` (each excerpt's links in one row, for the export) with the link
    tables; a difference is repairable (the table is made again)."""
    differ = conn.execute(_LINKS_OUT_OF_STEP).fetchone()[0]
    orphans = conn.execute(
        "SELECT count(*) FROM excerpt_links WHERE excerpt_rowid NOT IN (SELECT rowid FROM excerpts)"
    ).fetchone()[0]
    if not differ and not orphans:
        return []
    return [Problem("index", "excerpt_links", f"{differ} excerpts' link lists out of step with the links, "
                    f"{orphans} rows of deleted excerpts", True)]


def _check_sources(conn: sqlite3.Connection, report: CheckReport) -> None:
    cursor = conn.execute(
        """SELECT s.id, s.sha256, s.text_sha256, s.text, o.data, o.source_id IS NOT NULL AS has_original
           FROM sources s LEFT JOIN source_originals o ON o.source_id = s.id ORDER BY s.rowid"""
    )
    for row in cursor:
        report.sources += 1
        source_id = row["id"]
        short = source_id[:8]
        if not row["has_original"]:
            report.problems.append(Problem("original", f"source {short}", "the original bytes are missing"))
        elif hashlib.sha256(bytes(row["data"])).hexdigest() != row["sha256"]:
            report.problems.append(
                Problem("source-hash", f"source {short}", "the original bytes do not match their stored SHA-256")
            )
        text = row["text"]
        if not isinstance(text, str) or hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest() != row["text_sha256"]:
            report.problems.append(
                Problem("text-hash", f"source {short}", "the text does not match its stored SHA-256")
            )


def _check_excerpts(conn: sqlite3.Connection, report: CheckReport) -> None:
    for excerpt, text in _excerpts_with_text(conn):
        report.excerpts += 1
        problem = excerpt_problem(excerpt, text)
        if problem is not None:
            report.problems.append(problem)


def _excerpts_with_text(conn: sqlite3.Connection):
    """Yield (excerpt row, its source's text or None), reading each source's text once."""
    current_id, current_text = None, None
    cursor = conn.execute(
        'SELECT e.id, e.source_id, e.start, e."end", e.quote, e.prefix, e.suffix FROM excerpts e '
        'ORDER BY e.source_id, e.start'
    )
    for row in cursor:
        if row["source_id"] != current_id:
            current_id = row["source_id"]
            found = conn.execute("SELECT text FROM sources WHERE id = ?", (current_id,)).fetchone()
            current_text = found[0] if found else None
        yield row, current_text


def excerpt_problem(excerpt, text: str | None) -> Problem | None:
    """Return what is wrong with one excerpt's anchoring in ``text`` (None when it is right)."""
    record = f"excerpt {excerpt['id'][:8]}"
    if text is None:
        return None  # reported by the foreign key check
    start, end, quote = excerpt["start"], excerpt["end"], excerpt["quote"]
    if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start < end <= len(text):
        where = f"offsets {start}-{end} are outside the source's text (0-{len(text)})"
    elif text[start:end] != quote:
        where = f"offsets {start}-{end} do not hold its quote"
    else:
        return None
    repairable = bool(quote) and quote in text
    hint = "; its quote is in the source (--repair re-anchors it)" if repairable else "; its quote is not in the source"
    return Problem("excerpt", record, where + hint, repairable)


# -- repairing ---------------------------------------------------------------------------------


def _common_suffix(a: str, b: str) -> int:
    n = 0
    while n < len(a) and n < len(b) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < len(a) and n < len(b) and a[n] == b[n]:
        n += 1
    return n


def reanchor(text: str, quote: str, prefix: str, suffix: str, old_start: int) -> int | None:
    """Return where ``quote`` belongs in ``text``: the occurrence whose surroundings best match
    ``prefix`` and ``suffix`` (ties: the one nearest ``old_start``); None if it does not occur."""
    if not quote:
        return None
    starts = find_quote(text, quote)
    if not starts:
        return None

    def score(start: int) -> tuple[int, int]:
        before = text[max(0, start - len(prefix)):start]
        after = text[start + len(quote):start + len(quote) + len(suffix)]
        return (_common_suffix(before, prefix) + _common_prefix(after, suffix), -abs(start - old_start))

    return max(starts, key=score)


def repair_case(case: CaseFile) -> RepairReport:
    """Re-anchor drifted excerpts and rebuild the full-text indexes, as one logged operation.

    Deletes nothing. Returns what changed and a fresh check of the case file.
    """
    report = RepairReport()
    conn = case.db.conn
    with operation(case, "check.repair", case.actor) as op:
        for excerpt, text in list(_excerpts_with_text(conn)):
            problem = excerpt_problem(excerpt, text)
            if problem is None or not problem.repairable:
                continue
            start = reanchor(text, excerpt["quote"], excerpt["prefix"], excerpt["suffix"], excerpt["start"])
            if start is None:
                continue
            end = start + len(excerpt["quote"])
            op.update("excerpts", excerpt["id"], {**anchor(text, start, end), "updated_at": utc_now()})
            report.reanchored.append((excerpt["id"], excerpt["start"], excerpt["end"], start, end))
        problems, _notes = fts_problems(op.conn)
        for fts in sorted({p.record for p in problems if p.kind == "fts"}):
            op.conn.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
            report.fts_rebuilt.append(fts)
        if links_problems(op.conn):
            rebuild_excerpt_links(op.conn)
            report.fts_rebuilt.append("excerpt_links")
        if report.reanchored or report.fts_rebuilt:
            # A row in the log even when only an index was rebuilt (indexes are not logged rows).
            op.update("settings", "last_repair", {"value": _repair_note(report)}) or op.insert(
                "settings", {"key": "last_repair", "value": _repair_note(report)}
            )
            op.summary = (
                f"repair: re-anchor {len(report.reanchored)} excerpts"
                + (f", rebuild {', '.join(report.fts_rebuilt)}" if report.fts_rebuilt else "")
            )
            report.operation_id = op.id
    report.after = check_case(case)
    return report


def _repair_note(report: RepairReport) -> str:
    return json.dumps(
        {"at": utc_now(), "reanchored": len(report.reanchored), "fts_rebuilt": report.fts_rebuilt},
        ensure_ascii=False,
    )
