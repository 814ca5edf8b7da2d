"""REFI-QDA export: the codebook as ``.qdc`` and the whole project as ``.qdpx``.

REFI-QDA (the Rotterdam Exchange Format Initiative, www.qdasoftware.org) is the exchange standard
that ATLAS.ti, MAXQDA, NVivo, QDA Miner, QualCoder and others read. What maps:

* claim types -> ``Code`` (name, ``#RRGGBB`` colour, description), codable;
* sources -> ``TextSource`` whose text is ``sources/<GUID>.txt`` in the zip (UTF-8, no BOM),
  named by ``plainTextPath="internal://<GUID>.txt"``; the source's note becomes a memo;
* excerpts -> ``PlainTextSelection`` (``startPosition``/``endPosition``: zero-based positions
  between characters of the UTF-8 text file, counted in Unicode code points, as our offsets are;
  a reader that counted UTF-16 units would be off after any character outside the BMP), one
  ``Coding`` with a ``CodeRef`` per claim type; the excerpt's note -> a ``Note`` (memo) linked by
  ``NoteRef``;
* the excerpts' authors -> ``User``, named as ``creatingUser``.

What does not map (REFI-QDA has no place for it) is counted in ``ExportReport.unmapped``:
entities and their links, claims and their evidence links, review status and decisions,
credibility and reliability grades, source metadata beyond a description, the original bytes.

GUIDs are derived stably from our ids: a record id (32 hex digits, a UUID) is written as that
UUID, uppercase, ``8-4-4-4-12``; records without an id of their own (users, notes, codings) get a
name-based UUID (version 5) of what they belong to. Exporting twice gives the same GUIDs.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
import uuid
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from evidence_tui.errors import EvidenceError
from evidence_tui.store import CaseFile, utc_now

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
ORIGIN = "evidence-tui"
# The namespace of the name-based GUIDs (users, notes, codings): fixed, so they are stable.
GUID_NAMESPACE = uuid.UUID("6f1d3a52-9c1e-5b7a-8e0f-2a4b6c8d0e1f")
_HEX32 = re.compile(r"^[0-9a-fA-F]{32}$")
# Characters XML 1.0 cannot carry (C0 controls but tab, CR, LF; lone surrogates; U+FFFE/U+FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SELECTION_NAME_CHARS = 60


class RefiError(EvidenceError):
    """A REFI-QDA file that cannot be written or read; names the file and the problem."""


def guid_for(record_id: str) -> str:
    """The GUID of a record: its id as an uppercase UUID (a name-based UUID if it is not one)."""
    if _HEX32.match(record_id):
        value = uuid.UUID(hex=record_id)
    else:
        value = uuid.uuid5(GUID_NAMESPACE, f"id:{record_id}")
    return str(value).upper()


def derived_guid(kind: str, *parts: str) -> str:
    """A stable GUID for something without an id of its own (a user, a note, a coding)."""
    return str(uuid.uuid5(GUID_NAMESPACE, ":".join((kind, *parts)))).upper()


def xml_text(value: str | None) -> str:
    """``value`` with the characters XML 1.0 cannot hold replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", value or "")


def rgb(colour: str | None) -> str | None:
    """A claim type's colour as REFI-QDA's ``#RRGGBB`` (uppercase), or None."""
    if colour and re.fullmatch(r"#[0-9a-fA-F]{6}", colour):
        return colour.upper()
    return None


@dataclass
class ExportReport:
    """What an export wrote and what it left out (REFI-QDA has no place for it)."""

    path: Path
    codes: int = 0
    sources: int = 0
    selections: int = 0
    codings: int = 0
    notes: int = 0
    users: int = 0
    size: int = 0
    seconds: float = 0.0
    unmapped: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


# -- writing files --------------------------------------------------------------------------


