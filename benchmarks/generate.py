"""Synthetic case files and article folders for the benchmarks, at chosen sizes, cached.

Articles are 1-10 KB of English-like text (a Zipf-distributed vocabulary of common words and a
long tail of invented ones, so search terms range from everywhere to rare), with a headline,
outlet, byline, publication date and entity names. Excerpts are real spans of their source's text
with claim types, entities, claims and review statuses in skewed, lifelike proportions.

The big case files are test data, written straight into SQLite with ``executemany``: the file is
made by ``CaseFile.open`` (so the schema, triggers and migrations are the app's own), the triggers
that keep derived data are dropped for the bulk insert, both FTS indexes and ``excerpt_links`` are
rebuilt in one statement each, and the triggers are recreated from their own DDL as ``CaseFile.open`` stored it (``sqlite_master``).

Files are cached under ``benchmarks/out/`` keyed by size, schema version and generator version.
"""

from __future__ import annotations

import hashlib
import html
import os
import random
import shutil
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from evidence_tui.store import CaseFile
from evidence_tui.store.schema import MIGRATIONS, SCHEMA_VERSION, rebuild_excerpt_links

OUT = Path(__file__).resolve().parent / "out"
GENERATOR_VERSION = 1
LONG_TITLE = "Long read: the whole recruitment file (1 MB)"

COMMON = (
    "the of and to in a is that for on was with he it as at by his from be have has had are were "
    "said they their not but an which this who also after over more than been one two three new "
    "people men officials army contract contracts recruits recruitment border migrants war front "
    "ministry government report reports according state military service soldiers region regional "
    "citizens foreign workers families money payment months year years city village law court "
    "police detained deported passport documents promised job jobs salary training camp unit units "
    "defence interior commander officer officers video interview told says told sent back home "
    "offered signed agency agencies evidence witness witnesses camp camps group groups number"
).split()
OUTLETS = (
    "Baltic Wire Service", "Kyiv Ledger", "Harbour Line News", "Levant Monitor", "Morning Register",
    "Eurasia Rights Digest", "Steppe Rights Monitor", "Dnipro Daily", "East European Observer",
    "Caspian Courier", "Northern Dispatch", "Danube Times", "Riverside Gazette", "Atlas Review",
    "Coastal Chronicle", "Meridian Post", "Frontier Bulletin", "Capital Herald", "Plains Tribune",
    "Valley Standard",
)
FIRST = ("Anil", "Dilani", "Karim", "Olena", "Ivan", "Maria", "Timur", "Aziz", "Lena", "Omar",
         "Sergei", "Nadia", "Rustam", "Farida", "Pavel", "Yusuf", "Irina", "Samir", "Kamala", "Dmytro")
LAST = ("Madusanka", "Wickramasinghe", "Haddad", "Kovalenko", "Petrov", "Ivanova", "Rahimov",
        "Karimov", "Nazarova", "Aliyev", "Bondarenko", "Saidov", "Fernando", "Perera", "Melnyk",
        "Tursunov", "Sokolova", "Hassan", "Abdullaev", "Shevchenko")
PLACES = ("Aleppo", "Karelia", "Murmansk", "Colombo", "Tashkent", "Dushanbe", "Kharkiv", "Rostov",
          "Helsinki", "Latakia", "Bishkek", "Kathmandu", "Donetsk", "Luhansk", "Kursk", "Novosibirsk")
CLAIM_TYPES = (
    ("Deception about the job", "#e06c75"), ("Coercion in detention", "#d19a66"),
    ("Payment promised", "#e5c07b"), ("Payment withheld", "#98c379"), ("Passport confiscated", "#56b6c2"),
    ("Sent to the front", "#61afef"), ("Official denial", "#c678dd"), ("Family testimony", "#be5046"),
    ("Recruiter identified", "#7f848e"), ("Casualty reported", "#abb2bf"), ("Desertion", "#528bff"),
    ("Legal process", "#a0a0a0"),
)
STATUSES = ("unreviewed", "accepted", "rejected", "flagged")
STATUS_WEIGHTS = (60, 25, 10, 5)


