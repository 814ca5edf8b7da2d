"""The Entities screen: people, organisations, places and units, with their aliases and links.

Filter as you type, add entities and aliases, rename, change the kind, merge a duplicate into the
right entity, and find the entity's mentions in the sources that are not yet linked to it, tagging
them from the list. Every change goes through ``evidence_tui.domain.entities`` on the background
writer.
"""

from __future__ import annotations

from functools import partial

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from evidence_tui.domain import entities, history
from evidence_tui.domain.entities import Mention
from evidence_tui.domain.models import Entity, Excerpt
from evidence_tui.store.schema import ENTITY_KINDS
from evidence_tui.textsafety import clip, inert_line
from evidence_tui.tui.screens.base import EvidenceScreen, Footer
from evidence_tui.tui.screens.picker import Picked, PickerItem, PickerScreen
from evidence_tui.tui.screens.prompt import ConfirmScreen
from evidence_tui.tui.widgets.codebook_prompt import CheckedPrompt, dialog_text
from evidence_tui.words import count

KIND_STYLES = {"person": "#e5c07b", "organisation": "#61afef", "place": "#98c379", "unit": "#e06c75", "other": "#abb2bf"}
# (key, label, width): the aliases column takes what is left.
COLUMNS = (("name", "Name", 34), ("kind", "Kind", 12), ("aliases", "Aliases", None), ("excerpts", "Excerpts", 8),
           ("claims", "Claims", 6))


def matches(entity: Entity, query: str) -> bool:
    """Whether the filter text occurs in the entity's name or one of its aliases (ignoring case)."""
    query = query.casefold()
    return any(query in name.casefold() for name in (entity.name, *entity.aliases))


