"""``evidence-tui bundle export|import``: the case file as plain files in one zip, and back."""

from __future__ import annotations

from pathlib import Path

import click
from rich.text import Text

from evidence_tui.cli.common import console, db_option, json_option, open_case, print_json, safe
from evidence_tui.cli.merge import match_names_option, print_report, target_case
from evidence_tui.domain import bundle as bundles


@click.group("bundle")
def bundle() -> None:
    """Case bundles: the case file's content as plain files (JSON Lines per table, the source
    texts, the original bytes, a manifest with the SHA-256 of every file and of the whole) in one
    zip, to carry on a USB stick, diff or archive with a report. Importing a bundle is a merge.
    """


@bundle.command("export")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@click.option("--without-log", is_flag=True, help="Leave the event log (audit trail) out of the bundle.")
@json_option
@db_option
def export_(db_path: Path | None, path: Path, force: bool, without_log: bool, as_json: bool) -> None:
    """Write the case file to the bundle PATH (a zip readable by you only).

    Example: evidence-tui bundle export ~/usb/case-2024-06-30.zip
    """
    case = open_case(db_path, create=False)
    try:
        info = bundles.export_bundle(case, path, overwrite=force, include_log=not without_log)
    finally:
        case.close()
    if as_json:
        print_json(info.as_dict())
        return
    counts = info.counts
    console.print(
        Text("bundle: ") + safe(str(info.path))
        + Text(f" ({counts.get('sources', 0)} sources, {counts.get('excerpts', 0)} excerpts, {info.files} files, "
               f"{info.size:,} bytes, {info.seconds:.2f} s)"),
        soft_wrap=True,
    )
    console.print(Text(f"sha256: {info.sha256}"), soft_wrap=True)


@bundle.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Verify the bundle and print what the merge would do; write nothing.")
@match_names_option
@json_option
@db_option
def import_(db_path: Path | None, path: Path, dry_run: bool, match_names: str, as_json: bool) -> None:
    """Verify the bundle PATH against its manifest and merge it into the case file.

    A file missing, added or changed since export is refused with one line naming it. The merge
    follows the rules of 'evidence-tui merge' and is one change ('evidence-tui undo' reverts it).

    Example: evidence-tui bundle import ~/usb/bashir.zip --dry-run
    """
    with target_case(db_path, dry_run) as case:
        report = bundles.import_bundle(case, path, dry_run=dry_run, match_names=match_names)
    if as_json:
        print_json(report.as_dict())
    else:
        print_report(report)
