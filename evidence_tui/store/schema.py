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


def _v3_readable_views(conn: sqlite3.Connection) -> None:
    # Views for people browsing the file with other tools (Datasette, sqlite3, a spreadsheet's
    # ODBC): no data, only readable joins. Written out here, not imported from the domain, so
    # that what this migration creates never changes once released. Datasette's metadata
    # (evidence_tui/datasette.py) describes them.
    statements = """
    -- One row per excerpt with the columns of 'evidence-tui export csv' (lists joined with "; "),
    -- then who tagged it, its credibility and its rowid (for full-text search through excerpts_fts).
    CREATE VIEW excerpts_export AS
    SELECT e.id AS excerpt_id, e.source_id, s.title AS source_title, s.outlet, s.author, s.url,
           s.published, s.published_raw, e.quote, e.prefix AS context_before, e.suffix AS context_after,
           e.start, e."end" AS "end",
           (SELECT group_concat(name, '; ') FROM (
                SELECT t.name FROM excerpt_claim_types x JOIN claim_types t ON t.id = x.claim_type_id
                WHERE x.excerpt_id = e.id ORDER BY t.position, t.name)) AS claim_types,
           (SELECT group_concat(label, '; ') FROM (
                SELECT c.statement || CASE x.stance WHEN 'contradicts' THEN ' (contradicts)' ELSE '' END AS label
                FROM claim_excerpts x JOIN claims c ON c.id = x.claim_id
                WHERE x.excerpt_id = e.id ORDER BY label)) AS claims,
           (SELECT group_concat(label, '; ') FROM (
                SELECT n.name || CASE WHEN x.role <> '' THEN ' (' || x.role || ')' ELSE '' END AS label
                FROM excerpt_entities x JOIN entities n ON n.id = x.entity_id
                WHERE x.excerpt_id = e.id ORDER BY n.name COLLATE NOCASE, x.rowid)) AS entities,
           e.review_status, e.note, s.reliability, s.sha256 AS source_sha256,
           coalesce((SELECT max(x.created_at) FROM excerpt_claim_types x WHERE x.excerpt_id = e.id), e.created_at)
               AS tagged_at,
           e.author AS tagged_by, e.credibility, e.rowid AS excerpt_rowid
    FROM sources s CROSS JOIN excerpts e ON e.source_id = s.id;

    -- One row per claim with its corroboration (as 'evidence-tui claim list' counts it): distinct
    -- sources and outlets behind it, for and against, the best source grade, the evidence dates.
    CREATE VIEW claims_corroboration AS
    WITH evidence AS (
        SELECT x.claim_id, x.stance, e.source_id FROM claim_excerpts x JOIN excerpts e ON e.id = x.excerpt_id
        UNION ALL
        SELECT claim_id, stance, source_id FROM claim_sources WHERE stance IN ('supports', 'contradicts')
    ), behind AS (
        SELECT v.claim_id,
               count(DISTINCT v.source_id) FILTER (WHERE v.stance = 'supports') AS sources,
               count(DISTINCT coalesce(lower(s.outlet), 'source:' || s.id)) FILTER (WHERE v.stance = 'supports') AS outlets,
               count(DISTINCT v.source_id) FILTER (WHERE v.stance = 'contradicts') AS sources_against,
               count(DISTINCT coalesce(lower(s.outlet), 'source:' || s.id)) FILTER (WHERE v.stance = 'contradicts')
                   AS outlets_against,
               min(s.reliability) FILTER (WHERE v.stance = 'supports') AS best_reliability,
               min(s.published) FILTER (WHERE v.stance = 'supports') AS earliest,
               max(s.published || substr('-99-99', length(s.published) - 3)) FILTER (WHERE v.stance = 'supports')
                   AS latest_key
        FROM evidence v JOIN sources s ON s.id = v.source_id
        GROUP BY v.claim_id
    )
    SELECT c.id AS claim_id, c.statement, t.name AS claim_type, c.credibility,
           (SELECT count(*) FROM claim_excerpts x WHERE x.claim_id = c.id AND x.stance = 'supports') AS supporting,
           (SELECT count(*) FROM claim_excerpts x WHERE x.claim_id = c.id AND x.stance = 'contradicts') AS contradicting,
           coalesce(b.sources, 0) AS sources, coalesce(b.outlets, 0) AS outlets,
           coalesce(b.sources_against, 0) AS sources_against, coalesce(b.outlets_against, 0) AS outlets_against,
           b.best_reliability, b.earliest, replace(b.latest_key, '-99', '') AS latest,
           (SELECT group_concat(name, '; ') FROM (
                SELECT n.name FROM claim_entities x JOIN entities n ON n.id = x.entity_id
                WHERE x.claim_id = c.id ORDER BY n.name)) AS entities,
           c.notes, c.created_at, c.updated_at
    FROM claims c
    LEFT JOIN claim_types t ON t.id = c.claim_type_id
    LEFT JOIN behind b ON b.claim_id = c.id;

    -- Sources without their text (which makes a table page unreadable), with excerpt counts.
    CREATE VIEW sources_overview AS
    SELECT s.id AS source_id, s.title, s.outlet, s.author, s.url, s.published, s.published_raw, s.language,
           s.reliability, s.file_name, s.format,
           (SELECT count(*) FROM excerpts e WHERE e.source_id = s.id) AS excerpts,
           (SELECT count(*) FROM excerpts e WHERE e.source_id = s.id AND e.review_status = 'accepted') AS accepted,
           s.sha256, s.imported_at, s.notes, s.rowid AS source_rowid
    FROM sources s;

    -- Entities with their aliases and how much evidence names them.
    CREATE VIEW entities_overview AS
    SELECT n.id AS entity_id, n.name, n.kind,
           (SELECT group_concat(alias, '; ') FROM (
                SELECT a.alias FROM entity_aliases a WHERE a.entity_id = n.id ORDER BY a.alias)) AS aliases,
           (SELECT count(DISTINCT x.excerpt_id) FROM excerpt_entities x WHERE x.entity_id = n.id) AS excerpts,
           (SELECT count(DISTINCT e.source_id) FROM excerpt_entities x JOIN excerpts e ON e.id = x.excerpt_id
            WHERE x.entity_id = n.id) AS sources,
           (SELECT count(DISTINCT x.claim_id) FROM claim_entities x WHERE x.entity_id = n.id) AS claims,
           n.notes
    FROM entities n;
    """
    for statement in _split_sql(statements):
        conn.execute(statement)


