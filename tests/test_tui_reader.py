"""The Reader: keyboard selection, tagging by hotkey and picker, notes, entities, claims, undo."""

from __future__ import annotations

import asyncio

from evidence_tui.domain import claims, codebook, entities, excerpts, sources
from evidence_tui.tui.app import EvidenceApp
from evidence_tui.tui.screens.picker import PickerScreen
from evidence_tui.tui.screens.prompt import TextPrompt
from evidence_tui.tui.screens.prompt import ConfirmScreen
from evidence_tui.tui.screens.reader import ReaderScreen
from tests.tui_util import static_text

BALTIC = "Russia offers army contracts to migrants held after trying to reach Finland"


async def settle(app, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def open_reader(case, title=BALTIC, **kwargs) -> EvidenceApp:
    """An app whose first screen is the reader on one source."""
    source = sources.get_source(case, title, with_text=False)

    class ReaderApp(EvidenceApp):
        def on_mount(self) -> None:
            super().on_mount()
            self.push_screen(ReaderScreen(source.id, **kwargs))

    return ReaderApp(case)


def test_select_a_sentence_with_the_keyboard_and_tag_it_with_1(demo_case):
    text = sources.get_source(demo_case, BALTIC).text
    sentence = "Russian authorities arrested 236 people in the space of three weeks in the Karelia, Leningrad and Murmansk regions, all of which lie along the frontier with Finland."
    start = text.index(sentence)

    async def run():
        app = open_reader(demo_case, cursor=start)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            # v starts a selection; ")" extends it to the next sentence; 1 tags it.
            await pilot.press("v", "right_parenthesis", "1")
            await settle(app, pilot)
            panel = static_text(app.screen.query_one("#excerpt-panel"))
            assert "Deception about the job" in panel
        made = [e for e in excerpts.excerpts_in_source(demo_case, e_source(demo_case)) if e.start == start]
        assert len(made) == 1
        assert made[0].quote == sentence
        assert [t.name for t in made[0].claim_types] == ["Deception about the job"]
        assert made[0].prefix == text[start - 32:start]

    asyncio.run(run())


async def type_in_picker(pilot, text: str) -> None:
    """Fill the picker's query box at once (typing key by key is slow in tests) and choose."""
    await pilot.pause()
    pilot.app.screen.query_one("#picker-input").value = text
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


def e_source(case) -> str:
    return sources.get_source(case, BALTIC, with_text=False).id


def test_s_selects_the_sentence_and_hotkey_on_an_excerpt_toggles_the_type(demo_case):
    text = sources.get_source(demo_case, BALTIC).text
    offset = text.index("Recruiters promised them pay")

    async def run():
        app = open_reader(demo_case, cursor=offset + 5)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            await pilot.press("s", "2")
            await settle(app, pilot)
            await pilot.press("3")  # cursor is inside the new excerpt: adds type 3
            await settle(app, pilot)
            await pilot.press("2")  # and 2 again removes type 2
            await settle(app, pilot)
        made = [e for e in excerpts.excerpts_in_source(demo_case, e_source(demo_case)) if e.start == offset]
        assert [t.hotkey for t in made[0].claim_types] == [3]
        assert made[0].quote.startswith("Recruiters promised them pay") and made[0].quote.endswith(".")

    asyncio.run(run())


def test_picker_tags_with_any_type_and_creates_a_new_one(demo_case):
    text = sources.get_source(demo_case, BALTIC).text
    offset = text.index("The contracts were written in Russian")

    async def run():
        app = open_reader(demo_case, cursor=offset)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            await pilot.press("s", "t")
            await pilot.pause()
            assert isinstance(app.screen, PickerScreen)
            await type_in_picker(pilot, "Language barrier")
            await settle(app, pilot)
            await pilot.press("t", *"payment", "enter")
            await settle(app, pilot)
        made = [e for e in excerpts.excerpts_in_source(demo_case, e_source(demo_case)) if e.start == offset][0]
        assert sorted(t.name for t in made.claim_types) == ["Language barrier", "Payment or promise"]
        assert codebook.get_type(demo_case, "Language barrier").excerpt_count == 1

    asyncio.run(run())


def _contracts_offset(case) -> int:
    """Where the Baltic article's sentence about contracts in Russian starts."""
    return sources.get_source(case, BALTIC).text.index("The contracts were written in Russian")


async def _tag_the_contracts_sentence(app, pilot) -> None:
    """In a reader opened at that sentence: select it (s) and tag it with claim type 1."""
    await settle(app, pilot)
    await pilot.press("s", "1")
    await settle(app, pilot)


def test_note_entity_and_claim_on_the_excerpt_under_the_cursor(demo_case):
    offset = _contracts_offset(demo_case)

    async def run():
        app = open_reader(demo_case, cursor=offset)
        async with app.run_test(size=(120, 40)) as pilot:
            await _tag_the_contracts_sentence(app, pilot)
            await pilot.press("n")
            await pilot.pause()
            assert isinstance(app.screen, TextPrompt)
            app.screen.query_one("#prompt-area").text = "Check the language"
            await pilot.press("ctrl+s")
            await settle(app, pilot)
            await pilot.press("e", *"Petrozav", "enter")
            await settle(app, pilot)
            await pilot.press("e")
            await type_in_picker(pilot, "Unknown recruiter")
            await pilot.press(*"person", "enter")
            await settle(app, pilot)
            await pilot.press("c")
            await type_in_picker(pilot, "Contracts were in a language the men could not read")
            await pilot.press(*"supports", "enter")
            await settle(app, pilot)
        made = [e for e in excerpts.excerpts_in_source(demo_case, e_source(demo_case)) if e.start == offset][0]
        assert made.note == "Check the language"
        assert sorted(e.name for e in made.entities) == ["Petrozavodsk", "Unknown recruiter"]
        assert entities.get_entity(demo_case, "Unknown recruiter").kind == "person"
        claim = claims.get_claim(demo_case, "Contracts were in a language the men could not read")
        assert (claim.supporting, claim.sources, claim.claim_type) == (1, 1, "Deception about the job")

    asyncio.run(run())


def test_a_new_claim_takes_the_type_of_a_supporting_excerpt_only(demo_case):
    offset = _contracts_offset(demo_case)

    async def run():
        app = open_reader(demo_case, cursor=offset)
        async with app.run_test(size=(120, 40)) as pilot:
            await _tag_the_contracts_sentence(app, pilot)
            await pilot.press("c")
            await type_in_picker(pilot, "The men signed of their own free will")
            await pilot.press(*"contradicts", "enter")
            await settle(app, pilot)
        claim = claims.get_claim(demo_case, "The men signed of their own free will")
        # The excerpt is typed "Deception about the job": that is not what the claim it denies is.
        assert (claim.contradicting, claim.sources_against, claim.claim_type) == (1, 1, None)

    asyncio.run(run())


def test_x_deletes_a_mark_without_links_at_once(demo_case):
    offset = _contracts_offset(demo_case)

    async def run():
        app = open_reader(demo_case, cursor=offset)
        async with app.run_test(size=(120, 40)) as pilot:
            await _tag_the_contracts_sentence(app, pilot)  # a new mark, tagged only
            before = len(excerpts.excerpts_in_source(demo_case, e_source(demo_case)))
            await pilot.press("x")
            await settle(app, pilot)
            assert not isinstance(app.screen, ConfirmScreen)
            assert len(excerpts.excerpts_in_source(demo_case, e_source(demo_case))) == before - 1

    asyncio.run(run())


def test_jump_between_excerpts_delete_and_undo(demo_case):
    source_id = e_source(demo_case)
    existing = sorted(excerpts.excerpts_in_source(demo_case, source_id), key=lambda e: e.start)
    assert len(existing) == 2

    async def run():
        app = open_reader(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            await pilot.press("right_square_bracket")
            assert app.screen.view.cursor == existing[0].start
            await pilot.press("right_square_bracket")
            assert app.screen.view.cursor == existing[1].start
            await pilot.press("left_square_bracket")
            assert app.screen.view.cursor == existing[0].start
            # It has links, so x asks first; n keeps it.
            assert existing[0].claims or existing[0].entities
            await pilot.press("x")
            await settle(app, pilot)
            assert isinstance(app.screen, ConfirmScreen)
            await pilot.press("n")
            await settle(app, pilot)
            assert len(excerpts.excerpts_in_source(demo_case, source_id)) == 2
            await pilot.press("x")
            await settle(app, pilot)
            await pilot.press("y")
            await settle(app, pilot)
            assert len(excerpts.excerpts_in_source(demo_case, source_id)) == 1
            await pilot.press("u")
            await settle(app, pilot)
            assert len(app.screen.excerpts) == 2
        back = excerpts.get_excerpt(demo_case, existing[0].id)
        assert back.claim_types == existing[0].claim_types
        assert back.entities == existing[0].entities and back.claims == existing[0].claims

    asyncio.run(run())


def test_hotkey_without_selection_or_excerpt_explains(demo_case):
    async def run():
        app = open_reader(demo_case, cursor=0)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            before = len(app.screen.excerpts)
            await pilot.press("1")
            await settle(app, pilot)
            assert len(app.screen.excerpts) == before
            assert any("Select text first" in n.message for n in app._notifications)

    asyncio.run(run())


def test_source_text_with_escapes_and_markup_is_shown_inert(case):
    hostile = "Headline [bold]not bold[/bold]\n\nBody \x1b]0;pwned\x07 and \x1b[31mred\x1b[0m [link=http://x]y[/link].\n"
    outcome = sources.import_text(case, hostile.encode(), "hostile.txt")

    async def run():
        class ReaderApp(EvidenceApp):
            def on_mount(self) -> None:
                super().on_mount()
                self.push_screen(ReaderScreen(outcome.source_id))

        app = ReaderApp(case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            view = app.screen.view
            lines = ["".join(seg.text for seg in view.render_line(y)) for y in range(4)]
            shown = "\n".join(lines)
            assert "[bold]not bold[/bold]" in shown
            assert "[link=http://x]y[/link]" in shown
            assert "\x1b" not in shown and "␛" in shown

    asyncio.run(run())


def test_reader_snapshot(snap_compare, demo_case):
    async def settle_snapshot(pilot):
        await settle(pilot.app, pilot)

    app = open_reader(demo_case, cursor=0)
    assert snap_compare(app, terminal_size=(120, 40), run_before=settle_snapshot)


def test_the_side_panel_names_what_each_number_key_tags(demo_case):
    hotkeyed = sorted((t for t in codebook.list_types(demo_case) if t.hotkey), key=lambda t: t.hotkey)
    text = sources.get_source(demo_case, BALTIC).text
    start = text.index("Russian authorities arrested 236 people")

    async def run():
        app = open_reader(demo_case, cursor=start)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            await pilot.press("s")  # a selection: the keys that would tag it, with their types
            await settle(app, pilot)
            panel = static_text(app.screen.query_one("#excerpt-panel"))
            for claim_type in hotkeyed:
                assert f"{claim_type.hotkey} ■ {claim_type.name}" in panel

    asyncio.run(run())


def test_the_entity_and_claim_pickers_read_off_the_ui_thread(demo_case, monkeypatch):
    import threading

    from evidence_tui.domain import claims as claims_domain
    from evidence_tui.tui.screens.picker import PickerScreen

    threads = []
    for module, name in ((entities, "list_entities"), (claims_domain, "list_claims")):
        real = getattr(module, name)

        def recorded(*args, _real=real, _name=name, **kwargs):
            threads.append((_name, threading.current_thread() is threading.main_thread()))
            return _real(*args, **kwargs)

        monkeypatch.setattr(module, name, recorded)

    async def run():
        app = open_reader(demo_case, cursor=_contracts_offset(demo_case))
        async with app.run_test(size=(120, 40)) as pilot:
            await _tag_the_contracts_sentence(app, pilot)
            for key, title in (("e", "Link an entity"), ("c", "Attach excerpt")):
                await pilot.press(key)
                await settle(app, pilot)
                assert isinstance(app.screen, PickerScreen) and title in app.screen.title_text
                await pilot.press("escape")
                await settle(app, pilot)

    asyncio.run(run())
    assert threads == [("list_entities", False), ("list_claims", False)]
