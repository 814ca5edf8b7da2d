"""``evidence-tui entity``: people, organisations, places and units, with aliases."""

from __future__ import annotations

import click
from rich.table import Table
from rich.text import Text

from evidence_tui.cli.common import console, json_option, print_json, safe, with_case
from evidence_tui.domain import entities as entities_domain
from evidence_tui.errors import EvidenceError
from evidence_tui.store import CaseFile
from evidence_tui.store.schema import ENTITY_KINDS
from evidence_tui.words import count


@click.group()
def entity() -> None:
    """Manage entities and link them to excerpts and claims."""


@entity.command("add")
@click.argument("name")
@click.option("--kind", type=click.Choice([*ENTITY_KINDS, "organization"]), default="other", show_default=True)
@click.option("--alias", "aliases", multiple=True, help="Another name or spelling (repeatable).")
@click.option("--notes")
@json_option
@with_case
def add(case: CaseFile, name: str, kind: str, aliases, notes, as_json: bool) -> None:
    """Add an entity.

    Example: evidence-tui entity add "Sergiy Kyslytsya" --kind person --alias Kyskytsya
    """
    added = entities_domain.add_entity(case, name, kind, aliases=aliases, notes=notes)
    if as_json:
        print_json(added.as_dict())
    else:
        console.print(Text("entity ") + safe(f"{added.short_id} {added.name} ({added.kind})"), soft_wrap=True)


@entity.command("alias")
@click.argument("entity_ref", metavar="ENTITY")
@click.argument("aliases", nargs=-1, required=True)
@with_case
def alias(case: CaseFile, entity_ref: str, aliases) -> None:
    """Add aliases (other names, spellings, scripts) to an entity.

    Example: evidence-tui entity alias "Sergiy Kyslytsya" "Сергій Кислиця"
    """
    updated = entities_domain.add_alias(case, entity_ref, *aliases)
    console.print(Text("aliases: ") + safe(", ".join(updated.aliases)), soft_wrap=True)


@entity.command("list")
@click.option("--kind", type=click.Choice([*ENTITY_KINDS, "organization"]))
@json_option
@with_case
def list_(case: CaseFile, kind, as_json: bool) -> None:
    """List entities with aliases and how often they are linked.

    Example: evidence-tui entity list --kind person
    """
    rows = entities_domain.list_entities(case, kind=kind)
    if as_json:
        print_json([e.as_dict() for e in rows])
        return
    table = Table("id", "name", "kind", "aliases", "excerpts", "claims", title=f"{len(rows)} entities")
    for e in rows:
        table.add_row(e.short_id, safe(e.name), e.kind, safe(", ".join(e.aliases)), str(e.excerpt_count), str(e.claim_count))
    console.print(table)


@entity.command("link")
@click.argument("entity_ref", metavar="ENTITY")
@click.option("--excerpt", "excerpts", multiple=True, help="Excerpt id (repeatable).")
@click.option("--claim", "claims", multiple=True, help="Claim id or statement (repeatable).")
@click.option("--role", default="", help="The entity's role there (recruiter, victim, location, speaker...).")
@with_case
def link(case: CaseFile, entity_ref: str, excerpts, claims, role: str) -> None:
    """Link an entity to excerpts or claims.

    Example: evidence-tui entity link "Anil Madusanka" --excerpt 9c1d --role victim
    """
    if not excerpts and not claims:
        raise EvidenceError("give at least one --excerpt or --claim")
    for excerpt_ref in excerpts:
        entities_domain.link_excerpt(case, entity_ref, excerpt_ref, role)
    for claim_ref in claims:
        entities_domain.link_claim(case, entity_ref, claim_ref, role)
    console.print(f"linked to {count(len(excerpts), 'excerpt')} and {count(len(claims), 'claim')}")


@entity.command("merge")
@click.argument("from_entity")
@click.argument("into_entity")
@with_case
def merge(case: CaseFile, from_entity: str, into_entity: str) -> None:
    """Merge one entity into another (e.g. a misspelling), keeping every link; the name becomes an alias.

    Example: evidence-tui entity merge "Kyskytsya" "Sergiy Kyslytsya"
    """
    merged = entities_domain.merge_entities(case, from_entity, into_entity)
    console.print(Text("merged into: ") + safe(f"{merged.name} (aliases: {', '.join(merged.aliases)})"), soft_wrap=True)
