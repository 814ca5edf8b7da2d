"""Benchmarks at scale: import, search, filtered excerpt views, CSV export and the TUI.

    python -m benchmarks.run            # 100,000 sources, 1,000,000 excerpts, 10,000 articles to import
    python -m benchmarks.run --quick    # small sizes, under a minute
    python -m benchmarks.run --sizes 20000,200000,2000 --json out.json

Every figure is measured in this run; where there is a reference (the floor of plain ``sqlite3``
for import, raw FTS5 for search, a plain scan for export) the reference is measured in the same
run and the figure is also given as a ratio. Figures that depend on memory (export, TUI) run in a
fresh child process, which reports its own peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import math
import os
import platform
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchmarks.generate import LONG_TITLE, OUT, TextMaker, article_folder, synthetic_case
from evidence_tui.domain import excerpts as excerpts_domain
from evidence_tui.domain import search as search_domain
from evidence_tui.domain.filters import ExcerptFilter
from evidence_tui.domain.sources import import_paths
from evidence_tui.exporters import ExportOptions, export_to_file
from evidence_tui.store import CaseFile

FULL = {"sources": 100_000, "excerpts": 1_000_000, "articles": 10_000}
QUICK = {"sources": 5_000, "excerpts": 50_000, "articles": 500}


@dataclass
class Figure:
    """One measured figure, its target, and its reference when there is one."""

    name: str
    value: float
    unit: str
    target: str = ""
    passed: bool | None = None
    reference: float | None = None
    ratio: float | None = None
    runs: int = 1
    note: str = ""


@dataclass
class Results:
    """All figures of one run, with the sizes and the machine."""

    sizes: dict
    figures: list[Figure] = field(default_factory=list)

    def add(self, figure: Figure) -> Figure:
        self.figures.append(figure)
        return figure


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def peak_rss_mb() -> float:
    """This process's peak RSS in MB (VmHWM: unlike ru_maxrss, not inherited from the parent across exec)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def at_least(value: float, target: float) -> bool:
    return value >= target


def at_most(value: float, target: float) -> bool:
    return value <= target


def no_daily_backup(path: Path) -> None:
    """Mark today's automatic backup of ``path`` as done: benchmarks must not copy gigabytes each run.

    (Opening a case file makes a rolling backup at most once a day; on a big file that copy is a
    real cost of the first open of the day, left out of these figures.)
    """
    try:
        from evidence_tui.store.backup import rolling_folder

        (rolling_folder(Path(path)) / "last-daily").write_text(f"{time.time():.0f}\n", encoding="ascii")
    except (ImportError, OSError):
        pass


def open_case(path: Path | str) -> CaseFile:
    """Open a benchmark case file (without its daily backup)."""
    no_daily_backup(Path(path))
    return CaseFile.open(path, actor="benchmark")


def _fresh_case(folder: Path, name: str) -> CaseFile:
    path = folder / name
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return CaseFile.open(path, actor="benchmark")


# -- import ----------------------------------------------------------------------------------


def bench_import(results: Results, articles: int, work: Path) -> None:
    """Import a folder of articles through ``import_paths``; then the floor of plain sqlite3."""
    folder = article_folder(articles)
    files = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    megabytes = sum(p.stat().st_size for p in files) / 1e6
    # Read once, so both the import and the floor start with the files in the page cache.
    for p in files:
        p.read_bytes()

    case = _fresh_case(work, "import.db")
    started = time.perf_counter()
    summary = import_paths(case, [folder])
    elapsed = time.perf_counter() - started
    assert summary.imported == len(files), (summary.imported, summary.failed, summary.outcomes[:3])
    columns = [r[1] for r in case.db.conn.execute("PRAGMA table_info(sources)")]
    rows = [tuple(r) for r in case.db.conn.execute(f"SELECT {', '.join(columns)} FROM sources")]
    originals = [tuple(r) for r in case.db.conn.execute("SELECT source_id, data FROM source_originals")]
    case.close()

    floor = _import_floor(work, columns, rows, originals)
    rate = len(files) / elapsed
    results.add(Figure("import: articles/s", rate, "/s", ">= 1000", at_least(rate, 1000),
                       runs=1, note=f"{len(files)} files, {megabytes:.1f} MB, import_paths"))
    results.add(Figure("import: MB/s", megabytes / elapsed, "MB/s", "", None,
                       reference=megabytes / floor, ratio=(megabytes / elapsed) / (megabytes / floor), runs=1,
                       note="reference: plain sqlite3 floor"))
    ratio = elapsed / floor
    results.add(Figure("import: time vs floor", elapsed, "s", "<= 2.0x floor", at_most(ratio, 2.0),
                       reference=floor, ratio=ratio, runs=1,
                       note="floor: executemany of the same rows + FTS rebuild, one transaction"))


