"""Editing a source's metadata, with inline validation."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from evidence_tui.domain import sources
from evidence_tui.domain.models import Source
from evidence_tui.errors import EvidenceError

FIELDS = (("title", "Title"), ("outlet", "Outlet"), ("author", "Author"), ("date", "Published (as written, e.g. 15 June 2024)"),
          ("url", "URL"), ("reliability", "Reliability (A-F)"))


class SourceForm(ModalScreen[None]):
    """Fields for the source's metadata; ctrl+s (or Enter in the last field) saves."""

    CSS_PATH = "source_form.tcss"

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="source_form.cancel", tooltip="Close without saving"),
        Binding("ctrl+s", "save", "Save", id="source_form.save", tooltip="Save the metadata"),
    ]

    def __init__(self, source: Source) -> None:
        super().__init__()
        self.source = source
        self._saving = False  # a save is on its way: keys wait for it (no double save or close)

    def compose(self) -> ComposeResult:
        """One labelled input per field and a line for errors."""
        values = {
            "title": self.source.title, "outlet": self.source.outlet or "", "author": self.source.author or "",
            "date": self.source.published_raw or self.source.published or "", "url": self.source.url or "",
            "reliability": self.source.reliability or "",
        }
        # Scrolls in a small terminal: the field with the focus (and the error line) stays in view.
        with VerticalScroll(id="source-form"):
            yield Label(f"Source {self.source.short_id}", id="source-form-title")
            for key, label in FIELDS:
                yield Label(label, classes="field-label")
                # Compact boxes: the six fields, the error line and the keys fit a 24-row terminal.
                # select_on_focus off: Tab into a field puts the cursor at its end, so a key typed
                # there adds to the value instead of silently replacing all of it.
                yield Input(values[key], id=f"field-{key}", compact=True, select_on_focus=False)
            yield Static(id="source-form-error")
            yield Label("ctrl+s save · escape cancel", classes="dim")

    def on_mount(self) -> None:
        """Start in the Title field."""
        self.query_one("#field-title", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "field-reliability":
            self.action_save()
        else:
            self.focus_next()

    def action_save(self) -> None:
        """Validate and save; a problem is shown here and the form stays open."""
        if self._saving:
            return
        self._saving = True
        values = {key: self.query_one(f"#field-{key}", Input).value for key, _ in FIELDS}
        self.app.db.submit(sources.update_source, self.source.id, **values,  # type: ignore[attr-defined]
                           then=self._saved, on_error=self._refused)

    def _saved(self, _source: Source) -> None:
        self._saving = False
        self.app.notify("Metadata saved")
        if self.is_current:
            self.dismiss(None)

    def _refused(self, error: EvidenceError) -> None:
        self._saving = False
        self.query_one("#source-form-error", Static).update(Text(str(error), style="bold red"))

    def action_cancel(self) -> None:
        """Close without saving (once a save has started, its outcome closes the form)."""
        if not self._saving:
            self.dismiss(None)
