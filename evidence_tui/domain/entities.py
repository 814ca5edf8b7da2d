"""Entities (people, organisations, places, units) with aliases, linked to excerpts and claims."""

from __future__ import annotations

import sqlite3
import tomllib
from pathlib import Path

from evidence_tui.domain.models import Entity
from evidence_tui.domain.refs import resolve_id
from evidence_tui.errors import Ambiguous, EvidenceError, Invalid, NotFound
from evidence_tui.store import CaseFile, IntegrityErrors, OperationalErrors, new_id, operation, utc_now
from evidence_tui.store.schema import ENTITY_KINDS

_SELECT = """
    SELECT n.id, n.name, n.kind, n.notes,
           (SELECT count(*) FROM excerpt_entities x WHERE x.entity_id = n.id) AS excerpt_count,
           (SELECT count(*) FROM claim_entities x WHERE x.entity_id = n.id) AS claim_count
    FROM entities n
"""


def _aliases(conn: sqlite3.Connection, entity_id: str) -> tuple[str, ...]:
    rows = conn.execute(
        "SELECT alias FROM entity_aliases WHERE entity_id = ? ORDER BY created_at, alias", (entity_id,)
    ).fetchall()
    return tuple(r[0] for r in rows)


def _to_entity(conn: sqlite3.Connection, row: sqlite3.Row) -> Entity:
    return Entity(**dict(row), aliases=_aliases(conn, row["id"]))


def _check_kind(kind: str) -> str:
    kind = kind.strip().lower()
    if kind == "organization":  # both spellings are common; store one
        kind = "organisation"
    if kind not in ENTITY_KINDS:
        raise Invalid(f"unknown entity kind '{kind}' (one of {', '.join(ENTITY_KINDS)})")
    return kind


def _check_unique(conn: sqlite3.Connection, name: str, kind: str, *, except_id: str | None = None) -> None:
    # Compared in Python: SQLite's NOCASE folds ASCII only, and names come in every script.
    folded = name.casefold()
    for entity_id, existing in conn.execute("SELECT id, name FROM entities WHERE kind = ?", (kind,)):
        if existing.casefold() == folded and entity_id != except_id:
            raise Invalid(f"there is already a {kind} called '{existing}'")


def resolve_entity(case: CaseFile, ref: str) -> str:
    """Return the id of the entity named by id prefix, exact name, or alias."""
    try:
        return resolve_id(case, "entities", ref, name_column="name", what="entity")
    except NotFound:
        rows = case.db.conn.execute(
            "SELECT DISTINCT entity_id FROM entity_aliases WHERE alias = ? COLLATE NOCASE LIMIT 2", (ref.strip(),)
        ).fetchall()
        if len(rows) == 1:
            return rows[0][0]
        if len(rows) > 1:
            raise Ambiguous(f"more than one entity has the alias '{ref}'; use its id") from None
        raise


def list_entities(case: CaseFile, *, kind: str | None = None) -> list[Entity]:
    """Return entities by name (optionally of one kind), with aliases and mention counts."""
    conn = case.db.conn
    if kind:
        rows = conn.execute(_SELECT + " WHERE n.kind = ? ORDER BY n.name", (_check_kind(kind),)).fetchall()
    else:
        rows = conn.execute(_SELECT + " ORDER BY n.name").fetchall()
    return [_to_entity(conn, r) for r in rows]


def get_entity(case: CaseFile, ref: str) -> Entity:
    """Return one entity by id prefix, name or alias."""
    entity_id = resolve_entity(case, ref)
    conn = case.db.conn
    return _to_entity(conn, conn.execute(_SELECT + " WHERE n.id = ?", (entity_id,)).fetchone())


def add_entity(case: CaseFile, name: str, kind: str = "other", *, aliases: tuple[str, ...] = (), notes: str | None = None) -> Entity:
    """Add an entity; refuses an empty name or the same name and kind twice."""
    name = " ".join(name.split())
    if not name:
        raise Invalid("an entity needs a name")
    kind = _check_kind(kind)
    with operation(case, "entity.add", case.actor) as op:
        _check_unique(op.conn, name, kind)
        now = utc_now()
        entity_id = new_id()
        op.insert("entities", {"id": entity_id, "name": name, "kind": kind, "notes": notes, "created_at": now, "updated_at": now})
        for alias in aliases:
            _add_alias(op, entity_id, name, alias, now)
        op.summary = f"add {kind} '{name}'"
    return get_entity(case, entity_id)