def _import_floor(work: Path, columns: list[str], rows: list[tuple], originals: list[tuple]) -> float:
    """Seconds to insert the same rows with plain sqlite3 executemany and build the same FTS index."""
    case = _fresh_case(work, "floor.db")
    case.close()
    conn = sqlite3.connect(str(work / "floor.db"), isolation_level=None)
    conn.execute("PRAGMA synchronous = FULL")  # as the app's connections
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("DROP TRIGGER sources_fts_ai")
    marks = ", ".join("?" for _ in columns)
    started = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(f"INSERT INTO sources ({', '.join(columns)}) VALUES ({marks})", rows)
    conn.executemany("INSERT INTO source_originals (source_id, data) VALUES (?, ?)", originals)
    conn.execute("INSERT INTO sources_fts(sources_fts) VALUES ('rebuild')")
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


# -- search ----------------------------------------------------------------------------------


def search_queries(count: int = 100, seed: int = 3) -> list[str]:
    """Words (common to rare), phrases and prefixes, as researchers type them."""
    rng = random.Random(seed)
    maker = TextMaker(seed=6, pool=2000)  # the same vocabulary as the generated case files
    vocab = maker.vocabulary
    queries: list[str] = []
    for i in range(count):
        kind = i % 3
        if kind == 0:
            # Frequent, middling and rare words (the vocabulary is ordered by frequency).
            rank = rng.choice((rng.randrange(0, 150), rng.randrange(150, 3000), rng.randrange(3000, len(vocab))))
            queries.append(vocab[rank])
        elif kind == 1:
            words = rng.choice(maker.sentences).rstrip(".?!").lower().split()
            at = rng.randrange(0, max(1, len(words) - 2))
            queries.append('"' + " ".join(words[at:at + rng.choice((2, 3))]) + '"')
        else:
            word = vocab[rng.randrange(0, 5000)]
            queries.append(word[: max(3, min(len(word), rng.randint(3, 5)))] + "*")
    return queries


# The references: raw FTS5 on both indexes, no join, no snippet, in the same order as the figure.
RAW_NEWEST = ("SELECT rowid FROM sources_fts WHERE sources_fts MATCH ? ORDER BY rowid DESC LIMIT 50",
              "SELECT rowid FROM excerpts_fts WHERE excerpts_fts MATCH ? ORDER BY rowid DESC LIMIT 50")
RAW_BEST = ("SELECT rowid, bm25(sources_fts, 5.0, 1.0) AS r FROM sources_fts WHERE sources_fts MATCH ? ORDER BY r LIMIT 50",
            "SELECT rowid, bm25(excerpts_fts, 1.0, 0.5) AS r FROM excerpts_fts WHERE excerpts_fts MATCH ? ORDER BY r LIMIT 50")


