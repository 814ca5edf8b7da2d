"""Files and folders: read_document refusals, find_importable order, hidden files, symlinks."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import pytest

from evidence_tui.errors import DocumentError
from evidence_tui.importers import SUPPORTED_SUFFIXES, ImportOptions, find_importable, read_document
from evidence_tui.importers.files import NOT_IMPORTABLE, NOTHING_IMPORTABLE, Skipped

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def write(path: Path, text: str = "Headline\n\nBody text.\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def listed(paths) -> list[tuple[str, str | None]]:
    """find_importable's output as (path, problem) strings, for exact comparison."""
    return [(str(path), error.problem if error else None) for path, error in find_importable(paths)]


def test_supported_suffixes():
    assert SUPPORTED_SUFFIXES == (".txt", ".text", ".md", ".markdown", ".html", ".htm")


# --- read_document ---------------------------------------------------------------------------------


def test_read_document_parses_the_file(tmp_path):
    data = "Заголовок 🇺🇦\r\nhttps://www.kyivledger.example/a\r\n\r\nТекст.\r\n".encode("utf-8")
    path = tmp_path / "story.TXT"
    path.write_bytes(data)
    doc = read_document(path)
    assert doc.title == "Заголовок 🇺🇦"
    assert doc.text == "Заголовок 🇺🇦\nhttps://www.kyivledger.example/a\n\nТекст.\n"
    assert doc.original == data
    assert doc.sha256 == hashlib.sha256(data).hexdigest()
    assert doc.file_name == "story.TXT"
    assert doc.format == "text"
    assert doc.outlet == "kyivledger.example"


def test_read_document_unknown_suffix_is_sniffed(tmp_path):
    path = tmp_path / "saved"
    path.write_bytes(b"<!doctype html><html><body><p>Hi</p></body></html>")
    assert read_document(path).format == "html"


def test_read_document_errors_name_the_full_path(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(DocumentError) as caught:
        read_document(path)
    assert str(caught.value) == f"{path}: empty file"


def test_over_size_file_is_refused_without_reading(tmp_path, monkeypatch):
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 5000)

    def no_reading(*args, **kwargs):
        raise AssertionError("the file was opened")

    monkeypatch.setattr(os, "open", no_reading)
    monkeypatch.setattr(os, "read", no_reading)
    with pytest.raises(DocumentError) as caught:
        read_document(path, ImportOptions(max_bytes=1024))
    assert caught.value.name == str(path)
    assert caught.value.problem == "file is 4.9 KB, over the 1 KB limit (--max-size)"


def test_file_at_the_size_limit_is_read(tmp_path):
    path = write(tmp_path / "a.txt", "x" * 100)
    assert read_document(path, ImportOptions(max_bytes=100)).text == "x" * 100


def test_missing_file(tmp_path):
    with pytest.raises(DocumentError) as caught:
        read_document(tmp_path / "nope.txt")
    assert (caught.value.name, caught.value.problem) == (str(tmp_path / "nope.txt"), "no such file")


def test_directory_is_not_a_regular_file(tmp_path):
    with pytest.raises(DocumentError) as caught:
        read_document(tmp_path)
    assert caught.value.problem == "not a regular file"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(DocumentError) as caught:
        read_document(fifo)
    assert caught.value.problem == "not a regular file"


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="no /dev/null")
def test_device_is_refused():
    with pytest.raises(DocumentError) as caught:
        read_document(Path("/dev/null"))
    assert caught.value.problem == "not a regular file"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_unreadable_file(tmp_path):
    path = write(tmp_path / "secret.txt")
    path.chmod(0)
    try:
        if IS_ROOT:
            # root reads anything: the file imports; the refusal itself cannot be shown here.
            assert read_document(path).title == "Headline"
        else:
            with pytest.raises(DocumentError) as caught:
                read_document(path)
            assert caught.value.problem == "permission denied"
    finally:
        path.chmod(0o600)


def test_read_document_of_binary_file(tmp_path):
    path = tmp_path / "report.txt"
    path.write_bytes(b"%PDF-1.7\n...")
    with pytest.raises(DocumentError) as caught:
        read_document(path)
    assert str(caught.value) == f"{path}: binary file (PDF), not text"


def test_symlink_to_a_file_is_followed(tmp_path):
    target = write(tmp_path / "real.md", "# Linked\n")
    link = tmp_path / "link.md"
    link.symlink_to(target)
    doc = read_document(link)
    assert (doc.title, doc.file_name) == ("Linked", "link.md")


