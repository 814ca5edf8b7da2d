"""What every screen shares: the case file, background domain calls, refresh on change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header

from evidence_tui.store import CaseFile


class EvidenceScreen(Screen):
    """A full screen of the app, with the header and footer, that reloads when the case changes."""

    BINDINGS = [
        Binding("escape,q", "back", "Back", id="screen.back", tooltip="Leave this screen (q on the library quits)"),
    ]

    @property
    def case(self) -> CaseFile:
        """The open case file (for synchronous reads of small, indexed data)."""
        return self.app.case  # type: ignore[attr-defined]

    def compose_frame(self) -> ComposeResult:
        """Yield the header; screens yield their body, then ``Footer()``."""
        yield Header()

    def submit(self, call: Callable[..., Any], *args: Any, then: Callable[[Any], None] | None = None, **kwargs: Any) -> None:
        """Run a domain function in the background (in order); ``then(result)`` back here.

        Keywords ``changed`` and ``on_error`` go to ``DbRunner.submit``; the rest to ``call``.
        """
        self.app.db.submit(call, *args, then=then, **kwargs)  # type: ignore[attr-defined]

    def on_mount(self) -> None:
        """Start watching the case file's revision."""
        self.watch(self.app, "revision", self._on_revision, init=False)

    def _on_revision(self, _revision: int) -> None:
        if self.is_current:
            self.reload()

    def on_screen_resume(self) -> None:
        """Reload when coming back to this screen (another screen may have changed things)."""
        self.reload()

    def reload(self) -> None:
        """Fetch what the screen shows again. Screens override this."""

    def action_back(self) -> None:
        """Pop this screen; on a mode's root go to the app's home screen, or quit from there."""
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
        elif self.app.current_mode == getattr(self.app, "home_mode", "library"):
            self.app.exit()
        else:
            self.app.switch_mode(getattr(self.app, "home_mode", "library"))


__all__ = ["EvidenceScreen", "Footer"]
