"""``python -m evidence_tui``: the same as the ``evidence-tui`` command."""

from evidence_tui.cli import main

main()
