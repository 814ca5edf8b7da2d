"""A fuzzy picker: type to narrow a list, Enter to choose; a new name can create an item."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.fuzzy import Matcher
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from evidence_tui.textsafety import inert, inert_line


# An absolute path: subclasses elsewhere (the codebook's prompts) would look next to themselves.
DIALOGS_CSS = str(Path(__file__).with_name("dialogs.tcss"))


@dataclass(frozen=True)
class PickerItem:
    """One choice: ``value`` is returned, ``label`` shown and matched, ``detail`` shown dim."""

    value: str
    label: str
    detail: str = ""
    colour: str | None = None


@dataclass(frozen=True)
class Picked:
    """The picker's answer: an existing item's value, or (``created``) a new name typed in."""

    value: str
    created: bool = False


def title_text(title: str | Text) -> Text:
    """A dialog's title as Text: a string is shown literally (a claim type or entity called "[/]"
    is a name, not markup) and inert; a Text the caller styled is kept."""
    return title if isinstance(title, Text) else Text(inert(title))


class PickerScreen(ModalScreen[Picked | None]):
    """Choose one of ``items`` by typing part of it; with ``allow_create`` a new name is offered.

    ``title`` is shown literally when it is a string (never as markup); pass a ``Text`` to style it.
    """

    CSS_PATH = DIALOGS_CSS
    # Terminal heights at which the list gets shorter, so that it fits the dialog (dialogs.tcss).
    VERTICAL_BREAKPOINTS = [(0, "-height-0"), (20, "-height-20"), (24, "-height-24"), (28, "-height-28"),
                            (32, "-height-32")]

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="picker.cancel", tooltip="Close without choosing"),
        Binding("down", "cursor_down", "Next", show=False, id="picker.down"),
        Binding("up", "cursor_up", "Previous", show=False, id="picker.up"),
    ]

    def __init__(self, title: str | Text, items: list[PickerItem], *, allow_create: bool = False, create_label: str = "Create") -> None:
        super().__init__()
        self.title_text = title
        self.items = items
        self.allow_create = allow_create
        self.create_label = create_label

    def compose(self) -> ComposeResult:
        """The title, the query box and the list."""
        with Vertical(id="picker"):
            yield Label(title_text(self.title_text), id="picker-title", markup=False)
            yield Input(placeholder="type to filter" + (", or a new name" if self.allow_create else ""), id="picker-input")
            yield OptionList(id="picker-options")

    def on_mount(self) -> None:
        """Show every item and focus the query box."""
        self._refill("")
        self.query_one(Input).focus()

    @on(Input.Changed, "#picker-input")
    def _query_changed(self, event: Input.Changed) -> None:
        self._refill(event.value)

    def _refill(self, query: str) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        query = query.strip()
        scored: list[tuple[float, PickerItem]] = []
        if query:
            matcher = Matcher(query)
            for item in self.items:
                score = matcher.match(item.label)
                if score > 0:
                    scored.append((score, item))
            scored.sort(key=lambda pair: -pair[0])
        else:
            scored = [(1.0, item) for item in self.items]
        for _score, item in scored:
            label = Text(inert_line(item.label), style=item.colour or "")
            if item.detail:
                label.append("  " + inert_line(item.detail), style="dim")
            options.add_option(Option(label, id=f"item:{item.value}"))
        exact = any(item.label.casefold() == query.casefold() for item in self.items)
        if self.allow_create and query and not exact:
            options.add_option(Option(Text(f"{self.create_label} '{inert_line(query)}'", style="italic"), id="create"))
        if options.option_count:
            options.highlighted = 0

    def action_cursor_down(self) -> None:
        """Move the highlight down the list."""
        self.query_one(OptionList).action_cursor_down()

    def action_cursor_up(self) -> None:
        """Move the highlight up the list."""
        self.query_one(OptionList).action_cursor_up()

    @on(Input.Submitted, "#picker-input")
    def _submit(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return
        self._choose(options.get_option_at_index(options.highlighted).id or "")

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option.id or "")

    def _choose(self, option_id: str) -> None:
        if option_id == "create":
            self.dismiss(Picked(" ".join(self.query_one(Input).value.split()), created=True))
        elif option_id.startswith("item:"):
            self.dismiss(Picked(option_id.removeprefix("item:")))

    def action_cancel(self) -> None:
        """Close without choosing."""
        self.dismiss(None)
