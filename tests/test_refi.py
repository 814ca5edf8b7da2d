"""REFI-QDA: export qdc / qdpx, import-qdc / import-qdpx, strict structure, round trip, bad input.

The REFI-QDA schema files (Codebook.xsd, Project.xsd) are not vendored: the structural checks
below encode their rules for what we write (namespaces, element order, required attributes,
GUID and colour patterns) plus the references between elements that a schema cannot check.
"""

from __future__ import annotations

import hashlib
import re
import stat
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from evidence_tui.cli import cli
from evidence_tui.domain import codebook, excerpts, sources
from evidence_tui.exporters.refi import CODEBOOK_NS, PROJECT_NS, RefiError, export_qdc, export_qdpx, guid_for
from evidence_tui.importers.refi import import_qdc, import_qdpx, read_qdpx
from evidence_tui.store import CaseFile, undo

P = f"{{{PROJECT_NS}}}"
C = f"{{{CODEBOOK_NS}}}"
GUID = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")
RGB = re.compile(r"^#[0-9A-F]{6}$")
DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")

# The content models of Project.xsd for the elements we write: children in this order only.
ORDER = {
    "Project": ["Users", "CodeBook", "Variables", "Cases", "Sources", "Notes", "Links", "Sets", "Graphs",
                "Description", "NoteRef"],
    "Users": ["User"], "CodeBook": ["Codes"], "Codes": ["Code"], "Code": ["Description", "NoteRef", "Code"],
    "Sources": ["TextSource"], "Notes": ["Note"],
    "TextSource": ["Description", "PlainTextContent", "PlainTextSelection", "Coding", "NoteRef", "VariableValue"],
    "Note": ["Description", "PlainTextContent", "PlainTextSelection", "Coding", "NoteRef", "VariableValue"],
    "PlainTextSelection": ["Description", "Coding", "NoteRef"],
    "Coding": ["CodeRef", "NoteRef"], "User": [], "CodeRef": [], "NoteRef": [],
    "Description": [], "PlainTextContent": [],
}
REQUIRED = {
    "Project": {"name"}, "User": {"guid"}, "Code": {"guid", "name", "isCodable"}, "TextSource": {"guid"},
    "Note": {"guid"}, "PlainTextSelection": {"guid", "startPosition", "endPosition"}, "Coding": {"guid"},
    "CodeRef": {"targetGUID"}, "NoteRef": {"targetGUID"},
}
ALLOWED = {
    "Project": {"name", "origin", "creatingUserGUID", "creationDateTime", "modifyingUserGUID", "modifiedDateTime",
                "basePath"},
    "User": {"guid", "name", "id"}, "Code": {"guid", "name", "isCodable", "color"},
    "TextSource": {"guid", "name", "richTextPath", "plainTextPath", "creatingUser", "creationDateTime",
                   "modifyingUser", "modifiedDateTime"},
    "PlainTextSelection": {"guid", "name", "startPosition", "endPosition", "creatingUser", "creationDateTime",
                           "modifyingUser", "modifiedDateTime"},
    "Coding": {"guid", "creatingUser", "creationDateTime"}, "CodeRef": {"targetGUID"}, "NoteRef": {"targetGUID"},
}
ALLOWED["Note"] = ALLOWED["TextSource"]
GUID_ATTRIBUTES = {"guid", "targetGUID", "creatingUser", "modifyingUser", "creatingUserGUID", "modifyingUserGUID"}


def local(element: ET.Element, ns: str) -> str:
    assert element.tag.startswith(f"{{{ns}}}"), f"{element.tag} is not in {ns}"
    return element.tag[len(ns) + 2:]


