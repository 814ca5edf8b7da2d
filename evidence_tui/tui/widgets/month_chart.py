"""A bar chart of counts per month drawn with block characters, one band per series, month labels.

The months run from the first to the last with a count, gaps included (an empty month is a fact
too). When they do not fit the width, they are grouped into quarters, then years. Left and right
move a cursor over the bars; the line under the axis gives the exact counts there.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.reactive import reactive
from textual.widget import Widget

BLOCKS = " ▁▂▃▄▅▆▇█"
GUTTER = 11  # the series' names and peaks on the left


@dataclass(frozen=True)
class Series:
    """One row of bars: a name (``sources``) and counts by ``YYYY-MM``."""

    name: str
    counts: dict[str, int]


@dataclass(frozen=True)
class Bucket:
    """One bar: a month, quarter or year, its label and the months it covers."""

    label: str
    months: tuple[str, ...]


def month_span(first: str, last: str) -> list[str]:
    """Every ``YYYY-MM`` from ``first`` to ``last``, both included."""
    year, month = int(first[:4]), int(first[5:7])
    end = (int(last[:4]), int(last[5:7]))
    months = []
    while (year, month) <= end:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def buckets_for(months: list[str], width: int) -> list[Bucket]:
    """Group ``months`` into months, quarters or years: the finest whose bars (2 columns each) fit."""
    if len(months) * 2 <= width:
        return [Bucket(m, (m,)) for m in months]
    quarters: dict[str, list[str]] = {}
    for m in months:
        quarters.setdefault(f"{m[:4]}Q{(int(m[5:7]) - 1) // 3 + 1}", []).append(m)
    if len(quarters) * 2 <= width:
        return [Bucket(label, tuple(ms)) for label, ms in quarters.items()]
    years: dict[str, list[str]] = {}
    for m in months:
        years.setdefault(m[:4], []).append(m)
    return [Bucket(label, tuple(ms)) for label, ms in years.items()]


class MonthChart(Widget, can_focus=True):
    """Counts per month as vertical bars (one band per series) with month labels under them."""

    COMPONENT_CLASSES = {
        "month-chart--bar-0", "month-chart--bar-1", "month-chart--cursor", "month-chart--axis",
        "month-chart--label", "month-chart--empty",
    }
    BINDINGS = [
        Binding("left", "move(-1)", "Earlier", show=False, id="month_chart.left", tooltip="Move the chart's cursor to the previous month"),
        Binding("right", "move(1)", "Later", show=False, id="month_chart.right", tooltip="Move the chart's cursor to the next month"),
        Binding("home", "move_to(0)", "First month", show=False, id="month_chart.home", tooltip="Move the chart's cursor to the first month"),
        Binding("end", "move_to(-1)", "Last month", show=False, id="month_chart.end", tooltip="Move the chart's cursor to the last month"),
    ]

    cursor: reactive[int | None] = reactive(None)

    def __init__(self, *, empty_text: str = "No dated sources yet.", id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.series: list[Series] = []
        self.empty_text = empty_text
        self.note = ""
        self._buckets: list[Bucket] = []

    def set_series(self, series: list[Series], *, note: str = "") -> None:
        """Show these series (all on the same months); the cursor goes to the busiest bar.

        ``note`` is shown after the cursor's counts (say, what the chart leaves out).
        """
        self.series = series
        self.note = note
        self.cursor = None
        self.refresh()

    def months(self) -> list[str]:
        """Every month from the first to the last that any series counts."""
        seen = sorted({m for s in self.series for m, n in s.counts.items() if n})
        return month_span(seen[0], seen[-1]) if seen else []

    def buckets(self) -> list[Bucket]:
        """The bars drawn at the current width."""
        return buckets_for(self.months(), max(2, self.size.width - GUTTER))

    def total(self, series: Series, bucket: Bucket) -> int:
        """The count of ``series`` over the months of ``bucket``."""
        return sum(series.counts.get(m, 0) for m in bucket.months)

    def cursor_text(self) -> str:
        """The counts at the cursor, e.g. ``2024-06: 4 sources · 7 excerpts``."""
        buckets = self._buckets or self.buckets()
        if not buckets:
            return ""
        index = self._cursor_index(buckets)
        bucket = buckets[index]
        return f"{bucket.label}: " + " · ".join(f"{self.total(s, bucket)} {s.name}" for s in self.series)

    def _cursor_index(self, buckets: list[Bucket]) -> int:
        if self.cursor is None or not 0 <= self.cursor < len(buckets):
            first = self.series[0] if self.series else Series("", {})
            return max(range(len(buckets)), key=lambda i: (self.total(first, buckets[i]), -i))
        return self.cursor

    def action_move(self, step: int) -> None:
        """Move the cursor ``step`` bars (negative: earlier)."""
        buckets = self._buckets or self.buckets()
        if buckets:
            self.cursor = max(0, min(len(buckets) - 1, self._cursor_index(buckets) + step))

    def action_move_to(self, index: int) -> None:
        """Put the cursor on bar ``index`` (-1: the last)."""
        buckets = self._buckets or self.buckets()
        if buckets:
            self.cursor = index % len(buckets)

    def render(self) -> Text:
        """Draw the bands, the axis labels and the cursor line at the widget's size."""
        width, height = self.size.width, self.size.height
        buckets = self._buckets = self.buckets()
        if not buckets or not self.series:
            empty = Text(self.empty_text, style=self.get_component_rich_style("month-chart--empty"))
            if self.note:
                empty.append(f"\n{self.note}", style=self.get_component_rich_style("month-chart--label"))
            return empty
        cursor = self._cursor_index(buckets)
        plot = width - GUTTER
        column = max(2, min(6, plot // len(buckets)))
        bar = max(1, column - 1) if column <= 3 else column - 2
        band = max(2, (height - 2) // len(self.series))
        label_style = self.get_component_rich_style("month-chart--label")
        axis_style = self.get_component_rich_style("month-chart--axis")
        cursor_style = self.get_component_rich_style("month-chart--cursor")
        lines: list[Text] = []
        for index, series in enumerate(self.series):
            values = [self.total(series, b) for b in buckets]
            peak = max(values) or 1
            bar_style = self.get_component_rich_style(f"month-chart--bar-{index % 2}")
            # Eighths of a row; a non-zero count shows at least one eighth.
            levels = [0 if v == 0 else max(1, round(v / peak * band * 8)) for v in values]
            for row in range(band):
                line = Text(no_wrap=True, overflow="crop")
                gutter = series.name if row == 0 else f"max {max(values)}" if row == 1 else ""
                line.append(f"{gutter[:GUTTER - 2]:<{GUTTER - 2}}", style=label_style)
                line.append("│ ", style=axis_style)
                base = (band - 1 - row) * 8
                for i, level in enumerate(levels):
                    fill = max(0, min(8, level - base))
                    style = cursor_style if i == cursor else bar_style
                    line.append(BLOCKS[fill] * bar, style=style)
                    line.append(" " * (column - bar))
                lines.append(line)
        lines.append(self._axis(buckets, column, label_style, axis_style))
        status = Text(f"{'':<{GUTTER}}", no_wrap=True, overflow="ellipsis")
        status.append(f"◀ {self.cursor_text()} ▶", style=cursor_style if self.has_focus else label_style)
        if self.note:
            status.append(f"   {self.note}", style=label_style)
        lines.append(status)
        return Text("\n").join(lines[: max(height, 1)])

    def _axis(self, buckets: list[Bucket], column: int, label_style: Style, axis_style: Style) -> Text:
        """The labels under the bars, left to right where they fit; the year only where it changes."""
        cells = [" "] * (len(buckets) * column + 8)
        taken_until, shown_year = -1, None
        for i, bucket in enumerate(buckets):
            at = i * column
            year = bucket.label[:4]
            label = bucket.label if year != shown_year else bucket.label[4:].lstrip("-")
            if at <= taken_until or at + len(label) > len(cells):
                continue
            cells[at:at + len(label)] = label
            taken_until, shown_year = at + len(label), year
        line = Text(f"{'':<{GUTTER - 2}}", no_wrap=True, overflow="crop")
        line.append("└─", style=axis_style)
        line.append("".join(cells).rstrip(), style=label_style)
        return line
