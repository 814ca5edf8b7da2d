"""Actions on one excerpt shared by the reader and the review screen: note, entity, claim, undo.

A mixin for ``EvidenceScreen`` subclasses: the screen says which excerpt an action applies to
(``excerpt_for_action``); the pickers, prompts and domain calls live here once.
"""

from __future__ import annotations

from functools import partial

from rich.text import Text

from evidence_tui.domain import claims as claims_domain
from evidence_tui.domain import entities, excerpts, history
from evidence_tui.domain.models import Excerpt
from evidence_tui.store.schema import ENTITY_KINDS
from evidence_tui.textsafety import inert_line
from evidence_tui.tui.screens.picker import Picked, PickerItem, PickerScreen
from evidence_tui.tui.screens.prompt import TextPrompt
from evidence_tui.words import count, sources_in_outlets


def delete_question(excerpt: Excerpt) -> Text:
    """"Delete this excerpt of <source>?" with its quote and what goes with it (for a ConfirmScreen)."""
    quote = inert_line(excerpt.quote)
    question = Text("Delete this excerpt of ")
    question.append(inert_line(excerpt.source_title or ""), style="bold")
    question.append("?\n“" + (quote if len(quote) <= 160 else quote[:157] + "…") + "”\n", style="italic")
    question.append("Its tags and links go too (u brings them back).", style="dim")
    return question


def carries_work(excerpt: Excerpt) -> bool:
    """True when deleting the excerpt would take more than its span and tags: claims or entities
    linked to it, a note, a review decision or a grade (the reader then asks first)."""
    return bool(excerpt.claims or excerpt.entities or excerpt.note or excerpt.credibility is not None
                or excerpt.review_status != "unreviewed")


class ExcerptActions:
    """n note, e link entity, c attach to claim, u undo: for screens showing one excerpt at a time."""

    def excerpt_for_action(self) -> Excerpt | None:
        """The excerpt the actions apply to (screens override this)."""
        raise NotImplementedError

    def action_note(self) -> None:
        """Edit the note of the excerpt under the cursor."""
        excerpt = self.excerpt_for_action()
        if excerpt is None:
            return
        self.app.push_screen(
            TextPrompt(f"Note on excerpt {excerpt.short_id}", excerpt.note or "", multiline=True),
            lambda note: None if note is None else self.submit(excerpts.set_note, excerpt.id, note),
        )

    def action_link_entity(self) -> None:
        """Link an entity (picked, or created inline) to the excerpt under the cursor."""
        excerpt = self.excerpt_for_action()
        if excerpt is None:
            return

        def pick(listed: list) -> None:
            items = [PickerItem(e.id, e.name, f"{e.kind} · {', '.join(e.aliases)}".strip(" ·")) for e in listed]
            self.app.push_screen(PickerScreen(f"Link an entity to excerpt {excerpt.short_id}", items, allow_create=True,
                                              create_label="New entity"), partial(self._entity_picked, excerpt))

        self.submit(entities.list_entities, then=pick, changed=False)  # read on the database thread

    def _entity_picked(self, excerpt: Excerpt, picked: Picked | None) -> None:
        if picked is None:
            return
        if not picked.created:
            self.submit(entities.link_excerpt, picked.value, excerpt.id)
            return
        kinds = [PickerItem(kind, kind) for kind in ENTITY_KINDS]

        def kind_picked(kind: Picked | None) -> None:
            if kind is None:
                return

            def create_and_link(case, name, kind_name):
                made = entities.add_entity(case, name, kind_name)
                entities.link_excerpt(case, made.id, excerpt.id)
                return made

            self.submit(create_and_link, picked.value, kind.value,
                        then=lambda made: self.notify(f"New {made.kind} '{made.name}' linked", markup=False))

        self.app.push_screen(PickerScreen(f"What is '{picked.value}'?", kinds), kind_picked)

    def action_attach_claim(self) -> None:
        """Attach the excerpt under the cursor to a claim (picked or created), supporting or contradicting."""
        excerpt = self.excerpt_for_action()
        if excerpt is None:
            return

        def pick(listed: list) -> None:
            items = [PickerItem(c.id, c.statement, f"{count(c.sources, 'source')} · {count(c.outlets, 'outlet')}")
                     for c in listed]
            self.app.push_screen(PickerScreen(f"Attach excerpt {excerpt.short_id} to a claim", items, allow_create=True,
                                              create_label="New claim"), partial(self._claim_picked, excerpt))

        self.submit(claims_domain.list_claims, then=pick, changed=False)  # read on the database thread

    def _claim_picked(self, excerpt: Excerpt, picked: Picked | None) -> None:
        if picked is None:
            return
        stances = [PickerItem("supports", "supports"), PickerItem("contradicts", "contradicts")]

        def stance_picked(stance: Picked | None) -> None:
            if stance is None:
                return

            def attach(case):
                claim_id = picked.value
                if picked.created:
                    # A new claim takes the type of the excerpt that supports it; one that
                    # contradicts it says something else ("only 9 were detained" is no
                    # "Official figure" of the claim's), so the claim is left untyped.
                    supports = stance.value == "supports"
                    claim_type = excerpt.claim_types[0].id if excerpt.claim_types and supports else None
                    claim_id = claims_domain.add_claim(case, picked.value, claim_type=claim_type).id
                return claims_domain.link_excerpt(case, claim_id, excerpt.id, stance.value)

            self.submit(attach, then=lambda claim: self.notify(
                f"Excerpt {stance.value} '{claim.statement[:50]}' "
                f"({sources_in_outlets(claim.sources, claim.outlets, claim.sources_without_outlet)})", markup=False))

        self.app.push_screen(PickerScreen("Does the excerpt support or contradict it?", stances), stance_picked)

    def action_undo(self) -> None:
        """Undo your last change in this case file."""
        self.submit(partial(history.undo_last, only_mine=True),
                    then=lambda op: self.notify("Nothing to undo" if op is None else f"Undone: {op.summary or op.name}", markup=False))