def bench_search(results: Results, case_path: Path, sources: int) -> None:
    """100 queries through the domain's ``search`` (newest first, as the app lists them) and, for
    reference, raw FTS5 in the same order; then the same with ``order="best"`` (bm25, on request)."""
    case = open_case(case_path)
    queries = [search_domain.quote_barewords(q) for q in search_queries()]
    conn = case.db.conn
    for q in queries[:10]:  # warm the page cache a little, as a session would be
        for sql in RAW_NEWEST:
            conn.execute(sql, (q,)).fetchall()
    for order, raw_sql, target in (("newest", RAW_NEWEST, 20.0), ("best", RAW_BEST, None)):
        raw, domain, worst = [], [], ("", 0.0)
        for q in queries:
            started = time.perf_counter()
            for sql in raw_sql:
                conn.execute(sql, (q,)).fetchall()
            raw.append(time.perf_counter() - started)
            started = time.perf_counter()
            search_domain.search(case, q, order=order)
            elapsed = time.perf_counter() - started
            domain.append(elapsed)
            if elapsed > worst[1]:
                worst = (q, elapsed)
        for label, p in (("p50", 50), ("p95", 95)):
            value, reference = percentile(domain, p) * 1000, percentile(raw, p) * 1000
            checked = target is not None and p == 95
            results.add(Figure(
                f"search {sources:,} sources, {order} first: {label}", value, "ms", f"<= {target:.0f} ms" if checked else "",
                at_most(value, target) if checked else None, reference=reference, ratio=value / reference,
                runs=len(queries),
                note=(f"search(order={order!r}): 50 hits of sources+excerpts with snippets; reference: raw FTS5, same order"
                      + (f"; slowest {worst[0]} {worst[1] * 1000:.0f} ms" if p == 95 else ""))))
    case.close()


# -- filtered excerpt views ------------------------------------------------------------------


def view_filters(case: CaseFile) -> list[tuple[str, ExcerptFilter]]:
    """Filters a researcher uses: by claim type (common, rare), entity, status, and combined."""
    conn = case.db.conn
    types = [r[0] for r in conn.execute(
        "SELECT t.name FROM claim_types t ORDER BY (SELECT count(*) FROM excerpt_claim_types x WHERE x.claim_type_id = t.id) DESC")]
    entities = [r[0] for r in conn.execute(
        "SELECT entity_id FROM excerpt_entities GROUP BY entity_id ORDER BY count(*) DESC LIMIT 1")]
    rare_entity = [r[0] for r in conn.execute(
        "SELECT entity_id FROM excerpt_entities GROUP BY entity_id ORDER BY count(*) ASC LIMIT 1")]
    return [
        ("type (most used)", ExcerptFilter(claim_types=(types[0],))),
        ("type (least used)", ExcerptFilter(claim_types=(types[-1],))),
        ("entity (most linked)", ExcerptFilter(entities=entities)),
        ("entity (least linked)", ExcerptFilter(entities=rare_entity)),
        ("status accepted", ExcerptFilter(statuses=("accepted",))),
        ("status flagged", ExcerptFilter(statuses=("flagged",))),
        ("type + status", ExcerptFilter(claim_types=(types[1],), statuses=("unreviewed",))),
        ("entity + type", ExcerptFilter(entities=entities, claim_types=(types[0],))),
        ("no filter", ExcerptFilter()),
    ]


