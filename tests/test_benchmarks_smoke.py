"""The benchmark code runs (at a tiny size); the benchmarks themselves are `make bench`."""

from __future__ import annotations

import sqlite3

from benchmarks import generate, run
from evidence_tui.domain import excerpts, search, sources
from evidence_tui.store import CaseFile


def test_the_generator_makes_a_whole_case_file_with_search_indexes_and_triggers(tmp_path):
    path = generate.synthetic_case(30, 200, out=tmp_path)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM sources").fetchone()[0] == 31  # and the 1 MB long read
    assert conn.execute("SELECT count(*) FROM excerpts").fetchone()[0] == 220
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    triggers = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert {"sources_fts_ai", "sources_fts_ad", "excerpts_fts_ai"} <= triggers
    conn.close()
    case = CaseFile.open(path)
    word = case.db.conn.execute("SELECT title FROM sources LIMIT 1").fetchone()[0].split()[0]
    assert search.search(case, word)
    # Each excerpt's quote is the span of its source's text it points at.
    for e in excerpts.list_excerpts(case, limit=20):
        assert sources.get_source(case, e.source_id).text[e.start:e.end] == e.quote
    case.close()


def test_every_benchmark_runs_at_a_tiny_size(tmp_path, monkeypatch):
    monkeypatch.setattr(generate, "OUT", tmp_path)
    monkeypatch.setattr(run, "OUT", tmp_path)
    results = run.run({"sources": 30, "excerpts": 300, "articles": 20}, only={"import", "search", "views", "export"},
                      json_path=tmp_path / "results.json", quiet=True)
    names = [f.name for f in results.figures]
    assert any(n.startswith("import") for n in names) and any(n.startswith("export") for n in names)
    assert all(f.value == f.value for f in results.figures)  # no NaN
    assert (tmp_path / "results.json").exists()
