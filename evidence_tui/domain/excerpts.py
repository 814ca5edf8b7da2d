"""Excerpts: exact spans of a source's text, tagged with claim types, with notes and review status.

Offsets count Python string characters (code points) in the stored text. Each excerpt also keeps
its quote and 32 characters either side (as a W3C TextQuoteSelector does), so it can be found again
if offsets ever drift.
"""

from __future__ import annotations

import sqlite3
import time
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from evidence_tui.domain.filters import ExcerptFilter, FilterParts, filter_parts, filter_sql
from evidence_tui.domain.models import ClaimLink, ClaimType, EntityLink, Excerpt
from evidence_tui.domain.refs import nocase, resolve_id
from evidence_tui.errors import Invalid, NotFound
from evidence_tui.store import CaseFile, Operation, new_id, operation, utc_now
from evidence_tui.store.schema import REVIEW_STATUSES

CONTEXT_CHARS = 32

_COLUMNS = """e.id, e.source_id, e.start, e."end", e.quote, e.prefix, e.suffix, e.note,
    e.review_status, e.author, e.created_at, e.updated_at, e.credibility"""


def find_quote(text: str, quote: str) -> list[int]:
    """Return every start offset at which ``quote`` occurs in ``text`` (overlaps included)."""
    starts, at = [], text.find(quote)
    while at != -1:
        starts.append(at)
        at = text.find(quote, at + 1)
    return starts


def anchor(text: str, start: int, end: int) -> dict[str, object]:
    """Return the quote, prefix and suffix for a span of ``text``."""
    return {
        "start": start,
        "end": end,
        "quote": text[start:end],
        "prefix": text[max(0, start - CONTEXT_CHARS):start],
        "suffix": text[end:end + CONTEXT_CHARS],
    }


def _source_text(conn: sqlite3.Connection, source_id: str) -> str:
    row = conn.execute("SELECT text FROM sources WHERE id = ?", (source_id,)).fetchone()
    if row is None:
        raise NotFound(f"no source {source_id[:8]}")
    return row[0]


def resolve_excerpt(case: CaseFile, ref: str) -> str:
    """Return the id of the excerpt named by an id prefix (or its exact quote)."""
    return resolve_id(case, "excerpts", ref, name_column="quote", what="excerpt")


def _resolve_types(case: CaseFile, type_refs: Iterable[str]) -> list[str]:
    return [resolve_id(case, "claim_types", r, name_column="name", what="claim type") for r in type_refs]


def _tag(op: Operation, excerpt_id: str, type_ids: Iterable[str], now: str) -> int:
    added = 0
    for type_id in type_ids:
        exists = op.conn.execute(
            "SELECT 1 FROM excerpt_claim_types WHERE excerpt_id = ? AND claim_type_id = ?", (excerpt_id, type_id)
        ).fetchone()
        if not exists:
            op.insert("excerpt_claim_types", {"excerpt_id": excerpt_id, "claim_type_id": type_id, "created_at": now})
            added += 1
    return added


def add_excerpt(
    case: CaseFile,
    source_ref: str,
    *,
    start: int | None = None,
    end: int | None = None,
    quote: str | None = None,
    occurrence: int | None = None,
    types: Iterable[str] = (),
    note: str | None = None,
) -> Excerpt:
    """Mark a span of a source (by offsets, or by quote and 1-based occurrence) and tag it.

    Refuses a quote that is not in the source, or that occurs more than once when no occurrence
    is given. Marking the exact span of an existing excerpt adds the types to that excerpt.
    """
    source_id = resolve_id(case, "sources", source_ref, name_column="title", what="source")
    type_ids = _resolve_types(case, types)
    conn = case.db.conn
    text = _source_text(conn, source_id)
    title = conn.execute("SELECT title FROM sources WHERE id = ?", (source_id,)).fetchone()[0]
    if quote is not None:
        if not quote:
            raise Invalid("the quote is empty")
        starts = find_quote(text, quote.replace("\r\n", "\n"))
        quote = quote.replace("\r\n", "\n")
        if not starts:
            raise Invalid(f"the quote is not in source {source_id[:8]} '{title}'")
        if occurrence is None:
            if len(starts) > 1:
                raise Invalid(
                    f"the quote occurs {len(starts)} times in source {source_id[:8]}; "
                    f"choose one with --occurrence 1..{len(starts)}"
                )
            occurrence = 1
        if not 1 <= occurrence <= len(starts):
            raise Invalid(f"occurrence {occurrence} does not exist: the quote occurs {len(starts)} time(s)")
        start = starts[occurrence - 1]
        end = start + len(quote)
    if start is None or end is None:
        raise Invalid("give either a quote or both start and end offsets")
    if start >= end:
        raise Invalid(f"span {start}-{end}: the end must come after the start")
    if not 0 <= start < end <= len(text):
        raise Invalid(f"span {start}-{end} is outside the source's text (0-{len(text)})")
    if not text[start:end].strip():
        raise Invalid("an excerpt must contain more than white space")
    with operation(case, "excerpt.add", case.actor) as op:
        now = utc_now()
        existing = op.conn.execute(
            'SELECT id FROM excerpts WHERE source_id = ? AND start = ? AND "end" = ?', (source_id, start, end)
        ).fetchone()
        if existing:
            excerpt_id = existing[0]
            _tag(op, excerpt_id, type_ids, now)
            op.summary = f"tag excerpt {excerpt_id[:8]}"
        else:
            excerpt_id = new_id()
            op.insert(
                "excerpts",
                {
                    "id": excerpt_id,
                    "source_id": source_id,
                    **anchor(text, start, end),
                    "note": (note or "").strip() or None,
                    "review_status": "unreviewed",
                    "author": case.actor,
                    "created_at": now,
                    "updated_at": now,
                },
            )
            _tag(op, excerpt_id, type_ids, now)
            op.summary = f"add excerpt {excerpt_id[:8]} in '{title}'"
    return get_excerpt(case, excerpt_id)


