"""A path box whose tab key takes the suggested completion (as a shell's does)."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Input


class PathInput(Input):
    """An Input for file and folder paths: tab accepts the grey completion, else moves on."""

    BINDINGS = [
        Binding("tab", "complete", "Complete", show=False, id="path_input.complete",
                tooltip="Take the suggested completion of the path (tab again moves on)"),
    ]

    def action_complete(self) -> None:
        """Take the suggestion shown after the cursor, or move the focus on when there is none."""
        if self.cursor_at_end and self._suggestion and self._suggestion != self.value:
            self.value = self._suggestion
            self.cursor_position = len(self.value)
        else:
            self.screen.focus_next()
