"""Wrapping and cursor movement in the reader, independent of the UI."""

from __future__ import annotations

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
