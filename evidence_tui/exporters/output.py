"""Opening export files: created readable by the owner only (exports hold sensitive evidence)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TextIO

from evidence_tui.errors import EvidenceError


def open_private(path: str | os.PathLike) -> TextIO:
    """Open ``path`` for writing text (UTF-8, no newline translation), mode 0600."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        # An existing file keeps its old mode through O_TRUNC: tighten it too.
        os.fchmod(fd, 0o600)
    except OSError as error:
        raise EvidenceError(f"{path}: cannot write the export ({(error.strerror or str(error)).lower()})") from None
    return os.fdopen(fd, "w", encoding="utf-8", newline="")
