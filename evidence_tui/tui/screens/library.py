"""The library: every source in a virtual table; filter, sort, open, import, edit metadata."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static

from evidence_tui.domain import sources
from evidence_tui.domain.models import Source
from evidence_tui.importers.dates import yearless_label
from evidence_tui.tui.screens.base import EvidenceScreen, Footer
from evidence_tui.tui.widgets.virtual_table import CallbackSource, Column, Row, VirtualTable
from evidence_tui.words import count

NO_SOURCES = "No sources yet: press i to import articles."
ORDERS = ("imported", "title", "outlet", "-published", "published", "excerpts")
ORDER_LABELS = {
    "imported": "import order", "title": "title", "outlet": "outlet", "-published": "newest first",
    "published": "oldest first", "excerpts": "most excerpts",
}


def source_row(source: Source) -> Row:
    """A source as a table row."""
    # A date without its year reads "????-06-27" (the raw text is cut short in 12 columns).
    date = source.published or Text(yearless_label(source.published_raw) or source.published_raw or "",
                                    style="dim italic")
    return Row(source.id, {
        "title": source.title,
        "outlet": source.outlet or "",
        "date": date,
        "excerpts": str(source.excerpt_count) if source.excerpt_count else "",
        "reliability": source.reliability or "",
    })


class LibraryScreen(EvidenceScreen):
    """All sources; Enter opens the reader."""

    TITLE_TEXT = "Library"
    BINDINGS = [
        Binding("slash", "filter", "Filter", key_display="/", id="library.filter", tooltip="Filter by title, outlet or text as you type"),
        Binding("o", "sort", "Sort", id="library.sort", tooltip="Sort by another column (cycles)"),
        Binding("i", "import", "Import", id="library.import", tooltip="Import a file or a folder of articles"),
        Binding("p", "paste", "Paste", id="library.paste", tooltip="Import an article's text pasted into a box"),
        Binding("m", "edit", "Metadata", id="library.edit", tooltip="Edit the source's title, outlet, date, URL, reliability"),
        Binding("ctrl+e", "export", "Export", show=False, id="library.export",
                tooltip="Export excerpts to a CSV or JSON file (every filter of the CLI)"),
        Binding("q", "back", "Quit", id="library.quit", tooltip="Quit evidence-tui (everything is already saved)"),
        Binding("down", "focus_table", "Results", show=False, id="library.focus_table",
                tooltip="From the filter box, go down into the results"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="library.clear_filter",
                tooltip="Clear and close the filter (q quits)"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.order = "imported"
        self.filter_text = ""

    def compose(self) -> ComposeResult:
        """A filter box (hidden until /), the table and a status line."""
        yield from self.compose_frame()
        yield Input(placeholder="filter: words in the title, outlet or text (escape to close)", id="library-filter",
                    classes="filter-box hidden", compact=True)
        yield VirtualTable(
            [Column("title", "Title"), Column("outlet", "Outlet", 22, min_width=12), Column("date", "Published", 12),
             Column("excerpts", "Excerpts", 8, "right"), Column("reliability", "Rel.", 4)],
            empty_text=NO_SOURCES,
            id="library-table",
        )
        yield Static(id="library-status", classes="status-line")
        yield Footer()

    @property
    def table(self) -> VirtualTable:
        """The sources table."""
        return self.query_one(VirtualTable)

    def on_mount(self) -> None:
        """Load the sources and focus the table."""
        super().on_mount()
        self.reload()
        self.table.focus()

    def reload(self) -> None:
        """Count the sources matching the filter in the background, then show them."""
        self._count(self.filter_text, self.order)

    @work(thread=True, exclusive=True, group="library-count")
    def _count(self, text: str, order: str) -> None:
        # Counting (and FTS matching) can take a moment on a big case file: not on the UI thread.
        total = sources.count_sources(self.case, text=text or None)
        self.app.call_from_thread(self._show, text, order, total)

    def _show(self, text: str, order: str, total: int) -> None:
        case = self.case
        source = CallbackSource(
            lambda: total,
            lambda offset, limit: [source_row(s) for s in sources.list_sources(case, text=text or None, order=order, limit=limit, offset=offset)],
        )
        self.table.empty_text = f"No source matches '{text}'. Escape clears the filter." if text else NO_SOURCES
        self.table.set_source(source, count=total, keep_cursor=True)
        shown = count(total, "source") + (f" matching '{text}'" if text else "") + f" · sorted by {ORDER_LABELS[order]}"
        self.query_one("#library-status", Static).update(Text(shown))

    # -- actions ------------------------------------------------------------------------------

    def action_filter(self) -> None:
        """Show the filter box and focus it."""
        box = self.query_one("#library-filter", Input)
        box.remove_class("hidden")
        box.focus()

    @on(Input.Changed, "#library-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value.strip()
        self.table.cursor_row = 0
        self.reload()

    @on(Input.Submitted, "#library-filter")
    def _filter_done(self) -> None:
        self.table.focus()

    def action_focus_table(self) -> None:
        """Move from the filter box into the results (the table moves its own cursor with down)."""
        self.table.focus()

    def action_sort(self) -> None:
        """Sort by the next column in turn."""
        self.order = ORDERS[(ORDERS.index(self.order) + 1) % len(ORDERS)]
        self.table.cursor_row = 0
        self.reload()
        self.notify(f"Sorted by {ORDER_LABELS[self.order]}")

    @on(VirtualTable.RowSelected, "#library-table")
    def _open(self, event: VirtualTable.RowSelected) -> None:
        from evidence_tui.tui.screens.reader import ReaderScreen

        self.app.push_screen(ReaderScreen(event.row.key))

    def action_import(self) -> None:
        """Open the import dialog."""
        from evidence_tui.tui.screens.import_dialog import ImportDialog

        self.app.push_screen(ImportDialog())

    def action_paste(self) -> None:
        """Open the paste dialog; say what became of the pasted text."""
        from evidence_tui.tui.screens.paste_dialog import PasteDialog

        def done(outcome: sources.ImportOutcome | None) -> None:
            if outcome is None:
                return
            title = outcome.title or "the pasted text"
            if outcome.status == "duplicate":
                self.notify(f"Already in the case file: '{title}'", markup=False)
            else:
                self.notify(f"Imported '{title}'", markup=False)

        self.app.push_screen(PasteDialog(), done)

    def action_export(self) -> None:
        """Open the export dialog (every excerpt until a filter is set there)."""
        from evidence_tui.tui.screens.export_dialog import ExportDialog

        self.app.push_screen(ExportDialog())

    def action_edit(self) -> None:
        """Edit the metadata of the source under the cursor."""
        from evidence_tui.tui.screens.source_form import SourceForm

        row = self.table.current_row
        if row is None:
            self.notify("No source selected", severity="warning")
            return
        self.app.push_screen(SourceForm(sources.get_source(self.case, row.key, with_text=False)))

    def action_clear_filter(self) -> None:
        """Clear and hide the filter box (escape); q still quits."""
        box = self.query_one("#library-filter", Input)
        box.value = ""
        box.add_class("hidden")
        self.table.focus()