class EntitiesScreen(EvidenceScreen):
    """Every entity with its aliases and how often it is linked; f finds unlinked mentions."""

    TITLE_TEXT = "Entities"
    CSS_PATH = "entities.tcss"
    BINDINGS = [
        Binding("slash", "filter", "Filter", key_display="/", id="entities.filter", tooltip="Filter by name or alias as you type"),
        Binding("a", "add", "Add", id="entities.add", tooltip="Add an entity (name, then kind)"),
        Binding("A", "alias", "Alias", key_display="A", id="entities.alias", tooltip="Give the selected entity other names (several: separate with ;)"),
        Binding("r", "rename", "Rename", id="entities.rename", tooltip="Rename the selected entity"),
        Binding("t", "kind", "Kind", id="entities.kind", tooltip="Change the kind of the selected entity (person, organisation…)"),
        Binding("M", "merge", "Merge…", key_display="M", id="entities.merge", tooltip="Merge the selected entity into another: links kept, its names become aliases"),
        Binding("f", "mentions", "Mentions", id="entities.mentions", tooltip="Find the entity's names in the sources where it is not linked yet, and tag them"),
        Binding("u", "undo", "Undo", id="entities.undo", tooltip="Undo your last change in this case file"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.all: list[Entity] = []
        self.shown: list[Entity] = []
        self.filter_text = ""
        self._select_id: str | None = None

    def compose(self) -> ComposeResult:
        """A filter box (hidden until /), the table, the selected entity's names, a status line."""
        yield from self.compose_frame()
        yield Input(placeholder="filter: part of a name or alias (escape to close)", id="entities-filter", classes="filter-box hidden")
        yield DataTable(id="entities-table", cursor_type="row", cursor_foreground_priority="renderable")
        yield Static(id="entities-detail")
        yield Static(id="entities-status", classes="status-line")
        yield Footer()

    @property
    def table(self) -> DataTable:
        """The entities table."""
        return self.query_one("#entities-table", DataTable)

    def on_mount(self) -> None:
        """Set up the columns, load the entities and focus the table."""
        super().on_mount()
        for key, label, width in COLUMNS:
            self.table.add_column(label, key=key, width=width or self._aliases_width())
        self.reload()
        self.table.focus()

    def _aliases_width(self) -> int:
        fixed = sum(width or 0 for _key, _label, width in COLUMNS)
        padding = 2 * self.table.cell_padding * len(COLUMNS)
        return max(16, (self.app.size.width or 120) - fixed - padding - 2)

    # -- showing -------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the entities again and show those matching the filter."""
        if not self.table.columns:
            return
        self.all = entities.list_entities(self.case)
        self._refill()

    def _refill(self) -> None:
        table = self.table
        current = self.current_entity()
        wanted = self._select_id or (current.id if current else None)
        self._select_id = None
        old_row = table.cursor_row
        self.shown = [e for e in self.all if matches(e, self.filter_text)] if self.filter_text else list(self.all)
        width = self._aliases_width()
        table.columns["aliases"].width = width  # type: ignore[index]
        table.clear()
        for entity in self.shown:
            table.add_row(*self._cells(entity, width), key=entity.id)
        if self.shown:
            ids = [e.id for e in self.shown]
            row = ids.index(wanted) if wanted in ids else min(old_row, len(ids) - 1)
            table.move_cursor(row=row, animate=False)
        self._show_detail()
        if not self.all:
            status = "No entities yet: press a to add one."
        elif self.filter_text:
            status = f"{len(self.shown)} of {count(len(self.all), 'entity')} match '{inert_line(self.filter_text)}'"
        else:
            status = f"{count(len(self.all), 'entity')} · f finds unlinked mentions of the selected one"
        self.query_one("#entities-status", Static).update(Text(status))

    @staticmethod
    def _cells(entity: Entity, width: int) -> list[Text]:
        return [
            Text(clip(entity.name, 34)),
            Text(entity.kind, style=KIND_STYLES.get(entity.kind, "")),
            Text(clip(" · ".join(entity.aliases), width), style="dim"),
            Text(f"{entity.excerpt_count or '·':>8}", style="" if entity.excerpt_count else "dim"),
            Text(f"{entity.claim_count or '·':>6}", style="" if entity.claim_count else "dim"),
        ]

    def on_resize(self) -> None:
        """Give the aliases column the new width."""
        if self.all:
            self._refill()

    def current_entity(self) -> Entity | None:
        """The entity under the cursor, or None."""
        if not self.shown or self.table.row_count == 0:
            return None
        row = self.table.cursor_row
        return self.shown[row] if 0 <= row < len(self.shown) else None

    @on(DataTable.RowHighlighted, "#entities-table")
    def _highlighted(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        entity = self.current_entity()
        detail = Text()
        if entity is not None:
            detail.append(inert_line(entity.name), style="bold")
            detail.append("  ")
            detail.append(entity.kind, style=KIND_STYLES.get(entity.kind, ""))
            detail.append(f" · {count(entity.excerpt_count, 'excerpt')} · {count(entity.claim_count, 'claim')}\n",
                          style="dim")
            if entity.aliases:
                detail.append("also: ", style="dim")
                detail.append(" · ".join(inert_line(a) for a in entity.aliases))
            else:
                detail.append("No aliases: A adds other spellings and names in other languages.", style="dim italic")
            if entity.notes:
                detail.append("\n" + inert_line(entity.notes), style="italic")
        self.query_one("#entities-detail", Static).update(detail)

    def _need_entity(self) -> Entity | None:
        entity = self.current_entity()
        if entity is None:
            self.notify("No entity selected: press a to add one" if not self.all else "No entity matches the filter",
                        severity="warning")
        return entity

    def _select(self, entity: Entity) -> None:
        self._select_id = entity.id

    # -- filter --------------------------------------------------------------------------------

    def action_filter(self) -> None:
        """Show the filter box and focus it."""
        box = self.query_one("#entities-filter", Input)
        box.remove_class("hidden")
        box.focus()

    @on(Input.Changed, "#entities-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value.strip()
        self._refill()

    @on(Input.Submitted, "#entities-filter")
    def _filter_done(self) -> None:
        self.table.focus()

    def action_back(self) -> None:
        """Escape closes the filter first (clearing it); otherwise leave the screen."""
        box = self.query_one("#entities-filter", Input)
        if box.has_focus or (not box.has_class("hidden") and box.value):
            box.value = ""
            box.add_class("hidden")
            self.table.focus()
            return
        super().action_back()

    # -- adding and editing --------------------------------------------------------------------

    @staticmethod
    def _name_problem(name: str) -> str | None:
        return None if name.split() else "An entity needs a name."

    def action_add(self) -> None:
        """Ask for a name, then the kind, and add the entity."""
        self.app.push_screen(
            CheckedPrompt(dialog_text("New entity: its name"), self.filter_text, check=self._name_problem,
                          placeholder="e.g. Sergiy Kyslytsya"),
            self._add_named,
        )

    def _add_named(self, name: str | None) -> None:
        if name is None:
            return
        name = " ".join(name.split())
        kinds = [PickerItem(kind, kind, colour=KIND_STYLES.get(kind)) for kind in ENTITY_KINDS]
        self.app.push_screen(PickerScreen(dialog_text(f"What is '{inert_line(name)}'?"), kinds), partial(self._add, name))  # type: ignore[arg-type]

    def _add(self, name: str, kind: Picked | None) -> None:
        if kind is None:
            return

        def done(entity: Entity) -> None:
            self._select(entity)
            if self.filter_text and not matches(entity, self.filter_text):
                self.query_one("#entities-filter", Input).value = ""
            self.notify(f"Added {entity.kind} '{inert_line(entity.name)}' (A adds aliases, f finds mentions)", markup=False)

        self.submit(entities.add_entity, name, kind.value, then=done)

    def action_alias(self) -> None:
        """Give the selected entity one or more aliases (separated by ;)."""
        entity = self._need_entity()
        if entity is None:
            return
        self.app.push_screen(
            CheckedPrompt(dialog_text(f"Other names of '{inert_line(entity.name)}' (separate several with ;)"),
                          check=lambda text: None if any(a.strip() for a in text.split(";")) else "Type at least one name.",
                          placeholder="e.g. Kyslytsya; Сергій Кислиця"),
            partial(self._add_aliases, entity),
        )

    def _add_aliases(self, entity: Entity, text: str | None) -> None:
        if text is None:
            return
        aliases = [" ".join(a.split()) for a in text.split(";") if a.strip()]
        taken = {a.casefold(): other.name for other in self.all if other.id != entity.id for a in (other.name, *other.aliases)}
        clashes = [f"'{inert_line(a)}' also names '{inert_line(taken[a.casefold()])}'" for a in aliases if a.casefold() in taken]

        def done(updated: Entity) -> None:
            self._select(updated)
            added = len(updated.aliases) - len(entity.aliases)
            message = f"{count(added, 'alias')} added to '{inert_line(updated.name)}'" if added else "No new alias (it had them all)"
            self.notify(message, markup=False)
            if clashes:
                self.notify("; ".join(clashes) + " (merge them with M if they are the same)", severity="warning", markup=False)

        self.submit(entities.add_alias, entity.id, *aliases, then=done)

    def action_rename(self) -> None:
        """Rename the selected entity."""
        entity = self._need_entity()
        if entity is None:
            return
        self.app.push_screen(
            CheckedPrompt(dialog_text(f"Rename '{inert_line(entity.name)}'"), entity.name, check=self._name_problem),
            partial(self._rename, entity),
        )

    def _rename(self, entity: Entity, name: str | None) -> None:
        if name is None or " ".join(name.split()) == entity.name:
            return
        self.submit(partial(entities.edit_entity, name=name), entity.id, then=self._select)

    def action_kind(self) -> None:
        """Change the kind of the selected entity."""
        entity = self._need_entity()
        if entity is None:
            return
        kinds = [PickerItem(kind, kind, "current" if kind == entity.kind else "", KIND_STYLES.get(kind)) for kind in ENTITY_KINDS]
        self.app.push_screen(PickerScreen(dialog_text(f"What is '{inert_line(entity.name)}'?"), kinds),  # type: ignore[arg-type]
                             partial(self._set_kind, entity))

    def _set_kind(self, entity: Entity, kind: Picked | None) -> None:
        if kind is None or kind.value == entity.kind:
            return
        self.submit(partial(entities.edit_entity, kind=kind.value), entity.id, then=self._select)

    # -- merging -------------------------------------------------------------------------------

    def action_merge(self) -> None:
        """Merge the selected entity into another (picked): its links move, its names become aliases."""
        entity = self._need_entity()
        if entity is None:
            return
        others = [
            PickerItem(e.id, e.name, f"{e.kind} · {' · '.join(e.aliases)}".strip(" ·"), KIND_STYLES.get(e.kind))
            for e in self.all if e.id != entity.id
        ]
        if not others:
            self.notify("There is no other entity to merge into", severity="warning")
            return
        self.app.push_screen(
            PickerScreen(dialog_text(f"Merge '{inert_line(entity.name)}' into… (the right name)"), others),  # type: ignore[arg-type]
            partial(self._merge_picked, entity),
        )

    def _merge_picked(self, entity: Entity, picked: Picked | None) -> None:
        if picked is None:
            return
        target = next((e for e in self.all if e.id == picked.value), None)
        if target is None:
            return
        links = [count(entity.excerpt_count, "excerpt link")]
        if entity.claim_count:
            links.append(count(entity.claim_count, "claim link"))
        names = "its name" + (f" and {count(len(entity.aliases), 'alias')}" if entity.aliases else "")
        question = (f"Merge '{inert_line(entity.name)}' into '{inert_line(target.name)}'? "
                    f"Its {' and '.join(links)} {'moves' if links == ['1 excerpt link'] else 'move'} to '{inert_line(target.name)}', "
                    f"{names} {'becomes an alias' if names == 'its name' else 'become aliases'} "
                    f"of it, and '{inert_line(entity.name)}' is removed.")
        self.app.push_screen(ConfirmScreen(dialog_text(question)), partial(self._merge, entity, target))  # type: ignore[arg-type]

    def _merge(self, entity: Entity, target: Entity, yes: bool | None) -> None:
        if not yes:
            return

        def done(merged: Entity) -> None:
            self._select(merged)
            self.notify(f"Merged '{inert_line(entity.name)}' into '{inert_line(merged.name)}' "
                        f"({count(merged.excerpt_count, 'excerpt')}) · u undoes", markup=False)

        self.submit(entities.merge_entities, entity.id, target.id, then=done)

    # -- mentions, undo ------------------------------------------------------------------------

    def action_mentions(self) -> None:
        """List where the entity's names occur in the sources but it is not linked yet."""
        entity = self._need_entity()
        if entity is None:
            return
        self.app.push_screen(MentionsScreen(entity))

    def action_undo(self) -> None:
        """Undo your last change in this case file."""
        self.submit(partial(history.undo_last, only_mine=True),
                    then=lambda op: self.notify("Nothing to undo" if op is None else f"Undone: {inert_line(op.summary or op.name)}",
                                                markup=False))

    @on(DataTable.RowSelected, "#entities-table")
    def _open(self) -> None:
        self.action_mentions()


def mention_label(mention: Mention) -> Text:
    """A mention as two lines: the source's title, then the text around it with the name marked."""
    label = Text(no_wrap=True, overflow="ellipsis")
    label.append(inert_line(mention.source_title), style="bold")
    label.append(f"  @{mention.start}\n", style="dim")
    context = inert_line(mention.context)
    at, length = mention.context_start, len(mention.text)
    label.append(context[:at], style="dim")
    label.append(context[at:at + length], style="bold reverse")
    label.append(context[at + length:], style="dim")
    return label


class MentionsScreen(ModalScreen[None]):
    """Mentions of one entity not yet linked to it: Enter or l tags one, o opens the reader there."""

    CSS_PATH = "entities.tcss"
    BINDINGS = [
        Binding("l", "tag", "Tag", id="mentions.tag", tooltip="Mark the sentence around the mention as an excerpt linked to the entity"),
        Binding("o", "open", "Open", id="mentions.open", tooltip="Open the source in the reader at the mention"),
        Binding("escape,q", "close", "Close", id="mentions.close", tooltip="Close the list of mentions"),
    ]

    def __init__(self, entity: Entity, limit: int = 200) -> None:
        super().__init__()
        self.entity = entity
        self.limit = limit
        self.mentions: list[Mention] = []
        self.pending: set[str] = set()
        self.loaded = False

    def compose(self) -> ComposeResult:
        """Title, count, the list and the keys."""
        with Vertical(id="mentions"):
            yield Label(Text(f"Unlinked mentions of '{inert_line(self.entity.name)}'"), id="mentions-title")
            yield Static(Text("Searching the sources…", style="dim italic"), id="mentions-status")
            yield OptionList(id="mentions-list")
            yield Label(Text("enter/l tag the sentence · o open in the reader · escape close", style="dim"))

    @property
    def options(self) -> OptionList:
        """The list of mentions."""
        return self.query_one("#mentions-list", OptionList)

    def on_screen_resume(self) -> None:
        """Search (again: coming back from the reader, some may have been tagged there)."""
        self.options.focus()
        self.refresh_mentions()

    def refresh_mentions(self, done: str | None = None) -> None:
        """Find the mentions in the background, after any change queued before (``done``: a tag)."""
        self.app.db.submit(entities.find_mentions, self.entity.id, self.limit,  # type: ignore[attr-defined]
                           then=partial(self._show, done), changed=False)

    def _show(self, done: str | None, mentions: list[Mention]) -> None:
        self.pending.discard(done or "")
        if not self.is_attached:
            return
        options = self.options
        old = options.highlighted
        self.mentions = mentions
        self.loaded = True
        options.clear_options()
        items: list[Option | None] = []
        for mention in mentions:
            if items:
                items.append(None)  # a divider between mentions
            items.append(Option(mention_label(mention), id=mention.key, disabled=mention.key in self.pending))
        options.add_options(items)
        if mentions:
            options.highlighted = min(old or 0, len(mentions) - 1)
        sources = len({m.source_id for m in mentions})
        if not mentions:
            status = Text(f"No unlinked mentions: every occurrence of its {count(len(self.entity.aliases) + 1, 'name')} "
                          "is in an excerpt linked to it.", style="dim")
        else:
            more = " (the first ones)" if len(mentions) >= self.limit else ""
            status = Text(f"{count(len(mentions), 'mention')}{more} in {count(sources, 'source')}, not yet linked")
        self.query_one("#mentions-status", Static).update(status)

    def current(self) -> Mention | None:
        """The highlighted mention, or None."""
        index = self.options.highlighted
        if index is None or not 0 <= index < len(self.mentions):
            return None
        return self.mentions[index]

    @on(OptionList.OptionSelected, "#mentions-list")
    def _selected(self) -> None:
        self.action_tag()

    def action_tag(self) -> None:
        """Mark the sentence around the highlighted mention as an excerpt and link the entity."""
        mention = self.current()
        if mention is None or mention.key in self.pending:
            return
        self.pending.add(mention.key)
        self.options.disable_option(mention.key)
        self.app.db.submit(entities.tag_mention, self.entity.id, mention.source_id, mention.start, mention.end,  # type: ignore[attr-defined]
                           then=partial(self._tagged, mention))
        # Queued after the tag (the writer runs in order), so it sees the new excerpt; it runs
        # even if tagging failed, which frees the mention again.
        self.refresh_mentions(done=mention.key)

    def _tagged(self, mention: Mention, excerpt: Excerpt) -> None:
        self.notify(f"Excerpt {excerpt.short_id} in '{inert_line(mention.source_title)}' linked to "
                    f"'{inert_line(self.entity.name)}'", markup=False)

    def action_open(self) -> None:
        """Open the reader at the highlighted mention, with the name selected."""
        from evidence_tui.tui.screens.reader import ReaderScreen

        mention = self.current()
        if mention is None:
            return
        self.app.push_screen(ReaderScreen(mention.source_id, cursor=mention.start, select=(mention.start, mention.end)))

    def action_close(self) -> None:
        """Close the list."""
        self.dismiss(None)
