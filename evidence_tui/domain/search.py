"""Full-text search over sources (title, text) and excerpts (quote, note) with FTS5."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from evidence_tui.errors import Invalid
from evidence_tui.store import CaseFile

# Snippet markers: control characters that never occur in stored text shown to people; the CLI
# and the TUI turn them into highlight styles (never into markup, so text stays inert).
MARK_START = "\x02"
MARK_END = "\x03"

_WORD = re.compile(r"\w+", re.UNICODE)


def match_expression(text: str) -> str:
    """Turn words typed into a filter box into a safe FTS5 query: every word, the last as a prefix.

    Punctuation and FTS operators typed by accident cannot produce a syntax error this way.
    """
    words = _WORD.findall(text)
    if not words:
        return '""'
    quoted = [f'"{w}"' for w in words]
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
    rank: float

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
        }


def search(case: CaseFile, query: str, *, limit: int = 50, kinds: tuple[str, ...] = ("source", "excerpt")) -> list[SearchHit]:
    """Search with FTS5 syntax (phrases in quotes, OR, NOT, prefix*), best matches first.

    A query FTS5 cannot parse raises ``Invalid`` with a plain explanation.
    """
    query = query.strip()
    if not query:
        raise Invalid("the search query is empty")
    parts, params = [], []
    if "source" in kinds:
        parts.append(
            f"""SELECT 'source' AS kind, s.id, s.id AS source_id, s.title, s.outlet, s.published,
                   snippet(sources_fts, 1, '{MARK_START}', '{MARK_END}', '…', 16) AS snippet,
                   bm25(sources_fts, 5.0, 1.0) AS rank
            FROM sources_fts JOIN sources s ON s.rowid = sources_fts.rowid
            WHERE sources_fts MATCH ?"""
        )
        params.append(query)
    if "excerpt" in kinds:
        parts.append(
            f"""SELECT 'excerpt' AS kind, e.id, e.source_id, s.title, s.outlet, s.published,
                   snippet(excerpts_fts, 0, '{MARK_START}', '{MARK_END}', '…', 24) AS snippet,
                   bm25(excerpts_fts, 1.0, 0.5) AS rank
            FROM excerpts_fts JOIN excerpts e ON e.rowid = excerpts_fts.rowid JOIN sources s ON s.id = e.source_id
            WHERE excerpts_fts MATCH ?"""
        )
        params.append(query)
    sql = " UNION ALL ".join(parts) + " ORDER BY rank LIMIT ?"
    try:
        rows = case.db.conn.execute(sql, [*params, limit]).fetchall()
    except sqlite3.OperationalError as error:
        raise Invalid(f"cannot search for {query!r}: {_plain(str(error), query)}") from None
    return [SearchHit(**dict(r)) for r in rows]


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
