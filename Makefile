# The thesis's two commands: `make` builds HTML + PDF into _book/, `make test` runs every test.
# Both create the pinned virtual environment in .venv/ first if it is missing or out of date.

VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PYTHON ?= python3

.DEFAULT_GOAL := book
PYTEST := $(PY) -m pytest -p no:cacheprovider
# The whole suite: two workers, each test file on one worker (its module fixtures built once),
# and the 15 slowest tests listed at the end.
SUITE  := -n 2 --dist loadfile --nbval tests _freeze --ignore-glob="tests/fixtures/*" --durations=15

.PHONY: book test test-fast test-pythons verify lint bench clean help conformance

book: $(STAMP) ## Build the thesis: execute what changed, render _book/ (HTML + thesis.pdf)
	$(PY) -m bookbuild build

test: lint ## Lint, build the thesis, then run the whole test suite
	$(PY) -m bookbuild build
	$(PYTEST) $(SUITE)

test-fast: book ## The tests that need no browser, no kill loop and no full-book rebuild (< 1 min)
	$(PYTEST) -n 2 --dist loadfile -m "not slow" tests --ignore-glob="tests/fixtures/*" --durations=10

test-pythons: ## Build and run the fast tests under every Python 3.11-3.13 found; compare the editions
	$(PYTHON) scripts/test_pythons.py

verify: $(STAMP) ## Examiner's check: raw data vs checksums, re-execute all in isolation, compare with _book/
	$(PY) -m bookbuild verify

lint: $(STAMP) ## ruff check, ruff format --check and mypy (bookbuild/, analysis/): a few seconds
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

bench: $(STAMP) ## Time the build of the thesis in every benchmark scenario vs the naive baseline (slow)
	$(PY) -m bench.run_benchmarks

clean: $(STAMP) ## Remove the edition (wherever output-dir puts it), the execution cache, build state and generated figures (not .venv/)
	$(PY) -m bookbuild clean
	rm -f figures/*.svg figures/*.csv

$(STAMP): pyproject.toml requirements.lock package-lock.json scripts/check_setup.py
	@$(PYTHON) scripts/check_setup.py
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	npm ci --silent --no-audit --no-fund
	touch $@

conformance: $(STAMP) ## Build Quarto's in-scope smoke-all documents (QUARTO=<quarto-cli checkout> [HELD_OUT=40 SEED=2026]), report per document
	@test -n "$(QUARTO)" || { echo "usage: make conformance QUARTO=<quarto-cli checkout> [HELD_OUT=40 SEED=2026]"; exit 2; }
	$(PY) tests/conformance/smoke_all.py "$(QUARTO)" $(if $(HELD_OUT),--held-out $(HELD_OUT) --seed $(or $(SEED),2026))
	$(PY) scripts/quarto_support.py

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'