def _add_alias(op, entity_id: str, name: str, alias: str, now: str) -> bool:
    alias = " ".join(alias.split())
    if not alias:
        raise Invalid("an alias cannot be empty")
    if alias.casefold() == name.casefold():
        return False
    if op.conn.execute(
        "SELECT 1 FROM entity_aliases WHERE entity_id = ? AND alias = ? COLLATE NOCASE", (entity_id, alias)
    ).fetchone():
        return False
    op.insert("entity_aliases", {"id": new_id(), "entity_id": entity_id, "alias": alias, "created_at": now})
    return True


def add_alias(case: CaseFile, ref: str, *aliases: str) -> Entity:
    """Give an entity more names (aliases it already has are ignored)."""
    entity = get_entity(case, ref)
    with operation(case, "entity.alias", case.actor) as op:
        now = utc_now()
        for alias in aliases:
            _add_alias(op, entity.id, entity.name, alias, now)
        op.summary = f"alias for '{entity.name}'"
    return get_entity(case, entity.id)


def edit_entity(case: CaseFile, ref: str, *, name: str | None = None, kind: str | None = None, notes: str | None = None) -> Entity:
    """Rename an entity, change its kind or notes."""
    entity = get_entity(case, ref)
    changes: dict = {}
    if name is not None:
        name = " ".join(name.split())
        if not name:
            raise Invalid("an entity needs a name")
        changes["name"] = name
    if kind is not None:
        changes["kind"] = _check_kind(kind)
    if notes is not None:
        changes["notes"] = notes.strip() or None
    if changes:
        with operation(case, "entity.edit", case.actor) as op:
            _check_unique(op.conn, changes.get("name", entity.name), changes.get("kind", entity.kind), except_id=entity.id)
            changes["updated_at"] = utc_now()
            try:
                op.update("entities", entity.id, changes)
            except IntegrityErrors:
                raise Invalid(f"there is already a {changes.get('kind', entity.kind)} called '{changes.get('name', entity.name)}'") from None
            op.summary = f"edit entity '{entity.name}'"
    return get_entity(case, entity.id)


def link_excerpt(case: CaseFile, entity_ref: str, excerpt_ref: str, role: str = "") -> None:
    """Link an entity to an excerpt, with an optional role (e.g. recruiter, victim, speaker)."""
    from evidence_tui.domain.excerpts import resolve_excerpt

    entity_id = resolve_entity(case, entity_ref)
    excerpt_id = resolve_excerpt(case, excerpt_ref)
    role = role.strip()
    with operation(case, "entity.link", case.actor) as op:
        key = {"excerpt_id": excerpt_id, "entity_id": entity_id, "role": role}
        if op.fetch("excerpt_entities", key) is None:
            op.insert("excerpt_entities", {**key, "created_at": utc_now()})
        op.summary = f"link entity {entity_id[:8]} to excerpt {excerpt_id[:8]}"


def unlink_excerpt(case: CaseFile, entity_ref: str, excerpt_ref: str) -> None:
    """Remove every link (any role) between an entity and an excerpt."""
    from evidence_tui.domain.excerpts import resolve_excerpt

    entity_id = resolve_entity(case, entity_ref)
    excerpt_id = resolve_excerpt(case, excerpt_ref)
    with operation(case, "entity.unlink", case.actor) as op:
        for row in op.conn.execute(
            "SELECT excerpt_id, entity_id, role FROM excerpt_entities WHERE excerpt_id = ? AND entity_id = ?",
            (excerpt_id, entity_id),
        ).fetchall():
            op.delete("excerpt_entities", dict(row))
        op.summary = f"unlink entity {entity_id[:8]} from excerpt {excerpt_id[:8]}"