# --- find_importable ------------------------------------------------------------------------------


def test_folders_are_expanded_recursively_in_name_order(tmp_path):
    for name in ["b.txt", "A.md", "c.html", "sub/z.htm", "sub/a.TXT", "a-sub/x.markdown", "d.text",
                 "image.png", "notes.pdf", "README"]:
        write(tmp_path / name)
    # Case-insensitive name order, folders walked where they sort ("a-sub" < "A.md": "-" < ".").
    assert listed([tmp_path]) == [
        (str(tmp_path / "a-sub" / "x.markdown"), None),
        (str(tmp_path / "A.md"), None),
        (str(tmp_path / "b.txt"), None),
        (str(tmp_path / "c.html"), None),
        (str(tmp_path / "d.text"), None),
        (str(tmp_path / "image.png"), NOT_IMPORTABLE),  # skipped, in their place in the walk
        (str(tmp_path / "notes.pdf"), NOT_IMPORTABLE),
        (str(tmp_path / "README"), NOT_IMPORTABLE),
        (str(tmp_path / "sub" / "a.TXT"), None),
        (str(tmp_path / "sub" / "z.htm"), None),
    ]


def test_order_is_deterministic(tmp_path):
    for name in ["3.txt", "1.txt", "2/1.txt", "10.txt"]:
        write(tmp_path / name)
    assert listed([tmp_path]) == listed([tmp_path])


def test_hidden_files_and_folders_are_skipped(tmp_path):
    write(tmp_path / "visible.txt")
    write(tmp_path / ".hidden.txt")
    write(tmp_path / ".git" / "notes.txt")
    write(tmp_path / "sub" / ".cache" / "page.html")
    assert listed([tmp_path]) == [(str(tmp_path / "visible.txt"), None)]


def test_explicitly_named_hidden_file_is_kept(tmp_path):
    path = write(tmp_path / ".draft.md")
    assert listed([path]) == [(str(path), None)]


def test_explicit_files_keep_the_given_order(tmp_path):
    b, a = write(tmp_path / "b.txt"), write(tmp_path / "a.txt")
    assert listed([b, a]) == [(str(b), None), (str(a), None)]


def test_missing_path(tmp_path):
    missing = tmp_path / "nope"
    assert listed([missing]) == [(str(missing), "no such file or directory")]
    errors = [error for _, error in find_importable([missing])]
    assert str(errors[0]) == f"{missing}: no such file or directory"


def test_explicit_unsupported_file(tmp_path):
    path = write(tmp_path / "scan.PDF")
    assert listed([path]) == [(str(path), "unsupported file type '.PDF' (supported: .txt, .md, .html, .htm)")]
    bare = write(tmp_path / "README")
    assert listed([bare]) == [(str(bare), "unsupported file type (no file extension) (supported: .txt, .md, .html, .htm)")]


def test_folder_with_nothing_importable(tmp_path):
    write(tmp_path / "scan.pdf")
    write(tmp_path / ".hidden.txt")
    (tmp_path / "empty-sub").mkdir()
    # The folder still fails as having nothing importable; the file in it is reported as skipped.
    assert listed([tmp_path]) == [(str(tmp_path / "scan.pdf"), NOT_IMPORTABLE), (str(tmp_path), NOTHING_IMPORTABLE)]
    assert NOTHING_IMPORTABLE == "no importable files (.txt, .md, .html, .htm) in this folder"
    kinds = [type(error) for _, error in find_importable([tmp_path])]
    assert kinds == [Skipped, DocumentError]


def test_other_files_in_a_folder_are_skipped_and_hidden_ones_stay_silent(tmp_path):
    write(tmp_path / "a.txt")
    write(tmp_path / "b.pdf")
    write(tmp_path / ".hidden.pdf")
    write(tmp_path / ".DS_Store")
    write(tmp_path / ".git" / "config")
    write(tmp_path / "sub" / "c.jpg")
    found = list(find_importable([tmp_path]))
    assert [(path, error) for path, error in found if error is None] == [(tmp_path / "a.txt", None)]
    skipped = [(path, error) for path, error in found if error is not None]
    assert [path for path, _ in skipped] == [tmp_path / "b.pdf", tmp_path / "sub" / "c.jpg"]
    assert all(isinstance(error, Skipped) and isinstance(error, DocumentError) for _, error in skipped)
    assert str(skipped[0][1]) == f"{tmp_path / 'b.pdf'}: not a .txt, .md or .html file"


