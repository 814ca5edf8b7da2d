"""REFI-QDA import: a ``.qdc`` codebook or a ``.qdpx`` project into the case file.

Reading is separate from storing: ``read_qdc`` and ``read_qdpx`` check the whole file (a zip with
``project.qde``, well-formed XML of the right namespace, no DTD or entities, every reference
resolvable, every selection within its text) and return plain values, raising ``RefiError`` with
one line naming the file and the problem. ``import_qdc`` and ``import_qdpx`` then store everything
in one logged operation (one transaction: ``evidence-tui undo`` reverts the whole import), so bad
input leaves nothing half-imported.

Untrusted XML is parsed with ``defusedxml`` (DTDs, entity declarations and external references are
refused: no billion laughs, no reading local files).

Matching, so that importing the same file twice changes nothing:
* codes are claim types by name (case-insensitive); new names are added to the codebook;
* a source whose text has the SHA-256 of an existing source's text is that source;
* a selection with the exact span of an existing excerpt of that source is that excerpt (its
  codes are added to the excerpt's claim types, its memos to the note when not already in it).
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from evidence_tui.domain.codebook import PALETTE
from evidence_tui.domain.excerpts import anchor
from evidence_tui.exporters.refi import CODEBOOK_NS, PROJECT_NS, RefiError
from evidence_tui.importers.dates import parse_date
from evidence_tui.store import CaseFile, Operation, new_id, operation, utc_now

MAX_XML_BYTES = 256 * 1024 * 1024
MAX_TEXT_BYTES = 64 * 1024 * 1024
_GUID = re.compile(r"^\{?([0-9a-fA-F]{8})-([0-9a-fA-F]{4})-([0-9a-fA-F]{4})-([0-9a-fA-F]{4})-([0-9a-fA-F]{12})\}?$")
_DESCRIPTION_FIELDS = {"outlet": "outlet", "author": "author", "url": "url", "published": "published",
                       "file": "file_name"}


# -- what a file holds ------------------------------------------------------------------------


@dataclass
class RefiCode:
    """A code of the file: a claim type to be."""

    guid: str
    name: str
    colour: str | None = None
    description: str = ""


@dataclass
class RefiSelection:
    """A plain-text selection: an excerpt to be."""

    guid: str
    start: int
    end: int
    code_guids: list[str] = field(default_factory=list)
    memos: list[str] = field(default_factory=list)
    user_guid: str | None = None
    created: str | None = None


@dataclass
class RefiSource:
    """A text source with its text and selections."""

    guid: str
    name: str
    text: str
    original: bytes
    file_name: str
    description: str = ""
    memos: list[str] = field(default_factory=list)
    selections: list[RefiSelection] = field(default_factory=list)
    created: str | None = None


@dataclass
class RefiProject:
    """A ``.qdpx`` project as read, with what was left out and why."""

    codes: list[RefiCode] = field(default_factory=list)
    sources: list[RefiSource] = field(default_factory=list)
    users: dict[str, str] = field(default_factory=dict)
    unmapped: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def skip(self, what: str, count: int = 1) -> None:
        """Count something the case file has no place for."""
        if count:
            self.unmapped[what] = self.unmapped.get(what, 0) + count


@dataclass
class ImportReport:
    """What an import stored and what it matched, left out or warned about."""

    path: Path
    types_added: int = 0
    types_matched: int = 0
    sources_added: int = 0
    sources_matched: int = 0
    excerpts_added: int = 0
    excerpts_matched: int = 0
    tags_added: int = 0
    notes_added: int = 0
    unmapped: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        """The figures as a dict (for --json)."""
        return {
            "path": str(self.path), "types_added": self.types_added, "types_matched": self.types_matched,
            "sources_added": self.sources_added, "sources_matched": self.sources_matched,
            "excerpts_added": self.excerpts_added, "excerpts_matched": self.excerpts_matched,
            "tags_added": self.tags_added, "notes_added": self.notes_added,
            "unmapped": dict(self.unmapped), "warnings": list(self.warnings),
        }


# -- reading ------------------------------------------------------------------------------------


def normal_guid(value: str | None) -> str | None:
    """A GUID as ``8-4-4-4-12`` uppercase hex without braces, or None if it is not one."""
    match = _GUID.match((value or "").strip())
    return "-".join(match.groups()).upper() if match else None


def _parse(path: Path, where: str, data: bytes) -> Element:
    try:
        return SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise RefiError(f"{path}: {where} declares a DTD or entities, which are refused") from None
    except ParseError as error:
        raise RefiError(f"{path}: {where} is not well-formed XML ({error})") from None


def _split(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return "", tag


class _Reader:
    """Reads elements of one namespace with one-line errors naming the file."""

    def __init__(self, path: Path, where: str, ns: str) -> None:
        self.path, self.where, self.ns = path, where, ns

    def q(self, local: str) -> str:
        return f"{{{self.ns}}}{local}" if self.ns else local

    def children(self, element: Element, local: str) -> list[Element]:
        return element.findall(self.q(local))

    def child(self, element: Element, local: str) -> Element | None:
        return element.find(self.q(local))

    def text(self, element: Element, local: str) -> str:
        found = self.child(element, local)
        return (found.text or "") if found is not None else ""

    def fail(self, problem: str) -> RefiError:
        return RefiError(f"{self.path}: {self.where}: {problem}")

    def guid(self, element: Element, attribute: str = "guid") -> str:
        value = element.get(attribute)
        guid = normal_guid(value)
        if guid is None:
            what = _split(element.tag)[1]
            shown = f"'{value}'" if value is not None else "none"
            raise self.fail(f"a {what} has no valid {attribute} ({shown})")
        return guid

    def required(self, element: Element, attribute: str) -> str:
        value = element.get(attribute)
        if value is None:
            raise self.fail(f"a {_split(element.tag)[1]} has no {attribute}")
        return value

    def position(self, element: Element, attribute: str, guid: str) -> int:
        value = self.required(element, attribute)
        try:
            return int(value.strip())
        except ValueError:
            raise self.fail(f"selection {guid}: {attribute} '{value}' is not a number") from None


def _colour(value: str | None) -> str | None:
    value = (value or "").strip()
    if re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        return value.lower()
    if re.fullmatch(r"#[0-9a-fA-F]{3}", value):
        return "#" + "".join(c * 2 for c in value[1:]).lower()
    return None


def _codes(reader: _Reader, parent: Element, into: list[RefiCode], skipped: list[int]) -> None:
    """Collect codes (nested ones too: the case file's codebook is flat)."""
    for element in reader.children(parent, "Code"):
        guid = reader.guid(element)
        name = " ".join(reader.required(element, "name").split())
        if not name:
            raise reader.fail(f"code {guid} has an empty name")
        codable = element.get("isCodable", "true").strip().lower() in ("true", "1")
        if codable:
            into.append(RefiCode(guid, name, _colour(element.get("color")), reader.text(element, "Description").strip()))
        else:
            skipped[0] += 1
        _codes(reader, element, into, skipped)


def _read_limited(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    if info.file_size > limit:
        raise RefiError(f"{path}: {info.filename} is {info.file_size:,} bytes, over the {limit:,} byte limit")
    try:
        with zf.open(info) as handle:
            data = handle.read(limit + 1)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as error:
        raise RefiError(f"{path}: {info.filename} cannot be read ({error})") from None
    if len(data) > limit:
        raise RefiError(f"{path}: {info.filename} is over the {limit:,} byte limit")
    return data


def _read_file(path: Path, limit: int) -> bytes:
    if not path.exists():
        raise RefiError(f"{path}: no such file")
    if path.is_dir():
        raise RefiError(f"{path}: is a folder, not a file")
    try:
        if path.stat().st_size > limit:
            raise RefiError(f"{path}: over the {limit:,} byte limit")
        return path.read_bytes()
    except OSError as error:
        raise RefiError(f"{path}: cannot read it ({(error.strerror or str(error)).lower()})") from None


def read_qdc(path: str | Path) -> list[RefiCode]:
    """Read a ``.qdc`` codebook (``urn:QDA-XML:codebook:1.0``); returns its codable codes."""
    path = Path(path).expanduser()
    data = _read_file(path, MAX_XML_BYTES)
    if data.startswith(b"PK\x03\x04"):
        raise RefiError(f"{path}: a zip, not a codebook (a .qdpx project? import it with import-qdpx)")
    root = _parse(path, "the codebook", data)
    ns, local = _split(root.tag)
    if local != "CodeBook" or ns not in (CODEBOOK_NS, ""):
        raise RefiError(f"{path}: not a REFI-QDA codebook (the root element is {local}, not CodeBook in {CODEBOOK_NS})")
    reader = _Reader(path, "the codebook", ns)
    codes_element = reader.child(root, "Codes")
    if codes_element is None:
        raise reader.fail("no Codes element")
    codes: list[RefiCode] = []
    _codes(reader, codes_element, codes, [0])
    return codes


def _when(value: str | None) -> str | None:
    """An ``xsd:dateTime`` as our UTC timestamp (a time without a zone is taken as UTC), or None."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def read_qdpx(path: str | Path) -> RefiProject:
    """Read a ``.qdpx`` project: everything checked before anything is stored."""
    path = Path(path).expanduser()
    if not path.exists():
        raise RefiError(f"{path}: no such file")
    if path.is_dir():
        raise RefiError(f"{path}: is a folder, not a .qdpx file")
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise RefiError(f"{path}: not a .qdpx file (not a zip)") from None
    except OSError as error:
        raise RefiError(f"{path}: cannot read it ({(error.strerror or str(error)).lower()})") from None
    with zf:
        members = {info.filename.lower(): info for info in zf.infolist() if not info.is_dir()}
        if "project.qde" not in members:
            raise RefiError(f"{path}: no project.qde in it (not a REFI-QDA project)")
        root = _parse(path, "project.qde", _read_limited(path, zf, members["project.qde"], MAX_XML_BYTES))
        ns, local = _split(root.tag)
        if local != "Project" or ns not in (PROJECT_NS, ""):
            raise RefiError(f"{path}: project.qde is not a REFI-QDA project (the root element is {local}, "
                            f"not Project in {PROJECT_NS})")
        return _read_project(path, zf, members, _Reader(path, "project.qde", ns), root)


def _read_project(path: Path, zf: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], reader: _Reader,
                  root: Element) -> RefiProject:
    project = RefiProject()
    users = reader.child(root, "Users")
    for element in reader.children(users, "User") if users is not None else []:
        project.users[reader.guid(element)] = (element.get("name") or element.get("id") or "").strip()
    codebook = reader.child(root, "CodeBook")
    skipped = [0]
    if codebook is not None:
        codes = reader.child(codebook, "Codes")
        if codes is not None:
            _codes(reader, codes, project.codes, skipped)
    project.skip("code folders that are not codable", skipped[0])
    code_guids = {code.guid for code in project.codes}
    # Every code GUID of the file (codable or not), to tell a dangling CodeRef from a folder's.
    all_codes = {reader.guid(e) for e in root.iter(reader.q("Code"))}
    notes: dict[str, str] = {}
    notes_element = reader.child(root, "Notes")
    for element in reader.children(notes_element, "Note") if notes_element is not None else []:
        notes[reader.guid(element)] = _note_text(path, zf, members, reader, element)
    used_notes: set[str] = set()

    def memos(element: Element) -> list[str]:
        found = []
        for ref in reader.children(element, "NoteRef"):
            guid = reader.guid(ref, "targetGUID")
            if guid not in notes:
                raise reader.fail(f"a NoteRef points to note {guid}, which is not in the project")
            used_notes.add(guid)
            if notes[guid].strip():
                found.append(notes[guid].strip())
        return found

    def codings(element: Element, owner: str) -> tuple[list[str], list[str]]:
        refs, extra = [], []
        for coding in reader.children(element, "Coding"):
            ref = reader.child(coding, "CodeRef")
            if ref is None:
                raise reader.fail(f"{owner}: a Coding has no CodeRef")
            guid = reader.guid(ref, "targetGUID")
            if guid not in all_codes:
                raise reader.fail(f"{owner}: a CodeRef points to code {guid}, which is not in the codebook")
            if guid in code_guids:
                refs.append(guid)
            else:
                project.skip("codings with a code that is not codable")
            extra.extend(memos(coding))
        return refs, extra

    sources = reader.child(root, "Sources")
    seen: set[str] = set()
    for element in list(sources) if sources is not None else []:
        kind = _split(element.tag)[1]
        if kind != "TextSource":
            project.skip(f"{kind} sources (only text sources are imported)")
            continue
        guid = reader.guid(element)
        if guid in seen:
            raise reader.fail(f"source {guid} occurs twice")
        seen.add(guid)
        name = " ".join((element.get("name") or "").split()) or f"REFI-QDA source {guid[:8]}"
        loaded = _source_text(path, zf, members, reader, element, name)
        if loaded is None:
            project.warnings.append(f"source '{name}': its plain text is not in the .qdpx; left out")
            project.skip("sources without their plain text")
            continue
        text, original, file_name = loaded
        source = RefiSource(guid, name, text, original, file_name, reader.text(element, "Description").strip(),
                            memos(element), created=_when(element.get("creationDateTime")))
        whole, whole_memos = codings(element, f"source '{name}'")
        project.skip("codings of whole sources", len(whole))
        source.memos.extend(whole_memos)
        project.skip("variable values of sources", len(reader.children(element, "VariableValue")))
        for selection in reader.children(element, "PlainTextSelection"):
            source.selections.append(_selection(reader, selection, source, memos, codings))
        project.sources.append(source)
    for what in ("Cases", "Variables", "Sets", "Graphs", "Links"):
        container = reader.child(root, what)
        if container is not None:
            project.skip(f"{what.lower()}", len(container))
    project.skip("memos not attached to a selection or source", len(set(notes) - used_notes))
    return project


def _selection(reader: _Reader, element: Element, source: RefiSource, memos, codings) -> RefiSelection:
    guid = reader.guid(element)
    start = reader.position(element, "startPosition", guid)
    end = reader.position(element, "endPosition", guid)
    if not 0 <= start <= end <= len(source.text):
        raise reader.fail(f"selection {guid} in source '{source.name}': positions {start}-{end} are outside "
                          f"its text (0-{len(source.text)} characters)")
    selection = RefiSelection(guid, start, end, user_guid=normal_guid(element.get("creatingUser")),
                              created=_when(element.get("creationDateTime")))
    description = reader.text(element, "Description").strip()
    if description:
        selection.memos.append(description)
    refs, extra = codings(element, f"selection {guid}")
    selection.code_guids = refs
    selection.memos.extend(memos(element))
    selection.memos.extend(extra)
    return selection


def _member(path: Path, zf: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], reader: _Reader,
            internal: str, what: str) -> tuple[bytes, str]:
    name = internal[len("internal://"):]
    info = members.get(f"sources/{name}".lower()) or members.get(name.lower())
    if info is None:  # looked up among the zip's members, never opened as a path: no traversal
        raise reader.fail(f"{what}: its file sources/{name} is not in the .qdpx")
    return _read_limited(path, zf, info, MAX_TEXT_BYTES), info.filename


def _decode(reader: _Reader, data: bytes, what: str) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise reader.fail(f"{what}: its text is not UTF-8 ({error.reason} at byte {error.start})") from None
    # A byte-order mark is not part of the text: positions count from the character after it.
    return text[1:] if text.startswith("\ufeff") else text


def _note_text(path: Path, zf: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], reader: _Reader,
               element: Element) -> str:
    content = reader.child(element, "PlainTextContent")
    if content is not None:
        return content.text or ""
    internal = element.get("plainTextPath") or ""
    if internal.startswith("internal://"):
        data, _ = _member(path, zf, members, reader, internal, "a note")
        return _decode(reader, data, "a note")
    return reader.text(element, "Description")


def _source_text(path: Path, zf: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], reader: _Reader,
                 element: Element, name: str) -> tuple[str, bytes, str] | None:
    content = reader.child(element, "PlainTextContent")
    if content is not None:
        text = content.text or ""
        return text, text.encode("utf-8", "surrogatepass"), f"{name}.txt"
    internal = (element.get("plainTextPath") or "").strip()
    if not internal.startswith("internal://"):
        return None  # a path outside the .qdpx (or rich text only): not ours to read
    data, member = _member(path, zf, members, reader, internal, f"source '{name}'")
    return _decode(reader, data, f"source '{name}'"), data, member.rsplit("/", 1)[-1]


# -- storing ------------------------------------------------------------------------------------


def _id_from(guid: str, conn, table: str) -> str:
    """Our id for a record from its GUID (the same digits when free, so a round trip keeps ids)."""
    candidate = guid.replace("-", "").lower()
    if conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", (candidate,)).fetchone() is None:
        return candidate
    return new_id()


def _merge_codes(op: Operation, codes: list[RefiCode], report: ImportReport) -> dict[str, str]:
    """Claim type id of every code GUID: matched by name, else added to the codebook."""
    conn = op.conn
    by_name = {name.casefold(): type_id for type_id, name in conn.execute("SELECT id, name FROM claim_types")}
    count, top = conn.execute("SELECT count(*), coalesce(max(position), -1) FROM claim_types").fetchone()
    ids: dict[str, str] = {}
    matched: set[str] = set()
    for code in codes:
        key = code.name.casefold()
        if key in by_name:
            ids[code.guid] = by_name[key]
            matched.add(key)
            continue
        now = utc_now()
        top += 1
        row = op.insert("claim_types", {
            "id": _id_from(code.guid, conn, "claim_types"), "name": code.name, "description": code.description,
            "colour": code.colour or PALETTE[count % len(PALETTE)], "hotkey": None, "position": top,
            "created_at": now, "updated_at": now,
        })
        count += 1
        by_name[key] = row["id"]
        ids[code.guid] = row["id"]
        report.types_added += 1
    report.types_matched = len(matched)
    return ids


def import_qdc(case: CaseFile, path: str | Path) -> ImportReport:
    """Merge the codes of a ``.qdc`` codebook into the case file's codebook, by name."""
    path = Path(path).expanduser()
    codes = read_qdc(path)
    report = ImportReport(path)
    with operation(case, "refi.import_codebook", case.actor) as op:
        _merge_codes(op, codes, report)
        op.summary = f"import codebook {path.name} ({report.types_added} new claim types)"
    return report


def _append(existing: str | None, additions: list[str]) -> str | None:
    note = existing or ""
    for text in additions:
        if text and text not in note:
            note = f"{note}\n\n{text}" if note else text
    return note or None


def _metadata(description: str) -> dict:
    """Source fields from a description of ``key: value`` lines (as our export writes them)."""
    fields: dict = {}
    for line in description.splitlines():
        key, _, value = line.partition(":")
        column = _DESCRIPTION_FIELDS.get(key.strip().lower())
        value = value.strip()
        if column and value:
            fields[column] = value
    raw = fields.pop("published", None)
    if raw:
        parsed = parse_date(raw, None)
        if parsed is not None:
            fields.update(published=parsed.iso, published_raw=raw, published_precision=parsed.precision)
    return fields


def _store_source(op: Operation, source: RefiSource, project: RefiProject, report: ImportReport,
                  by_text: dict[str, str]) -> str | None:
    """The id of the source holding this text: an existing one (same text hash) or a new one.

    ``by_text`` maps text hashes to source ids (read once: ``text_sha256`` has no index).
    """
    conn = op.conn
    digest = hashlib.sha256(source.text.encode("utf-8", "surrogatepass")).hexdigest()
    row = None
    if digest in by_text:
        row = conn.execute("SELECT id, notes FROM sources WHERE id = ?", (by_text[digest],)).fetchone()
    if row is not None:
        report.sources_matched += 1
        notes = _append(row["notes"], source.memos)
        if notes != row["notes"]:
            op.update("sources", row["id"], {"notes": notes, "updated_at": utc_now()})
            report.notes_added += 1
        return row["id"]
    file_hash = hashlib.sha256(source.original).hexdigest()
    clash = conn.execute("SELECT id, title FROM sources WHERE sha256 = ?", (file_hash,)).fetchone()
    if clash is not None:
        project.warnings.append(f"source '{source.name}': the same file as source {clash['id'][:8]} "
                                f"'{clash['title']}' but a different text; left out with its selections")
        return None
    now = utc_now()
    metadata = _metadata(source.description)
    row = {
        "id": _id_from(source.guid, conn, "sources"), "title": source.name,
        "outlet": metadata.get("outlet"), "author": metadata.get("author"), "url": metadata.get("url"),
        "published": metadata.get("published"), "published_raw": metadata.get("published_raw"),
        "published_precision": metadata.get("published_precision", "none"), "language": None,
        "file_name": metadata.get("file_name") or source.file_name, "format": "text", "encoding": "utf-8", "imported_at": now,
        "sha256": file_hash, "text_sha256": digest, "notes": _append(None, source.memos), "reliability": None,
        "created_at": source.created or now, "updated_at": now, "text": source.text,
    }
    op.insert("sources", row)
    by_text[digest] = row["id"]
    op.insert("source_originals", {"source_id": row["id"], "data": source.original})
    report.sources_added += 1
    if row["notes"]:
        report.notes_added += 1
    return row["id"]


def _store_selections(op: Operation, source_id: str, source: RefiSource, type_ids: dict[str, str],
                      users: dict[str, str], actor: str, taken: set[str], report: ImportReport) -> None:
    """Store a source's selections as excerpts with their tags (new rows inserted in bulk).

    An existing excerpt with the same span is the same excerpt: its tags and note are topped up.
    ``taken`` holds the excerpt ids this import has used (a GUID may occur in two sources).
    """
    conn = op.conn
    text = source.text
    now = utc_now()
    here = conn.execute('SELECT id, start, "end", note FROM excerpts WHERE source_id = ?', (source_id,)).fetchall()
    spans = {(r["start"], r["end"]): r["id"] for r in here}
    notes = {r["id"]: r["note"] for r in here}
    tagged = {(r[0], r[1]) for r in conn.execute(
        "SELECT x.excerpt_id, x.claim_type_id FROM excerpt_claim_types x JOIN excerpts e ON e.id = x.excerpt_id "
        "WHERE e.source_id = ?", (source_id,))}
    new_excerpts: dict[str, dict] = {}
    new_tags: list[dict] = []
    for selection in source.selections:
        start, end = selection.start, selection.end
        if start == end or not text[start:end].strip():
            report.warnings.append(f"selection {selection.guid} in source '{source.name}': empty or only white "
                                   "space; left out")
            continue
        excerpt_id = spans.get((start, end))
        if excerpt_id in new_excerpts:  # a second selection of the same span in this file
            row = new_excerpts[excerpt_id]
            row["note"] = _append(row["note"], selection.memos)
        elif excerpt_id is not None:
            report.excerpts_matched += 1
            note = _append(notes[excerpt_id], selection.memos)
            if note != notes[excerpt_id]:
                op.update("excerpts", excerpt_id, {"note": note, "updated_at": now})
                notes[excerpt_id] = note
                report.notes_added += 1
        else:
            excerpt_id = _id_from(selection.guid, conn, "excerpts")
            if excerpt_id in taken:
                excerpt_id = new_id()
            taken.add(excerpt_id)
            spans[(start, end)] = excerpt_id
            new_excerpts[excerpt_id] = {
                "id": excerpt_id, "source_id": source_id, **anchor(text, start, end),
                "note": _append(None, selection.memos), "review_status": "unreviewed",
                "author": users.get(selection.user_guid or "") or actor,
                "created_at": selection.created or now, "updated_at": now,
            }
        for code_guid in selection.code_guids:
            key = (excerpt_id, type_ids[code_guid])
            if key not in tagged:
                tagged.add(key)
                new_tags.append({"excerpt_id": key[0], "claim_type_id": key[1], "created_at": now})
    op.insert_many("excerpts", list(new_excerpts.values()))
    op.insert_many("excerpt_claim_types", new_tags)
    report.excerpts_added += len(new_excerpts)
    report.notes_added += sum(1 for row in new_excerpts.values() if row["note"])
    report.tags_added += len(new_tags)


def import_qdpx(case: CaseFile, path: str | Path) -> ImportReport:
    """Import a ``.qdpx`` project: codes, text sources, selections with their codes, memos.

    The whole file is read and checked first, then stored as one logged operation.
    """
    path = Path(path).expanduser()
    project = read_qdpx(path)
    report = ImportReport(path)
    users = {guid: name for guid, name in project.users.items() if name}
    with operation(case, "refi.import", case.actor) as op:
        type_ids = _merge_codes(op, project.codes, report)
        by_text = {digest: source_id for source_id, digest in op.conn.execute("SELECT id, text_sha256 FROM sources")}
        taken: set[str] = set()
        for source in project.sources:
            source_id = _store_source(op, source, project, report, by_text)
            if source_id is not None:
                _store_selections(op, source_id, source, type_ids, users, case.actor, taken, report)
        op.summary = (f"import {path.name}: {report.sources_added} sources, {report.excerpts_added} excerpts, "
                      f"{report.tags_added} tags")
    report.unmapped = dict(project.unmapped)
    report.warnings = project.warnings + report.warnings
    return report
