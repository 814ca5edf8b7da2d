"""The Codebook: the claim types in their order, with colour, hotkey, description and use.

Add, rename, describe, re-key, recolour, reorder, merge and delete claim types from the keyboard.
Every change goes through ``evidence_tui.domain.codebook`` on the background writer; the table is
read again (a few dozen rows) whenever the case file changes.
"""

from __future__ import annotations

import re
from functools import partial

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from evidence_tui.domain import claims as claims_domain
from evidence_tui.domain import codebook, history
from evidence_tui.domain.models import ClaimType
from evidence_tui.store import CaseFile
from evidence_tui.textsafety import clip, inert_line
from evidence_tui.tui.screens.base import EvidenceScreen, Footer
from evidence_tui.tui.screens.picker import Picked, PickerItem, PickerScreen
from evidence_tui.tui.screens.prompt import ConfirmScreen, TextPrompt
from evidence_tui.tui.widgets.codebook_prompt import CheckedPrompt, dialog_text
from evidence_tui.words import count

SWATCH = "███"
_HEX = re.compile(r"^#?([0-9a-fA-F]{6})$")
# Columns: key, label, width (None: the description takes what is left).
COLUMNS = (("swatch", "", 3), ("hotkey", "Key", 3), ("name", "Claim type", 30), ("excerpts", "Excerpts", 8),
           ("description", "Description", None))


def safe_colour(colour: str | None, default: str = "") -> str:
    """The colour if it is a #rrggbb value, else ``default`` (a bad value from the file cannot crash the screen)."""
    return colour if colour and _HEX.match(colour) and colour.startswith("#") else default


def type_impact(case: CaseFile, type_id: str) -> tuple[ClaimType, int]:
    """The claim type as it is now, and how many claims have it as their type."""
    claim_type = codebook.get_type(case, type_id)
    claims = sum(1 for c in claims_domain.list_claims(case) if c.claim_type == claim_type.name)
    return claim_type, claims


