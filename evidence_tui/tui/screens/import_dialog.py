"""Importing files or folders from the TUI: a path with completion, a progress bar, a summary."""

from __future__ import annotations

import os
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Label, ProgressBar, Static

from evidence_tui.domain import sources
from evidence_tui.importers import SUPPORTED_SUFFIXES
from evidence_tui.textsafety import inert_line
from evidence_tui.tui.widgets.path_input import PathInput
from evidence_tui.words import count

SKIPPED_SHOWN = 20  # skipped files listed one a line; the rest are counted


class PathSuggester(Suggester):
    """Completes file and folder names as you type (tab or right arrow accepts)."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        """Return the first folder entry that continues ``value``."""
        if not value:
            return None
        expanded = os.path.expanduser(value)
        folder, prefix = os.path.split(expanded)
        try:
            names = sorted(os.listdir(folder or "."))
        except OSError:
            return None
        for name in names:
            if name.startswith(prefix) and name != prefix and not name.startswith("."):
                full = os.path.join(folder, name)
                suffix = "/" if os.path.isdir(full) else ""
                if suffix or Path(name).suffix.lower() in SUPPORTED_SUFFIXES:
                    return value + name[len(prefix):] + suffix
        return None


class ImportDialog(ModalScreen[None]):
    """Ask for a path, import it in a worker with a progress bar, then show the summary."""

    BINDINGS = [Binding("escape", "close", "Close", id="import.close", tooltip="Close (an import under way goes on)")]

    def compose(self) -> ComposeResult:
        """Path box, progress bar, result."""
        # Scrolls when the list of failures is longer than the screen (Tab to it, then the arrows).
        with VerticalScroll(id="import-dialog"):
            yield Label("Import a file or a folder (.txt .md .html; folders recursively)", id="import-title")
            yield PathInput(placeholder="path, e.g. ~/articles/  (tab completes)", suggester=PathSuggester(), id="import-path")
            yield ProgressBar(id="import-progress", show_eta=False)
            yield Static(id="import-result")

    def on_mount(self) -> None:
        """Focus the path box."""
        self.query_one(ProgressBar).display = False
        self.query_one(Input).focus()

    @on(Input.Submitted, "#import-path")
    def _start(self, event: Input.Submitted) -> None:
        path = Path(os.path.expanduser(event.value.strip()))
        if not event.value.strip():
            self.query_one("#import-result", Static).update(Text("Type a path first.", style="yellow"))
            return
        if not path.exists():
            self.query_one("#import-result", Static).update(Text(f"{path}: no such file or folder", style="red"))
            return
        bar = self.query_one(ProgressBar)
        bar.display = True
        bar.update(total=None, progress=0)
        self.query_one("#import-result", Static).update(Text("Importing…"))
        self._import(path)

    @work(thread=True, exclusive=True, group="import")
    def _import(self, path: Path) -> None:
        # A background thread: it posts progress to the UI thread and never touches widgets itself.
        def progress(done: int, total: int, _outcome) -> None:
            self.app.call_from_thread(self._progress, done, total)

        summary = sources.import_paths(self.app.case, [path], on_progress=progress)  # type: ignore[attr-defined]
        self.app.call_from_thread(self._done, summary)

    def _progress(self, done: int, total: int) -> None:
        self.query_one(ProgressBar).update(total=total, progress=done)

    def _done(self, summary: sources.ImportSummary) -> None:
        text = Text(summary.line() + "\n", style="bold red" if summary.failed else "bold green")
        failed = [o for o in summary.outcomes if o.status == "failed"]
        skipped = [o for o in summary.outcomes if o.status == "skipped"]
        for outcome in failed:
            text.append(inert_line(outcome.message) + "\n", style="red")
        for outcome in skipped[:SKIPPED_SHOWN]:
            text.append("skipped: " + inert_line(outcome.message) + "\n", style="dim")
        if len(skipped) > SKIPPED_SHOWN:
            text.append(f"and {len(skipped) - SKIPPED_SHOWN} more skipped\n", style="dim")
        text.append("escape closes", style="dim")
        self.query_one("#import-result", Static).update(text)
        self.app.case_changed()  # type: ignore[attr-defined]
        if len(failed) == 1:
            self.app.notify(inert_line(failed[0].message), severity="warning", markup=False)
        elif failed:
            self.app.notify(f"{count(len(failed), 'file')} could not be imported", severity="warning")

    def action_close(self) -> None:
        """Close the dialog."""
        self.dismiss(None)