def _v4_excerpt_lookup_index(conn: sqlite3.Connection) -> None:
    # Filters that start from the link tables (claim types, entities, claims) look each matching
    # excerpt up by id to check its status and to order it by creation time. With this covering
    # index that lookup never reads the excerpt's row (its quote and context): counting the
    # unreviewed excerpts of a common claim type in a million goes from ~0.9 s to ~0.1 s.
    conn.execute("CREATE INDEX excerpts_lookup ON excerpts(id, review_status, created_at)")
    # Filters walk excerpts in list order (created_at) checking each one's links by id: with the
    # id in the index the walk never reads the excerpts' rows (entity + claim type on a million
    # excerpts, first page: 40 -> 23 ms). It replaces the index on created_at alone.
    conn.execute("CREATE INDEX excerpts_created_id ON excerpts(created_at, id)")
    conn.execute("DROP INDEX excerpts_created")


# Prefix indexes: a query like recruit* (or the last word typed into a filter box) otherwise merges
# the lists of every word starting so; with these, prefixes of 3, 4 and 5 characters are one list
# each. Longer prefixes start few words; shorter ones are not searched as prefixes (see
# domain.search.match_expression). The price: the index is about 2.5 times larger and builds slower.
FTS_PREFIXES = "3 4 5"


def _v5_search_prefix_indexes(conn: sqlite3.Connection) -> None:
    # The full-text indexes hold no evidence (they are derived from sources and excerpts): they
    # are made again with prefix indexes, in place, under the same names (the triggers that keep
    # them in step name them and need no change).
    for table, columns, content in (("sources_fts", "title, text", "sources"),
                                    ("excerpts_fts", "quote, note", "excerpts")):
        conn.execute(f"DROP TABLE {table}")
        conn.execute(
            f"CREATE VIRTUAL TABLE {table} USING fts5({columns}, content='{content}', content_rowid='rowid', "
            f"tokenize='unicode61 remove_diacritics 2', prefix='{FTS_PREFIXES}')"
        )
        # FTS5 gathers new entries in memory before writing them as a segment: 16 MB instead of 1 MB
        # means fewer, larger segments and less merging (a 5,000-article rebuild with the prefix
        # indexes: 3.1 -> 2.2 s). A setting kept in the index's own config table.
        conn.execute(f"INSERT INTO {table}({table}, rank) VALUES ('hashsize', {FTS_HASH_BYTES})")
        conn.execute(f"INSERT INTO {table}({table}) VALUES ('rebuild')")


FTS_HASH_BYTES = 16 * 1024 * 1024


