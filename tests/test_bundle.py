"""Case bundles: export to a zip of plain files, verify, import (a merge), lossless round trip."""

from __future__ import annotations

import hashlib
import json
import stat
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from evidence_tui.cli import cli
from evidence_tui.domain import excerpts
from evidence_tui.domain.bundle import BundleError, export_bundle, import_bundle, overall_sha256, verify_bundle
from evidence_tui.store import CaseFile

from tests.test_merge import file_sha, record_hashes


@pytest.fixture
def rich_demo(demo_case) -> CaseFile:
    """The demo case with a note, a review decision and a credibility grade (every table used)."""
    first = demo_case.db.conn.execute("SELECT id FROM excerpts ORDER BY id LIMIT 1").fetchone()[0]
    excerpts.set_note(demo_case, first, "Кириллица, emoji 🙂 and a \"quote\"")
    excerpts.set_status(demo_case, first, "flagged")
    return demo_case


def _export(case: CaseFile, path: Path) -> Path:
    export_bundle(case, path)
    return path


def test_round_trip_is_lossless(rich_demo, tmp_path):
    bundle = _export(rich_demo, tmp_path / "demo.zip")
    fresh = CaseFile.open(tmp_path / "fresh.db", actor="tester")
    try:
        report = import_bundle(fresh, bundle)
        assert report.conflicts == [] and report.name_matches == [] and report.anchor_problems == []
        assert record_hashes(fresh) == record_hashes(rich_demo)  # every record of every table, bytes and text included
        for table, hashes in record_hashes(rich_demo).items():
            assert report.new.get(table, 0) == len(hashes), table
    finally:
        fresh.close()


def test_bundle_layout_manifest_and_mode(rich_demo, tmp_path):
    bundle = _export(rich_demo, tmp_path / "demo.zip")
    assert stat.S_IMODE(bundle.stat().st_mode) == 0o600
    with zipfile.ZipFile(bundle) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        names = set(zf.namelist())
        assert names == set(manifest["files"]) | {"manifest.json"}
        for name, entry in manifest["files"].items():
            data = zf.read(name)
            assert hashlib.sha256(data).hexdigest() == entry["sha256"] and len(data) == entry["size"]
        assert manifest["sha256"] == overall_sha256(manifest["files"])
        sources = [json.loads(line) for line in zf.read("tables/sources.jsonl").decode().splitlines()]
        conn = rich_demo.db.conn
        assert len(sources) == conn.execute("SELECT count(*) FROM sources").fetchone()[0]
        for source in sources:
            assert "text" not in source
            text = zf.read(f"texts/{source['id']}.txt")
            assert hashlib.sha256(text).hexdigest() == source["text_sha256"]
            original = [n for n in names if n.startswith(f"originals/{source['id']}")]
            assert len(original) == 1 and hashlib.sha256(zf.read(original[0])).hexdigest() == source["sha256"]
        excerpt_lines = zf.read("tables/excerpts.jsonl").decode("utf-8")
        assert "Кириллица, emoji 🙂" in excerpt_lines  # plain UTF-8, readable and diffable
        assert "log/events.jsonl" in names and manifest["counts"]["excerpts"] == len(excerpt_lines.splitlines())


def test_importing_into_the_exporting_case_changes_nothing(rich_demo, tmp_path):
    bundle = _export(rich_demo, tmp_path / "demo.zip")
    before = record_hashes(rich_demo)
    report = import_bundle(rich_demo, bundle)
    assert report.total_new == 0 and report.total_updated == 0 and report.operation_id is None
    assert record_hashes(rich_demo) == before


