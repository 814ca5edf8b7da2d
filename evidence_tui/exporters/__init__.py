"""Exports of tagged excerpts for spreadsheets and reports (CSV, JSON, W3C Web Annotations)."""

from evidence_tui.exporters.csv_export import neutralise, write_csv
from evidence_tui.exporters.excerpts_export import ExportOptions, export_excerpts, export_to_file
from evidence_tui.exporters.json_export import write_json
from evidence_tui.exporters.output import open_private
from evidence_tui.exporters.w3c import write_w3c

__all__ = [
    "ExportOptions", "export_excerpts", "export_to_file", "neutralise", "open_private", "write_csv",
    "write_json", "write_w3c",
]
