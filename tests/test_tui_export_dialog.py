"""The export dialog: the same bytes as `evidence-tui export`, prefilled filters, overwriting, bad input."""

from __future__ import annotations

import asyncio
import os
import stat
from datetime import date

from click.testing import CliRunner
from textual.widgets import Checkbox, Input, RadioButton

from evidence_tui.cli import cli
from evidence_tui.domain import codebook, excerpts
from evidence_tui.domain.filters import ExcerptFilter
from evidence_tui.tui.app import EvidenceApp
from evidence_tui.tui.screens.excerpts import ExcerptsScreen
from evidence_tui.tui.screens.export_dialog import ExportDialog, default_export_path
from evidence_tui.tui.screens.library import LibraryScreen
from evidence_tui.tui.screens.prompt import ConfirmScreen
from tests.tui_util import settle


def notes(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


def cli_export(db, *args: str) -> bytes:
    result = CliRunner().invoke(cli, ["export", *args, "--db", str(db)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def set_value(dialog: ExportDialog, selector: str, value: str) -> None:
    dialog.query_one(selector, Input).value = value


def accept_some(case) -> tuple[str, list[str]]:
    """Accept three excerpts, two of them of one claim type; return that type's name and their ids."""
    type_name = "Recruitment channel"
    type_id = codebook.get_type(case, type_name).id
    tagged = excerpts.list_excerpts(case, ExcerptFilter(claim_types=(type_id,)))
    chosen = [e.id for e in tagged[:2]]
    other = next(e.id for e in excerpts.list_excerpts(case) if e.id not in {x.id for x in tagged})
    for excerpt_id in [*chosen, other]:
        excerpts.set_status(case, excerpt_id, "accepted")
    return type_name, chosen


def test_export_from_the_excerpts_screen_is_prefilled_and_writes_what_the_cli_writes(demo_case, tmp_path):
    type_name, chosen = accept_some(demo_case)
    type_id = codebook.get_type(demo_case, type_name).id
    out = tmp_path / "accepted.csv"

    async def run():
        app = EvidenceApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            await pilot.press("f2")
            await settle(app, pilot)
            screen = app.screen
            assert isinstance(screen, ExcerptsScreen)
            screen.show_filter(ExcerptFilter(claim_types=(type_id,), statuses=("accepted",)))
            await settle(app, pilot)
            await pilot.press("ctrl+e")
            await pilot.pause()
            dialog = app.screen
            assert isinstance(dialog, ExportDialog)
            # Prefilled with the screen's filter, the type by its name.
            assert dialog.query_one("#export-claim_types", Input).value == type_name
            assert dialog.query_one("#export-status-accepted", Checkbox).value
            assert not dialog.query_one("#export-status-flagged", Checkbox).value
            assert dialog.query_one("#export-path", Input).value == default_export_path()
            assert default_export_path(today=date(2025, 3, 7)) == "~/evidence-export-20250307.csv"
            dialog.query_one("#export-excel", Checkbox).value = True
            set_value(dialog, "#export-path", str(out))
            await pilot.press("ctrl+s")
            await settle(app, pilot)
            assert not isinstance(app.screen, ExportDialog)  # closed when done
            assert f"Exported 2 rows to {out}" in notes(app)

    asyncio.run(run())
    assert out.read_bytes() == cli_export(demo_case.path, "csv", "--status", "accepted", "--type", type_name, "--excel")
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert sum(1 for line in out.read_bytes().split(b"\r\n")[1:] if line) == 2
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600


def test_json_lines_with_typed_filters_match_the_cli(demo_case, tmp_path):
    accept_some(demo_case)
    out = tmp_path / "x.json"

    async def run():
        app = EvidenceApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            await pilot.press("ctrl+e")  # from the library: no filter
            await pilot.pause()
            dialog = app.screen
            assert isinstance(dialog, ExportDialog)
            set_value(dialog, "#export-path", str(out))
            dialog.query_one("#format-jsonl", RadioButton).value = True
            await pilot.pause()
            # The file name follows the format; the CSV options switch off.
            assert dialog.query_one("#export-path", Input).value == str(tmp_path / "x.jsonl")
            assert dialog.query_one("#export-excel", Checkbox).disabled
            set_value(dialog, "#export-from", "2024-06")
            set_value(dialog, "#export-to", "2024-10")
            set_value(dialog, "#export-text", "army")
            dialog.query_one("#export-status-unreviewed", Checkbox).value = True
            await pilot.press("enter")  # in the file box
            await settle(app, pilot)
            assert any(n.startswith("Exported ") for n in notes(app))

    asyncio.run(run())
    written = (tmp_path / "x.jsonl").read_bytes()
    assert written == cli_export(demo_case.path, "json", "--lines", "--from", "2024-06", "--to", "2024-10",
                                 "--text", "army", "--status", "unreviewed")
    assert written.count(b"\n") >= 1


def test_an_existing_file_is_replaced_only_after_asking(demo_case, tmp_path):
    out = tmp_path / "old.csv"
    out.write_bytes(b"keep me")

    async def run():
        app = EvidenceApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            await pilot.press("ctrl+e")
            await pilot.pause()
            dialog = app.screen
            set_value(dialog, "#export-path", str(out))
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen)
            await pilot.press("n")
            await settle(app, pilot)
            assert app.screen is dialog and out.read_bytes() == b"keep me"
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen)
            await pilot.press("y")
            await settle(app, pilot)
            assert "Exported 16 rows to " + str(out) in notes(app)

    asyncio.run(run())
    assert out.read_bytes() == cli_export(demo_case.path, "csv")


def test_bad_paths_and_filters_are_one_line_notifications(demo_case, tmp_path):
    async def run():
        app = EvidenceApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            await pilot.press("ctrl+e")
            await pilot.pause()
            dialog = app.screen
            set_value(dialog, "#export-path", str(tmp_path / "no-such-folder" / "x.csv"))
            await pilot.press("ctrl+s")
            await settle(app, pilot)
            assert notes(app)[-1] == f"{tmp_path / 'no-such-folder'}: no such folder"
            set_value(dialog, "#export-path", str(tmp_path))
            await pilot.press("ctrl+s")
            await settle(app, pilot)
            assert notes(app)[-1] == f"{tmp_path}: is a folder; give the export a file name"
            set_value(dialog, "#export-path", str(tmp_path / "x.csv"))
            set_value(dialog, "#export-from", "June 2024")
            await pilot.press("ctrl+s")
            await settle(app, pilot)
            assert notes(app)[-1] == "From 'June 2024': not a date (write 2024, 2024-06 or 2024-06-15)"
            set_value(dialog, "#export-from", "")
            set_value(dialog, "#export-entities", "Nobody At All")
            await pilot.press("ctrl+s")
            await settle(app, pilot)
            # Found out in the background; the dialog stays open to correct it and no file is made.
            assert "Nobody At All" in notes(app)[-1] and "\n" not in notes(app)[-1]
            assert app.screen is dialog and not (tmp_path / "x.csv").exists()
            set_value(dialog, "#export-path", "")
            await pilot.press("ctrl+s")
            await settle(app, pilot)
            assert notes(app)[-1] == "File: give the export a file name"
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, LibraryScreen)

    asyncio.run(run())
    assert list(tmp_path.glob("*.csv")) == []