def link_claim(case: CaseFile, entity_ref: str, claim_ref: str, role: str = "") -> None:
    """Link an entity to a claim, with an optional role."""
    entity_id = resolve_entity(case, entity_ref)
    claim_id = resolve_id(case, "claims", claim_ref, name_column="statement", what="claim")
    with operation(case, "entity.link", case.actor) as op:
        key = {"claim_id": claim_id, "entity_id": entity_id, "role": role.strip()}
        if op.fetch("claim_entities", key) is None:
            op.insert("claim_entities", {**key, "created_at": utc_now()})
        op.summary = f"link entity {entity_id[:8]} to claim {claim_id[:8]}"


def merge_entities(case: CaseFile, source_ref: str, target_ref: str) -> Entity:
    """Fold one entity into another (e.g. a misspelling into the right name), keeping every link.

    The merged entity's name and aliases become aliases of the target.
    """
    source = get_entity(case, source_ref)
    target = get_entity(case, target_ref)
    if source.id == target.id:
        raise Invalid("cannot merge an entity into itself")
    with operation(case, "entity.merge", case.actor) as op:
        now = utc_now()
        for table, owner in (("excerpt_entities", "excerpt_id"), ("claim_entities", "claim_id")):
            for row in op.conn.execute(
                f"SELECT {owner}, entity_id, role, created_at FROM {table} WHERE entity_id = ?", (source.id,)
            ).fetchall():
                row = dict(row)
                op.delete(table, row)
                moved = {**row, "entity_id": target.id}
                if op.fetch(table, moved) is None:
                    op.insert(table, moved)
        for alias_row in op.conn.execute("SELECT id FROM entity_aliases WHERE entity_id = ?", (source.id,)).fetchall():
            op.delete("entity_aliases", alias_row[0])
        for alias in (source.name, *source.aliases):
            _add_alias(op, target.id, target.name, alias, now)
        op.delete("entities", source.id)
        op.summary = f"merge entity '{source.name}' into '{target.name}'"
    return get_entity(case, target.id)


def load_entities(case: CaseFile, file: Path) -> int:
    """Add the entities of a TOML file ([[entity]] name, kind, aliases); returns how many were new."""
    try:
        entries = tomllib.loads(file.read_text(encoding="utf-8")).get("entity", [])
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise EvidenceError(f"{file}: not a readable entities file ({error})") from None
    added = 0
    for entry in entries:
        try:
            resolve_entity(case, entry["name"])
            continue
        except NotFound:
            pass
        add_entity(case, entry["name"], entry.get("kind", "other"), aliases=tuple(entry.get("aliases", ())))
        added += 1
    return added


# -- finding mentions of an entity in the sources' texts ----------------------------------------

import re  # noqa: E402  (kept with the functions that use it)
from dataclasses import dataclass  # noqa: E402

from evidence_tui.domain.models import Excerpt  # noqa: E402

_MENTION_CONTEXT = 60  # characters of context either side of a mention
_APOSTROPHES = "'’‘ʼ`"
# The end of a sentence: closing punctuation, closing quotes or brackets, then white space.
_SENTENCE_BREAK = re.compile(r"(?P<stop>[.!?…]+[\"'”’»)\]]*)\s+")
_MAX_SENTENCE = 1500  # a "sentence" longer than this (no punctuation) is cut around the mention
# Words after which a full stop does not end the sentence.
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st mt no nos vs etc gen col lt sgt capt maj cpl pvt adm gov sen rep jr sr inc ltd co corp "
    "jan feb mar apr jun jul aug sep sept oct nov dec approx ca cf eg ie e.g i.e".split()
)


@dataclass(frozen=True)
class Mention:
    """An occurrence of an entity's name or alias in a source's text, not yet linked to it.

    ``start``/``end`` are offsets in the source's text (end exclusive); ``context`` is the text
    around it (with ``…`` where it was cut) and ``context_start`` where ``text`` begins in it.
    """

    source_id: str
    source_title: str
    start: int
    end: int
    text: str
    context: str
    context_start: int

    @property
    def key(self) -> str:
        """A stable key for this mention (source, start, end)."""
        return f"{self.source_id}:{self.start}:{self.end}"


