"""Nothing lost: the CLI killed (SIGKILL) at random moments while it imports a folder and while it
adds excerpts, and two writers (the app and the CLI) on one case file at once.

After every kill: SQLite's integrity_check is ok, both FTS5 indexes pass their integrity-check,
every source is whole (original bytes and text match their hashes) or absent, every excerpt the
killed process reported committed is there, and every stored row has its entry in the log.
Importing the folder again then completes it without duplicates.

`make test` runs a small folder (200 articles, 25 + 25 kills); `make stress` sets
EVIDENCE_STRESS=1 for 2,000 articles and 60 + 60 kills.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from evidence_tui.domain import integrity
from evidence_tui.store import CaseFile
from evidence_tui.store.schema import SCHEMA_VERSION

STRESS = bool(os.environ.get("EVIDENCE_STRESS"))
ARTICLES = 2000 if STRESS else 200
KILLS = 60 if STRESS else 25
ROOT = Path(__file__).resolve().parent.parent
WORDS = (
    "army contract recruiter migrant border deported promised work salary passport detention camp "
    "village hospital officer interview witness document convoy trench wounded family embassy visa"
).split()

# The CLI, with import batches of 25 files instead of 200, so that a kill can land between the
# commits of one import (each batch is one transaction: its sources are all there or none is).
IMPORT_CLI = "import evidence_tui.domain.sources as s; s.BATCH_FILES = 25; from evidence_tui.cli import main; main()"

# Adds excerpts through the CLI in a loop and prints each one's id once its command has returned
# (so it is committed); the parent kills it at a random moment.
EXCERPT_LOOP = textwrap.dedent(
    """
    import json, os, random, sys
    from click.testing import CliRunner
    from evidence_tui.cli import cli
    db, seed = sys.argv[1], int(sys.argv[2])
    rng = random.Random(seed)
    runner = CliRunner()
    sources = json.loads(runner.invoke(cli, ["sources", "--db", db, "--json"]).stdout)
    while True:
        source = rng.choice(sources)
        start = rng.randrange(0, 300)
        end = start + rng.randrange(5, 80)
        result = runner.invoke(cli, ["excerpt", "add", "--db", db, source["id"], "--start", str(start),
                                     "--end", str(end), "--type", "Deception", "--json"])
        if result.exit_code == 0:
            excerpt = json.loads(result.stdout)
            line = f"COMMITTED {excerpt['id']} {excerpt['start']} {excerpt['end']}"
        else:
            line = "REFUSED " + result.output.strip().replace(chr(10), " ")
        # One write() per line: a pipe write this small is atomic, so a kill cannot cut a line in half.
        os.write(1, (line + chr(10)).encode())
    """
)


def write_articles(folder: Path, count: int, seed: int = 7) -> dict[str, str]:
    """Write ``count`` distinct articles; return {sha256 of the bytes: file name}."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    hashes = {}
    for i in range(count):
        body = "\n\n".join(" ".join(rng.choice(WORDS) for _ in range(70)) + "." for _ in range(5))
        data = (
            f"Article {i}: {rng.choice(WORDS)} and {rng.choice(WORDS)}\n\n"
            f"Outlet: Test Wire\nPublished: 2024-{1 + i % 12:02d}-{1 + i % 28:02d}\n\n{body}\n"
        ).encode()
        name = f"article-{i:05d}.txt"
        (folder / name).write_bytes(data)
        hashes[hashlib.sha256(data).hexdigest()] = name
    return hashes


