"""The domain layer: every operation on a case file, shared by the CLI and the TUI.

Each function that changes something is one transaction and one entry in the event log.
Modules: ``sources`` (import, list, edit), ``excerpts`` (mark, tag, note, status), ``codebook``
(claim types), ``claims`` (corroboration), ``entities``, ``search`` (FTS5), ``stats``,
``history`` (undo), ``filters`` (the excerpt filter shared by list, search, review and export).
"""
