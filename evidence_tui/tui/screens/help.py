"""The help screen: every key of the screen it was opened from, with what it does."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static
from rich.table import Table
from rich.text import Text


def screen_keys(screen: Screen) -> list[tuple[str, str, str]]:
    """Return (key, description, tooltip) for every binding active on ``screen``, app's included."""
    rows: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if binding.system or not binding.description or key in seen:
            continue
        seen.add(key)
        rows.append((screen.app.get_key_display(binding), binding.description, binding.tooltip))
    return rows


class HelpScreen(ModalScreen[None]):
    """Lists every key of the screen below; any of escape, q or ? closes it."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="help.close", tooltip="Close the help")]

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self.for_screen = screen

    def compose(self) -> ComposeResult:
        """Build the table of keys."""
        table = Table("key", "action", "what it does", box=None, expand=True, pad_edge=False)
        for key, description, tooltip in screen_keys(self.for_screen):
            table.add_row(Text(key, style="bold"), Text(description), Text(tooltip, style="dim"))
        name = getattr(self.for_screen, "TITLE_TEXT", type(self.for_screen).__name__.removesuffix("Screen"))
        with VerticalScroll(id="help-body"):
            yield Static(Text(f"Keys on the {name} screen", style="bold"), id="help-title")
            yield Static(table, id="help-table")
            yield Static(Text("ctrl+p opens the command palette with every action.  escape closes this help.", style="dim"))

    def action_dismiss(self) -> None:  # type: ignore[override]
        """Close the help."""
        self.dismiss(None)
