"""textsafety: what a source's text may not do to the terminal, and what showing it inertly keeps."""

from __future__ import annotations

import pytest

from evidence_tui.textsafety import BIDI_SYMBOL, inert, inert_line

# The explicit embeddings, overrides and isolates: they reorder whole runs of text in a terminal that
# implements the bidirectional algorithm ("Trojan source", CVE-2021-42574).
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


@pytest.mark.parametrize("control", list(BIDI_CONTROLS))
def test_bidi_controls_are_shown_as_a_visible_symbol(control):
    assert inert(f"a{control}b") == f"a{BIDI_SYMBOL}b"
    assert inert_line(f"a{control}\nb") == f"a{BIDI_SYMBOL} b"


def test_a_trojan_source_line_shows_in_its_stored_order():
    # Stored: the comment closes before the "; text after it would look like code in a bidi terminal.
    stored = 'access_level = "user\u202e \u2066// Check if admin\u2069 \u2066"'
    shown = inert_line(stored)
    assert not set(BIDI_CONTROLS) & set(shown)
    assert shown == f'access_level = "user{BIDI_SYMBOL} {BIDI_SYMBOL}// Check if admin{BIDI_SYMBOL} {BIDI_SYMBOL}"'


def test_direction_marks_in_right_to_left_text_are_kept():
    # LRM, RLM and the Arabic letter mark are zero-width marks that legitimate Arabic, Persian and
    # Hebrew text uses around numbers and punctuation; they cannot reverse a run of letters.
    arabic = "قال \u200fالمتحدث\u200e 2024\u061c."
    assert inert(arabic) == arabic


def test_every_character_keeps_its_place():
    # The reader maps offsets into the stored text onto the shown text: one character for one.
    every = "".join(chr(c) for c in range(0x3000) if not 0xD800 <= c <= 0xDFFF)
    assert len(inert(every)) == len(every)
    assert len(inert_line(every)) == len(every)
    for index, (stored, shown) in enumerate(zip(every, inert(every))):
        if stored != shown:
            assert not stored.isprintable(), (index, stored)


def test_controls_are_still_made_visible():
    assert inert("\x1b[31mred\x07\x9b1m\x7f") == "␛[31mred␇\ufffd1m␡"
    assert inert("tab\tand\nnewline") == "tab\tand\nnewline"
