"""Turn saved articles (text, Markdown, HTML bytes) into text plus metadata; no database, no UI.

``parse_document`` works on bytes, ``read_document`` on a path, ``find_importable`` expands the
paths a user gives into files. Every refusal is a ``DocumentError`` naming the file and the problem.
"""

from evidence_tui.importers.dates import PublicationDate, find_date, parse_date
from evidence_tui.importers.document import SUPPORTED_SUFFIXES, ImportOptions, ParsedDocument, parse_document
from evidence_tui.importers.files import find_importable, read_document

__all__ = [
    "SUPPORTED_SUFFIXES",
    "ImportOptions",
    "ParsedDocument",
    "PublicationDate",
    "find_date",
    "find_importable",
    "parse_date",
    "parse_document",
    "read_document",
]
