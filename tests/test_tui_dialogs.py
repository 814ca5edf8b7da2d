"""The small dialogs (picker, text prompt, confirm): titles shown literally and in full, and the
keys of a yes/no question."""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import Input, Label

from evidence_tui.domain import entities, excerpts, sources
from evidence_tui.tui.app import EvidenceApp
from evidence_tui.tui.screens.picker import PickerItem, PickerScreen
from evidence_tui.tui.screens.prompt import ConfirmScreen, TextPrompt
from evidence_tui.tui.screens.reader import ReaderScreen
from tests.tui_util import settle

HOSTILE_TITLES = ["[bold]x", "[/]", "What is '[/]'?", "[link=https://x.example]click[/link] [red]", "a\\[b] [/bold]"]


def screen_text(app) -> str:
    update = app.screen._compositor.render_update(full=True)
    return "\n".join("".join(segment.text for segment in strip) for strip in update.strips)


def dialogs(title: str):
    return [
        PickerScreen(title, [PickerItem("1", "one")]),
        TextPrompt(title, "value"),
        TextPrompt(title, "note", multiline=True),
        ConfirmScreen(title),
    ]


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_titles_are_shown_literally_never_as_markup(case, title):
    async def run():
        app = EvidenceApp(case, mode="claims")
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            for dialog in dialogs(title):
                app.push_screen(dialog)
                await settle(app, pilot)
                assert app.screen is dialog
                assert title in screen_text(app)
                await pilot.press("escape")
                await settle(app, pilot)

    asyncio.run(run())


def test_a_new_entity_named_like_markup_is_asked_about_literally(case):
    source_id = sources.import_text(case, b"Title\n\nA commander gave the order.\n", "t.txt").source_id
    excerpt = excerpts.add_excerpt(case, source_id, quote="A commander gave the order.")

    class ReaderApp(EvidenceApp):
        DEFAULT_MODE = "claims"

        def on_mount(self) -> None:
            super().on_mount()
            self.push_screen(ReaderScreen(source_id, cursor=excerpt.start))

    async def run():
        app = ReaderApp(case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            await pilot.press("e")
            await settle(app, pilot)
            app.screen.query_one(Input).value = "[/]"
            await pilot.press("enter")  # "New entity '[/]'"
            await settle(app, pilot)
            assert isinstance(app.screen, PickerScreen)
            assert "What is '[/]'?" in screen_text(app)
            await pilot.press("enter")  # the first kind
            await settle(app, pilot)
            (made,) = entities.list_entities(case)
            assert made.name == "[/]"
            assert [e.name for e in excerpts.get_excerpt(case, excerpt.id).entities] == ["[/]"]

    asyncio.run(run())


# -- long titles wrap inside the dialog ----------------------------------------------------------


@pytest.mark.parametrize("index", range(4))
def test_long_titles_wrap_to_the_dialog_width(case, index):
    words = " ".join(f"word{n:02d}" for n in range(40))  # 279 characters: four lines in 80 columns

    async def run():
        app = EvidenceApp(case, mode="claims")
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            dialog = dialogs(words)[index]
            app.push_screen(dialog)
            await settle(app, pilot)
            label = dialog.query(Label).first()
            container = label.parent
            assert label.region.width == container.content_region.width
            assert label.region.height >= 4
            shown = " ".join(screen_text(app).split())
            assert "word00" in shown and "word39" in shown

    asyncio.run(run())


# -- a yes/no question: Enter is the safe answer -------------------------------------------------


@pytest.mark.parametrize(
    "keys, answer",
    [(["y"], True), (["n"], False), (["escape"], False), (["enter"], False), (["Y"], True), (["N"], False)],
)
def test_confirm_keys(case, keys, answer):
    async def run():
        app = EvidenceApp(case, mode="claims")
        answers: list[bool | None] = []
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            app.push_screen(ConfirmScreen("Delete everything?"), answers.append)
            await settle(app, pilot)
            await pilot.press(*keys)
            await settle(app, pilot)
            assert answers == [answer]

    asyncio.run(run())


def test_enter_says_no_even_when_no_button_has_focus(case):
    async def run():
        app = EvidenceApp(case, mode="claims")
        answers: list[bool | None] = []
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            dialog = ConfirmScreen("Delete everything?")
            app.push_screen(dialog, answers.append)
            await settle(app, pilot)
            dialog.set_focus(None)
            await pilot.press("enter")
            await settle(app, pilot)
            assert answers == [False]

    asyncio.run(run())


# -- small terminals: the dialogs fit, the highlighted choice stays in view ------------------------


@pytest.mark.parametrize("height", [18, 20, 24, 28, 32, 40])
def test_the_picker_list_fits_the_dialog_so_the_highlight_stays_in_view(case, height):
    items = [PickerItem(str(n), f"Entity number {n:02d}", "person · 1 excerpt") for n in range(40)]

    async def run():
        app = EvidenceApp(case, mode="claims")
        async with app.run_test(size=(80, height)) as pilot:
            await settle(app, pilot)
            picker = PickerScreen("Link an entity to excerpt 600a5e72", items)
            app.push_screen(picker)
            await settle(app, pilot)
            box = picker.query_one("#picker")
            options = picker.query_one("#picker-options")
            assert picker.region.contains_region(box.region)
            # The whole list (its last row included) lies inside the box: nothing is clipped.
            assert box.content_region.contains_region(options.region), (options.region, box.content_region)
            for _ in range(12):
                await pilot.press("down")
            await pilot.pause()
            assert options.highlighted == 12
            assert "Entity number 12" in screen_text(app)
            if height >= 32:
                assert options.region.height == 16  # as before: the list shrinks only when it must

    asyncio.run(run())


def test_entity_picker_snapshot_at_80_by_24(snap_compare, demo_case):
    # The highlight moved ten rows down: it is in view, not under the dialog's bottom edge.
    async def run_before(pilot) -> None:
        await settle(pilot.app, pilot)
        await pilot.press("f2")
        await settle(pilot.app, pilot)
        await pilot.press("E")
        await settle(pilot.app, pilot)
        await pilot.press(*["down"] * 10)
        await pilot.pause()

    # The Created column shows at the right edge: the same time every run, not today's.
    demo_case.db.conn.execute("UPDATE excerpts SET created_at = '2024-07-01T09:00:00.000Z'")
    assert snap_compare(EvidenceApp(demo_case), terminal_size=(80, 24), run_before=run_before)


LONG_CASE_PATH = "/home/researcher/cases/2024/interviews-and-open-sources-kalutara/recruitment-case.db"


def test_a_long_case_file_path_wraps_in_the_passphrase_dialog():
    from pathlib import Path

    from evidence_tui.tui.screens.passphrase import PassphraseApp

    async def run():
        app = PassphraseApp(Path(LONG_CASE_PATH))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            box = app.screen.query_one("#passphrase")
            assert app.screen.region.contains_region(box.region)
            shown = screen_text(app)
            assert "recruitment-case.db" in shown  # the file's name, at the end, is not cut off

    asyncio.run(run())


def test_passphrase_snapshot_at_80_by_24(snap_compare):
    from pathlib import Path

    from evidence_tui.tui.screens.passphrase import PassphraseApp

    assert snap_compare(PassphraseApp(Path(LONG_CASE_PATH)), terminal_size=(80, 24))
