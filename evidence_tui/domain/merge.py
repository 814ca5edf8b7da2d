"""Merging another researcher's case file into this one: exact, in one step, undoable.

Every record has a globally unique id, so merging is mostly "bring in each record of the other
file whose id is not here yet". The rules for the rest:

* **Sources** are one source when their SHA-256 (of the original bytes) is the same, whatever
  their ids: the other side's excerpts and claim links are re-pointed to our source. A source's
  text, hashes and original bytes are never changed by a merge.
* **Excerpts** keep their id and their author; two researchers marking the same span give two
  excerpts, each with its author (reported, never folded together).
* **Claim types, entities and claims** with the same name (claim types: name; entities: name and
  kind; claims: statement; all case-insensitive) but different ids are matched and reported.
  ``match_names="merge"`` (the default) uses our record for theirs: their tags and links are
  re-pointed to ours, and their version of the record, when it differs from ours, is kept in the
  event log. ``"keep-both"``
  brings theirs in under a new name, ``NAME (from FILE)``.
  Merge is the default because it is the safe one for evidence: nothing is lost (every tag and
  link of theirs is kept, on our record of the same name, and their record's text is in the log),
  the case file's rule that a name means one thing holds, and the typical case, two researchers
  who loaded the same codebook and entity list, gives one codebook instead of every type twice
  with duplicated hotkeys. Keep-both would silently change the names of the other researcher's
  records, and a wrong merge is one ``undo`` away.
* **A record changed on both sides** (same id, different content) keeps both versions in the event
  log (the loser's as a ``settings`` row ``merge.kept/...`` written in the same operation) and the
  newer ``updated_at`` wins; a tie keeps ours. When one side's event log shows that it edited the
  very version the other still has, the record changed on that side only: it is updated (or kept)
  without being called a conflict. Link rows and reviews have no ``updated_at``: a difference
  keeps ours and is reported.
* Links (excerpt claim types, entities, claims), reviews and aliases come along, re-pointed to the
  matched records; the codebook order and hotkeys of ours win (a clashing hotkey of theirs is
  dropped and reported). ``settings`` and the other file's own event log are not merged.

The whole merge is one logged operation (``undo`` takes it back; a crash leaves nothing), the
other file is only read (SQLite read-only mode, in one read transaction, so a snapshot), merging
twice changes nothing, and a dry run computes the same plan and writes nothing. Afterwards every
excerpt of the sources the merge touched is checked against its source's text.

Deleting is not merged: a record deleted here that the other file still has comes back.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from evidence_tui.domain.integrity import Problem, excerpt_problem
from evidence_tui.domain.refs import nocase
from evidence_tui.errors import CaseFileError, Invalid
from evidence_tui.store import CaseFile, DatabaseErrors, IntegrityErrors, Operation, operation, utc_now
from evidence_tui.store import crypto
from evidence_tui.store.journal import bulk_source_index
from evidence_tui.store.schema import APPLICATION_ID, SCHEMA_VERSION

MATCH_NAMES = ("merge", "keep-both")
DEFAULT_MATCH_NAMES = "merge"

# The tables merged, in an order where every record comes after those it refers to.
DATA_TABLES = (
    "sources", "source_originals", "claim_types", "entities", "entity_aliases", "claims", "excerpts",
    "excerpt_claim_types", "claim_excerpts", "claim_sources", "excerpt_entities", "claim_entities", "reviews",
)
_LINKS = {
    # table: (key columns, columns compared, {column: which map re-points it})
    "excerpt_claim_types": (("excerpt_id", "claim_type_id"), (), {"claim_type_id": "claim_types"}),
    "claim_excerpts": (("claim_id", "excerpt_id"), ("stance",), {"claim_id": "claims"}),
    "claim_sources": (("claim_id", "source_id"), ("stance",), {"claim_id": "claims", "source_id": "sources"}),
    "excerpt_entities": (("excerpt_id", "entity_id", "role"), (), {"entity_id": "entities"}),
    "claim_entities": (("claim_id", "entity_id", "role"), (), {"claim_id": "claims", "entity_id": "entities"}),
}
# Never compared nor copied onto an existing record.
_BOOKKEEPING = ("id", "created_at", "updated_at", "imported_at")
# A source's identity: never changed by a merge (excerpts point into the text).
_SOURCE_FIXED = ("sha256", "text_sha256", "text", "format", "encoding", "file_name")
_CHUNK = 400


# -- the report --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Conflict:
    """A record that differs between the two files; ``winner`` is the version the merge keeps."""

    table: str
    record: str
    label: str
    fields: tuple[str, ...]
    ours_updated_at: str | None
    theirs_updated_at: str | None
    winner: str  # ours | theirs

    def line(self) -> str:
        """The conflict as one line for people."""
        when = ""
        if self.ours_updated_at or self.theirs_updated_at:
            when = f" (ours {self.ours_updated_at or '?'}, theirs {self.theirs_updated_at or '?'})"
        what = f"{_singular(self.table)} {self.label}" if self.table in _LINKS else (
            f"{_singular(self.table)} {self.record[:8]} '{self.label}'")
        return f"{what}: {', '.join(self.fields)} differ{when}; kept {self.winner}"


@dataclass(frozen=True)
class NameMatch:
    """A claim type, entity or claim of theirs with the name of one of ours but another id."""

    table: str
    name: str
    ours_id: str
    theirs_id: str
    action: str  # merged | kept both
    new_name: str | None = None
    differences: tuple[str, ...] = ()

    def line(self) -> str:
        """The match as one line for people."""
        what = f"{_singular(self.table)} '{self.name}'"
        if self.action == "merged":
            diff = f" (theirs differs in {', '.join(self.differences)}; ours kept)" if self.differences else ""
            return f"{what}: theirs {self.theirs_id[:8]} merged into ours {self.ours_id[:8]}{diff}"
        return f"{what}: theirs {self.theirs_id[:8]} kept as '{self.new_name}'"


@dataclass(frozen=True)
class SameSource:
    """A source both files hold (same SHA-256) under different ids."""

    ours_id: str
    theirs_id: str
    title: str


@dataclass
class MergeReport:
    """What a merge did (or, for a dry run, would do)."""

    other: str
    dry_run: bool
    match_names: str
    new: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    already_here: dict[str, int] = field(default_factory=dict)
    same_sources: list[SameSource] = field(default_factory=list)
    name_matches: list[NameMatch] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    authors: dict[str, int] = field(default_factory=dict)  # new excerpts per author
    anchor_problems: list[Problem] = field(default_factory=list)
    excerpts_checked: int = 0
    operation_id: str | None = None
    seconds: float = 0.0

    @property
    def total_new(self) -> int:
        """Records brought in."""
        return sum(self.new.values())

    @property
    def total_updated(self) -> int:
        """Records of ours replaced by their newer version."""
        return sum(self.updated.values())

    @property
    def changed(self) -> bool:
        """True when the merge wrote (or would write) anything."""
        return bool(self.total_new or self.total_updated)

    def as_dict(self) -> dict[str, Any]:
        """The report as a dict (for --json)."""
        return {
            "other": self.other,
            "dry_run": self.dry_run,
            "match_names": self.match_names,
            "new_total": self.total_new,
            "updated_total": self.total_updated,
            "new": dict(self.new),
            "updated": dict(self.updated),
            "already_here": dict(self.already_here),
            "same_sources": [asdict(s) for s in self.same_sources],
            "name_matches": [asdict(m) for m in self.name_matches],
            "conflicts": [asdict(c) for c in self.conflicts],
            "notes": list(self.notes),
            "authors": dict(self.authors),
            "anchor_problems": [p.as_dict() for p in self.anchor_problems],
            "excerpts_checked": self.excerpts_checked,
            "operation_id": self.operation_id,
            "seconds": round(self.seconds, 3),
        }


def _singular(table: str) -> str:
    return {
        "sources": "source", "claim_types": "claim type", "entities": "entity", "claims": "claim",
        "excerpts": "excerpt", "entity_aliases": "alias", "reviews": "review",
    }.get(table, table.replace("_", " ").rstrip("s"))


# -- opening the other file --------------------------------------------------------------------


@contextmanager
def open_other(path: str | os.PathLike, case: CaseFile | None = None) -> Iterator[sqlite3.Connection]:
    """Open another case file read-only, in one read transaction (a consistent snapshot).

    Raises ``CaseFileError`` (one line naming the file) for a missing file, a folder, a file that
    is not an evidence-tui case file, one written by a newer version, or this case file itself.
    The file is never written: SQLite's read-only mode, no migration, no backup.
    """
    path = Path(path).expanduser()
    if path.is_dir():
        raise CaseFileError(f"{path}: is a folder, not a case file")
    # The store's own reading of the first bytes (missing, empty, plain SQLite, encrypted, other).
    kind = crypto.file_kind(path)
    if kind == "missing":
        raise CaseFileError(f"{path}: no such case file")
    if kind == "encrypted":
        # Merging reads the other file without a passphrase: say so, not "not a database".
        raise CaseFileError(f"{path}: is encrypted (or not a SQLite database); merge reads plain case files: "
                            "decrypt a copy of it ('evidence-tui decrypt --db COPY') and merge the copy")
    if kind != "plain":
        raise CaseFileError(f"{path}: not an evidence-tui case file (empty)")
    if case is not None and case.path.exists() and os.path.samefile(path, case.path):
        raise CaseFileError(f"{path}: is the case file being merged into; nothing to merge")
    uri = "file:" + urllib.parse.quote(str(path.resolve())) + "?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None)
    except DatabaseErrors as error:
        raise CaseFileError(f"{path}: cannot open the case file ({error})") from None
    conn.row_factory = sqlite3.Row
    try:
        try:
            conn.execute("BEGIN")
            application_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except DatabaseErrors as error:
            raise CaseFileError(f"{path}: cannot read the case file ({error})") from None
        check_schema(path, application_id, version)
        yield conn
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.close()


def check_schema(name: object, application_id: int, version: int) -> None:
    """Refuse another program's database, and one written by a newer evidence-tui."""
    if application_id != APPLICATION_ID:
        raise CaseFileError(f"{name}: not an evidence-tui case file (another program's database)")
    if version > SCHEMA_VERSION:
        raise CaseFileError(
            f"{name}: written by a newer evidence-tui (schema {version}, this version knows {SCHEMA_VERSION}); "
            "upgrade evidence-tui to merge it"
        )


