# Two commands are the contract (see README.md):
#   make demo  - set up .venv, build demo.db from sample_data/, open the app on it
#   make test  - set up .venv with the test extra and run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SAMPLE := $(shell find sample_data -type f 2>/dev/null)

.PHONY: demo test demo-db clean-demo lint-imports stress

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Stamps: reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[crypto]'
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test,crypto,web]'
	touch $@ $(VENV)/.installed

# Rebuilt only when sample_data/ changes, so tags you add in the demo survive the next `make demo`.
demo.db: $(VENV)/.installed $(SAMPLE)
	rm -f demo.db demo.db-wal demo.db-shm
	$(BIN)/python -m evidence_tui.sampledata sample_data demo.db

demo-db: demo.db

demo: demo.db
	$(BIN)/evidence-tui open --db demo.db

clean-demo:
	rm -f demo.db demo.db-wal demo.db-shm

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

lint-imports: $(VENV)/.installed-test
	$(BIN)/lint-imports

# The full crash-safety run: 2,000 articles, 60 kills per scenario, the 50 MB import (minutes).
stress: $(VENV)/.installed-test
	EVIDENCE_STRESS=1 $(BIN)/python -m pytest -p no:cacheprovider tests/test_crash_safety.py tests/test_hostile_input.py -k "killed or 50_mb"

# Benchmarks at scale (see benchmarks/run.py); never part of `make test`. Generated case files are
# cached in benchmarks/out/ (git-ignored); figures go to benchmarks/out/results.json.
.PHONY: bench bench-quick
bench: $(VENV)/.installed-test
	$(BIN)/python -m benchmarks.run --json benchmarks/out/results.json

bench-quick: $(VENV)/.installed-test
	$(BIN)/python -m benchmarks.run --quick --json benchmarks/out/results-quick.json
