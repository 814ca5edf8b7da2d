"""A filter whose --from is after its --to: one line naming both, exit 1, no file touched."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from evidence_tui.cli import cli

REVERSED = "error: --from 2024 is after --to 2023: no publication date can be in that range"


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def one_line_error(result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("command", [("export", "csv"), ("export", "json"), ("excerpt", "list"), ("review",)])
def test_every_filtered_command_refuses_a_reversed_date_range(demo_case, command):
    result = invoke(*command, "--db", str(demo_case.path), "--from", "2024", "--to", "2023")
    assert one_line_error(result) == REVERSED
    assert result.stdout == ""


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_with_a_reversed_range_leaves_the_output_alone(demo_case, tmp_path, fmt):
    kept = tmp_path / "keep.out"
    kept.write_bytes(b"keep me")
    result = invoke("export", fmt, "--db", str(demo_case.path), "--from", "2024", "--to", "2023", "-o", str(kept))
    assert one_line_error(result) == REVERSED
    assert kept.read_bytes() == b"keep me"
    fresh = tmp_path / "fresh.out"
    result = invoke("export", fmt, "--db", str(demo_case.path), "--from", "2024", "--to", "2023", "-o", str(fresh))
    assert one_line_error(result) == REVERSED
    assert not fresh.exists()


def test_ranges_that_meet_or_nest_are_not_reversed(demo_case):
    db = str(demo_case.path)
    everything = json.loads(invoke("excerpt", "list", "--db", db, "--json").stdout)
    # June 2024 lies within 2024 (and 2024 reaches to its last day): none of these is backwards.
    for start, end in (("2024", "2024"), ("2024-06", "2024"), ("2024", "2024-06"), ("2024-06-30", "2024-06"),
                       ("2023", "2025")):
        result = invoke("excerpt", "list", "--db", db, "--json", "--from", start, "--to", end)
        assert result.exit_code == 0, (start, end, result.output)
    within = json.loads(invoke("excerpt", "list", "--db", db, "--json", "--from", "2000", "--to", "2099").stdout)
    assert within and len(within) <= len(everything)
    assert one_line_error(invoke("excerpt", "list", "--db", db, "--from", "2024-07", "--to", "2024-06-30")) == (
        "error: --from 2024-07 is after --to 2024-06-30: no publication date can be in that range"
    )