# -- merging -----------------------------------------------------------------------------------


def merge_case_file(
    case: CaseFile, other: str | os.PathLike, *, dry_run: bool = False, match_names: str = DEFAULT_MATCH_NAMES
) -> MergeReport:
    """Merge the case file at ``other`` into ``case`` (see the module's docstring for the rules)."""
    with open_other(other, case) as theirs:
        return merge_from(case, theirs, Path(other).name, dry_run=dry_run, match_names=match_names)


def merge_from(
    case: CaseFile, theirs: sqlite3.Connection, label: str, *, dry_run: bool = False,
    match_names: str = DEFAULT_MATCH_NAMES,
) -> MergeReport:
    """Merge the case file open on ``theirs`` (called ``label`` in messages) into ``case``."""
    if match_names not in MATCH_NAMES:
        raise Invalid(f"unknown --match-names '{match_names}' (one of {', '.join(MATCH_NAMES)})")
    started = time.perf_counter()
    report = MergeReport(other=label, dry_run=dry_run, match_names=match_names)
    if dry_run:
        conn = case.db.conn
        conn.execute("BEGIN")  # a read transaction: one snapshot of ours too
        try:
            plan = _Planner(conn, theirs, label, match_names, report).make()
            report.anchor_problems, report.excerpts_checked = plan.predicted_anchor_problems()
        finally:
            conn.execute("ROLLBACK")
    else:
        try:
            with operation(case, "merge", case.actor) as op:
                plan = _Planner(op.conn, theirs, label, match_names, report).make()
                plan.apply(op, label)
                op.summary = (
                    f"merge {label}: {report.total_new} new, {report.total_updated} updated, "
                    f"{len(report.conflicts)} conflicts"
                )
                report.operation_id = op.id if op.changed else None
        except IntegrityErrors as error:
            raise CaseFileError(
                f"{label}: its records do not fit together ({error}); nothing was merged "
                "(run 'evidence-tui check' on it)"
            ) from None
        report.anchor_problems, report.excerpts_checked = _anchor_problems(case.db.conn, plan.touched_sources)
    report.seconds = time.perf_counter() - started
    return report


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')]


