"""The Claims screen (being built: see issue 3)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from evidence_tui.tui.screens.base import EvidenceScreen, Footer


class ClaimsScreen(EvidenceScreen):
    """Claims of the case file."""

    TITLE_TEXT = "Claims"

    def compose(self) -> ComposeResult:
        """Header, body, footer."""
        yield from self.compose_frame()
        yield Static("Claims", id="claims-body")
        yield Footer()