def test_the_cli_checks_dates_before_touching_the_file(demo_case, tmp_path):
    """The shared export function: a bad date is one line, exit 1, and an existing file stays as it was."""
    out = tmp_path / "keep.csv"
    out.write_bytes(b"keep me")
    result = CliRunner().invoke(cli, ["export", "csv", "--db", str(demo_case.path), "--from", "2024-13", "-o", str(out)])
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: --from '2024-13': not a date (write 2024, 2024-06 or 2024-06-15)"
    assert out.read_bytes() == b"keep me"


def test_ticked_and_chosen_show_in_the_glyph_not_only_in_colour(demo_case):
    async def run():
        app = EvidenceApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            await pilot.press("ctrl+e")
            await settle(app, pilot)
            dialog = app.screen
            assert isinstance(dialog, ExportDialog)
            excel = dialog.query_one("#export-excel", Checkbox)
            assert str(excel.render()).startswith("▐ ▌")
            excel.value = True
            await pilot.pause()
            assert str(excel.render()).startswith("▐✓▌")
            buttons = list(dialog.query(RadioButton))
            assert [str(b.render())[1] for b in buttons] == ["●"] + ["○"] * (len(buttons) - 1)

    asyncio.run(run())


# -- a small terminal (80x24: a laptop, a split pane) ---------------------------------------------


def screen_text(app) -> str:
    update = app.screen._compositor.render_update(full=True)
    return "\n".join("".join(segment.text for segment in strip) for strip in update.strips)


def test_at_80_by_24_the_dialog_fits_and_tab_reaches_every_field(demo_case):
    async def run():
        app = EvidenceApp(demo_case)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app, pilot)
            await pilot.press("f2")
            await settle(app, pilot)
            await pilot.press("ctrl+e")
            await settle(app, pilot)
            dialog = app.screen
            assert isinstance(dialog, ExportDialog)
            assert dialog.has_class("-narrow")
            box = dialog.query_one("#export-dialog")
            screen = dialog.region
            assert screen.contains_region(box.region), (box.region, screen)
            assert box.max_scroll_y == 0  # everything shows without scrolling
            # Every field by Tab, each one inside the box when it has the focus.
            fields = {w.id for w in dialog.query("Input, Checkbox, RadioSet")}
            reached: list[str] = []
            for _ in range(len(fields)):
                await pilot.press("tab")
                await pilot.pause()
                focused = dialog.focused
                assert focused is not None and focused.id
                assert box.region.contains_region(focused.region), focused.id
                reached.append(focused.id)
            assert set(reached) == fields
            assert reached[-1] == "export-path"  # and round again to where it started
            # Nothing cut at the right edge: every label and hint shows in full.
            shown = screen_text(app)
            for text in ("raw: keep formulas", "Excel byte-order mark", "one row per claim type", "flagged",
                         "(none ticked: any)", "published on/before: 2024-06-30", "escape: cancel"):
                assert text in shown, text

    asyncio.run(run())


def test_at_120_by_40_the_dialog_keeps_its_rows_of_choices(demo_case):
    async def run():
        app = EvidenceApp(demo_case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            await pilot.press("ctrl+e")
            await settle(app, pilot)
            dialog = app.screen
            assert isinstance(dialog, ExportDialog)
            assert not dialog.has_class("-narrow")
            assert dialog.query_one("#export-dialog").region.width == 96
            # The CSV options on one line, the filters in two columns.
            rows = {dialog.query_one(f"#export-{name}").region.y for name in ("per-type", "excel", "raw")}
            assert len(rows) == 1
            assert dialog.query_one("#export-claim_types").region.y == dialog.query_one("#export-entities").region.y

    asyncio.run(run())


def test_export_dialog_snapshot_at_80_by_24(snap_compare, demo_case):
    async def open_dialog(pilot) -> None:
        await settle(pilot.app, pilot)
        await pilot.press("f2")
        await settle(pilot.app, pilot)
        await pilot.press("ctrl+e")
        await settle(pilot.app, pilot)
        pilot.app.screen.query_one("#export-path", Input).value = "~/evidence-export.csv"  # not today's date
        await pilot.pause()

    assert snap_compare(EvidenceApp(demo_case), terminal_size=(80, 24), run_before=open_dialog)
