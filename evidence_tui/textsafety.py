"""Showing text from sources inertly.

Articles come from hostile sites. Before any of their text reaches a terminal, control characters
(ESC starts CSI/OSC sequences that can retitle windows, plant links or hide text) are replaced by
visible symbols. Rich markup is never interpreted either: callers put source text into
``rich.text.Text`` objects, not markup strings.
"""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, and C1 controls (0x80-0x9f: CSI is 0x9b on its own).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode "control pictures" block: ESC shows as ␛
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"


def inert(text: str) -> str:
    """Return ``text`` with every control character (but tab and newline) made visible."""
    return _CONTROL.sub(_visible, text)


def inert_line(text: str) -> str:
    """Return ``text`` on one line: inert, with newlines and tabs shown as spaces."""
    return inert(text.replace("\r", " ").replace("\n", " ").replace("\t", " "))
