"""FollowTheMoney entities for investigation tools (Aleph, OpenAleph, ftm): ``export ftm``.

One JSON object per line, as ``ftm`` itself writes them: ``{"id", "schema", "properties"}`` with
every property value a list of strings. What becomes what:

- a source: ``Document`` (title, fileName, mimeType, author, publisher = the outlet, publishedAt,
  sourceUrl, language, notes; ``contentHash`` is the SHA-1 of the original file, as FtM's
  checksums are; the SHA-256 evidence-tui keeps is in ``description``); ``bodyText`` is the text
  only with ``with_text``;
- an entity, by kind: person ``Person``, organisation and unit ``Organization``, place ``Address``
  (its name as ``full``), other ``LegalEntity``; its aliases as ``alias``, its notes as ``notes``;
- an entity linked to an excerpt: ``Documentation`` (document = the excerpt's source, entity, role,
  summary = the quote, description = the excerpt's note, recordId = the excerpt's id);
- a claim: ``Note`` (description = the statement, entity = the entities linked to it, proof = the
  documents of its supporting excerpts and sources, keywords = its claim type, notes).

Ids are ``et-`` and the kind and our own id (Documentation: a SHA-1 of excerpt, entity and role),
so exporting again, or from a merged copy of the case file, gives the same ids.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TextIO

from evidence_tui.errors import EvidenceError
from evidence_tui.exporters.output import open_private
from evidence_tui.store import CaseFile

SCHEMA_BY_KIND = {
    "person": "Person",
    "organisation": "Organization",
    "unit": "Organization",
    "place": "Address",
    "other": "LegalEntity",
}
_MIME = {"html": "text/html", "markdown": "text/markdown", "text": "text/plain"}
# FtM's language type wants ISO 639-3; import metadata mostly has ISO 639-1.
_LANGUAGES = {
    "ar": "ara", "be": "bel", "de": "deu", "en": "eng", "es": "spa", "fa": "fas", "fr": "fra", "hy": "hye",
    "ka": "kat", "kk": "kaz", "pl": "pol", "ps": "pus", "pt": "por", "ro": "ron", "ru": "rus", "si": "sin",
    "ta": "tam", "tr": "tur", "uk": "ukr", "ur": "urd", "uz": "uzb", "zh": "zho",
}


def source_ftm_id(source_id: str) -> str:
    """The FtM id of a source's Document."""
    return f"et-source-{source_id}"


def entity_ftm_id(entity_id: str) -> str:
    """The FtM id of an entity."""
    return f"et-entity-{entity_id}"


def claim_ftm_id(claim_id: str) -> str:
    """The FtM id of a claim's Note."""
    return f"et-claim-{claim_id}"


def documentation_ftm_id(excerpt_id: str, entity_id: str, role: str) -> str:
    """The FtM id of the Documentation linking an excerpt's source to an entity in a role."""
    digest = hashlib.sha1(f"{excerpt_id}\x00{entity_id}\x00{role}".encode()).hexdigest()
    return f"et-documentation-{digest}"


def _entity(ftm_id: str, schema: str, **properties: object) -> dict:
    props: dict[str, list[str]] = {}
    for name, value in sorted(properties.items()):
        values = value if isinstance(value, (list, tuple)) else [value]
        kept = [str(v) for v in values if v is not None and str(v).strip() != ""]
        if kept:
            props[name] = list(dict.fromkeys(kept))  # no duplicates, first order kept
    return {"id": ftm_id, "schema": schema, "properties": props}


def _language(value: str | None) -> str | None:
    value = (value or "").strip().lower().split("-")[0]
    if len(value) == 3 and value.isalpha():
        return value
    return _LANGUAGES.get(value)


def _documents(conn: sqlite3.Connection, with_text: bool) -> Iterator[dict]:
    text = ", s.text" if with_text else ", NULL"
    rows = conn.execute(
        "SELECT s.id, s.title, s.file_name, s.format, s.author, s.outlet, s.published, s.url, s.language,"
        f" s.notes, s.sha256 {text} FROM sources s ORDER BY s.rowid"
    )
    for source_id, title, file_name, fmt, author, outlet, published, url, language, notes, sha256, body in rows:
        original = conn.execute("SELECT data FROM source_originals WHERE source_id = ?", (source_id,)).fetchone()
        yield _entity(
            source_ftm_id(source_id), "Document",
            title=title, fileName=file_name, mimeType=_MIME.get(fmt), author=author, publisher=outlet,
            publishedAt=published, sourceUrl=url, language=_language(language), notes=notes,
            contentHash=hashlib.sha1(bytes(original[0])).hexdigest() if original else None,
            description=f"SHA-256 of the original file: {sha256}", bodyText=body,
        )