def bench_views(results: Results, case_path: Path, excerpts: int, repeats: int = 5) -> None:
    """What the Excerpts screen does per filter: read the first page and show it; count in the background.

    The screen draws a new filter's first page as soon as it is read (the status line says
    "100+ excerpts (counting…)"), then its count; both are timed, the page against the target.
    """
    case = open_case(case_path)
    filters = view_filters(case)
    # Each filter once before the timed runs, as a session would have (the earlier benchmarks read
    # other parts of the file; on this machine that leaves the excerpt indexes partly out of cache).
    # These first runs are reported on their own line.
    cold = []
    for name, f in filters:
        started = time.perf_counter()
        excerpts_domain.list_excerpts(case, f, limit=100, offset=0)
        cold.append((time.perf_counter() - started, name))
    first, counts, last, worst, worst_count = [], [], [], ("", 0.0), ("", 0.0)
    for _ in range(repeats):
        for name, f in filters:
            started = time.perf_counter()
            excerpts_domain.list_excerpts(case, f, limit=100, offset=0)
            elapsed = time.perf_counter() - started
            first.append(elapsed)
            if elapsed > worst[1]:
                worst = (name, elapsed)
            started = time.perf_counter()
            excerpts_domain.count_excerpts(case, f)
            elapsed = time.perf_counter() - started
            counts.append(elapsed)
            if elapsed > worst_count[1]:
                worst_count = (name, elapsed)
    for name, f in filters:  # the End key: the last page of the same view
        total = excerpts_domain.count_excerpts(case, f)
        started = time.perf_counter()
        # The Excerpts screen passes the count it has (so a page past the middle is read from the end).
        excerpts_domain.list_excerpts(case, f, limit=100, offset=max(0, total - 100), total=total)
        last.append(time.perf_counter() - started)
    case.close()
    note = f"{len(filters)} filters x {repeats}; slowest: {worst[0]} {worst[1] * 1000:.0f} ms"
    for label, p in (("p50", 50), ("p95", 95)):
        value = percentile(first, p) * 1000
        results.add(Figure(f"excerpt view {excerpts:,}: {label}", value, "ms", "<= 50 ms" if p == 95 else "",
                           at_most(value, 50) if p == 95 else None, runs=len(first),
                           note=note + " (first page, drawn before the count)"))
    slowest = max(cold)
    results.add(Figure(f"excerpt view {excerpts:,}: first run, slowest", slowest[0] * 1000, "ms", "", None,
                       runs=len(cold), note=f"each filter once before the timed runs; slowest: {slowest[1]}"))
    value = percentile(last, 95) * 1000
    results.add(Figure(f"excerpt view {excerpts:,}: last page p95", value, "ms", "<= 50 ms", at_most(value, 50),
                       runs=len(last), note="End key: the last 100 rows, list_excerpts(offset=total-100, total=total)"))
    for label, p in (("p50", 50), ("p95", 95)):
        value = percentile(counts, p) * 1000
        results.add(Figure(f"excerpt view count: {label}", value, "ms", "", None, runs=len(counts),
                           note=f"count_excerpts, in the background after the first page; slowest: {worst_count[0]} "
                                f"{worst_count[1] * 1000:.0f} ms" if p == 95 else "count_excerpts (status line)"))


def bench_review(results: Results, case_path: Path, excerpts: int, decisions: int = 20) -> None:
    """What the Review screen reads after each decision: the next excerpt, its source, the counts.

    The default queue (every unreviewed excerpt, oldest first), the skipped list growing as a
    session's would; nothing is written (the decisions themselves are single-row writes).
    """
    from evidence_tui.domain import review

    case = open_case(case_path)
    queue = review.ReviewQueue(reviewer="benchmark")
    times, skipped = [], []
    for _ in range(decisions):
        started = time.perf_counter()
        state = review.queue_state(case, queue, skipped, since="2099-01-01")
        times.append(time.perf_counter() - started)
        if state.excerpt is None:
            break
        skipped.append(state.excerpt.id)
    case.close()
    for label, p in (("p50", 50), ("p95", 95)):
        results.add(Figure(f"review {excerpts:,}: next excerpt {label}", percentile(times, p) * 1000, "ms", "", None,
                           runs=len(times), note="queue_state after each decision (next excerpt, source, counts)"))


# -- export (in a child process: peak RSS is its own) -------------------------------------------


