"""The Entities screen (F4) and its list of mentions, driven with Pilot; checked through the domain."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input

from evidence_tui.domain import entities, excerpts
from evidence_tui.domain.filters import ExcerptFilter
from evidence_tui.tui import app as app_module
from evidence_tui.tui.app import EvidenceApp
from evidence_tui.tui.screens.entities import EntitiesScreen, MentionsScreen
from evidence_tui.tui.screens.picker import PickerScreen
from evidence_tui.tui.screens.prompt import ConfirmScreen
from evidence_tui.tui.screens.reader import ReaderScreen
from evidence_tui.tui.widgets.codebook_prompt import CheckedPrompt
from tests.tui_util import settle

SIZE = (120, 40)
KYSLYTSYA = "Sergiy Kyslytsya"


class EntitiesApp(EvidenceApp):
    """The app opening on the Entities screen (not starting the Library first keeps tests quick)."""

    CSS_PATH = str(Path(app_module.__file__).with_name("app.tcss"))
    DEFAULT_MODE = "entities"


def run(case, body: Callable[[EvidenceApp, Pilot, EntitiesScreen], Awaitable[None]]) -> None:
    """Open the app on ``case`` at the Entities screen and run ``body``."""

    async def main() -> None:
        app = EntitiesApp(case)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            assert isinstance(app.screen, EntitiesScreen)
            await body(app, pilot, app.screen)

    asyncio.run(main())


async def answer(app: EvidenceApp, pilot: Pilot, text: str) -> None:
    """Fill the open prompt's or picker's box and press Enter."""
    app.screen.query_one(Input).value = text
    await pilot.press("enter")
    await settle(app, pilot)


async def go_to(pilot: Pilot, screen: EntitiesScreen, name: str) -> None:
    """Put the cursor on the entity called ``name``."""
    row = [e.name for e in screen.shown].index(name)
    screen.table.move_cursor(row=row)
    await pilot.pause()
    assert screen.current_entity().name == name


def flat(text) -> str:
    """A dialog's text on one line (dialogs break long lines)."""
    return " ".join(str(text).split())


