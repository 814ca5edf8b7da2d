"""Review sessions: one excerpt at a time with its paragraph; a decision in one key, saved at once.

The queue is recomputed from the case file (excerpts matching the filter that still need a
decision), so quitting and coming back resumes at the next undecided excerpt.
"""

from __future__ import annotations

import time
from dataclasses import replace

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import ProgressBar, Static

from evidence_tui.domain import codebook, excerpts, history, review
from evidence_tui.domain.models import ClaimType, Excerpt, Source
from evidence_tui.domain.review import Agreement, ReviewQueue
from evidence_tui.store import utc_now
from evidence_tui.textsafety import inert, inert_line
from evidence_tui.tui.excerpt_actions import ExcerptActions
from evidence_tui.tui.screens.base import EvidenceScreen, Footer
from evidence_tui.tui.screens.picker import Picked, PickerItem, PickerScreen
from evidence_tui.tui.widgets.claims_rows import CREDIBILITY
from evidence_tui.tui.widgets.excerpt_panel import ExcerptPanel, source_header

CONTEXT_LIMIT = 700  # characters of paragraph shown either side of the excerpt, at most
def paragraph_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The paragraph holding a span (bounded to CONTEXT_LIMIT characters either side)."""
    before = text.rfind("\n", 0, start)
    after = text.find("\n", end)
    para_start = max(before + 1, start - CONTEXT_LIMIT)
    para_end = min(after if after != -1 else len(text), end + CONTEXT_LIMIT)
    return para_start, para_end


def context_text(source_text: str, excerpt: Excerpt, colour: str | None) -> Text:
    """The excerpt's paragraph as inert Text, the excerpt highlighted."""
    start, end = paragraph_around(source_text, excerpt.start, excerpt.end)
    shown = Text(inert(source_text[start:end]))
    shown.stylize(f"bold black on {colour or '#e5c07b'}", excerpt.start - start, excerpt.end - start)
    if start > 0 and source_text[start - 1] != "\n":
        shown = Text("…") + shown
    if end < len(source_text) and source_text[end] != "\n":
        shown.append("…")
    return shown


def agreement_view(figures: Agreement | None) -> Group | Text:
    """Percent agreement, Cohen's kappa and the disagreements to settle, for a blind review."""
    if figures is None or not figures.compared:
        return Text("No excerpts decided by two reviewers yet.", style="dim")
    kappa = "n/a" if figures.kappa is None else f"{figures.kappa:.2f}"
    head = Text(
        f"Agreement {inert_line(figures.first)} / {inert_line(figures.second)}: {figures.percent:.0f}% "
        f"on {figures.compared} excerpts · Cohen's kappa {kappa}\n", style="bold"
    )
    if not figures.disagreements:
        return head
    table = Table("excerpt", box=None, title="Disagreements to settle", title_justify="left")
    table.add_column(Text(inert_line(figures.first)))  # names are data: Text, never markup
    table.add_column(Text(inert_line(figures.second)))
    for item in figures.disagreements:
        table.add_row(Text(inert_line(item.quote)[:70]), item.first, item.second)
    return Group(head, table)


