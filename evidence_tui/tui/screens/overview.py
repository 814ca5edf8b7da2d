"""The Overview screen (F8): the case file at a glance.

Counts per claim type, review status and outlet; sources and excerpts per publication month as a
bar chart; the least corroborated claims. The figures are ``domain.stats.case_stats`` (the same as
``evidence-tui stats``), computed in the background each time the screen is shown or the case
file changes.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from evidence_tui.domain.stats import CaseStats, case_stats
from evidence_tui.textsafety import inert_line
from evidence_tui.tui.screens.base import EvidenceScreen, Footer
from evidence_tui.tui.widgets.month_chart import MonthChart, Series

# Rows shown in the claim type and outlet panels before "… N more".
PANEL_ROWS = 10
BAR_WIDTH = 10
STATUS_STYLES = {"unreviewed": "", "accepted": "green", "rejected": "red", "flagged": "yellow"}


def bar(count: int, peak: int, width: int = BAR_WIDTH, style: str = "cyan") -> Text:
    """A horizontal bar of ``count`` against ``peak`` in eighths of a cell (a non-zero count shows)."""
    if count <= 0 or peak <= 0:
        return Text("")
    eighths = max(1, round(count / peak * width * 8))
    return Text("█" * (eighths // 8) + (" ▏▎▍▌▋▊▉"[eighths % 8] if eighths % 8 else ""), style=style)


def _table(*columns: tuple[str, str], header: bool = True, flex: int = 0) -> Table:
    """A borderless table whose column ``flex`` takes the room left; cells truncate with an ellipsis."""
    table = Table(box=None, padding=(0, 1), pad_edge=False, expand=True, show_edge=False, header_style="bold",
                  show_header=header)
    for i, (name, justify) in enumerate(columns):
        table.add_column(name, justify=justify, no_wrap=True, overflow="ellipsis",  # type: ignore[arg-type]
                         ratio=1 if i == flex else None)
    return table


def claim_types_table(figures: CaseStats, rows: int = PANEL_ROWS, accent: str = "cyan") -> Table:
    """Excerpts per claim type, in codebook order, with bars."""
    table = _table(("claim type", "left"), ("excerpts", "right"), ("", "left"), header=False)
    peak = max((n for _, n in figures.by_claim_type), default=0)
    shown = figures.by_claim_type if len(figures.by_claim_type) <= rows else figures.by_claim_type[: rows - 1]
    for name, count in shown:
        table.add_row(Text(inert_line(name)), str(count), bar(count, peak, 8, accent))
    if len(shown) < len(figures.by_claim_type):
        table.add_row(Text(f"… {len(figures.by_claim_type) - len(shown)} more (F5)", style="dim"), "", "")
    if not figures.by_claim_type:
        table.add_row(Text("no claim types yet (F5)", style="dim"), "", "")
    return table


def status_table(figures: CaseStats, accent: str = "cyan") -> Table:
    """Excerpts per review status, with bars and the share reviewed."""
    table = _table(("status", "left"), ("excerpts", "right"), ("", "left"), header=False)
    peak = max((n for _, n in figures.by_status), default=0)
    for name, count in figures.by_status:
        table.add_row(Text(name, style=STATUS_STYLES.get(name, "")), str(count), bar(count, peak, 8, accent))
    reviewed = figures.excerpts - dict(figures.by_status).get("unreviewed", 0)
    share = f"{reviewed * 100 // figures.excerpts}%" if figures.excerpts else "–"
    table.add_row("", "", "")
    table.add_row(Text("reviewed", style="dim"), str(reviewed), Text(share, style="dim"))
    return table


def outlets_table(figures: CaseStats, rows: int = PANEL_ROWS, accent: str = "cyan") -> Table:
    """Sources (and their excerpts) per outlet, most sources first: ``Kyiv Ledger  1 / 3  ██``."""
    table = _table(("outlet", "left"), ("sources / excerpts", "right"), ("", "left"), header=False)
    outlets = figures.outlet_rows()
    peak = max((n for _, n, _ in outlets), default=0)
    shown = outlets if len(outlets) <= rows else outlets[: rows - 1]
    for name, n_sources, n_excerpts in shown:
        table.add_row(Text(inert_line(name)), _pair(n_sources, n_excerpts), bar(n_sources, peak, 6, accent))
    if len(shown) < len(outlets):
        rest = outlets[len(shown):]
        table.add_row(Text(f"… {len(rest)} more", style="dim"),
                      _pair(sum(n for _, n, _ in rest), sum(n for _, _, n in rest)), "")
    return table


def _pair(n_sources: int, n_excerpts: int) -> Text:
    text = Text(str(n_sources))
    text.append(f" / {n_excerpts}", style="dim")
    return text


def weakest_table(figures: CaseStats) -> Table | Text:
    """The least corroborated claims (fewest outlets, then sources), or a line saying there are none."""
    if not figures.weakest_claims:
        return Text("No claims yet: write them on the Claims screen (F3).", style="dim italic")
    table = _table(("outlets", "right"), ("sources", "right"), ("for", "right"), ("against", "right"),
                   ("claim", "left"), ("type", "left"), flex=4)
    for claim in figures.weakest_claims:
        outlets = Text(str(claim.outlets), style="bold red" if claim.sources == 0 else "yellow" if claim.outlets <= 1 else "")
        against = Text(str(claim.contradicting), style="red" if claim.contradicting else "")
        table.add_row(outlets, str(claim.sources), str(claim.supporting), against,
                      Text(inert_line(claim.statement)), Text(inert_line(claim.claim_type or "–")[:24], style="dim"))
    return table


def totals_line(figures: CaseStats) -> Text:
    """``10 sources · 16 excerpts · …`` in one line."""
    line = Text()
    parts = [(figures.sources, "sources"), (figures.excerpts, "excerpts"), (figures.claim_types, "claim types"),
             (figures.claims, "claims"), (figures.entities, "entities")]
    for i, (count, name) in enumerate(parts):
        if i:
            line.append("  ·  ", style="dim")
        line.append(str(count), style="bold")
        line.append(f" {name}")
    return line


class OverviewScreen(EvidenceScreen):
    """The case file at a glance: counts, a chart per month, the weakest claims (F8)."""

    TITLE_TEXT = "Overview"
    CSS_PATH = "overview.tcss"
    BINDINGS = [
        Binding("r", "refresh_figures", "Refresh", id="overview.refresh", tooltip="Count everything again"),
        Binding("ctrl+e", "export", "Export", id="overview.export",
                tooltip="Export excerpts to a CSV or JSON file (every filter of the CLI)"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.figures: CaseStats | None = None
        self._ready = False
        self._counting = False
        self._stale = False

    def compose(self) -> ComposeResult:
        """The totals line, three count panels, the month chart, the weakest claims."""
        yield from self.compose_frame()
        yield Static(Text("counting…", style="dim italic"), id="overview-totals")
        yield Static(id="overview-empty", classes="hidden")
        with Vertical(id="overview-body"):
            with Horizontal(id="overview-counts"):
                yield Static(id="overview-types", classes="overview-panel")
                yield Static(id="overview-status", classes="overview-panel")
                yield Static(id="overview-outlets", classes="overview-panel")
            yield MonthChart(empty_text="No source has a known publication month yet.", id="overview-chart",
                             classes="overview-panel")
            yield Static(id="overview-weakest", classes="overview-panel")
        yield Footer()

    def on_mount(self) -> None:
        """Name the panels, count in the background, and focus the chart (left/right move on it)."""
        super().on_mount()
        titles = {
            "#overview-types": "Excerpts per claim type", "#overview-status": "Review status",
            "#overview-outlets": "Outlets: sources / excerpts",
            "#overview-chart": "Sources and excerpts per publication month (← → read a month)",
            "#overview-weakest": "Least corroborated claims (fewest outlets first; all of them on F3)",
        }
        for selector, title in titles.items():
            self.query_one(selector).border_title = title
        self._ready = True
        self.watch(self.app, "theme", self._theme_changed, init=False)
        self.query_one(MonthChart).focus()
        self.reload()

    def reload(self) -> None:
        """Count everything again in the background (the serial worker), then show it.

        Counting takes seconds on a big case file: while one count runs, further reloads
        (a burst of changes) make one more count after it, not one each.
        """
        if not self._ready:
            return
        if self._counting:
            self._stale = True
            return
        self._counting, self._stale = True, False
        self.submit(case_stats, then=self._counted, changed=False, on_error=self._count_failed)

    def _counted(self, figures: CaseStats) -> None:
        self._counting = False
        self.show_figures(figures)
        if self._stale:
            self.reload()

    def _count_failed(self, _error: Exception) -> None:
        self._counting = False

    def _theme_changed(self, _theme: str) -> None:
        if self.figures is not None:  # the bars take the theme's accent colour
            self.call_after_refresh(self.show_figures, self.figures)

    def action_refresh_figures(self) -> None:
        """Count everything again."""
        self.reload()

    def show_figures(self, figures: CaseStats) -> None:
        """Show ``figures`` (from ``case_stats``) in every panel."""
        self.figures = figures
        self.query_one("#overview-totals", Static).update(totals_line(figures))
        empty = figures.is_empty()
        self.query_one("#overview-body").set_class(empty, "hidden")
        self.query_one("#overview-empty").set_class(not empty, "hidden")
        if empty:
            self.query_one("#overview-empty", Static).update(Text(
                "This case file is empty: nothing to count yet. Import articles on the Library (F1, then i),\n"
                "or with `evidence-tui import PATH`, and the figures appear here.", style="italic"))
            return
        accent = self.app.theme_variables.get("accent", "cyan")
        self.query_one("#overview-types", Static).update(claim_types_table(figures, accent=accent))
        self.query_one("#overview-status", Static).update(status_table(figures, accent=accent))
        self.query_one("#overview-outlets", Static).update(outlets_table(figures, accent=accent))
        note = f"no month known: {figures.sources_undated} sources, {figures.excerpts_undated} excerpts"
        self.query_one(MonthChart).set_series(
            [Series("sources", dict(figures.sources_by_month)), Series("excerpts", dict(figures.excerpts_by_month))],
            note=note)
        self.query_one("#overview-weakest", Static).update(weakest_table(figures))

    def action_export(self) -> None:
        """Open the export dialog (no filter set)."""
        from evidence_tui.tui.screens.export_dialog import ExportDialog

        self.app.push_screen(ExportDialog())