def _is_acronym(name: str) -> bool:
    letters = [c for c in name if c.isalpha()]
    return bool(letters) and len(letters) <= 5 and all(c.isupper() for c in letters) and " " not in name


def _name_pattern(name: str) -> str:
    parts: list[str] = []
    for char in name:
        if char.isspace():
            if not parts or parts[-1] != r"\s+":
                parts.append(r"\s+")
        elif char in _APOSTROPHES:
            parts.append(f"[{_APOSTROPHES}]")
        else:
            parts.append(re.escape(char))
    return "".join(parts)


def mention_pattern(names: list[str] | tuple[str, ...]) -> re.Pattern[str] | None:
    """A regex finding any of ``names`` as whole words, longest first, ignoring case.

    Short all-capital acronyms (UN, HUR, BBC) match only in capitals, so "UN" does not find "un".
    Runs of white space match any white space (a name broken over two lines), and the straight
    and curly apostrophes match each other.
    """
    unique: dict[str, str] = {}
    for name in names:
        name = " ".join(name.split())
        if name and re.search(r"\w", name):
            unique.setdefault(name.casefold() if not _is_acronym(name) else name, name)
    if not unique:
        return None
    alternatives = []
    for name in sorted(unique.values(), key=lambda n: (-len(n), n)):
        body = _name_pattern(name)
        alternatives.append(f"(?-i:{body})" if _is_acronym(name) else body)
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


