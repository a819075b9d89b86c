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

test: setup
	$(BIN)/python -m pip install -q -e ".[all,dev]"
	bash scripts/ensure_browser.sh $(BIN)/python
	$(BIN)/python -m pytest
