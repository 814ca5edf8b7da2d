"""excerpt_links (schema v6): each excerpt's links in one row for the export, kept by triggers.

Whatever changes the links (tagging, claims, entities, merges, deletes, undo, a merge of case
files, a migration), the table must say what the link tables say: ``check`` compares the two, and
the export (which reads the table) must give the bytes of the row path (which reads the links).
"""

from __future__ import annotations

import io
import random
import sqlite3

from evidence_tui.domain import claims, codebook, entities, excerpts, integrity
from evidence_tui.domain.filters import ExcerptFilter
from evidence_tui.exporters import ExportOptions, export_excerpts, write_csv
from evidence_tui.store import CaseFile
from evidence_tui.store import journal
from evidence_tui.store.schema import MIGRATIONS


def _in_step(case: CaseFile) -> None:
    assert integrity.links_problems(case.db.conn) == []
    out = io.StringIO(newline="")
    write_csv(excerpts.iter_export_rows(case), out)

    class Keep:
        def __enter__(self):
            self.stream = io.StringIO(newline="")
            Keep.text = self.stream
            return self.stream

        def __exit__(self, *exc):
            pass

    export_excerpts(case, ExcerptFilter(), Keep, ExportOptions())
    assert Keep.text.getvalue() == out.getvalue()


def _excerpt_ids(case: CaseFile) -> list[str]:
    return [r[0] for r in case.db.conn.execute("SELECT id FROM excerpts ORDER BY rowid")]


def test_every_kind_of_link_change_keeps_the_table_in_step(demo_case):
    case = demo_case
    ids = _excerpt_ids(case)
    _in_step(case)
    types = [t.name for t in codebook.list_types(case)]
    excerpts.tag_excerpt(case, ids[0], types[:3])
    excerpts.untag_excerpt(case, ids[0], types[1:2])
    excerpts.toggle_tag(case, ids[1], types[0])
    claim = claims.add_claim(case, "Recruiters promised jobs, then sent the men to the front")
    claims.link_excerpt(case, claim.id, ids[2], stance="contradicts")
    claims.link_excerpt(case, claim.id, ids[3])
    claims.link_excerpt(case, claim.id, ids[2], stance="supports")  # the stance changes
    claims.unlink_excerpt(case, claim.id, ids[3])
    person = entities.add_entity(case, "Witness, the first", "person")
    other = entities.add_entity(case, "witness one", "person")
    entities.link_excerpt(case, person.id, ids[4], role="witness")
    entities.link_excerpt(case, other.id, ids[4])
    entities.link_excerpt(case, other.id, ids[5], role="source")
    _in_step(case)
    entities.merge_entities(case, other.id, person.id)  # re-points the links
    _in_step(case)
    entities.unlink_excerpt(case, person.id, ids[5])
    codebook.merge_types(case, types[2], types[0])
    codebook.remove_type(case, types[1])  # its tags go by cascade
    excerpts.delete_excerpt(case, ids[6])
    claims.delete_claim(case, claim.id)
    _in_step(case)
    for _ in range(4):  # undo brings rows back (with new rowids for deleted excerpts)
        journal.undo(case, case.actor)
        _in_step(case)


def test_random_changes_keep_the_table_in_step(demo_case):
    case = demo_case
    rng = random.Random(6)
    ids = _excerpt_ids(case)
    types = [t.name for t in codebook.list_types(case)]
    people = [entities.add_entity(case, f"person {i}", "person").id for i in range(4)]
    claim_ids = [claims.add_claim(case, f"claim {i}").id for i in range(3)]
    for _ in range(60):
        excerpt = rng.choice(ids)
        action = rng.randrange(7)
        if action == 0:
            excerpts.toggle_tag(case, excerpt, rng.choice(types))
        elif action == 1:
            entities.link_excerpt(case, rng.choice(people), excerpt, role=rng.choice(["", "victim", "witness"]))
        elif action == 2:
            try:
                entities.unlink_excerpt(case, rng.choice(people), excerpt)
            except Exception:  # nothing to unlink
                pass
        elif action == 3:
            claims.link_excerpt(case, rng.choice(claim_ids), excerpt, stance=rng.choice(["supports", "contradicts"]))
        elif action == 4:
            try:
                claims.unlink_excerpt(case, rng.choice(claim_ids), excerpt)
            except Exception:
                pass
        elif action == 5 and len(ids) > 5:
            excerpts.delete_excerpt(case, excerpt)
            ids.remove(excerpt)
        else:
            journal.undo(case, case.actor)
            ids = _excerpt_ids(case)
    _in_step(case)


