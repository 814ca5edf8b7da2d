"""The reader's side panel: the excerpt under the cursor, its types, entities, claims and note."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.widgets import Static

from evidence_tui.domain.models import ClaimType, Excerpt, Source
from evidence_tui.textsafety import colour_or, inert_line


def source_header(source: Source) -> Text:
    """A few lines about the source: title, outlet, date (as written), reliability."""
    text = Text(inert_line(source.title), style="bold")
    details = [d for d in (source.outlet, source.published or source.published_raw, source.author) if d]
    if details:
        text.append("\n" + inert_line(" · ".join(details)), style="dim")
    if source.reliability:
        text.append(f"\nreliability {source.reliability}", style="dim")
    return text


class ExcerptPanel(Static):
    """Shows the excerpts under the reader's cursor (the current one first)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The codebook's number keys, set by the screen: shown as a legend where they can be used.
        self.hotkeys: list[ClaimType] = []

    def show_excerpts(self, excerpts: list[Excerpt], selection: tuple[int, int] | None = None) -> None:
        """Show these excerpts (or a hint when there are none)."""
        parts: list = []
        if selection:
            parts.append(Text(f"selection {selection[0]}–{selection[1]} ({selection[1] - selection[0]} chars)\n"
                              "1-9 tag · t pick a type · esc cancel", style="italic"))
        if not excerpts:
            if not selection:
                parts.append(Text("No excerpt here.\nv select · s sentence · 1-9 tag\n[ ] jump between excerpts", style="dim"))
            legend = self.hotkey_legend()
            if legend.plain:
                parts.append(legend)
            self.update(Group(*parts))
            return
        for number, excerpt in enumerate(excerpts):
            block = Text()
            label = "Excerpt" if number == 0 else "Also here"
            block.append(f"{label} {excerpt.short_id}", style="bold" if number == 0 else "dim bold")
            block.append(f"  {excerpt.review_status}\n", style="dim")
            quote = inert_line(excerpt.quote)
            block.append("“" + (quote if len(quote) <= 240 else quote[:237] + "…") + "”\n", style="italic")
            if excerpt.claim_types:
                for claim_type in excerpt.claim_types:
                    block.append("■ ", style=claim_type.colour or "")
                    block.append(inert_line(claim_type.name) + "\n")
            else:
                block.append("no claim type yet (1-9 or t)\n", style="dim")
            for entity in excerpt.entities:
                role = f" ({inert_line(entity.role)})" if entity.role else ""
                block.append(f"@ {inert_line(entity.name)}{role}\n", style="cyan")
            for claim in excerpt.claims:
                sign = "+" if claim.stance == "supports" else "−"
                block.append(f"{sign} {inert_line(claim.statement)}\n", style="green" if sign == "+" else "red")
            if excerpt.note:
                block.append("note: " + inert_line(excerpt.note) + "\n", style="yellow")
            parts.append(block)
            if number == 0:
                parts.append(Text(""))
        self.update(Group(*parts))

    def hotkey_legend(self) -> Text:
        """The number keys and the claim types they tag ("1 ■ Deception about the job")."""
        legend = Text()
        for claim_type in sorted(self.hotkeys, key=lambda t: t.hotkey or 0):
            legend.append(f"\n{claim_type.hotkey} ", style="bold")
            legend.append("■ ", style=colour_or(claim_type.colour, "grey50"))
            legend.append(inert_line(claim_type.name), style="dim")
        return legend
