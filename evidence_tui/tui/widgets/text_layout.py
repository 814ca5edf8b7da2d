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
_LAST_NONSPACE = re.compile(r".*\S", re.S)  # match(): up to the last non-space before endpos
_LAST_SPACE = re.compile(r".*\s", re.S)  # match(): up to the last space before endpos
_WORD_START = re.compile(r"(?<=\s)\S")  # search(): where the next chunk starts
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
        elif paragraph.isascii():
            _wrap_ascii(paragraph, start, width, lines)
        else:
            _wrap_words(paragraph, start, width, lines)
        position = end + 1
    return lines


def _wrap_words(paragraph: str, start: int, width: int, lines: list[tuple[int, int]]) -> None:
    # Any paragraph, a word at a time (wide characters take two cells, some none).
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
    lines.append((line_start, start + len(paragraph)))


def _wrap_ascii(paragraph: str, start: int, width: int, lines: list[tuple[int, int]]) -> None:
    # The lines wrap() makes of a paragraph where every character is one cell, found a line at a
    # time (a 1 MB source: 0.6 s -> about 0.05 s) instead of a word at a time. Where a line starts
    # (``line``), the words that end within ``width`` fit; the word holding the first cell past the
    # edge decides: its trailing spaces may hang past the edge; else it starts the next line; a
    # word longer than a line is cut every ``width`` characters. tests/test_text_layout.py checks
    # this gives _wrap_words' lines on any ASCII text.
    n = len(paragraph)
    line = 0
    while n - line > width:
        edge = line + width  # the first character that does not fit
        # The chunk (a word and its trailing spaces, as _CHUNK cuts them) holding ``edge``; it
        # starts at or after ``line`` (a line starts at a chunk, or inside a cut word that ends
        # before ``edge``). Regexes bounded by pos/endpos keep each search within about a line.
        last_word_char = _LAST_NONSPACE.match(paragraph, line, edge + 1)
        if last_word_char is None:  # only the spaces a paragraph may start with
            chunk_start = line
        else:
            space = _LAST_SPACE.match(paragraph, line, last_word_char.end() - 1)
            chunk_start = line if space is None else space.end()
        next_word = _WORD_START.search(paragraph, edge + 1)
        chunk_end = n if next_word is None else next_word.start()
        visible_end = chunk_start + len(paragraph[chunk_start:chunk_end].rstrip())
        if visible_end - line <= width:  # fits but for its trailing spaces: they hang
            lines.append((start + line, start + chunk_end))
            line = chunk_end
            continue
        if chunk_start > line:
            lines.append((start + line, start + chunk_start))
            line = chunk_start
        while chunk_end - line > width:  # a word longer than a line
            lines.append((start + line, start + line + width))
            line += width
    lines.append((start + line, start + n))


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
