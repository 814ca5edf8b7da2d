"""``evidence-tui codebook``: the claim types excerpts are tagged with."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table
from rich.text import Text

from evidence_tui.cli.common import console, json_option, print_json, safe, with_case
from evidence_tui.domain import codebook as codebook_domain
from evidence_tui.errors import EvidenceError
from evidence_tui.store import CaseFile
from evidence_tui.textsafety import inert_line


@click.group()
def codebook() -> None:
    """Manage the codebook (claim types, their colours and hotkeys 1-9)."""


@codebook.command("add")
@click.argument("name")
@click.option("--hotkey", type=click.IntRange(1, 9), help="Number key (1-9) that tags with this type in the reader.")
@click.option("--description", default="", help="What an excerpt of this type shows.")
@click.option("--colour", "--color", "colour", help="Highlight colour as #rrggbb.")
@json_option
@with_case
def add(case: CaseFile, name: str, hotkey: int | None, description: str, colour: str | None, as_json: bool) -> None:
    """Add a claim type.

    Example: evidence-tui codebook add "Coercion or threat" --hotkey 2 --colour "#e06c75"
    """
    added = codebook_domain.add_type(case, name, description=description, colour=colour, hotkey=hotkey)
    if as_json:
        print_json(added.as_dict())
    else:
        console.print(Text("added: ") + safe(f"{added.short_id} {added.name}"), soft_wrap=True)


@codebook.command("list")
@json_option
@with_case
def list_(case: CaseFile, as_json: bool) -> None:
    """List the claim types in order, with how many excerpts each tags.

    Example: evidence-tui codebook list --json
    """
    types = codebook_domain.list_types(case)
    if as_json:
        print_json([t.as_dict() for t in types])
        return
    table = Table("key", "id", "name", "excerpts", "colour", "description", title=f"{len(types)} claim types")
    for t in types:
        table.add_row(
            str(t.hotkey or ""), t.short_id, Text(inert_line(t.name), style=t.colour or ""), str(t.excerpt_count),
            safe(t.colour), safe(t.description),
        )
    console.print(table)


@codebook.command("edit")
@click.argument("claim_type")
@click.option("--name", help="New name.")
@click.option("--hotkey", type=click.IntRange(1, 9), help="New hotkey 1-9.")
@click.option("--no-hotkey", is_flag=True, help="Remove the hotkey.")
@click.option("--description", help="New description.")
@click.option("--colour", "--color", "colour", help="New colour (#rrggbb).")
@click.option("--position", type=int, help="New place in the order (0 is first).")
@json_option
@with_case
def edit(case: CaseFile, claim_type: str, name, hotkey, no_hotkey, description, colour, position, as_json: bool) -> None:
    """Rename, recolour, re-key or describe a claim type.

    Example: evidence-tui codebook edit "Coercion or threat" --hotkey 3 --colour "#ff8800"
    """
    kwargs: dict = {"name": name, "description": description, "colour": colour, "position": position}
    if no_hotkey:
        kwargs["hotkey"] = None
    elif hotkey is not None:
        kwargs["hotkey"] = hotkey
    edited = codebook_domain.edit_type(case, claim_type, **kwargs)
    if as_json:
        print_json(edited.as_dict())
    else:
        console.print(Text("updated: ") + safe(f"{edited.short_id} {edited.name}"), soft_wrap=True)


@codebook.command("remove")
@click.argument("claim_type")
@click.option("--yes", is_flag=True, help="Do not ask, even when excerpts carry the type.")
@with_case
def remove(case: CaseFile, claim_type: str, yes: bool) -> None:
    """Remove a claim type; asks first when excerpts are tagged with it.

    Example: evidence-tui codebook remove "Denial" --yes
    """
    found = codebook_domain.get_type(case, claim_type)
    if found.excerpt_count and not yes:
        if not click.confirm(f"{found.excerpt_count} excerpts are tagged '{found.name}'. Remove the type and those tags?"):
            raise EvidenceError("nothing removed")
    count = codebook_domain.remove_type(case, found.id)
    console.print(Text("removed: ") + safe(f"{found.name} (untagged {count} excerpts)"), soft_wrap=True)


@codebook.command("merge")
@click.argument("from_type")
@click.argument("into_type")
@with_case
def merge(case: CaseFile, from_type: str, into_type: str) -> None:
    """Fold one claim type into another: its excerpts and claims move over.

    Example: evidence-tui codebook merge "Threats" "Coercion or threat"
    """
    merged = codebook_domain.merge_types(case, from_type, into_type)
    console.print(Text("merged into: ") + safe(f"{merged.name} ({merged.excerpt_count} excerpts)"), soft_wrap=True)


@codebook.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_case
def load(case: CaseFile, file: Path) -> None:
    """Add the claim types of a TOML codebook file ([[claim_type]] name, hotkey, colour, description).

    Types already in the codebook (same name) are left as they are.

    Example: evidence-tui codebook load sample_data/codebook.toml
    """
    added = codebook_domain.load_codebook(case, file)
    console.print(f"{added} claim types added")
