"""Full-text search over sources (title, text) and excerpts (quote, note) with FTS5."""

from __future__ import annotations

import functools
import re
import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace

from evidence_tui.domain.filters import ExcerptFilter, ends_before_it_starts, filter_parts, iso_date_problem
from evidence_tui.domain.refs import resolve_id
from evidence_tui.errors import Invalid
from evidence_tui.store import CaseFile, OperationalErrors

# Snippet markers: control characters that never occur in stored text shown to people; the CLI
# and the TUI turn them into highlight styles (never into markup, so text stays inert).
MARK_START = "\x02"
MARK_END = "\x03"

KINDS = ("source", "excerpt")

# The orders hits can come in: "newest" (sources by import, excerpts by marking, latest first) and
# "best" (FTS5's bm25 relevance). Newest first is the default because it costs the same for any
# query: SQLite reads the matches from the newest backwards and stops after the page. Ranking by
# relevance scores every match first (and, for a phrase, scans the whole index for its weight):
# on 100,000 sources a common word or phrase takes 0.1-1 s, so it is there when asked for.
ORDERS = ("newest", "best")

# FTS5's snippet() and highlight() score every occurrence of the query's words against every
# other: seconds for 50 articles and a word like "the". Snippets are cut here in Python around
# the first match instead; FTS5's snippet() is asked only for a hit where that finds nothing (a
# match that differs by diacritics or by tokenising), and never for a text longer than this.
LONG_SOURCE_CHARS = 100_000
SNIPPET_BEFORE = 60
SNIPPET_AFTER = 100

_WORD = re.compile(r"\w+", re.UNICODE)


# The last word typed into a filter box is a prefix from this many characters on: a prefix of one
# or two letters starts thousands of words (seconds on a big case file, at every keystroke), and
# the prefix indexes start at three (store.schema.FTS_PREFIXES).
PREFIX_FROM = 3


def match_expression(text: str) -> str:
    """Turn words typed into a filter box into a safe FTS5 query: every word, the last as a prefix
    once it has ``PREFIX_FROM`` letters.

    Punctuation and FTS operators typed by accident cannot produce a syntax error this way.
    """
    words = _WORD.findall(text)
    if not words:
        return '""'
    quoted = [f'"{w}"' for w in words]
    if len(words[-1]) >= PREFIX_FROM:
        quoted[-1] += "*"
    return " ".join(quoted)


@dataclass(frozen=True)
class SearchHit:
    """One search result: a source or an excerpt, with a snippet (matches between markers)."""

    kind: str  # "source" | "excerpt"
    id: str
    source_id: str
    title: str
    outlet: str | None
    published: str | None
    snippet: str
    rank: float | None  # bm25 (lower is better) when ordered by relevance; None when newest first
    at: str | None = None  # when the source was imported or the excerpt marked (the newest-first order)

    def as_dict(self) -> dict:
        """Return the hit as a JSON-ready dict (snippet markers become [ and ])."""
        return {
            "kind": self.kind,
            "id": self.id,
            "source_id": self.source_id,
            "title": self.title,
            "outlet": self.outlet,
            "published": self.published,
            "snippet": self.snippet.replace(MARK_START, "[").replace(MARK_END, "]"),
            "rank": self.rank,
            "at": self.at,
        }


@dataclass(frozen=True)
class HitCounts:
    """How many sources and excerpts a query matches (before any limit).

    A count made with a cap stops there: ``sources_capped`` / ``excerpts_capped`` say that there
    are at least that many ("1,000+").
    """

    sources: int = 0
    excerpts: int = 0
    sources_capped: bool = False
    excerpts_capped: bool = False

    @property
    def total(self) -> int:
        """Sources and excerpts together."""
        return self.sources + self.excerpts

    @property
    def capped(self) -> bool:
        """True when either count stopped at its cap."""
        return self.sources_capped or self.excerpts_capped


class SearchCancelled(Exception):
    """The caller's ``cancelled()`` said a newer query made this one moot; SQLite stopped early."""