class CodebookScreen(EvidenceScreen):
    """The codebook: claim types in order; Enter shows a type's excerpts."""

    TITLE_TEXT = "Codebook"
    CSS_PATH = "codebook.tcss"
    BINDINGS = [
        Binding("a", "add", "Add", id="codebook.add", tooltip="Add a claim type (you are asked its name)"),
        Binding("r", "rename", "Rename", id="codebook.rename", tooltip="Rename the selected claim type"),
        Binding("d", "describe", "Describe", id="codebook.describe", tooltip="Edit the description of the selected claim type"),
        Binding("k", "hotkey", "Hotkey", id="codebook.hotkey", tooltip="Set the number key (1-9) that tags with this type in the reader"),
        Binding("C", "recolour", "Colour", key_display="C", id="codebook.recolour", tooltip="Choose the colour of the selected type (palette or #rrggbb)"),
        Binding("J", "move(1)", "Down", key_display="J", id="codebook.down", tooltip="Move the selected type down the codebook's order"),
        Binding("K", "move(-1)", "Up", key_display="K", id="codebook.up", tooltip="Move the selected type up the codebook's order"),
        Binding("M", "merge", "Merge…", key_display="M", id="codebook.merge", tooltip="Merge the selected type into another: its tags and claims move there"),
        Binding("x", "delete", "Delete", id="codebook.delete", tooltip="Delete the selected claim type (asks first when excerpts use it)"),
        Binding("u", "undo", "Undo", id="codebook.undo", tooltip="Undo your last change in this case file"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.types: list[ClaimType] = []
        self._select_id: str | None = None

    def compose(self) -> ComposeResult:
        """The table, the selected type's full description, a status line."""
        yield from self.compose_frame()
        table: DataTable = DataTable(id="codebook-table", cursor_type="row", cursor_foreground_priority="renderable")
        yield table
        yield Static(id="codebook-detail")
        yield Static(id="codebook-status", classes="status-line")
        yield Footer()

    @property
    def table(self) -> DataTable:
        """The claim types table."""
        return self.query_one("#codebook-table", DataTable)

    def on_mount(self) -> None:
        """Set up the columns, load the codebook and focus the table."""
        super().on_mount()
        for key, label, width in COLUMNS:
            self.table.add_column(label, key=key, width=width or self._description_width())
        self.reload()
        self.table.focus()

    def _description_width(self, name_width: int = 30) -> int:
        fixed = sum(width or 0 for key, _label, width in COLUMNS if key != "name") + name_width
        padding = 2 * self.table.cell_padding * len(COLUMNS)
        return max(20, (self.app.size.width or 120) - fixed - padding - 2)

    # -- showing -------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the codebook again and redraw the table, keeping the cursor on the same type."""
        table = self.table
        if not table.columns:
            return
        current = self.current_type()
        wanted = self._select_id or (current.id if current else None)
        self._select_id = None
        old_row = table.cursor_row
        self.types = codebook.list_types(self.case)
        name_width = max([12, *(len(t.name) for t in self.types)])
        name_width = min(name_width, 40)
        table.columns["name"].width = name_width  # type: ignore[index]
        width = self._description_width(name_width)
        table.columns["description"].width = width  # type: ignore[index]
        table.clear()
        for claim_type in self.types:
            table.add_row(*self._cells(claim_type, name_width, width), key=claim_type.id)
        if self.types:
            ids = [t.id for t in self.types]
            row = ids.index(wanted) if wanted in ids else min(old_row, len(ids) - 1)
            table.move_cursor(row=row, animate=False)
        self._show_detail()
        with_keys = sum(1 for t in self.types if t.hotkey)
        used = sum(1 for t in self.types if t.excerpt_count)
        status = (f"{count(len(self.types), 'claim type')} · {with_keys} with a hotkey · {used} in use"
                  if self.types else "The codebook is empty: press a to add a claim type.")
        self.query_one("#codebook-status", Static).update(Text(status))

    def _cells(self, claim_type: ClaimType, name_width: int, width: int) -> list[Text]:
        colour = safe_colour(claim_type.colour, "white")
        return [
            Text(SWATCH, style=colour),
            Text(f"{claim_type.hotkey or '·':^3}", style="bold" if claim_type.hotkey else "dim"),
            Text(clip(claim_type.name, name_width)),
            Text(f"{claim_type.excerpt_count or '·':>8}", style="" if claim_type.excerpt_count else "dim"),
            Text(clip(claim_type.description, width), style="dim"),
        ]

    def on_resize(self) -> None:
        """Give the description column the new width."""
        if self.types:
            self.reload()

    def current_type(self) -> ClaimType | None:
        """The claim type under the cursor, or None."""
        if not self.types or self.table.row_count == 0:
            return None
        row = self.table.cursor_row
        return self.types[row] if 0 <= row < len(self.types) else None

    @on(DataTable.RowHighlighted, "#codebook-table")
    def _highlighted(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        claim_type = self.current_type()
        detail = Text()
        if claim_type is not None:
            detail.append(inert_line(claim_type.name), style=f"bold {safe_colour(claim_type.colour)}".strip())
            detail.append("  ")
            detail.append(inert_line(claim_type.colour or "no colour"), style="dim")
            detail.append(f" · key {claim_type.hotkey}" if claim_type.hotkey else " · no hotkey", style="dim")
            detail.append(f" · {count(claim_type.excerpt_count, 'excerpt')}\n", style="dim")
            detail.append(inert_line(claim_type.description) if claim_type.description else "No description: press d to write one.",
                          style="" if claim_type.description else "dim italic")
        self.query_one("#codebook-detail", Static).update(detail)

    def _need_type(self) -> ClaimType | None:
        claim_type = self.current_type()
        if claim_type is None:
            self.notify("No claim type selected: press a to add one", severity="warning")
        return claim_type

    def _select(self, claim_type: ClaimType) -> None:
        """After a change: keep (or put) the cursor on this type when the table is redrawn."""
        self._select_id = claim_type.id

    # -- checks done in the dialog, so what was typed can be corrected -------------------------

    def _name_problem(self, name: str, except_id: str | None = None) -> str | None:
        name = " ".join(name.split())
        if not name:
            return "A claim type needs a name."
        for other in self.types:
            if other.name.casefold() == name.casefold() and other.id != except_id:
                return f"There is already a claim type called '{other.name}'."
        return None

    def _hotkey_problem(self, claim_type: ClaimType, value: str) -> str | None:
        value = value.strip()
        if not value:
            return None
        if not (len(value) == 1 and value in "123456789"):
            return "A hotkey is one digit from 1 to 9 (leave it empty to clear it)."
        holder = next((t for t in self.types if t.hotkey == int(value) and t.id != claim_type.id), None)
        if holder is not None:
            return f"Key {value} is already used by '{holder.name}': clear it there first (or choose another)."
        return None

    # -- actions -------------------------------------------------------------------------------

    def action_add(self) -> None:
        """Ask for a name and add the claim type at the end of the codebook."""
        self.app.push_screen(
            CheckedPrompt(dialog_text("New claim type: its name"), check=self._name_problem, placeholder="e.g. Payment or promise"),
            self._add,
        )

    def _add(self, name: str | None) -> None:
        if name is None:
            return
        self.submit(codebook.add_type, name, then=self._added)

    def _added(self, claim_type: ClaimType) -> None:
        self._select(claim_type)
        self.notify(f"Added '{inert_line(claim_type.name)}' (d describes it, k gives it a hotkey)", markup=False)

    def action_rename(self) -> None:
        """Rename the selected claim type."""
        claim_type = self._need_type()
        if claim_type is None:
            return
        self.app.push_screen(
            CheckedPrompt(dialog_text(f"Rename '{inert_line(claim_type.name)}'"), claim_type.name,
                          check=partial(self._name_problem, except_id=claim_type.id)),
            partial(self._edit, claim_type, "name"),
        )

    def action_describe(self) -> None:
        """Edit the description of the selected claim type (ctrl+s saves)."""
        claim_type = self._need_type()
        if claim_type is None:
            return
        self.app.push_screen(
            TextPrompt(dialog_text(f"Description of '{inert_line(claim_type.name)}'"), claim_type.description, multiline=True),  # type: ignore[arg-type]
            partial(self._edit, claim_type, "description"),
        )

    def _edit(self, claim_type: ClaimType, field: str, value: str | None) -> None:
        if value is None:
            return
        if field == "name" and " ".join(value.split()) == claim_type.name:
            return
        self.submit(partial(codebook.edit_type, **{field: value}), claim_type.id, then=self._select)

    def action_hotkey(self) -> None:
        """Set (or clear) the number key of the selected claim type."""
        claim_type = self._need_type()
        if claim_type is None:
            return
        self.app.push_screen(
            CheckedPrompt(dialog_text(f"Hotkey of '{inert_line(claim_type.name)}': a digit 1-9, empty clears it"),
                          str(claim_type.hotkey or ""), check=partial(self._hotkey_problem, claim_type)),
            partial(self._set_hotkey, claim_type),
        )

    def _set_hotkey(self, claim_type: ClaimType, value: str | None) -> None:
        if value is None:
            return
        hotkey = int(value.strip()) if value.strip() else None
        if hotkey == claim_type.hotkey:
            return

        def done(changed: ClaimType) -> None:
            self._select(changed)
            self.notify(f"'{inert_line(changed.name)}' is on key {hotkey}" if hotkey else f"'{inert_line(changed.name)}' has no hotkey now",
                        markup=False)

        self.submit(partial(codebook.edit_type, hotkey=hotkey), claim_type.id, then=done)

    def action_recolour(self) -> None:
        """Choose a colour from the palette, or type #rrggbb."""
        claim_type = self._need_type()
        if claim_type is None:
            return
        palette = list(dict.fromkeys([*codebook.PALETTE, *(safe_colour(t.colour) for t in self.types if safe_colour(t.colour))]))
        items = [
            PickerItem(colour, f"{SWATCH} {colour}", "current" if colour == claim_type.colour else
                       ", ".join(t.name for t in self.types if t.colour == colour), colour)
            for colour in palette
        ]
        self.app.push_screen(
            PickerScreen(dialog_text(f"Colour of '{inert_line(claim_type.name)}' (or type #rrggbb)"), items,  # type: ignore[arg-type]
                         allow_create=True, create_label="Use colour"),
            partial(self._recolour, claim_type),
        )

    def _recolour(self, claim_type: ClaimType, picked: Picked | None) -> None:
        if picked is None:
            return
        colour = picked.value.strip()
        match = _HEX.match(colour)
        if not match:
            self.notify(f"'{inert_line(colour)}' is not a colour: write it as #rrggbb, e.g. #e5c07b", severity="error", markup=False)
            return
        self.submit(partial(codebook.edit_type, colour="#" + match.group(1)), claim_type.id, then=self._select)

    def action_move(self, offset: int) -> None:
        """Move the selected claim type up (-1) or down (1) the codebook's order."""
        claim_type = self._need_type()
        if claim_type is None:
            return
        index = self.types.index(claim_type)
        if not 0 <= index + offset < len(self.types):
            return
        self.submit(codebook.move_type, claim_type.id, offset, then=lambda _types: self._select(claim_type))

    def action_merge(self) -> None:
        """Merge the selected claim type into another one picked from the codebook."""
        claim_type = self._need_type()
        if claim_type is None:
            return
        others = [PickerItem(t.id, t.name, f"{count(t.excerpt_count, 'excerpt')} · {t.description}", safe_colour(t.colour) or None)
                  for t in self.types if t.id != claim_type.id]
        if not others:
            self.notify("There is no other claim type to merge into", severity="warning")
            return
        self.app.push_screen(
            PickerScreen(dialog_text(f"Merge '{inert_line(claim_type.name)}' into…"), others),  # type: ignore[arg-type]
            partial(self._merge_picked, claim_type),
        )

    def _merge_picked(self, claim_type: ClaimType, picked: Picked | None) -> None:
        if picked is None:
            return
        target = next((t for t in self.types if t.id == picked.value), None)
        if target is None:
            return

        def ask(impact: tuple[ClaimType, int]) -> None:
            source, claims = impact
            moves = [count(source.excerpt_count, "excerpt")] + ([count(claims, "claim")] if claims else [])
            question = (f"Merge '{inert_line(source.name)}' into '{inert_line(target.name)}'? "
                        f"Its {' and '.join(moves)} {'moves' if moves == ['1 excerpt'] else 'move'} to '{inert_line(target.name)}', and "
                        f"'{inert_line(source.name)}' leaves the codebook.")
            self.app.push_screen(ConfirmScreen(dialog_text(question)), partial(self._merge, source, target))  # type: ignore[arg-type]

        self.submit(type_impact, claim_type.id, then=ask, changed=False)

    def _merge(self, source: ClaimType, target: ClaimType, yes: bool | None) -> None:
        if not yes:
            return

        def done(merged: ClaimType) -> None:
            self._select(merged)
            self.notify(f"Merged '{inert_line(source.name)}' into '{inert_line(merged.name)}' "
                        f"({count(merged.excerpt_count, 'excerpt')} now) · u undoes", markup=False)

        self.submit(codebook.merge_types, source.id, target.id, then=done)

    def action_delete(self) -> None:
        """Delete the selected claim type; when excerpts or claims use it, ask first."""
        claim_type = self._need_type()
        if claim_type is None:
            return

        def ask(impact: tuple[ClaimType, int]) -> None:
            current, claims = impact
            if not current.excerpt_count and not claims:
                self._delete(current, True)
                return
            losses = []
            if current.excerpt_count:
                losses.append(f"{count(current.excerpt_count, 'excerpt')} lose{'s' if current.excerpt_count == 1 else ''} this tag")
            if claims:
                losses.append(f"{count(claims, 'claim')} lose{'s' if claims == 1 else ''} {'its' if claims == 1 else 'their'} type")
            question = f"Delete '{inert_line(current.name)}'? {'; '.join(losses)}."
            self.app.push_screen(ConfirmScreen(dialog_text(question)), partial(self._delete, current))  # type: ignore[arg-type]

        self.submit(type_impact, claim_type.id, then=ask, changed=False)

    def _delete(self, claim_type: ClaimType, yes: bool | None) -> None:
        if not yes:
            return
        self.submit(codebook.remove_type, claim_type.id,
                    then=lambda _count: self.notify(f"Deleted '{inert_line(claim_type.name)}' · u undoes", markup=False))

    def action_undo(self) -> None:
        """Undo your last change in this case file."""
        self.submit(partial(history.undo_last, only_mine=True),
                    then=lambda op: self.notify("Nothing to undo" if op is None else f"Undone: {inert_line(op.summary or op.name)}",
                                                markup=False))

    @on(DataTable.RowSelected, "#codebook-table")
    def _open(self) -> None:
        # The Excerpts screen has no filter API yet: it opens unfiltered.
        if self.current_type() is not None:
            self.app.switch_mode("excerpts")