def tag_excerpt(case: CaseFile, ref: str, types: Iterable[str]) -> Excerpt:
    """Add claim types to an excerpt (types it already has are left alone)."""
    excerpt_id = resolve_excerpt(case, ref)
    type_ids = _resolve_types(case, types)
    with operation(case, "excerpt.tag", case.actor) as op:
        _tag(op, excerpt_id, type_ids, utc_now())
        op.summary = f"tag excerpt {excerpt_id[:8]}"
    return get_excerpt(case, excerpt_id)


def toggle_tag(case: CaseFile, ref: str, type_ref: str) -> tuple[Excerpt, bool]:
    """Add the claim type if the excerpt lacks it, else remove it; returns (excerpt, added)."""
    excerpt_id = resolve_excerpt(case, ref)
    (type_id,) = _resolve_types(case, [type_ref])
    with operation(case, "excerpt.tag", case.actor) as op:
        key = {"excerpt_id": excerpt_id, "claim_type_id": type_id}
        added = op.delete("excerpt_claim_types", key) is None
        if added:
            _tag(op, excerpt_id, [type_id], utc_now())
        op.summary = f"{'tag' if added else 'untag'} excerpt {excerpt_id[:8]}"
    return get_excerpt(case, excerpt_id), added


def untag_excerpt(case: CaseFile, ref: str, types: Iterable[str]) -> Excerpt:
    """Remove claim types from an excerpt."""
    excerpt_id = resolve_excerpt(case, ref)
    type_ids = _resolve_types(case, types)
    with operation(case, "excerpt.untag", case.actor) as op:
        for type_id in type_ids:
            op.delete("excerpt_claim_types", {"excerpt_id": excerpt_id, "claim_type_id": type_id})
        op.summary = f"untag excerpt {excerpt_id[:8]}"
    return get_excerpt(case, excerpt_id)


def set_note(case: CaseFile, ref: str, note: str | None) -> Excerpt:
    """Set (or with an empty note, clear) an excerpt's note."""
    excerpt_id = resolve_excerpt(case, ref)
    with operation(case, "excerpt.note", case.actor) as op:
        op.update("excerpts", excerpt_id, {"note": (note or "").strip() or None, "updated_at": utc_now()})
        op.summary = f"note on excerpt {excerpt_id[:8]}"
    return get_excerpt(case, excerpt_id)


def set_status(case: CaseFile, ref: str, status: str) -> Excerpt:
    """Set an excerpt's review status (unreviewed / accepted / rejected / flagged)."""
    if status not in REVIEW_STATUSES:
        raise Invalid(f"unknown review status '{status}' (one of {', '.join(REVIEW_STATUSES)})")
    excerpt_id = resolve_excerpt(case, ref)
    with operation(case, "excerpt.status", case.actor) as op:
        now = utc_now()
        op.update("excerpts", excerpt_id, {"review_status": status, "updated_at": now})
        if status != "unreviewed":
            # A judgement made anywhere (the Excerpts screen, the CLI) is a review decision too:
            # who and when, counted in agreement between reviewers.
            record_decision(op, excerpt_id, status, actor=case.actor, at=now)
        op.summary = f"mark excerpt {excerpt_id[:8]} {status}"
    return get_excerpt(case, excerpt_id)