def search(
    case: CaseFile,
    query: str,
    *,
    limit: int = 50,
    kinds: tuple[str, ...] = KINDS,
    within: ExcerptFilter | None = None,
    cancelled: Callable[[], bool] | None = None,
    order: str = "newest",
) -> list[SearchHit]:
    """Search with FTS5 syntax (phrases in quotes, OR, NOT, prefix*): the newest hits first, or
    with ``order="best"`` the best matches (bm25, the title weighing 5 times the text) first.

    ``within`` narrows the hits as the export's filters do: sources and publication dates apply to
    both kinds; claim types, entities, claims and review statuses belong to excerpts, so with any of
    them set no source is listed. ``cancelled`` is polled while SQLite works; when it turns True the
    search stops with ``SearchCancelled``. A query FTS5 cannot parse raises ``Invalid`` with a
    plain explanation; a filter naming nothing raises ``NotFound``.
    """
    if order not in ORDERS:
        raise Invalid(f"unknown order '{order}' (one of {', '.join(ORDERS)})")
    query = _checked(query)
    best = order == "best"
    source_where, excerpt_where = _conditions(case, within, kinds)
    finder = _finder(query)
    found: list[tuple[sqlite3.Row, str]] = []
    # The two indexes are searched at once (SQLite lets go of the GIL while it works): a rare
    # phrase of common words costs each index tens of milliseconds, and they add up otherwise.
    side = None
    if excerpt_where is not None and source_where is not None:
        side = _side_pool().submit(_matching_rows, case, "excerpt", query, excerpt_where, best, limit, cancelled)
    try:
        if source_where is not None:
            found += [(r, "source") for r in _matching_rows(case, "source", query, source_where, best, limit, cancelled)]
    finally:
        # Wait for the other side even when this one failed: never leave it running on its own.
        excerpt_rows = side.result() if side is not None else None
    if excerpt_rows is None and excerpt_where is not None:
        excerpt_rows = _matching_rows(case, "excerpt", query, excerpt_where, best, limit, cancelled)
    found += [(r, "excerpt") for r in excerpt_rows or ()]
    if best:
        found.sort(key=lambda pair: pair[0]["rank"])
    else:
        found.sort(key=lambda pair: pair[0]["at"] or "", reverse=True)
    del found[limit:]
    with _guarded(case, query, cancelled) as conn:
        texts = _texts(conn, [r["key"] for r, kind in found if kind == "source"])
        hits = []
        for r, kind in found:
            if kind == "source":
                text = texts.get(r["key"], "")
                snippet = (_cut(text, finder) or _fts_snippet(conn, "sources_fts", 1, r["key"], query, text)
                           or _opening(text))
            else:
                snippet = _excerpt_snippet(conn, r, finder, query)
            hits.append(SearchHit(kind, r["id"], r["source_id"], r["title"], r["outlet"], r["published"], snippet,
                                  r["rank"], r["at"]))
    return hits


