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
    """Let workers (counts, writes) finish and the screen redraw."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
