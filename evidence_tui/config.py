"""Where the case file lives and who the user is: defaults, environment, and the config file."""

from __future__ import annotations

import getpass
import os
import tomllib
from pathlib import Path

import platformdirs

APP_NAME = "evidence-tui"
DB_ENV = "EVIDENCE_DB"
REVIEWER_ENV = "EVIDENCE_REVIEWER"


def data_dir() -> Path:
    """Return the per-user data folder (created, owner-only) that holds the default case file."""
    path = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def config_path() -> Path:
    """Return the path of the optional config file (``config.toml`` in the user config folder)."""
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def _last_case_marker() -> Path:
    return data_dir() / "last-case"


def default_db_path() -> Path:
    """Return the case file to use when none is given.

    In order: ``$EVIDENCE_DB``; the case file last opened in the app or made with ``init``
    (as git works on the repository you are in, commands work on the case you are in);
    ``case.db`` in the user data folder.
    """
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env).expanduser()
    try:
        remembered = _last_case_marker().read_text(encoding="utf-8").strip()
    except OSError:
        remembered = ""
    if remembered and Path(remembered).is_file():
        return Path(remembered)
    return data_dir() / "case.db"


def remember_case(path: Path) -> None:
    """Make ``path`` the default case file for later commands (best effort, owner-only file)."""
    try:
        marker = _last_case_marker()
        fd = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(str(Path(path).resolve()))
    except OSError:
        pass


def load_config() -> dict:
    """Return the config file's settings, or an empty dict when there is none or it is unreadable."""
    try:
        with config_path().open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError):
        return {}


def reviewer_name() -> str:
    """Return the reviewer's name: ``$EVIDENCE_REVIEWER``, the config's ``reviewer``, or the OS user."""
    name = os.environ.get(REVIEWER_ENV) or load_config().get("reviewer")
    if isinstance(name, str) and name.strip():
        return name.strip()
    try:
        return getpass.getuser()
    except Exception:  # getuser raises various errors when no user name is known
        return "unknown"
