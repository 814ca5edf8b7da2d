"""Shared fixtures: a fresh case file per test, and the sample data folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidence_tui.store import CaseFile

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DATA = ROOT / "sample_data"


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory, monkeypatch):
    """Keep every test away from the real user's data and config folders."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.delenv("EVIDENCE_DB", raising=False)
    monkeypatch.setenv("EVIDENCE_REVIEWER", "tester")


@pytest.fixture
def case(tmp_path) -> CaseFile:
    """An empty case file, open as the reviewer 'tester'."""
    opened = CaseFile.open(tmp_path / "case.db", actor="tester")
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory) -> Path:
    """The demo case file built once from sample_data/ (tests get copies)."""
    import random
    import uuid

    from evidence_tui.sampledata import build

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    # Seeded ids: the same demo case file every run, so snapshots that show an id are stable.
    rng = random.Random(20241123)
    real_uuid4 = uuid.uuid4
    uuid.uuid4 = lambda: uuid.UUID(int=rng.getrandbits(128), version=4)
    try:
        build(SAMPLE_DATA, path).close()
    finally:
        uuid.uuid4 = real_uuid4
    return path


@pytest.fixture
def demo_case(_demo_template, tmp_path) -> CaseFile:
    """A private copy of the demo case file, open as 'tester'."""
    import sqlite3

    target = tmp_path / "demo.db"
    source = sqlite3.connect(_demo_template)
    copy = sqlite3.connect(target)
    source.backup(copy)
    source.close()
    copy.close()
    opened = CaseFile.open(target, actor="tester")
    yield opened
    opened.close()