@functools.cache
def _side_pool() -> ThreadPoolExecutor:
    """One thread (with its own connection) that searches the excerpts while the caller searches sources."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="evidence-search-side")


# What each kind of hit reads: its index, bm25's column weights, and its columns and joins.
_KIND_SQL = {
    "source": ("sources_fts", "5.0, 1.0",
               "s.rowid AS key, s.id, s.id AS source_id, s.title, s.outlet, s.published, s.imported_at AS at",
               "JOIN sources s ON s.rowid = sources_fts.rowid"),
    "excerpt": ("excerpts_fts", "1.0, 0.5",
                "e.rowid AS key, e.id, e.source_id, s.title, s.outlet, s.published, e.created_at AS at, e.quote, e.note",
                "JOIN excerpts e ON e.rowid = excerpts_fts.rowid JOIN sources s ON s.id = e.source_id"),
}


def _matching_rows(case: CaseFile, kind: str, query: str, where_params: tuple[str, list], best: bool, limit: int,
                   cancelled: Callable[[], bool] | None) -> list[sqlite3.Row]:
    """The newest (or best) ``limit`` matching sources (without their texts) or excerpts."""
    table, weights, columns, joins = _KIND_SQL[kind]
    where, params = where_params
    rank, ranking, by = (
        (f"{table}.rank", f"AND {table}.rank MATCH 'bm25({weights})'", f"{table}.rank") if best
        else ("NULL", "", f"{table}.rowid DESC")
    )
    with _guarded(case, query, cancelled) as conn:
        return conn.execute(
            f"""SELECT {columns}, {rank} AS rank FROM {table} {joins}
            WHERE {table} MATCH ? {ranking} AND {where}
            ORDER BY {by} LIMIT ?""",
            [query, *params, limit],
        ).fetchall()


def _texts(conn: sqlite3.Connection, rowids: list[int]) -> dict[int, str]:
    """The texts of some sources by rowid (read only for the hits kept)."""
    if not rowids:
        return {}
    marks = ", ".join("?" for _ in rowids)
    return dict(conn.execute(f"SELECT rowid, text FROM sources WHERE rowid IN ({marks})", rowids).fetchall())


def count_hits(
    case: CaseFile,
    query: str,
    *,
    kinds: tuple[str, ...] = KINDS,
    within: ExcerptFilter | None = None,
    cancelled: Callable[[], bool] | None = None,
    cap: int | None = None,
) -> HitCounts:
    """Count the sources and excerpts ``search`` would find with no limit (same rules and errors).

    With ``cap`` each count stops there (a word in every article is "1,000+", not a scan of the
    whole index), and the counts say which one stopped.
    """
    query = _checked(query)
    source_where, excerpt_where = _conditions(case, within, kinds)
    counts: dict = {}
    stop = "" if cap is None else f" LIMIT {int(cap)}"
    with _guarded(case, query, cancelled) as conn:
        if source_where is not None:
            where, params = source_where
            join = "" if where == "1" else "JOIN sources s ON s.rowid = sources_fts.rowid"
            counts["sources"] = conn.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM sources_fts {join} WHERE sources_fts MATCH ? AND {where}{stop})",
                [query, *params],
            ).fetchone()[0]
            counts["sources_capped"] = cap is not None and counts["sources"] >= cap
        if excerpt_where is not None:
            where, params = excerpt_where
            join = "" if where == "1" else "JOIN excerpts e ON e.rowid = excerpts_fts.rowid JOIN sources s ON s.id = e.source_id"
            counts["excerpts"] = conn.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM excerpts_fts {join} WHERE excerpts_fts MATCH ? AND {where}{stop})",
                [query, *params],
            ).fetchone()[0]
            counts["excerpts_capped"] = cap is not None and counts["excerpts"] >= cap
    return HitCounts(**counts)


def first_match_offset(case: CaseFile, source_id: str, query: str) -> int | None:
    """The character offset in a source's text of the first word ``query`` matches there.

    None when the query matches the source's title only (or not at all). Used to open the reader
    with the hit under the cursor.
    """
    query = _checked(query)
    with _guarded(case, query, None) as conn:
        row = conn.execute(
            f"""SELECT highlight(sources_fts, 1, '{MARK_START}', '') AS marked, s.text
            FROM sources s JOIN sources_fts ON sources_fts.rowid = s.rowid
            WHERE s.id = ? AND sources_fts MATCH ?""",
            (source_id, query),
        ).fetchone()
    if row is None or len(row["marked"]) == len(row["text"]):
        return None
    marked, text = row["marked"], row["text"]
    # The marked text is the text with a marker before each match: the first match starts where
    # the two first differ (found by halving; the text itself may hold a marker character).
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if marked[:middle] == text[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def parse_dates(text: str) -> tuple[str | None, str | None]:
    """Read a publication date range as people type it: ``2024``, ``2024-03..2024-06``, ``..2023``.

    One date means that year, month or day; ``FROM..TO`` includes both ends; either end may be
    left out. Raises ``Invalid`` naming the part that is not a date.
    """
    text = text.strip()
    if not text:
        return None, None
    if ".." in text:
        start, _, end = text.partition("..")
    else:
        start = end = text
    start, end = start.strip() or None, end.strip() or None
    for value in (start, end):
        if value is not None:
            _check_date(value)
    if ends_before_it_starts(start, end):
        raise Invalid(f"the date range '{text}' ends before it starts")
    return start, end


def _check_date(value: str) -> None:
    problem = iso_date_problem(value)
    if problem == "form":
        raise Invalid(f"'{value}' is not a date (write 2024, 2024-06 or 2024-06-15; a range as FROM..TO)")
    if problem == "calendar":
        raise Invalid(f"'{value}' is not a date (no such month or day)")


# -- helpers ------------------------------------------------------------------------------------


def _excerpt_snippet(conn: sqlite3.Connection, row: sqlite3.Row, finder: _Finder | None, query: str) -> str:
    """An excerpt hit shows its quote, or its note ("note: ...") when only the note matched."""
    cut = _cut(row["quote"], finder)
    if cut is not None:
        return cut
    note = _cut(row["note"], finder)
    if note is not None:
        return "note: " + note
    quote = _fts_snippet(conn, "excerpts_fts", 0, row["key"], query, row["quote"])
    if quote is not None and MARK_START in quote:
        return quote
    note = _fts_snippet(conn, "excerpts_fts", 1, row["key"], query, row["note"])
    if note is not None and MARK_START in note:
        return "note: " + note
    return quote if quote is not None else _opening(row["quote"])


def _checked(query: str) -> str:
    query = query.strip()
    if not query:
        raise Invalid("the search query is empty")
    return quote_barewords(query)


# FTS5 query syntax: "phrases", ( ), AND/OR/NOT/NEAR, prefix*, and barewords of letters, digits
# and _ only. People type words like pre-deportation, 10,000, Russia's or e.g., which FTS5
# refuses; quoted, each is the phrase of its parts (pre deportation), which is what they meant.
_QUERY_PART = re.compile(r'"[^"]*"?|[()]|[^\s"()]+')
_BAREWORD = re.compile(r"\w+", re.UNICODE)
_OPERATORS = {"AND", "OR", "NOT", "NEAR"}


def quote_barewords(query: str) -> str:
    """Quote the words of a query that FTS5 would refuse as barewords (keeping a trailing *).

    Everything else is left exactly as typed, so FTS5's own errors still name the query.
    """
    if "NEAR(" in query:
        return query  # NEAR groups have a syntax of their own: left as typed

    def fix(match: re.Match) -> str:
        part = match.group()
        if part.startswith('"') or part in "()" or part in _OPERATORS:
            return part
        core, star = (part[:-1], "*") if part.endswith("*") and len(part) > 1 else (part, "")
        if _BAREWORD.fullmatch(core) or not _BAREWORD.match(core):
            # A plain word; or one starting with punctuation (-army, *), which is left for FTS5 to
            # refuse: "-army" means "not army" elsewhere, and searching army would do the opposite.
            return part
        return '"' + core.replace('"', '""') + '"' + star

    return _QUERY_PART.sub(fix, query)


def _conditions(
    case: CaseFile, within: ExcerptFilter | None, kinds: tuple[str, ...]
) -> tuple[tuple[str, list] | None, tuple[str, list] | None]:
    """The SQL conditions for source hits (on ``s``) and excerpt hits (on ``e`` and ``s``).

    None for a kind that cannot match: not asked for, or filtered by what only excerpts have.
    """
    within = replace(within, text=None) if within is not None else ExcerptFilter()
    source_where = excerpt_where = None
    if "excerpt" in kinds:
        excerpt_where = filter_parts(case, within).where()
    excerpt_only = within.claim_types or within.entities or within.claims or within.statuses
    if "source" in kinds and not excerpt_only:
        clauses, params = [], []
        if within.sources:
            ids = [resolve_id(case, "sources", r, name_column="title", what="source") for r in within.sources]
            clauses.append(f"s.id IN ({', '.join('?' for _ in ids)})")
            params += ids
        if within.date_from:
            clauses.append("s.published >= ?")
            params.append(within.date_from)
        if within.date_to:
            clauses.append("s.published <= ?")
            params.append(within.date_to + "\uffff")
        source_where = (" AND ".join(clauses) or "1", params)
    return source_where, excerpt_where


@contextmanager
def _guarded(case: CaseFile, query: str, cancelled: Callable[[], bool] | None) -> Iterator[sqlite3.Connection]:
    """This thread's connection, FTS5's errors in plain words, and ``cancelled`` polled by SQLite."""
    conn = case.db.conn
    if cancelled is not None:
        conn.set_progress_handler(lambda: 1 if cancelled() else 0, 1000)
    try:
        yield conn
    except OperationalErrors as error:
        if "interrupted" in str(error):
            raise SearchCancelled(query) from None
        raise Invalid(f"cannot search for {query!r}: {_plain(str(error), query)}") from None
    finally:
        if cancelled is not None:
            conn.set_progress_handler(None, 0)


_QUERY_TERM = re.compile(r'"([^"]*)"|(\w+)(\*?)', re.UNICODE)


# What a NOT excludes (a word, a phrase or a group) is never highlighted.
_NEGATED = re.compile(r'\bNOT\s+(?:"[^"]*"\*?|\([^)]*\)|\S+)')


@dataclass(frozen=True)
class _Finder:
    """The words a query matches, in lower case: ``pattern`` finds any of them (phrases word by
    word, prefixes as such); ``leads`` holds each term's first word as plain text and its pattern,
    so the first match is found with ``str.find`` (C speed) rather than the regex trying every
    position of a 10 KB article (a leading ``\\b`` keeps Python's regex from skipping ahead)."""

    pattern: re.Pattern
    leads: tuple[tuple[str, re.Pattern], ...]

    def first(self, text: str) -> tuple[int, int] | None:
        """Where the earliest match in ``text`` (lowered) is, or None."""
        best = None
        for lead, term in self.leads:
            at = text.find(lead)
            while at >= 0 and (best is None or at < best[0]):
                found = term.match(text, at)
                if found is not None:
                    best = found.span()
                    break
                at = text.find(lead, at + 1)
        return best


def _finder(query: str) -> _Finder | None:
    """The words ``query`` matches, to find and mark them in a text (see ``_cut``)."""
    terms = []
    for phrase, word, star in _QUERY_TERM.findall(_NEGATED.sub(" ", query)):
        words = _WORD.findall(phrase) if phrase else [word] if word and word not in _OPERATORS else []
        if words:
            lowered = [w.lower() for w in words]
            terms.append((lowered[0], r"\b" + r"\W+".join(re.escape(w) for w in lowered) + (r"\w*" if star else r"\b")))
    if not terms:
        return None
    return _Finder(re.compile("|".join(t for _, t in terms)), tuple((lead, re.compile(t)) for lead, t in terms))


def _cut(text: str | None, finder: _Finder | None) -> str | None:
    """A snippet of ``text`` around its first match, every match in it marked; None if none is found.

    An approximation of FTS5's snippet: case folded, but not diacritics (``_fts_snippet`` is
    asked where this finds nothing).
    """
    if not text or finder is None:
        return None
    # The terms are lower case: found in the lowered text they need no IGNORECASE (several times
    # faster). Where lowering changes the length (a few letters such as 'İ'), positions would
    # shift: such a text is matched as it is, case folded by the regex.
    lowered = text.lower()
    if len(lowered) != len(text):
        exact = re.compile(finder.pattern.pattern, re.IGNORECASE)
        found = exact.search(text)
        return None if found is None else _cut_at(text, text, exact, found.span())
    span = finder.first(lowered)
    return None if span is None else _cut_at(text, lowered, finder.pattern, span)


def _cut_at(text: str, searched: str, pattern: re.Pattern, first: tuple[int, int]) -> str:
    """The snippet around the match at ``first`` (in ``searched``: the text or its lowered copy)."""
    start = max(0, first[0] - SNIPPET_BEFORE)
    if start:
        space = text.find(" ", start, first[0])
        start = space + 1 if space >= 0 else start
    end = min(len(text), first[1] + SNIPPET_AFTER)
    if end < len(text):
        space = text.rfind(" ", first[1], end)
        end = space if space >= 0 else end
    parts, at = ["…" if start else ""], start
    for found in pattern.finditer(searched, start, end):
        parts += [text[at:found.start()], MARK_START, text[found.start():found.end()], MARK_END]
        at = found.end()
    parts += [text[at:end], "…" if end < len(text) else ""]
    return "".join(parts)


# Words of context FTS5's snippet() gives, per index column (sources: title, text; excerpts: quote, note).
_SNIPPET_TOKENS = {("sources_fts", 1): 16, ("excerpts_fts", 0): 24, ("excerpts_fts", 1): 16}


def _fts_snippet(conn: sqlite3.Connection, table: str, column: int, rowid: int, query: str,
                 text: str | None) -> str | None:
    """FTS5's own snippet of one column of a hit (exact tokenising and diacritic folding), for where
    ``_cut`` finds nothing; None for no text or a text longer than ``LONG_SOURCE_CHARS``."""
    if not text or len(text) > LONG_SOURCE_CHARS:
        return None
    row = conn.execute(
        f"SELECT snippet({table}, {column}, '{MARK_START}', '{MARK_END}', '…', {_SNIPPET_TOKENS[table, column]}) "
        f"FROM {table} WHERE {table} MATCH ? AND rowid = ?",
        (query, rowid),
    ).fetchone()
    return row[0] if row is not None else None


def _opening(text: str | None) -> str:
    """The start of a text (for a hit whose match is elsewhere, e.g. in the title)."""
    text = text or ""
    return text[:120] + ("…" if len(text) > 120 else "")


_NOT_VALID = "the query is not valid search syntax (put phrases in \"double quotes\"; use AND, OR, NOT in capitals)"


def _plain(message: str, query: str) -> str:
    """Say what is wrong with a query in plain words; never pass SQLite's FTS5 wording through."""
    if "unterminated string" in message:
        return "a double quote is not closed"
    if "no such column" in message and ":" in query:
        return "a word followed by ':' is read as a column name; put it in \"double quotes\""
    # "syntax error near ...", "unknown special query", "expected integer, got ...", "no such
    # column" for a stray '-', and whatever else FTS5 says: one plain explanation for them all.
    return _NOT_VALID
