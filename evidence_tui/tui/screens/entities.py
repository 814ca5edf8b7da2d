"""The Entities screen (being built: see issue 3)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from evidence_tui.tui.screens.base import EvidenceScreen, Footer


class EntitiesScreen(EvidenceScreen):
    """Entities of the case file."""

    TITLE_TEXT = "Entities"

    def compose(self) -> ComposeResult:
        """Header, body, footer."""
        yield from self.compose_frame()
        yield Static("Entities", id="entities-body")
        yield Footer()