def _entities(conn: sqlite3.Connection) -> Iterator[dict]:
    aliases: dict[str, list[str]] = {}
    for entity_id, alias in conn.execute("SELECT entity_id, alias FROM entity_aliases ORDER BY alias, id"):
        aliases.setdefault(entity_id, []).append(alias)
    for entity_id, name, kind, notes in conn.execute(
        "SELECT id, name, kind, notes FROM entities ORDER BY name COLLATE NOCASE, id"
    ):
        schema = SCHEMA_BY_KIND.get(kind, "LegalEntity")
        extra = {"full": name} if schema == "Address" else {}
        yield _entity(entity_ftm_id(entity_id), schema, name=name, alias=aliases.get(entity_id, []), notes=notes, **extra)


def _documentations(conn: sqlite3.Connection) -> Iterator[dict]:
    rows = conn.execute(
        "SELECT x.excerpt_id, x.entity_id, x.role, e.source_id, e.quote, e.note, s.published"
        " FROM excerpt_entities x JOIN excerpts e ON e.id = x.excerpt_id JOIN sources s ON s.id = e.source_id"
        " ORDER BY s.rowid, e.start, e.\"end\", x.excerpt_id, x.entity_id, x.role"
    )
    for excerpt_id, entity_id, role, source_id, quote, note, published in rows:
        yield _entity(
            documentation_ftm_id(excerpt_id, entity_id, role), "Documentation",
            document=source_ftm_id(source_id), entity=entity_ftm_id(entity_id), role=role, summary=quote,
            description=note, recordId=excerpt_id, date=published,
        )


def _claims(conn: sqlite3.Connection) -> Iterator[dict]:
    types = {r[0]: r[1] for r in conn.execute("SELECT id, name FROM claim_types")}
    linked: dict[str, list[str]] = {}
    for claim_id, entity_id in conn.execute("SELECT claim_id, entity_id FROM claim_entities ORDER BY created_at, entity_id"):
        linked.setdefault(claim_id, []).append(entity_ftm_id(entity_id))
    proof: dict[str, list[str]] = {}
    for query in (
        "SELECT c.claim_id, e.source_id FROM claim_excerpts c JOIN excerpts e ON e.id = c.excerpt_id"
        " JOIN sources s ON s.id = e.source_id WHERE c.stance = 'supports' ORDER BY s.rowid, e.start",
        "SELECT c.claim_id, c.source_id FROM claim_sources c JOIN sources s ON s.id = c.source_id"
        " WHERE c.stance = 'supports' ORDER BY s.rowid",
    ):
        for claim_id, source_id in conn.execute(query):
            proof.setdefault(claim_id, []).append(source_ftm_id(source_id))
    for claim_id, statement, type_id, notes in conn.execute(
        "SELECT id, statement, claim_type_id, notes FROM claims ORDER BY created_at, id"
    ):
        yield _entity(
            claim_ftm_id(claim_id), "Note", description=statement, entity=linked.get(claim_id, []),
            proof=proof.get(claim_id, []), keywords=types.get(type_id), notes=notes,
        )


def iter_ftm(conn: sqlite3.Connection, *, with_text: bool = False) -> Iterator[dict]:
    """Every FtM entity of the case file: documents, entities, their documentation, claims."""
    yield from _documents(conn, with_text)
    yield from _entities(conn)
    yield from _documentations(conn)
    yield from _claims(conn)


def write_ftm(conn: sqlite3.Connection, out: TextIO, *, with_text: bool = False) -> int:
    """Write the case file's FtM entities as JSON Lines; return how many."""
    count = 0
    for entity in iter_ftm(conn, with_text=with_text):
        out.write(json.dumps(entity, ensure_ascii=False) + "\n")
        count += 1
    return count


def export_ftm(
    case: CaseFile, open_output: Callable[[], AbstractContextManager[TextIO]], *, with_text: bool = False
) -> int:
    """Write the case file's FtM entities to the stream ``open_output()`` gives; return how many."""
    with open_output() as stream:
        return write_ftm(case.db.conn, stream, with_text=with_text)


def export_ftm_to_file(case: CaseFile, path: str | Path, *, with_text: bool = False) -> int:
    """Write the FtM entities to the file ``path`` (created 0600, replaced if it exists).

    Any problem writing it is an ``EvidenceError`` naming the file.
    """
    path = Path(path)
    if path.is_dir():
        raise EvidenceError(f"{path}: is a folder; give the export a file name")
    try:
        return export_ftm(case, lambda: open_private(path), with_text=with_text)
    except OSError as error:
        raise EvidenceError(f"{path}: cannot write the export ({(error.strerror or str(error)).lower()})") from None