def _write_atomically(path: Path, write) -> int:
    """Write ``path`` (0600) through a temporary file beside it, then put it in place."""
    path = Path(path).expanduser()
    if path.is_dir():
        raise RefiError(f"{path}: is a folder; give the export a file name")
    if not path.parent.is_dir():
        raise RefiError(f"{path}: the folder {path.parent} does not exist")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as error:
        raise RefiError(f"{path}: cannot write the export ({(error.strerror or str(error)).lower()})") from None
    tmp = Path(tmp_name)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as raw:
            write(raw)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(tmp, path)
    except OSError as error:
        tmp.unlink(missing_ok=True)
        raise RefiError(f"{path}: cannot write the export ({(error.strerror or str(error)).lower()})") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path.stat().st_size


def _serialise(root: ET.Element) -> bytes:
    ET.indent(root, space="  ")
    # The declaration written by hand: ElementTree's uses single quotes, which some readers refuse.
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode").encode("utf-8") + b"\n"


# -- the codebook ---------------------------------------------------------------------------


def _claim_types(case: CaseFile) -> list[dict]:
    return [dict(r) for r in case.db.conn.execute(
        "SELECT id, name, description, colour FROM claim_types ORDER BY position, name COLLATE NOCASE"
    )]


def _code(parent: ET.Element, ns: str, row: dict) -> ET.Element:
    attrs = {"guid": guid_for(row["id"]), "name": xml_text(row["name"]), "isCodable": "true"}
    colour = rgb(row["colour"])
    if colour:
        attrs["color"] = colour
    code = ET.SubElement(parent, f"{{{ns}}}Code", attrs)
    if row["description"]:
        ET.SubElement(code, f"{{{ns}}}Description").text = xml_text(row["description"])
    return code


def codebook_xml(case: CaseFile) -> bytes:
    """The codebook as a REFI-QDA ``.qdc`` document (``urn:QDA-XML:codebook:1.0``)."""
    types = _claim_types(case)
    if not types:
        raise RefiError(f"{case.path}: the codebook is empty; a .qdc needs at least one claim type")
    ET.register_namespace("", CODEBOOK_NS)
    root = ET.Element(f"{{{CODEBOOK_NS}}}CodeBook", {"origin": ORIGIN})
    codes = ET.SubElement(root, f"{{{CODEBOOK_NS}}}Codes")
    for row in types:
        _code(codes, CODEBOOK_NS, row)
    return _serialise(root)


def export_qdc(case: CaseFile, path: str | os.PathLike) -> ExportReport:
    """Write the codebook to ``path`` as a ``.qdc`` file (mode 0600, replaced if it exists)."""
    started = time.perf_counter()
    data = codebook_xml(case)  # before the file is touched: an empty codebook leaves it alone
    report = ExportReport(Path(path))
    report.size = _write_atomically(Path(path), lambda raw: raw.write(data))
    report.codes = len(_claim_types(case))
    report.seconds = time.perf_counter() - started
    return report


# -- the project ----------------------------------------------------------------------------


def _count(case: CaseFile, sql: str) -> int:
    return case.db.conn.execute(sql).fetchone()[0]


def _unmapped(case: CaseFile) -> dict[str, int]:
    """What the project export leaves out, counted (only what the case file holds)."""
    counts = {
        "entities": _count(case, "SELECT count(*) FROM entities"),
        "entity links of excerpts": _count(case, "SELECT count(*) FROM excerpt_entities"),
        "claims": _count(case, "SELECT count(*) FROM claims"),
        "claim evidence links": _count(case, "SELECT (SELECT count(*) FROM claim_excerpts) + "
                                             "(SELECT count(*) FROM claim_sources)"),
        "review decisions": _count(case, "SELECT count(*) FROM reviews"),
        "excerpts with a review status": _count(case, "SELECT count(*) FROM excerpts WHERE review_status <> 'unreviewed'"),
        "credibility grades": _count(case, "SELECT count(*) FROM excerpts WHERE credibility IS NOT NULL"),
        "reliability grades": _count(case, "SELECT count(*) FROM sources WHERE reliability IS NOT NULL"),
        "original files (only their text is exported)": _count(case, "SELECT count(*) FROM source_originals"),
    }
    return {k: v for k, v in counts.items() if v}