def export_child(case_path: str, out_path: str, mode: str) -> dict:
    """Run one export in this (fresh) process; return rows, seconds and peak RSS."""
    case = open_case(case_path)
    started = time.perf_counter()
    if mode == "app":
        # What `evidence-tui export csv -o FILE` and the export dialog run (the column path).
        rows = export_to_file(case, ExcerptFilter(), out_path, ExportOptions())
    elif mode == "fetch":
        # The ceiling of one reader: the rows the export reads (its own query, as bytes), fetched
        # by Python's sqlite3 and thrown away. No export in this process can be faster.
        conn = case.db.conn
        conn.text_factory = bytes
        cursor = conn.execute(excerpts_domain.EXPORT_PART_SQL.format(where="1"), (0, 2**63 - 1))
        rows = 0
        while chunk := cursor.fetchmany(2048):
            rows += len(chunk)
    else:
        # The floor: one plain join of excerpts and sources written with csv.writer (no link lists).
        cursor = case.db.conn.execute(
            'SELECT e.id, e.source_id, s.title, s.outlet, s.author, s.url, s.published, s.published_raw, e.quote, '
            'e.prefix, e.suffix, e.start, e."end", e.review_status, e.note, s.reliability, s.sha256, e.created_at '
            'FROM excerpts e JOIN sources s ON s.id = e.source_id ORDER BY s.rowid, e.start, e."end"')
        with open(out_path, "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out, lineterminator="\r\n")
            rows = 0
            for row in cursor:
                writer.writerow(row)
                rows += 1
    elapsed = time.perf_counter() - started
    case.close()
    return {"rows": rows, "seconds": elapsed, "peak_rss_mb": peak_rss_mb()}


def _child(args: list[str], timeout: float = 1800) -> dict:
    env = {**os.environ, "XDG_DATA_HOME": os.environ.get("XDG_DATA_HOME", str(OUT / "xdg-data"))}
    completed = subprocess.run([sys.executable, "-m", "benchmarks.run", *args], capture_output=True, text=True,
                               timeout=timeout, cwd=Path(__file__).resolve().parent.parent, env=env)
    if completed.returncode != 0:
        raise RuntimeError(f"benchmark child {args[0]} failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def bench_export(results: Results, case_path: Path, excerpts: int, work: Path) -> None:
    """CSV export of every excerpt: rows/s and peak RSS of the exporting process."""
    app = _child(["--export-child", str(case_path), str(work / "export.csv"), "app"])
    floor = _child(["--export-child", str(case_path), str(work / "floor.csv"), "floor"])
    fetch = _child(["--export-child", str(case_path), str(work / "none.csv"), "fetch"])
    rate, floor_rate = app["rows"] / app["seconds"], floor["rows"] / floor["seconds"]
    fetch_rate = fetch["rows"] / fetch["seconds"]
    results.add(Figure(f"export CSV {app['rows']:,} rows: rows/s", rate, "/s", ">= 200000", at_least(rate, 200_000),
                       reference=floor_rate, ratio=rate / floor_rate, runs=1,
                       note="reference: plain join + csv.writer without link lists"))
    results.add(Figure("export: its rows fetched, nothing written", fetch_rate, "/s", "", None,
                       reference=rate, ratio=fetch_rate / rate, runs=1,
                       note="the export's query through sqlite3, rows discarded: one reader's ceiling"))
    results.add(Figure("export CSV: peak RSS", app["peak_rss_mb"], "MB", "<= 150 MB", at_most(app["peak_rss_mb"], 150),
                       runs=1, note="whole exporting process (python + sqlite cache)"))


# -- the TUI (in a child process) --------------------------------------------------------------


async def _wait(pilot, predicate, timeout: float = 30.0) -> float:
    """Poll ``predicate`` between UI turns; return when it holds (seconds waited)."""
    started = time.perf_counter()
    while not predicate():
        if time.perf_counter() - started > timeout:
            raise TimeoutError("the TUI did not get there in time")
        await asyncio.sleep(0.001)
    return time.perf_counter() - started


def _time_draws(widget) -> list[float]:
    """Wrap ``widget.render_lines``; the list returned holds when it last drew (perf_counter)."""
    drawn = [0.0]
    render_lines = widget.render_lines

    def timed(crop):
        strips = render_lines(crop)
        drawn[0] = time.perf_counter()
        return strips

    widget.render_lines = timed
    return drawn


def tui_child(case_path: str, tags: int) -> dict:
    """First screen, RSS, opening a 1 MB source, and tag-key-to-highlight, in this fresh process."""
    from textual import events

    from evidence_tui.tui.app import EvidenceApp
    from evidence_tui.tui.screens.reader import ReaderScreen
    from evidence_tui.tui.widgets.virtual_table import VirtualTable

    case = open_case(case_path)
    long_id = case.db.conn.execute("SELECT id FROM sources WHERE title = ?", (LONG_TITLE,)).fetchone()[0]
    figures: dict = {}

    async def run() -> None:
        started = time.perf_counter()
        app = EvidenceApp(case)
        async with app.run_test(size=(120, 40)) as pilot:
            def library_shown() -> bool:
                try:
                    table = app.screen.query_one("#library-table", VirtualTable)
                except Exception:
                    return False
                return table.row_count > 0 and bool(table._pages)

            await _wait(pilot, library_shown)
            await pilot.pause()
            figures["first_screen_s"] = time.perf_counter() - started
            figures["rss_first_screen_mb"] = peak_rss_mb()
            await app.workers.wait_for_complete()

            started = time.perf_counter()
            app.push_screen(ReaderScreen(long_id))

            def reader_shown() -> bool:
                screen = app.screen
                return isinstance(screen, ReaderScreen) and screen.source is not None and screen.view._layout is not None

            await _wait(pilot, reader_shown)
            await pilot.pause()
            figures["open_1mb_s"] = time.perf_counter() - started
            await app.workers.wait_for_complete()
            screen = app.screen
            view = screen.view
            drawn = _time_draws(view)  # [when the view last drew lines]
            latencies, settled = [], []
            for _ in range(tags):
                # The next sentence without an excerpt: select it (s), then time 1 until it is highlighted.
                await pilot.press("right_parenthesis", "right_parenthesis", "s")
                before = {m.id for m in view.marks}
                started = time.perf_counter()
                # The key as a terminal sends it (pilot.press would also wait until the whole process
                # is idle: the write, the header's counts and every redraw, which is not the highlight).
                app._driver.send_message(events.Key("1", "1"))
                marked = [0.0]

                def highlighted() -> bool:
                    if not marked[0] and any(m.id not in before for m in view.marks):
                        marked[0] = time.perf_counter()
                    return bool(marked[0]) and drawn[0] > marked[0]

                await _wait(pilot, highlighted)
                latencies.append(drawn[0] - started)
                await pilot.pause()
                await app.workers.wait_for_complete()
                await pilot.pause()
                settled.append(time.perf_counter() - started)
            figures["tag_latencies_s"] = latencies
            figures["tag_settled_s"] = settled
            figures["rss_end_mb"] = peak_rss_mb()

            # The Excerpts screen (F2): each benchmark filter in turn, from setting it until its
            # first page is on screen (the count follows in the background).
            from evidence_tui.tui.screens.excerpts import ExcerptsScreen

            await pilot.press("escape")
            await pilot.press("f2")
            await _wait(pilot, lambda: isinstance(app.screen, ExcerptsScreen) and app.screen._shown_filter is not None)
            await app.workers.wait_for_complete()
            excerpts_screen = app.screen
            table = excerpts_screen.table
            painted = _time_draws(table)  # [when the table last drew lines]
            views = []
            for _ in range(3):
                for _name, f in view_filters(case):
                    started = time.perf_counter()
                    excerpts_screen.show_filter(f)
                    arrived = [0.0]

                    def page_painted() -> bool:
                        if not arrived[0] and excerpts_screen._shown_filter == f and (0 in table._pages or table.row_count == 0):
                            arrived[0] = time.perf_counter()
                        return bool(arrived[0]) and painted[0] > arrived[0]

                    await _wait(pilot, page_painted)
                    views.append(painted[0] - started)
                    await app.workers.wait_for_complete()
                    await pilot.pause()
            figures["view_s"] = views

    asyncio.run(run())
    case.close()
    return figures


def bench_tui(results: Results, case_path: Path, sources: int, work: Path, tags: int = 10) -> None:
    """The app on the big case file (a copy, since tagging writes to it)."""
    copy = OUT / "tui-copy.db"  # a fixed path: one rolling-backup folder, not one per run
    for suffix in ("-wal", "-shm"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(case_path, copy)
    figures = _child(["--tui-child", str(copy), str(tags)])
    copy.unlink()
    first = figures["first_screen_s"]
    results.add(Figure(f"TUI {sources:,} sources: first screen", first * 1000, "ms", "<= 1000 ms", at_most(first, 1.0),
                       runs=1, note="run_test(120x40) until the library table has rows"))
    rss = figures["rss_first_screen_mb"]
    results.add(Figure("TUI: RSS at first screen", rss, "MB", "<= 250 MB", at_most(rss, 250), runs=1,
                       note=f"peak RSS after tagging: {figures['rss_end_mb']:.0f} MB"))
    results.add(Figure("TUI: open a 1 MB source", figures["open_1mb_s"] * 1000, "ms", "", None, runs=1,
                       note="push the reader until the text is laid out"))
    views = figures["view_s"]
    for label, p in (("p50", 50), ("p95", 95)):
        value = percentile(views, p) * 1000
        results.add(Figure(f"TUI: Excerpts filter to first rows {label}", value, "ms", "<= 50 ms" if p == 95 else "",
                           at_most(value, 50) if p == 95 else None, runs=len(views),
                           note="F2, the view filters x 3: from show_filter until the table first draws the new rows"))
    lat = figures["tag_latencies_s"]
    settled = percentile(figures["tag_settled_s"], 95) * 1000
    for label, p in (("p50", 50), ("p95", 95)):
        value = percentile(lat, p) * 1000
        results.add(Figure(f"TUI: tag key to highlight {label}", value, "ms", "<= 50 ms" if p == 95 else "",
                           at_most(value, 50) if p == 95 else None, runs=len(lat),
                           note="s selects a sentence, 1 tags it; until the new mark is drawn"
                           + (f" (p95 until written and idle: {settled:.0f} ms)" if p == 95 else "")))


# -- output ----------------------------------------------------------------------------------


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return ""
    if isinstance(value, float) and (math.isnan(value)):
        return "n/a"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}"
    return f"{text} {unit}".strip()


def print_table(results: Results) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"evidence-tui benchmarks ({results.sizes})")
    for column in ("figure", "value", "target", "reference", "ratio", "runs", "pass"):
        table.add_column(column, justify="right" if column in ("value", "reference", "ratio", "runs") else "left")
    for f in results.figures:
        verdict = "" if f.passed is None else ("[green]pass[/]" if f.passed else "[red]FAIL[/]")
        table.add_row(f.name, _fmt(f.value, f.unit), f.target, _fmt(f.reference, f.unit if f.unit != "/s" else "/s"),
                      "" if f.ratio is None else f"{f.ratio:.2f}x", str(f.runs), verdict)
    Console(width=140).print(table)


def run(sizes: dict, *, only: set[str] | None = None, json_path: Path | None = None, quiet: bool = False) -> Results:
    """Run the benchmarks at ``sizes``; print the table and write the JSON."""
    results = Results(sizes=dict(sizes))
    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="bench-", dir=OUT))
    try:
        wanted = only or {"import", "search", "views", "export", "tui"}
        if "import" in wanted:
            bench_import(results, sizes["articles"], work)
        if wanted & {"search", "views", "export", "tui"}:
            case_path = synthetic_case(sizes["sources"], sizes["excerpts"], quiet=quiet)
            if "search" in wanted:
                bench_search(results, case_path, sizes["sources"])
            if "views" in wanted:
                bench_views(results, case_path, sizes["excerpts"])
                bench_review(results, case_path, sizes["excerpts"])
            if "export" in wanted:
                bench_export(results, case_path, sizes["excerpts"], work)
            if "tui" in wanted:
                bench_tui(results, case_path, sizes["sources"], work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if not quiet:
        print_table(results)
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "sizes": results.sizes,
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
                        "platform": platform.platform()},
            "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "figures": [asdict(f) for f in results.figures],
        }
        json_path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        if not quiet:
            print(f"written {json_path}")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help=f"small sizes for development {QUICK}")
    parser.add_argument("--sizes", help="SOURCES,EXCERPTS,ARTICLES (e.g. 100000,1000000,10000)")
    parser.add_argument("--only", help="comma-separated: import,search,views,export,tui")
    parser.add_argument("--json", type=Path, default=OUT / "results.json", help="where to write the figures")
    parser.add_argument("--export-child", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--tui-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    # Rolling backups of benchmark case files go here, never into the user's data folder.
    os.environ.setdefault("XDG_DATA_HOME", str(OUT / "xdg-data"))
    if args.export_child:
        print(json.dumps(export_child(*args.export_child)))
        return 0
    if args.tui_child:
        print(json.dumps(tui_child(args.tui_child[0], int(args.tui_child[1]))))
        return 0
    sizes = dict(QUICK if args.quick else FULL)
    if args.sizes:
        sources, excerpts, articles = (int(v) for v in args.sizes.split(","))
        sizes = {"sources": sources, "excerpts": excerpts, "articles": articles}
    only = set(args.only.split(",")) if args.only else None
    results = run(sizes, only=only, json_path=args.json)
    failed = [f.name for f in results.figures if f.passed is False]
    if failed:
        print(f"{len(failed)} target(s) missed: {', '.join(failed)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
