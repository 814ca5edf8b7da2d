"""The case file's schema, as forward migrations.

``MIGRATIONS[i]`` brings a case file from schema version ``i`` to ``i + 1``; the version lives in
``PRAGMA user_version``. Migrations only ever add: a case file is evidence, so nothing here drops
user data. Each runs inside the caller's transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

# "EVID" in ASCII: marks a SQLite file as an evidence-tui case file (PRAGMA application_id).
APPLICATION_ID = 0x45564944

REVIEW_STATUSES = ("unreviewed", "accepted", "rejected", "flagged")
ENTITY_KINDS = ("person", "organisation", "place", "unit", "other")
CLAIM_EXCERPT_STANCES = ("supports", "contradicts")
CLAIM_SOURCE_STANCES = ("supports", "contradicts", "mentions")
DATE_PRECISIONS = ("day", "month", "year", "none")
RELIABILITY_GRADES = ("A", "B", "C", "D", "E", "F")

# Primary key columns of every table the domain writes through the event log.
PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    "sources": ("id",),
    "source_originals": ("source_id",),
    "excerpts": ("id",),
    "claim_types": ("id",),
    "excerpt_claim_types": ("excerpt_id", "claim_type_id"),
    "claims": ("id",),
    "claim_excerpts": ("claim_id", "excerpt_id"),
    "claim_sources": ("claim_id", "source_id"),
    "entities": ("id",),
    "entity_aliases": ("id",),
    "excerpt_entities": ("excerpt_id", "entity_id", "role"),
    "claim_entities": ("claim_id", "entity_id", "role"),
    "reviews": ("id",),
    "settings": ("key",),
}


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def _v1_initial(conn: sqlite3.Connection) -> None:
    statements = f"""
    CREATE TABLE sources (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        outlet TEXT,
        author TEXT,
        url TEXT,
        published TEXT,
        published_raw TEXT,
        published_precision TEXT NOT NULL DEFAULT 'none' CHECK (published_precision IN {_in(DATE_PRECISIONS)}),
        language TEXT,
        file_name TEXT,
        format TEXT NOT NULL DEFAULT 'text',
        encoding TEXT,
        imported_at TEXT NOT NULL,
        sha256 TEXT NOT NULL UNIQUE,
        text_sha256 TEXT NOT NULL,
        notes TEXT,
        reliability TEXT CHECK (reliability IS NULL OR reliability IN {_in(RELIABILITY_GRADES)}),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        -- Last on purpose: listing sources never has to read past the text's overflow pages.
        text TEXT NOT NULL
    );
    CREATE INDEX sources_title ON sources(title COLLATE NOCASE);
    CREATE INDEX sources_published ON sources(published);
    CREATE INDEX sources_outlet ON sources(outlet COLLATE NOCASE);

    -- The original bytes, unchanged (chain of custody: sha256 is computed over these).
    CREATE TABLE source_originals (
        source_id TEXT PRIMARY KEY REFERENCES sources(id) ON DELETE CASCADE,
        data BLOB NOT NULL
    );

    CREATE TABLE excerpts (
        id TEXT PRIMARY KEY,
        source_id TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
        start INTEGER NOT NULL CHECK (start >= 0),
        "end" INTEGER NOT NULL,
        quote TEXT NOT NULL,
        prefix TEXT NOT NULL DEFAULT '',
        suffix TEXT NOT NULL DEFAULT '',
        note TEXT,
        review_status TEXT NOT NULL DEFAULT 'unreviewed' CHECK (review_status IN {_in(REVIEW_STATUSES)}),
        author TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        CHECK ("end" > start)
    );
    CREATE INDEX excerpts_source ON excerpts(source_id, start);
    CREATE INDEX excerpts_status ON excerpts(review_status, created_at);
    CREATE INDEX excerpts_created ON excerpts(created_at);

    CREATE TABLE claim_types (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (trim(name) <> ''),
        description TEXT NOT NULL DEFAULT '',
        colour TEXT,
        hotkey INTEGER UNIQUE CHECK (hotkey IS NULL OR hotkey BETWEEN 1 AND 9),
        position INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );

    CREATE TABLE excerpt_claim_types (
        excerpt_id TEXT NOT NULL REFERENCES excerpts(id) ON DELETE CASCADE,
        claim_type_id TEXT NOT NULL REFERENCES claim_types(id) ON DELETE CASCADE,
        created_at TEXT NOT NULL,
        PRIMARY KEY (excerpt_id, claim_type_id)
    );
    CREATE INDEX excerpt_claim_types_type ON excerpt_claim_types(claim_type_id, excerpt_id);

    CREATE TABLE claims (
        id TEXT PRIMARY KEY,
        statement TEXT NOT NULL CHECK (trim(statement) <> ''),
        claim_type_id TEXT REFERENCES claim_types(id) ON DELETE SET NULL,
        credibility INTEGER CHECK (credibility IS NULL OR credibility BETWEEN 1 AND 6),
        notes TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX claims_type ON claims(claim_type_id);

    CREATE TABLE claim_excerpts (
        claim_id TEXT NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
        excerpt_id TEXT NOT NULL REFERENCES excerpts(id) ON DELETE CASCADE,
        stance TEXT NOT NULL DEFAULT 'supports' CHECK (stance IN {_in(CLAIM_EXCERPT_STANCES)}),
        created_at TEXT NOT NULL,
        PRIMARY KEY (claim_id, excerpt_id)
    );
    CREATE INDEX claim_excerpts_excerpt ON claim_excerpts(excerpt_id);

    CREATE TABLE claim_sources (
        claim_id TEXT NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
        source_id TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
        stance TEXT NOT NULL DEFAULT 'supports' CHECK (stance IN {_in(CLAIM_SOURCE_STANCES)}),
        created_at TEXT NOT NULL,
        PRIMARY KEY (claim_id, source_id)
    );
    CREATE INDEX claim_sources_source ON claim_sources(source_id);

    CREATE TABLE entities (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL COLLATE NOCASE CHECK (trim(name) <> ''),
        kind TEXT NOT NULL DEFAULT 'other' CHECK (kind IN {_in(ENTITY_KINDS)}),
        notes TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (name, kind)
    );

    CREATE TABLE entity_aliases (
        id TEXT PRIMARY KEY,
        entity_id TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
        alias TEXT NOT NULL COLLATE NOCASE CHECK (trim(alias) <> ''),
        created_at TEXT NOT NULL,
        UNIQUE (entity_id, alias)
    );
    CREATE INDEX entity_aliases_alias ON entity_aliases(alias);

    CREATE TABLE excerpt_entities (
        excerpt_id TEXT NOT NULL REFERENCES excerpts(id) ON DELETE CASCADE,
        entity_id TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
        role TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        PRIMARY KEY (excerpt_id, entity_id, role)
    );
    CREATE INDEX excerpt_entities_entity ON excerpt_entities(entity_id, excerpt_id);

    CREATE TABLE claim_entities (
        claim_id TEXT NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
        entity_id TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
        role TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        PRIMARY KEY (claim_id, entity_id, role)
    );
    CREATE INDEX claim_entities_entity ON claim_entities(entity_id);

    -- The append-only log: one operation per domain call, one event per row it changed.
    CREATE TABLE operations (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        name TEXT NOT NULL,
        summary TEXT NOT NULL DEFAULT '',
        undoes TEXT REFERENCES operations(id)
    );
    CREATE INDEX operations_undoes ON operations(undoes);
    CREATE TABLE events (
        seq INTEGER PRIMARY KEY,
        operation_id TEXT NOT NULL REFERENCES operations(id),
        tbl TEXT NOT NULL,
        record_key TEXT NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('insert', 'update', 'delete')),
        before TEXT,
        after TEXT
    );
    CREATE INDEX events_operation ON events(operation_id);
    CREATE INDEX events_record ON events(tbl, record_key);

    -- Full-text search, kept in step by triggers on the indexed columns only.
    CREATE VIRTUAL TABLE sources_fts USING fts5(
        title, text, content='sources', content_rowid='rowid',
        tokenize='unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER sources_fts_ai AFTER INSERT ON sources BEGIN
        INSERT INTO sources_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
    END;
    CREATE TRIGGER sources_fts_ad AFTER DELETE ON sources BEGIN
        INSERT INTO sources_fts(sources_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text);
    END;
    CREATE TRIGGER sources_fts_au AFTER UPDATE OF title, text ON sources BEGIN
        INSERT INTO sources_fts(sources_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text);
        INSERT INTO sources_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
    END;

    CREATE VIRTUAL TABLE excerpts_fts USING fts5(
        quote, note, content='excerpts', content_rowid='rowid',
        tokenize='unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER excerpts_fts_ai AFTER INSERT ON excerpts BEGIN
        INSERT INTO excerpts_fts(rowid, quote, note) VALUES (new.rowid, new.quote, new.note);
    END;
    CREATE TRIGGER excerpts_fts_ad AFTER DELETE ON excerpts BEGIN
        INSERT INTO excerpts_fts(excerpts_fts, rowid, quote, note) VALUES ('delete', old.rowid, old.quote, old.note);
    END;
    CREATE TRIGGER excerpts_fts_au AFTER UPDATE OF quote, note ON excerpts BEGIN
        INSERT INTO excerpts_fts(excerpts_fts, rowid, quote, note) VALUES ('delete', old.rowid, old.quote, old.note);
        INSERT INTO excerpts_fts(rowid, quote, note) VALUES (new.rowid, new.quote, new.note);
    END;

    -- One row per reviewer's decision; excerpts.review_status holds the current (latest) one.
    CREATE TABLE reviews (
        id TEXT PRIMARY KEY,
        excerpt_id TEXT NOT NULL REFERENCES excerpts(id) ON DELETE CASCADE,
        reviewer TEXT NOT NULL,
        decision TEXT NOT NULL CHECK (decision IN ('accepted', 'rejected', 'flagged', 'skipped')),
        note TEXT,
        blind INTEGER NOT NULL DEFAULT 0,
        decided_at TEXT NOT NULL
    );
    CREATE INDEX reviews_excerpt ON reviews(excerpt_id, reviewer);

    CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT
    );
    """
    for statement in _split_sql(statements):
        conn.execute(statement)


def _split_sql(script: str) -> list[str]:
    """Split a script into statements (``sqlite3.complete_statement`` knows about trigger bodies)."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            if current.strip():
                statements.append(current.strip())
            current = ""
    if current.strip():
        statements.append(current.strip())
    return statements


def _v2_excerpt_credibility(conn: sqlite3.Connection) -> None:
    # The Admiralty scale grades a source's reliability (A-F) and each piece of information's
    # credibility (1-6): an excerpt is such a piece, graded during review.
    conn.execute(
        "ALTER TABLE excerpts ADD COLUMN credibility INTEGER "
        "CHECK (credibility IS NULL OR credibility BETWEEN 1 AND 6)"
    )
    conn.execute("CREATE INDEX reviews_reviewer ON reviews(reviewer, excerpt_id)")


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v1_initial, _v2_excerpt_credibility]
SCHEMA_VERSION = len(MIGRATIONS)
