"""Importing pasted text from the TUI: paste an article, say its outlet and URL if the text does
not, and it becomes a source like an imported file (same parsing, same metadata, same checks)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static, TextArea

from evidence_tui.domain import sources
from evidence_tui.domain.sources import ImportOutcome
from evidence_tui.errors import EvidenceError
from evidence_tui.importers import ImportOptions


class PasteDialog(ModalScreen[ImportOutcome | None]):
    """A text area to paste an article into; ctrl+s imports it and closes with its outcome."""

    CSS_PATH = "paste_dialog.tcss"
    BINDINGS = [
        Binding("ctrl+s", "import_text", "Import", id="paste.import", tooltip="Import the pasted text as a new source"),
        Binding("escape", "cancel", "Cancel", id="paste.cancel", tooltip="Close without importing"),
    ]

    def compose(self) -> ComposeResult:
        """The text area, the outlet and URL, a hint and the result line."""
        with Vertical(id="paste-dialog"):
            yield Label("Paste an article: its title, date and outlet are read from the text, as from a file",
                        id="paste-title")
            yield TextArea(id="paste-text", soft_wrap=True)
            with Horizontal(id="paste-fields"):
                yield Input(placeholder="outlet, if not in the text", id="paste-outlet")
                yield Input(placeholder="URL, if known", id="paste-url")
            yield Label("ctrl+s import · tab next field · escape cancel", classes="dim")
            yield Static(id="paste-result")

    def __init__(self) -> None:
        super().__init__()
        self._importing = False  # an import is on its way: keys wait for it (no double import or close)

    def on_mount(self) -> None:
        """Focus the text area, ready for the terminal's paste."""
        self.query_one(TextArea).focus()

    def action_import_text(self) -> None:
        """Import the pasted text (with the outlet and URL given) in the background."""
        if self._importing:
            return
        text = self.query_one(TextArea).text
        if not text.strip():
            self._say(Text("Paste the article's text first.", style="yellow"))
            return
        options = ImportOptions(outlet=self.query_one("#paste-outlet", Input).value.strip() or None,
                                url=self.query_one("#paste-url", Input).value.strip() or None)
        self._say(Text("Importing…"))
        self._importing = True
        self.app.db.submit(sources.import_text, text.encode("utf-8"), None, options,  # type: ignore[attr-defined]
                           then=self._imported, on_error=self._failed)

    def _imported(self, outcome: ImportOutcome) -> None:
        self._importing = False
        if self.is_current:
            self.dismiss(outcome)

    def _failed(self, error: EvidenceError) -> None:
        self._importing = False
        self._say(Text(str(error), style="red"))  # the text stays, to be fixed and imported again

    def _say(self, message: Text) -> None:
        self.query_one("#paste-result", Static).update(message)

    def action_cancel(self) -> None:
        """Close without importing (once an import has started, its outcome closes the dialog)."""
        if not self._importing:
            self.dismiss(None)
