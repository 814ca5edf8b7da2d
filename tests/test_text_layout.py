"""Wrapping and cursor movement in the reader, independent of the UI."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from evidence_tui.tui.widgets import text_layout as tl

TEXT = (
    "Recruiters promised jobs. Men were sent to the front!\n"
    "\n"
    "A second paragraph starts here. It has two sentences.\n"
    "Третий абзац: мигранты получили повестки. 🙂 Done."
)


def test_wrap_keeps_offsets_and_width():
    lines = tl.wrap(TEXT, 20)
    # Lines cover the text in order, each within the width once trailing spaces are dropped.
    assert lines[0][0] == 0
    for start, end in lines:
        assert len(TEXT[start:end].rstrip()) <= 20
    joined = "".join(TEXT[s:e] for s, e in lines)
    assert joined.replace(" ", "") == TEXT.replace("\n", "").replace(" ", "")


def test_wrap_cuts_words_longer_than_a_line():
    lines = tl.wrap("x" * 25, 10)
    assert [e - s for s, e in lines] == [10, 10, 5]


def test_wide_characters_count_two_cells():
    lines = tl.wrap("界" * 10, 10)
    assert [e - s for s, e in lines] == [5, 5]


def test_offset_and_column_round_trip():
    layout = tl.Layout(TEXT, 30)
    for offset in (0, 5, 26, 60, len(TEXT) - 3):
        line = layout.line_of(offset)
        assert layout.offset_at(line, layout.column_of(offset)) == offset


def test_word_moves():
    assert tl.next_word(TEXT, 0) == TEXT.index("promised")
    assert tl.previous_word(TEXT, TEXT.index("promised")) == 0
    assert tl.word_end(TEXT, 0) == len("Recruiters")


def test_sentence_moves_and_bounds():
    second = TEXT.index("Men were")
    assert tl.next_sentence(TEXT, 0) == second
    assert tl.previous_sentence(TEXT, second + 5) == second
    assert tl.sentence_bounds(TEXT, second + 3) == (second, TEXT.index("front!") + len("front!"))
    cyrillic = TEXT.index("мигранты")
    start, end = tl.sentence_bounds(TEXT, cyrillic)
    assert TEXT[start:end] == "Третий абзац: мигранты получили повестки."


def test_paragraph_moves():
    second = TEXT.index("A second")
    assert tl.next_paragraph(TEXT, 0) == second
    assert tl.previous_paragraph(TEXT, second + 10) == second


def test_trim_span():
    assert tl.trim_span("  a b  ", 0, 7) == (2, 5)
    assert tl.trim_span("   ", 0, 3) == (3, 3)



TOKENS = st.sampled_from(["a", "b", " ", "\t", "\x1c", ".", "longword", "   ", "abcdefghijklmnopqrstuvwxyz0123456789"])


@given(paragraph=st.lists(TOKENS, min_size=1, max_size=60).map("".join),
       width=st.integers(min_value=4, max_value=30), start=st.integers(min_value=0, max_value=5))
@settings(max_examples=500, deadline=None)
def test_the_ascii_fast_path_wraps_as_the_word_loop(paragraph, width, start):
    fast, words = [], []
    tl._wrap_ascii(paragraph, start, width, fast)
    tl._wrap_words(paragraph, start, width, words)
    assert fast == words


def test_a_long_ascii_text_is_wrapped_by_the_fast_path():
    text = ("Recruiters promised jobs in Moscow, then the men were sent to the front. " * 40 + "\n") * 3
    assert tl.wrap(text, 37) == _words_everywhere(text, 37)


def _words_everywhere(text: str, width: int) -> list[tuple[int, int]]:
    lines, position = [], 0
    for paragraph in text.split("\n"):
        if not paragraph or len(paragraph) <= width:
            lines.append((position, position + len(paragraph)))
        else:
            tl._wrap_words(paragraph, position, width, lines)
        position += len(paragraph) + 1
    return lines
