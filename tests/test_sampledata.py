"""The demo case file built from sample_data/: sources, metadata, excerpts, tags and claims."""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path

import pytest

from evidence_tui import sampledata
from evidence_tui.domain import claims, entities, excerpts, sources
from evidence_tui.domain.stats import case_stats
from evidence_tui.store import CaseFile

SAMPLE_DATA = Path(__file__).resolve().parent.parent / "sample_data"
TAGS = tomllib.loads((SAMPLE_DATA / "demo_tags.toml").read_text(encoding="utf-8"))

# file name: (title, outlet, published, published_raw, precision, format, encoding)
EXPECTED = {
    "baltic-wire-finnish-border-migrants-2023-12-07.txt": (
        "Russia offers army contracts to migrants held after trying to reach Finland", "Baltic Wire Service",
        "2023-12-07", "07/12/2023 19h42", "day", "text", "utf-8",
    ),
    "dnipro-daily-occupied-territories-draft.htm": (
        "Foreign Ministry: Russia's draft in occupied territories breaks Geneva Convention", "Dnipro Daily English",
        "2024-10-02", "Oct 2, 2024 - 21:00", "day", "html", "utf-8",
    ),
    "east-european-observer-occupied-conscription-2024-10-01.html": (
        "Kyiv protests Russian conscription of Ukrainians in occupied territories", "East European Observer",
        "2024-10-01", "2024-10-01T18:20:00+03:00", "day", "html", "utf-8",
    ),
    "eurasia-rights-digest-bastrykin-2024-06-27.md": (
        "Investigative Committee chief: 10,000 new citizens sent to the front", "Eurasia Rights Digest",
        "2024-06-27", "2024-06-27", "day", "markdown", "utf-8",
    ),
    "harbour-line-sri-lankan-deserters.md": (
        "Offered a driving job, sent to the front: Sri Lankan men who deserted Russia’s army are back home",
        "Harbour Line News", "2024-06-15", "2024-06-15", "day", "markdown", "utf-8",
    ),
    "kyiv-ledger-un-recruiters-2024-06-15.txt": (
        "Ukraine urges UN member states to trace Russia's recruiters of foreign nationals", "Kyiv Ledger",
        "2024-06-15", "Saturday, 15 June 2024, 03:15", "day", "text", "utf-8",
    ),
    "levant-monitor-syrian-recruits-aleppo.html": (
        "From Aleppo to the Ukrainian front? What is known about Syrian recruits", "Levant Monitor",
        "2024-06-29", "29 June 2024", "day", "html", "utf-8",
    ),
    "morning-register-bastrykin-naturalised-recruits.txt": (
        "Russia says thousands of new citizens have been sent to fight in Ukraine", "The Morning Register",
        None, "Thursday, June 27", "none", "text", "utf-8",  # no year on the page: none is invented
    ),
    "rus-migvestnik-uzbek-conscription-notices-2022-10-12-ru-cp1251.txt": (
        "Мигранты из Центральной Азии получают повестки, хотя не являются гражданами России",
        "Миграционный вестник", "2022-10-12", "12.10.2022", "day", "text", "cp1251",
    ),
    "steppe-rights-monitor-central-asian-migrants-notices.html": (
        "Call-up papers for people who cannot be called up", "Steppe Rights Monitor",
        None, None, "none", "html", "utf-8",
    ),
}


@pytest.fixture
def by_file(demo_case) -> dict[str, sources.Source]:
    return {s.file_name: sources.get_source(demo_case, s.id) for s in sources.list_sources(demo_case)}


def test_ten_sources_with_their_metadata(by_file):
    assert sorted(by_file) == sorted(EXPECTED)
    for name, source in by_file.items():
        got = (source.title, source.outlet, source.published, source.published_raw, source.published_precision,
               source.format, source.encoding)
        assert got == EXPECTED[name], name


def test_originals_are_the_files_bytes(demo_case, by_file):
    for name, source in by_file.items():
        data = (SAMPLE_DATA / "articles" / name).read_bytes()
        assert sources.original_bytes(demo_case, source.id) == data
        assert source.sha256 == hashlib.sha256(data).hexdigest()


def test_the_cp1251_page_decodes_to_cyrillic(demo_case, by_file):
    source = by_file["rus-migvestnik-uzbek-conscription-notices-2022-10-12-ru-cp1251.txt"]
    raw = (SAMPLE_DATA / "articles" / source.file_name).read_bytes()
    raw.decode("cp1251")  # the file really is Windows-1251...
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # ...and not UTF-8
    assert source.text.startswith(raw.decode("cp1251").replace("\r\n", "\n")[:40])
    assert "повестки" in source.text
    assert sum("\u0400" <= ch <= "\u04ff" for ch in source.text) > 500


def test_sixteen_excerpts_every_quote_found_with_its_tags(demo_case, by_file):
    entries = TAGS["excerpt"]
    assert len(entries) == 16
    made = excerpts.list_excerpts(demo_case)
    assert len(made) == 16
    for entry in entries:
        source = by_file[entry["file"]]
        (excerpt,) = [e for e in made if e.source_id == source.id and e.quote == entry["quote"]]
        assert source.text[excerpt.start:excerpt.end] == entry["quote"]
        assert excerpt.prefix == source.text[max(0, excerpt.start - 32):excerpt.start]
        assert excerpt.suffix == source.text[excerpt.end:excerpt.end + 32]
        assert sorted(t.name for t in excerpt.claim_types) == sorted(entry.get("types", []))
        assert excerpt.note == entry.get("note")
        # Each entity named in the tags file (by name or alias) is linked, and nothing else.
        assert sorted(e.entity_id for e in excerpt.entities) == sorted(
            entities.resolve_entity(demo_case, name) for name in entry.get("entities", [])
        )
        assert sorted(c.statement for c in excerpt.claims) == sorted(entry.get("claims", []))
        stance = entry.get("stance", "supports")
        assert {c.stance for c in excerpt.claims} <= {stance}


def test_demo_claims_and_counts(demo_case):
    statements = {c["statement"] for c in TAGS.get("claim", [])}
    assert {c.statement for c in claims.list_claims(demo_case)} == statements
    figures = case_stats(demo_case)
    assert (figures.sources, figures.excerpts, figures.claims) == (10, 16, len(statements))
    codebook_types = tomllib.loads((SAMPLE_DATA / "codebook.toml").read_text(encoding="utf-8"))["claim_type"]
    entity_entries = tomllib.loads((SAMPLE_DATA / "entities.toml").read_text(encoding="utf-8"))["entity"]
    assert (figures.claim_types, figures.entities) == (len(codebook_types), len(entity_entries))


def test_building_again_tops_up_without_duplicating(demo_case):
    before = case_stats(demo_case)
    path = demo_case.path
    demo_case.close()
    sampledata.build(SAMPLE_DATA, path).close()
    again = CaseFile.open(path)
    assert case_stats(again) == before
    again.close()


def test_main_builds_and_reports(tmp_path, capsys):
    target = tmp_path / "demo.db"
    assert sampledata.main([str(SAMPLE_DATA), str(target)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{target}: 10 sources, 16 excerpts, ")
    assert sampledata.main([str(SAMPLE_DATA)]) == 2
    assert sampledata.main([str(tmp_path / "missing"), str(tmp_path / "other.db")]) == 1
    assert "error: " in capsys.readouterr().err