def excerpt_links_select(where: str) -> str:
    """The rows of ``excerpt_links`` as the excerpts' links make them now, for the excerpts
    (alias ``e``) that ``where`` picks: what the triggers write, and what ``check`` compares.

    An excerpt's links as raw lists of ids (0xFF between items, 0xFE between an id and its
    stance or role: bytes that never occur in UTF-8 text), kept as BLOBs.
    """
    return f"""SELECT e.rowid AS excerpt_rowid,
        (SELECT CAST(group_concat(x.claim_type_id, X'ff') AS BLOB) FROM excerpt_claim_types x WHERE x.excerpt_id = e.id)
            AS claim_types,
        (SELECT max(x.created_at) FROM excerpt_claim_types x WHERE x.excerpt_id = e.id) AS tagged_at,
        (SELECT CAST(group_concat(x.claim_id || X'fe' || x.stance, X'ff') AS BLOB) FROM claim_excerpts x
         WHERE x.excerpt_id = e.id) AS claims,
        (SELECT CAST(group_concat(x.entity_id || X'fe' || x.role, X'ff') AS BLOB) FROM excerpt_entities x
         WHERE x.excerpt_id = e.id) AS entities
    FROM excerpts e WHERE {where}"""


def rebuild_excerpt_links(conn: sqlite3.Connection) -> None:
    """Make ``excerpt_links`` again from the link tables, in one pass (inside the caller's
    transaction): after a bulk load without its triggers, or to repair it."""
    conn.execute("DELETE FROM excerpt_links")
    conn.execute(f"INSERT INTO excerpt_links SELECT * FROM ({excerpt_links_select('1')}) AS now "
                 "WHERE coalesce(now.claim_types, now.claims, now.entities) IS NOT NULL")


def _v6_excerpt_links(conn: sqlite3.Connection) -> None:
    # Derived data, like the search indexes: each excerpt's claim types, claims and entities in one
    # row keyed by the excerpt's rowid, kept in step by triggers. The link tables are keyed by the
    # excerpts' random ids, so reading an excerpt's links costs a seek in each, far apart on disk:
    # three quarters of a million-excerpt CSV export went there (17 s of 23 s in SQLite). Read in
    # rowid order beside the excerpts, the lists cost almost nothing. Only excerpts with links (or
    # that had some) have a row.
    conn.execute("""CREATE TABLE excerpt_links (
        excerpt_rowid INTEGER PRIMARY KEY,
        claim_types BLOB,
        tagged_at TEXT,
        claims BLOB,
        entities BLOB
    )""")
    upsert = "INSERT OR REPLACE INTO excerpt_links (excerpt_rowid, claim_types, tagged_at, claims, entities) "
    for table in ("excerpt_claim_types", "claim_excerpts", "excerpt_entities"):
        conn.execute(f"CREATE TRIGGER {table}_links_ai AFTER INSERT ON {table} BEGIN "
                     f"{upsert}{excerpt_links_select('e.id = new.excerpt_id')}; END")
        conn.execute(f"CREATE TRIGGER {table}_links_ad AFTER DELETE ON {table} BEGIN "
                     f"{upsert}{excerpt_links_select('e.id = old.excerpt_id')}; END")
        conn.execute(f"CREATE TRIGGER {table}_links_au AFTER UPDATE ON {table} BEGIN "
                     f"{upsert}{excerpt_links_select('e.id IN (old.excerpt_id, new.excerpt_id)')}; END")
    # Links written before their excerpt (a merge or a bundle checks references at commit), or an
    # excerpt whose id changes: its row is made from what is there.
    has_links = ("(EXISTS (SELECT 1 FROM excerpt_claim_types WHERE excerpt_id = e.id)"
                 " OR EXISTS (SELECT 1 FROM claim_excerpts WHERE excerpt_id = e.id)"
                 " OR EXISTS (SELECT 1 FROM excerpt_entities WHERE excerpt_id = e.id))")
    conn.execute("CREATE TRIGGER excerpts_links_ai AFTER INSERT ON excerpts BEGIN "
                 f"{upsert}{excerpt_links_select('e.rowid = new.rowid AND ' + has_links)}; END")
    conn.execute("CREATE TRIGGER excerpts_links_au AFTER UPDATE OF id ON excerpts BEGIN "
                 f"{upsert}{excerpt_links_select('e.rowid = new.rowid AND ' + has_links)}; END")
    conn.execute("CREATE TRIGGER excerpts_links_ad AFTER DELETE ON excerpts BEGIN "
                 "DELETE FROM excerpt_links WHERE excerpt_rowid = old.rowid; END")
    rebuild_excerpt_links(conn)  # the rows of the excerpts that have links now


# FTS5 merges an index's segments once this many of one level exist (SQLite's default is 4).
SOURCES_FTS_AUTOMERGE = 16


def _v7_source_index_merges(conn: sqlite3.Connection) -> None:
    # Each import batch (up to 1,000 files) writes one segment of the sources' search index. With
    # FTS5's default, every 4 segments of a level are merged into one, and then 4 of those, again
    # and again: a 10,000-article import spent a fifth of its time re-merging (3 runs each:
    # 7.6-9.4 s with 4, 6.0-6.7 s with 16). Merging at 16 leaves more, smaller segments; searches
    # of the imported case file measured the same (p95 2.8-3.0 ms against 2.9-3.3 ms). Sources are
    # written in batches; excerpts one at a time, so their index keeps the default.
    conn.execute(f"INSERT INTO sources_fts(sources_fts, rank) VALUES ('automerge', {SOURCES_FTS_AUTOMERGE})")


