"""``excerpt tag`` / ``excerpt untag``: claim types as arguments (as ever) or as --type, like ``excerpt add``."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from evidence_tui.cli import cli


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def marked(tmp_path) -> tuple[str, str]:
    """A case file with one excerpt and three claim types; returns (db, excerpt id prefix)."""
    db = tmp_path / "case.db"
    article = tmp_path / "a.txt"
    article.write_text("Recruiters promised work\n\nThe envoy said recruiters promised work.\n", encoding="utf-8")
    assert invoke("import", "--db", str(db), str(article)).exit_code == 0
    for name in ("Deception", "Coercion", "Official figure"):
        assert invoke("codebook", "add", "--db", str(db), name).exit_code == 0
    (source,) = json.loads(invoke("sources", "--db", str(db), "--json").stdout)
    added = invoke("excerpt", "add", "--db", str(db), source["id"], "--quote", "The envoy said", "--json")
    return str(db), json.loads(added.stdout)["id"][:8]


def types_of(db: str, eid: str) -> list[str]:
    (excerpt,) = json.loads(invoke("excerpt", "list", "--db", db, "--json").stdout)
    assert excerpt["id"].startswith(eid)
    return sorted(excerpt["claim_types"])


def test_excerpt_tag_takes_type_options_like_excerpt_add(marked):
    db, eid = marked
    result = invoke("excerpt", "tag", "--db", db, eid, "--type", "Deception", "-t", "Official figure")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"tagged: {eid} Deception, Official figure\n"
    assert types_of(db, eid) == ["Deception", "Official figure"]


def test_excerpt_tag_still_takes_types_as_arguments_and_both_together(marked):
    db, eid = marked
    assert invoke("excerpt", "tag", "--db", db, eid, "Deception").stdout == f"tagged: {eid} Deception\n"
    both = invoke("excerpt", "tag", "--db", db, eid, "Coercion", "--type", "Official figure")
    assert both.exit_code == 0, both.output
    assert types_of(db, eid) == ["Coercion", "Deception", "Official figure"]


def test_excerpt_untag_takes_type_options_too(marked):
    db, eid = marked
    invoke("excerpt", "tag", "--db", db, eid, "Deception", "Coercion", "Official figure")
    result = invoke("excerpt", "untag", "--db", db, eid, "--type", "Deception", "Coercion")
    assert result.exit_code == 0, result.output
    assert types_of(db, eid) == ["Official figure"]


@pytest.mark.parametrize("command", ["tag", "untag"])
def test_excerpt_tag_without_any_type_is_one_line(marked, command):
    db, eid = marked
    result = invoke("excerpt", command, "--db", db, eid)
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert "--type" in result.stderr and "claim type" in result.stderr


def test_excerpt_tag_help_shows_the_type_option(marked):
    result = invoke("excerpt", "tag", "--help")
    assert "--type" in result.stdout and '--type "Official figure"' in result.stdout
