"""The Claims screen: every claim with how well it is corroborated; Enter lists its evidence.

Corroboration counts distinct sources and distinct outlets: a claim resting on one outlet (however
many excerpts) is marked "one outlet", as it is not independently corroborated, and so is one whose
sources name no outlet ("no outlet"); one no source supports yet is marked "unsupported". The table shows the supporting excerpts with the sources and
outlets behind them, the contradicting ones likewise, the best reliability grade and the earliest
and latest publication dates of the supporting sources; ``o`` / ``O`` sort by each of them. Claims
number in the hundreds, so they are loaded whole (in a worker) and sorted by the domain.
"""

from __future__ import annotations

from functools import partial

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static
from textual.worker import get_current_worker

from evidence_tui.domain import claims as claims_domain
from evidence_tui.domain import codebook, excerpts, history
from evidence_tui.domain.claims import Evidence
from evidence_tui.domain.models import Claim
from evidence_tui.errors import EvidenceError
from evidence_tui.store.schema import CLAIM_EXCERPT_STANCES, CLAIM_SOURCE_STANCES
from evidence_tui.textsafety import inert_line
from evidence_tui.tui.screens.base import EvidenceScreen, Footer
from evidence_tui.tui.screens.picker import Picked, PickerItem, PickerScreen
from evidence_tui.tui.screens.prompt import ConfirmScreen, TextPrompt
from evidence_tui.tui.widgets.claims_rows import (
    CREDIBILITY,
    EVIDENCE_COLUMNS,
    claim_columns,
    claim_row,
    claim_summary,
    evidence_row,
)
from evidence_tui.tui.widgets.virtual_table import CallbackSource, Row, VirtualTable

# The cycle of ``o`` (``O`` goes back): every figure of the table can order it.
ORDERS = ("created", "sources", "outlets", "weakest", "supporting", "contradicting", "reliability",
          "earliest", "latest", "statement")
ORDER_LABELS = {
    "created": "date added",
    "sources": "most sources first",
    "outlets": "most outlets first",
    "weakest": "weakest corroboration first",
    "supporting": "most supporting excerpts first",
    "contradicting": "most contradicting excerpts first",
    "reliability": "best reliability first",
    "earliest": "earliest evidence first",
    "latest": "latest evidence first",
    "statement": "statement",
}


def _list_source(rows: list[Row]) -> CallbackSource:
    return CallbackSource(lambda: len(rows), lambda offset, limit: rows[offset:offset + limit])


def _short(text: str, length: int = 70) -> str:
    text = inert_line(text)
    return text if len(text) <= length else text[:length - 1] + "…"


# -- actions shared by the list and the evidence view --------------------------------------------


def grade_claim(screen: EvidenceScreen, claim: Claim) -> None:
    """Ask for the claim's credibility on the Admiralty scale (1 confirmed ... 6 cannot be judged)."""
    items = [PickerItem(str(n), f"{n} {label}", "current grade" if claim.credibility == n else "")
             for n, label in CREDIBILITY.items()]
    title = Text("Credibility of ")
    title.append(f"“{_short(claim.statement)}”", style="italic")

    def picked(choice: Picked | None) -> None:
        if choice is not None and int(choice.value) != claim.credibility:
            screen.submit(claims_domain.edit_claim, claim.id, credibility=int(choice.value),
                          then=lambda c: screen.notify(f"Credibility {c.credibility} {CREDIBILITY[c.credibility]}", markup=False))

    screen.app.push_screen(PickerScreen(title, items), picked)  # type: ignore[arg-type]


def edit_statement(screen: EvidenceScreen, claim: Claim) -> None:
    """Ask for a new wording of the claim's statement."""

    def done(statement: str | None) -> None:
        if statement is not None and statement.strip() and " ".join(statement.split()) != claim.statement:
            screen.submit(claims_domain.edit_claim, claim.id, statement=statement)

    screen.app.push_screen(TextPrompt("Edit the claim's statement", claim.statement), done)


