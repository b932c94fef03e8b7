# The project's commands. `make test` and `make demo` work on a fresh machine with only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install generate check-generated lint typecheck test

install: $(STAMP)

# Reinstalls only when the dependency list changes.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

generate: $(STAMP)
	$(BIN)/python codegen/generate.py

check-generated: $(STAMP)
	$(BIN)/python codegen/generate.py --check

lint: $(STAMP)
	$(BIN)/ruff check flip_async codegen tests
	$(BIN)/ruff format --check flip_async codegen tests

typecheck: $(STAMP)
	$(BIN)/mypy --strict flip_async

test: lint typecheck check-generated
	$(BIN)/python -m pytest
