"""Showing text from sources inertly.

Articles come from hostile sites. Before any of their text reaches a terminal, control characters
(ESC starts CSI/OSC sequences that can retitle windows, plant links or hide text) are replaced by
visible symbols. Rich markup is never interpreted either: callers put source text into
``rich.text.Text`` objects, not markup strings.

The bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) are shown as
``⇆`` too: a terminal that implements the Unicode bidirectional algorithm would otherwise show a
passage in another order than it is stored ("Trojan source"), so a quote could read as saying
something else. The zero-width direction marks (LRM U+200E, RLM U+200F, ALM U+061C) are kept:
right-to-left text uses them legitimately around numbers and punctuation, and they cannot reverse a
run of letters.

Every replacement is one character for one: the shown text has the stored text's length, so
offsets (excerpts, the reader's cursor) line up. Only what is shown changes, never what is stored.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rich.color import Color, ColorParseError

# C0 controls except tab and newline, DEL, C1 controls (0x80-0x9f: CSI is 0x9b on its own), and
# the bidirectional embeddings, overrides and isolates.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

BIDI_SYMBOL = "\u21c6"  # ⇆ (one cell wide everywhere: East Asian width "neutral")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode "control pictures" block: ESC shows as ␛
    if code == 0x7F:
        return "\u2421"  # ␡
    if code >= 0x2000:
        return BIDI_SYMBOL
    return "\ufffd"


def inert(text: str) -> str:
    """Return ``text`` with every control character (but tab and newline) made visible, same length."""
    return _CONTROL.sub(_visible, text)


def inert_line(text: str) -> str:
    """Return ``text`` on one line: inert, with newlines and tabs shown as spaces (same length)."""
    return inert(text.replace("\r", " ").replace("\n", " ").replace("\t", " "))


@lru_cache(maxsize=256)
def colour_or(colour: str | None, default: str) -> str:
    """``colour`` if it is one a terminal can show (``#rrggbb``, a colour name), else ``default``.

    Colours come from the case file, which another tool may have written: a bad one must not crash
    a screen that draws it.
    """
    if not colour or not colour.strip():
        return default
    try:
        Color.parse(colour)
    except ColorParseError:
        return default
    return colour


def clip(text: str, width: int) -> str:
    """One line of ``text`` (inert) cut to ``width`` characters with an ellipsis."""
    line = inert_line(text)
    return line if len(line) <= width else line[: max(width - 1, 0)].rstrip() + "…"
