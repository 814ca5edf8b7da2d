"""``evidence-tui claim list`` / ``claim show``: the corroboration figures of the domain, as text and JSON."""

from __future__ import annotations

import json

from click.testing import CliRunner

from evidence_tui.cli import cli
from evidence_tui.store import CaseFile
from tests.test_domain_claims import build_corroboration_case


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), env={"COLUMNS": "120"})


def make_case(tmp_path) -> tuple[str, str]:
    path = tmp_path / "case.db"
    case = CaseFile.open(path, actor="tester")
    claim, _, _ = build_corroboration_case(case)
    case.close()
    return str(path), claim.id


def test_claim_list_json_has_every_figure(tmp_path):
    db, claim_id = make_case(tmp_path)
    result = invoke("claim", "list", "--db", db, "--json")
    assert result.exit_code == 0, result.output
    (listed,) = json.loads(result.stdout)
    assert listed["id"] == claim_id
    assert {k: listed[k] for k in ("supporting", "contradicting", "sources", "outlets", "sources_against",
                                   "outlets_against", "best_reliability", "earliest", "latest", "single_outlet",
                                   "unsupported")} == {
        "supporting": 3, "contradicting": 1, "sources": 2, "outlets": 1, "sources_against": 1, "outlets_against": 1,
        "best_reliability": "B", "earliest": "2024-06", "latest": "2024-06", "single_outlet": True, "unsupported": False,
    }


def test_claim_list_table_shows_the_figures_and_marks(tmp_path):
    db, claim_id = make_case(tmp_path)
    assert invoke("claim", "add", "--db", db, "Nobody backs this").exit_code == 0
    result = invoke("claim", "list", "--db", db, "--order", "reliability")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[2].split() == ["id", "statement", "type", "cred.", "for", "src/out", "against", "src/out", "rel.", "published"]
    backed = next(i for i, line in enumerate(lines) if line.lstrip().startswith(claim_id[:8]))
    assert lines[backed].split()[-7:] == ["jobs", "3", "2/1", "1", "1/1", "B", "2024-06"]
    assert lines[backed + 1].split() == ["one", "outlet"]  # the mark under the sources/outlets
    unbacked = next(i for i, line in enumerate(lines) if "Nobody backs this" in line)
    assert lines[unbacked].split()[-4:] == ["0", "0/0", "0", "0/0"]
    assert lines[unbacked + 1].split() == ["unsupported"]
    assert backed < unbacked  # graded first


def test_claim_show_prints_the_corroboration(tmp_path):
    db, claim_id = make_case(tmp_path)
    result = invoke("claim", "show", "--db", db, claim_id[:8])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        "Recruits were promised driving jobs",
        "for: 3 excerpts, 2 sources in 1 outlet (one outlet: not independently corroborated); best reliability B "
        "(usually reliable); published 2024-06",
        "against: 1 excerpt, 1 source in 1 outlet",
    ]
    shown = json.loads(invoke("claim", "show", "--db", db, claim_id, "--json").stdout)
    assert (shown["sources_against"], shown["latest"], len(shown["evidence"])) == (1, "2024-06", 4)
    assert invoke("claim", "list", "--db", db, "--order", "nope").exit_code == 2


def test_sources_without_an_outlet_are_not_counted_as_independent_outlets(tmp_path):
    db = str(tmp_path / "case.db")
    for n in (1, 2):
        article = tmp_path / f"report{n}.txt"
        article.write_text(f"Report {n}\n\nFourteen men were detained in Kalutara.\n", encoding="utf-8")
        assert invoke("import", "--db", db, str(article)).exit_code == 0
    listed = json.loads(invoke("sources", "--db", db, "--json").stdout)
    assert [s["outlet"] for s in listed] == [None, None]
    claim = json.loads(invoke("claim", "add", "--db", db, "Men were detained", "--json").stdout)
    linked = invoke("claim", "link", "--db", db, claim["id"][:8], *(a for s in listed for a in ("--source", s["id"])))
    assert linked.stdout == f"linked: {claim['id'][:8]} now has 2 sources, 0 outlets (2 without a named outlet)\n"
    shown = invoke("claim", "show", "--db", db, claim["id"][:8])
    assert ("for: 0 excerpts, 2 sources, outlet unknown (no source names its outlet: not independently "
            "corroborated)") in " ".join(shown.stdout.split())
    (figures,) = json.loads(invoke("claim", "list", "--db", db, "--json").stdout)
    assert {k: figures[k] for k in ("sources", "outlets", "sources_without_outlet", "outlet_unknown", "single_outlet")} == {
        "sources": 2, "outlets": 0, "sources_without_outlet": 2, "outlet_unknown": True, "single_outlet": False}


def test_claim_add_with_an_empty_type_is_refused_not_left_untyped(tmp_path):
    db = str(tmp_path / "case.db")
    assert invoke("init", "--db", db).exit_code == 0
    result = invoke("claim", "add", "--db", db, "Men were detained", "--type", "")
    assert (result.exit_code, result.stderr) == (1, "error: no claim type given\n")
    assert json.loads(invoke("claim", "list", "--db", db, "--json").stdout) == []
