"""The reader's text: wrapped, with excerpts highlighted, a cursor and a keyboard selection.

A ``ScrollView`` on Textual's line API: only the visible lines are drawn, so a 1 MB article costs
no more to show than a short one. The text is shown inert (control characters as symbols, no
markup). Attributes come down (``text``, ``excerpts``); messages go up (``CursorMoved``).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from evidence_tui.textsafety import colour_or, inert
from evidence_tui.tui.widgets import text_layout as tl


# A mark whose colour cannot be drawn (a bad value in the case file) is drawn in this grey.
FALLBACK_COLOUR = "#9aa0a6"


@dataclass(frozen=True)
class Mark:
    """A highlighted span: an excerpt's id, offsets and colour."""

    id: str
    start: int
    end: int
    colour: str


def _mark_order(mark: Mark) -> tuple[int, int]:
    return (mark.start, mark.end)


class SourceView(ScrollView, can_focus=True):
    """Shows a text with marks; a cursor moves by character, word, sentence, paragraph, line."""

    BINDINGS = [
        Binding("left", "move('char', -1)", "Left", show=False, id="reader.left"),
        Binding("right", "move('char', 1)", "Right", show=False, id="reader.right"),
        Binding("up", "move('line', -1)", "Up", show=False, id="reader.up"),
        Binding("down", "move('line', 1)", "Down", show=False, id="reader.down"),
        Binding("w,ctrl+right", "move('word', 1)", "Next word", show=False, id="reader.word_next",
                tooltip="Move to the next word"),
        Binding("b,ctrl+left", "move('word', -1)", "Previous word", show=False, id="reader.word_prev",
                tooltip="Move to the previous word"),
        Binding("right_parenthesis", "move('sentence', 1)", "Next sentence", show=False, id="reader.sentence_next",
                key_display=")", tooltip="Move to the next sentence"),
        Binding("left_parenthesis", "move('sentence', -1)", "Previous sentence", show=False, id="reader.sentence_prev",
                key_display="(", tooltip="Move to the start of the sentence"),
        Binding("right_curly_bracket", "move('paragraph', 1)", "Next paragraph", show=False,
                id="reader.paragraph_next", key_display="}", tooltip="Move to the next paragraph"),
        Binding("left_curly_bracket", "move('paragraph', -1)", "Previous paragraph", show=False,
                id="reader.paragraph_prev", key_display="{", tooltip="Move to the start of the paragraph"),
        Binding("pagedown", "move('page', 1)", "Page down", show=False, id="reader.page_down"),
        Binding("pageup", "move('page', -1)", "Page up", show=False, id="reader.page_up"),
        Binding("home", "move('line_edge', -1)", "Line start", show=False, id="reader.home"),
        Binding("end", "move('line_edge', 1)", "Line end", show=False, id="reader.end"),
        Binding("ctrl+home", "move('document', -1)", "Top", show=False, id="reader.top"),
        Binding("ctrl+end", "move('document', 1)", "Bottom", show=False, id="reader.bottom"),
        Binding("v", "toggle_selection", "Select", id="reader.select",
                tooltip="Start a selection at the cursor (movement extends it); again to cancel"),
        Binding("s", "select_sentence", "Sentence", id="reader.select_sentence",
                tooltip="Select the sentence under the cursor"),
    ]

    COMPONENT_CLASSES = {"source-view--cursor", "source-view--selection"}

    class CursorMoved(Message):
        """The cursor moved (or the marks under it changed)."""

        def __init__(self, view: SourceView, offset: int) -> None:
            super().__init__()
            self.view = view
            self.offset = offset

        @property
        def control(self) -> SourceView:
            """The view the message came from."""
            return self.view

    def __init__(self, text: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = text
        self._shown = inert(text).replace("\t", " ")  # one symbol per character: offsets line up
        self.marks: list[Mark] = []
        self.cursor = 0
        self.anchor: int | None = None
        self._layout: tl.Layout | None = None
        self._goal_column: int | None = None
        self._dragging = False
        self._place_cursor = True  # the first scroll to the cursor puts it a third down, with context below
        self._frame: tuple | None = None  # styles shared by the lines of the frame being drawn
        self._in_frame = False

    # -- data down --------------------------------------------------------------------------

    @property
    def text(self) -> str:
        """The text shown (the source's text, unchanged)."""
        return self._text

    def set_text(self, text: str, cursor: int = 0) -> None:
        """Show another text, with the cursor at ``cursor``."""
        self._text = text
        self._shown = inert(text).replace("\t", " ")
        self._layout = None
        self.anchor = None
        self.cursor = max(0, min(cursor, len(text)))
        self._place_cursor = True
        if self.size.width:
            self._relayout()
        # Not laid out yet: on_resize wraps at the real width (a 1 MB text wrapped at a
        # placeholder width first would cost seconds for nothing).

    def set_marks(self, marks: list[Mark]) -> None:
        """Replace the highlighted spans (excerpts)."""
        self.marks = sorted(marks, key=_mark_order)
        self.refresh()
        self.post_message(self.CursorMoved(self, self.cursor))

    def put_mark(self, mark: Mark, *, replacing: str | None = None) -> None:
        """Add one mark (or replace the mark with id ``replacing``, or with the same id) and redraw its lines.

        Marks are styles, not layout: nothing is wrapped again, only the lines the mark covers
        (and the one it replaces) are drawn again.
        """
        gone = [m for m in self.marks if m.id in (mark.id, replacing)]
        self.marks = [m for m in self.marks if m.id not in (mark.id, replacing)]
        bisect.insort(self.marks, mark, key=_mark_order)
        for old in gone:
            self._refresh_span(old.start, old.end)
        self._refresh_span(mark.start, mark.end)
        self.post_message(self.CursorMoved(self, self.cursor))

    def remove_mark(self, mark_id: str) -> None:
        """Take one mark away (an excerpt deleted, or a tag that could not be written)."""
        gone = [m for m in self.marks if m.id == mark_id]
        if not gone:
            return
        self.marks = [m for m in self.marks if m.id != mark_id]
        for old in gone:
            self._refresh_span(old.start, old.end)
        self.post_message(self.CursorMoved(self, self.cursor))

    def _refresh_span(self, start: int, end: int) -> None:
        if self._layout is None:
            self.refresh()
            return
        first = self._layout.line_of(start)
        last = self._layout.line_of(max(start, end - 1))
        # The cursor's excerpt is drawn filled: a mark under the cursor changes its line too.
        cursor_line = self._layout.line_of(self.cursor)
        first, last = min(first, cursor_line), max(last, cursor_line)
        top = int(self.scroll_y)
        first, last = max(first, top), min(last, top + self.size.height)
        if last >= first:
            self.refresh_lines(first, last - first + 1)

    @property
    def selection(self) -> tuple[int, int] | None:
        """The selected span (start, end), trimmed of white space, or None."""
        if self.anchor is None:
            return None
        start, end = sorted((self.anchor, self.cursor))
        start, end = tl.trim_span(self._text, start, end)
        return (start, end) if end > start else None

    def clear_selection(self) -> None:
        """Drop the selection (the cursor stays)."""
        if self.anchor is None:
            return
        start, end = sorted((self.anchor, self.cursor))
        self.anchor = None
        self._refresh_span(start, end + 1)

    def select(self, start: int, end: int) -> None:
        """Select a span and put the cursor at its end."""
        self.anchor = max(0, start)
        self.move_to(min(end, len(self._text)), keep_selection=True)

    def marks_at(self, offset: int) -> list[Mark]:
        """The marks covering ``offset``, shortest first (the most specific excerpt first)."""
        covering = [m for m in self.marks if m.start <= offset < m.end]
        return sorted(covering, key=lambda m: m.end - m.start)

    # -- layout -----------------------------------------------------------------------------

    def on_resize(self, _event: events.Resize) -> None:
        """Wrap again at the new width."""
        self._relayout()

    # The text is wrapped as it is shown (symbols for controls: one character for one, so the
    # offsets are the stored text's): a control takes a cell on screen, and the wrapping counts it.

    def _relayout(self) -> None:
        width = max(self.scrollable_content_region.width, 10)
        if self._layout is None or self._layout.width != width or self._layout.text is not self._shown:
            self._layout = tl.Layout(self._shown, width)
        self.virtual_size = Size(width, len(self._layout.lines))
        self._scroll_to_cursor()
        self.refresh()

    @property
    def layout_lines(self) -> tl.Layout:
        """The current wrapping (made on first use)."""
        if self._layout is None:
            self._layout = tl.Layout(self._shown, max(self.scrollable_content_region.width, 10))
        return self._layout

    # -- drawing ----------------------------------------------------------------------------

    def render_lines(self, crop):
        """Draw the lines in ``crop``; what every line shares is worked out once per frame."""
        self._frame, self._in_frame = None, True
        try:
            return super().render_lines(crop)
        finally:
            self._frame, self._in_frame = None, False

    def _frame_state(self) -> tuple:
        # The styles and the marks under the cursor are the same for every line of one frame:
        # computing them per line was most of the cost of a redraw.
        frame = self._frame
        if frame is None:
            cursor_style = self.get_component_rich_style("source-view--cursor") if self.has_focus else Style(underline=True)
            frame = (
                self.rich_style,
                self.get_component_rich_style("source-view--selection"),
                cursor_style,
                self.marks_at(self.cursor),
                self.scrollable_content_region.width,
            )
            if self._in_frame:
                self._frame = frame
        return frame

    def render_line(self, y: int) -> Strip:
        """Draw one screen line: the text with marks, selection and cursor."""
        layout = self.layout_lines
        _, scroll_y = self.scroll_offset
        index = y + scroll_y
        base, selection_style, cursor_style, under, width = self._frame_state()
        if index >= len(layout.lines):
            return Strip.blank(width, base)
        start, end = layout.lines[index]
        line = Text(self._shown[start:end], no_wrap=True, end="")
        # Marks are sorted by start: only those starting before the line's end can touch it.
        for mark in self.marks[:bisect.bisect_left(self.marks, end, key=lambda m: m.start)]:
            if mark.end <= start:
                continue
            colour = colour_or(mark.colour, FALLBACK_COLOUR)
            line.stylize(Style(color=colour, underline=True, bold=True), max(mark.start, start) - start, min(mark.end, end) - start)
        if under:
            current = under[0]
            if current.end > start and current.start < end:
                line.stylize(
                    Style(bgcolor=colour_or(current.colour, FALLBACK_COLOUR), color="black"),
                    max(current.start, start) - start, min(current.end, end) - start,
                )
        if self.anchor is not None:
            sel_start, sel_end = sorted((self.anchor, self.cursor))
            if sel_end > start and sel_start < end:
                line.stylize(selection_style, max(sel_start, start) - start, min(sel_end, end) - start)
        segments = list(line.render(self.app.console))
        cursor_line = layout.line_of(self.cursor)
        if cursor_line == index:
            if start <= self.cursor < end:
                line_with_cursor = line.copy()
                line_with_cursor.stylize(cursor_style, self.cursor - start, self.cursor - start + 1)
                segments = list(line_with_cursor.render(self.app.console))
            else:
                segments.append(Segment(" ", base + cursor_style))
        # Text.render leaves the Text's own style out when it has no spans: apply it here.
        strip = Strip(segments).apply_style(base).extend_cell_length(width, base)
        return strip.crop(0, width)

    # -- moving -----------------------------------------------------------------------------

    def move_to(self, offset: int, *, keep_selection: bool = True, keep_column: bool = False) -> None:
        """Put the cursor at ``offset`` (clamped), scroll it into view and tell the screen."""
        self.cursor = max(0, min(offset, len(self._text)))
        if not keep_column:
            self._goal_column = None
        if not keep_selection:
            self.anchor = None
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.CursorMoved(self, self.cursor))

    def _scroll_to_cursor(self) -> None:
        if not self.size.height:
            return  # not laid out yet: on_resize comes back here
        line = self.layout_lines.line_of(self.cursor)
        top = int(self.scroll_y)
        height = self.scrollable_content_region.height
        if self._place_cursor:
            # Opened at an excerpt far down: show it a third of the way down, not on the last row.
            self._place_cursor = False
            # force: right after the first layout the scrollbars are not updated yet, and a
            # ScrollView with no scrollbar (yet) refuses to scroll.
            self.scroll_to(y=max(0, line - height // 3), animate=False, immediate=True, force=True)
            return
        if line < top:
            self.scroll_to(y=line, animate=False, immediate=True)
        elif line >= top + height:
            self.scroll_to(y=line - height + 1, animate=False, immediate=True)

    def action_move(self, unit: str, direction: int) -> None:
        """Move the cursor by a unit of text: char, word, sentence, paragraph, line, page, ..."""
        text, cursor = self._text, self.cursor
        layout = self.layout_lines
        if unit == "char":
            self.move_to(cursor + direction)
        elif unit == "word":
            self.move_to(tl.next_word(text, cursor) if direction > 0 else tl.previous_word(text, cursor))
        elif unit == "sentence":
            self.move_to(tl.next_sentence(text, cursor) if direction > 0 else tl.previous_sentence(text, cursor))
        elif unit == "paragraph":
            self.move_to(tl.next_paragraph(text, cursor) if direction > 0 else tl.previous_paragraph(text, cursor))
        elif unit in ("line", "page"):
            step = 1 if unit == "line" else max(1, self.scrollable_content_region.height - 1)
            if self._goal_column is None:
                self._goal_column = layout.column_of(cursor)
            line = layout.line_of(cursor) + direction * step
            if line < 0:
                self.move_to(0, keep_column=True)
            elif line >= len(layout.lines):
                self.move_to(len(text), keep_column=True)
            else:
                self.move_to(layout.offset_at(line, self._goal_column), keep_column=True)
        elif unit == "line_edge":
            start, end = layout.lines[layout.line_of(cursor)]
            self.move_to(start if direction < 0 else end)
        elif unit == "document":
            self.move_to(0 if direction < 0 else len(text))

    def action_toggle_selection(self) -> None:
        """Start a selection at the cursor, or drop the one there is."""
        self.anchor = None if self.anchor is not None else self.cursor
        self.refresh()

    def action_select_sentence(self) -> None:
        """Select the sentence the cursor is in."""
        start, end = tl.sentence_bounds(self._text, self.cursor)
        if end > start:
            self.select(start, end)

    # -- mouse --------------------------------------------------------------------------------

    def _offset_at_mouse(self, event: events.MouseEvent) -> int:
        scroll_x, scroll_y = self.scroll_offset
        return self.layout_lines.offset_at(event.y + scroll_y, event.x + scroll_x)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        """Put the cursor where the mouse is pressed; a drag selects."""
        self.focus()
        offset = self._offset_at_mouse(event)
        self.anchor = offset
        self._dragging = True
        self.capture_mouse()
        self.move_to(offset)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        """Extend the selection while dragging."""
        if self._dragging:
            self.move_to(self._offset_at_mouse(event))

    def on_mouse_up(self, event: events.MouseUp) -> None:
        """End a drag; a click without a drag leaves no selection."""
        if self._dragging:
            self._dragging = False
            self.release_mouse()
            if self.anchor == self.cursor:
                self.anchor = None
                self.refresh()