@dataclass(frozen=True)
class Article:
    """One synthetic article: its metadata and its body (paragraphs joined by blank lines)."""

    title: str
    outlet: str
    author: str
    published: datetime
    url: str
    body: str


class TextMaker:
    """Deterministic English-like text: a sentence pool drawn from a Zipf vocabulary."""

    def __init__(self, seed: int = 7, pool: int = 40_000) -> None:
        self.rng = random.Random(seed)
        rng = self.rng
        syllables = ["ka", "ri", "mo", "sta", "len", "vor", "ush", "el", "tan", "bri", "do", "mek",
                     "zar", "pol", "in", "ov", "ska", "ter", "nu", "gra", "fe", "lis", "chen", "ba"]
        invented = {"".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(30_000)}
        self.vocabulary = list(COMMON) + sorted(invented)
        weights = [1.0 / (rank + 1) ** 1.05 for rank in range(len(self.vocabulary))]
        names = [f"{f} {l}" for f in FIRST for l in LAST] + list(PLACES) + list(OUTLETS)
        sentences = []
        for _ in range(pool):
            words = rng.choices(self.vocabulary, weights, k=rng.randint(8, 26))
            if rng.random() < 0.25:
                words.insert(rng.randrange(len(words)), rng.choice(names))
            sentence = " ".join(words)
            sentences.append(sentence[0].upper() + sentence[1:] + rng.choice((".", ".", ".", "?", "!")))
        self.sentences = sentences
        self.names = names

    def body(self, size: int) -> str:
        """Paragraphs of 2-6 sentences until about ``size`` characters."""
        rng, parts, total = self.rng, [], 0
        while total < size:
            paragraph = " ".join(rng.choices(self.sentences, k=rng.randint(2, 6)))
            parts.append(paragraph)
            total += len(paragraph) + 2
        return "\n\n".join(parts)

    def article(self, index: int, size: int | None = None) -> Article:
        """An article of 1-10 KB (mostly 2-6 KB) unless ``size`` is given."""
        rng = self.rng
        if size is None:
            size = int(min(10_000, max(1_000, rng.lognormvariate(8.4, 0.45))))
        words = rng.choices(self.vocabulary[:400], k=rng.randint(6, 12))
        title = " ".join(words).capitalize() + f" ({index})"
        outlet = rng.choices(OUTLETS, [1 / (i + 1) for i in range(len(OUTLETS))])[0]
        published = datetime(2022, 2, 24, tzinfo=timezone.utc) + timedelta(minutes=rng.randrange(3 * 365 * 24 * 60))
        author = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        slug = "-".join(words[:6])
        url = f"https://{outlet.lower().replace(' ', '')}.example/{published:%Y/%m}/{slug}-{index}"
        return Article(title, outlet, author, published, url, self.body(size))


# -- article folders (the import benchmark) --------------------------------------------------


def render_file(article: Article, kind: str) -> tuple[str, str]:
    """Return (suffix, content) of an article saved as text, Markdown or HTML."""
    if kind == "txt":
        return ".txt", (
            "This site uses cookies to measure its audience. [Accept all] [Refuse]\n"
            f"{article.title}\n{article.published:%d/%m/%Y %Hh%M}\nURL: {article.url}\n"
            f"Source: {article.outlet}\nBy {article.author}\n\n{article.body}\n"
        )
    if kind == "md":
        return ".md", (
            f"# {article.title}\n\nOutlet: {article.outlet}  \nURL: {article.url}  \n"
            f"Published: {article.published:%Y-%m-%d}  \nAuthor: {article.author}\n\n---\n\n{article.body}\n"
        )
    paragraphs = "\n".join(f"  <p>{html.escape(p)}</p>" for p in article.body.split("\n\n"))
    return ".html", (
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{html.escape(article.title)} | {html.escape(article.outlet)}</title>\n"
        f"<meta name=\"author\" content=\"{html.escape(article.author)}\">\n"
        f"<meta property=\"og:site_name\" content=\"{html.escape(article.outlet)}\">\n"
        f"<link rel=\"canonical\" href=\"{article.url}\">\n</head>\n<body>\n"
        "<header><nav><a href=\"/\">Home</a> &bull; <a href=\"/world/\">World</a></nav></header>\n"
        f"<article>\n  <h1>{html.escape(article.title)}</h1>\n"
        f"  <p class=\"meta\">By {html.escape(article.author)} &mdash; "
        f"<time datetime=\"{article.published:%Y-%m-%dT%H:%M:%S+00:00}\">{article.published:%d %B %Y}</time></p>\n"
        f"{paragraphs}\n</article>\n<footer>Support independent journalism: donate today.</footer>\n</body>\n</html>\n"
    )