def record_decision(op: Operation, excerpt_id: str, decision: str, *, actor: str, at: str,
                    note: str | None = None, blind: bool = False) -> None:
    """Log one reviewer's decision on an excerpt in ``reviews`` (inside the caller's operation)."""
    op.insert("reviews", {
        "id": new_id(), "excerpt_id": excerpt_id, "reviewer": actor, "decision": decision,
        "note": note, "blind": int(blind), "decided_at": at,
    })


def delete_excerpt(case: CaseFile, ref: str) -> Excerpt:
    """Delete an excerpt with its tags and links (all logged, so undo brings everything back)."""
    excerpt = get_excerpt(case, ref)
    with operation(case, "excerpt.delete", case.actor) as op:
        delete_excerpt_rows(op, excerpt.id)
        op.summary = f"delete excerpt {excerpt.id[:8]}"
    return excerpt


def delete_excerpt_rows(op: Operation, excerpt_id: str) -> None:
    """Delete an excerpt's link rows, then the excerpt, inside ``op`` (each row logged)."""
    for table, columns in (
        ("excerpt_claim_types", ("excerpt_id", "claim_type_id")),
        ("excerpt_entities", ("excerpt_id", "entity_id", "role")),
        ("claim_excerpts", ("claim_id", "excerpt_id")),
        ("reviews", ("id",)),
    ):
        cols = ", ".join(columns)
        for row in op.conn.execute(f"SELECT {cols} FROM {table} WHERE excerpt_id = ?", (excerpt_id,)).fetchall():
            op.delete(table, dict(row))
    op.delete("excerpts", excerpt_id)


# -- reading ---------------------------------------------------------------------------------


def _links(conn: sqlite3.Connection, excerpt_ids: list[str]) -> tuple[dict, dict, dict]:
    """Fetch claim types, entities and claims of many excerpts in three queries."""
    types: dict[str, list[ClaimType]] = {i: [] for i in excerpt_ids}
    entities: dict[str, list[EntityLink]] = {i: [] for i in excerpt_ids}
    claims: dict[str, list[ClaimLink]] = {i: [] for i in excerpt_ids}
    for chunk_start in range(0, len(excerpt_ids), 500):
        chunk = excerpt_ids[chunk_start:chunk_start + 500]
        marks = ", ".join("?" for _ in chunk)
        for row in conn.execute(
            f"""SELECT x.excerpt_id, t.id, t.name, t.description, t.colour, t.hotkey, t.position
                FROM excerpt_claim_types x JOIN claim_types t ON t.id = x.claim_type_id
                WHERE x.excerpt_id IN ({marks}) ORDER BY t.position, t.name""",
            chunk,
        ):
            types[row[0]].append(ClaimType(*row[1:]))
        for row in conn.execute(
            f"""SELECT x.excerpt_id, n.id, n.name, n.kind, x.role
                FROM excerpt_entities x JOIN entities n ON n.id = x.entity_id
                WHERE x.excerpt_id IN ({marks}) ORDER BY n.name""",
            chunk,
        ):
            entities[row[0]].append(EntityLink(*row[1:]))
        for row in conn.execute(
            f"""SELECT x.excerpt_id, c.id, c.statement, x.stance
                FROM claim_excerpts x JOIN claims c ON c.id = x.claim_id
                WHERE x.excerpt_id IN ({marks}) ORDER BY c.statement""",
            chunk,
        ):
            claims[row[0]].append(ClaimLink(*row[1:]))
    return types, entities, claims


def _hydrate(conn: sqlite3.Connection, rows: list[sqlite3.Row]) -> list[Excerpt]:
    ids = [r["id"] for r in rows]
    types, entities, claims = _links(conn, ids)
    return [
        Excerpt(
            **{k: r[k] for k in r.keys() if k not in ("source_title", "page_key")},
            source_title=r["source_title"] if "source_title" in r.keys() else None,
            claim_types=tuple(types[r["id"]]),
            entities=tuple(entities[r["id"]]),
            claims=tuple(claims[r["id"]]),
        )
        for r in rows
    ]


def get_excerpt(case: CaseFile, ref: str) -> Excerpt:
    """Return one excerpt with its claim types, entities and claims."""
    excerpt_id = resolve_excerpt(case, ref)
    conn = case.db.conn
    rows = conn.execute(
        f"SELECT {_COLUMNS}, s.title AS source_title FROM excerpts e JOIN sources s ON s.id = e.source_id WHERE e.id = ?",
        (excerpt_id,),
    ).fetchall()
    return _hydrate(conn, rows)[0]


