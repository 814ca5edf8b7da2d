"""Errors the user can act on.

Every error raised on purpose by the core is an ``EvidenceError``: its ``str()`` is one line that
names the file or record and the problem. The CLI prints it and exits non-zero; the TUI shows it as
a notification. Anything else reaching the top is a bug.
"""

from __future__ import annotations


class EvidenceError(Exception):
    """A problem the user caused or can fix; ``str(error)`` is a one-line message."""

    exit_code = 1


class CaseFileError(EvidenceError):
    """The case file cannot be opened or used (not SQLite, newer schema, locked, read-only...)."""


class DocumentError(EvidenceError):
    """A document could not be imported; names the file and the problem."""

    def __init__(self, name: str, problem: str) -> None:
        self.name = name
        self.problem = problem
        super().__init__(f"{name}: {problem}")


class NotFound(EvidenceError):
    """No record matches a reference (id prefix, title or name)."""


class Ambiguous(EvidenceError):
    """A reference matches more than one record."""


class Invalid(EvidenceError):
    """A value breaks a rule of the domain (empty name, duplicate hotkey, quote not in source...)."""
