"""The search query box: an Input that leaves ``?`` to the app (help), as FTS5 has no use for it."""

from __future__ import annotations

from textual import events
from textual.widgets import Input


class QueryInput(Input):
    """A one-line query; ``?`` opens the help instead of being typed (elsewhere, Input's keys)."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        """Consume what Input does, except ``?`` (so the app's help binding sees it)."""
        if key == "question_mark":
            return False
        return super().check_consume_key(key, character)

    async def _on_key(self, event: events.Key) -> None:
        # Textual calls this, then Input's own handler (which types the key) unless prevented.
        if event.key == "question_mark":
            event.prevent_default()  # not typed: the key goes on to the bindings (help)