def test_a_file_named_on_its_own_with_another_type_still_fails(tmp_path):
    path = write(tmp_path / "photo.jpg")
    [(_, error)] = find_importable([path])
    assert type(error) is DocumentError and not isinstance(error, Skipped)


def test_a_skipped_file_reached_twice_is_listed_once(tmp_path):
    write(tmp_path / "a.txt")
    write(tmp_path / "sub" / "scan.pdf")
    (tmp_path / "also").symlink_to(tmp_path / "sub")
    listing = listed([tmp_path, tmp_path / "sub"])
    assert [path for path, problem in listing if problem == NOT_IMPORTABLE] == [str(tmp_path / "also" / "scan.pdf")]


def test_empty_folder(tmp_path):
    assert listed([tmp_path]) == [(str(tmp_path), NOTHING_IMPORTABLE)]


def test_mixed_arguments(tmp_path):
    folder = tmp_path / "folder"
    write(folder / "one.txt")
    single = write(tmp_path / "single.md")
    empty = tmp_path / "empty"
    empty.mkdir()
    missing = tmp_path / "missing.txt"
    assert listed([single, folder, empty, missing]) == [
        (str(single), None),
        (str(folder / "one.txt"), None),
        (str(empty), NOTHING_IMPORTABLE),
        (str(missing), "no such file or directory"),
    ]


def test_symlinks_to_files_are_followed_and_files_listed_once(tmp_path):
    target = write(tmp_path / "store" / "real.txt")
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "link.txt").symlink_to(target)
    assert listed([folder]) == [(str(folder / "link.txt"), None)]
    # The same file reached twice is listed once.
    assert listed([target, folder]) == [(str(target), None), (str(folder), NOTHING_IMPORTABLE)] or \
        listed([target, folder]) == [(str(target), None)]


def test_broken_symlink_in_a_folder(tmp_path):
    write(tmp_path / "ok.txt")
    (tmp_path / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    assert listed([tmp_path]) == [
        (str(tmp_path / "gone.txt"), "broken symbolic link"),
        (str(tmp_path / "ok.txt"), None),
    ]


def test_symlink_loop_does_not_hang(tmp_path):
    write(tmp_path / "a" / "story.txt")
    (tmp_path / "a" / "loop").symlink_to(tmp_path / "a")
    (tmp_path / "a" / "up").symlink_to(tmp_path)
    (tmp_path / "a" / "self.txt").symlink_to(tmp_path / "a" / "self.txt")  # ELOOP on open
    result = listed([tmp_path])
    assert (str(tmp_path / "a" / "story.txt"), None) in result
    assert len(result) <= 3


def test_symlinked_folder_is_followed(tmp_path):
    write(tmp_path / "real" / "x.txt")
    scan = tmp_path / "scan"
    scan.mkdir()
    (scan / "linked").symlink_to(tmp_path / "real")
    assert listed([scan]) == [(str(scan / "linked" / "x.txt"), None)]


def test_found_files_can_all_be_read(tmp_path):
    write(tmp_path / "a.txt", "Headline A\n\nBody.\n")
    write(tmp_path / "b.md", "# Headline B\n")
    write(tmp_path / "c.html", "<html><head><title>Headline C</title></head><body><p>x</p></body></html>")
    titles = [read_document(path).title for path, error in find_importable([tmp_path]) if error is None]
    assert titles == ["Headline A", "Headline B", "Headline C"]


def test_find_importable_is_lazy(tmp_path):
    write(tmp_path / "a.txt")
    iterator = find_importable([tmp_path])
    assert next(iterator) == (tmp_path / "a.txt", None)


SAMPLES = Path(__file__).resolve().parent.parent / "sample_data" / "articles"


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="no sample articles")
def test_sample_articles_all_import():
    found = list(find_importable([SAMPLES]))
    assert found and all(error is None for _, error in found)
    for path, _ in found:
        doc = read_document(path)
        assert doc.title and doc.title != path.stem.replace("-", " ")  # a headline was found
        assert doc.url and doc.url.startswith("https://")
        assert doc.outlet
        assert doc.published.precision in ("day", "month", "year", "none")
