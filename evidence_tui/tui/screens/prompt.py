"""Small modal dialogs: a one-line or multi-line text prompt, and a yes/no question.

Titles and questions given as strings are shown literally (never as markup): they often quote a
name or a statement from the case file. Pass a ``Text`` to style them.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, TextArea

from evidence_tui.tui.screens.picker import DIALOGS_CSS, title_text


class TextPrompt(ModalScreen[str | None]):
    """Ask for a line of text (Enter saves) or, with ``multiline``, a note (ctrl+s saves)."""

    CSS_PATH = DIALOGS_CSS

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="prompt.cancel", tooltip="Close without saving"),
        Binding("ctrl+s", "save", "Save", id="prompt.save", tooltip="Save and close"),
    ]

    def __init__(self, title: str | Text, value: str = "", *, multiline: bool = False, placeholder: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.multiline = multiline
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        """The title and the editor."""
        with Vertical(id="prompt"):
            yield Label(title_text(self.title_text), id="prompt-title", markup=False)
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
    """Ask a yes/no question, safe by default: y says yes; n, escape and Enter say no.

    "No" has the focus, so Enter never destroys anything by accident; to say yes with Enter, Tab
    to "Yes" first (a focused button takes Enter for itself).
    """

    CSS_PATH = DIALOGS_CSS
    BINDINGS = [
        Binding("y,Y", "answer(True)", "Yes", id="confirm.yes", tooltip="Yes, go ahead"),
        Binding("n,N,escape,enter", "answer(False)", "No", id="confirm.no", tooltip="No, leave it (Enter says no too)"),
    ]

    def __init__(self, question: str | Text) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        """The question and two buttons."""
        with Vertical(id="confirm"):
            yield Label(title_text(self.question), id="confirm-question", markup=False)
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
