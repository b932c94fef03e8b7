# The project's commands. `make test` and `make demo` work on a fresh machine with only Python 3.11+ and make.
# Another interpreter gets a venv of its own: `make pytest PYTHON=python3.13 VENV=.venv-3.13` (as .ci/run does).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo generate check-generated lint typecheck docs pytest test test-min-deps dist bench

install: $(STAMP)

# Reinstalls only when the dependency list changes.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,docs,sandbox,redis]' $(PIP_CONSTRAINTS)
	touch $(STAMP)

# The main job: commission the 1,000-site example fleet against a fresh embedded sandbox that injects a few faults
# (5xx, 429s, lost responses), so retries and 409-after-a-lost-answer show up in the summary. The fleet holds six
# deliberately invalid rows, so the CLI's exit status 1 ("some rows invalid") is the expected ending here.
DEMO_OUT := demo-out
demo: $(STAMP)
	@mkdir -p $(DEMO_OUT)
	@rm -f $(DEMO_OUT)/fleet.journal
	$(BIN)/flip-async commission examples/fleet.jsonl --sandbox --concurrency 32 \
		--sandbox-error-rate 0.03 --sandbox-rate-limit-rate 0.02 --sandbox-retry-after 0.2 \
		--sandbox-lost-response-rate 0.01 --sandbox-seed 7 \
		--journal $(DEMO_OUT)/fleet.journal --out $(DEMO_OUT)/outcomes.jsonl; \
	status=$$?; [ $$status -le 1 ] || exit $$status
	@echo "Per-row outcomes: $(DEMO_OUT)/outcomes.jsonl; journal: $(DEMO_OUT)/fleet.journal"

generate: $(STAMP)
	$(BIN)/python codegen/generate.py

check-generated: $(STAMP)
	$(BIN)/python codegen/generate.py --check

lint: $(STAMP)
	$(BIN)/ruff check flip_async codegen tests examples bench docs .ci
	$(BIN)/ruff format --check flip_async codegen tests examples bench docs .ci

# The package, and what its users write (tests/typing), under both type checkers users run.
typecheck: $(STAMP)
	$(BIN)/mypy --strict flip_async tests/typing
	$(BIN)/pyright tests/typing

# The documentation site, into site/: guides from docs/, the reference generated from the live package. Strict: a
# warning or a broken cross-reference fails it. `make test` builds it too (tests/test_docs.py, into a temporary folder).
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

# The suite alone (it builds the sdist and wheel and runs twine check on them too); `make test` adds the checks.
pytest: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test: lint typecheck check-generated pytest

# The suite on the lowest version of each dependency that pyproject.toml allows, in a venv of its own. The tests that
# mock HTTP with aioresponses are left out: its shim in tests/conftest.py needs aiohttp 3.14, the library does not.
# rich is left to pip, as the pinned test tools need a newer one (schemathesis 13.9.4, twine 14.3.3); the CLI's tests
# passed on rich 13.7.0 when tried.
MIN_VENV := .venv-min
test-min-deps:
	@mkdir -p $(MIN_VENV)
	$(PYTHON) .ci/lowest_requirements.py --except rich > $(MIN_VENV)/constraints.txt
	$(MAKE) pytest VENV=$(MIN_VENV) PIP_CONSTRAINTS='--constraint $(MIN_VENV)/constraints.txt' \
		PYTEST_ARGS='-p tests.without_aioresponses'

# What a release uploads: the sdist and the wheel built from it with the pinned backend, checked by twine.
dist: $(STAMP)
	rm -rf dist
	$(BIN)/python -m build --no-isolation --outdir dist .
	$(BIN)/twine check --strict dist/*

# Measurements, not tests: client CPU per request against raw aiohttp and three peers, commission_many, telemetry,
# resuming over a long journal, memory, converter cost, codegen time; all against a minimal responder on its own CPU.
# Prints a report and writes bench/RESULTS.md: 12-20 minutes (more on a busy machine); BENCH_QUICK=1 takes about 4.
BENCH_STAMP := $(VENV)/.installed-bench
$(BENCH_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/python -m bench.run $(if $(BENCH_QUICK),--quick)