def test_migration_from_v5_fills_the_table(tmp_path, demo_case):
    # The demo case's records, copied into a file made with the first five migrations.
    old = tmp_path / "v5.db"
    conn = sqlite3.connect(old, isolation_level=None)
    conn.execute("BEGIN")
    for migration in MIGRATIONS[:5]:
        migration(conn)
    conn.execute(f"PRAGMA application_id = {0x45564944}")
    conn.execute("PRAGMA user_version = 5")
    conn.execute("COMMIT")
    conn.execute("ATTACH ? AS demo", (str(demo_case.path),))
    conn.execute("BEGIN")
    for table in ("sources", "source_originals", "claim_types", "excerpts", "excerpt_claim_types", "claims",
                  "claim_excerpts", "entities", "entity_aliases", "excerpt_entities"):
        columns = ", ".join(f'"{r[1]}"' for r in conn.execute(f"PRAGMA main.table_info({table})"))
        conn.execute(f"INSERT INTO main.{table} ({columns}) SELECT {columns} FROM demo.{table}")
    conn.execute("COMMIT")
    linked = conn.execute("SELECT count(DISTINCT excerpt_id) FROM excerpt_claim_types").fetchone()[0]
    assert linked > 0
    conn.close()
    upgraded = CaseFile.open(old, actor="tester")
    try:
        rows = upgraded.db.conn.execute("SELECT count(*) FROM excerpt_links WHERE claim_types IS NOT NULL").fetchone()[0]
        assert rows == linked
        _in_step(upgraded)
    finally:
        upgraded.close()


def test_check_finds_a_table_out_of_step_and_repair_makes_it_again(demo_case):
    conn = demo_case.db.conn
    conn.execute("UPDATE excerpt_links SET claim_types = NULL WHERE excerpt_rowid = (SELECT min(excerpt_rowid) FROM excerpt_links)")
    conn.execute("INSERT INTO excerpt_links (excerpt_rowid, claims) VALUES (999999, X'00')")
    report = integrity.check_case(demo_case)
    found = [p for p in report.problems if p.record == "excerpt_links"]
    assert [p.kind for p in found] == ["index"]
    assert [p.message for p in found] == [
        "1 excerpts' link lists out of step with the links, 1 rows of deleted excerpts"]
    assert found[0].repairable
    repaired = integrity.repair_case(demo_case)
    assert "excerpt_links" in repaired.fts_rebuilt
    assert [p for p in repaired.after.problems if p.record == "excerpt_links"] == []
    _in_step(demo_case)


def _rows(conn, table, where, *params):
    cursor = conn.execute(f"SELECT * FROM {table} WHERE {where}", params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor]


def _insert(conn, table, rows):
    for row in rows:
        conn.execute(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", list(row.values()))


def test_links_written_before_their_excerpt_are_in_step(demo_case):
    # A merge or a bundle checks references at commit: a reader of other files may write links first.
    conn = demo_case.db.conn
    excerpt_id = conn.execute("SELECT excerpt_id FROM excerpt_claim_types LIMIT 1").fetchone()[0]
    excerpts.tag_excerpt(demo_case, excerpt_id, [codebook.list_types(demo_case)[-1].name])
    entities.link_excerpt(demo_case, entities.add_entity(demo_case, "Unit 7", "unit").id, excerpt_id, role="recruiter")
    excerpt = _rows(conn, "excerpts", "id = ?", excerpt_id)
    links = {t: _rows(conn, t, "excerpt_id = ?", excerpt_id) for t in ("excerpt_claim_types", "excerpt_entities")}
    conn.execute("DELETE FROM excerpts WHERE id = ?", (excerpt_id,))  # its links go by cascade
    conn.execute("BEGIN")
    conn.execute("PRAGMA defer_foreign_keys = ON")
    for table, rows in links.items():
        _insert(conn, table, rows)
    _insert(conn, "excerpts", excerpt)
    conn.execute("COMMIT")
    _in_step(demo_case)


def test_an_excerpt_given_a_new_id_keeps_its_links(demo_case):
    conn = demo_case.db.conn
    excerpt_id = conn.execute("SELECT excerpt_id FROM excerpt_claim_types LIMIT 1").fetchone()[0]
    for links_first in (True, False):
        new_id = excerpt_id + ("-a" if links_first else "-b")
        conn.execute("BEGIN")
        conn.execute("PRAGMA defer_foreign_keys = ON")
        statements = [("UPDATE excerpts SET id = ? WHERE id = ?", (new_id, excerpt_id))] + [
            (f"UPDATE {t} SET excerpt_id = ? WHERE excerpt_id = ?", (new_id, excerpt_id))
            for t in ("excerpt_claim_types", "claim_excerpts", "excerpt_entities", "reviews")]
        for sql, params in (statements[1:] + statements[:1]) if links_first else statements:
            conn.execute(sql, params)
        conn.execute("COMMIT")
        excerpt_id = new_id
        _in_step(demo_case)


def test_check_on_the_command_line_names_the_table_and_repair_rebuilds_it(demo_case):
    from click.testing import CliRunner

    from evidence_tui.cli import cli

    path = str(demo_case.path)
    demo_case.db.conn.execute("UPDATE excerpt_links SET entities = NULL")
    demo_case.close()
    checked = CliRunner().invoke(cli, ["check", "--db", path])
    assert checked.exit_code == 1
    lines = checked.stdout.splitlines()
    assert lines[0].startswith("index: excerpt_links: ") and "link lists out of step" in lines[0]
    assert lines[-1].endswith("1 problem (1 repairable with --repair)")
    repaired = CliRunner().invoke(cli, ["check", "--repair", "--db", path])
    assert repaired.exit_code == 0
    assert "rebuilt: excerpt_links" in repaired.stdout.splitlines()
    assert repaired.stdout.splitlines()[-1].endswith("checked: no problems")
