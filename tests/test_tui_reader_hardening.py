"""The reader and the screens that show claim types, against awkward data: direction controls in a
source, an excerpt far down a long source, a colour another tool wrote that is no colour."""

from __future__ import annotations

import asyncio

from evidence_tui.domain import claims, codebook, excerpts, sources
from evidence_tui.importers import ImportOptions
from evidence_tui.textsafety import BIDI_SYMBOL
from evidence_tui.tui.app import EvidenceApp
from evidence_tui.tui.screens.codebook import CodebookScreen
from evidence_tui.tui.screens.picker import PickerScreen
from evidence_tui.tui.screens.reader import UNTYPED_COLOUR, ReaderScreen


async def settle(app, pilot) -> None:
    await pilot.pause()
    for _ in range(5):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if all(worker.is_finished for worker in app.workers):
            break


def screen_text(app) -> str:
    update = app.screen._compositor.render_update(full=True)
    return "\n".join("".join(segment.text for segment in strip) for strip in update.strips)


def reader_app(case, source_id: str, **kwargs) -> EvidenceApp:
    class ReaderApp(EvidenceApp):
        DEFAULT_MODE = "claims"  # a light first screen under the reader

        def on_mount(self) -> None:
            super().on_mount()
            self.push_screen(ReaderScreen(source_id, **kwargs))

    return ReaderApp(case)


def import_body(case, title: str, body: str) -> str:
    return sources.import_text(case, f"{title}\n\n{body}\n".encode(), f"{title}.txt", ImportOptions(title=title)).source_id


# -- bidirectional controls ------------------------------------------------------------------------


def test_direction_controls_show_as_symbols_and_offsets_still_line_up(case):
    body = 'The officer said "we\u202e never recruited \u2066anyone\u2069" on the record.'
    source_id = import_body(case, "Bidi", body)
    text = sources.get_source(case, source_id).text
    assert "\u202e" in text  # stored as it came
    start = text.index("never")
    excerpt = excerpts.add_excerpt(case, source_id, start=start, end=start + len("never recruited"))

    async def run():
        app = reader_app(case, source_id, cursor=excerpt.start, select=(excerpt.start, excerpt.end))
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(app, pilot)
            shown = screen_text(app)
            assert f'"we{BIDI_SYMBOL} never recruited {BIDI_SYMBOL}anyone{BIDI_SYMBOL}"' in shown
            assert not set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069") & set(shown)
            view = app.screen.view
            assert view.text == text and view.selection == (excerpt.start, excerpt.end)
            assert [(m.start, m.end) for m in view.marks] == [(excerpt.start, excerpt.end)]

    asyncio.run(run())


def test_lines_with_direction_controls_wrap_as_shown(case):
    # Each control is drawn as a symbol one cell wide: the wrapping must count it, or the end of
    # every line would be cut off at the edge.
    words = [f"\u2066w{n:03d}\u2069" for n in range(120)]
    source_id = import_body(case, "Isolates", " ".join(words))

    async def run():
        app = reader_app(case, source_id)
        async with app.run_test(size=(100, 40)) as pilot:
            await settle(app, pilot)
            shown = screen_text(app)
            assert [f"w{n:03d}" for n in range(120) if f"{BIDI_SYMBOL}w{n:03d}{BIDI_SYMBOL}" not in shown] == []

    asyncio.run(run())


# -- opening far down a long source ----------------------------------------------------------------


def test_the_reader_opens_scrolled_to_an_excerpt_far_down(case):
    body = "\n\n".join(f"Paragraph {n}: the witness described the recruitment office in detail." for n in range(1500))
    source_id = import_body(case, "Long", body)
    text = sources.get_source(case, source_id).text
    start = text.index("Paragraph 1400:")
    end = start + len("Paragraph 1400")
    excerpts.add_excerpt(case, source_id, start=start, end=end)

    async def run():
        app = reader_app(case, source_id, cursor=start, select=(start, end))
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            view = app.screen.view
            line = view.layout_lines.line_of(view.cursor)
            top = int(view.scroll_y)
            height = view.scrollable_content_region.height
            assert line > 1000
            # In view, a third of the way down: the context after it shows too (not on the last row).
            assert line - top == height // 3
            assert "Paragraph 1400:" in screen_text(app)
            # Moving afterwards scrolls only as needed.
            await pilot.press("down")
            assert int(view.scroll_y) == top

    asyncio.run(run())


# -- a colour that is no colour --------------------------------------------------------------------


def spoil_colour(case, name: str) -> None:
    """Another tool writes a colour the app would refuse."""
    with case.db.conn:
        case.db.conn.execute("UPDATE claim_types SET colour = 'notacolour' WHERE name = ?", (name,))


def test_a_bad_stored_colour_falls_back_in_the_reader(demo_case):
    spoiled = codebook.list_types(demo_case)[0]
    tagged = next(e for e in excerpts.list_excerpts(demo_case) if e.claim_types and e.claim_types[0].id == spoiled.id)
    spoil_colour(demo_case, spoiled.name)

    async def run():
        app = reader_app(demo_case, tagged.source_id, cursor=tagged.start)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            view = app.screen.view
            assert {m.colour for m in view.marks if m.id == tagged.id} == {UNTYPED_COLOUR}
            assert tagged.quote[:20] in " ".join(screen_text(app).split())
            await pilot.press("t")  # the picker lists the type with its swatch
            await settle(app, pilot)
            assert isinstance(app.screen, PickerScreen)
            assert spoiled.name in screen_text(app)

    asyncio.run(run())


def test_a_bad_stored_colour_does_not_break_the_codebook_or_claims(demo_case):
    spoiled = codebook.list_types(demo_case)[0]
    spoil_colour(demo_case, spoiled.name)
    claims.add_claim(demo_case, "A claim of the spoiled type", claim_type=spoiled.id)

    async def run():
        app = EvidenceApp(demo_case, mode="claims")
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            assert "A claim of the spoiled" in screen_text(app)
            app.push_screen(CodebookScreen())
            await settle(app, pilot)
            assert spoiled.name in screen_text(app)

    asyncio.run(run())


def test_the_codebook_refuses_a_bad_colour_on_write(case):
    import pytest

    from evidence_tui.errors import Invalid

    with pytest.raises(Invalid, match="^colour must look like #rrggbb, not 'notacolour'$"):
        codebook.add_type(case, "Deception", colour="notacolour")
    made = codebook.add_type(case, "Deception")
    with pytest.raises(Invalid, match="^colour must look like #rrggbb"):
        codebook.edit_type(case, made.id, colour="red; blink")
