"""Wrapping a source's text into screen lines, keeping every line's character offsets.

No UI here: the reader widget asks this for the lines it must draw. A line is ``(start, end)``,
offsets into the text (``end`` excludes the newline), so offsets, excerpts and the cursor map to
screen positions without copying the text.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache

from rich.cells import cell_len

_CHUNK = re.compile(r"\S+\s*|\s+")
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’»)\]]*\s+")


@lru_cache(maxsize=4096)
def _width(chunk: str) -> int:
    return len(chunk) if chunk.isascii() else cell_len(chunk)


def char_width(char: str) -> int:
    """Cells one character takes on screen (control characters are shown as one symbol)."""
    if char.isascii():
        return 1
    return max(cell_len(char), 1) if char.isprintable() else 1


def wrap(text: str, width: int) -> list[tuple[int, int]]:
    """Return the screen lines of ``text`` wrapped at word boundaries to ``width`` cells."""
    width = max(width, 4)
    lines: list[tuple[int, int]] = []
    position = 0
    for paragraph in text.split("\n"):
        start = position
        end = start + len(paragraph)
        if not paragraph or _width(paragraph) <= width:
            lines.append((start, end))
        else:
            line_start, used = start, 0
            for match in _CHUNK.finditer(paragraph):
                chunk_start = start + match.start()
                chunk = match.group()
                chunk_width = _width(chunk)
                if used + chunk_width <= width:
                    used += chunk_width
                    continue
                # Trailing spaces may hang past the edge; the word goes to the next line.
                visible = chunk.rstrip()
                if used + _width(visible) <= width:
                    lines.append((line_start, chunk_start + len(chunk)))
                    line_start, used = chunk_start + len(chunk), 0
                    continue
                if used:
                    lines.append((line_start, chunk_start))
                    line_start, used = chunk_start, 0
                # A word longer than the line: cut it by characters.
                offset = chunk_start
                for char in chunk:
                    w = char_width(char)
                    if used + w > width and used:
                        lines.append((line_start, offset))
                        line_start, used = offset, 0
                    used += w
                    offset += 1
            lines.append((line_start, end))
        position = end + 1
    return lines


class Layout:
    """The wrapped lines of a text at one width, with offset-to-line lookups."""

    def __init__(self, text: str, width: int) -> None:
        self.text = text
        self.width = width
        self.lines = wrap(text, width)
        self._starts = [start for start, _ in self.lines]

    def line_of(self, offset: int) -> int:
        """Return the index of the screen line holding ``offset``."""
        index = bisect.bisect_right(self._starts, offset) - 1
        return max(0, min(index, len(self.lines) - 1))

    def column_of(self, offset: int) -> int:
        """Return the screen column (cells) of ``offset`` within its line."""
        start, _ = self.lines[self.line_of(offset)]
        return sum(char_width(c) for c in self.text[start:offset])

    def offset_at(self, line: int, column: int) -> int:
        """Return the offset shown at a screen line and column (clamped to the line)."""
        line = max(0, min(line, len(self.lines) - 1))
        start, end = self.lines[line]
        used = 0
        for offset in range(start, end):
            w = char_width(self.text[offset])
            if used + w > column:
                return offset
            used += w
        return end


# -- moving the cursor by units of text ------------------------------------------------------

_WORD = re.compile(r"\w+", re.UNICODE)


def next_word(text: str, offset: int) -> int:
    """Return the start of the next word after ``offset`` (or the end of the text)."""
    match = _WORD.search(text, offset)
    if match and match.start() == offset:
        match = _WORD.search(text, match.end())
    return match.start() if match else len(text)


def previous_word(text: str, offset: int) -> int:
    """Return the start of the word before ``offset`` (or 0)."""
    starts = [m.start() for m in _WORD.finditer(text, max(0, offset - 200), offset)]
    if starts:
        return starts[-1]
    return 0 if offset - 200 <= 0 else previous_word(text, offset - 200)


def word_end(text: str, offset: int) -> int:
    """Return the end of the word at or after ``offset``."""
    match = _WORD.search(text, offset)
    return match.end() if match else len(text)


def next_sentence(text: str, offset: int) -> int:
    """Return the start of the next sentence (or paragraph) after ``offset``."""
    candidates = []
    match = _SENTENCE_END.search(text, offset)
    if match:
        candidates.append(match.end())
    newline = text.find("\n", offset)
    if newline != -1:
        after = newline
        while after < len(text) and text[after].isspace():
            after += 1
        candidates.append(after)
    found = min((c for c in candidates if c > offset), default=len(text))
    return min(found, len(text))


def previous_sentence(text: str, offset: int) -> int:
    """Return the start of the sentence holding ``offset``, or of the one before if already there."""
    window_start = max(0, offset - 5000)
    starts = [window_start if window_start == 0 else None]
    for match in _SENTENCE_END.finditer(text, window_start, max(offset, 0)):
        starts.append(match.end())
    for newline in (m.end() for m in re.finditer(r"\n\s*", text[window_start:offset])):
        starts.append(window_start + newline)
    starts = sorted(s for s in starts if s is not None and s < offset)
    return starts[-1] if starts else 0


def sentence_bounds(text: str, offset: int) -> tuple[int, int]:
    """Return the (start, end) of the sentence around ``offset``, without surrounding spaces."""
    start = offset if offset == 0 or _is_sentence_start(text, offset) else previous_sentence(text, offset)
    end = next_sentence(text, offset)
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _is_sentence_start(text: str, offset: int) -> bool:
    if offset >= len(text):
        return False
    before = text[max(0, offset - 10):offset]
    return bool(re.search(r"(^|[.!?…][\"'”’»)\]]*\s+|\n\s*)$", before)) and not text[offset].isspace()


def next_paragraph(text: str, offset: int) -> int:
    """Return the start of the next paragraph (after a blank line or newline)."""
    match = re.compile(r"\n\s*\n|\n").search(text, offset)
    if not match:
        return len(text)
    after = match.end()
    while after < len(text) and text[after] in " \t\n":
        after += 1
    return after


def previous_paragraph(text: str, offset: int) -> int:
    """Return the start of the paragraph holding ``offset``, or of the one before if already there."""
    window_start = max(0, offset - 20000)
    starts = [0] if window_start == 0 else []
    starts += [window_start + m.end() for m in re.finditer(r"\n[ \t\n]*", text[window_start:offset])]
    starts = [s for s in starts if s < offset]
    return starts[-1] if starts else 0


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink a span so it neither starts nor ends with white space."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
