"""The codebook: claim types with a colour, a hotkey 1-9 and an order."""

from __future__ import annotations

import re
import sqlite3
import tomllib
from pathlib import Path

from evidence_tui.domain.models import ClaimType
from evidence_tui.domain.refs import resolve_id
from evidence_tui.errors import EvidenceError, Invalid
from evidence_tui.store import CaseFile, new_id, operation, utc_now

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# A palette that reads well on dark and light terminals, handed out in turn to new types.
PALETTE = ("#e5c07b", "#e06c75", "#61afef", "#98c379", "#c678dd", "#56b6c2", "#d19a66", "#be5046", "#abb2bf")

_SELECT = """
    SELECT t.id, t.name, t.description, t.colour, t.hotkey, t.position,
           (SELECT count(*) FROM excerpt_claim_types x WHERE x.claim_type_id = t.id) AS excerpt_count
    FROM claim_types t
"""


def _row_to_type(row: sqlite3.Row) -> ClaimType:
    return ClaimType(**dict(row))


def list_types(case: CaseFile) -> list[ClaimType]:
    """Return the codebook in its order (position, then name)."""
    rows = case.db.conn.execute(_SELECT + " ORDER BY t.position, t.name COLLATE NOCASE").fetchall()
    return [_row_to_type(r) for r in rows]


def get_type(case: CaseFile, ref: str) -> ClaimType:
    """Return the claim type named by id prefix or name."""
    type_id = resolve_id(case, "claim_types", ref, name_column="name", what="claim type")
    return _row_to_type(case.db.conn.execute(_SELECT + " WHERE t.id = ?", (type_id,)).fetchone())