def check_schema_rules(root: ET.Element, ns: str) -> None:
    """Every element in the namespace, children in the schema's order, attributes as the schema says."""
    for element in root.iter():
        name = local(element, ns)
        assert name in ORDER, f"unexpected element {name}"
        positions = [ORDER[name].index(local(child, ns)) for child in element]
        assert positions == sorted(positions), f"children of {name} out of the schema's order"
        for container in ("Users", "Codes", "Sources", "Notes"):
            if name == container:
                assert len(element) >= 1, f"{container} must not be empty"
        assert REQUIRED.get(name, set()) <= set(element.attrib), f"{name} lacks {REQUIRED[name] - set(element.attrib)}"
        if name in ALLOWED:
            assert set(element.attrib) <= ALLOWED[name], f"{name} has {set(element.attrib) - ALLOWED[name]}"
        for attribute, value in element.attrib.items():
            if attribute in GUID_ATTRIBUTES:
                assert GUID.match(value), f"{name}/@{attribute} '{value}' is not an uppercase GUID"
            if attribute.endswith("DateTime"):
                assert DATETIME.match(value), f"{name}/@{attribute} '{value}' is not an xsd:dateTime"
        if name == "Code":
            assert element.get("isCodable") in ("true", "false")
            assert element.get("color") is None or RGB.match(element.get("color"))
        if name == "PlainTextSelection":
            assert int(element.get("startPosition")) < int(element.get("endPosition"))


def read_project(path: Path) -> tuple[ET.Element, dict[str, bytes]]:
    with zipfile.ZipFile(path) as zf:
        files = {name: zf.read(name) for name in zf.namelist()}
    return ET.fromstring(files.pop("project.qde")), files


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def counts(case: CaseFile) -> dict[str, int]:
    conn = case.db.conn
    return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("sources", "excerpts", "claim_types", "excerpt_claim_types", "operations")}


def spans(case: CaseFile) -> set[tuple]:
    """Every excerpt as (source text hash, start, end, quote, claim type names, note, author)."""
    conn = case.db.conn
    rows = set()
    for row in conn.execute('SELECT e.id, s.text_sha256, e.start, e."end", e.quote, e.note, e.author '
                            'FROM excerpts e JOIN sources s ON s.id = e.source_id'):
        names = frozenset(r[0] for r in conn.execute(
            "SELECT t.name FROM excerpt_claim_types x JOIN claim_types t ON t.id = x.claim_type_id "
            "WHERE x.excerpt_id = ?", (row["id"],)))
        rows.add((row[1], row[2], row[3], row[4], names, row[5], row[6]))
    return rows


def add_source(case: CaseFile, text: str, name: str = "a.txt") -> str:
    return sources.import_text(case, text.encode("utf-8"), name).source_id


# -- the codebook (.qdc) -------------------------------------------------------------------------