def excerpts_in_source(case: CaseFile, source_id: str) -> list[Excerpt]:
    """Return a source's excerpts in text order (for the reader's highlights)."""
    conn = case.db.conn
    rows = conn.execute(
        f'SELECT {_COLUMNS} FROM excerpts e WHERE e.source_id = ? ORDER BY e.start, e."end"', (source_id,)
    ).fetchall()
    return _hydrate(conn, rows)


# Two ways to read a page of a filter with link conditions (claim types, entities, claims):
# starting from the link tables (cost: the size of the first link's set, then a sort), or walking
# excerpts in list order and checking each (cost: how far the page's matches are spread). A first
# link naming fewer than _FEW_LINKED excerpts is always read from the links; otherwise the walk
# is tried for _WALK_BUDGET seconds: a broad filter finds its page well within it, a sparse one
# (a rare combination) stops there and is read from the links instead. Both give the same rows.
_FEW_LINKED = 5000
# 80 ms: entity + claim type on a million excerpts walks ~9,000 rows in 20-40 ms; with a 40 ms
# budget it sometimes ran over and paid the links' ~150 ms on top.
_WALK_BUDGET = 0.08
_BUDGET_CHECK_EVERY = 2000  # SQLite virtual machine steps between looks at the clock (~20 µs)


# Excerpts found through the links are looked up by id in this covering index (schema v4): their
# status and creation time without reading their rows. SQLite would pick the unique index on id
# (it cannot know both give one row per id), which reads every row as well.
_BY_ID = "INDEXED BY excerpts_lookup"


class _OverBudget(Exception):
    """A walk took longer than its budget (SQLite was interrupted)."""


@contextmanager
def _time_budget(conn: sqlite3.Connection, seconds: float) -> Iterator[None]:
    """Interrupt the statements run inside after ``seconds`` (raising ``_OverBudget``)."""
    deadline = time.perf_counter() + seconds
    conn.set_progress_handler(lambda: 1 if time.perf_counter() > deadline else 0, _BUDGET_CHECK_EVERY)
    try:
        yield
    except sqlite3.OperationalError as error:
        if "interrupted" in str(error):
            raise _OverBudget from None
        raise
    finally:
        conn.set_progress_handler(None, 0)


def _page_rowids(
    parts: FilterParts,
    limit: int | None,
    offset: int,
    *,
    after: tuple[str, int] | None = None,
    descending: bool = False,
    from_links: bool = False,
) -> tuple[str, list]:
    """A query of the rowids of one page of matching excerpts (list order: oldest first).

    Only rowids: the rows skipped by OFFSET are never read whole nor joined to their source.
    ``after`` (the created_at and rowid of the row before the page) reads on from there (keyset)
    instead of counting ``offset`` rows; ``descending`` reads from the end (newest first), for pages
    nearer the end than the start; ``from_links`` starts from the link tables (see above).
    """
    source = "JOIN sources s ON s.id = e.source_id" if parts.uses_source else ""
    page = " LIMIT ? OFFSET ?" if limit is not None else ""
    page_params = [limit, offset] if limit is not None else []
    order = "e.created_at DESC, e.rowid DESC" if descending else "e.created_at, e.rowid"
    key, key_params = "", []
    if after is not None:
        key, key_params = " AND (e.created_at, e.rowid) > (?, ?)", list(after)
    if parts.links and from_links:
        links_sql, links_params = parts.link_set()
        where, params = parts.where(with_links=False)
        return (
            f"SELECT e.rowid FROM ({links_sql}) l CROSS JOIN excerpts e {_BY_ID} ON e.id = l.excerpt_id {source} "
            f"WHERE {where}{key} ORDER BY {order}{page}",
            [*links_params, *params, *key_params, *page_params],
        )
    where, params = parts.where()
    return (
        f"SELECT e.rowid FROM excerpts e {source} WHERE {where}{key} ORDER BY {order}{page}",
        [*params, *key_params, *page_params],
    )


def _few_linked(conn: sqlite3.Connection, parts: FilterParts) -> bool:
    """True when the first link condition alone names fewer than ``_FEW_LINKED`` excerpts."""
    table, column, ids = parts.links[0]
    marks = ", ".join("?" for _ in ids)
    linked = conn.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {column} IN ({marks}) LIMIT {_FEW_LINKED})", ids
    ).fetchone()[0]
    return linked < _FEW_LINKED


# Where the pages read so far end, per connection: (filter, offset) -> the (created_at, rowid) of
# the row before that offset, so the next page (scrolling, PageDown) reads on from it instead of
# skipping offset rows again. Valid only while the case file is unchanged (see ``_data_state``).
_PAGE_KEYS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_PAGE_KEYS_MAX = 2000