def _check_name(case: CaseFile, name: str, *, except_id: str | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise Invalid("a claim type needs a name")
    # Compared in Python: SQLite's NOCASE folds ASCII only, and codebooks are often not in English.
    folded = name.casefold()
    for type_id, existing in case.db.conn.execute("SELECT id, name FROM claim_types"):
        if existing.casefold() == folded and type_id != except_id:
            raise Invalid(f"a claim type called '{existing}' already exists")
    return name


def _check_hotkey(case: CaseFile, hotkey: int | None, *, except_id: str | None = None) -> int | None:
    if hotkey is None:
        return None
    if not isinstance(hotkey, int) or not 1 <= hotkey <= 9:
        raise Invalid(f"hotkey must be a digit from 1 to 9, not '{hotkey}'")
    row = case.db.conn.execute("SELECT id, name FROM claim_types WHERE hotkey = ?", (hotkey,)).fetchone()
    if row and row[0] != except_id:
        raise Invalid(f"hotkey {hotkey} is already used by '{row[1]}'")
    return hotkey


def _check_colour(colour: str | None) -> str | None:
    if colour is None:
        return None
    colour = colour.strip()
    if not _COLOUR.match(colour):
        raise Invalid(f"colour must look like #rrggbb, not '{colour}'")
    return colour.lower()


def add_type(
    case: CaseFile,
    name: str,
    *,
    description: str = "",
    colour: str | None = None,
    hotkey: int | None = None,
) -> ClaimType:
    """Add a claim type to the codebook; refuses a duplicate name or hotkey."""
    with operation(case, "claim_type.add", case.actor) as op:
        name = _check_name(case, name)
        hotkey = _check_hotkey(case, hotkey)
        colour = _check_colour(colour)
        count, top = op.conn.execute("SELECT count(*), coalesce(max(position), -1) FROM claim_types").fetchone()
        now = utc_now()
        row = op.insert(
            "claim_types",
            {
                "id": new_id(),
                "name": name,
                "description": description.strip(),
                "colour": colour or PALETTE[count % len(PALETTE)],
                "hotkey": hotkey,
                "position": top + 1,
                "created_at": now,
                "updated_at": now,
            },
        )
        op.summary = f"add claim type '{name}'"
    return get_type(case, row["id"])


_UNSET = object()


def edit_type(
    case: CaseFile,
    ref: str,
    *,
    name: str | None = None,
    description: str | None = None,
    colour: str | None = None,
    hotkey: int | None | object = _UNSET,
    position: int | None = None,
) -> ClaimType:
    """Rename, describe, recolour, re-key (``hotkey=None`` clears it) or move a claim type."""
    type_id = resolve_id(case, "claim_types", ref, name_column="name", what="claim type")
    with operation(case, "claim_type.edit", case.actor) as op:
        changes: dict = {}
        if name is not None:
            changes["name"] = _check_name(case, name, except_id=type_id)
        if description is not None:
            changes["description"] = description.strip()
        if colour is not None:
            changes["colour"] = _check_colour(colour)
        if hotkey is not _UNSET:
            changes["hotkey"] = _check_hotkey(case, hotkey, except_id=type_id)  # type: ignore[arg-type]
        if position is not None:
            changes["position"] = position
        if changes:
            changes["updated_at"] = utc_now()
            row = op.update("claim_types", type_id, changes)
            # The log names the type as people know it (the ref may be an id), and says what changed.
            shown = row["name"] if row else ref
            what = ", ".join(k for k in changes if k != "updated_at")
            op.summary = f"edit claim type '{shown}' ({what})"
    return get_type(case, type_id)


def move_type(case: CaseFile, ref: str, offset: int) -> list[ClaimType]:
    """Move a claim type up (negative offset) or down the codebook's order; returns the new order."""
    types = list_types(case)
    type_id = resolve_id(case, "claim_types", ref, name_column="name", what="claim type")
    index = next(i for i, t in enumerate(types) if t.id == type_id)
    target = max(0, min(len(types) - 1, index + offset))
    moved = types.pop(index)
    types.insert(target, moved)
    with operation(case, "claim_type.reorder", case.actor) as op:
        for position, claim_type in enumerate(types):
            op.update("claim_types", claim_type.id, {"position": position})
        op.summary = f"move claim type '{moved.name}'"
    return list_types(case)


def remove_type(case: CaseFile, ref: str) -> int:
    """Remove a claim type and its tags on excerpts; returns how many excerpts lost the tag."""
    type_id = resolve_id(case, "claim_types", ref, name_column="name", what="claim type")
    with operation(case, "claim_type.remove", case.actor) as op:
        tagged = op.conn.execute(
            "SELECT excerpt_id FROM excerpt_claim_types WHERE claim_type_id = ?", (type_id,)
        ).fetchall()
        for (excerpt_id,) in tagged:
            op.delete("excerpt_claim_types", {"excerpt_id": excerpt_id, "claim_type_id": type_id})
        for (claim_id,) in op.conn.execute("SELECT id FROM claims WHERE claim_type_id = ?", (type_id,)).fetchall():
            op.update("claims", claim_id, {"claim_type_id": None})
        removed = op.delete("claim_types", type_id)
        op.summary = f"remove claim type '{removed['name']}' ({len(tagged)} excerpts)"
    return len(tagged)


def merge_types(case: CaseFile, source_ref: str, target_ref: str) -> ClaimType:
    """Fold one claim type into another: every tag and claim moves over, the first is removed."""
    source_id = resolve_id(case, "claim_types", source_ref, name_column="name", what="claim type")
    target_id = resolve_id(case, "claim_types", target_ref, name_column="name", what="claim type")
    if source_id == target_id:
        raise Invalid("cannot merge a claim type into itself")
    with operation(case, "claim_type.merge", case.actor) as op:
        now = utc_now()
        for (excerpt_id, created_at) in op.conn.execute(
            "SELECT excerpt_id, created_at FROM excerpt_claim_types WHERE claim_type_id = ?", (source_id,)
        ).fetchall():
            op.delete("excerpt_claim_types", {"excerpt_id": excerpt_id, "claim_type_id": source_id})
            exists = op.conn.execute(
                "SELECT 1 FROM excerpt_claim_types WHERE excerpt_id = ? AND claim_type_id = ?", (excerpt_id, target_id)
            ).fetchone()
            if not exists:
                op.insert("excerpt_claim_types", {"excerpt_id": excerpt_id, "claim_type_id": target_id, "created_at": created_at or now})
        for (claim_id,) in op.conn.execute("SELECT id FROM claims WHERE claim_type_id = ?", (source_id,)).fetchall():
            op.update("claims", claim_id, {"claim_type_id": target_id, "updated_at": now})
        removed = op.delete("claim_types", source_id)
        target = op.fetch("claim_types", target_id)
        op.summary = f"merge claim type '{removed['name']}' into '{target['name']}'"
    return get_type(case, target_id)


def type_by_hotkey(case: CaseFile, hotkey: int) -> ClaimType | None:
    """Return the claim type bound to a number key, or None."""
    row = case.db.conn.execute(_SELECT + " WHERE t.hotkey = ?", (hotkey,)).fetchone()
    return _row_to_type(row) if row else None


def load_codebook(case: CaseFile, file: Path) -> int:
    """Add the claim types listed in a TOML file; returns how many were new."""
    try:
        entries = tomllib.loads(file.read_text(encoding="utf-8")).get("claim_type", [])
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise EvidenceError(f"{file}: not a readable codebook file ({error})") from None
    existing = {t.name.casefold() for t in list_types(case)}
    added = 0
    for entry in entries:
        name = str(entry.get("name", ""))
        if name.casefold() in existing:
            continue
        try:
            add_type(
                case, name, description=str(entry.get("description", "")),
                colour=entry.get("colour"), hotkey=entry.get("hotkey"),
            )
        except Invalid as error:
            raise EvidenceError(f"{file}: {error}") from None
        added += 1
    return added
