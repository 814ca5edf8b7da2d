"""A one-line prompt that checks its answer before closing, showing the problem under the box.

Used by the Codebook and Entities screens for names and hotkeys: an empty or duplicate name is
explained in place (what was typed stays there to correct) instead of closing the dialog. The
check is a quick read on the UI thread; the domain function checks again when it writes.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.widgets import Input, Label

from evidence_tui.textsafety import inert_line
from evidence_tui.tui.screens.prompt import TextPrompt


DIALOG_WIDTH = 72  # the text width inside the app's dialogs (80 columns less border and padding)


def dialog_text(text: str, width: int = DIALOG_WIDTH) -> Text:
    """``text`` (made inert) as a ``Text`` broken into lines that fit a dialog.

    The shared dialogs show their title or question in a ``Label`` sized to its content, which
    cuts a long line at the dialog's edge instead of wrapping it; lines broken here show whole.
    """
    return Text(textwrap.fill(inert_line(text), width, break_long_words=True, break_on_hyphens=False))


class CheckedPrompt(TextPrompt):
    """Ask for a line of text; ``check(text)`` returns a problem to show, or None to accept it."""

    DEFAULT_CSS = """
    CheckedPrompt #prompt-error {
        color: $text-error;
        height: auto;
        margin-top: 1;
    }
    """

    def __init__(
        self,
        title: str | Text,
        value: str = "",
        *,
        check: Callable[[str], str | None],
        placeholder: str = "",
    ) -> None:
        super().__init__(title, value, placeholder=placeholder)  # type: ignore[arg-type]
        self.check = check

    def on_mount(self) -> None:
        """Add the (empty, hidden) problem line under the box, and focus the box."""
        super().on_mount()
        error = Label("", id="prompt-error")
        error.display = False
        self.query_one("#prompt").mount(error)

    @property
    def problem(self) -> str:
        """The problem shown under the box ("" when none)."""
        error = self.query_one("#prompt-error", Label)
        return str(error.content) if error.display else ""

    @on(Input.Changed, "#prompt-input")
    def _changed(self) -> None:
        self.query("#prompt-error").set(display=False)

    def action_save(self) -> None:
        """Close with the text if it passes the check; otherwise say what is wrong."""
        value = self.query_one("#prompt-input", Input).value
        problem = self.check(value)
        if problem:
            error = self.query_one("#prompt-error", Label)
            error.update(dialog_text(problem))
            error.display = True
            self.app.bell()
            return
        self.dismiss(value)
