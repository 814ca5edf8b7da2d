"""The export dialog: excerpts to a CSV or JSON file, with the filters and options of ``evidence-tui export``.

It calls ``exporters.export_to_file``, the function the CLI uses, so the same filter and options
give the same bytes. The export runs in a thread (never on the UI thread, and not in the serial
write queue, so a large export does not hold up tagging); it reports the path and the row count.
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import date
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, RadioSet, Static

from evidence_tui.domain.filters import ExcerptFilter, check_date
from evidence_tui.errors import EvidenceError
from evidence_tui.exporters import ExportOptions, export_to_file
from evidence_tui.store.schema import REVIEW_STATUSES
from evidence_tui.textsafety import inert_line
from evidence_tui.tui.screens.import_dialog import PathSuggester
from evidence_tui.tui.screens.prompt import ConfirmScreen
from evidence_tui.tui.widgets.path_input import PathInput
from evidence_tui.tui.widgets.toggles import StateCheckbox, StateRadioButton

# The dialog's record filters: (ExcerptFilter field, label, placeholder).
NAME_FILTERS = (
    ("claim_types", "Claim type", "name or id; several: a; b"),
    ("entities", "Entity", "name, alias or id"),
    ("sources", "Source", "title or id"),
    ("claims", "Claim", "statement or id"),
)
# The format radio buttons: (id, label, options).
FORMATS = (
    ("format-csv", "CSV", ExportOptions("csv")),
    ("format-json", "JSON", ExportOptions("json")),
    ("format-jsonl", "JSON Lines", ExportOptions("json", lines=True)),
)
SUFFIXES = (".csv", ".json", ".jsonl")


def default_export_path(suffix: str = ".csv", today: date | None = None) -> str:
    """``~/evidence-export-YYYYMMDD.csv`` (as typed: the ~ is expanded when exporting)."""
    return f"~/evidence-export-{(today or date.today()):%Y%m%d}{suffix}"


def split_refs(value: str) -> tuple[str, ...]:
    """The references typed in a filter box, separated by ``;`` (empty: no filter)."""
    return tuple(part.strip() for part in value.split(";") if part.strip())


class ExportDialog(ModalScreen[int | None]):
    """Choose the format, options, filters and file; export in the background (ctrl+s)."""

    CSS_PATH = "export_dialog.tcss"
    # Below 96 columns (the dialog's width) the screen gets the class -narrow: the rows of choices
    # wrap and the filters take one column, so the dialog fits an 80x24 terminal (export_dialog.tcss).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (96, "-wide")]
    BINDINGS = [
        Binding("ctrl+s", "export", "Export", id="export.run", tooltip="Write the file (asks before replacing one)"),
        Binding("escape", "cancel", "Cancel", id="export.cancel", tooltip="Close without exporting"),
    ]

    def __init__(self, f: ExcerptFilter = ExcerptFilter(), names: dict[str, list[str]] | None = None) -> None:
        """Open prefilled with the filter ``f``; ``names`` are its records' names (else ids are shown)."""
        super().__init__()
        self.initial = f
        # field -> (text shown, the filter's references): unchanged text keeps the exact references.
        self.prefill: dict[str, tuple[str, tuple[str, ...]]] = {}
        for field, _label, _hint in NAME_FILTERS:
            refs: tuple[str, ...] = getattr(f, field)
            shown = (names or {}).get(field) or []
            text = "; ".join(shown) if len(shown) == len(refs) else "; ".join(refs)
            self.prefill[field] = (text, refs)
        self.running = False

    def compose(self) -> ComposeResult:
        """The format, the CSV options, the filters, the file and a status line."""
        f = self.initial
        with Vertical(id="export-dialog"):
            yield Label("Export excerpts", id="export-title")
            with Horizontal(classes="export-row"):
                yield Label("Format", classes="export-label")
                with RadioSet(id="export-format", compact=True):
                    for index, (button_id, label, _options) in enumerate(FORMATS):
                        yield StateRadioButton(label, value=index == 0, id=button_id, compact=True)
            with Horizontal(classes="export-row"):
                yield Label("CSV", classes="export-label")
                with Horizontal(classes="export-choices", id="export-csv-options"):
                    yield StateCheckbox("one row per claim type", id="export-per-type", compact=True)
                    yield StateCheckbox("Excel byte-order mark", id="export-excel", compact=True)
                    yield StateCheckbox("raw: keep formulas", id="export-raw", compact=True)
            with Horizontal(classes="export-row"):
                yield Label("Status", classes="export-label")
                with Horizontal(classes="export-choices", id="export-statuses"):
                    for status in REVIEW_STATUSES:
                        yield StateCheckbox(status, value=status in f.statuses, id=f"export-status-{status}", compact=True)
                    yield Label("(none ticked: any)", classes="dim", id="export-status-hint")
            with Grid(id="export-filters"):
                for field, label, hint in NAME_FILTERS:
                    yield Label(label, classes="export-label")
                    yield Input(self.prefill[field][0], placeholder=hint, id=f"export-{field}", compact=True)
                yield Label("From", classes="export-label")
                yield Input(f.date_from or "", placeholder="published on/after: 2024-06",
                            id="export-from", compact=True)
                yield Label("To", classes="export-label")
                yield Input(f.date_to or "", placeholder="published on/before: 2024-06-30", id="export-to", compact=True)
            with Horizontal(classes="export-row"):
                yield Label("Text", classes="export-label")
                yield Input(f.text or "", placeholder="words in the quote or note", id="export-text", compact=True)
            with Horizontal(classes="export-row"):
                yield Label("File", classes="export-label")
                yield PathInput(default_export_path(), placeholder="where to write (tab completes)", suggester=PathSuggester(),
                            id="export-path", compact=True)
            yield Static(id="export-status")
            yield Label("ctrl+s or Enter in File: export · tab: next field · escape: cancel", classes="dim")

    def on_mount(self) -> None:
        """Focus the file name (the filters are usually set already)."""
        self.query_one("#export-path", Input).focus()

    # -- reading the form ----------------------------------------------------------------------

    def options(self) -> ExportOptions:
        """The format and options as chosen."""
        pressed = self.query_one("#export-format", RadioSet).pressed_button
        chosen = next((o for button_id, _l, o in FORMATS if pressed is not None and pressed.id == button_id), FORMATS[0][2])
        if chosen.format != "csv":
            return chosen
        return replace(chosen, one_row_per_type=self.query_one("#export-per-type", Checkbox).value,
                       excel=self.query_one("#export-excel", Checkbox).value,
                       raw=self.query_one("#export-raw", Checkbox).value)

    def excerpt_filter(self) -> ExcerptFilter:
        """The filter as typed (prefilled boxes left alone keep their exact records)."""
        values: dict = {}
        for field, _label, _hint in NAME_FILTERS:
            typed = self.query_one(f"#export-{field}", Input).value.strip()
            shown, refs = self.prefill[field]
            values[field] = refs if typed == shown.strip() else split_refs(typed)
        return ExcerptFilter(
            statuses=tuple(s for s in REVIEW_STATUSES if self.query_one(f"#export-status-{s}", Checkbox).value),
            date_from=self.query_one("#export-from", Input).value.strip() or None,
            date_to=self.query_one("#export-to", Input).value.strip() or None,
            text=self.query_one("#export-text", Input).value.strip() or None,
            **values,
        )

    def path(self) -> Path | None:
        """The file to write, ~ expanded (None when the box is empty)."""
        typed = self.query_one("#export-path", Input).value.strip()
        return Path(os.path.expanduser(typed)) if typed else None

    # -- reacting --------------------------------------------------------------------------------

    @on(RadioSet.Changed, "#export-format")
    def _format_changed(self) -> None:
        options = self.options()
        for checkbox in ("#export-per-type", "#export-excel", "#export-raw"):
            self.query_one(checkbox, Checkbox).disabled = options.format != "csv"
        box = self.query_one("#export-path", Input)
        stem, suffix = os.path.splitext(box.value)
        if suffix.lower() in SUFFIXES:  # follow the format while the name has one of ours
            box.value = stem + options.suffix

    @on(Input.Submitted, "#export-path")
    def _path_submitted(self) -> None:
        self.action_export()

    def _say(self, message: str, style: str = "") -> None:
        self.query_one("#export-status", Static).update(Text(message, style=style))

    def _fail(self, message: str) -> None:
        """One line in the dialog and a notification."""
        self._say(message, "bold red")
        self.notify(message, severity="error", markup=False)

    def action_export(self) -> None:
        """Check the form, ask before replacing a file, then export in the background."""
        if self.running:
            self.notify("The export is under way", severity="warning")
            return
        path = self.path()
        if path is None:
            self._fail("File: give the export a file name")
            return
        f = self.excerpt_filter()
        try:
            check_date("From", f.date_from)
            check_date("To", f.date_to)
        except EvidenceError as error:
            self._fail(inert_line(str(error)))
            return
        if path.is_dir():
            self._fail(inert_line(f"{path}: is a folder; give the export a file name"))
            return
        if not path.parent.is_dir():
            self._fail(inert_line(f"{path.parent}: no such folder"))
            return
        options = self.options()
        if path.exists():
            question = Text("Replace ")
            question.append(inert_line(str(path)), style="bold")
            question.append("?\nIt exists already; the export would overwrite it.")
            self.app.push_screen(ConfirmScreen(question),  # type: ignore[arg-type]
                                 lambda yes: self._start(path, f, options) if yes else self._say("Not exported."))
            return
        self._start(path, f, options)

    def _start(self, path: Path, f: ExcerptFilter, options: ExportOptions) -> None:
        self.running = True
        self._say(f"Exporting to {inert_line(str(path))}…", "italic")
        app, case = self.app, self.app.case  # type: ignore[attr-defined]

        def run() -> None:
            # A thread of the app's (not of this dialog's): escape leaves it running, and it still reports.
            try:
                count = export_to_file(case, f, path, options)
            except EvidenceError as error:
                app.call_from_thread(self._failed, inert_line(str(error)))
            except Exception as error:  # a bug: reported in one line, never a traceback on screen
                app.call_from_thread(self._failed, inert_line(f"{path}: export failed ({type(error).__name__}: {error})"))
            else:
                app.call_from_thread(self._finished, path, count)

        app.run_worker(run, thread=True, group="export", exit_on_error=False)

    def _failed(self, message: str) -> None:
        self.running = False
        if self.is_attached:
            self._say(message, "bold red")
        self.app.notify(message, severity="error", markup=False)

    def _finished(self, path: Path, count: int) -> None:
        self.running = False
        self.app.notify(f"Exported {count} {'row' if count == 1 else 'rows'} to {inert_line(str(path))}",
                        title="Export", markup=False)
        if self.is_attached and self.app.screen is self:
            self.dismiss(count)

    def action_cancel(self) -> None:
        """Close (an export under way goes on and still reports)."""
        self.dismiss(None)
