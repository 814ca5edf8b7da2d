"""Readable views (schema v3) and the Datasette metadata: views equal the domain's figures, the
metadata names only what exists, search works through the configured FTS tables, and (when
Datasette is installed) Datasette serves the file in-process."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from evidence_tui.cli import cli
from evidence_tui.datasette import HIDDEN, TABLES, metadata
from evidence_tui.domain import claims as claims_domain
from evidence_tui.domain.excerpts import EXPORT_COLUMNS, EXPORT_LIST_COLUMNS, iter_export_rows
from evidence_tui.store import CaseFile
from evidence_tui.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

VIEWS = ("excerpts_export", "claims_corroboration", "sources_overview", "entities_overview")


def columns(conn, name: str) -> list[str]:
    return [r[1] for r in conn.execute(f'PRAGMA table_info("{name}")')]


def test_a_new_case_file_has_the_views(case):
    conn = case.db.conn
    views = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'view'")}
    assert views == set(VIEWS)
    assert columns(conn, "excerpts_export")[: len(EXPORT_COLUMNS)] == list(EXPORT_COLUMNS)
    assert SCHEMA_VERSION >= 3


def test_a_version_2_file_is_migrated_forward(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for migration in MIGRATIONS[:2]:
        migration(conn)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()
    case = CaseFile.open(path, actor="tester", create=False)
    conn = case.db.conn
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'view'")} == set(VIEWS)
    assert conn.execute("SELECT count(*) FROM excerpts_export").fetchone()[0] == 0
    case.close()


def test_excerpts_export_view_is_the_export(demo_case):
    conn = demo_case.db.conn
    expected = {}
    for row in iter_export_rows(demo_case):
        expected[row["excerpt_id"]] = {
            k: ("; ".join(v) or None) if k in EXPORT_LIST_COLUMNS else v for k, v in row.items()
        }
    cursor = conn.execute(f"SELECT {', '.join(chr(34) + c + chr(34) for c in EXPORT_COLUMNS)} FROM excerpts_export")
    got = {r[0]: dict(zip(EXPORT_COLUMNS, r)) for r in cursor}
    assert len(got) == len(expected) > 10
    assert got == expected
    authors = dict(conn.execute("SELECT id, author FROM excerpts"))
    assert dict(conn.execute("SELECT excerpt_id, tagged_by FROM excerpts_export")) == authors


def test_claims_corroboration_view_is_the_domain_figures(demo_case):
    conn = demo_case.db.conn
    view = {r["claim_id"]: dict(r) for r in conn.execute("SELECT * FROM claims_corroboration")}
    listed = claims_domain.list_claims(demo_case)
    assert len(view) == len(listed) > 0
    for claim in listed:
        row = view[claim.id]
        for name in ("statement", "claim_type", "credibility", "supporting", "contradicting", "sources", "outlets",
                     "sources_against", "outlets_against", "best_reliability", "earliest", "latest", "notes"):
            assert row[name] == getattr(claim, name), (claim.statement, name)


def test_overview_views_count_the_evidence(demo_case):
    conn = demo_case.db.conn
    for row in conn.execute("SELECT * FROM entities_overview"):
        assert row["excerpts"] == conn.execute(
            "SELECT count(DISTINCT excerpt_id) FROM excerpt_entities WHERE entity_id = ?", (row["entity_id"],)).fetchone()[0]
        aliases = [r[0] for r in conn.execute("SELECT alias FROM entity_aliases WHERE entity_id = ? ORDER BY alias", (row["entity_id"],))]
        assert (row["aliases"] or "") == "; ".join(aliases)
    total = conn.execute("SELECT sum(excerpts) FROM sources_overview").fetchone()[0]
    assert total == conn.execute("SELECT count(*) FROM excerpts").fetchone()[0]


def test_metadata_names_only_what_exists(demo_case):
    conn = demo_case.db.conn
    existing = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    tables = metadata("demo")["databases"]["demo"]["tables"]
    assert set(tables) <= existing
    assert set(VIEWS) <= set(tables) and set(HIDDEN) <= set(tables)
    # Every table the app writes has a title and a description.
    for name in existing - set(HIDDEN):
        assert tables[name]["title"] and tables[name]["description"], name
    for name, table in TABLES.items():
        assert set(table.get("columns", {})) <= set(columns(conn, name)), name
        if "fts_table" in table:
            assert table["fts_table"] in existing
            assert table["fts_pk"] == "rowid" or table["fts_pk"] in columns(conn, name)
        for column in table.get("facets", []) + [table.get("sort"), table.get("sort_desc")]:
            assert column is None or column in columns(conn, name), (name, column)


def search_like_datasette(conn, name: str, terms: str) -> list:
    # What Datasette runs for ?_search= with fts_table/fts_pk configured.
    table = TABLES[name]
    return conn.execute(
        f'SELECT * FROM "{name}" WHERE "{table["fts_pk"]}" IN '
        f'(SELECT rowid FROM "{table["fts_table"]}" WHERE "{table["fts_table"]}" MATCH ?)', (terms,),
    ).fetchall()


def test_search_through_the_configured_indexes(demo_case):
    conn = demo_case.db.conn
    hits = search_like_datasette(conn, "excerpts_export", "deportation")
    assert hits and all("deportation" in (r["quote"] + (r["note"] or "")).lower() for r in hits)
    expected = conn.execute("SELECT count(*) FROM excerpts WHERE quote LIKE '%deportation%' OR note LIKE '%deportation%'").fetchone()[0]
    assert len(hits) == expected
    sources = search_like_datasette(conn, "sources_overview", "army OR deportation")
    assert len(sources) == conn.execute("SELECT count(*) FROM sources_fts WHERE sources_fts MATCH 'army OR deportation'").fetchone()[0] > 0


def test_datasette_metadata_command(demo_case, tmp_path):
    path = demo_case.path
    demo_case.close()
    out = tmp_path / "metadata.json"
    result = CliRunner().invoke(cli, ["datasette-metadata", "-o", str(out), "--db", str(path)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written == metadata(path.stem)
    assert f"datasette {path} --metadata {out}" in result.stderr
    stdout = CliRunner().invoke(cli, ["datasette-metadata", "--db", str(path)])
    assert stdout.exit_code == 0 and json.loads(stdout.stdout) == written


def test_datasette_serves_the_file(demo_case, tmp_path):
    """Only when Datasette is installed (the optional 'web' extra): in-process, no socket."""
    datasette_app = pytest.importorskip("datasette.app")
    path: Path = demo_case.path
    demo_case.close()

    async def fetch():
        ds = datasette_app.Datasette([str(path)], metadata=metadata(path.stem))
        base = f"/{path.stem}"
        index = await ds.client.get(f"{base}/excerpts_export")
        search = await ds.client.get(f"{base}/excerpts_export.json", params={"_search": "deportation", "_shape": "array"})
        raw = await ds.client.get(f"{base}/sources_overview.json", params={"_search": "army OR deportation", "_shape": "array"})
        return index, search, raw

    index, search, raw = asyncio.run(fetch())
    assert index.status_code == 200 and "Excerpts (as exported)" in index.text
    assert search.status_code == 200
    rows = search.json()
    assert rows and all("deportation" in (r["quote"] + (r["note"] or "")).lower() for r in rows)
    assert raw.status_code == 200 and len(raw.json()) > 0