class ClaimsScreen(EvidenceScreen):
    """Every claim with its corroboration; Enter shows its evidence."""

    TITLE_TEXT = "Claims"
    CSS_PATH = "claims.tcss"
    BINDINGS = [
        Binding("a", "add", "Add", id="claims.add", tooltip="Add a claim: its statement, then its claim type (optional)"),
        Binding("r", "edit", "Reword", id="claims.edit", tooltip="Edit the statement of the claim under the cursor"),
        Binding("g", "grade", "Grade", id="claims.grade", tooltip="Grade the claim's credibility: 1 confirmed ... 6 cannot be judged"),
        Binding("t", "set_type", "Type", id="claims.type", tooltip="Change the claim type of the claim under the cursor"),
        Binding("o", "sort(1)", "Sort", id="claims.sort",
                tooltip="Sort by the next figure: date added, sources, outlets, weakest first, supporting, "
                        "contradicting, best reliability, earliest, latest evidence, statement (cycles)"),
        Binding("O", "sort(-1)", "Sort back", show=False, id="claims.sort_back", tooltip="Sort by the previous figure (o backwards)"),
        Binding("x", "delete", "Delete", id="claims.delete", tooltip="Delete the claim under the cursor (asks first; its evidence stays)"),
        Binding("u", "undo", "Undo", show=False, id="claims.undo", tooltip="Undo your last change"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.order = "created"
        self.claims: list[Claim] = []
        self._select_id: str | None = None
        self._ready = False

    def compose(self) -> ComposeResult:
        """The table, the highlighted claim in full, a status line."""
        yield from self.compose_frame()
        yield VirtualTable(claim_columns(self.order), empty_text="No claims yet: press a to add one, or attach an excerpt to a new claim in the reader (c).",
                           id="claims-table")
        yield Static(id="claims-summary")
        yield Static(id="claims-status", classes="status-line")
        yield Footer()

    @property
    def table(self) -> VirtualTable:
        """The claims table."""
        return self.query_one("#claims-table", VirtualTable)

    def on_mount(self) -> None:
        """Load the claims and focus the table."""
        super().on_mount()
        self._ready = True
        self.reload()
        self.table.focus()

    # -- loading --------------------------------------------------------------------------------

    def reload(self) -> None:
        """Fetch the claims with their figures again, in the background."""
        if self._ready:
            self._load(self.order)

    @work(thread=True, exclusive=True, group="claims-load")
    def _load(self, order: str) -> None:
        try:
            found = claims_domain.list_claims(self.case, order=order)
            colours = {t.name: t.colour for t in codebook.list_types(self.case)}
        except EvidenceError as error:
            self.app.call_from_thread(self.notify, inert_line(str(error)), severity="error", markup=False)
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, order, found, colours)

    def _show(self, order: str, found: list[Claim], colours: dict[str, str | None]) -> None:
        if order != self.order:
            return
        current = self.table.current_row
        keep = self._select_id or (current.key if current else None)
        self._select_id = None
        self.claims = found
        self.table.columns = claim_columns(order)
        self.table.set_source(_list_source([claim_row(c, colours) for c in found]), count=len(found), keep_cursor=True)
        index = next((i for i, c in enumerate(found) if c.id == keep), None)
        if index is not None:
            self.table.move_cursor(index)
        self._show_summary()
        single = sum(1 for c in found if c.single_outlet)
        no_outlet = sum(1 for c in found if c.outlet_unknown)
        unsupported = sum(1 for c in found if c.unsupported)
        status = Text(f"{len(found)} claim{'' if len(found) == 1 else 's'}", style="bold")
        status.append(f" · sorted by {ORDER_LABELS[order]}")
        if single:
            status.append(f" · {single} on one outlet", style="yellow")
        if no_outlet:
            status.append(f" · {no_outlet} with no outlet named", style="yellow")
        if unsupported:
            status.append(f" · {unsupported} unsupported", style="red")
        status.append("   Enter: the evidence · o/O sort", style="dim italic")
        self.query_one("#claims-status", Static).update(status)

    def current_claim(self) -> Claim | None:
        """The claim under the cursor."""
        row = self.table.current_row
        if row is None:
            return None
        return next((c for c in self.claims if c.id == row.key), None)

    @on(VirtualTable.RowHighlighted, "#claims-table")
    def _show_summary(self) -> None:
        claim = self.current_claim()
        self.query_one("#claims-summary", Static).update(claim_summary(claim) if claim else "")

    # -- actions --------------------------------------------------------------------------------

    def _need_claim(self) -> Claim | None:
        claim = self.current_claim()
        if claim is None:
            self.notify("No claim here: a adds one", severity="warning")
        return claim

    @on(VirtualTable.RowSelected, "#claims-table")
    def _open(self, event: VirtualTable.RowSelected) -> None:
        self.app.push_screen(ClaimEvidenceScreen(event.row.key))

    def action_sort(self, step: int = 1) -> None:
        """Sort by the next order in turn (``step`` -1: the previous one)."""
        self.order = ORDERS[(ORDERS.index(self.order) + step) % len(ORDERS)]
        self.reload()
        self.notify(f"Sorted by {ORDER_LABELS[self.order]}")

    def action_add(self) -> None:
        """Add a claim: ask for the statement, then (optionally) its claim type."""
        self.app.push_screen(TextPrompt("New claim: the statement, in your words",
                                        placeholder="e.g. Recruits were promised civilian jobs"), self._statement_given)

    def _statement_given(self, statement: str | None) -> None:
        if statement is None or not statement.strip():
            return
        items = [PickerItem("", "no claim type")]
        items += [PickerItem(t.id, t.name, t.description, t.colour) for t in codebook.list_types(self.case)]
        self.app.push_screen(PickerScreen("Claim type of the new claim (escape: none)", items),
                             partial(self._type_given, statement))

    def _type_given(self, statement: str, picked: Picked | None) -> None:
        type_id = picked.value if picked is not None and picked.value else None
        self.submit(claims_domain.add_claim, statement, claim_type=type_id, then=self._added)

    def _added(self, claim: Claim) -> None:
        self._select_id = claim.id
        self.notify(f"Added claim '{_short(claim.statement, 60)}'", markup=False)

    def action_edit(self) -> None:
        """Reword the statement of the claim under the cursor."""
        claim = self._need_claim()
        if claim is not None:
            edit_statement(self, claim)

    def action_grade(self) -> None:
        """Grade the credibility of the claim under the cursor."""
        claim = self._need_claim()
        if claim is not None:
            grade_claim(self, claim)

    def action_set_type(self) -> None:
        """Change the claim type of the claim under the cursor."""
        claim = self._need_claim()
        if claim is None:
            return
        items = [PickerItem(t.id, t.name, "current type" if t.name == claim.claim_type else t.description, t.colour)
                 for t in codebook.list_types(self.case)]
        self.app.push_screen(PickerScreen("Claim type of the claim", items), partial(self._type_changed, claim))

    def _type_changed(self, claim: Claim, picked: Picked | None) -> None:
        if picked is not None and picked.value:
            self.submit(claims_domain.edit_claim, claim.id, claim_type=picked.value)

    def action_delete(self) -> None:
        """Delete the claim under the cursor, after asking (its excerpts and sources stay)."""
        claim = self._need_claim()
        if claim is None:
            return
        question = Text("Delete the claim\n")
        question.append(f"“{_short(claim.statement, 200)}”", style="italic")
        question.append(f"\nand its {claim.supporting + claim.contradicting} links to excerpts? "
                        "The excerpts and sources stay (u brings the claim back).", style="dim")
        self.app.push_screen(ConfirmScreen(question), partial(self._confirmed_delete, claim))  # type: ignore[arg-type]

    def _confirmed_delete(self, claim: Claim, yes: bool | None) -> None:
        if yes:
            self.submit(claims_domain.delete_claim, claim.id,
                        then=lambda gone: self.notify(f"Deleted claim '{_short(gone.statement, 50)}' (u to undo)", markup=False))

    def action_undo(self) -> None:
        """Undo your last change in this case file."""
        self.submit(partial(history.undo_last, only_mine=True),
                    then=lambda op: self.notify("Nothing to undo" if op is None else f"Undone: {inert_line(op.summary or op.name)}", markup=False))


def _evidence_key(evidence: Evidence) -> tuple[str, str | None]:
    """What names a link: its source, and its excerpt (None for the whole source)."""
    return evidence.source_id, evidence.excerpt_id


def _next_stance(evidence: Evidence) -> str:
    """The stance after this one: an excerpt supports or contradicts; a whole source may also mention."""
    stances = CLAIM_EXCERPT_STANCES if evidence.excerpt_id is not None else CLAIM_SOURCE_STANCES
    return stances[(stances.index(evidence.stance) + 1) % len(stances)] if evidence.stance in stances else stances[0]


class ClaimEvidenceScreen(EvidenceScreen):
    """One claim and its evidence (excerpts and whole sources); Enter opens the reader there."""

    TITLE_TEXT = "Claim evidence"
    CSS_PATH = "claims.tcss"
    BINDINGS = [
        Binding("g", "grade", "Grade", id="claim.grade", tooltip="Grade the claim's credibility: 1 confirmed ... 6 cannot be judged"),
        Binding("r", "edit", "Reword", id="claim.edit", tooltip="Edit the claim's statement"),
        Binding("s", "stance", "Stance", id="claim.stance",
                tooltip="Change the stance of the evidence under the cursor: supports ↔ contradicts "
                        "(a whole source: supports → contradicts → mentions)"),
        Binding("x", "unlink", "Unlink", id="claim.unlink",
                tooltip="Unlink the evidence under the cursor from the claim (asks first; the excerpt or source stays)"),
        Binding("u", "undo", "Undo", id="claim.undo", tooltip="Undo your last change"),
    ]

    def __init__(self, claim_id: str) -> None:
        super().__init__()
        self.claim_id = claim_id
        self.claim: Claim | None = None
        self.evidence: list[Evidence] = []
        self._select: tuple[str, str | None] | None = None
        self._unlinked: tuple[str, str | None] | None = None
        self._ready = False

    def compose(self) -> ComposeResult:
        """The claim in full, its evidence, a status line."""
        yield from self.compose_frame()
        yield Static(id="claim-evidence-summary")
        yield VirtualTable(EVIDENCE_COLUMNS, empty_text="No evidence yet: in the reader, c attaches an excerpt to this claim.",
                           id="claim-evidence-table")
        yield Static(id="claim-evidence-quote")
        yield Static(id="claim-evidence-status", classes="status-line")
        yield Footer()

    @property
    def table(self) -> VirtualTable:
        """The evidence table."""
        return self.query_one("#claim-evidence-table", VirtualTable)

    def on_mount(self) -> None:
        """Load the claim and its evidence, and focus the table."""
        super().on_mount()
        self._ready = True
        self.reload()
        self.table.focus()

    def reload(self) -> None:
        """Fetch the claim and its evidence again, in the background."""
        if self._ready:
            self._load()

    @work(thread=True, exclusive=True, group="claim-evidence-load")
    def _load(self) -> None:
        try:
            claim = claims_domain.get_claim(self.case, self.claim_id)
            evidence = claims_domain.claim_evidence(self.case, self.claim_id)
        except EvidenceError as error:  # deleted meanwhile (from the CLI, or undone)
            self.app.call_from_thread(self._gone, str(error))
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, claim, evidence)

    def _gone(self, message: str) -> None:
        self.notify(inert_line(message), severity="warning", markup=False)
        if self.is_current:
            self.app.pop_screen()

    def _show(self, claim: Claim, evidence: list[Evidence]) -> None:
        # The cursor stays on the same link when it is still there (its position may change).
        current = self.current_evidence()
        keep = self._select or (_evidence_key(current) if current else None)
        self._select = None
        self.claim = claim
        self.evidence = evidence
        self.query_one("#claim-evidence-summary", Static).update(claim_summary(claim))
        self.table.set_source(_list_source([evidence_row(i, e) for i, e in enumerate(evidence)]),
                              count=len(evidence), keep_cursor=True)
        index = next((i for i, e in enumerate(evidence) if _evidence_key(e) == keep), None)
        if index is not None and index != self.table.cursor_row:
            self.table.move_cursor(index)
        against = sum(1 for e in evidence if e.stance == "contradicts")
        status = Text(f"{len(evidence)} piece{'' if len(evidence) == 1 else 's'} of evidence", style="bold")
        status.append(f" · {sum(1 for e in evidence if e.stance == 'supports')} supporting · {against} contradicting")
        status.append("   Enter opens the reader there · escape back", style="dim italic")
        self.query_one("#claim-evidence-status", Static).update(status)

    def current_evidence(self) -> Evidence | None:
        """The evidence under the cursor."""
        row = self.table.current_row
        if row is None or not 0 <= int(row.key) < len(self.evidence):
            return None
        return self.evidence[int(row.key)]

    @on(VirtualTable.RowHighlighted, "#claim-evidence-table")
    def _show_quote(self, event: VirtualTable.RowHighlighted) -> None:
        quote = self.query_one("#claim-evidence-quote", Static)
        if event.row is None or not 0 <= int(event.row.key) < len(self.evidence):
            quote.update("")
            return
        evidence = self.evidence[int(event.row.key)]
        text = Text(inert_line(evidence.source_title), style="bold")
        details = [d for d in (evidence.outlet, evidence.published, f"reliability {evidence.reliability}" if evidence.reliability else None) if d]
        if details:
            text.append("  " + inert_line(" · ".join(details)), style="dim")
        if evidence.quote is not None:
            text.append("\n“" + inert_line(evidence.quote) + "”", style="italic")
        else:
            text.append(f"\nThe whole source {evidence.stance} the claim.", style="dim italic")
        quote.update(text)

    @on(VirtualTable.RowSelected, "#claim-evidence-table")
    def _open(self, event: VirtualTable.RowSelected) -> None:
        from evidence_tui.tui.screens.reader import ReaderScreen

        evidence = self.evidence[int(event.row.key)]
        if evidence.excerpt_id is None:
            self.app.push_screen(ReaderScreen(evidence.source_id))
            return
        try:
            excerpt = excerpts.get_excerpt(self.case, evidence.excerpt_id)
        except EvidenceError as error:
            self.notify(inert_line(str(error)), severity="error", markup=False)
            return
        # At the excerpt, not selecting it: the side panel shows it (types, links, note) and 1-9 tag it.
        self.app.push_screen(ReaderScreen(excerpt.source_id, cursor=excerpt.start))

    def action_grade(self) -> None:
        """Grade the claim's credibility."""
        if self.claim is not None:
            grade_claim(self, self.claim)

    def action_edit(self) -> None:
        """Reword the claim's statement."""
        if self.claim is not None:
            edit_statement(self, self.claim)

    def _need_evidence(self) -> Evidence | None:
        evidence = self.current_evidence()
        if evidence is None:
            self.notify("No evidence here: in the reader, c attaches an excerpt to this claim", severity="warning")
        return evidence

    def action_stance(self) -> None:
        """Turn the evidence under the cursor to the next stance (the figures above follow)."""
        evidence = self._need_evidence()
        if evidence is None:
            return
        stance = _next_stance(evidence)
        self._unlinked = None
        what = "The excerpt" if evidence.excerpt_id is not None else "The whole source"
        self._select = _evidence_key(evidence)
        done = partial(self._changed, f"{what} now {stance} the claim")
        if evidence.excerpt_id is not None:
            self.submit(claims_domain.link_excerpt, self.claim_id, evidence.excerpt_id, stance, then=done)
        else:
            self.submit(claims_domain.link_source, self.claim_id, evidence.source_id, stance, then=done)

    def _changed(self, message: str, claim: Claim) -> None:
        # The claim as the domain recomputed it: its figures at once (the list follows on reload).
        self.claim = claim
        self.query_one("#claim-evidence-summary", Static).update(claim_summary(claim))
        self.notify(message, markup=False)

    def action_unlink(self) -> None:
        """Unlink the evidence under the cursor from the claim, after asking (the excerpt or source stays)."""
        evidence = self._need_evidence()
        if evidence is None:
            return
        what = "excerpt" if evidence.excerpt_id is not None else "source"
        question = Text(f"Unlink this {what} from the claim (it {evidence.stance} it)?\n")
        question.append(_short(evidence.source_title, 100), style="bold")
        if evidence.quote is not None:
            question.append(f"\n“{_short(evidence.quote, 200)}”", style="italic")
        else:
            question.append("\n(the whole source)", style="italic")
        question.append(f"\nThe {what} stays in the case file (u links it again).", style="dim")
        self.app.push_screen(ConfirmScreen(question), partial(self._confirmed_unlink, evidence))  # type: ignore[arg-type]

    def _confirmed_unlink(self, evidence: Evidence, yes: bool | None) -> None:
        if not yes:
            return
        done = partial(self._changed, f"Unlinked '{_short(evidence.source_title, 50)}' from the claim (u to undo)")
        if evidence.excerpt_id is not None:
            self.submit(claims_domain.unlink_excerpt, self.claim_id, evidence.excerpt_id, then=done)
        else:
            self.submit(claims_domain.unlink_source, self.claim_id, evidence.source_id, then=done)
        self._unlinked = _evidence_key(evidence)

    def action_undo(self) -> None:
        """Undo your last change in this case file (an unlinked piece comes back under the cursor)."""
        self._select = self._unlinked
        self._unlinked = None
        self.submit(partial(history.undo_last, only_mine=True),
                    then=lambda op: self.notify("Nothing to undo" if op is None else f"Undone: {inert_line(op.summary or op.name)}", markup=False))
