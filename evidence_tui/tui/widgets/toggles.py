"""Check boxes and radio buttons whose state shows without colour.

Textual draws an on and an off check box alike (a coloured X) and every radio button as a dot:
with weak colours, or none, a researcher cannot tell what is ticked. These show the state in the
glyph itself.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Checkbox, RadioButton


class _StateGlyph:
    """For a ToggleButton subclass: draw ``ON`` or ``OFF`` inside the button, by its value."""

    ON: str
    OFF: str

    @property
    def _button(self) -> Content:
        self.BUTTON_INNER = self.ON if self.value else self.OFF  # type: ignore[attr-defined]
        return super()._button  # type: ignore[misc]


class StateCheckbox(_StateGlyph, Checkbox):
    """A check box that shows ✓ when on and a blank when off."""

    ON, OFF = "✓", " "


class StateRadioButton(_StateGlyph, RadioButton):
    """A radio button that shows ● when chosen and ○ when not."""

    ON, OFF = "●", "○"
