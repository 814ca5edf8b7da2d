"""App-wide behaviour: switching screens, the help screen, the command palette, quitting."""

from __future__ import annotations

import asyncio

import pytest
from textual.actions import parse

from evidence_tui.tui.app import SCREENS, EvidenceApp
from evidence_tui.tui.screens.help import HelpScreen, screen_keys
from tests.tui_util import settle, static_text


def _action_exists(screen, binding) -> bool:
    """True when a binding's action resolves to an action method on some node that can run it."""
    target, name, _params = parse(binding.action)
    nodes = [screen.app] if target == "app" else [*screen.ancestors_with_self, *screen.focused.ancestors_with_self] if screen.focused else [screen, screen.app]
    return any(callable(getattr(node, f"action_{name}", None)) for node in nodes)


@pytest.mark.parametrize("mode", [mode for mode, _key, _label in SCREENS])
def test_every_key_the_help_lists_is_bound_to_an_action(demo_case, mode):
    async def run():
        app = EvidenceApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            await app.switch_mode(mode)
            await settle(app, pilot)
            screen = app.screen
            listed = screen_keys(screen)
            assert listed, f"the help of {mode} lists no keys"
            for active in screen.active_bindings.values():
                binding = active.binding
                if binding.description and not binding.system:
                    assert _action_exists(screen, binding), f"{mode}: {binding.key} -> {binding.action} has no action"
            await pilot.press("question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            shown = static_text(app.screen.query_one("#help-table"))
            for key, description, _tooltip in listed:
                assert description in shown
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is screen

    asyncio.run(run())


def test_function_keys_switch_screens(demo_case):
    async def run():
        app = EvidenceApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            for mode, key, _label in SCREENS:
                await pilot.press(key)
                await settle(app, pilot)
                assert app.current_mode == mode

    asyncio.run(run())


def test_palette_offers_screen_actions_and_switches(demo_case):
    async def run():
        app = EvidenceApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            titles = {command.title for command in app.get_system_commands(app.screen)}
            assert {"Go to Library", "Go to Codebook", "Import", "Filter", "Sort", "Metadata"} <= titles
            await pilot.press("ctrl+p")
            await pilot.pause()
            await pilot.press(*"Go to Claims")
            await pilot.pause(0.5)
            await pilot.press("enter")
            await settle(app, pilot)
            assert app.current_mode == "claims"

    asyncio.run(run())


def test_q_on_the_library_quits(demo_case):
    async def run():
        app = EvidenceApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            await pilot.press("q")
            await pilot.pause()
        assert app.return_code == 0

    asyncio.run(run())
