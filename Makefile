# ANTQ — the two commands: `make demo` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
export DJANGO_SETTINGS_MODULE := antq.config.settings

.PHONY: demo serve install install-dev test verify lint typecheck pytest e2e-deps bench textvn-model clean

$(STAMP): requirements/base.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/base.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

$(DEV_STAMP): $(STAMP) requirements/dev.txt
	$(BIN)/python -m pip install --quiet -r requirements/dev.txt
	touch $@

install: $(STAMP)
install-dev: $(DEV_STAMP)

## make demo: install, migrate, load the demo city (first time only), serve on :8000 with the worker
demo: $(STAMP)
	ANTQ_DEMO=1 $(BIN)/antq migrate --no-input -v 0
	ANTQ_DEMO=1 $(BIN)/antq demo-data --if-empty
	ANTQ_DEMO=1 $(BIN)/antq collectstatic --no-input -v 0
	ANTQ_DEMO=1 $(BIN)/antq demo-logins
	ANTQ_DEMO=1 $(BIN)/antq serve --with-worker --bind 127.0.0.1:8000

## make test: lint, type-check and the whole suite (unit, integration, browser)
test: $(DEV_STAMP) e2e-deps lint typecheck pytest

e2e-deps:
	@bash scripts/ensure-browser.sh

lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

typecheck: $(DEV_STAMP)
	SECRET_KEY=typecheck-only $(BIN)/mypy

pytest: $(DEV_STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

## make verify: only the eight quality gates (docs/security.md); `make test` runs them too
verify: $(DEV_STAMP) e2e-deps
	$(BIN)/pytest -m gate --durations=0 --durations-min=5 $(PYTEST_ARGS)

## make bench: the benchmark suite (docs/performance.md) on the city-scale data under var/bench/
##   make bench QUICK=1              the small city, under 2 minutes
##   make bench BENCH_DB=postgres    on $$DATABASE_URL (default postgres://antq_ci@127.0.0.1:5432/antq_bench)
BENCH_DB ?= sqlite
QUICK ?=
bench: $(STAMP)
	@bash scripts/ensure-bench-tools.sh
	$(if $(filter postgres,$(BENCH_DB)),$(if $(DATABASE_URL),,@bash scripts/ensure-postgres.sh),)
	$(BIN)/python -m pip install --quiet -r requirements/bench.txt
	$(BIN)/python bench/run.py --database $(BENCH_DB) $(if $(QUICK),--quick,)

## make textvn-model: rebuild the diacritic restorer's model from its pinned sources (docs/textvn.md)
##   make textvn-model CHECK=1       rebuild and compare with the committed file (same bytes)
textvn-model: $(STAMP)
	$(BIN)/python -m antq.textvn.training.build $(if $(CHECK),--check,)

clean:
	rm -rf $(VENV) var/static .pytest_cache .mypy_cache .ruff_cache
