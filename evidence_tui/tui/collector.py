"""Keeping Python's garbage collector out of the way while the UI answers a key.

A full collection walks every object Python tracks: in the running app that is a 25-55 ms stall
(measured on the 100,000-source case file, two cores), drawn late if it falls between a key and
the rows it brings. ``CollectorPause`` turns automatic collection off for such a moment, never for
longer than ``limit``: reference counting still frees almost everything meanwhile, and the
collector catches up as soon as it is back on. (Textual's ``PAUSE_GC_ON_SCROLL`` does the same
while scrolling.)
"""

from __future__ import annotations

import gc

from textual.message_pump import MessagePump
from textual.timer import Timer


class CollectorPause:
    """Automatic garbage collection off from ``start()`` until ``end()``, or ``limit`` seconds at most."""

    def __init__(self, owner: MessagePump, limit: float = 0.5) -> None:
        self._owner = owner  # whose timer ends a pause that nothing else ended
        self._limit = limit
        self._paused = False
        self._timer: Timer | None = None

    @property
    def paused(self) -> bool:
        """True while this pause holds the collector off."""
        return self._paused

    def start(self) -> None:
        """Hold the collector off (again for ``limit`` seconds when already paused)."""
        if not self._paused:
            if not gc.isenabled():  # off already (by someone else): theirs to turn back on
                return
            gc.disable()
            self._paused = True
        if self._timer is not None:
            self._timer.stop()
        self._timer = self._owner.set_timer(self._limit, self.end)

    def end(self) -> None:
        """Turn the collector back on (when this pause turned it off)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self._paused:
            self._paused = False
            gc.enable()
