"""Unlocking an encrypted case file: a passphrase dialog shown before the app opens.

``ask_passphrase(path)`` runs a small app holding one modal, ``PassphraseScreen``: the passphrase
is typed into a password field (shown as dots), checked off the UI thread, and returned once it
opens the file. A wrong one says so and asks again; Escape quits without opening anything.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label

from evidence_tui.errors import EvidenceError
from evidence_tui.store import crypto
from evidence_tui.textsafety import inert_line


class PassphraseScreen(ModalScreen[str | None]):
    """Ask for the passphrase of an encrypted case file until it opens it (Escape: None)."""

    CSS_PATH = "passphrase.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Quit", id="passphrase.cancel", tooltip="Quit without opening the case file"),
    ]

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self.checking = False

    def compose(self) -> ComposeResult:
        """The file's name, the password field and a line for messages."""
        with Vertical(id="passphrase"):
            yield Label("Encrypted case file", id="passphrase-title")
            yield Label(Text(inert_line(str(self.path))), id="passphrase-path")
            yield Input(password=True, placeholder="passphrase", id="passphrase-input")
            yield Label(Text("Enter unlocks · Escape quits"), id="passphrase-message")
        yield Footer()

    def on_mount(self) -> None:
        """Focus the password field."""
        self.query_one(Input).focus()

    @on(Input.Submitted, "#passphrase-input")
    def _submitted(self, event: Input.Submitted) -> None:
        if self.checking or not event.value:
            return
        self.checking = True
        event.input.disabled = True
        self._say("Unlocking…", error=False)
        self._check(event.value)

    @work(thread=True, exclusive=True, group="unlock")
    def _check(self, passphrase: str) -> None:
        # Worker thread: opens and closes its own connection; results go back via call_from_thread.
        try:
            crypto.check_passphrase(self.path, passphrase)
        except crypto.WrongPassphrase:
            self.app.call_from_thread(self._refused, "Wrong passphrase; try again (Escape quits)")
        except EvidenceError as error:
            self.app.call_from_thread(self._refused, inert_line(str(error)))
        else:
            self.app.call_from_thread(self.dismiss, passphrase)

    def _refused(self, message: str) -> None:
        self.checking = False
        field = self.query_one(Input)
        field.value = ""
        field.disabled = False
        field.focus()
        self._say(message, error=True)

    def _say(self, message: str, *, error: bool) -> None:
        label = self.query_one("#passphrase-message", Label)
        label.update(Text(message))
        label.set_class(error, "error")

    def action_cancel(self) -> None:
        """Quit without opening the case file."""
        self.dismiss(None)


class PassphraseApp(App[str | None]):
    """The small app that shows ``PassphraseScreen`` before the main app starts."""

    TITLE = "evidence-tui"

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def on_mount(self) -> None:
        """Show the dialog; its answer is the app's return value."""
        self.push_screen(PassphraseScreen(self.path), callback=self.exit)


def ask_passphrase(path: Path) -> str | None:
    """Ask for ``path``'s passphrase in a dialog; the passphrase once it opens the file, or None."""
    return PassphraseApp(path).run()