class ReviewScreen(ExcerptActions, EvidenceScreen):
    """A keyboard queue: a accept, r reject, f flag, s skip, n note, u undo; 1-9/t retag."""

    TITLE_TEXT = "Review"
    CSS_PATH = "review.tcss"
    BINDINGS = [
        Binding("a", "decide('accepted')", "Accept", id="review.accept", tooltip="Accept the excerpt as evidence"),
        Binding("r", "decide('rejected')", "Reject", id="review.reject", tooltip="Reject the excerpt"),
        Binding("f", "decide('flagged')", "Flag", id="review.flag", tooltip="Flag the excerpt for a closer look"),
        Binding("s", "skip", "Skip", id="review.skip", tooltip="Skip it for this session"),
        Binding("n", "note", "Note", id="review.note", tooltip="Write the excerpt's note"),
        Binding("u", "undo_decision", "Undo", id="review.undo", tooltip="Take back the last decision"),
        Binding("t", "pick_type", "Type…", id="review.pick_type", tooltip="Add or remove a claim type (picker)"),
        *(Binding(str(n), f"toggle_type({n})", f"Type {n}", show=False, id=f"review.type{n}",
                  tooltip=f"Add or remove claim type {n}") for n in range(1, 10)),
        Binding("e", "link_entity", "Entity…", show=False, id="review.entity", tooltip="Link an entity to the excerpt"),
        Binding("c", "attach_claim", "Claim…", show=False, id="review.claim", tooltip="Attach the excerpt to a claim"),
        Binding("g", "grade", "Grade", show=False, id="review.grade", tooltip="Grade the information's credibility 1-6"),
    ]

    def __init__(self, queue: ReviewQueue | None = None) -> None:
        super().__init__()
        self.queue = queue
        self.current: Excerpt | None = None
        self.source: Source | None = None
        self.types: list[ClaimType] = []
        self.skipped: set[str] = set()
        self.decided: list[str] = []  # excerpt ids decided this session, newest last
        # This session's decisions and skips in order, (excerpt id, skipped?): what u takes back.
        self.steps: list[tuple[str, bool]] = []
        self.started_at = utc_now()
        self.started = time.monotonic()
        self.finished = False

    def compose(self) -> ComposeResult:
        """Progress on top, the excerpt in its paragraph, the details on the side."""
        yield from self.compose_frame()
        with Horizontal(id="review-status", classes="status-line"):
            yield Static(id="review-progress")
            yield ProgressBar(id="review-bar", show_eta=False, show_percentage=True)
        with Horizontal(id="review-body"):
            with VerticalScroll(id="review-main"):
                yield Static(id="review-source")
                yield Static(id="review-context")
            yield ExcerptPanel(id="review-side")
        yield Footer()

    def on_mount(self) -> None:
        """Start the session on the queue (the app's, else unreviewed excerpts, oldest first)."""
        super().on_mount()
        if self.queue is None:
            self.queue = getattr(self.app, "review_queue", None) or ReviewQueue(reviewer=self.case.actor)
        self._title_queue()
        self.load_next()

    def reload(self) -> None:
        """Show the current excerpt again (another screen or window may have changed it)."""
        if self.current is not None and not self.finished:
            self._fetch(self.current.id)

    def on_screen_resume(self) -> None:
        """Coming back: restart on the app's queue if another screen set a new one, else refresh."""
        wanted = getattr(self.app, "review_queue", None)
        if self.queue is not None and wanted is not None and wanted != self.queue:
            self.start(wanted)
        else:
            super().on_screen_resume()

    def start(self, queue: ReviewQueue) -> None:
        """Begin a new session on another queue (e.g. the Excerpts screen's filter)."""
        self.queue = queue
        self.skipped.clear()
        self.decided.clear()
        self.steps.clear()
        self.started_at = utc_now()
        self.started = time.monotonic()
        self._title_queue()
        self.load_next()

    def _title_queue(self) -> None:
        kind = "blind review" if self.queue.blind else "review"
        self.sub_title = f"{kind} by {inert_line(self.queue.reviewer)}"

    # -- the queue ---------------------------------------------------------------------------

    def load_next(self) -> None:
        """Fetch the next undecided excerpt (in the background) and show it, or the summary."""
        self._fetch(None)

    def _fetch(self, excerpt_id: str | None) -> None:
        # Everything the screen shows comes back in one background call: no query on the UI thread.
        self.submit(self._read_state, excerpt_id, then=self._show_state, changed=False,
                    on_error=lambda _error: self.load_next() if excerpt_id else None)

    def _read_state(self, case, excerpt_id: str | None) -> tuple[review.QueueState, list[ClaimType], object]:
        state = review.queue_state(case, self.queue, tuple(self.skipped), since=self.started_at, excerpt_ref=excerpt_id)
        figures = review.agreement(case, self.queue.reviewer) if self.queue.blind and state.excerpt is None else None
        return state, codebook.list_types(case), figures

    def _show_state(self, result: tuple[review.QueueState, list[ClaimType], object]) -> None:
        state, self.types, figures = result
        self._update_progress(state.remaining, state.overall)
        if state.excerpt is None:
            self.current = None
            self._finish(state.counts, figures)
            return
        self.finished = False
        self.source = state.source
        self._show(state.excerpt)

    def _show(self, excerpt: Excerpt) -> None:
        self.current = excerpt
        colour = excerpt.claim_types[0].colour if excerpt.claim_types else None
        self.query_one("#review-source", Static).update(source_header(self.source))
        self.query_one("#review-context", Static).update(context_text(self.source.text or "", excerpt, colour))
        panel_excerpt = excerpt
        if self.queue.blind:
            # Blind: the first reviewer's decision stays hidden.
            panel_excerpt = replace(excerpt, review_status="(hidden: blind review)")
        panel = self.query_one(ExcerptPanel)
        panel.show_excerpts([panel_excerpt])
        if excerpt.credibility:
            grade = Text(f"credibility {excerpt.credibility} ({CREDIBILITY[excerpt.credibility]})")
            panel.update(Group(panel.content, grade))

    def _update_progress(self, left: int, overall: tuple[int, int] | None = None) -> None:
        done = len(self.decided)
        total = done + left
        minutes = max((time.monotonic() - self.started) / 60, 1 / 60)
        rate = done / minutes if done else 0.0
        label = f"{done} of {total} · {rate:.1f} per minute"
        if self.skipped:
            label += f" · {len(self.skipped)} skipped"
        if overall is not None and overall[0] > done:  # decisions made before this session
            label += f" · {overall[0]} of {overall[1]} decided in all"
        self.query_one("#review-progress", Static).update(Text(label))
        self.query_one(ProgressBar).update(total=max(total, 1), progress=done)

    def _finish(self, counts: dict[str, int], figures) -> None:
        self.finished = True
        spent = int(time.monotonic() - self.started)
        summary = Text()
        if not self.decided and not self.skipped:
            summary.append("Nothing to review: no excerpt matches this queue.\n", style="bold")
        else:
            summary.append("Review done for now.\n", style="bold")
        summary.append(
            f"accepted {counts['accepted']} · rejected {counts['rejected']} · flagged {counts['flagged']} · "
            f"skipped {counts['skipped']} · time {spent // 60} min {spent % 60} s\n"
        )
        parts: list = [summary]
        if self.queue.blind:
            parts.append(agreement_view(figures))
        parts.append(Text("\nq leaves · u takes back the last decision", style="dim"))
        self.query_one("#review-source", Static).update(Text(""))
        self.query_one("#review-context", Static).update(Group(*parts))
        self.query_one(ExcerptPanel).update(Text(""))

    # -- decisions ---------------------------------------------------------------------------

    def excerpt_for_action(self) -> Excerpt | None:
        """The excerpt on screen."""
        if self.current is None:
            self.notify("Nothing to review here", severity="warning")
        return self.current

    def action_decide(self, decision: str) -> None:
        """Record a decision on the excerpt on screen and show the next one."""
        excerpt = self.excerpt_for_action()
        if excerpt is None:
            return
        self.current = None  # a second key press before the next excerpt shows does nothing

        def done(_decided: Excerpt) -> None:
            self.decided.append(excerpt.id)
            self.steps.append((excerpt.id, False))
            self.load_next()

        self.submit(review.decide, excerpt.id, decision, blind=self.queue.blind, then=done,
                    on_error=lambda _error: self.load_next())

    def action_skip(self) -> None:
        """Leave the excerpt undecided for this session."""
        excerpt = self.excerpt_for_action()
        if excerpt is None:
            return
        self.current = None
        self.skipped.add(excerpt.id)
        self.steps.append((excerpt.id, True))
        self.submit(review.decide, excerpt.id, "skipped", blind=self.queue.blind,
                    then=lambda _e: self.load_next(), on_error=lambda _error: self.load_next())

    def action_undo_decision(self) -> None:
        """Take back my last change (a decision, a note, a tag) and show its excerpt again.

        Works after a restart too: undo reads the event log, not this session's memory.
        """

        def undone(op) -> None:
            if op is None:
                self.notify("Nothing to undo")
                return
            self.notify(f"Undone: {op.summary or op.name}", markup=False)
            if op.name == "review.decide":
                # The step undone is this session's last one (a decision or a skip); after a
                # restart there is none, and the queue's next excerpt is the one given back.
                excerpt_id = None
                if self.steps:
                    excerpt_id, was_skip = self.steps.pop()
                    if was_skip:
                        self.skipped.discard(excerpt_id)
                    elif excerpt_id in self.decided:
                        self.decided.remove(excerpt_id)
                # The refresh every change triggers must not put the excerpt on screen back up.
                self.current = None
                # Back in the queue (its decision is gone): show it, or the queue's next one.
                self._fetch(excerpt_id)
            else:
                self.reload()

        self.submit(history.undo_last, only_mine=True, then=undone)

    def action_toggle_type(self, hotkey: int) -> None:
        """Add or remove the claim type on this number key."""
        claim_type = next((t for t in self.types if t.hotkey == hotkey), None)
        excerpt = self.excerpt_for_action()
        if excerpt is None:
            return
        if claim_type is None:
            self.notify(f"No claim type on key {hotkey}", severity="warning")
            return
        self.submit(excerpts.toggle_tag, excerpt.id, claim_type.id, then=lambda result: self._show(result[0]))

    def action_pick_type(self) -> None:
        """Add or remove any claim type with the picker."""
        excerpt = self.excerpt_for_action()
        if excerpt is None:
            return
        items = [PickerItem(t.id, t.name, t.description, t.colour) for t in self.types]

        def picked(choice: Picked | None) -> None:
            if choice is not None:
                self.submit(excerpts.toggle_tag, excerpt.id, choice.value, then=lambda result: self._show(result[0]))

        self.app.push_screen(PickerScreen("Add or remove a claim type", items), picked)

    def action_grade(self) -> None:
        """Grade the credibility of the information, 1 (confirmed) to 6 (cannot be judged)."""
        excerpt = self.excerpt_for_action()
        if excerpt is None:
            return
        items = [PickerItem(str(n), f"{n} {label}") for n, label in CREDIBILITY.items()]

        def picked(choice: Picked | None) -> None:
            if choice is not None:
                self.submit(review.set_credibility, excerpt.id, int(choice.value), then=self._show)

        self.app.push_screen(PickerScreen("Credibility of this information", items), picked)


__all__ = ["ReviewScreen", "agreement_view", "paragraph_around"]
