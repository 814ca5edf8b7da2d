"""The evidence-tui app: a case file open in the terminal, driven from the keyboard.

Screens are Textual modes (one stack each), switched with F1-F6; the reader is pushed on top of
the library, excerpts or search screens. Every action is a binding (shown in the footer) and a
command in the palette (ctrl+p).
"""

from __future__ import annotations

import gc
from collections.abc import Iterable
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen

from evidence_tui.domain.review import ReviewQueue
from evidence_tui.domain.stats import case_counts
from evidence_tui.store import CaseFile
from evidence_tui.tui.dbrunner import DbRunner
from evidence_tui.tui.screens.claims import ClaimsScreen
from evidence_tui.tui.screens.codebook import CodebookScreen
from evidence_tui.tui.screens.entities import EntitiesScreen
from evidence_tui.tui.screens.excerpts import ExcerptsScreen
from evidence_tui.tui.screens.help import HelpScreen
from evidence_tui.tui.screens.library import LibraryScreen
from evidence_tui.tui.screens.overview import OverviewScreen
from evidence_tui.tui.screens.review import ReviewScreen
from evidence_tui.tui.screens.search import SearchScreen
from evidence_tui.words import count

# (mode, key, label): the order of the F-keys and of "Go to" commands in the palette.
SCREENS = (
    ("library", "f1", "Library"),
    ("excerpts", "f2", "Excerpts"),
    ("claims", "f3", "Claims"),
    ("entities", "f4", "Entities"),
    ("codebook", "f5", "Codebook"),
    ("review", "f6", "Review"),
    ("search", "f7", "Search"),
    ("overview", "f8", "Overview"),
)


class EvidenceApp(App):
    """The terminal app on one case file."""

    # Absolute, so subclasses defined elsewhere (tests) find it too.
    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "evidence-tui"
    MODES = {
        "library": LibraryScreen,
        "excerpts": ExcerptsScreen,
        "claims": ClaimsScreen,
        "entities": EntitiesScreen,
        "codebook": CodebookScreen,
        "review": ReviewScreen,
        "search": SearchScreen,
        "overview": OverviewScreen,
    }
    DEFAULT_MODE = "library"
    BINDINGS = [
        *(
            # Kept out of the footer (it is crowded); the help screen and the palette list them.
            Binding(key, f"app.switch_mode('{mode}')", label, show=False, id=f"go.{mode}", tooltip=f"Go to the {label} screen")
            for mode, key, label in SCREENS
        ),
        # Screens with a filter of their own (library, excerpts) bind / to it; elsewhere / searches.
        Binding("slash", "app.switch_mode('search')", "Search", show=False, id="app.search",
                tooltip="Search every source and excerpt (full text)"),
        Binding("question_mark", "app.help", "Help", id="app.help", tooltip="List every key of this screen"),
    ]

    # Bumped after every change to the case file; screens watch it to refresh what they show.
    revision: reactive[int] = reactive(0, init=False)

    def __init__(self, case: CaseFile, *, mode: str | None = None, review_queue: ReviewQueue | None = None) -> None:
        """Open on ``mode`` (e.g. "review" for ``evidence-tui review``); q there quits the app."""
        mode = mode or self.DEFAULT_MODE
        if mode not in self.MODES:
            raise ValueError(f"unknown screen {mode!r}")
        # Textual reads DEFAULT_MODE when the app is made: the screen it opens on, and q's home.
        self.DEFAULT_MODE = mode
        super().__init__()
        self.case = case
        self.home_mode = mode
        # The queue a Review screen starts on (None: the reviewer's unreviewed excerpts).
        self.review_queue = review_queue
        self.db = DbRunner(self, case)
        self.title = f"evidence-tui — {case.path.name}"

    def on_mount(self) -> None:
        """Show the case file's counts in the header; keep what startup made out of the collector's way."""
        self.update_counts()
        # A full garbage collection walks every object Python tracks: the ~80,000 made by now
        # (modules, classes, the app) made each one a 50-80 ms stall of whatever was being drawn
        # (measured on the Excerpts screen's filters). They live as long as the app: frozen, the
        # collector skips them (``on_unmount`` gives them back).
        gc.freeze()

    def case_changed(self) -> None:
        """Tell every screen that the case file changed (they reload what they show)."""
        self.revision += 1
        self.update_counts()

    def update_counts(self) -> None:
        """Refresh the header's counts (sources, excerpts, claims) in the background."""
        # Only the counts: the full statistics would hold up the write queue for a second on a big case.
        self.db.submit(case_counts, then=self._show_counts, changed=False)

    def _show_counts(self, figures) -> None:
        self.sub_title = (
            f"{count(figures.sources, 'source')} · {count(figures.excerpts, 'excerpt')} · {count(figures.claims, 'claim')} · "
            f"{count(figures.entities, 'entity')}"
        )

    def action_help(self) -> None:
        """Open the help screen for the current screen's keys."""
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Offer, in the palette, every screen switch and every action of the current screen."""
        yield from super().get_system_commands(screen)
        for mode, key, label in SCREENS:
            yield SystemCommand(f"Go to {label}", f"Switch to the {label} screen ({key.upper()})",
                                lambda mode=mode: self.switch_mode(mode))
        seen = {"app.help"}
        for binding in _screen_bindings(screen):
            if binding.id in seen or not binding.description:
                continue
            seen.add(binding.id or binding.action)
            yield SystemCommand(
                binding.description,
                f"{binding.tooltip or binding.description} ({binding.key_display or binding.key})",
                lambda action=binding.action, node=screen: self.run_action(action, node),
            )

    def on_unmount(self) -> None:
        """Let queued writes finish before the app exits (nothing typed is lost)."""
        self.db.shutdown()
        gc.unfreeze()


def _screen_bindings(screen: Screen) -> list[Binding]:
    """The bindings a screen offers (its own and its focused widgets'), for the palette."""
    bindings = []
    for active in screen.active_bindings.values():
        binding = active.binding
        if binding.system or binding.action.startswith("app.switch_mode"):
            continue
        bindings.append(binding)
    return bindings


def run(case: CaseFile, *, mode: str | None = None, review_queue: ReviewQueue | None = None) -> None:
    """Run the app on an open case file (``evidence-tui open``; ``review`` opens on the queue)."""
    try:
        EvidenceApp(case, mode=mode, review_queue=review_queue).run()
    finally:
        case.close()
