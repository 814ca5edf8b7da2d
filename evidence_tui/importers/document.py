"""The parsed document and ``parse_document``: bytes in, text and metadata out."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from evidence_tui.errors import DocumentError
from evidence_tui.importers.dates import NO_DATE, PublicationDate, parse_date
from evidence_tui.importers.decoding import decode, html_declared_charset
from evidence_tui.importers.html import extract_html, strip_outlet_from_title
from evidence_tui.importers.plaintext import extract_text_metadata, host_of, title_from_file_name, title_from_line

DEFAULT_MAX_BYTES = 20 * 1024 * 1024

_FORMATS = {
    ".txt": "text", ".text": "text",
    ".md": "markdown", ".markdown": "markdown",
    ".html": "html", ".htm": "html",
}
SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(_FORMATS)


@dataclass(frozen=True)
class ImportOptions:
    """What the user tells the importer; every field overrides what the document says."""

    dayfirst: bool | None = None  # None: numeric dates like 07/12/2023 read day first; True/False force it
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    date: str | None = None  # a raw date string to parse instead of the detected one
    max_bytes: int = DEFAULT_MAX_BYTES


@dataclass(frozen=True)
class ParsedDocument:
    """A decoded document and its metadata, ready to store. Excerpts are offsets into ``text``."""

    text: str
    original: bytes
    sha256: str
    format: str  # "text" | "markdown" | "html"
    encoding: str
    title: str
    outlet: str | None
    author: str | None
    url: str | None
    published: PublicationDate
    language: str | None
    file_name: str | None


def format_size(size: int) -> str:
    """A file size for messages: "312 bytes", "4.2 KB", "25.3 MB" (binary units)."""
    if size < 1024:
        return f"{size} byte" + ("" if size == 1 else "s")
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB".replace(".0 KB", " KB")
    return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")


def too_large_problem(size: int, limit: int) -> str:
    """The message for a file over the size limit."""
    shown = format_size(size)
    if shown == format_size(limit):
        shown = f"{size:,} bytes"  # "20 MB, over the 20 MB limit" would read as a contradiction
    return f"file is {shown}, over the {format_size(limit)} limit (--max-size)"


def format_for(file_name: str | None) -> str | None:
    """The format a file name's suffix stands for (case-insensitive), or None if unknown."""
    if not file_name:
        return None
    match = re.search(r"(\.[^./\\]+)$", file_name)
    return _FORMATS.get(match.group(1).lower()) if match else None


def _sniff_format(text: str) -> str:
    # Only a page that says it is HTML is read as HTML: a note mentioning <p> stays text.
    head = text.lstrip("\ufeff \t\n\r\f\v")[:64].lower()
    return "html" if head.startswith(("<!doctype", "<html")) else "text"


def parse_document(data: bytes, file_name: str | None, options: ImportOptions = ImportOptions()) -> ParsedDocument:
    """Decode ``data`` and extract its text and metadata; raise ``DocumentError`` if it is not importable.

    ``file_name`` picks the format by suffix (.txt/.text, .md/.markdown, .html/.htm); without a
    known suffix (stdin: None or "-") a document starting with ``<!doctype``/``<html`` is HTML,
    anything else text.
    """
    return parse_named(data, file_name or "<stdin>", file_name, options)


def parse_named(data: bytes, display_name: str, file_name: str | None, options: ImportOptions) -> ParsedDocument:
    """``parse_document`` naming errors ``display_name`` (a full path) while storing ``file_name``."""
    if len(data) > options.max_bytes:
        raise DocumentError(display_name, too_large_problem(len(data), options.max_bytes))
    fmt = format_for(file_name)
    declared = html_declared_charset(data) if fmt in ("html", None) else None
    text, encoding = decode(data, display_name, declared=declared)
    if fmt is None:
        fmt = _sniff_format(text)

    dayfirst = options.dayfirst
    if fmt == "html":
        page = extract_html(text, dayfirst)
        if not page.text.strip():
            raise DocumentError(display_name, "no readable text in this HTML page")
        text = page.text
        title, outlet, author, url, published, language = (
            page.title, page.outlet, page.author, page.url, page.published, page.language,
        )
    else:
        meta = extract_text_metadata(text, fmt == "markdown", dayfirst)
        title, outlet, author, url, published, language = (
            meta.title, meta.outlet, meta.author, meta.url, meta.published, meta.language,
        )

    url = _clean_option(options.url) or url
    # One spelling per outlet, whitespace collapsed: corroboration counts distinct outlets, and
    # "Le  Monde" must not be a second one beside "Le Monde".
    outlet = " ".join((_clean_option(options.outlet) or outlet or host_of(url) or "").split()) or None
    if options.title and options.title.strip():
        title = options.title.strip()
    elif title and fmt != "html" and outlet:
        title = strip_outlet_from_title(title, outlet)
    if not title and file_name in (None, "-"):
        title = title_from_line(text.strip().split("\n", 1)[0])  # stdin has no name to fall back on
    if not title:
        title = title_from_file_name(file_name)
    if options.date is not None and options.date.strip():
        raw = options.date.strip()
        # A date the user typed is kept even when it is not a calendar date ("early June").
        published = parse_date(raw, dayfirst) or PublicationDate(None, raw, "none")

    return ParsedDocument(
        text=text,
        original=data,
        sha256=hashlib.sha256(data).hexdigest(),
        format=fmt,
        encoding=encoding,
        title=title,
        outlet=outlet,
        author=author,
        url=url,
        published=published or NO_DATE,
        language=language,
        file_name=file_name,
    )


def _clean_option(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None
