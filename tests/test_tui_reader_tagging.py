"""Tagging in the reader is drawn at once: the mark goes on before the write comes back, it is
replaced by the excerpt the write returns (no reload, no re-wrapping), and a failed write takes it off."""

from __future__ import annotations

import asyncio
import threading

from textual.strip import Strip

from evidence_tui.domain import codebook, excerpts, sources
from evidence_tui.errors import Invalid
from evidence_tui.importers import ImportOptions
from evidence_tui.tui.app import EvidenceApp
from evidence_tui.tui.screens import reader as reader_module
from evidence_tui.tui.screens.reader import ReaderScreen
from evidence_tui.tui.widgets import text_layout

BODY = "The recruiters came at night. They promised jobs as drivers. Nobody saw a contract."


def reader_app(case, source_id: str) -> EvidenceApp:
    class ReaderApp(EvidenceApp):
        DEFAULT_MODE = "claims"  # a light first screen under the reader

        def on_mount(self) -> None:
            super().on_mount()
            self.push_screen(ReaderScreen(source_id))

    return ReaderApp(case)


async def settle(app, pilot) -> None:
    await pilot.pause()
    for _ in range(5):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if all(worker.is_finished for worker in app.workers):
            break


def make_source(case) -> str:
    codebook.add_type(case, "Deception", colour="#ff0000", hotkey=1)
    return sources.import_text(case, f"Night\n\n{BODY}\n".encode(), "night.txt", ImportOptions(title="Night")).source_id


def line_styles(app, needle: str) -> set:
    """The styles the screen draws the characters of ``needle`` with (the first line holding it)."""
    update = app.screen._compositor.render_update(full=True)
    for strip in update.strips:
        segments = [s for part in strip for s in (part if isinstance(part, Strip) else [part])]
        text = "".join(segment.text for segment in segments)
        at = text.find(needle)
        if at == -1:
            continue
        styles, position = set(), 0
        for segment in segments:
            if position < at + len(needle) and position + len(segment.text) > at:
                styles.add(segment.style)
            position += len(segment.text)
        return styles
    raise AssertionError(f"{needle!r} is not on screen")


def test_the_mark_is_drawn_before_the_write_and_replaced_by_the_excerpt(case, monkeypatch):
    source_id = make_source(case)
    text = sources.get_source(case, source_id).text
    layouts = []
    original_layout = text_layout.Layout.__init__

    def counting_layout(self, *args, **kwargs):
        layouts.append(args)
        original_layout(self, *args, **kwargs)

    monkeypatch.setattr(text_layout.Layout, "__init__", counting_layout)
    reloads = []
    original_in_source = excerpts.excerpts_in_source
    monkeypatch.setattr(reader_module.excerpts, "excerpts_in_source", lambda *a: reloads.append(a) or original_in_source(*a))

    async def run():
        app = reader_app(case, source_id)
        async with app.run_test(size=(100, 20)) as pilot:
            await settle(app, pilot)
            screen = app.screen
            view = screen.view
            view.move_to(text.index("They"))
            await pilot.press("s")  # the second sentence
            assert text[slice(*view.selection)] == "They promised jobs as drivers."
            laid_out, reloaded = len(layouts), len(reloads)
            # Hold the write queue: the mark must not wait for the write.
            gate = threading.Event()
            app.db.submit(lambda _case: gate.wait(10), changed=False)
            await pilot.press("1")
            await pilot.pause()
            pending = [m for m in view.marks if m.id.startswith("pending:")]
            assert [(m.start, m.end, m.colour) for m in pending] == [(text.index("They"), text.index("drivers.") + 8, "#ff0000")]
            assert original_in_source(case, source_id) == []  # not written yet
            assert any(style and style.color and style.color.name == "#ff0000" for style in line_styles(app, "promised"))
            gate.set()
            await settle(app, pilot)
            made = original_in_source(case, source_id)
            assert [(e.start, e.end, [t.name for t in e.claim_types]) for e in made] == [
                (text.index("They"), text.index("drivers.") + 8, ["Deception"])]
            assert [m.id for m in view.marks] == [made[0].id]
            assert screen.current_excerpt_id == made[0].id
            # Marks are styles: the text was not wrapped again, nor the source's excerpts read again.
            assert len(layouts) == laid_out
            assert len(reloads) == reloaded
            # A change made elsewhere (undo here) still reloads.
            await pilot.press("u")
            await settle(app, pilot)
            assert view.marks == [] and len(reloads) > reloaded

    asyncio.run(run())


def test_a_write_that_fails_takes_the_mark_off_and_says_why(case, monkeypatch):
    source_id = make_source(case)

    def refuse(*args, **kwargs):
        raise Invalid("the source was deleted meanwhile")

    monkeypatch.setattr(reader_module.excerpts, "add_excerpt", refuse)

    async def run():
        app = reader_app(case, source_id)
        async with app.run_test(size=(100, 20)) as pilot:
            await settle(app, pilot)
            view = app.screen.view
            await pilot.press("s", "1")
            await settle(app, pilot)
            assert view.marks == []
            assert any("deleted meanwhile" in n.message for n in app._notifications)
            assert excerpts.excerpts_in_source(case, source_id) == []

    asyncio.run(run())


def test_tagging_the_span_of_an_excerpt_adds_the_type_without_a_second_mark(case):
    source_id = make_source(case)
    codebook.add_type(case, "Coercion", colour="#00ff00", hotkey=2)
    text = sources.get_source(case, source_id).text
    start = text.index("The recruiters")
    first = excerpts.add_excerpt(case, source_id, start=start, end=text.index("night.") + 6, types=["Deception"])

    async def run():
        app = reader_app(case, source_id)
        async with app.run_test(size=(100, 20)) as pilot:
            await settle(app, pilot)
            view = app.screen.view
            view.move_to(start + 3)
            await pilot.press("s", "2")
            await settle(app, pilot)
            assert [m.id for m in view.marks] == [first.id]
            assert [t.name for t in excerpts.get_excerpt(case, first.id).claim_types] == ["Deception", "Coercion"]

    asyncio.run(run())