def assert_consistent(db: Path, known_hashes: dict[str, str] | None = None) -> sqlite3.Connection:
    """Everything the issue promises after a crash; returns an open connection for more checks."""
    conn = sqlite3.connect(db, isolation_level=None)
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    # Killed before or while the schema was made: all of it or none (the migration is one transaction).
    tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    assert (tables, version) == (0, 0) or (tables > 0 and version == SCHEMA_VERSION), (tables, version)
    CaseFile.open(db, create=False).close()  # as the next command would: makes the schema if none
    for fts in ("sources_fts", "excerpts_fts"):
        conn.execute(f"INSERT INTO {fts}({fts}, rank) VALUES ('integrity-check', 1)")
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    case = CaseFile.open(db, create=False)
    try:
        report = integrity.check_case(case)
    finally:
        case.close()
    assert report.ok, [p.line() for p in report.problems]
    # Whole or absent: each source has its original, and it is one of the files (not a part).
    for sha, has_original in conn.execute(
        "SELECT s.sha256, EXISTS (SELECT 1 FROM source_originals o WHERE o.source_id = s.id) FROM sources s"
    ):
        assert has_original
        if known_hashes is not None:
            assert sha in known_hashes
    # Data and log were committed together: no stored row without its event.
    for table in ("sources", "excerpts"):
        orphans = conn.execute(
            f"SELECT count(*) FROM {table} t WHERE NOT EXISTS "
            f"(SELECT 1 FROM events v WHERE v.tbl = '{table}' AND v.record_key = t.id)"
        ).fetchone()[0]
        assert orphans == 0, f"{orphans} {table} rows without their log entry"
    return conn


def kill_after(process: subprocess.Popen, delay: float) -> None:
    try:
        process.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()


def rows_committed(db: Path, table: str) -> int:
    """How many rows of ``table`` another reader sees committed in ``db`` now (0 while it has no schema)."""
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def kill_after_a_commit(process: subprocess.Popen, db: Path, table: str, before: int, delay: float) -> None:
    """Kill ``delay`` after the process has committed rows to ``table`` (whatever the machine's speed)."""
    deadline = time.monotonic() + 60
    while process.poll() is None and rows_committed(db, table) <= before and time.monotonic() < deadline:
        time.sleep(0.01)
    kill_after(process, delay)


