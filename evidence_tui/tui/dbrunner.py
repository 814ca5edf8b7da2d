"""Running domain calls off the UI thread, in order.

Every write goes to one background thread (a one-worker executor), so writes happen in the order
the keys were pressed and the UI never waits on SQLite (a CLI import may hold the write lock for a
while). The thread has its own connection (``CaseFile.db`` is per thread). Results and errors come
back to the UI thread through an async Textual worker; the thread itself never touches a widget.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from textual.app import App

from evidence_tui.errors import EvidenceError
from evidence_tui.store import CaseFile
from evidence_tui.textsafety import inert_line

T = TypeVar("T")


class DbRunner:
    """Serial background execution of domain functions for one app."""

    def __init__(self, app: App, case: CaseFile) -> None:
        self.app = app
        self.case = case
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="evidence-db")

    def submit(
        self,
        call: Callable[..., T],
        *args: Any,
        then: Callable[[T], None] | None = None,
        changed: bool = True,
        on_error: Callable[[EvidenceError], None] | None = None,
        **kwargs: Any,
    ) -> None:
        """Run ``call(case, *args, **kwargs)`` in the background; ``then(result)`` on the UI thread.

        An ``EvidenceError`` becomes an error notification (and ``on_error(error)`` when given).
        With ``changed`` (the default) the app is told the case file changed, so screens refresh.
        """

        async def run() -> None:
            future = self._executor.submit(call, self.case, *args, **kwargs)
            try:
                result = await asyncio.wrap_future(future)
            except EvidenceError as error:
                self.app.notify(inert_line(str(error)), severity="error", markup=False)
                if on_error is not None:
                    on_error(error)
                return
            if then is not None:
                then(result)
            if changed:
                self.app.case_changed()  # type: ignore[attr-defined]

        self.app.run_worker(run(), group="db", exit_on_error=True)

    def shutdown(self) -> None:
        """Finish queued calls and stop the thread."""
        self._executor.shutdown(wait=True)
