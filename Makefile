# The two commands of the README. Each installs what it needs into .venv first.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup demo test

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# torch is pinned here (a CPU build on this kind of machine); package metadata stays loose.
setup: $(BIN)/python
	$(BIN)/python -m pip install -q "torch==2.13.0"
	$(BIN)/python -m pip install -q -e ".[all]"

demo: setup
	$(BIN)/fitdoctor demo

# ray (~250 MB installed) stays out of `all`; the test target adds it, and its tests skip if it fails.
# ensure_postgres.sh starts a throwaway PostgreSQL on 127.0.0.1 for the multi-worker tune tests
# (they skip with the reason it printed when it cannot).
test: setup
	$(BIN)/python -m pip install -q -e ".[all,dev]"
	$(BIN)/python -m pip install -q -e ".[ray]" || echo "ray not installed: the Ray tune tests skip"
	bash scripts/ensure_browser.sh $(BIN)/python
	FITDOCTOR_TEST_POSTGRES_URL="$$(bash scripts/ensure_postgres.sh)" $(BIN)/python -m pytest
