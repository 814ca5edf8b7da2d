"""Importing a folder: files of other types in it are reported as skipped, not failed, and not stored."""

from __future__ import annotations

from pathlib import Path

from evidence_tui.domain import history
from evidence_tui.domain import sources as sources_domain


def write(path: Path, content: str | bytes = "A headline\n\nSome body text.\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def table_counts(case) -> dict[str, int]:
    conn = case.db.conn
    return {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in ("sources", "source_originals")}


def test_files_of_other_types_are_counted_as_skipped_and_nothing_is_stored_for_them(case, tmp_path):
    folder = tmp_path / "case-folder"
    write(folder / "a.txt", "First headline\n\nBody one.\n")
    write(folder / "b.md", "# Second headline\n\nBody two.\n")
    write(folder / "scan.pdf", b"%PDF-1.7 binary")
    write(folder / "photo.jpg", b"\xff\xd8\xff\xe0")
    write(folder / ".DS_Store", b"\x00\x00\x00\x01Bud1")
    progress: list[tuple[int, int, str]] = []
    summary = sources_domain.import_paths(case, [folder], on_progress=lambda d, t, o: progress.append((d, t, o.status)))
    assert (summary.imported, summary.duplicates, summary.failed, summary.skipped) == (2, 0, 0, 2)
    skipped = [(o.name, o.message, o.source_id) for o in summary.outcomes if o.status == "skipped"]
    assert skipped == [
        (str(folder / "photo.jpg"), f"{folder / 'photo.jpg'}: not a .txt, .md or .html file", None),
        (str(folder / "scan.pdf"), f"{folder / 'scan.pdf'}: not a .txt, .md or .html file", None),
    ]
    assert table_counts(case) == {"sources": 2, "source_originals": 2}
    assert sorted(s.file_name for s in sources_domain.list_sources(case)) == ["a.txt", "b.md"]
    assert progress[-1][:2] == (4, 4)  # skipped files count in the progress, hidden ones do not appear
    assert [op.summary for op in history.recent_operations(case)] == ["import 2 sources"]


def test_a_folder_of_only_other_files_fails_as_nothing_importable_and_lists_them(case, tmp_path):
    folder = tmp_path / "scans"
    write(folder / "one.pdf", b"%PDF")
    write(folder / "two.docx", b"PK\x03\x04")
    summary = sources_domain.import_paths(case, [folder])
    assert [(o.status, o.message) for o in summary.outcomes] == [
        ("skipped", f"{folder / 'one.pdf'}: not a .txt, .md or .html file"),
        ("skipped", f"{folder / 'two.docx'}: not a .txt, .md or .html file"),
        ("failed", f"{folder}: no importable files (.txt, .md, .html, .htm) in this folder"),
    ]
    assert (summary.failed, summary.skipped) == (1, 2)
    assert table_counts(case) == {"sources": 0, "source_originals": 0}


def test_a_file_of_another_type_named_on_its_own_still_fails(case, tmp_path):
    path = write(tmp_path / "scan.pdf", b"%PDF")
    summary = sources_domain.import_paths(case, [path])
    assert [(o.status, o.message) for o in summary.outcomes] == [
        ("failed", f"{path}: unsupported file type '.pdf' (supported: .txt, .md, .html, .htm)")
    ]
    assert summary.skipped == 0