def _fts_phrase(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _candidate_sources(conn: sqlite3.Connection, names: list[str]) -> list[sqlite3.Row]:
    """Sources whose text may hold one of ``names`` (FTS5 phrase query per name), in import order."""
    phrases = [_fts_phrase(n) for n in names if re.search(r"\w", n)]
    if not phrases:
        return []
    query = "{text} : (" + " OR ".join(phrases) + ")"
    sql = """SELECT s.id, s.title, s.text FROM sources s
             WHERE s.rowid IN (SELECT rowid FROM sources_fts WHERE sources_fts MATCH ?)
             ORDER BY s.rowid"""
    try:
        return conn.execute(sql, (query,)).fetchall()
    except OperationalErrors:
        # A name FTS cannot parse: look through every source instead (slower, still right).
        return conn.execute("SELECT s.id, s.title, s.text FROM sources s ORDER BY s.rowid").fetchall()


_URL_START = re.compile(r"://|^www\.|mailto:", re.IGNORECASE)


def _in_url(text: str, start: int) -> bool:
    """True when the word at ``start`` continues a web or mail address (a URL's slug, not prose)."""
    lo = start
    while lo > 0 and not text[lo - 1].isspace() and start - lo < 2000:
        lo -= 1
    before = text[lo:start].lstrip("([<*_\"'")
    return bool(_URL_START.search(before))


def _context(text: str, start: int, end: int) -> tuple[str, int]:
    lo = max(0, start - _MENTION_CONTEXT)
    hi = min(len(text), end + _MENTION_CONTEXT)
    if lo > 0:  # start the context at a word
        space = text.find(" ", lo, start)
        lo = space + 1 if space != -1 else lo
    if hi < len(text):
        space = text.rfind(" ", end, hi)
        hi = space if space != -1 else hi
    before = ("…" if lo > 0 else "") + text[lo:start].lstrip()
    after = text[end:hi].rstrip() + ("…" if hi < len(text) else "")
    return before + text[start:end] + after, len(before)


def find_mentions(case: CaseFile, entity_ref: str, limit: int = 200) -> list[Mention]:
    """Find the entity's name and aliases in the sources' texts, outside its linked excerpts.

    Candidate sources come from the full-text index (one phrase per name); each is then searched
    exactly (whole words, ignoring case) for offsets. A mention overlapping an excerpt already
    linked to the entity is left out, and so is one inside a web address (a URL's slug). At most ``limit`` mentions, by source (import order), then
    by position.
    """
    entity = get_entity(case, entity_ref)
    names = [entity.name, *entity.aliases]
    pattern = mention_pattern(names)
    if pattern is None or limit <= 0:
        return []
    conn = case.db.conn
    linked: dict[str, list[tuple[int, int]]] = {}
    for row in conn.execute(
        """SELECT e.source_id, e.start, e."end" FROM excerpts e
           JOIN excerpt_entities x ON x.excerpt_id = e.id WHERE x.entity_id = ?""",
        (entity.id,),
    ).fetchall():
        linked.setdefault(row[0], []).append((row[1], row[2]))
    mentions: list[Mention] = []
    for source in _candidate_sources(conn, names):
        text = source["text"] or ""
        spans = linked.get(source["id"], [])
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(s < end and start < e for s, e in spans) or _in_url(text, start):
                continue
            context, context_start = _context(text, start, end)
            mentions.append(Mention(source["id"], source["title"], start, end, match.group(), context, context_start))
            if len(mentions) >= limit:
                return mentions
    return mentions


def _is_break(text: str, match: re.Match[str]) -> bool:
    """Whether a stop found by ``_SENTENCE_BREAK`` ends a sentence (not "U.N. said", "Mr. Umerov")."""
    after = match.end()
    if after < len(text) and text[after].islower():
        return False
    stop = match.group("stop")
    if not stop.startswith("."):
        return True
    word_start = match.start()
    while word_start > 0 and (text[word_start - 1].isalnum() or text[word_start - 1] == "."):
        word_start -= 1
    word = text[word_start:match.start()].casefold()
    if not word:
        return True
    return not ("." in word or (len(word) == 1 and word.isalpha()) or word in _ABBREVIATIONS)


def sentence_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Return the sentence holding the span ``start``-``end`` of ``text`` (without outer spaces).

    A sentence ends at ., !, ? or … (with closing quotes or brackets) followed by white space and
    not by a small letter, or at a line break; stops inside the span, after an initial or a common
    abbreviation ("U.N.", "Mr.") do not count. A run of more than
    1,500 characters without a stop is cut to about 200 characters either side of the span.
    """
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    window = max(0, start - _MAX_SENTENCE)
    begin = window
    for match in _SENTENCE_BREAK.finditer(text, window, start):
        if match.end() <= start and _is_break(text, match):
            begin = match.end()
    newline = text.rfind("\n", window, start)
    if newline != -1:
        begin = max(begin, newline + 1)
    if begin == window and window > 0:
        begin = -1  # no stop found within reach
    finish = len(text)
    for match in _SENTENCE_BREAK.finditer(text, end):
        if _is_break(text, match):
            finish = match.end("stop")
            break
        if match.start() - end > _MAX_SENTENCE:
            break
    newline = text.find("\n", end)
    if newline != -1:
        finish = min(finish, newline)
    if begin == -1 or finish - begin > _MAX_SENTENCE:
        begin = max(0, start - 200)
        finish = min(len(text), end + 200)
        space = text.find(" ", begin, start)
        begin = space + 1 if begin > 0 and space != -1 else begin
        space = text.rfind(" ", end, finish)
        finish = space if finish < len(text) and space != -1 else finish
    while begin < start and text[begin].isspace():
        begin += 1
    while finish > end and text[finish - 1].isspace():
        finish -= 1
    return begin, finish


def tag_mention(case: CaseFile, entity_ref: str, source_ref: str, start: int, end: int, role: str = "") -> Excerpt:
    """Mark the sentence around a mention as an excerpt and link the entity to it (one transaction).

    If that sentence is already an excerpt, the entity is linked to it. Returns the excerpt.
    """
    from evidence_tui.domain.excerpts import add_excerpt, get_excerpt

    entity_id = resolve_entity(case, entity_ref)
    source_id = resolve_id(case, "sources", source_ref, name_column="title", what="source")
    row = case.db.conn.execute("SELECT text FROM sources WHERE id = ?", (source_id,)).fetchone()
    text = row[0] or ""
    if not 0 <= start < end <= len(text):
        raise Invalid(f"span {start}-{end} is outside the source's text (0-{len(text)})")
    sentence_start, sentence_end = sentence_span(text, start, end)
    with case.write():
        excerpt = add_excerpt(case, source_id, start=sentence_start, end=sentence_end)
        link_excerpt(case, entity_id, excerpt.id, role)
    return get_excerpt(case, excerpt.id)
