"""Looking after the case file: check (and repair), backup, restore."""

from __future__ import annotations

import os

from pathlib import Path

import click
from rich.text import Text

from evidence_tui.cli.common import _group_db_path, console, db_option, err_console, json_option, open_case, print_json, read_passphrase, safe
from evidence_tui.config import default_db_path
from evidence_tui.domain import integrity
from evidence_tui.errors import CaseFileError, EvidenceError
from evidence_tui.store import backup as backups
from evidence_tui.store import crypto


@click.command()
@click.option("--repair", is_flag=True, help="Re-anchor excerpts whose offsets drifted; rebuild the search index and the excerpts' link lists "
              "(excerpt_links) when out of step (logged, undoable; deletes nothing).")
@json_option
@db_option
def check(db_path: Path | None, repair: bool, as_json: bool) -> None:
    """Check the case file: SQLite integrity, the search index and the excerpts' link lists, every
    source against its SHA-256, every excerpt's quote against its offsets, and links between records.

    Prints one line per problem and exits 1 if anything is wrong (with --repair: if anything is
    still wrong after repairing). A repair is one entry in the log: 'evidence-tui undo' reverts it.

    Example: evidence-tui check --repair
    """
    path = db_path or _group_db_path() or default_db_path()
    try:
        case = open_case(path, create=False)
    except CaseFileError as error:
        _cannot_open(Path(path), error, as_json)
        raise SystemExit(1)
    try:
        if repair:
            if case.read_only:
                raise CaseFileError(f"{case.path}: the case file is read-only; cannot repair it")
            repaired = integrity.repair_case(case)
            report = repaired.after
            if as_json:
                print_json({"path": str(case.path), **repaired.as_dict()})
            else:
                for excerpt_id, old_start, old_end, new_start, new_end in repaired.reanchored:
                    console.print(f"re-anchored: excerpt {excerpt_id[:8]} {old_start}-{old_end} -> {new_start}-{new_end}")
                for fts in repaired.fts_rebuilt:
                    console.print(f"rebuilt: {fts}")
                _print_report(case.path, report)
        else:
            report = integrity.check_case(case)
            if as_json:
                print_json({"path": str(case.path), **report.as_dict()})
            else:
                _print_report(case.path, report)
    finally:
        case.close()
    if not report.ok:
        raise SystemExit(1)


def _print_report(path: Path, report: integrity.CheckReport) -> None:
    for note in report.notes:
        err_console.print(Text("note: ") + safe(note), soft_wrap=True)
    for problem in report.problems:
        console.print(safe(problem.line()), soft_wrap=True)
    summary = f"{report.sources} sources, {report.excerpts} excerpts checked: "
    if report.ok:
        console.print(Text(summary + "no problems"), soft_wrap=True)
    else:
        repairable = sum(1 for p in report.problems if p.repairable)
        hint = f" ({repairable} repairable with --repair)" if repairable else ""
        count = len(report.problems)
        console.print(Text(f"{summary}{count} problem{'' if count == 1 else 's'}{hint}", style="bold red"),
                      soft_wrap=True)


def _cannot_open(path: Path, error: CaseFileError, as_json: bool) -> None:
    """A case file that does not even open: say why, and which rolling backups exist."""
    try:
        kept = backups.rolling_backups(path) if path.exists() else []
    except OSError:
        kept = []
    if as_json:
        print_json({"path": str(path), "ok": False, "error": str(error), "backups": [str(p) for p in kept]})
        return
    err_console.print(Text("error: ", style="bold red") + safe(str(error)), soft_wrap=True)
    if kept:
        err_console.print(
            Text("backups: ") + safe(f"newest {kept[-1]} (restore it with 'evidence-tui restore {kept[-1]}')"),
            soft_wrap=True,
        )


@click.command()
@click.argument("target", type=click.Path())
@click.option("--force", is_flag=True, help="Replace TARGET if it already exists.")
@json_option
@db_option
def backup(db_path: Path | None, target: str, force: bool, as_json: bool) -> None:
    """Copy the case file to TARGET (a file, or a folder to put a dated copy in).

    Uses SQLite's online backup: safe while the app or an import is using the case file. The copy
    is checked before it gets its name, and is readable by you only.

    Example: evidence-tui backup ~/backups/
    """
    path = db_path or _group_db_path() or default_db_path()
    case = open_case(path, create=False)
    folder = Path(target).expanduser()
    if target.endswith(("/", os.sep)) and not folder.exists():
        # "backup ~/backups/" names a folder, even one that is not there yet (Path() drops the slash).
        try:
            folder.mkdir(mode=0o700, parents=True)
        except OSError as error:
            case.close()
            raise EvidenceError(f"{folder}: cannot make the folder ({(error.strerror or str(error)).lower()})") from None
    try:
        info = backups.backup_case(case, folder, overwrite=force)
    finally:
        case.close()
    if as_json:
        print_json({"path": str(info.path), "size": info.size, "sources": info.sources, "excerpts": info.excerpts})
    else:
        console.print(
            Text("backed up: ") + safe(str(info.path)) + Text(f" ({info.sources} sources, {info.excerpts} excerpts)"),
            soft_wrap=True,
        )


@click.command()
@click.argument("backup_path", metavar="BACKUP", required=False, type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace the case file if it exists (a copy of it is kept in the rolling backups).")
@click.option("--list", "list_only", is_flag=True, help="Only list the automatic backups of the case file.")
@db_option
def restore(db_path: Path | None, backup_path: Path | None, force: bool, list_only: bool) -> None:
    """Replace the case file (--db) with BACKUP, after checking that BACKUP is whole.

    Refuses while the case file is open in the app or another command. An existing case file is
    replaced only with --force, and is first kept among the automatic backups (the last 5 of each
    case file, in the user data folder: taken before every schema upgrade and once a day).
    With --list (and no BACKUP), lists those automatic backups, newest last.

    Example: evidence-tui restore ~/backups/case-20240615.db --db case.db --force
    """
    path = Path(db_path or _group_db_path() or default_db_path()).expanduser()
    if list_only:
        for kept in backups.rolling_backups(path):
            console.print(safe(str(kept)), soft_wrap=True)
        return
    if backup_path is None or str(backup_path) == "-":
        raise EvidenceError("give the backup file to restore (evidence-tui restore --list shows the automatic ones)")
    passphrase = None
    if crypto.is_encrypted(backup_path):  # an encrypted backup is restored encrypted
        crypto.require(backup_path)
        passphrase = read_passphrase(Path(backup_path).expanduser())
    info = backups.restore_case(backup_path, path, force=force, passphrase=passphrase)
    console.print(
        Text("restored: ") + safe(str(path)) + Text(" from ") + safe(str(backup_path))
        + Text(f" ({info.sources} sources, {info.excerpts} excerpts)"),
        soft_wrap=True,
    )