def _data_state(conn: sqlite3.Connection) -> tuple[int, int]:
    """Changes as this connection sees them: commits of other connections, and its own."""
    return (conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes)


def _page_keys(db: object) -> dict | None:
    # Keyed by the thread's Database wrapper (it lives exactly as long as its connection).
    try:
        return _PAGE_KEYS.setdefault(db, {})
    except TypeError:  # no weak references to it: no keyset, OFFSET as before
        return None


def list_excerpts(
    case: CaseFile,
    f: ExcerptFilter = ExcerptFilter(),
    *,
    limit: int | None = None,
    offset: int = 0,
    total: int | None = None,
) -> list[Excerpt]:
    """Return excerpts matching a filter, oldest first, with their links.

    Pages are cheap at any depth: a page right after one read before reads on from where that
    one ended (keyset); with ``total`` (the count, when the caller has it) a page nearer the end
    than the start is read from the end (the End key on a million excerpts costs the first page's time).
    """
    parts = filter_parts(case, f)
    conn = case.db.conn
    after, descending, page_limit, page_offset = None, False, limit, offset
    keys = _page_keys(case.db) if limit is not None else None
    state = _data_state(conn) if keys is not None else None
    if limit is not None and offset > 0:
        after = keys.get((state, repr(f), offset)) if keys is not None else None
        if after is not None:
            page_offset = 0
        elif total is not None and total - offset - limit < offset:
            descending = True
            page_limit = max(0, min(limit, total - offset))
            page_offset = max(0, total - offset - limit)

    def read(from_links: bool) -> list[sqlite3.Row]:
        rowids, params = _page_rowids(parts, page_limit, page_offset, after=after, descending=descending,
                                      from_links=from_links)
        sql = (
            f"SELECT {_COLUMNS}, s.title AS source_title, e.rowid AS page_key FROM ({rowids}) page "
            f"CROSS JOIN excerpts e ON e.rowid = page.rowid JOIN sources s ON s.id = e.source_id "
            f"ORDER BY e.created_at, e.rowid"
        )
        return conn.execute(sql, params).fetchall()

    if not parts.links:
        rows = read(from_links=False)
    elif limit is None or (page_offset >= _FEW_LINKED and after is None) or _few_linked(conn, parts):
        # Everything, or a deep page without a key (a walk would check every row before it), or
        # a narrow first link: from the links.
        rows = read(from_links=True)
    else:
        try:
            with _time_budget(conn, _WALK_BUDGET):
                rows = read(from_links=False)
        except _OverBudget:
            rows = read(from_links=True)
    if keys is not None and rows and len(rows) == limit:
        if len(keys) >= _PAGE_KEYS_MAX:
            keys.clear()
        keys[(state, repr(f), offset + limit)] = (rows[-1]["created_at"], rows[-1]["page_key"])
    return _hydrate(conn, rows)


def count_excerpts(case: CaseFile, f: ExcerptFilter = ExcerptFilter()) -> int:
    """Return how many excerpts match a filter.

    Link conditions are counted from the link tables' indexes (starting there, not checking each
    of a million excerpts); the source is joined only when a condition needs it.
    """
    parts = filter_parts(case, f)
    source = "JOIN sources s ON s.id = e.source_id" if parts.uses_source else ""
    conn = case.db.conn
    if parts.links:
        links_sql, links_params = parts.link_set()
        if not parts.clauses:
            return conn.execute(f"SELECT count(*) FROM ({links_sql})", links_params).fetchone()[0]
        where, params = parts.where(with_links=False)
        return conn.execute(
            f"SELECT count(*) FROM ({links_sql}) l CROSS JOIN excerpts e {_BY_ID} ON e.id = l.excerpt_id {source} "
            f"WHERE {where}",
            [*links_params, *params],
        ).fetchone()[0]
    where, params = parts.where()
    return conn.execute(f"SELECT count(*) FROM excerpts e {source} WHERE {where}", params).fetchone()[0]


# One row per excerpt with its source's columns, streamed in export order: source by source (in
# import order), and within a source by position. Starting from the sources (CROSS JOIN keeps that
# order) lets SQLite read each source once and walk its excerpts by the (source_id, start, end) index,
# so rows come out as they are read instead of after a sort of the whole table.
EXPORT_SQL = """
SELECT e.id AS excerpt_id, e.source_id, s.title AS source_title, s.outlet, s.author, s.url,
       s.published, s.published_raw, e.quote, e.prefix AS context_before, e.suffix AS context_after,
       e.start, e."end" AS "end", e.review_status, e.note, s.reliability, s.sha256 AS source_sha256,
       e.created_at
FROM sources s CROSS JOIN excerpts e ON e.source_id = s.id
WHERE {where}
ORDER BY s.rowid, e.start, e."end"
"""