def notices(app: EvidenceApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def test_f4_lists_entities_with_aliases_and_counts(demo_case):
    async def main() -> None:
        app = EvidenceApp(demo_case)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("f4")
            await settle(app, pilot)
            screen = app.screen
            assert isinstance(screen, EntitiesScreen)
            assert screen.table.row_count == 25
            await go_to(pilot, screen, KYSLYTSYA)
            row = [str(cell) for cell in screen.table.get_row_at(screen.table.cursor_row)]
            assert row[0] == KYSLYTSYA and row[1] == "person"
            assert "Kyskytsya" in row[2] and row[3].strip() == "3"
            detail = str(screen.query_one("#entities-detail").render())
            assert "Сергій Кислиця" in detail  # every alias in full under the table

    asyncio.run(main())


def test_filter_as_you_type_by_name_or_alias(demo_case):
    async def body(app, pilot, screen):
        await pilot.press("slash", *"кисл")
        assert [e.name for e in screen.shown] == [KYSLYTSYA]  # by a Cyrillic alias
        await pilot.press("backspace", "backspace", "backspace", "backspace", *"wagn")
        assert [e.name for e in screen.shown] == ["Wagner Group"]
        await pilot.press("enter")
        assert screen.table.has_focus
        await pilot.press("escape")  # clears the filter first, stays on the screen
        await pilot.pause()
        assert isinstance(app.screen, EntitiesScreen)
        assert screen.table.row_count == 25

    run(demo_case, body)


def test_add_an_entity_name_then_kind(demo_case):
    async def body(app, pilot, screen):
        await pilot.press("a")
        assert isinstance(app.screen, CheckedPrompt)
        await pilot.press(*"Fix", "space", *"Group", "enter")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        await answer(app, pilot, "organ")
        made = entities.get_entity(demo_case, "Fix Group")
        assert made.kind == "organisation"
        assert screen.current_entity().name == "Fix Group"
        assert screen.table.row_count == 26

    run(demo_case, body)


def test_empty_or_duplicate_entity_is_refused_without_a_crash(demo_case):
    async def body(app, pilot, screen):
        await pilot.press("a")
        await answer(app, pilot, "  ")
        assert "needs a name" in app.screen.problem
        await answer(app, pilot, "BBC")
        await answer(app, pilot, "organisation")
        assert isinstance(app.screen, EntitiesScreen)
        assert any("already a organisation called 'BBC'" in n for n in notices(app))
        assert len(entities.list_entities(demo_case)) == 25

    run(demo_case, body)


def test_add_aliases_separated_by_semicolons(demo_case):
    async def body(app, pilot, screen):
        await go_to(pilot, screen, "Rustem Umerov")
        await pilot.press("A")
        assert isinstance(app.screen, CheckedPrompt)
        await answer(app, pilot, "Umerov R.;  Рустем Умеров ; ;Wagner")
        updated = entities.get_entity(demo_case, "Rustem Umerov")
        assert {"Umerov R.", "Рустем Умеров", "Wagner"} <= set(updated.aliases)
        assert any("3 aliases added" in n for n in notices(app))
        assert any("'Wagner' also names 'Wagner Group'" in n for n in notices(app))  # a warning, not a refusal

    run(demo_case, body)


def test_rename_and_change_kind(demo_case):
    async def body(app, pilot, screen):
        await go_to(pilot, screen, "Crimea")
        await pilot.press("r")
        await answer(app, pilot, "Crimean peninsula")
        await pilot.press("t")
        await answer(app, pilot, "other")
        renamed = entities.get_entity(demo_case, "Crimean peninsula")
        assert renamed.kind == "other" and "Krym" in renamed.aliases
        assert screen.current_entity().name == "Crimean peninsula"

    run(demo_case, body)


def test_merge_a_misspelling_into_the_right_entity(demo_case):
    # A misspelt duplicate with an excerpt of its own.
    wrong = entities.add_entity(demo_case, "Sergiy Kislitsa", "person", aliases=("S. Kislitsa",))
    some = excerpts.list_excerpts(demo_case, ExcerptFilter(entities=("Alexander Bastrykin",)))[0]
    entities.link_excerpt(demo_case, wrong.id, some.id, "speaker")
    before = entities.get_entity(demo_case, KYSLYTSYA)

    async def body(app, pilot, screen):
        await go_to(pilot, screen, "Sergiy Kislitsa")
        await pilot.press("M")
        assert isinstance(app.screen, PickerScreen)
        await answer(app, pilot, "Kyslytsya")
        confirm = app.screen
        assert isinstance(confirm, ConfirmScreen)
        question = flat(confirm.question)
        assert question.startswith("Merge 'Sergiy Kislitsa' into 'Sergiy Kyslytsya'? Its 1 excerpt link moves to 'Sergiy Kyslytsya', its name and 1 alias become aliases of it")
        await pilot.press("y")
        await settle(app, pilot)
        merged = entities.get_entity(demo_case, KYSLYTSYA)
        assert merged.excerpt_count == before.excerpt_count + 1
        assert {"Sergiy Kislitsa", "S. Kislitsa"} <= set(merged.aliases)
        assert [e.name for e in entities.list_entities(demo_case)].count("Sergiy Kislitsa") == 0
        linked = excerpts.get_excerpt(demo_case, some.id)
        assert (KYSLYTSYA, "speaker") in [(link.name, link.role) for link in linked.entities]
        assert screen.current_entity().name == KYSLYTSYA
        assert screen.table.row_count == 25

    run(demo_case, body)


def test_merge_asks_first_and_no_leaves_both(demo_case):
    async def body(app, pilot, screen):
        await go_to(pilot, screen, "Crimea")
        await pilot.press("M")
        await answer(app, pilot, "Karelia")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(app, pilot)
        assert len(entities.list_entities(demo_case)) == 25

    run(demo_case, body)


def test_find_mentions_and_tag_one(demo_case):
    async def body(app, pilot, screen):
        await go_to(pilot, screen, KYSLYTSYA)
        await pilot.press("f")
        await settle(app, pilot)
        mentions = app.screen
        assert isinstance(mentions, MentionsScreen)
        assert [m.text for m in mentions.mentions] == ["Кислиця", KYSLYTSYA, "Kyslytsya"]
        assert "3 mentions in 1 source" in str(mentions.query_one("#mentions-status").render())
        await pilot.press("down", "l")
        await settle(app, pilot)
        # The sentence around the full name is now an excerpt linked to him; the list updates.
        made = [e for e in excerpts.list_excerpts(demo_case, ExcerptFilter(entities=(KYSLYTSYA,)))
                if e.quote.startswith("Ukraine's Permanent Representative")]
        assert len(made) == 1 and made[0].quote.endswith(".")
        assert [m.text for m in mentions.mentions] == ["Кислиця", "Kyslytsya"]
        assert mentions.options.highlighted == 1
        await pilot.press("enter")  # Enter tags too
        await settle(app, pilot)
        assert [m.text for m in mentions.mentions] == ["Кислиця"]
        assert entities.get_entity(demo_case, KYSLYTSYA).excerpt_count == 5
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is screen
        assert screen.current_entity().excerpt_count == 5  # the table shows the new count

    run(demo_case, body)


def test_o_opens_the_reader_at_the_mention(demo_case):
    async def body(app, pilot, screen):
        await go_to(pilot, screen, KYSLYTSYA)
        await pilot.press("f")
        await settle(app, pilot)
        await pilot.press("down", "o")
        await settle(app, pilot)
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        mention = entities.find_mentions(demo_case, KYSLYTSYA)[1]
        assert reader.view.selection == (mention.start, mention.end)
        await pilot.press("escape", "escape")  # drop the selection, leave the reader
        await settle(app, pilot)
        assert isinstance(app.screen, MentionsScreen)

    run(demo_case, body)


def test_no_mentions_says_so(demo_case):
    entities.add_entity(demo_case, "Nobody Named Here", "person")

    async def body(app, pilot, screen):
        await go_to(pilot, screen, "Nobody Named Here")
        await pilot.press("enter")  # Enter on an entity lists its mentions too
        await settle(app, pilot)
        assert isinstance(app.screen, MentionsScreen)
        assert app.screen.mentions == []
        assert "No unlinked mentions" in str(app.screen.query_one("#mentions-status").render())
        await pilot.press("l", "o")  # nothing to act on: no crash
        await pilot.pause()
        assert isinstance(app.screen, MentionsScreen)

    run(demo_case, body)


def test_empty_case_says_what_to_do(case):
    async def body(app, pilot, screen):
        assert "press a to add one" in str(screen.query_one("#entities-status").render())
        for key in ("A", "r", "t", "M", "f"):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, EntitiesScreen)

    run(case, body)


def test_entities_snapshot(snap_compare, demo_case):
    async def run_before(pilot: Pilot) -> None:
        await pilot.press("f4")
        await settle(pilot.app, pilot)

    assert snap_compare(EvidenceApp(demo_case), terminal_size=SIZE, run_before=run_before)
