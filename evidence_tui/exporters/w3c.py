"""W3C Web Annotations: each excerpt as an annotation on its source (``export json --format w3c``).

The Web Annotation Data Model (https://www.w3.org/TR/annotation-model/) in its JSON-LD form. The
``@context`` is the standard one, named by its IRI only: nothing is ever fetched. The whole export
is one ``AnnotationCollection`` whose ``first`` page holds every annotation (``total`` comes last so
the annotations can be streamed); with ``--lines`` each line is one annotation with its own
``@context`` instead.

An annotation:

- ``id``: ``urn:uuid:`` and the excerpt's id (stable: the same excerpt gives the same id in every
  export and in every merged copy of the case file);
- ``target.source``: the source's URL when it has one, else ``urn:sha256:`` and the SHA-256 of the
  file imported; ``target.selector``: a ``TextQuoteSelector`` (exact, prefix, suffix) and a
  ``TextPositionSelector`` (start, end: Unicode code points, counted in the text evidence-tui
  extracted from the file: for an HTML page that is the article's text, so a client should
  prefer the quote when the two disagree);
- ``body``: each claim type as a ``TextualBody`` with ``purpose`` ``tagging``, the note as one with
  ``purpose`` ``commenting``; ``motivation`` is ``tagging`` when there are claim types,
  ``commenting`` when there is only a note, ``highlighting`` otherwise;
- ``creator``: the excerpt's author (a ``Person`` by name); ``created``, ``modified``: when the
  excerpt was made and last changed (UTC).
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable, Iterator
from typing import TextIO

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
_CHUNK = 500


def source_iri(url: str | None, sha256: str) -> str:
    """The IRI naming a source: its URL when it has an absolute one, else ``urn:sha256:HASH``."""
    url = (url or "").strip()
    if url and ":" in url and not any(c.isspace() for c in url):
        return url
    return f"urn:sha256:{sha256}"


def excerpt_iri(excerpt_id: str) -> str:
    """``urn:uuid:`` and the excerpt's id (ours are UUID4s as 32 hex digits)."""
    try:
        return f"urn:uuid:{uuid.UUID(hex=excerpt_id)}"
    except ValueError:  # not a UUID (never made by evidence-tui): a URN of our own
        return f"urn:evidence-tui:excerpt:{excerpt_id}"


def _textual(value: str, purpose: str) -> dict:
    return {"type": "TextualBody", "value": value, "format": "text/plain", "purpose": purpose}


def annotation(row: dict, details: dict | None = None, *, context: bool = False) -> dict:
    """One export row (with the excerpt's ``author``, ``created_at``, ``updated_at`` in
    ``details``) as a Web Annotation."""
    details = details or {}
    bodies = [_textual(name, "tagging") for name in row.get("claim_types") or ()]
    if row.get("note"):
        bodies.append(_textual(row["note"], "commenting"))
    motivation = "tagging" if row.get("claim_types") else "commenting" if row.get("note") else "highlighting"
    result: dict = {"@context": CONTEXT} if context else {}
    result.update({"id": excerpt_iri(row["excerpt_id"]), "type": "Annotation", "motivation": motivation})
    if details.get("author"):
        result["creator"] = {"type": "Person", "name": details["author"]}
    if details.get("created_at"):
        result["created"] = details["created_at"]
    if details.get("updated_at"):
        result["modified"] = details["updated_at"]
    if bodies:
        result["body"] = bodies
    quote = {"type": "TextQuoteSelector", "exact": row["quote"]}
    if row.get("context_before"):  # empty at the start of the text: left out, as the model allows
        quote["prefix"] = row["context_before"]
    if row.get("context_after"):
        quote["suffix"] = row["context_after"]
    result["target"] = {
        "source": source_iri(row.get("url"), row["source_sha256"]),
        "selector": [quote, {"type": "TextPositionSelector", "start": row["start"], "end": row["end"]}],
    }
    return result


def excerpt_details(conn: sqlite3.Connection, ids: list[str]) -> dict[str, dict]:
    """The author and times of some excerpts (what the export rows leave out), by id."""
    marks = ", ".join("?" for _ in ids)
    return {
        row[0]: {"author": row[1], "created_at": row[2], "updated_at": row[3]}
        for row in conn.execute(f"SELECT id, author, created_at, updated_at FROM excerpts WHERE id IN ({marks})", ids)
    }


def _with_details(conn: sqlite3.Connection | None, rows: Iterable[dict]) -> Iterator[tuple[dict, dict]]:
    chunk: list[dict] = []

    def flush() -> Iterator[tuple[dict, dict]]:
        details = excerpt_details(conn, [r["excerpt_id"] for r in chunk]) if conn is not None and chunk else {}
        for r in chunk:
            yield r, details.get(r["excerpt_id"], {})
        chunk.clear()

    for row in rows:
        chunk.append(row)
        if len(chunk) >= _CHUNK:
            yield from flush()
    yield from flush()


def write_w3c(
    rows: Iterable[dict], out: TextIO, *, conn: sqlite3.Connection | None = None, lines: bool = False,
    label: str = "evidence-tui excerpts",
) -> int:
    """Write rows as Web Annotations (a collection, or JSON Lines); return the count. Memory stays flat.

    ``conn`` (the case file's connection) supplies each excerpt's author and times.
    """
    count = 0
    if lines:
        for row, details in _with_details(conn, rows):
            out.write(json.dumps(annotation(row, details, context=True), ensure_ascii=False) + "\n")
            count += 1
        return count
    head = {"@context": CONTEXT, "type": "AnnotationCollection", "label": label}
    out.write(json.dumps(head, ensure_ascii=False)[:-1])
    out.write(',\n "first": {"type": "AnnotationPage", "startIndex": 0, "items": [')
    for row, details in _with_details(conn, rows):
        out.write(",\n  " if count else "\n  ")
        out.write(json.dumps(annotation(row, details), ensure_ascii=False))
        count += 1
    out.write("\n ]},\n" if count else "]},\n")
    out.write(f' "total": {count}\n}}\n')
    return count