def test_killed_imports_leave_whole_sources_and_a_reimport_completes(tmp_path):
    folder = tmp_path / "articles"
    hashes = write_articles(folder, ARTICLES)
    rng = random.Random(2024)
    killed = rounds = 0
    seen_counts: set[int] = set()
    db = None
    while killed < KILLS:
        assert rounds < 4 * KILLS, f"only {killed} of {rounds} imports were killed before they finished"
        if rounds % 5 == 0:
            # A fresh case file now and then, so kills land in first imports as well as in resumed ones.
            db = tmp_path / f"case{rounds}.db"
        rounds += 1
        process = subprocess.Popen(
            [sys.executable, "-c", IMPORT_CLI, "import", "--db", str(db), str(folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        if rounds % 2:
            kill_after(process, rng.uniform(0.15, 0.35 + ARTICLES / 1000))
        else:
            # Half the kills wait for a first committed batch: a slow or busy machine (where start-up
            # alone outlasts any fixed delay) still gets kills between batches, not only before them.
            kill_after_a_commit(process, db, "sources", rows_committed(db, "sources"), rng.uniform(0.0, 0.2))
        killed += process.returncode == -signal.SIGKILL
        if process.returncode not in (0, -signal.SIGKILL):
            pytest.fail(f"import failed on its own: {process.stderr.read().decode()}")
        conn = assert_consistent(db, hashes)
        seen_counts.add(conn.execute("SELECT count(*) FROM sources").fetchone()[0])
        conn.close()

    # Kills landed between batches too: some case files held part of the folder (whole batches).
    assert any(0 < n < ARTICLES for n in seen_counts), sorted(seen_counts)
    assert all(n % 25 == 0 or n == ARTICLES for n in seen_counts), sorted(seen_counts)
    print(f"{killed} kills in {rounds} imports; source counts seen after kills: {sorted(seen_counts)}")
    done = subprocess.run(
        [sys.executable, "-m", "evidence_tui", "import", "--db", str(db), "--json", str(folder)],
        capture_output=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr.decode()
    summary = json.loads(done.stdout)
    assert summary["failed"] == 0 and summary["imported"] + summary["duplicates"] == ARTICLES
    conn = assert_consistent(db, hashes)
    assert conn.execute("SELECT count(*), count(DISTINCT sha256) FROM sources").fetchone() == (ARTICLES, ARTICLES)
    conn.close()


def test_killed_excerpt_loops_lose_no_committed_excerpt(tmp_path):
    folder = tmp_path / "articles"
    write_articles(folder, min(ARTICLES, 200))
    db = tmp_path / "case.db"
    setup = subprocess.run([sys.executable, "-m", "evidence_tui", "import", "--db", str(db), str(folder)], capture_output=True)
    assert setup.returncode == 0, setup.stderr.decode()
    subprocess.run([sys.executable, "-m", "evidence_tui", "codebook", "add", "--db", str(db), "Deception"], check=True,
                   capture_output=True)
    rng = random.Random(99)
    committed: dict[str, tuple[int, int]] = {}
    killed = 0
    for round_ in range(KILLS):
        process = subprocess.Popen(
            [sys.executable, "-c", EXCERPT_LOOP, str(db), str(round_)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        # Once the loop is writing (its first excerpt is committed, however slow the start-up), a
        # random moment later: kills land inside writes, not before the first one.
        kill_after_a_commit(process, db, "excerpts", rows_committed(db, "excerpts"), rng.uniform(0.05, 0.45))
        out, err = process.communicate()
        killed += process.returncode == -signal.SIGKILL
        assert "Traceback" not in err, err
        for line in out.splitlines():
            if line.startswith("COMMITTED "):
                _, excerpt_id, start, end = line.split()
                committed[excerpt_id] = (int(start), int(end))
            else:
                assert line.startswith("REFUSED ") and "white space" in line, line
        conn = assert_consistent(db)
        stored = {row[0]: (row[1], row[2]) for row in conn.execute('SELECT id, start, "end" FROM excerpts')}
        tagged = {row[0] for row in conn.execute("SELECT excerpt_id FROM excerpt_claim_types")}
        conn.close()
        missing = set(committed) - set(stored)
        assert not missing, f"committed excerpts lost after kill {round_}: {sorted(missing)[:5]}"
        assert all(stored[i] == span for i, span in committed.items())
        assert set(committed) <= tagged
    assert killed == KILLS
    assert len(committed) > KILLS  # the loops really were writing when killed


def test_the_app_and_the_cli_write_at_once(tmp_path):
    """Two writers: neither fails with 'database is locked', each sees the other's changes."""
    from evidence_tui.domain import codebook as codebook_domain
    from evidence_tui.domain import sources as sources_domain
    from evidence_tui.domain.stats import case_stats
    from evidence_tui.tui.app import EvidenceApp
    from tests.tui_util import settle

    folder = tmp_path / "articles"
    write_articles(folder, 200)
    db = tmp_path / "case.db"
    CaseFile.open(db).close()
    errors: list[str] = []

    async def run():
        case = CaseFile.open(db, actor="app")
        app = EvidenceApp(case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            process = subprocess.Popen(
                [sys.executable, "-c", IMPORT_CLI, "import", "--db", str(db), str(folder)],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            )
            written = 0
            while process.poll() is None or written < 20:
                app.db.submit(codebook_domain.add_type, f"Type {written}", on_error=lambda e: errors.append(str(e)))
                written += 1
                await asyncio.sleep(0.01)
            out, err = process.communicate()
            await settle(app, pilot)
            assert process.returncode == 0, err.decode()
            assert b"locked" not in err
            # The app's next read sees the CLI's import...
            seen = []
            app.db.submit(sources_domain.count_sources, then=seen.append, changed=False)
            await settle(app, pilot)
            assert seen == [200]
            figures = []
            app.db.submit(case_stats, then=figures.append, changed=False)
            await settle(app, pilot)
            assert figures[0].sources == 200 and figures[0].claim_types == written
            await pilot.press("q")
        case.close()
        return written

    written = asyncio.run(run())
    assert errors == []
    # ...and the CLI's next read sees the app's writes.
    listed = subprocess.run([sys.executable, "-m", "evidence_tui", "codebook", "list", "--db", str(db), "--json"],
                            capture_output=True, check=True)
    assert len(json.loads(listed.stdout)) == written
    assert_consistent(db).close()


def test_a_write_waits_for_another_writer_within_the_busy_timeout(tmp_path, monkeypatch):
    db = tmp_path / "case.db"
    CaseFile.open(db).close()
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    monkeypatch.setenv("EVIDENCE_BUSY_TIMEOUT_MS", "3000")
    process = subprocess.Popen([sys.executable, "-m", "evidence_tui", "codebook", "add", "--db", str(db), "Waited"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(0.8)
    holder.execute("COMMIT")
    holder.close()
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err.decode()