def _source_description(row: dict) -> str:
    lines = []
    for label, key in (("outlet", "outlet"), ("author", "author"), ("url", "url"),
                       ("published", "published_raw"), ("file", "file_name"), ("sha256", "sha256")):
        if row.get(key):
            lines.append(f"{label}: {row[key]}")
    return "\n".join(lines)


def _selection_name(quote: str) -> str:
    name = " ".join(quote.split())
    return name if len(name) <= _SELECTION_NAME_CHARS else name[:_SELECTION_NAME_CHARS - 1] + "\u2026"


def _plain_text(text: str, name: str, report: ExportReport) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate cannot be UTF-8: one replacement character each keeps every position.
        report.warnings.append(f"source '{name}': characters that are not valid Unicode were written as U+FFFD")
        return re.sub("[\ud800-\udfff]", "\ufffd", text).encode("utf-8")


def export_qdpx(case: CaseFile, path: str | os.PathLike) -> ExportReport:
    """Write the whole project to ``path`` as a ``.qdpx`` (a zip: ``project.qde`` + ``sources/``).

    Reads one snapshot of the case file; writes through a temporary file (mode 0600), so an
    existing file is replaced only by a complete export.
    """
    started = time.perf_counter()
    path = Path(path).expanduser()
    report = ExportReport(path)
    conn = case.db.conn
    P = f"{{{PROJECT_NS}}}"
    ET.register_namespace("", PROJECT_NS)
    in_transaction = conn.in_transaction
    if not in_transaction:
        conn.execute("BEGIN")  # one snapshot for every query
    try:
        types = _claim_types(case)
        type_guid = {t["id"]: guid_for(t["id"]) for t in types}
        users: dict[str, str] = {}

        def user(name: str | None) -> str | None:
            if not name:
                return None
            if name not in users:
                users[name] = derived_guid("user", name)
            return users[name]

        # Who imported each source (the actor of the logged insert), when the log still says.
        importer = dict(conn.execute(
            "SELECT e.record_key, o.actor FROM events e JOIN operations o ON o.id = e.operation_id "
            "WHERE e.tbl = 'sources' AND e.action = 'insert'"
        ).fetchall())
        root = ET.Element(f"{P}Project", {
            "name": xml_text(case.path.stem), "origin": ORIGIN, "creationDateTime": utc_now(),
        })
        users_el = ET.SubElement(root, f"{P}Users")
        if types:
            codes = ET.SubElement(ET.SubElement(root, f"{P}CodeBook"), f"{P}Codes")
            for row in types:
                _code(codes, PROJECT_NS, row)
            report.codes = len(types)
        sources_el = ET.SubElement(root, f"{P}Sources")
        notes_el = ET.SubElement(root, f"{P}Notes")
        texts: list[tuple[str, bytes]] = []

        def note(guid: str, name: str, text: str, author: str | None, at: str | None) -> None:
            attrs = {"guid": guid, "name": xml_text(name)}
            if user(author):
                attrs["creatingUser"] = user(author)
            if at:
                attrs["creationDateTime"] = at
            ET.SubElement(ET.SubElement(notes_el, f"{P}Note", attrs), f"{P}PlainTextContent").text = xml_text(text)
            report.notes += 1

        source_rows = conn.execute(
            "SELECT id, title, outlet, author, url, published_raw, file_name, sha256, notes, imported_at, "
            "updated_at, text FROM sources ORDER BY rowid"
        )
        for source in source_rows:
            source = dict(source)
            guid = guid_for(source["id"])
            attrs = {"guid": guid, "name": xml_text(source["title"]), "plainTextPath": f"internal://{guid}.txt"}
            if user(importer.get(source["id"])):
                attrs["creatingUser"] = user(importer[source["id"]])
            attrs["creationDateTime"] = source["imported_at"]
            if source["updated_at"]:
                attrs["modifiedDateTime"] = source["updated_at"]
            element = ET.SubElement(sources_el, f"{P}TextSource", attrs)
            description = _source_description(source)
            if description:
                ET.SubElement(element, f"{P}Description").text = xml_text(description)
            texts.append((f"sources/{guid}.txt", _plain_text(source["text"], source["title"], report)))
            report.sources += 1
            _selections(case, element, source["id"], type_guid, user, note, report)
            if source["notes"]:
                note_guid = derived_guid("source-note", source["id"])
                note(note_guid, f"Note on '{source['title']}'", source["notes"], importer.get(source["id"]),
                     source["updated_at"])
                ET.SubElement(element, f"{P}NoteRef", {"targetGUID": note_guid})
        report.unmapped = _unmapped(case)
    finally:
        if not in_transaction:
            conn.execute("ROLLBACK")
    for name, guid in users.items():
        ET.SubElement(users_el, f"{P}User", {"guid": guid, "name": xml_text(name)})
    report.users = len(users)
    # Optional elements that would be empty are left out (the schema wants at least one child).
    for element in (users_el, sources_el, notes_el):
        if len(element) == 0:
            root.remove(element)
    project = _serialise(root)

    def write(raw) -> None:
        when = time.gmtime()[:6]
        with zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
            for name, data in [("project.qde", project), *texts]:
                info = zipfile.ZipInfo(name, date_time=when)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o100600 << 16
                zf.writestr(info, data)

    report.size = _write_atomically(path, write)
    report.seconds = time.perf_counter() - started
    return report


