"""Helpers for the TUI tests."""

from __future__ import annotations

import io

from rich.console import Console


def static_text(widget) -> str:
    """The plain text a Static widget shows (its content rendered without styles)."""
    console = Console(width=200, record=True, file=io.StringIO(), color_system=None)
    console.print(widget.content)
    return console.export_text()


async def settle(app, pilot) -> None:
    """Let workers finish, including those that others start as they finish (a write, then the
    reload it triggers), and the screen redraw."""
    await pilot.pause()
    for _ in range(20):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if all(worker.is_finished for worker in app.workers):
            break