def _tamper(bundle: Path, target: Path, change) -> Path:
    with zipfile.ZipFile(bundle) as src, zipfile.ZipFile(target, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            result = change(info.filename, data)
            if result is not None:
                dst.writestr(info.filename, result)
        extra = change(None, b"")
        if extra:
            dst.writestr(*extra)
    return target


def _one_line_error(args: list[str]) -> str:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in result.output, result.output
    return lines[0]


def test_a_tampered_bundle_is_refused_naming_the_file(rich_demo, tmp_path):
    bundle = _export(rich_demo, tmp_path / "demo.zip")
    text_name = next(n for n in zipfile.ZipFile(bundle).namelist() if n.startswith("texts/"))

    def edit_text(name, data):
        if name is None:
            return None
        return data + b" (edited)" if name == text_name else data

    tampered = _tamper(bundle, tmp_path / "tampered.zip", edit_text)
    fresh = tmp_path / "fresh.db"
    line = _one_line_error(["bundle", "import", str(tampered), "--db", str(fresh)])
    assert text_name in line and "does not match" in line
    assert not fresh.exists() or CaseFile.open(fresh).db.conn.execute("SELECT count(*) FROM sources").fetchone()[0] == 0

    added = _tamper(bundle, tmp_path / "added.zip", lambda n, d: ("texts/extra.txt", "hello") if n is None else d)
    assert "texts/extra.txt is not listed in the manifest" in _one_line_error(["bundle", "import", str(added), "--db", str(fresh)])

    removed = _tamper(bundle, tmp_path / "removed.zip", lambda n, d: None if n in (None, text_name) else d)
    assert f"{text_name} is listed in the manifest but missing" in _one_line_error(
        ["bundle", "import", str(removed), "--db", str(fresh)])

    def edit_manifest(name, data):
        if name != "manifest.json":
            return None if name is None else data
        manifest = json.loads(data)
        manifest["sha256"] = "0" * 64
        return json.dumps(manifest)

    def flip_a_byte(name, data):  # same size: only the SHA-256 can tell
        if name is None:
            return None
        return bytes([data[0] ^ 1]) + data[1:] if name == "tables/excerpts.jsonl" else data

    with pytest.raises(BundleError, match="tables/excerpts.jsonl does not match its SHA-256"):
        verify_bundle(_tamper(bundle, tmp_path / "flipped.zip", flip_a_byte))

    forged = _tamper(bundle, tmp_path / "forged.zip", edit_manifest)
    with pytest.raises(BundleError, match="overall SHA-256"):
        verify_bundle(forged)

    not_zip = tmp_path / "notes.zip"
    not_zip.write_text("hello", encoding="utf-8")
    assert "not a zip file" in _one_line_error(["bundle", "import", str(not_zip), "--db", str(fresh)])


def test_cli_export_then_dry_run_then_import(rich_demo, tmp_path):
    db = str(rich_demo.path)
    rich_demo.close()
    bundle = tmp_path / "out.zip"
    result = CliRunner().invoke(cli, ["bundle", "export", str(bundle), "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    assert info["sha256"] == json.loads(zipfile.ZipFile(bundle).read("manifest.json"))["sha256"]
    assert "already exists" in _one_line_error(["bundle", "export", str(bundle), "--db", db])

    missing = tmp_path / "not-yet.db"  # a dry run into a case file not made yet: predicted, not made
    result = CliRunner().invoke(cli, ["bundle", "import", str(bundle), "--db", str(missing), "--dry-run"])
    assert result.exit_code == 0 and "would merge: " in result.output, result.output
    assert not missing.exists()

    target = tmp_path / "colleague.db"
    CaseFile.open(target, actor="colleague").close()
    before = file_sha(target)
    result = CliRunner().invoke(cli, ["bundle", "import", str(bundle), "--db", str(target), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "dry run: nothing written" in result.output
    assert file_sha(target) == before
    result = CliRunner().invoke(cli, ["bundle", "import", str(bundle), "--db", str(target), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["new"]["sources"] == 10
    opened = CaseFile.open(db)
    try:
        assert record_hashes(target) == record_hashes(opened)
    finally:
        opened.close()


def test_without_log(rich_demo, tmp_path):
    bundle = tmp_path / "nolog.zip"
    export_bundle(rich_demo, bundle, include_log=False)
    names = zipfile.ZipFile(bundle).namelist()
    assert not any(n.startswith("log/") for n in names)
    verify_bundle(bundle)
