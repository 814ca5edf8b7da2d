"""Files and folders: read one document safely, and list the importable files under some paths."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Iterable, Iterator

from evidence_tui.errors import DocumentError
from evidence_tui.importers.document import (
    SUPPORTED_SUFFIXES,
    ImportOptions,
    ParsedDocument,
    parse_named,
    too_large_problem,
)

_SUPPORTED_SHORT = ".txt, .md, .html, .htm"  # the aliases .text and .markdown need no advertising
NOTHING_IMPORTABLE = f"no importable files ({_SUPPORTED_SHORT}) in this folder"
NOT_IMPORTABLE = "not a .txt, .md or .html file"


class Skipped(DocumentError):
    """A file of another type found inside a folder: left out of the import and reported, not a failure.

    (A file of another type named on its own is a failure: ``DocumentError``.)
    """


def display_name(path: os.PathLike | str) -> str:
    """A path as text that can be stored and printed: bytes that are not UTF-8 in a file name
    (kept by Python as lone surrogates, which SQLite and terminals refuse) become U+FFFD."""
    text = os.fspath(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return text


def _os_problem(error: OSError) -> str:
    """A plain-words problem for an OS error."""
    if isinstance(error, PermissionError) or error.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if isinstance(error, (FileNotFoundError, NotADirectoryError)) or error.errno in (errno.ENOENT, errno.ENOTDIR):
        return "no such file"
    if isinstance(error, IsADirectoryError):
        return "not a regular file"
    if error.errno == errno.ELOOP:
        return "too many levels of symbolic links"
    return (error.strerror or str(error)).lower()


def read_document(path: Path, options: ImportOptions = ImportOptions()) -> ParsedDocument:
    """Read and parse the file at ``path``; raise ``DocumentError(display_name(path), ...)`` if it cannot be.

    The size is checked before reading, so an over-size file is refused without loading it; FIFOs,
    devices and folders are refused before opening (opening a FIFO would block).
    """
    if not isinstance(path, Path):
        path = Path(path)  # (a Path given is used as is: building it again parses it again)
    name = display_name(path)
    try:
        info = os.stat(path)
    except OSError as error:
        raise DocumentError(name, _os_problem(error)) from None
    if not stat.S_ISREG(info.st_mode):
        raise DocumentError(name, "not a regular file")
    if info.st_size > options.max_bytes:
        raise DocumentError(name, too_large_problem(info.st_size, options.max_bytes))
    # O_NONBLOCK: if the path was swapped for a FIFO since the stat, opening must not hang.
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as error:
        raise DocumentError(name, _os_problem(error)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise DocumentError(name, "not a regular file")
        if info.st_size > options.max_bytes:
            raise DocumentError(name, too_large_problem(info.st_size, options.max_bytes))
        chunks = []
        remaining = options.max_bytes + 1  # a file growing while read is still caught
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    except OSError as error:
        raise DocumentError(name, _os_problem(error)) from None
    finally:
        os.close(fd)
    return parse_named(b"".join(chunks), name, display_name(path.name), options)


def is_supported(path: Path) -> bool:
    """True if the file name has a supported suffix (case-insensitive)."""
    return path.suffix.lower() in SUPPORTED_SUFFIXES


def _unsupported(path: Path) -> DocumentError:
    kind = f"'{path.suffix}'" if path.suffix else "(no file extension)"
    return DocumentError(display_name(path), f"unsupported file type {kind} (supported: {_SUPPORTED_SHORT})")


def _sort_key(entry: os.DirEntry) -> tuple[str, str]:
    return entry.name.casefold(), entry.name


def _entries(folder: Path, seen_dirs: set[str]) -> tuple[list[os.DirEntry] | OSError | None, str]:
    """The sorted entries of ``folder`` and its real path; None if it was already walked (a symlink loop)."""
    real = os.path.realpath(folder)
    if real in seen_dirs:
        return None, real
    seen_dirs.add(real)
    try:
        with os.scandir(folder) as scan:
            return sorted(scan, key=_sort_key), real
    except OSError as error:
        return error, real


def _walk(folder: Path, seen_dirs: set[str]) -> Iterator[tuple[Path, DocumentError | None, str | None]]:
    """Yield the supported files under ``folder`` depth-first in name order (files and folders
    interleaved), never entering a folder twice: symlink loops end. Other files come with a
    ``Skipped``; hidden names are passed over silently.

    Each file comes with its real path when that is known without asking the file system (an
    entry that is not a symlink, in a folder whose real path is known), else None.
    """
    first, real_folder = _entries(folder, seen_dirs)
    if isinstance(first, OSError):
        yield folder, DocumentError(display_name(folder), _os_problem(first)), None
        return
    # A stack of (folder, its real path, iterator over its entries) instead of recursion: trees can be deep.
    stack = [(folder, real_folder, iter(first or []))]
    while stack:
        current, real_current, entries = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
            continue
        if entry.name.startswith("."):
            continue  # hidden files and folders (.git, .DS_Store, editor backups)
        path = current / entry.name
        try:
            is_dir = entry.is_dir()  # follows symlinks
            is_file = not is_dir and entry.is_file()
        except OSError:
            is_dir = is_file = False
        if is_dir:
            listing, real = _entries(path, seen_dirs)
            if isinstance(listing, OSError):
                yield path, DocumentError(display_name(path), _os_problem(listing)), None
            elif listing:
                stack.append((path, real, iter(listing)))
        elif is_supported(path):
            if is_file:
                yield path, None, _real_path(entry, real_current)
            elif entry.is_symlink() and not os.path.exists(path):
                yield path, DocumentError(display_name(path), "broken symbolic link"), None
        elif is_file:
            yield path, Skipped(display_name(path), NOT_IMPORTABLE), _real_path(entry, real_current)


def _real_path(entry: os.DirEntry, real_folder: str) -> str | None:
    """The real path of a folder entry if known without asking the file system, else None."""
    # realpath() costs an lstat per path component; a plain entry's is its folder's plus its name.
    try:
        plain = not entry.is_symlink()
    except OSError:
        plain = False
    return os.path.join(real_folder, entry.name) if plain else None


def find_importable(paths: Iterable[Path]) -> Iterator[tuple[Path, DocumentError | None]]:
    """Expand files and folders into ``(file, None)`` for each importable file, in a stable order.

    Folders are searched recursively (hidden names passed over silently, symlinks followed without
    looping); problems come out as ``(path, DocumentError)``: a missing path, an explicitly named
    file of an unsupported type, a folder with nothing importable. A file of another type inside a
    folder comes out as ``(path, Skipped)`` (a ``DocumentError`` too). Each file is listed once.
    """
    seen_files: set[str] = set()
    seen_skipped: set[str] = set()
    for path in paths:
        path = Path(path)
        if not os.path.exists(path):
            yield path, DocumentError(display_name(path), "no such file or directory")
            continue
        if path.is_dir():
            found = False
            for item, error, real in _walk(path, set()):
                if isinstance(error, Skipped):
                    real = real or os.path.realpath(item)
                    if real in seen_skipped:
                        continue
                    seen_skipped.add(real)
                elif error is None:
                    real = real or os.path.realpath(item)
                    if real in seen_files:
                        found = True
                        continue
                    seen_files.add(real)
                found = found or error is None
                yield item, error
            if not found:
                yield path, DocumentError(display_name(path), NOTHING_IMPORTABLE)
            continue
        if not is_supported(path):
            yield path, _unsupported(path)
            continue
        real = os.path.realpath(path)
        if real not in seen_files:
            seen_files.add(real)
            yield path, None