def _selections(case: CaseFile, element: ET.Element, source_id: str, type_guid: dict[str, str], user, note,
                report: ExportReport) -> None:
    """Add a source's excerpts to its ``TextSource`` as ``PlainTextSelection`` elements."""
    P = f"{{{PROJECT_NS}}}"
    conn = case.db.conn
    tags: dict[str, list[tuple[str, str]]] = {}
    for excerpt_id, type_id, created_at in conn.execute(
        "SELECT x.excerpt_id, x.claim_type_id, x.created_at FROM excerpt_claim_types x "
        "JOIN excerpts e ON e.id = x.excerpt_id WHERE e.source_id = ? ORDER BY x.created_at, x.claim_type_id",
        (source_id,),
    ):
        tags.setdefault(excerpt_id, []).append((type_id, created_at))
    for row in conn.execute(
        'SELECT id, start, "end", quote, note, author, created_at, updated_at FROM excerpts '
        'WHERE source_id = ? ORDER BY start, "end", id', (source_id,)
    ).fetchall():
        attrs = {
            "guid": guid_for(row["id"]), "name": xml_text(_selection_name(row["quote"])),
            "startPosition": str(row["start"]), "endPosition": str(row["end"]),
        }
        if user(row["author"]):
            attrs["creatingUser"] = user(row["author"])
        attrs["creationDateTime"] = row["created_at"]
        if row["updated_at"]:
            attrs["modifiedDateTime"] = row["updated_at"]
        selection = ET.SubElement(element, f"{P}PlainTextSelection", attrs)
        for type_id, created_at in tags.get(row["id"], []):
            coding_attrs = {"guid": derived_guid("coding", row["id"], type_id)}
            if user(row["author"]):
                coding_attrs["creatingUser"] = user(row["author"])
            if created_at:
                coding_attrs["creationDateTime"] = created_at
            coding = ET.SubElement(selection, f"{P}Coding", coding_attrs)
            ET.SubElement(coding, f"{P}CodeRef", {"targetGUID": type_guid[type_id]})
            report.codings += 1
        if row["note"]:
            note_guid = derived_guid("excerpt-note", row["id"])
            note(note_guid, f"Note: {_selection_name(row['quote'])}", row["note"], row["author"], row["updated_at"])
            ET.SubElement(selection, f"{P}NoteRef", {"targetGUID": note_guid})
        report.selections += 1