def article_folder(count: int, *, seed: int = 11, out: Path | None = None) -> Path:
    """A folder of ``count`` articles (60% .txt, 20% .md, 20% .html), made once and cached."""
    folder = (out or OUT) / f"articles-{count}-g{GENERATOR_VERSION}"
    done = folder / ".complete"
    if done.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    maker = TextMaker(seed, pool=min(40_000, 200 + count * 4))
    for index in range(count):
        kind = ("txt", "txt", "txt", "md", "html")[index % 5]
        suffix, content = render_file(maker.article(index), kind)
        (folder / f"article-{index:06d}{suffix}").write_text(content, encoding="utf-8")
    done.write_text("ok\n")
    return folder


# -- case files ----------------------------------------------------------------------------


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def case_path(sources: int, excerpts: int, out: Path | None = None) -> Path:
    """Where the cached case file of this size lives."""
    return (out or OUT) / f"case-{sources}s-{excerpts}e-v{SCHEMA_VERSION}-g{GENERATOR_VERSION}.db"


def synthetic_case(sources: int, excerpts: int, *, seed: int = 5, out: Path | None = None, quiet: bool = True) -> Path:
    """Return a case file with ``sources`` sources and ``excerpts`` excerpts, generating it once."""
    path = case_path(sources, excerpts, out)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    for leftover in path.parent.glob(partial.name + "*"):
        leftover.unlink()
    started = time.perf_counter()
    older = _older_version(sources, excerpts, out)
    if older is not None:
        # The same data made for an older schema: a migrated copy is much quicker than generating
        # a million excerpts again (migrated here with the app's own steps, without the app's
        # copy-aside backup: this is test data).
        shutil.copyfile(older, partial)
        os.chmod(partial, 0o600)  # as the app makes case files
        _migrate(partial)
    else:
        _generate(partial, sources, excerpts, seed, quiet)
    # Renamed only when whole: an interrupted run leaves no half case file in the cache.
    os.replace(partial, path)
    if not quiet:
        print(f"generated {path.name} in {time.perf_counter() - started:.1f}s", flush=True)
    return path


def _older_version(sources: int, excerpts: int, out: Path | None) -> Path | None:
    """The newest cached case file of this size made for an older schema, if any."""
    for version in range(SCHEMA_VERSION - 1, 0, -1):
        older = (out or OUT) / f"case-{sources}s-{excerpts}e-v{version}-g{GENERATOR_VERSION}.db"
        if older.exists():
            return older
    return None


def _migrate(path: Path) -> None:
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        conn.execute("BEGIN IMMEDIATE")
        for step in MIGRATIONS[version:]:
            step(conn)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    finally:
        conn.close()