# Link lists are fetched for a chunk of rows at a time (three indexed queries per chunk, not three
# correlated subqueries per row); names come from the small tables, read once.
_EXPORT_CHUNK = 500




def _export_lists(conn: sqlite3.Connection, names: dict, ids: list[str]) -> tuple[dict, dict, dict, dict]:
    """Claim types, claims and entities (as exported) and the last tagging time of some excerpts."""
    marks = ", ".join("?" for _ in ids)
    types: dict[str, list] = {}
    tagged: dict[str, str] = {}
    for excerpt_id, type_id, created_at in conn.execute(
        f"SELECT excerpt_id, claim_type_id, created_at FROM excerpt_claim_types WHERE excerpt_id IN ({marks})", ids
    ):
        types.setdefault(excerpt_id, []).append(names["types"][type_id])
        if created_at > tagged.get(excerpt_id, ""):
            tagged[excerpt_id] = created_at
    claims: dict[str, list] = {}
    for excerpt_id, claim_id, stance in conn.execute(
        f"SELECT excerpt_id, claim_id, stance FROM claim_excerpts WHERE excerpt_id IN ({marks})", ids
    ):
        statement = names["claims"][claim_id]
        claims.setdefault(excerpt_id, []).append(statement + " (contradicts)" if stance == "contradicts" else statement)
    entities: dict[str, list] = {}
    for excerpt_id, entity_id, role in conn.execute(
        f"SELECT excerpt_id, entity_id, role FROM excerpt_entities WHERE excerpt_id IN ({marks})", ids
    ):
        name = names["entities"][entity_id]
        entities.setdefault(excerpt_id, []).append((nocase(name), f"{name} ({role})" if role else name))
    return types, claims, entities, tagged


EXPORT_COLUMNS = (
    "excerpt_id", "source_id", "source_title", "outlet", "author", "url", "published", "published_raw",
    "quote", "context_before", "context_after", "start", "end", "claim_types", "claims", "entities",
    "review_status", "note", "reliability", "source_sha256", "tagged_at",
)


EXPORT_LIST_COLUMNS = ("claim_types", "claims", "entities")


def iter_export_rows(case: CaseFile, f: ExcerptFilter = ExcerptFilter()) -> Iterator[dict]:
    """Return an iterator of one dict per matching excerpt with the export columns.

    ``claim_types``, ``claims`` and ``entities`` are lists. The filter is resolved at once, so a
    name that matches nothing raises here, before the caller opens (and truncates) an output
    file; the rows themselves are streamed (flat memory).
    """
    where, params = filter_sql(case, f)
    conn = case.db.conn
    names = {
        # Claim types in codebook order (position, then name as SQLite's NOCASE sorts it).
        "types": {r[0]: r[1] for r in conn.execute("SELECT id, name FROM claim_types")},
        "type_order": {r[0]: (r[1], nocase(r[0])) for r in conn.execute("SELECT name, position FROM claim_types")},
        "claims": {r[0]: r[1] for r in conn.execute("SELECT id, statement FROM claims")},
        "entities": {r[0]: r[1] for r in conn.execute("SELECT id, name FROM entities")},
    }
    cursor = conn.execute(EXPORT_SQL.format(where=where), params)
    return _export_rows(conn, names, cursor)


def _export_rows(conn: sqlite3.Connection, names: dict, cursor: sqlite3.Cursor) -> Iterator[dict]:
    type_order = names["type_order"]
    while True:
        chunk = cursor.fetchmany(_EXPORT_CHUNK)
        if not chunk:
            return
        ids = [row[0] for row in chunk]
        types, claims, entities, tagged = _export_lists(conn, names, ids)
        for row in chunk:
            excerpt_id = row[0]
            out = dict(zip(_EXPORT_SELECTED, row))
            del out["created_at"]
            out["claim_types"] = sorted(types.get(excerpt_id, ()), key=type_order.__getitem__)
            out["claims"] = sorted(claims.get(excerpt_id, ()))
            out["entities"] = [shown for _, shown in sorted(entities.get(excerpt_id, ()), key=lambda pair: pair[0])]
            out["tagged_at"] = tagged.get(excerpt_id) or row[-1]
            yield {column: out[column] for column in EXPORT_COLUMNS}