def test_qdc_holds_every_claim_type_with_a_stable_guid(demo_case, tmp_path):
    out = tmp_path / "codebook.qdc"
    result = run("--db", str(demo_case.path), "export", "qdc", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "10 codes written to" in result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    data = out.read_bytes()
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0"')
    root = ET.fromstring(data)
    assert root.tag == f"{C}CodeBook" and [local(c, CODEBOOK_NS) for c in root] == ["Codes"]
    codes = list(root.find(f"{C}Codes"))
    types = codebook.list_types(demo_case)
    assert [c.get("name") for c in codes] == [t.name for t in types]
    for code, claim_type in zip(codes, types):
        assert code.get("guid") == guid_for(claim_type.id) and GUID.match(code.get("guid"))
        assert code.get("guid").replace("-", "").lower() == claim_type.id  # the same UUID as our id
        assert code.get("color") == claim_type.colour.upper() and RGB.match(code.get("color"))
        assert code.get("isCodable") == "true"
        assert code.findtext(f"{C}Description") == claim_type.description
    assert len({c.get("guid") for c in codes}) == len(codes)
    # Stable: a second export writes the same bytes.
    again = tmp_path / "again.qdc"
    export_qdc(demo_case, again)
    assert again.read_bytes() == data


def test_an_empty_codebook_is_refused_and_writes_nothing(case, tmp_path):
    out = tmp_path / "empty.qdc"
    result = run("--db", str(case.path), "export", "qdc", "-o", str(out))
    assert result.exit_code == 1
    assert "the codebook is empty" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_import_qdc_merges_codes_by_name(demo_case, case, tmp_path):
    out = tmp_path / "codebook.qdc"
    export_qdc(demo_case, out)
    codebook.add_type(case, "DECEPTION about the job", description="ours", colour="#123456")
    result = run("--db", str(case.path), "import-qdc", str(out))
    assert result.exit_code == 0, result.output
    assert "9 claim types added, 1 already in the codebook" in result.stdout
    ours = {t.name: t for t in codebook.list_types(case)}
    theirs = {t.name: t for t in codebook.list_types(demo_case)}
    assert ours["DECEPTION about the job"].description == "ours"  # matched, left alone
    assert "Deception about the job" not in ours
    for name, claim_type in theirs.items():
        if name != "Deception about the job":
            assert ours[name].colour == claim_type.colour and ours[name].description == claim_type.description
    # Again: nothing new.
    assert "0 claim types added, 10 already" in run("--db", str(case.path), "import-qdc", str(out)).stdout


# -- the project (.qdpx) ---------------------------------------------------------------------------


@pytest.fixture
def noted_demo(demo_case) -> CaseFile:
    """The demo case with a source note and an excerpt note with characters outside the BMP."""
    first = demo_case.db.conn.execute("SELECT id, source_id FROM excerpts ORDER BY id LIMIT 1").fetchone()
    excerpts.set_note(demo_case, first["id"], "Кириллица, emoji 🙂 and <b>markup</b> & \"quotes\"")
    sources.update_source(demo_case, first["source_id"], notes="Checked against the archive copy.")
    return demo_case


def test_qdpx_follows_the_schema_and_every_reference_resolves(noted_demo, tmp_path):
    out = tmp_path / "case.qdpx"
    result = run("--db", str(noted_demo.path), "export", "qdpx", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    # What REFI-QDA has no place for is said on stderr.
    assert "not exported (no place for it): 25 entities" in result.stderr
    assert "10 claims" in result.stderr and "claim evidence links" in result.stderr
    root, files = read_project(out)
    assert root.tag == f"{P}Project"
    check_schema_rules(root, PROJECT_NS)

    guids = [e.get("guid") for e in root.iter() if e.get("guid")]
    assert len(guids) == len(set(guids)), "GUIDs must be unique"
    codes = {e.get("guid") for e in root.iter(f"{P}Code")}
    notes = {e.get("guid"): e.findtext(f"{P}PlainTextContent") for e in root.iter(f"{P}Note")}
    users = {e.get("guid"): e.get("name") for e in root.iter(f"{P}User")}
    assert all(ref.get("targetGUID") in codes for ref in root.iter(f"{P}CodeRef"))
    assert all(ref.get("targetGUID") in notes for ref in root.iter(f"{P}NoteRef"))
    assert all(e.get("creatingUser") in users for e in root.iter() if e.get("creatingUser"))
    assert users and set(users.values()) == {"demo"}
    assert "Кириллица, emoji 🙂 and <b>markup</b> & \"quotes\"" in notes.values()
    assert "Checked against the archive copy." in notes.values()

    conn = noted_demo.db.conn
    text_sources = root.findall(f"{P}Sources/{P}TextSource")
    assert len(text_sources) == conn.execute("SELECT count(*) FROM sources").fetchone()[0]
    assert set(files) == {f"sources/{s.get('guid')}.txt" for s in text_sources}
    selections = 0
    for source in text_sources:
        assert source.get("plainTextPath") == f"internal://{source.get('guid')}.txt"
        text = files[f"sources/{source.get('guid')}.txt"].decode("utf-8")
        row = conn.execute("SELECT text, text_sha256 FROM sources WHERE id = ?",
                           (source.get("guid").replace("-", "").lower(),)).fetchone()
        assert text == row["text"] and hashlib.sha256(text.encode()).hexdigest() == row["text_sha256"]
        for selection in source.findall(f"{P}PlainTextSelection"):
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            assert 0 <= start < end <= len(text)
            excerpt = conn.execute('SELECT quote, start, "end" FROM excerpts WHERE id = ?',
                                   (selection.get("guid").replace("-", "").lower(),)).fetchone()
            assert (excerpt["start"], excerpt["end"]) == (start, end) and text[start:end] == excerpt["quote"]
            selections += 1
    assert selections == conn.execute("SELECT count(*) FROM excerpts").fetchone()[0]
    assert len(list(root.iter(f"{P}Coding"))) == conn.execute("SELECT count(*) FROM excerpt_claim_types").fetchone()[0]


def test_positions_count_code_points(case, tmp_path):
    """Characters outside the BMP and combining marks before an excerpt: positions are code points."""
    text = "Emoji 🙂🙂 and e\u0301 first. Then the quote we mark. Then 𝒳 more."
    source_id = add_source(case, text)
    codebook.add_type(case, "Marked")
    made = excerpts.add_excerpt(case, source_id, quote="the quote we mark", types=["Marked"])
    out = tmp_path / "cp.qdpx"
    export_qdpx(case, out)
    root, files = read_project(out)
    selection = root.find(f".//{P}PlainTextSelection")
    start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
    assert (start, end) == (made.start, made.end) == (text.index("the quote"), text.index("the quote") + 17)
    stored = files[next(iter(files))].decode("utf-8")
    assert stored[start:end] == "the quote we mark"
    assert len(stored.encode("utf-16-le")) // 2 != len(stored)  # UTF-16 units would count differently

    fresh = CaseFile.open(tmp_path / "fresh.db", actor="tester")
    try:
        import_qdpx(fresh, out)
        assert spans(fresh) == spans(case)
    finally:
        fresh.close()


def test_round_trip_keeps_sources_spans_types_notes_and_authors(noted_demo, tmp_path):
    out = tmp_path / "case.qdpx"
    export_qdpx(noted_demo, out)
    fresh_path = tmp_path / "fresh.db"
    assert run("--db", str(fresh_path), "init").exit_code == 0
    result = run("--db", str(fresh_path), "import-qdpx", str(out))
    assert result.exit_code == 0, result.output
    assert "10 sources added (0 already in the case file), 16 excerpts added" in result.stdout
    fresh = CaseFile.open(fresh_path, actor="tester")
    try:
        conn_a, conn_b = noted_demo.db.conn, fresh.db.conn
        hashes = "SELECT text_sha256 FROM sources ORDER BY text_sha256"
        assert [r[0] for r in conn_b.execute(hashes)] == [r[0] for r in conn_a.execute(hashes)]
        assert spans(fresh) == spans(noted_demo)
        meta = "SELECT id, title, outlet, url, published, notes FROM sources ORDER BY id"
        assert [tuple(r) for r in conn_b.execute(meta)] == [tuple(r) for r in conn_a.execute(meta)]
        types = "SELECT id, name, description, colour FROM claim_types ORDER BY id"
        assert [tuple(r) for r in conn_b.execute(types)] == [tuple(r) for r in conn_a.execute(types)]
        # Importing again changes nothing (not even a log entry).
        before = counts(fresh)
        again = import_qdpx(fresh, out)
        assert (again.sources_matched, again.excerpts_matched, again.types_matched) == (10, 16, 10)
        assert counts(fresh) == before and spans(fresh) == spans(noted_demo)
        # The import is one change: undo takes it all back.
        undo(fresh, "tester")
        assert counts(fresh)["sources"] == counts(fresh)["excerpts"] == counts(fresh)["claim_types"] == 0
    finally:
        fresh.close()


def test_import_into_the_same_case_matches_everything(noted_demo, tmp_path):
    out = tmp_path / "case.qdpx"
    export_qdpx(noted_demo, out)
    before, before_spans = counts(noted_demo), spans(noted_demo)
    report = import_qdpx(noted_demo, out)
    assert report.sources_added == report.excerpts_added == report.tags_added == report.notes_added == 0
    assert counts(noted_demo) == before and spans(noted_demo) == before_spans


FOREIGN = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="From another tool" origin="Some QDA 2024">
  <Users><User guid="{aaaaaaaa-0000-4000-8000-000000000001}" name="Amina"/></Users>
  <CodeBook><Codes>
    <Code guid="c0000000-0000-4000-8000-000000000001" name="Themes" isCodable="false">
      <Code guid="c0000000-0000-4000-8000-000000000002" name="Coercion" isCodable="true" color="#f0a">
        <Description>Pressure to sign</Description>
      </Code>
    </Code>
    <Code guid="c0000000-0000-4000-8000-000000000003" name="deception about the job" isCodable="true"/>
  </Codes></CodeBook>
  <Cases><Case guid="ca000000-0000-4000-8000-000000000001" name="Person A"/></Cases>
  <Sources>
    <TextSource guid="50000000-0000-4000-8000-000000000001" name="Interview 1" plainTextPath="internal://50000000-0000-4000-8000-000000000001.txt">
      <PlainTextSelection guid="5e000000-0000-4000-8000-000000000001" startPosition="13" endPosition="35" creatingUser="AAAAAAAA-0000-4000-8000-000000000001">
        <Coding guid="c1000000-0000-4000-8000-000000000001"><CodeRef targetGUID="C0000000-0000-4000-8000-000000000002"/>
          <NoteRef targetGUID="40000000-0000-4000-8000-000000000002"/></Coding>
        <Coding guid="c1000000-0000-4000-8000-000000000002"><CodeRef targetGUID="c0000000-0000-4000-8000-000000000003"/></Coding>
        <NoteRef targetGUID="40000000-0000-4000-8000-000000000001"/>
      </PlainTextSelection>
      <Coding guid="c1000000-0000-4000-8000-000000000003"><CodeRef targetGUID="c0000000-0000-4000-8000-000000000003"/></Coding>
    </TextSource>
    <PDFSource guid="50000000-0000-4000-8000-000000000002" name="Scan" path="internal://scan.pdf"/>
  </Sources>
  <Notes>
    <Note guid="40000000-0000-4000-8000-000000000001" name="m1"><PlainTextContent>Said twice.</PlainTextContent></Note>
    <Note guid="40000000-0000-4000-8000-000000000002" name="m2"><PlainTextContent>Coded in a hurry.</PlainTextContent></Note>
    <Note guid="40000000-0000-4000-8000-000000000003" name="project memo"><PlainTextContent>Plan.</PlainTextContent></Note>
  </Notes>
</Project>
"""
FOREIGN_TEXT = "\ufeffQ: Where? A: they forced me to sign, in a cell.\n"


def write_qdpx(path: Path, project: str, texts: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", project)
        for name, data in (texts if texts is not None else {
            "Sources/50000000-0000-4000-8000-000000000001.txt": FOREIGN_TEXT.encode("utf-8"),
        }).items():
            zf.writestr(name, data)
    return path


def test_a_project_from_another_tool(demo_case, tmp_path):
    qdpx = write_qdpx(tmp_path / "foreign.qdpx", FOREIGN)
    result = run("--db", str(demo_case.path), "import-qdpx", str(qdpx))
    assert result.exit_code == 0, result.output
    assert "1 sources added" in result.stdout and "1 excerpts added" in result.stdout
    assert "1 new claim types (1 matched by name)" in result.stdout
    left_out = result.stderr
    for what in ("1 code folders that are not codable", "1 codings of whole sources", "1 PDFSource sources",
                 "1 cases", "1 memos not attached"):
        assert what in left_out, what
    conn = demo_case.db.conn
    source = conn.execute("SELECT id, text, title FROM sources WHERE title = 'Interview 1'").fetchone()
    assert source["text"] == FOREIGN_TEXT[1:]  # the byte-order mark is not part of the text
    excerpt = conn.execute("SELECT * FROM excerpts WHERE source_id = ?", (source["id"],)).fetchone()
    assert excerpt["quote"] == FOREIGN_TEXT[1:][13:35] == "they forced me to sign"
    assert excerpt["author"] == "Amina" and excerpt["id"] == "5e000000000040008000000000000001"
    assert excerpt["note"] == "Said twice.\n\nCoded in a hurry."
    names = {r[0] for r in conn.execute(
        "SELECT t.name FROM excerpt_claim_types x JOIN claim_types t ON t.id = x.claim_type_id WHERE x.excerpt_id = ?",
        (excerpt["id"],))}
    assert names == {"Coercion", "Deception about the job"}
    coercion = codebook.get_type(demo_case, "Coercion")
    assert coercion.colour == "#ff00aa" and coercion.description == "Pressure to sign"


# -- bad input: one line naming the file, exit 1, nothing imported ----------------------------------


def _bad_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    out = {}
    (tmp_path / "text.qdpx").write_text("not a zip")
    out["not a zip"] = (tmp_path / "text.qdpx", "not a .qdpx file (not a zip)")
    with zipfile.ZipFile(tmp_path / "empty.qdpx", "w") as zf:
        zf.writestr("readme.txt", "x")
    out["no project.qde"] = (tmp_path / "empty.qdpx", "no project.qde in it")
    out["malformed"] = (write_qdpx(tmp_path / "malformed.qdpx", FOREIGN[:500]), "project.qde is not well-formed XML")
    bomb = ('<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
            '<Project xmlns="urn:QDA-XML:project:1.0" name="&b;"/>')
    out["entities"] = (write_qdpx(tmp_path / "bomb.qdpx", bomb), "declares a DTD or entities, which are refused")
    out["other xml"] = (write_qdpx(tmp_path / "other.qdpx", "<html/>"), "project.qde is not a REFI-QDA project")
    # The first source is fine, the second has a selection past its text: nothing at all is imported.
    second = FOREIGN.replace("</Sources>", """<TextSource guid="50000000-0000-4000-8000-000000000009" name="Short"
        plainTextPath="internal://short.txt"><PlainTextSelection guid="5e000000-0000-4000-8000-000000000009"
        startPosition="2" endPosition="400"/></TextSource></Sources>""")
    texts = {"sources/50000000-0000-4000-8000-000000000001.txt": FOREIGN_TEXT.encode(), "sources/short.txt": b"tiny"}
    out["out of range"] = (write_qdpx(tmp_path / "range.qdpx", second, texts),
                           "selection 5E000000-0000-4000-8000-000000000009 in source 'Short': positions 2-400 are "
                           "outside its text (0-4 characters)")
    dangling = FOREIGN.replace('<CodeRef targetGUID="c0000000-0000-4000-8000-000000000003"/></Coding>\n        <NoteRef',
                               '<CodeRef targetGUID="c0000000-0000-4000-8000-00000000dead"/></Coding>\n        <NoteRef')
    out["dangling code"] = (write_qdpx(tmp_path / "dangling.qdpx", dangling), "which is not in the codebook")
    out["missing text"] = (write_qdpx(tmp_path / "notext.qdpx", FOREIGN, {}), "is not in the .qdpx")
    out["not utf-8"] = (write_qdpx(tmp_path / "latin.qdpx", FOREIGN, {
        "sources/50000000-0000-4000-8000-000000000001.txt": "caf\xe9 forced to sign a contract".encode("latin-1")}),
        "its text is not UTF-8")
    return out


def test_bad_qdpx_files_are_refused_whole(demo_case, tmp_path):
    before, before_spans = counts(demo_case), spans(demo_case)
    for label, (path, message) in _bad_files(tmp_path).items():
        result = run("--db", str(demo_case.path), "import-qdpx", str(path))
        assert result.exit_code == 1, label
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, (label, result.stderr)
        assert lines[0].startswith(f"error: {path}: ") and message in lines[0], (label, lines[0])
        assert "Traceback" not in result.output
    assert counts(demo_case) == before and spans(demo_case) == before_spans


def test_import_qdc_refuses_a_zip_and_bad_xml(case, tmp_path):
    qdpx = write_qdpx(tmp_path / "p.qdpx", FOREIGN)
    result = run("--db", str(case.path), "import-qdc", str(qdpx))
    assert result.exit_code == 1 and "import it with import-qdpx" in result.stderr
    bad = tmp_path / "bad.qdc"
    bad.write_text('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code name="x" isCodable="true"/></Codes></CodeBook>')
    result = run("--db", str(case.path), "import-qdc", str(bad))
    assert result.exit_code == 1 and "a Code has no valid guid (none)" in result.stderr
    assert counts(case)["claim_types"] == 0


def test_read_qdpx_checks_before_anything_is_stored(tmp_path):
    path, message = _bad_files(tmp_path)["out of range"]
    with pytest.raises(RefiError, match="outside its text"):
        read_qdpx(path)


def test_export_replaces_an_existing_file_and_tightens_its_mode(demo_case, tmp_path):
    out = tmp_path / "case.qdpx"
    out.write_text("old")
    out.chmod(0o644)
    report = export_qdpx(demo_case, out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600 and zipfile.is_zipfile(out)
    assert report.sources == 10 and report.selections == 16 and report.users == 1
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".case.qdpx.")]  # no temporary file left


def test_import_qdc_api(demo_case, case, tmp_path):
    export_qdc(demo_case, tmp_path / "c.qdc")
    report = import_qdc(case, tmp_path / "c.qdc")
    assert (report.types_added, report.types_matched) == (10, 0)