def _uuid(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"


def _generate(path: Path, n_sources: int, n_excerpts: int, seed: int, quiet: bool) -> None:
    case = CaseFile.open(path, actor="benchmark")
    case.close()
    rng = random.Random(seed)
    maker = TextMaker(seed + 1, pool=min(40_000, 200 + n_sources * 2))
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -1000000")
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("BEGIN")
    # The triggers that keep derived data (FTS indexes, excerpt_links), as CaseFile.open created
    # them: dropped for the bulk load, the data made in one pass each, the triggers recreated after.
    derived = ("type = 'trigger' AND (name LIKE 'sources_fts_%' OR name LIKE 'excerpts_fts_%' "
               "OR name LIKE '%_links_a_')")
    triggers = conn.execute(f"SELECT sql FROM sqlite_master WHERE {derived}").fetchall()
    for (name,) in conn.execute(f"SELECT name FROM sqlite_master WHERE {derived}").fetchall():
        conn.execute(f'DROP TRIGGER "{name}"')

    base = datetime(2024, 1, 8, 9, tzinfo=timezone.utc)
    created = _stamp(base)
    # Codebook, entities, claims.
    type_ids = [_uuid(rng) for _ in CLAIM_TYPES]
    conn.executemany(
        "INSERT INTO claim_types (id, name, description, colour, hotkey, position, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?)",
        [(type_ids[i], name, f"Excerpts that show: {name.lower()}", colour, i + 1 if i < 9 else None, i, created, created)
         for i, (name, colour) in enumerate(CLAIM_TYPES)],
    )
    n_entities = max(20, min(2000, n_excerpts // 500))
    entity_rows, seen = [], set()
    kinds = ("person", "organisation", "place", "unit", "other")
    for i in range(n_entities):
        kind = rng.choices(kinds, (60, 15, 15, 7, 3))[0]
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}" if kind == "person" else f"{rng.choice(PLACES)} {kind} {i}"
        if (name, kind) in seen:
            continue
        seen.add((name, kind))
        entity_rows.append((_uuid(rng), name, kind, None, created, created))
    conn.executemany("INSERT INTO entities (id, name, kind, notes, created_at, updated_at) VALUES (?,?,?,?,?,?)", entity_rows)
    entity_ids = [r[0] for r in entity_rows]
    conn.executemany(
        "INSERT INTO entity_aliases (id, entity_id, alias, created_at) VALUES (?,?,?,?)",
        [(_uuid(rng), e, f"alias {i}", created) for i, e in enumerate(entity_ids[: len(entity_ids) // 4])],
    )
    n_claims = max(10, min(500, n_excerpts // 2000))
    claim_ids = [_uuid(rng) for _ in range(n_claims)]
    conn.executemany(
        "INSERT INTO claims (id, statement, claim_type_id, credibility, notes, created_at, updated_at) VALUES (?,?,?,?,?,?,?)",
        [(c, f"Claim {i}: " + " ".join(rng.choices(COMMON, k=8)), rng.choice(type_ids), rng.randint(1, 6), None, created, created)
         for i, c in enumerate(claim_ids)],
    )

    # Which source each excerpt belongs to: skewed (a few sources hold many excerpts, many none).
    per_source = [0] * n_sources
    if n_sources:
        weights = [rng.paretovariate(1.5) for _ in range(n_sources)]
        for s in rng.choices(range(n_sources), weights, k=n_excerpts):
            per_source[s] += 1

    type_weights = [1 / (i + 1) for i in range(len(type_ids))]
    entity_weights = [1 / (i + 1) ** 0.8 for i in range(len(entity_ids))]
    source_sql = (
        "INSERT INTO sources (id, title, outlet, author, url, published, published_raw, published_precision, language, "
        "file_name, format, encoding, imported_at, sha256, text_sha256, notes, reliability, created_at, updated_at, text) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
    )
    excerpt_sql = (
        'INSERT INTO excerpts (id, source_id, start, "end", quote, prefix, suffix, note, review_status, author, '
        "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
    )
    batch_sources, batch_originals, batch_excerpts = [], [], []
    batch_types, batch_entities, batch_claims, batch_reviews = [], [], [], []
    excerpt_index = 0
    started = time.perf_counter()

    def flush() -> None:
        conn.executemany(source_sql, batch_sources)
        conn.executemany("INSERT INTO source_originals (source_id, data) VALUES (?, ?)", batch_originals)
        conn.executemany(excerpt_sql, batch_excerpts)
        conn.executemany("INSERT INTO excerpt_claim_types (excerpt_id, claim_type_id, created_at) VALUES (?,?,?)", batch_types)
        conn.executemany("INSERT INTO excerpt_entities (excerpt_id, entity_id, role, created_at) VALUES (?,?,?,?)", batch_entities)
        conn.executemany("INSERT INTO claim_excerpts (claim_id, excerpt_id, stance, created_at) VALUES (?,?,?,?)", batch_claims)
        conn.executemany(
            "INSERT INTO reviews (id, excerpt_id, reviewer, decision, note, blind, decided_at) VALUES (?,?,?,?,?,?,?)", batch_reviews
        )
        for batch in (batch_sources, batch_originals, batch_excerpts, batch_types, batch_entities, batch_claims, batch_reviews):
            batch.clear()

    for index in range(n_sources + 1):
        if index == n_sources:
            # One long read of about 1 MB (the reader benchmark opens it), with a few excerpts.
            article = maker.article(index, size=1_000_000)
            article = Article(LONG_TITLE, article.outlet, article.author, article.published, article.url, article.body)
            count = 20
        else:
            article = maker.article(index)
            count = per_source[index]
        text = f"{article.title}\n\n{article.body}\n"
        data = text.encode("utf-8")
        source_id = _uuid(rng)
        imported = _stamp(base + timedelta(seconds=index * 3))
        batch_sources.append((
            source_id, article.title, article.outlet, article.author, article.url,
            f"{article.published:%Y-%m-%d}", f"{article.published:%d/%m/%Y}", "day", "en",
            f"article-{index:06d}.txt", "text", "utf-8", imported, hashlib.sha256(data).hexdigest(),
            hashlib.sha256(text.encode("utf-8")).hexdigest(), None,
            rng.choice((None, None, "A", "B", "C", "D", "E", "F")), imported, imported, text,
        ))
        batch_originals.append((source_id, data))
        length = len(text)
        for _ in range(count):
            start = rng.randrange(0, max(1, length - 60))
            end = min(length, start + rng.randint(30, 300))
            while end > start + 1 and text[end - 1].isspace():
                end -= 1
            if not text[start:end].strip():
                start, end = 0, min(length, 20)
            moment = _stamp(base + timedelta(seconds=60 * excerpt_index + index))
            excerpt_id = _uuid(rng)
            status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
            note = " ".join(rng.choices(COMMON, k=rng.randint(4, 14))) if rng.random() < 0.2 else None
            batch_excerpts.append((
                excerpt_id, source_id, start, end, text[start:end], text[max(0, start - 32):start],
                text[end:end + 32], note, status, "benchmark", moment, moment,
            ))
            roll = rng.random()
            n_types = 0 if roll < 0.05 else (2 if roll > 0.85 else 1)
            for type_id in set(rng.choices(type_ids, type_weights, k=n_types)):
                batch_types.append((excerpt_id, type_id, moment))
            if rng.random() < 0.4:
                for entity_id in set(rng.choices(entity_ids, entity_weights, k=rng.randint(1, 2))):
                    batch_entities.append((excerpt_id, entity_id, rng.choice(("", "", "", "recruiter", "victim")), moment))
            if rng.random() < 0.15:
                batch_claims.append((rng.choice(claim_ids), excerpt_id, "supports" if rng.random() < 0.9 else "contradicts", moment))
            if status != "unreviewed":
                batch_reviews.append((_uuid(rng), excerpt_id, "benchmark", status, None, 0, moment))
            excerpt_index += 1
        if len(batch_sources) >= 2000:
            flush()
            if not quiet:
                print(f"  {index + 1}/{n_sources} sources, {excerpt_index} excerpts "
                      f"({time.perf_counter() - started:.0f}s)", flush=True)
    flush()
    conn.execute("INSERT INTO sources_fts(sources_fts) VALUES ('rebuild')")
    conn.execute("INSERT INTO excerpts_fts(excerpts_fts) VALUES ('rebuild')")
    rebuild_excerpt_links(conn)
    for (sql,) in triggers:
        conn.execute(sql)
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
