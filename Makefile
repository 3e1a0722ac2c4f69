# The two commands a newcomer runs: `make demo` and `make test`. Both set up .venv themselves.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
SOUNDS := build/sounds

.PHONY: venv system-deps demo test lint typecheck pytest prompts prompts-bench \
        bench-api bench-agi bench-caller-time bench-load bench-callers e2e asterisk-sandbox clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

system-deps:
	@scripts/system-deps.sh test

lint: venv
	$(VENV)/bin/ruff check api ivr prompts tests bench

typecheck: venv
	$(VENV)/bin/mypy api ivr prompts

# pytest exits 5 when it collected nothing: a test run that ran no test is a failure here.
pytest: venv system-deps
	@$(VENV)/bin/pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; exit $$rc

test: lint typecheck pytest

prompts: venv
	@scripts/system-deps.sh demo
	$(VENV)/bin/ivr prompts build --out $(SOUNDS)

prompts-bench: venv
	@scripts/system-deps.sh demo
	$(PY) bench/prompts_bench.py

# Non-interactive: make demo DEMO_ARGS='--script "2 1 1 1 12345678# 01021990 1 1"'
demo: venv prompts
	$(PY) -m scripts.demo $(DEMO_ARGS)

bench-api: venv
	$(PY) bench/api_bench.py

bench-agi: venv prompts
	$(PY) bench/agi_bench.py

# Seconds of prompt audio from answer to booking, expert and first-time caller (docs/benchmarks.md)
bench-caller-time: venv prompts
	$(PY) bench/caller_time.py

# Callers through FastAGI and the slot service on PostgreSQL: one + one, then two + two processes
bench-load: venv
	$(PY) bench/load_bench.py $(LOAD_ARGS)

# How many simulated callers book without an operator: 2,000 through ivr serve and the slot
# service on PostgreSQL, 30 of them as real SIPp calls into the sandbox (docs/benchmarks.md)
bench-callers: venv system-deps prompts
	$(PY) -m bench.callers $(CALLERS_ARGS)

e2e: venv system-deps
	$(VENV)/bin/pytest tests/e2e $(PYTEST_ARGS)

asterisk-sandbox: venv system-deps prompts
	scripts/asterisk-sandbox.sh build

# the embedded PostgreSQL of the demo (build/postgres) is stopped before its data goes
clean:
	-@test -x $(VENV)/bin/slot-service && $(VENV)/bin/slot-service db stop
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache
