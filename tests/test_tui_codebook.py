"""The Codebook screen (F5), driven with Pilot; the case file is checked through the domain."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from evidence_tui.domain import codebook, excerpts
from evidence_tui.domain.filters import ExcerptFilter
from evidence_tui.tui import app as app_module
from evidence_tui.tui.app import EvidenceApp
from evidence_tui.tui.screens.codebook import CodebookScreen
from evidence_tui.tui.screens.picker import Picked, PickerScreen
from evidence_tui.tui.screens.prompt import ConfirmScreen
from evidence_tui.tui.widgets.codebook_prompt import CheckedPrompt
from tests.tui_util import settle

SIZE = (120, 40)


class CodebookApp(EvidenceApp):
    """The app opening on the Codebook (not starting the Library first keeps the tests quick)."""

    CSS_PATH = str(Path(app_module.__file__).with_name("app.tcss"))
    DEFAULT_MODE = "codebook"


def run(case, body: Callable[[EvidenceApp, Pilot, CodebookScreen], Awaitable[None]]) -> None:
    """Open the app on ``case`` at the Codebook and run ``body``."""

    async def main() -> None:
        app = CodebookApp(case)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            screen = app.screen
            assert isinstance(screen, CodebookScreen)
            await body(app, pilot, screen)

    asyncio.run(main())


async def answer(app: EvidenceApp, pilot: Pilot, text: str) -> None:
    """Fill the open prompt's box and press Enter."""
    app.screen.query_one(Input).value = text
    await pilot.press("enter")
    await settle(app, pilot)


async def go_to(pilot: Pilot, screen: CodebookScreen, name: str) -> None:
    """Put the cursor on the claim type called ``name``."""
    row = [t.name for t in screen.types].index(name)
    screen.table.move_cursor(row=row)
    await pilot.pause()
    assert screen.current_type().name == name


def names(case) -> list[str]:
    return [t.name for t in codebook.list_types(case)]


def flat(text) -> str:
    """A dialog's text on one line (dialogs break long lines)."""
    return " ".join(str(text).split())


def notices(app: EvidenceApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def test_f5_shows_the_codebook_in_order(demo_case):
    async def main() -> None:
        app = EvidenceApp(demo_case)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("f5")
            await settle(app, pilot)
            assert isinstance(app.screen, CodebookScreen)
            await body(app, pilot, app.screen)

    async def body(app, pilot, screen):
        assert screen.table.row_count == 10
        assert [t.name for t in screen.types] == names(demo_case)
        assert screen.current_type().name == "Deception about the job"
        status = str(screen.query_one("#codebook-status").render())
        assert "10 claim types · 8 with a hotkey" in status

    asyncio.run(main())


def test_add_a_claim_type_typed_in(demo_case):
    async def body(app, pilot, screen):
        await pilot.press("a")
        assert isinstance(app.screen, CheckedPrompt)
        await pilot.press(*"Forged", "space", *"papers", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, CodebookScreen)
        assert names(demo_case)[-1] == "Forged papers"
        assert screen.current_type().name == "Forged papers"  # the cursor goes to the new type
        assert screen.table.row_count == 11

    run(demo_case, body)


def test_empty_or_duplicate_name_is_refused_in_the_dialog(demo_case):
    async def body(app, pilot, screen):
        await pilot.press("a")
        await answer(app, pilot, "  coercion OR threat ")
        prompt = app.screen
        assert isinstance(prompt, CheckedPrompt)  # still open, with the problem under the box
        assert "already a claim type called 'Coercion or threat'" in flat(prompt.problem)
        await answer(app, pilot, "   ")
        assert "needs a name" in prompt.problem
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, CodebookScreen)
        assert len(names(demo_case)) == 10
        # Should the check be passed by (another window added it meanwhile), the domain's refusal
        # becomes a notification, not a traceback.
        screen._add("Legal violation")
        await settle(app, pilot)
        assert any("already exists" in n for n in notices(app))
        assert len(names(demo_case)) == 10

    run(demo_case, body)


def test_rename_and_describe(demo_case):
    async def body(app, pilot, screen):
        await go_to(pilot, screen, "Legal violation")
        await pilot.press("r")
        assert app.screen.query_one(Input).value == "Legal violation"
        await answer(app, pilot, "Breach of law")
        await pilot.press("d")
        app.screen.query_one(TextArea).text = "Conduct that breaks a law.\nSecond line."
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        renamed = codebook.get_type(demo_case, "Breach of law")
        assert renamed.description == "Conduct that breaks a law.\nSecond line."
        assert renamed.excerpt_count == 4
        assert screen.current_type().name == "Breach of law"

    run(demo_case, body)


def test_set_a_hotkey_a_taken_one_says_which_type_has_it(demo_case):
    async def body(app, pilot, screen):
        await go_to(pilot, screen, "Payment or promise")
        await pilot.press("k")
        await answer(app, pilot, "2")
        prompt = app.screen
        assert isinstance(prompt, CheckedPrompt)
        assert "Key 2 is already used by 'Coercion or threat'" in flat(prompt.problem)
        await answer(app, pilot, "x")
        assert "one digit from 1 to 9" in prompt.problem
        await answer(app, pilot, "9")
        assert codebook.get_type(demo_case, "Payment or promise").hotkey == 9
        assert codebook.type_by_hotkey(demo_case, 9).name == "Payment or promise"
        assert codebook.get_type(demo_case, "Coercion or threat").hotkey == 2

    run(demo_case, body)


def test_an_empty_hotkey_clears_it(demo_case):
    async def body(app, pilot, screen):
        await go_to(pilot, screen, "Coercion or threat")
        await pilot.press("k")
        assert app.screen.query_one(Input).value == "2"
        await answer(app, pilot, "")
        assert codebook.get_type(demo_case, "Coercion or threat").hotkey is None
        assert "·" in str(screen.table.get_row_at(1)[1])

    run(demo_case, body)


def test_reorder_with_shift_j_and_shift_k(demo_case):
    async def body(app, pilot, screen):
        await pilot.press("J")
        await settle(app, pilot)
        assert names(demo_case)[:3] == ["Coercion or threat", "Deception about the job", "Detention to enlistment"]
        assert screen.current_type().name == "Deception about the job"  # the cursor moves with it
        await pilot.press("J", "J")
        await settle(app, pilot)
        assert names(demo_case).index("Deception about the job") == 3
        await pilot.press("K")
        await settle(app, pilot)
        assert names(demo_case).index("Deception about the job") == 2
        assert [t.name for t in screen.types] == names(demo_case)
        # Up from the top does nothing.
        await go_to(pilot, screen, "Coercion or threat")
        await pilot.press("K")
        await settle(app, pilot)
        assert names(demo_case)[0] == "Coercion or threat"

    run(demo_case, body)


def test_merge_two_claim_types_moves_the_tags(demo_case):
    official = {e.id for e in excerpts.list_excerpts(demo_case, ExcerptFilter(claim_types=("Official figure",)))}
    casualty = {e.id for e in excerpts.list_excerpts(demo_case, ExcerptFilter(claim_types=("Casualty or fate",)))}
    assert len(official) == 4 and len(casualty) == 1

    async def body(app, pilot, screen):
        await go_to(pilot, screen, "Official figure")
        await pilot.press("M")
        assert isinstance(app.screen, PickerScreen)
        await answer(app, pilot, "casualty")
        confirm = app.screen
        assert isinstance(confirm, ConfirmScreen)
        assert "Merge 'Official figure' into 'Casualty or fate'? Its 4 excerpts and 1 claim move to 'Casualty or fate'" in flat(confirm.question)
        await pilot.press("y")
        await settle(app, pilot)
        assert "Official figure" not in names(demo_case)
        merged = codebook.get_type(demo_case, "Casualty or fate")
        assert merged.excerpt_count == len(official | casualty)
        assert {e.id for e in excerpts.list_excerpts(demo_case, ExcerptFilter(claim_types=("Casualty or fate",)))} == official | casualty
        assert screen.current_type().name == "Casualty or fate"

    run(demo_case, body)


def test_delete_a_type_in_use_asks_and_deletes_only_on_yes(demo_case):
    async def body(app, pilot, screen):
        await go_to(pilot, screen, "Recruitment channel")
        await pilot.press("x")
        await settle(app, pilot)
        confirm = app.screen
        assert isinstance(confirm, ConfirmScreen)
        assert flat(confirm.question) == "Delete 'Recruitment channel'? 5 excerpts lose this tag; 2 claims lose their type."
        await pilot.press("n")
        await settle(app, pilot)
        assert "Recruitment channel" in names(demo_case)
        await pilot.press("x")
        await settle(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
        assert "Recruitment channel" not in names(demo_case)
        assert all(t.name != "Recruitment channel" for e in excerpts.list_excerpts(demo_case) for t in e.claim_types)
        assert screen.table.row_count == 9
        # u brings it back, with its tags.
        await pilot.press("u")
        await settle(app, pilot)
        assert codebook.get_type(demo_case, "Recruitment channel").excerpt_count == 5

    run(demo_case, body)


def test_an_unused_type_is_deleted_without_asking(demo_case):
    async def body(app, pilot, screen):
        await go_to(pilot, screen, "Return or escape")
        await pilot.press("x")
        await settle(app, pilot)
        assert isinstance(app.screen, CodebookScreen)
        assert "Return or escape" not in names(demo_case)

    run(demo_case, body)


def test_recolour_from_the_palette_or_typed(demo_case):
    async def body(app, pilot, screen):
        await go_to(pilot, screen, "Payment or promise")
        await pilot.press("C")
        assert isinstance(app.screen, PickerScreen)
        await pilot.press("enter")  # the first colour of the palette
        await settle(app, pilot)
        assert codebook.get_type(demo_case, "Payment or promise").colour == codebook.PALETTE[0]
        await pilot.press("C")
        await answer(app, pilot, "12AB9f")
        assert codebook.get_type(demo_case, "Payment or promise").colour == "#12ab9f"
        screen._recolour(screen.current_type(), Picked("teal", created=True))
        await settle(app, pilot)
        assert codebook.get_type(demo_case, "Payment or promise").colour == "#12ab9f"
        assert any("'teal' is not a colour" in n for n in notices(app))

    run(demo_case, body)


def test_enter_goes_to_the_excerpts_screen(demo_case):
    async def body(app, pilot, screen):
        await pilot.press("enter")
        await pilot.pause()
        assert app.current_mode == "excerpts"

    run(demo_case, body)


def test_empty_codebook_says_what_to_do(case):
    async def body(app, pilot, screen):
        assert "press a to add" in str(screen.query_one("#codebook-status").render())
        for key in ("r", "d", "k", "C", "J", "M", "x"):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, CodebookScreen)
        assert any("No claim type selected" in n for n in notices(app))

    run(case, body)


def test_names_from_the_case_file_are_not_markup(demo_case):
    codebook.add_type(demo_case, "[bold red]Loud[/] [link=http://x]y")

    async def body(app, pilot, screen):
        await go_to(pilot, screen, "[bold red]Loud[/] [link=http://x]y")
        await pilot.press("x")  # unused: deleted at once, the notification names it literally
        await settle(app, pilot)
        assert any("'[bold red]Loud[/] [link=http://x]y'" in n for n in notices(app))

    run(demo_case, body)


def test_a_bad_colour_in_the_file_does_not_crash_the_screen(demo_case):
    # Written behind the domain's back (an older version, another tool, a tampered file).
    with demo_case.write() as conn:
        conn.execute("UPDATE claim_types SET colour = 'bold [red' WHERE name = 'Coercion or threat'")

    async def body(app, pilot, screen):
        await go_to(pilot, screen, "Coercion or threat")
        await pilot.press("M")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        assert "bold [red" in str(screen.query_one("#codebook-detail").render())

    run(demo_case, body)


def test_codebook_snapshot(snap_compare, demo_case):
    async def run_before(pilot: Pilot) -> None:
        await pilot.press("f5")
        await settle(pilot.app, pilot)

    assert snap_compare(EvidenceApp(demo_case), terminal_size=SIZE, run_before=run_before)