_EXPORT_SELECTED = (
    "excerpt_id", "source_id", "source_title", "outlet", "author", "url", "published", "published_raw",
    "quote", "context_before", "context_after", "start", "end", "review_status", "note", "reliability",
    "source_sha256", "created_at",
)


# -- the CSV export's column path ------------------------------------------------------------
# The CSV export reads the same rows as ``iter_export_rows`` but as bytes, a chunk at a time, column
# by column (no dict, no str per cell), so the writer can encode whole columns with bytes methods.
# An excerpt's links come from ``excerpt_links`` (schema v6: raw id lists kept by triggers, read in
# rowid order beside the excerpt) and are formatted in Python through small caches keyed by the raw
# list (few distinct lists: a handful of claim types, the claims and entities an excerpt has). A
# source's columns are read once per source, not once per excerpt. The rows are cut into parts by
# source rowid, each part a query of its own, so parts can be read by several threads (SQLite works
# without the GIL) and written in order.

_PART_SOURCES = 500  # sources per part
_CHUNK_ROWS = 2048  # rows per chunk within a part
_NAMES_CACHE_MAX = 50_000

# Separators inside the raw link lists: bytes that never occur in UTF-8 text.
_ITEM, _FIELD = b"\xff", b"\xfe"

# The export's columns that come from the excerpt (and its links), in EXPORT_COLUMNS order, and
# those that come from its source, in two runs: before the quote, and between note and tagged_at.
EXPORT_EXCERPT_COLUMNS = (
    "excerpt_id", "quote", "context_before", "context_after", "start,end", "claim_types", "claims", "entities",
    "review_status", "note", "tagged_at",
)
EXPORT_SOURCE_COLUMNS = ("source_id", "source_title", "outlet", "author", "url", "published", "published_raw")
EXPORT_SOURCE_TAIL_COLUMNS = ("reliability", "source_sha256")

EXPORT_PART_SQL = """
SELECT s.rowid, e.id, e.quote, e.prefix, e.suffix, e.start || ',' || e."end",
       l.claim_types, l.claims, l.entities, e.review_status, coalesce(e.note, ''),
       coalesce(l.tagged_at, e.created_at)
FROM sources s CROSS JOIN excerpts e ON e.source_id = s.id LEFT JOIN excerpt_links l ON l.excerpt_rowid = e.rowid
WHERE s.rowid BETWEEN ? AND ? AND ({where})
ORDER BY s.rowid, e.start, e."end"
"""

EXPORT_SOURCES_SQL = """
SELECT rowid, id, title, coalesce(outlet, ''), coalesce(author, ''), coalesce(url, ''), coalesce(published, ''),
       coalesce(published_raw, ''), coalesce(reliability, ''), sha256
FROM sources WHERE rowid IN ({marks})
"""


@dataclass(slots=True)
class ExportPlan:
    """A resolved export: the filter as SQL, the parts (source rowid ranges, in export order) and
    the names the link lists show (as UTF-8 bytes)."""

    where: str
    params: list
    parts: list[tuple[int, int]]
    types: dict
    claims: dict
    entities: dict
    # raw link list -> cell, per kind, shared by all parts (``_Lists``; made on first use)
    cells: dict = field(default_factory=dict)


@dataclass(slots=True)
class ExportChunk:
    """Rows of an export as columns of UTF-8 ``bytes`` cells.

    ``columns`` follow ``EXPORT_EXCERPT_COLUMNS`` (lists joined with "; ", start and end as one
    cell "start,end": digits, as the schema's CHECKs keep them); each row's source is
    ``source_rowids[i]``, whose cells (``EXPORT_SOURCE_COLUMNS`` then ``EXPORT_SOURCE_TAIL_COLUMNS``,
    None as empty) are ``sources[rowid]``: read once per source, not once per row.
    """

    source_rowids: tuple[int, ...]
    columns: list[tuple[bytes, ...]]
    sources: dict[int, tuple[bytes, ...]]

    def __len__(self) -> int:
        return len(self.source_rowids)


def plan_export(case: CaseFile, f: ExcerptFilter = ExcerptFilter()) -> ExportPlan:
    """Resolve ``f`` (a name that matches nothing raises here) and cut the export into parts."""
    where, params = filter_sql(case, f)
    conn = case.db.conn
    parts: list[tuple[int, int]] = []
    low = None
    for i, (rowid,) in enumerate(conn.execute("SELECT rowid FROM sources ORDER BY rowid")):
        if i % _PART_SOURCES == 0:
            if low is not None:
                parts.append((low, rowid - 1))
            low = rowid
    if low is not None:
        parts.append((low, 2**63 - 1))
    blob = "CAST({} AS BLOB)"
    types = {r[0]: (r[1], r[2], _nocase_bytes(r[1])) for r in conn.execute(
        f"SELECT {blob.format('id')}, {blob.format('name')}, position FROM claim_types")}
    claims = dict(conn.execute(f"SELECT {blob.format('id')}, {blob.format('statement')} FROM claims"))
    entities = {r[0]: (r[1], _nocase_bytes(r[1])) for r in conn.execute(
        f"SELECT {blob.format('id')}, {blob.format('name')} FROM entities")}
    return ExportPlan(where, list(params), parts, types, claims, entities)


