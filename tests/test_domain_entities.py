"""Entities: unique names per kind (any script, any case), aliases, links, merge."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from evidence_tui.domain import claims, entities, excerpts, history, sources
from evidence_tui.errors import Ambiguous, Invalid, NotFound

SAMPLE_DATA = Path(__file__).resolve().parent.parent / "sample_data"


def count(case, table: str) -> int:
    return case.db.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_add_entity(case):
    added = entities.add_entity(case, "  Anil   Madusanka ", "Person", aliases=("Madushanka", "anil madusanka", "Madushanka"))
    assert (added.name, added.kind, added.aliases) == ("Anil Madusanka", "person", ("Madushanka",))
    assert entities.add_entity(case, "Red Cross", "organization").kind == "organisation"
    assert [e.name for e in entities.list_entities(case)] == ["Anil Madusanka", "Red Cross"]
    assert [e.name for e in entities.list_entities(case, kind="organisation")] == ["Red Cross"]


@pytest.mark.parametrize(
    "existing, attempt",
    [
        ("Anil Madusanka", "anil madusanka"),
        ("Anil Madusanka", "ANIL  MADUSANKA"),
        ("Сергій Кислиця", "сергій кислиця"),  # SQLite's NOCASE folds ASCII only
        ("Ολγα", "ΟΛΓΑ"),
    ],
)
def test_same_name_and_kind_twice_is_refused(case, existing, attempt):
    entities.add_entity(case, existing, "person")
    with pytest.raises(Invalid, match=f"^there is already a person called '{existing}'$"):
        entities.add_entity(case, attempt, "person")
    assert count(case, "entities") == 1
    # The same name as another kind is another entity (Kharkiv the city, Kharkiv the unit...).
    assert entities.add_entity(case, attempt, "place").kind == "place"


def test_bad_names_and_kinds_are_refused(case):
    with pytest.raises(Invalid, match="^an entity needs a name$"):
        entities.add_entity(case, "  ", "person")
    with pytest.raises(Invalid, match="^unknown entity kind 'army' \\(one of person, organisation, place, unit, other\\)$"):
        entities.add_entity(case, "Somebody", "army")
    with pytest.raises(Invalid, match="^an alias cannot be empty$"):
        entities.add_entity(case, "Somebody", "person", aliases=(" ",))
    assert count(case, "entities") == 0


def test_edit_entity_refuses_a_name_taken_by_another(case):
    first = entities.add_entity(case, "Сергій Кислиця", "person")
    second = entities.add_entity(case, "Sergiy Kyslytsya", "person")
    with pytest.raises(Invalid, match="^there is already a person called 'Сергій Кислиця'$"):
        entities.edit_entity(case, second.id, name="СЕРГІЙ КИСЛИЦЯ")
    with pytest.raises(Invalid, match="^there is already a person called 'Sergiy Kyslytsya'$"):
        entities.edit_entity(case, first.id, name="sergiy kyslytsya")
    assert entities.edit_entity(case, first.id, name="сергій кислиця").name == "сергій кислиця"  # itself
    moved = entities.edit_entity(case, second.id, kind="other", notes=" envoy ")
    assert (moved.kind, moved.notes) == ("other", "envoy")


def test_alias_resolution(case):
    envoy = entities.add_entity(case, "Sergiy Kyslytsya", "person", aliases=("Kyskytsya", "Сергій Кислиця"))
    other = entities.add_entity(case, "Serhiy Petrenko", "person")
    assert entities.resolve_entity(case, "Sergiy Kyslytsya") == envoy.id
    assert entities.resolve_entity(case, "kyskytsya") == envoy.id
    assert entities.resolve_entity(case, " Сергій Кислиця ") == envoy.id
    assert entities.resolve_entity(case, envoy.id[:6]) == envoy.id
    assert sorted(entities.get_entity(case, "Kyskytsya").aliases) == ["Kyskytsya", "Сергій Кислиця"]
    entities.add_alias(case, other.id, "Serhiy", "Kyskytsya")
    with pytest.raises(Ambiguous, match="^more than one entity has the alias 'Kyskytsya'; use its id$"):
        entities.resolve_entity(case, "Kyskytsya")
    with pytest.raises(NotFound, match="^no entity 'Nobody' \\(give 4 or more characters of its id, or the exact name\\)$"):
        entities.resolve_entity(case, "Nobody")
    assert sorted(entities.add_alias(case, envoy.id, "kyskytsya", "Sergiy Kyslytsya").aliases) == ["Kyskytsya", "Сергій Кислиця"]


@pytest.fixture
def linked(case):
    source_id = sources.import_text(case, b"Report\n\nFirst fact. Second fact. Third fact.\n", "r.txt").source_id
    ex = {n: excerpts.add_excerpt(case, source_id, quote=f"{n.title()} fact.").id for n in ("first", "second", "third")}
    claim = claims.add_claim(case, "Facts were reported")
    return ex, claim.id


def links_of(case, entity_id: str) -> list[tuple[str, str]]:
    rows = case.db.conn.execute(
        "SELECT excerpt_id, role FROM excerpt_entities WHERE entity_id = ? "
        "UNION ALL SELECT claim_id, role FROM claim_entities WHERE entity_id = ? ORDER BY 1, 2",
        (entity_id, entity_id),
    )
    return [tuple(r) for r in rows]


def test_link_and_unlink_excerpts_with_roles(case, linked):
    ex, claim_id = linked
    person = entities.add_entity(case, "Anil Madusanka", "person", aliases=("Madushanka",))
    entities.link_excerpt(case, "Madushanka", ex["first"], " victim ")
    entities.link_excerpt(case, person.id, ex["first"], "speaker")
    entities.link_excerpt(case, person.id, ex["first"], "victim")  # already there: nothing new
    entities.link_claim(case, person.id, claim_id, "victim")
    assert links_of(case, person.id) == sorted([(ex["first"], "speaker"), (ex["first"], "victim"), (claim_id, "victim")])
    found = entities.get_entity(case, person.id)
    assert (found.excerpt_count, found.claim_count) == (2, 1)
    entities.unlink_excerpt(case, person.id, ex["first"])
    assert links_of(case, person.id) == [(claim_id, "victim")]


def test_merge_entities_keeps_every_link_and_turns_the_name_into_an_alias(case, linked):
    ex, claim_id = linked
    right = entities.add_entity(case, "Sergiy Kyslytsya", "person", aliases=("Kyslytsya",))
    wrong = entities.add_entity(case, "Sergiy Kyskytsya", "person", aliases=("Kyskytsya",))
    entities.link_excerpt(case, wrong.id, ex["first"], "speaker")
    entities.link_excerpt(case, wrong.id, ex["third"], "speaker")
    entities.link_claim(case, wrong.id, claim_id)
    entities.link_excerpt(case, right.id, ex["second"], "speaker")
    entities.link_excerpt(case, right.id, ex["third"], "speaker")  # both on the third: one link after
    before = {"right": links_of(case, right.id), "wrong": links_of(case, wrong.id)}

    merged = entities.merge_entities(case, "Kyskytsya", "Sergiy Kyslytsya")

    assert merged.id == right.id
    assert sorted(merged.aliases) == ["Kyskytsya", "Kyslytsya", "Sergiy Kyskytsya"]
    assert links_of(case, right.id) == sorted(
        [(ex["first"], "speaker"), (ex["second"], "speaker"), (ex["third"], "speaker"), (claim_id, "")]
    )
    assert count(case, "entities") == 1
    assert entities.resolve_entity(case, "Sergiy Kyskytsya") == right.id
    assert entities.resolve_entity(case, "kyskytsya") == right.id
    with pytest.raises(Invalid, match="^cannot merge an entity into itself$"):
        entities.merge_entities(case, "Kyslytsya", right.id)

    history.undo_last(case)
    assert entities.get_entity(case, wrong.id).aliases == ("Kyskytsya",)
    assert entities.get_entity(case, right.id).aliases == ("Kyslytsya",)
    assert {"right": links_of(case, right.id), "wrong": links_of(case, wrong.id)} == before


def test_load_entities_from_toml(case):
    file = SAMPLE_DATA / "entities.toml"
    expected = tomllib.loads(file.read_text(encoding="utf-8"))["entity"]
    assert entities.load_entities(case, file) == len(expected)
    for entry in expected:
        found = entities.get_entity(case, entry["name"])
        # An alias that is only the name in another case ("Wagner group") is not kept twice.
        aliases = sorted(a for a in entry.get("aliases", ()) if a.casefold() != entry["name"].casefold())
        assert (found.kind, sorted(found.aliases)) == (entry.get("kind", "other"), aliases)
    assert entities.load_entities(case, file) == 0
    assert entities.get_entity(case, "Сергій Кислиця").name == "Sergiy Kyslytsya"
