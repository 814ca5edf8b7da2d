"""The codebook: claim types with unique names (any script, any case) and hotkeys, order, merge."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from evidence_tui.domain import claims, codebook, excerpts, history, sources
from evidence_tui.errors import EvidenceError, Invalid, NotFound

SAMPLE_DATA = Path(__file__).resolve().parent.parent / "sample_data"


def names(case) -> list[str]:
    return [t.name for t in codebook.list_types(case)]


def count(case, table: str) -> int:
    return case.db.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_add_type_defaults(case):
    first = codebook.add_type(case, "  Coercion   or\tthreat ", description=" Threats made ", hotkey=2)
    second = codebook.add_type(case, "Deception", colour="#ABCDEF")
    assert (first.name, first.description, first.hotkey, first.position) == ("Coercion or threat", "Threats made", 2, 0)
    assert first.colour == codebook.PALETTE[0]
    assert (second.colour, second.hotkey, second.position) == ("#abcdef", None, 1)
    assert names(case) == ["Coercion or threat", "Deception"]
    assert codebook.type_by_hotkey(case, 2).id == first.id
    assert codebook.type_by_hotkey(case, 3) is None
    assert codebook.get_type(case, "coercion OR threat").id == first.id


@pytest.mark.parametrize(
    "existing, attempt",
    [
        ("Coercion", "coercion"),
        ("Coercion", " COERCION "),
        ("Deception about the job", "deception  about the JOB"),
        ("Угроза", "угроза"),  # SQLite's NOCASE folds ASCII only: Cyrillic must be caught too
        ("Ämter", "ämter"),
        ("Straße", "STRASSE"),
    ],
)
def test_duplicate_names_are_refused_in_any_case(case, existing, attempt):
    codebook.add_type(case, existing)
    with pytest.raises(Invalid, match=f"^a claim type called '{existing}' already exists$"):
        codebook.add_type(case, attempt)
    assert names(case) == [existing]
    assert count(case, "operations") == 1


def test_empty_name_is_refused(case):
    with pytest.raises(Invalid, match="^a claim type needs a name$"):
        codebook.add_type(case, " \t ")


def test_duplicate_and_bad_hotkeys_are_refused(case):
    codebook.add_type(case, "Coercion", hotkey=1)
    with pytest.raises(Invalid, match="^hotkey 1 is already used by 'Coercion'$"):
        codebook.add_type(case, "Deception", hotkey=1)
    for bad in (0, 10):
        with pytest.raises(Invalid, match=f"^hotkey must be a digit from 1 to 9, not '{bad}'$"):
            codebook.add_type(case, "Deception", hotkey=bad)
    with pytest.raises(Invalid, match="^colour must look like #rrggbb, not 'red'$"):
        codebook.add_type(case, "Deception", colour="red")
    assert names(case) == ["Coercion"]


def test_edit_type_checks_names_and_hotkeys_against_the_others(case):
    coercion = codebook.add_type(case, "Coercion", hotkey=1)
    deception = codebook.add_type(case, "Deception", hotkey=2)
    with pytest.raises(Invalid, match="^a claim type called 'Coercion' already exists$"):
        codebook.edit_type(case, deception.id, name="COERCION")
    with pytest.raises(Invalid, match="^hotkey 1 is already used by 'Coercion'$"):
        codebook.edit_type(case, deception.id, hotkey=1)
    # Its own name in another case, and its own hotkey, are fine.
    renamed = codebook.edit_type(case, coercion.id, name="COERCION", hotkey=1, description="new", colour="#112233")
    assert (renamed.name, renamed.hotkey, renamed.description, renamed.colour) == ("COERCION", 1, "new", "#112233")
    assert codebook.edit_type(case, coercion.id, hotkey=None).hotkey is None
    assert codebook.edit_type(case, deception.id, hotkey=1).hotkey == 1


def test_move_type_reorders_and_clamps(case):
    for name in ("A", "B", "C", "D"):
        codebook.add_type(case, name)
    assert [t.name for t in codebook.move_type(case, "C", -1)] == ["A", "C", "B", "D"]
    assert [t.name for t in codebook.move_type(case, "A", 10)] == ["C", "B", "D", "A"]
    assert [t.name for t in codebook.move_type(case, "D", -10)] == ["D", "C", "B", "A"]
    assert [t.position for t in codebook.list_types(case)] == [0, 1, 2, 3]
    history.undo_last(case)
    assert names(case) == ["C", "B", "D", "A"]


@pytest.fixture
def tagged(case):
    """Two excerpts: one tagged Threats, one tagged Threats and Coercion; a claim of type Threats."""
    source_id = sources.import_text(case, b"Report\n\nThey were threatened. They were coerced.\n", "r.txt").source_id
    codebook.add_type(case, "Threats", hotkey=1)
    codebook.add_type(case, "Coercion", hotkey=2)
    one = excerpts.add_excerpt(case, source_id, quote="They were threatened.", types=["Threats"])
    both = excerpts.add_excerpt(case, source_id, quote="They were coerced.", types=["Threats", "Coercion"])
    claim = claims.add_claim(case, "Recruits were threatened", claim_type="Threats")
    return one.id, both.id, claim.id


def tags_of(case, excerpt_id: str) -> list[str]:
    return [t.name for t in excerpts.get_excerpt(case, excerpt_id).claim_types]


def test_remove_type_untags_and_unsets_claims_and_undo_restores(case, tagged):
    one, both, claim_id = tagged
    assert codebook.remove_type(case, "Threats") == 2
    assert names(case) == ["Coercion"]
    assert tags_of(case, one) == [] and tags_of(case, both) == ["Coercion"]
    assert claims.get_claim(case, claim_id).claim_type is None
    history.undo_last(case)
    assert names(case) == ["Threats", "Coercion"]
    assert tags_of(case, one) == ["Threats"] and tags_of(case, both) == ["Threats", "Coercion"]
    assert claims.get_claim(case, claim_id).claim_type == "Threats"


def test_merge_types_moves_every_tag_and_claim(case, tagged):
    one, both, claim_id = tagged
    merged = codebook.merge_types(case, "Threats", "Coercion")
    assert (merged.name, merged.excerpt_count) == ("Coercion", 2)
    assert names(case) == ["Coercion"]
    assert tags_of(case, one) == ["Coercion"] and tags_of(case, both) == ["Coercion"]
    assert claims.get_claim(case, claim_id).claim_type == "Coercion"
    assert count(case, "excerpt_claim_types") == 2
    with pytest.raises(NotFound, match="^no claim type 'Threats'"):
        codebook.get_type(case, "Threats")
    with pytest.raises(Invalid, match="^cannot merge a claim type into itself$"):
        codebook.merge_types(case, "Coercion", "coercion")


def test_load_codebook_from_toml(case, tmp_path):
    file = SAMPLE_DATA / "codebook.toml"
    expected = tomllib.loads(file.read_text(encoding="utf-8"))["claim_type"]
    assert codebook.load_codebook(case, file) == len(expected)
    loaded = codebook.list_types(case)
    assert [(t.name, t.hotkey) for t in loaded] == [(e["name"], e.get("hotkey")) for e in expected]
    assert codebook.load_codebook(case, file) == 0  # names already there are left alone

    broken = tmp_path / "broken.toml"
    broken.write_text("[[claim_type]\nname = 'x'\n", encoding="utf-8")
    with pytest.raises(EvidenceError, match=f"^{broken}: not a readable codebook file"):
        codebook.load_codebook(case, broken)
    clash = tmp_path / "clash.toml"
    clash.write_text("[[claim_type]]\nname = 'Brand new'\nhotkey = 1\n", encoding="utf-8")
    with pytest.raises(EvidenceError, match=f"^{clash}: hotkey 1 is already used by '{expected[0]['name']}'$"):
        codebook.load_codebook(case, clash)


def test_the_log_names_an_edited_type_and_what_changed(case):
    from evidence_tui.domain import history

    made = codebook.add_type(case, "Coercion or threat")
    codebook.edit_type(case, made.id, hotkey=3, colour="#aa3355")
    assert history.recent_operations(case, 1)[0].summary == "edit claim type 'Coercion or threat' (colour, hotkey)"
