"""The reader: one source's text, excerpts marked and tagged from the keyboard."""

from __future__ import annotations

from functools import partial

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from evidence_tui.domain import codebook, excerpts, sources
from evidence_tui.domain.models import ClaimType, Excerpt, Source
from evidence_tui.errors import EvidenceError
from evidence_tui.textsafety import colour_or, inert_line
from evidence_tui.tui.excerpt_actions import ExcerptActions, carries_work, delete_question
from evidence_tui.tui.screens.base import EvidenceScreen, Footer
from evidence_tui.tui.screens.picker import Picked, PickerItem, PickerScreen
from evidence_tui.tui.screens.prompt import ConfirmScreen
from evidence_tui.tui.widgets.excerpt_panel import ExcerptPanel, source_header
from evidence_tui.tui.widgets.source_view import Mark, SourceView

UNTYPED_COLOUR = "#9aa0a6"


def _mark(excerpt: Excerpt) -> Mark:
    # A colour another tool wrote that is no colour: drawn as an untyped excerpt, not a crash.
    colour = excerpt.claim_types[0].colour if excerpt.claim_types else None
    return Mark(excerpt.id, excerpt.start, excerpt.end, colour_or(colour, UNTYPED_COLOUR))


class ReaderScreen(ExcerptActions, EvidenceScreen):
    """Read a source, mark excerpts, tag them (1-9, t), annotate and link them."""

    TITLE_TEXT = "Reader"
    BINDINGS = [
        *(Binding(str(n), f"tag({n})", f"Tag {n}", show=False, id=f"reader.tag{n}",
                  tooltip=f"Tag the selection (or the excerpt here) with claim type {n}") for n in range(1, 10)),
        Binding("t", "pick_type", "Type…", id="reader.pick_type", tooltip="Tag with any claim type (fuzzy picker; a new name creates one)"),
        Binding("n", "note", "Note", id="reader.note", tooltip="Write the note of the excerpt under the cursor"),
        Binding("e", "link_entity", "Entity…", id="reader.entity", tooltip="Link an entity to the excerpt (create one inline)"),
        Binding("c", "attach_claim", "Claim…", id="reader.claim", tooltip="Attach the excerpt to a claim (supports/contradicts)"),
        Binding("left_square_bracket", "jump(-1)", "Prev excerpt", key_display="[", show=False, id="reader.prev", tooltip="Jump to the previous excerpt"),
        Binding("right_square_bracket", "jump(1)", "Next excerpt", key_display="]", show=False, id="reader.next", tooltip="Jump to the next excerpt"),
        Binding("x", "delete_excerpt", "Delete", show=False, id="reader.delete", tooltip="Delete the excerpt under the cursor (asks first if it has links, a note or a decision; u brings it back)"),
        Binding("u", "undo", "Undo", id="reader.undo", tooltip="Undo your last change"),
    ]

    def __init__(self, source_id: str, *, cursor: int = 0, select: tuple[int, int] | None = None) -> None:
        super().__init__()
        self.source_id = source_id
        self.start_cursor = cursor
        self.start_selection = select
        self.source: Source | None = None
        self.excerpts: list[Excerpt] = []
        self.types: list[ClaimType] = []
        self.current_excerpt_id: str | None = None
        self._pending = 0  # optimistic marks drawn, their writes not yet back
        self._fresh_at: int | None = None  # the app's revision that what is shown is already up to date with

    def compose(self) -> ComposeResult:
        """The text on the left, the excerpt panel on the right."""
        yield from self.compose_frame()
        with Horizontal(id="reader"):
            yield SourceView(id="source-view")
            with Vertical(id="reader-side"):
                yield Static(id="source-header")
                yield ExcerptPanel(id="excerpt-panel")
        yield Footer()

    @property
    def view(self) -> SourceView:
        """The text widget."""
        return self.query_one(SourceView)

    def on_mount(self) -> None:
        """Load the source and its excerpts, and put the cursor where it was asked."""
        super().on_mount()
        try:
            self.source = sources.get_source(self.case, self.source_id)
        except EvidenceError as error:
            self.notify(str(error), severity="error", markup=False)
            self.app.pop_screen()
            return
        self.sub_title = inert_line(self.source.title)  # the header shows it: no raw ESC from a source
        self.query_one("#source-header", Static).update(source_header(self.source))
        self.view.set_text(self.source.text or "", self.start_cursor)
        self.reload()
        if self.start_selection:
            self.view.select(*self.start_selection)
        self.view.focus()

    def reload(self) -> None:
        """Fetch the source's excerpts and the codebook again and redraw the marks."""
        if self.source is None:
            return
        if self._fresh_at is not None and self._fresh_at == self.app.revision:
            return  # the change was this screen's own tag, already drawn from the write's result
        if self._pending:
            return  # a tag is on its way: its result redraws its mark (reloading now would drop it)
        self.excerpts = excerpts.excerpts_in_source(self.case, self.source_id)
        self.types = codebook.list_types(self.case)
        self.query_one(ExcerptPanel).hotkeys = [t for t in self.types if t.hotkey]
        self.view.set_marks([_mark(e) for e in self.excerpts])

    # -- what is under the cursor -----------------------------------------------------------

    def excerpts_here(self) -> list[Excerpt]:
        """The excerpts under the cursor, the current one first."""
        by_id = {e.id: e for e in self.excerpts}
        marks = self.view.marks_at(self.view.cursor)
        ids = [m.id for m in marks]
        if self.current_excerpt_id in ids:
            ids.remove(self.current_excerpt_id)
            ids.insert(0, self.current_excerpt_id)
        return [by_id[i] for i in ids if i in by_id]

    def current_excerpt(self) -> Excerpt | None:
        """The excerpt the next action applies to, or None."""
        here = self.excerpts_here()
        return here[0] if here else None

    def excerpt_for_action(self) -> Excerpt | None:
        """The excerpt n, e, c apply to: the one under the cursor (or a hint when there is none)."""
        excerpt = self.current_excerpt()
        if excerpt is None:
            self.notify("Put the cursor on an excerpt first ([ and ] jump between them)", severity="warning")
        return excerpt

    @on(SourceView.CursorMoved)
    def _cursor_moved(self) -> None:
        self.query_one(ExcerptPanel).show_excerpts(self.excerpts_here(), self.view.selection)

    # -- tagging ---------------------------------------------------------------------------

    def action_tag(self, hotkey: int) -> None:
        """Tag the selection (making an excerpt) or the excerpt here with the type on this key."""
        claim_type = next((t for t in self.types if t.hotkey == hotkey), None)
        if claim_type is None:
            self.notify(f"No claim type on key {hotkey}: give one a hotkey in the Codebook (F5)", severity="warning")
            return
        self._tag_with(claim_type.id)

    def _tag_with(self, type_id: str) -> None:
        selection = self.view.selection
        if selection:
            start, end = selection
            self.view.clear_selection()
            pending = self._draw_pending(start, end, type_id)
            self.submit(excerpts.add_excerpt, self.source_id, start=start, end=end, types=[type_id],
                        then=partial(self._excerpt_made, pending), on_error=partial(self._write_failed, pending))
            return
        excerpt = self.current_excerpt()
        if excerpt is None:
            self.notify("Select text first: v starts a selection, s selects the sentence", severity="warning")
            return
        self.submit(excerpts.toggle_tag, excerpt.id, type_id, then=self._after_toggle)

    def _draw_pending(self, start: int, end: int, type_id: str | None) -> str:
        """Draw the new excerpt's mark now, before the write is back (it is replaced, or removed on error)."""
        self._pending += 1
        pending_id = f"pending:{self._pending}:{start}:{end}"
        claim_type = next((t for t in self.types if t.id == type_id), None)
        existing = next((e for e in self.excerpts if e.start == start and e.end == end), None)
        if existing is not None and existing.claim_types:
            claim_type = existing.claim_types[0]  # tagging an existing span keeps its first type's colour
        self.view.put_mark(Mark(pending_id, start, end, colour_or(claim_type.colour if claim_type else None, UNTYPED_COLOUR)))
        return pending_id

    def _write_failed(self, pending_id: str, _error: EvidenceError) -> None:
        # The notification says why (DbRunner); the mark drawn ahead goes away.
        self._pending = max(0, self._pending - 1)
        self.view.remove_mark(pending_id)

    def _excerpt_made(self, pending_id: str | None, excerpt: Excerpt) -> None:
        # Only the new (or newly tagged) excerpt changed: put it in place, no reload of the source.
        if pending_id is not None:
            self._pending = max(0, self._pending - 1)
            self.view.remove_mark(pending_id)
        self._put_excerpt(excerpt)
        # The cursor goes onto the new excerpt's last character: the panel shows it, n/e/c/1-9
        # apply to it, and ")" goes on to the next sentence.
        self.current_excerpt_id = excerpt.id
        self.view.move_to(excerpt.end - 1, keep_selection=False)
        names = ", ".join(t.name for t in excerpt.claim_types)
        self.notify(f"Excerpt {excerpt.short_id} tagged {names}", markup=False)

    def _after_toggle(self, result: tuple[Excerpt, bool]) -> None:
        excerpt, added = result
        self._put_excerpt(excerpt)
        self.current_excerpt_id = excerpt.id

    def _put_excerpt(self, excerpt: Excerpt) -> None:
        """Show an excerpt the screen's own write returned (in the list and as a mark)."""
        self.excerpts = sorted([e for e in self.excerpts if e.id != excerpt.id] + [excerpt], key=lambda e: (e.start, e.end))
        self.view.put_mark(_mark(excerpt))
        # The case_changed that follows this write (revision + 1) would reload what is already here.
        self._fresh_at = self.app.revision + 1 if self._pending == 0 else None

    def action_pick_type(self) -> None:
        """Choose any claim type with the fuzzy picker; typing a new name creates it."""
        items = [PickerItem(t.id, t.name, f"{t.hotkey or ''} {t.description}".strip(), t.colour) for t in self.types]
        if not self.view.selection and self.current_excerpt() is None:
            self.notify("Select text first: v starts a selection, s selects the sentence", severity="warning")
            return
        self.app.push_screen(PickerScreen("Tag with claim type", items, allow_create=True, create_label="New claim type"),
                             self._type_picked)

    def _type_picked(self, picked: Picked | None) -> None:
        if picked is None:
            return
        if picked.created:
            selection = self.view.selection
            excerpt = self.current_excerpt()

            def create_and_tag(case, name):
                new_type = codebook.add_type(case, name)
                if selection:
                    return excerpts.add_excerpt(case, self.source_id, start=selection[0], end=selection[1], types=[new_type.id])
                return excerpts.tag_excerpt(case, excerpt.id, [new_type.id])

            self.view.clear_selection()
            self.submit(create_and_tag, picked.value, then=partial(self._excerpt_made, None))
        else:
            self._tag_with(picked.value)

    # -- moving between excerpts, deleting, undo ---------------------------------------------

    def action_jump(self, direction: int) -> None:
        """Move the cursor to the next (or previous) excerpt; overlapping ones are visited in turn."""
        ordered = sorted(self.excerpts, key=lambda e: (e.start, e.end, e.id))
        if not ordered:
            self.notify("No excerpts in this source yet", severity="information")
            return
        ids = [e.id for e in ordered]
        if self.current_excerpt_id in ids and self.current_excerpt_id in [e.id for e in self.excerpts_here()]:
            index = ids.index(self.current_excerpt_id) + direction
        elif direction > 0:
            index = next((i for i, e in enumerate(ordered) if e.start > self.view.cursor), len(ordered))
        else:
            index = max((i for i, e in enumerate(ordered) if e.start < self.view.cursor), default=-1)
        if not 0 <= index < len(ordered):
            self.notify("No more excerpts that way", severity="information")
            return
        target = ordered[index]
        self.current_excerpt_id = target.id
        self.view.move_to(target.start, keep_selection=False)

    def action_delete_excerpt(self) -> None:
        """Delete the excerpt under the cursor (undo with u); asks first when it carries more than
        its span and tags (claims, entities, a note, a review decision)."""
        excerpt = self.excerpt_for_action()
        if excerpt is None:
            return
        if carries_work(excerpt):
            self.app.push_screen(ConfirmScreen(delete_question(excerpt)),
                                 lambda yes: self._delete_excerpt(excerpt) if yes else None)
        else:  # a mark just made in the wrong place: gone at once, as quick to fix as to make
            self._delete_excerpt(excerpt)

    def _delete_excerpt(self, excerpt: Excerpt) -> None:
        self.submit(excerpts.delete_excerpt, excerpt.id,
                    then=lambda gone: self.notify(f"Deleted excerpt {gone.short_id} (u to undo)", markup=False))

    def action_back(self) -> None:
        """Escape first drops a selection; otherwise leave the reader."""
        if self.view.anchor is not None:
            self.view.clear_selection()
            self._cursor_moved()
            return
        super().action_back()