def _chunks(items: list, size: int = _CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _digest(row: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(row, sort_keys=True, ensure_ascii=False, default=str).encode(
        "utf-8", "surrogatepass")).hexdigest()[:16]


def _fold(name: str) -> str:
    """How names are matched: case-insensitive (Unicode), runs of white space as one space."""
    return " ".join(str(name).split()).casefold()


class _Plan:
    """The writes a merge makes, computed before any of them."""

    def __init__(self, ours: sqlite3.Connection, theirs: sqlite3.Connection, report: MergeReport) -> None:
        self.ours = ours
        self.theirs = theirs
        self.report = report
        self.inserts: dict[str, list[dict[str, Any]]] = {t: [] for t in DATA_TABLES}
        self.new_sources: list[str] = []  # their ids (rows fetched with text at apply time)
        self.updates: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
        self.kept: dict[str, str] = {}  # settings rows keeping the other version of a record
        self.touched_sources: set[str] = set()
        self.incoming_excerpts: dict[str, dict[str, Any]] = {}  # our excerpt id -> row as merged

    def count(self, kind: str, table: str, n: int = 1) -> None:
        bucket = getattr(self.report, kind)
        bucket[table] = bucket.get(table, 0) + n

    def apply(self, op: Operation, label: str) -> None:
        """Write the plan inside ``op`` (one transaction, every row logged)."""
        try:
            self._apply(op)
        except IntegrityErrors as error:
            raise CaseFileError(
                f"{label}: its records do not fit together ({error}); run 'evidence-tui check' on it"
            ) from None

    def _apply(self, op: Operation) -> None:
        # Links are checked at commit: updates (which may rename a record out of a new one's way)
        # go first, then the new records.
        op.conn.execute("PRAGMA defer_foreign_keys = ON")
        for table, key, changes in self.updates:
            op.update(table, key, changes)
        source_columns = [c for c in _columns(self.theirs, "sources") if c in set(_columns(op.conn, "sources"))]
        with bulk_source_index(op.conn, len(self.new_sources)):
            for ids in _chunks(self.new_sources, 100):
                marks = ", ".join("?" for _ in ids)
                cols = ", ".join(f'"{c}"' for c in source_columns)
                rows = [dict(r) for r in self.theirs.execute(f"SELECT {cols} FROM sources WHERE id IN ({marks})", ids)]
                op.insert_many("sources", rows)
        for ids in _chunks(self.new_sources, 100):
            marks = ", ".join("?" for _ in ids)
            rows = [dict(r) for r in self.theirs.execute(
                f"SELECT source_id, data FROM source_originals WHERE source_id IN ({marks})", ids)]
            op.insert_many("source_originals", rows)
        for table in DATA_TABLES:
            if table in ("sources", "source_originals"):
                continue
            rows = self.inserts[table]
            by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
            for row in rows:
                by_columns.setdefault(tuple(row), []).append(row)
            for group in by_columns.values():
                op.insert_many(table, group)
        existing = set()
        keys = list(self.kept)
        for chunk in _chunks(keys):
            marks = ", ".join("?" for _ in chunk)
            existing.update(r[0] for r in op.conn.execute(f"SELECT key FROM settings WHERE key IN ({marks})", chunk))
        kept_rows = [{"key": k, "value": v} for k, v in self.kept.items() if k not in existing]
        if kept_rows:
            op.insert_many("settings", kept_rows)

    def predicted_anchor_problems(self) -> tuple[list[Problem], int]:
        """The anchor check a real merge would run afterwards, computed from the plan."""
        problems: list[Problem] = []
        checked = 0
        for source_id in sorted(self.touched_sources):
            text = _text(self.ours, source_id)
            if text is None:
                text = _text(self.theirs, source_id)
            rows = {r["id"]: dict(r) for r in self.ours.execute(
                'SELECT id, source_id, start, "end", quote, prefix, suffix FROM excerpts WHERE source_id = ?', (source_id,))}
            rows.update({i: r for i, r in self.incoming_excerpts.items() if r["source_id"] == source_id})
            for row in sorted(rows.values(), key=lambda r: (r["start"], r["id"])):
                checked += 1
                problem = excerpt_problem(row, text)
                if problem is not None:
                    problems.append(problem)
        return problems, checked


def _text(conn: sqlite3.Connection, source_id: str) -> str | None:
    row = conn.execute("SELECT text FROM sources WHERE id = ?", (source_id,)).fetchone()
    return row[0] if row else None


def _anchor_problems(conn: sqlite3.Connection, source_ids: set[str]) -> tuple[list[Problem], int]:
    problems: list[Problem] = []
    checked = 0
    for source_id in sorted(source_ids):
        text = _text(conn, source_id)
        for row in conn.execute(
            'SELECT id, source_id, start, "end", quote, prefix, suffix FROM excerpts WHERE source_id = ? '
            "ORDER BY start, id", (source_id,)
        ):
            checked += 1
            problem = excerpt_problem(row, text)
            if problem is not None:
                problems.append(problem)
    return problems, checked


class _Planner:
    """Reads both files and decides, record by record, what the merge does."""

    def __init__(self, ours: sqlite3.Connection, theirs: sqlite3.Connection, label: str, match_names: str,
                 report: MergeReport) -> None:
        self.ours = ours
        self.theirs = theirs
        self.label = label
        self.stem = Path(label).stem or label
        self.match_names = match_names
        self.report = report
        self.plan = _Plan(ours, theirs, report)
        self.maps: dict[str, dict[str, str]] = {"sources": {}, "claim_types": {}, "entities": {}, "claims": {}}
        self.now = utc_now()
        self.our_columns = {t: set(_columns(ours, t)) for t in DATA_TABLES}

    # -- helpers ---------------------------------------------------------------------------

    def _their_rows(self, table: str, *, without: tuple[str, ...] = (), order: str = "rowid") -> Iterator[dict]:
        columns = [c for c in _columns(self.theirs, table) if c in self.our_columns[table] and c not in without]
        cols = ", ".join(f'"{c}"' for c in columns)
        for row in self.theirs.execute(f'SELECT {cols} FROM "{table}" ORDER BY {order}'):
            yield dict(row)

    def _ours_by_id(self, table: str, ids: list[str], *, column: str = "id", without: tuple[str, ...] = ()) -> dict[str, dict]:
        found: dict[str, dict] = {}
        columns = [c for c in _columns(self.ours, table) if c not in without]
        cols = ", ".join(f'"{c}"' for c in columns)
        for chunk in _chunks(ids):
            marks = ", ".join("?" for _ in chunk)
            for row in self.ours.execute(f'SELECT {cols} FROM "{table}" WHERE "{column}" IN ({marks})', chunk):
                found[row[column]] = dict(row)
        return found

    def _descends(self, conn: sqlite3.Connection, table: str, key: str, updated_at: str | None) -> bool:
        """True when ``conn``'s log shows an edit of the record made on the version ``updated_at``."""
        if not updated_at:
            return False
        try:
            row = conn.execute(
                "SELECT 1 FROM events WHERE tbl = ? AND record_key = ? AND action = 'update' "
                "AND json_extract(before, '$.updated_at') = ? LIMIT 1",
                (table, key, updated_at),
            ).fetchone()
        except DatabaseErrors:
            return False
        return row is not None

    def _keep(self, kind: str, table: str, key: str, row: dict[str, Any], **extra: Any) -> None:
        """Keep the version of a record the merge does not use, as a logged settings row."""
        body = {k: v for k, v in row.items() if k != "text"}
        name = f"merge.{kind}/{table}/{key}/{_digest(body)}"
        self.plan.kept[name] = json.dumps(
            {"from": self.label, "at": self.now, **extra, "theirs": body}, ensure_ascii=False, default=str
        )

    def _resolve(self, table: str, ours: dict, theirs: dict, fields: list[str], label: str,
                 guard=None) -> dict | None:
        """Decide between two versions of one record; returns the changes to make to ours (or None)."""
        differing = tuple(f for f in fields if f in theirs and f in ours and ours[f] != theirs[f])
        if not differing:
            self.plan.count("already_here", table)
            return None
        key = ours["id"]
        ours_at, theirs_at = ours.get("updated_at"), theirs.get("updated_at")
        newer = "theirs" if (theirs_at or "") > (ours_at or "") else "ours"
        # Changed on one side only: that side's log edited the version the other side still has.
        one_sided = (
            newer == "theirs" and self._descends(self.theirs, table, theirs.get("id", key), ours_at)
        ) or (newer == "ours" and self._descends(self.ours, table, key, theirs_at))
        if not one_sided:
            self.report.conflicts.append(Conflict(table, key, label, differing, ours_at, theirs_at, newer))
        if newer == "ours":
            if not one_sided:
                self._keep("kept", table, key, theirs, kept="ours", ours_updated_at=ours_at)
            self.plan.count("already_here", table)
            return None
        changes = {f: theirs[f] for f in differing}
        if guard is not None:
            changes = guard(changes)
        if "updated_at" in theirs:
            changes["updated_at"] = theirs_at
        self.plan.updates.append((table, {"id": key}, changes))
        self.plan.count("updated", table)
        return changes

    def _unique_name(self, taken: set, name: str, make_key) -> str:
        n = 1
        while True:
            candidate = f"{name} (from {self.stem}{'' if n == 1 else f' {n}'})"
            if make_key(candidate) not in taken:
                return candidate
            n += 1

    # -- the plan --------------------------------------------------------------------------

    def make(self) -> _Plan:
        self._sources()
        self._claim_types()
        self._entities()
        self._aliases()
        self._claims()
        self._excerpts()
        for table in _LINKS:
            self._links(table)
        self._reviews()
        return self.plan

    def _sources(self) -> None:
        compared = [c for c in _columns(self.ours, "sources") if c not in _BOOKKEEPING + _SOURCE_FIXED]
        theirs_rows = list(self._their_rows("sources", without=("text",)))
        by_id = self._ours_by_id("sources", [r["id"] for r in theirs_rows], without=("text",))
        by_hash = self._ours_by_id("sources", [r["sha256"] for r in theirs_rows if r["id"] not in by_id],
                                   column="sha256", without=("text",))
        source_map = self.maps["sources"]
        with_original = {r[0] for r in self.theirs.execute("SELECT source_id FROM source_originals")}
        for row in theirs_rows:
            ours = by_id.get(row["id"])
            if ours is None and row["sha256"] in by_hash:
                ours = by_hash[row["sha256"]]
                self.report.same_sources.append(SameSource(ours["id"], row["id"], ours["title"]))
            if ours is None:
                source_map[row["id"]] = row["id"]
                self.plan.new_sources.append(row["id"])
                self.plan.count("new", "sources")
                if row["id"] in with_original:
                    self.plan.count("new", "source_originals")
                else:
                    self.report.notes.append(f"source {row['id'][:8]} '{row['title']}': has no original bytes in {self.label}")
                continue
            source_map[row["id"]] = ours["id"]
            fixed = [f for f in ("sha256", "text_sha256") if f in row and row[f] != ours[f]]
            if fixed:
                self.report.notes.append(
                    f"source {ours['id'][:8]} '{ours['title']}': its {' and '.join(fixed)} differ in {self.label}; "
                    "kept ours (a merge never changes a source's text)"
                )
            theirs_view = {**row, "id": ours["id"]}
            if self._resolve("sources", ours, theirs_view, compared, ours["title"]):
                self.plan.touched_sources.add(ours["id"])

    # table: (name column, kind counts too, columns compared, columns reported for a name match)
    _NAMED = {
        "claim_types": ("name", False, ["name", "description", "colour", "hotkey"], ("description", "colour", "hotkey")),
        "entities": ("name", True, ["name", "kind", "notes"], ("notes",)),
        "claims": ("statement", False, ["statement", "claim_type_id", "credibility", "notes"],
                   ("claim_type_id", "credibility", "notes")),
    }

    def _claim_types(self) -> None:
        self._named("claim_types")

    def _entities(self) -> None:
        self._named("entities")

    def _claims(self) -> None:
        self._named("claims")

    def _named(self, table: str) -> None:
        """Claim types, entities, claims: by id, else matched by name against ours (``match_names``).

        Names are matched with ``_fold`` against our records only (two records of theirs are never
        matched with each other); the schema's unique names (NOCASE) are kept with ``nocase``.
        """
        column, with_kind, compared, reported = self._NAMED[table]
        strict = _fold if table == "claims" else nocase  # claims: the domain's rule, not the schema's

        def keys(name: str, kind: str | None) -> tuple[Any, Any]:
            if with_kind:
                return (_fold(name), kind), (strict(name), kind)
            return _fold(name), strict(name)

        ours_rows = [dict(r) for r in self.ours.execute(f'SELECT * FROM "{table}"')]
        by_id = {r["id"]: r for r in ours_rows}
        matchable: dict[Any, str] = {}
        taken: dict[Any, str] = {}
        for r in ours_rows:
            m, u = keys(r[column], r.get("kind"))
            matchable[m], taken[u] = r["id"], r["id"]
        is_types = table == "claim_types"
        hotkeys = {r["hotkey"]: r["id"] for r in ours_rows if is_types and r["hotkey"] is not None}
        theirs_rows = list(self._their_rows(table, order="position, rowid" if is_types else "rowid"))
        top = max((r["position"] for r in ours_rows), default=None) if is_types else None
        base = min((r["position"] for r in theirs_rows if r["id"] not in by_id), default=0) if is_types else 0
        mapping = self.maps[table]
        type_map = self.maps["claim_types"]
        what = _singular(table)
        for row in theirs_rows:
            if table == "claims":
                row = {**row, "claim_type_id": type_map.get(row["claim_type_id"], row["claim_type_id"])}
            ours = by_id.get(row["id"])
            if ours is not None:
                mapping[row["id"]] = ours["id"]

                def guard(changes: dict, ours: dict = ours) -> dict:
                    if column in changes or "kind" in changes:
                        name, kind = changes.get(column, ours[column]), changes.get("kind", ours.get("kind"))
                        m, u = keys(name, kind)
                        if taken.get(u) not in (None, ours["id"]):
                            self.report.notes.append(
                                f"{what} {ours['id'][:8]}: their {column} '{name}' is another {what}'s here; kept ours")
                            changes.pop(column, None)
                            changes.pop("kind", None)
                        else:
                            old_m, old_u = keys(ours[column], ours.get("kind"))
                            matchable.pop(old_m, None)
                            taken.pop(old_u, None)
                            matchable[m], taken[u] = ours["id"], ours["id"]
                    if is_types and "hotkey" in changes:
                        key = changes["hotkey"]
                        if key is not None and hotkeys.get(key) not in (None, ours["id"]):
                            self.report.notes.append(
                                f"claim type '{ours['name']}': their hotkey {key} is taken here; kept ours")
                            del changes["hotkey"]
                        else:
                            hotkeys.pop(ours["hotkey"], None)
                            if key is not None:
                                hotkeys[key] = ours["id"]
                    return changes

                self._resolve(table, ours, row, compared, str(ours[column])[:60], guard)
                continue
            m, u = keys(row[column], row.get("kind"))
            holder = matchable.get(m)
            if holder is not None and self.match_names == "merge":
                differences = tuple(f for f in reported if by_id[holder].get(f) != row.get(f))
                mapping[row["id"]] = holder
                self.report.name_matches.append(NameMatch(table, row[column], holder, row["id"], "merged",
                                                          differences=differences))
                if differences:
                    self._keep("matched", table, row["id"], row, ours_id=holder)
                continue
            new = dict(row)
            if holder is not None or u in taken:
                new[column] = self._unique_name(set(taken), row[column], lambda n: keys(n, row.get("kind"))[1])
                u = keys(new[column], row.get("kind"))[1]
                if holder is not None:
                    self.report.name_matches.append(NameMatch(table, row[column], holder, row["id"], "kept both",
                                                              new_name=new[column]))
            if is_types:
                if new.get("hotkey") is not None and new["hotkey"] in hotkeys:
                    self.report.notes.append(
                        f"claim type '{new['name']}': hotkey {new['hotkey']} is taken here; brought in without a hotkey")
                    new["hotkey"] = None
                if new.get("hotkey") is not None:
                    hotkeys[new["hotkey"]] = new["id"]
                if top is not None:
                    new["position"] = top + 1 + (row["position"] - base)
            taken[u] = new["id"]
            mapping[row["id"]] = row["id"]
            self.plan.inserts[table].append(new)
            self.plan.count("new", table)

    def _aliases(self) -> None:
        ours = self.ours.execute("SELECT id, entity_id, alias FROM entity_aliases").fetchall()
        taken = {(r["entity_id"], nocase(r["alias"])) for r in ours}
        ours_ids = {r["id"] for r in ours}
        for row in self._their_rows("entity_aliases"):
            entity_id = self.maps["entities"].get(row["entity_id"], row["entity_id"])
            key = (entity_id, nocase(row["alias"]))
            if row["id"] in ours_ids or key in taken:
                self.plan.count("already_here", "entity_aliases")
                continue
            taken.add(key)
            self.plan.inserts["entity_aliases"].append({**row, "entity_id": entity_id})
            self.plan.count("new", "entity_aliases")

    def _excerpts(self) -> None:
        compared = [c for c in _columns(self.ours, "excerpts") if c not in _BOOKKEEPING]
        source_map = self.maps["sources"]
        spans: dict[tuple[str, int, int], int] = {}
        rows = self._their_rows("excerpts")
        while True:
            chunk = [r for _, r in zip(range(_CHUNK), rows)]
            if not chunk:
                break
            ours_by_id = self._ours_by_id("excerpts", [r["id"] for r in chunk])
            for row in chunk:
                row = {**row, "source_id": source_map.get(row["source_id"], row["source_id"])}
                ours = ours_by_id.get(row["id"])
                if ours is not None:
                    changes = self._resolve("excerpts", ours, row, compared, (ours["quote"] or "")[:40])
                    if changes:
                        self.plan.incoming_excerpts[row["id"]] = {**ours, **changes}
                        self.plan.touched_sources.update({ours["source_id"], row["source_id"]})
                    continue
                self.plan.inserts["excerpts"].append(row)
                self.plan.incoming_excerpts[row["id"]] = row
                self.plan.touched_sources.add(row["source_id"])
                self.plan.count("new", "excerpts")
                author = row.get("author") or "(no author)"
                self.report.authors[author] = self.report.authors.get(author, 0) + 1
                span = (row["source_id"], row["start"], row["end"])
                spans[span] = spans.get(span, 0) + 1
        if spans:
            same = 0
            for chunk in _chunks(sorted({s[0] for s in spans})):
                marks = ", ".join("?" for _ in chunk)
                for r in self.ours.execute(
                    f'SELECT source_id, start, "end" FROM excerpts WHERE source_id IN ({marks})', chunk
                ):
                    same += spans.get((r[0], r[1], r[2]), 0)
            if same:
                self.report.notes.append(
                    f"{same} {'excerpt of theirs marks' if same == 1 else 'excerpts of theirs mark'} the same span "
                    "as one here; both kept, each with its author")

    def _links(self, table: str) -> None:
        keys, compared, remap = _LINKS[table]
        maps = {column: self.maps[target] for column, target in remap.items()}
        rows = self._their_rows(table)
        planned: set[tuple] = set()
        while True:
            chunk = [r for _, r in zip(range(_CHUNK), rows)]
            if not chunk:
                break
            mapped = [{**r, **{c: m.get(r[c], r[c]) for c, m in maps.items()}} for r in chunk]
            first = keys[0]
            ours: dict[tuple, dict] = {}
            for part in _chunks(sorted({r[first] for r in mapped})):
                marks = ", ".join("?" for _ in part)
                for r in self.ours.execute(f'SELECT * FROM "{table}" WHERE "{first}" IN ({marks})', part):
                    ours[tuple(r[k] for k in keys)] = dict(r)
            for row in mapped:
                key = tuple(row[k] for k in keys)
                mine = ours.get(key)
                if key in planned:
                    self.plan.count("already_here", table)
                    continue
                if mine is not None:
                    differing = tuple(f for f in compared if f in row and mine.get(f) != row[f])
                    if differing:
                        label = " / ".join(str(k)[:8] for k in key)
                        self.report.conflicts.append(Conflict(table, json.dumps(list(key)), label, differing, None, None, "ours"))
                        self._keep("kept", table, json.dumps(list(key)), row, kept="ours")
                    self.plan.count("already_here", table)
                    continue
                planned.add(key)
                self.plan.inserts[table].append(row)
                self.plan.count("new", table)

    def _reviews(self) -> None:
        compared = ["excerpt_id", "reviewer", "decision", "note", "blind", "decided_at"]
        rows = self._their_rows("reviews")
        while True:
            chunk = [r for _, r in zip(range(_CHUNK), rows)]
            if not chunk:
                break
            ours_by_id = self._ours_by_id("reviews", [r["id"] for r in chunk])
            for row in chunk:
                mine = ours_by_id.get(row["id"])
                if mine is None:
                    self.plan.inserts["reviews"].append(row)
                    self.plan.count("new", "reviews")
                    continue
                differing = tuple(f for f in compared if f in row and mine.get(f) != row[f])
                if differing:
                    self.report.conflicts.append(Conflict("reviews", row["id"], row.get("reviewer") or "", differing,
                                                          None, None, "ours"))
                    self._keep("kept", "reviews", row["id"], row, kept="ours")
                self.plan.count("already_here", "reviews")
