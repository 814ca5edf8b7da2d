"""The core never imports the TUI: import-linter's contract holds, and the CLI starts without textual."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-logo", "--no-cache"],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
    )


def test_import_linter_contract_is_kept():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "The core never imports textual or the TUI KEPT" in result.stdout
    assert "Contracts: 1 kept, 0 broken." in result.stdout


def test_import_linter_contract_catches_a_violation(tmp_path):
    """The contract is not vacuous: a copy of the code where the CLI imports textual breaks it."""
    shutil.copytree(ROOT / "evidence_tui", tmp_path / "evidence_tui", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    common = tmp_path / "evidence_tui" / "cli" / "common.py"
    common.write_text(common.read_text(encoding="utf-8") + "\nimport textual  # a violation\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}

    result = lint_imports(tmp_path, env)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "The core never imports textual or the TUI BROKEN" in result.stdout
    assert "evidence_tui.cli.common -> textual" in result.stdout


def test_the_cli_never_loads_textual():
    code = (
        "import sys\n"
        "import evidence_tui.cli\n"
        "try:\n"
        "    evidence_tui.cli.cli.main(['--help'], standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
        "loaded = sorted(m for m in sys.modules if m == 'textual' or m.startswith(('textual.', 'evidence_tui.tui')))\n"
        "print('LOADED:', loaded)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "LOADED: []"
    assert "Usage: " in result.stdout
