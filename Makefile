# The project's commands. `make test` and `make demo` work on a fresh machine with only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo generate check-generated lint typecheck test bench

install: $(STAMP)

# Reinstalls only when the dependency list changes.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
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
	$(BIN)/ruff check flip_async codegen tests examples bench
	$(BIN)/ruff format --check flip_async codegen tests examples bench

typecheck: $(STAMP)
	$(BIN)/mypy --strict flip_async

test: lint typecheck check-generated
	$(BIN)/python -m pytest

# Measurements, not tests: client CPU per request against raw aiohttp and three peers, commission_many, telemetry,
# resuming over a long journal, memory, converter cost, codegen time; all against a minimal responder on its own CPU.
# Prints a report and writes bench/RESULTS.md: 12-20 minutes (more on a busy machine); BENCH_QUICK=1 takes about 4.
BENCH_STAMP := $(VENV)/.installed-bench
$(BENCH_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/python -m bench.run $(if $(BENCH_QUICK),--quick)
