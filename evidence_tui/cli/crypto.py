"""``encrypt``, ``decrypt`` and ``rekey``: turning a case file into an encrypted one and back.

Each re-writes the whole case file with SQLCipher (``store.crypto.convert``): the converted copy is
written beside it, verified and renamed over it, so a crash leaves the old file or the new one,
never half of either. Passphrases come from a prompt that does not echo or from a file
(``--passphrase-file``, ``$EVIDENCE_PASSPHRASE_FILE``), never from the command line.
"""

from __future__ import annotations

from pathlib import Path

import click
from rich.text import Text

from evidence_tui.cli.common import (
    MIN_PASSPHRASE,
    case_path,
    console,
    db_option,
    err_console,
    read_passphrase,
    read_passphrase_file,
    safe,
)
from evidence_tui.errors import CaseFileError
from evidence_tui.store import backup as backups
from evidence_tui.store import crypto


def _existing(db_path: Path | None, want: str) -> Path:
    path = case_path(db_path)
    if path.is_dir():
        raise CaseFileError(f"{path}: is a folder, not a case file")
    kind = crypto.file_kind(path)
    if kind in ("missing", "empty"):
        raise CaseFileError(f"{path}: no such case file")
    crypto.require(path)
    if want == "plain" and kind == "encrypted":
        raise CaseFileError(f"{path}: the case file is already encrypted ('evidence-tui rekey' changes the passphrase)")
    if want == "encrypted" and kind == "plain":
        raise CaseFileError(f"{path}: the case file is not encrypted ('evidence-tui encrypt' encrypts it)")
    return path


def _summary(verb: str, path: Path, counts: dict[str, int]) -> None:
    console.print(
        Text(f"{verb}: ") + safe(str(path))
        + Text(f" ({counts.get('sources', 0)} sources, {counts.get('excerpts', 0)} excerpts)"),
        soft_wrap=True,
    )


def _rolling(path: Path) -> list[Path]:
    try:
        return backups.rolling_backups(path)
    except OSError:
        return []


@click.command()
@db_option
def encrypt(db_path: Path | None) -> None:
    """Encrypt the case file with a new passphrase (SQLCipher: AES-256, every page).

    The encrypted copy is written beside the case file, checked, and only then put in its place:
    a crash at any moment leaves one whole case file. Close the app first. Without the
    passphrase nobody (you included) can open the file again: keep it somewhere safe.

    Example: evidence-tui encrypt --db ~/cases/recruitment.db
    """
    path = _existing(db_path, "plain")
    passphrase = read_passphrase(path, new=True)
    counts = crypto.convert(path, old=None, new=passphrase)
    _summary("encrypted", path, counts)
    plain = [p for p in _rolling(path) if not crypto.is_encrypted(p)]
    if plain:
        err_console.print(
            Text(f"note: {len(plain)} earlier automatic backups in ") + safe(str(plain[0].parent))
            + Text(" are not encrypted; delete them if this computer may be lost or seized"),
            soft_wrap=True,
        )
    err_console.print(
        Text("note: copies of the unencrypted file may remain on the disk (SSDs keep old blocks); "
             "see 'Encrypted case files' in the README"),
        soft_wrap=True,
    )


@click.command()
@db_option
def decrypt(db_path: Path | None) -> None:
    """Decrypt the case file: afterwards anyone with the file can read it.

    Asks for the current passphrase. Written beside the case file, checked, then put in its place.

    Example: evidence-tui decrypt --db ~/cases/recruitment.db
    """
    path = _existing(db_path, "encrypted")
    passphrase = read_passphrase(path)
    counts = crypto.convert(path, old=passphrase, new=None)
    _summary("decrypted", path, counts)
    err_console.print(Text("note: the case file is now plain SQLite, readable by anyone who has it"), soft_wrap=True)


@click.command()
@click.option(
    "--new-passphrase-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read the new passphrase from FILE (default: you are asked twice).",
)
@db_option
def rekey(db_path: Path | None, new_passphrase_file: Path | None) -> None:
    """Change the passphrase of an encrypted case file.

    The current passphrase comes from --passphrase-file or $EVIDENCE_PASSPHRASE_FILE or a prompt;
    the new one from --new-passphrase-file or a prompt. Automatic backups made before keep the
    old passphrase.

    Example: evidence-tui rekey --db ~/cases/recruitment.db
    """
    path = _existing(db_path, "encrypted")
    old = read_passphrase(path, label="Current passphrase")
    # Check the current passphrase before asking for a new one.
    crypto.check_passphrase(path, old)
    if new_passphrase_file is not None:
        new = read_passphrase_file(new_passphrase_file.expanduser())
        if len(new) < MIN_PASSPHRASE:
            raise CaseFileError(f"{path}: a new passphrase needs at least {MIN_PASSPHRASE} characters; nothing was changed")
    else:
        try:
            new = click.prompt(f"New passphrase for {path}", hide_input=True, confirmation_prompt=True, err=True)
        except click.Abort:
            raise CaseFileError(f"{path}: no new passphrase given; nothing was changed") from None
        if len(new) < MIN_PASSPHRASE:
            raise CaseFileError(f"{path}: a new passphrase needs at least {MIN_PASSPHRASE} characters; nothing was changed")
    counts = crypto.convert(path, old=old, new=new)
    _summary("new passphrase set", path, counts)
    older = [p for p in _rolling(path) if crypto.is_encrypted(p)]
    if older:
        err_console.print(
            Text(f"note: {len(older)} earlier automatic backups in ") + safe(str(older[0].parent))
            + Text(" still open with the old passphrase"),
            soft_wrap=True,
        )
