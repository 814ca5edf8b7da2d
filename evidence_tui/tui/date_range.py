"""Asking for a publication date range (Search and Excerpts: D), as people type it.

``2024``, ``2024-03..2024-06``, ``..2023``; empty means any date. A range that is not one
(a typo, an end before the start) says why and asks again with what was typed, so nothing
typed is lost.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.screen import Screen

from evidence_tui.domain.search import parse_dates
from evidence_tui.errors import EvidenceError
from evidence_tui.textsafety import inert_line
from evidence_tui.tui.screens.prompt import TextPrompt

PROMPT = "Published (2024 · 2024-03..2024-06 · ..2023 · empty: any date)"


def range_text(date_from: str | None, date_to: str | None) -> str:
    """The range as the prompt shows it: "2024", "2024-03..2024-06", "..2023" or ""."""
    if date_from == date_to:
        return date_from or ""
    return f"{date_from or ''}..{date_to or ''}"


def ask_date_range(screen: Screen, date_from: str | None, date_to: str | None,
                   then: Callable[[str | None, str | None], object], *, typed: str | None = None) -> None:
    """Ask for a date range (prefilled with the current one) and call ``then(date_from, date_to)``
    with it; nothing when the prompt is cancelled."""

    def given(text: str | None) -> None:
        if text is None:
            return
        try:
            start, end = parse_dates(text)
        except EvidenceError as error:
            screen.notify(inert_line(str(error)), severity="error", markup=False)
            ask_date_range(screen, date_from, date_to, then, typed=text)  # again, with what was typed
            return
        then(start, end)

    value = range_text(date_from, date_to) if typed is None else typed
    screen.app.push_screen(TextPrompt(PROMPT, value, placeholder="FROM..TO"), given)
