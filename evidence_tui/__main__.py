"""``python -m evidence_tui``: the same as the ``evidence-tui`` command."""

from evidence_tui.cli import main

# Guarded: import worker processes ("spawn") load this module again under another name.
if __name__ == "__main__":
    main()
