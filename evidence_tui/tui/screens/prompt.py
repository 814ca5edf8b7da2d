"""Small modal dialogs: a one-line or multi-line text prompt, and a yes/no question."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, TextArea


class TextPrompt(ModalScreen[str | None]):
    """Ask for a line of text (Enter saves) or, with ``multiline``, a note (ctrl+s saves)."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="prompt.cancel", tooltip="Close without saving"),
        Binding("ctrl+s", "save", "Save", id="prompt.save", tooltip="Save and close"),
    ]

    def __init__(self, title: str, value: str = "", *, multiline: bool = False, placeholder: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.multiline = multiline
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        """The title and the editor."""
        with Vertical(id="prompt"):
            yield Label(self.title_text, id="prompt-title")
            if self.multiline:
                yield TextArea(self.value, id="prompt-area", soft_wrap=True)
                yield Label("ctrl+s save · escape cancel", classes="dim")
            else:
                yield Input(self.value, placeholder=self.placeholder, id="prompt-input")

    def on_mount(self) -> None:
        """Focus the editor."""
        (self.query_one(TextArea) if self.multiline else self.query_one(Input)).focus()

    @on(Input.Submitted, "#prompt-input")
    def _submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        """Close, returning the text."""
        widget = self.query_one(TextArea).text if self.multiline else self.query_one(Input).value
        self.dismiss(widget)

    def action_cancel(self) -> None:
        """Close, returning None."""
        self.dismiss(None)


class ConfirmScreen(ModalScreen[bool]):
    """Ask a yes/no question: y or Enter says yes, n or escape says no."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes", tooltip="Yes, go ahead"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no", tooltip="No, leave it"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        """The question and two buttons."""
        with Vertical(id="confirm"):
            yield Label(self.question, id="confirm-question")
            with Horizontal(id="confirm-buttons"):
                yield Button("Yes (y)", id="yes", variant="error")
                yield Button("No (n)", id="no")

    def on_mount(self) -> None:
        """Focus "No": Enter should not destroy anything by accident."""
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        """Close with the answer."""
        self.dismiss(yes)
