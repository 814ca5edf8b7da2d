"""Encrypted against plain case files, in the same run: import speed and search latency.

    .venv/bin/python -m benchmarks.crypto                     # 2,000 articles; 5,000 sources / 50,000 excerpts
    .venv/bin/python -m benchmarks.crypto --articles 500 --sources 5000,50000 --rounds 3

Import: the same folder of generated articles through ``import_paths`` into a new plain case file
and a new encrypted one, alternately, ``--rounds`` times (median). Search: the benchmark's 100
queries through the domain's ``search`` on the cached synthetic case file and on an encrypted copy
of it (made with ``evidence-tui encrypt``'s conversion), warm, p50 and p95. The target is an
encrypted case file within 1.5x of a plain one. Needs the crypto extra.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.generate import OUT, article_folder, synthetic_case
from benchmarks.run import no_daily_backup, percentile, search_queries
from evidence_tui.domain import search as search_domain
from evidence_tui.domain.sources import import_paths
from evidence_tui.store import CaseFile, crypto

PASSPHRASE = "benchmark passphrase"
TARGET = 1.5


def _import_once(folder: Path, path: Path, passphrase: str | None) -> float:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    case = CaseFile.open(path, actor="benchmark", passphrase=passphrase, encrypt=passphrase is not None)
    try:
        started = time.perf_counter()
        summary = import_paths(case, [folder])
        elapsed = time.perf_counter() - started
        assert summary.imported > 0 and not summary.failed
    finally:
        case.close()
    return elapsed


def bench_import(articles: int, rounds: int, work: Path) -> dict:
    folder = article_folder(articles)
    files = [p for p in folder.iterdir() if not p.name.startswith(".")]
    for p in files:  # page cache
        p.read_bytes()
    plain, encrypted = [], []
    for round_ in range(rounds):
        order = (None, PASSPHRASE) if round_ % 2 == 0 else (PASSPHRASE, None)
        for passphrase in order:
            seconds = _import_once(folder, work / ("enc.db" if passphrase else "plain.db"), passphrase)
            (encrypted if passphrase else plain).append(seconds)
    p, e = statistics.median(plain), statistics.median(encrypted)
    return {"files": len(files), "plain_s": p, "encrypted_s": e, "plain_rate": len(files) / p,
            "encrypted_rate": len(files) / e, "ratio": e / p}


def _search_times(path: Path, passphrase: str | None, queries: list[str]) -> list[float]:
    no_daily_backup(path)
    case = CaseFile.open(path, create=False, actor="benchmark", passphrase=passphrase)
    try:
        for q in queries[:10]:  # warm, as a session would be
            search_domain.search(case, q)
        times = []
        for q in queries:
            started = time.perf_counter()
            search_domain.search(case, q)
            times.append(time.perf_counter() - started)
    finally:
        case.close()
    return times


def bench_search(sources: int, excerpts: int, work: Path) -> dict:
    source = synthetic_case(sources, excerpts, quiet=False)
    copy = work / "search-enc.db"
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dest = sqlite3.connect(copy)
    src.backup(dest)
    dest.close()
    src.close()
    started = time.perf_counter()
    crypto.convert(copy, old=None, new=PASSPHRASE)
    converted = time.perf_counter() - started
    queries = search_queries()
    figures = {"sources": sources, "excerpts": excerpts, "encrypt_s": converted,
               "size_mb": copy.stat().st_size / 1e6}
    plain = _search_times(source, None, queries)
    encrypted = _search_times(copy, PASSPHRASE, queries)
    for label, p in (("p50", 50), ("p95", 95)):
        figures[f"plain_{label}_ms"] = percentile(plain, p) * 1000
        figures[f"encrypted_{label}_ms"] = percentile(encrypted, p) * 1000
        figures[f"{label}_ratio"] = percentile(encrypted, p) / percentile(plain, p)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=2000, help="articles to import (default 2000)")
    parser.add_argument("--sources", default="5000,50000", help="SOURCES,EXCERPTS of the search case file")
    parser.add_argument("--rounds", type=int, default=3, help="import rounds per kind (median)")
    args = parser.parse_args(argv)
    if not crypto.available():
        print(f"the crypto extra is not installed: {crypto.INSTALL_HINT}")
        return 2
    sources, excerpts = (int(x) for x in args.sources.split(","))
    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="bench-crypto-", dir=OUT))
    failed = False
    try:
        imp = bench_import(args.articles, args.rounds, work)
        print(f"import {imp['files']} articles: plain {imp['plain_s']:.2f}s ({imp['plain_rate']:.0f}/s), "
              f"encrypted {imp['encrypted_s']:.2f}s ({imp['encrypted_rate']:.0f}/s): {imp['ratio']:.2f}x")
        failed |= imp["ratio"] > TARGET
        found = bench_search(sources, excerpts, work)
        print(f"search {found['sources']:,} sources / {found['excerpts']:,} excerpts "
              f"({found['size_mb']:.0f} MB, encrypted in {found['encrypt_s']:.1f}s):")
        for label in ("p50", "p95"):
            print(f"  {label}: plain {found[f'plain_{label}_ms']:.2f} ms, encrypted {found[f'encrypted_{label}_ms']:.2f} ms: "
                  f"{found[f'{label}_ratio']:.2f}x")
            failed |= found[f"{label}_ratio"] > TARGET
        print(f"target: encrypted within {TARGET}x of plain: {'missed' if failed else 'met'}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