def _v8_excerpt_span_index(conn: sqlite3.Connection) -> None:
    # A source's excerpts are read in text order, start then end (the reader, the CSV and FtM
    # exports, REFI-QDA). With the end missing from the index, SQLite sorted each source's rows
    # again in a temporary b-tree, payload and all: a sixth of a million-row export's reading
    # time (index 5.0-5.2 s against 5.7-7.2 s, fetching every row). Same prefix, so every query
    # that used the old index uses this one.
    conn.execute('CREATE INDEX excerpts_source_span ON excerpts(source_id, start, "end")')
    conn.execute("DROP INDEX excerpts_source")


def _v9_named_outlets(conn: sqlite3.Connection) -> None:
    # Corroboration counts named outlets only: three sources without an outlet may be one wire
    # story, so they no longer count as three outlets (see domain.claims). The view for other
    # tools counts as the app does, and gains the supporting sources without an outlet.
    conn.execute("DROP VIEW claims_corroboration")
    conn.execute("""CREATE VIEW claims_corroboration AS
    WITH evidence AS (
        SELECT x.claim_id, x.stance, e.source_id FROM claim_excerpts x JOIN excerpts e ON e.id = x.excerpt_id
        UNION ALL
        SELECT claim_id, stance, source_id FROM claim_sources WHERE stance IN ('supports', 'contradicts')
    ), behind AS (
        SELECT v.claim_id,
               count(DISTINCT v.source_id) FILTER (WHERE v.stance = 'supports') AS sources,
               count(DISTINCT lower(nullif(trim(s.outlet), ''))) FILTER (WHERE v.stance = 'supports') AS outlets,
               count(DISTINCT v.source_id) FILTER (WHERE v.stance = 'supports' AND nullif(trim(s.outlet), '') IS NULL)
                   AS sources_without_outlet,
               count(DISTINCT v.source_id) FILTER (WHERE v.stance = 'contradicts') AS sources_against,
               count(DISTINCT lower(nullif(trim(s.outlet), ''))) FILTER (WHERE v.stance = 'contradicts')
                   AS outlets_against,
               min(s.reliability) FILTER (WHERE v.stance = 'supports') AS best_reliability,
               min(s.published) FILTER (WHERE v.stance = 'supports') AS earliest,
               max(s.published || substr('-99-99', length(s.published) - 3)) FILTER (WHERE v.stance = 'supports')
                   AS latest_key
        FROM evidence v JOIN sources s ON s.id = v.source_id
        GROUP BY v.claim_id
    )
    SELECT c.id AS claim_id, c.statement, t.name AS claim_type, c.credibility,
           (SELECT count(*) FROM claim_excerpts x WHERE x.claim_id = c.id AND x.stance = 'supports') AS supporting,
           (SELECT count(*) FROM claim_excerpts x WHERE x.claim_id = c.id AND x.stance = 'contradicts') AS contradicting,
           coalesce(b.sources, 0) AS sources, coalesce(b.outlets, 0) AS outlets,
           coalesce(b.sources_without_outlet, 0) AS sources_without_outlet,
           coalesce(b.sources_against, 0) AS sources_against, coalesce(b.outlets_against, 0) AS outlets_against,
           b.best_reliability, b.earliest, replace(b.latest_key, '-99', '') AS latest,
           (SELECT group_concat(name, '; ') FROM (
                SELECT n.name FROM claim_entities x JOIN entities n ON n.id = x.entity_id
                WHERE x.claim_id = c.id ORDER BY n.name)) AS entities,
           c.notes, c.created_at, c.updated_at
    FROM claims c
    LEFT JOIN claim_types t ON t.id = c.claim_type_id
    LEFT JOIN behind b ON b.claim_id = c.id""")


def _v10_review_session_index(conn: sqlite3.Connection) -> None:
    # The Review screen counts a reviewer's decisions since the session began after every
    # decision. Through the (reviewer, excerpt_id) index that read every decision the reviewer
    # ever made: 1.1-1.5 s for 400,000 on the million-excerpt bench case; with this, the session's.
    conn.execute("CREATE INDEX reviews_reviewer_time ON reviews(reviewer, decided_at)")


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _v1_initial, _v2_excerpt_credibility, _v3_readable_views, _v4_excerpt_lookup_index,
    _v5_search_prefix_indexes, _v6_excerpt_links, _v7_source_index_merges, _v8_excerpt_span_index,
    _v9_named_outlets, _v10_review_session_index,
]
SCHEMA_VERSION = len(MIGRATIONS)