_ASCII_FOLD_BYTES = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"abcdefghijklmnopqrstuvwxyz")


def _nocase_bytes(name: bytes) -> bytes:
    # refs.nocase on UTF-8 bytes: NOCASE folds ASCII letters only, and UTF-8 bytes sort as the
    # code points they encode, so these keys sort as nocase() of the text does.
    return name.translate(_ASCII_FOLD_BYTES)


class _Lists(dict):
    """Raw link list (bytes from ``excerpt_links``) -> the cell as exported, computed once per list."""

    def __init__(self, plan: ExportPlan, kind: str) -> None:
        super().__init__({None: b""})
        self.plan, self.kind = plan, kind
        self.items: dict[bytes, tuple] = {}  # entities: "id\xferole" -> (sort key, as shown)

    @classmethod
    def of(cls, plan: ExportPlan, kind: str) -> _Lists:
        """The plan's cache for ``kind`` (one for the whole export: the same lists come again)."""
        lists = plan.cells.get(kind)
        if lists is None:
            lists = plan.cells[kind] = cls(plan, kind)
        return lists

    def __missing__(self, raw: bytes) -> bytes:
        items = raw.split(_ITEM) if raw else []
        if self.kind == "types":  # codebook order: position, then name as NOCASE sorts it
            found = sorted((self.plan.types[type_id] for type_id in items), key=lambda t: (t[1], t[2]))
            cell = b"; ".join(name for name, _, _ in found)
        elif self.kind == "claims":
            shown = []
            for item in items:
                claim_id, _, stance = item.partition(_FIELD)
                statement = self.plan.claims[claim_id]
                shown.append(statement + b" (contradicts)" if stance == b"contradicts" else statement)
            cell = b"; ".join(sorted(shown))
        else:  # entities by name (NOCASE), then as the link table's key orders them
            cell = b"; ".join(label for _, label in sorted(map(self._entity, items)))
        if len(self) > _NAMES_CACHE_MAX:
            self.clear()
            self[None] = b""
        self[raw] = cell
        return cell

    def _entity(self, item: bytes) -> tuple:
        found = self.items.get(item)
        if found is None:
            if len(self.items) > _NAMES_CACHE_MAX:
                self.items.clear()
            entity_id, _, role = item.partition(_FIELD)
            name, key = self.plan.entities[entity_id]
            found = self.items[item] = ((key, entity_id, role), name + b" (" + role + b")" if role else name)
        return found


def export_part_chunks(case: CaseFile, plan: ExportPlan, part: tuple[int, int]) -> Iterator[ExportChunk]:
    """Yield one part of the export as ``ExportChunk``s of at most ``_CHUNK_ROWS`` rows.

    Runs on the calling thread's own connection, which must not be the one of a thread that reads
    text (this sets its ``text_factory`` to bytes): call it from a worker thread of its own.
    """
    conn = case.db.conn
    conn.text_factory = bytes
    types, claims, entities = _Lists.of(plan, "types"), _Lists.of(plan, "claims"), _Lists.of(plan, "entities")
    sources: dict[int, tuple[bytes, ...]] = {}
    cursor = conn.execute(EXPORT_PART_SQL.format(where=plan.where), [*part, *plan.params])
    cursor.row_factory = None
    while True:
        chunk = cursor.fetchmany(_CHUNK_ROWS)
        if not chunk:
            return
        rowids, *columns = zip(*chunk)
        columns[5] = tuple(map(types.__getitem__, columns[5]))
        columns[6] = tuple(map(claims.__getitem__, columns[6]))
        columns[7] = tuple(map(entities.__getitem__, columns[7]))
        missing = sorted(set(rowids) - sources.keys())
        if missing:  # a part's sources are read as its rows come (a filter may skip most of them)
            marks = ", ".join("?" * len(missing))
            for rowid, *cells in conn.execute(EXPORT_SOURCES_SQL.format(marks=marks), missing):
                sources[rowid] = tuple(cells)
        yield ExportChunk(rowids, columns, sources)
