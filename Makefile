# Trellis developer commands. `make help` lists them.
#
#   make run    the demo at http://127.0.0.1:8000 (SQLite, DEBUG on)
#   make test   everything CI checks: lint, Django checks, tests on SQLite and
#               PostgreSQL, browser tests
#
# Both create .venv and install the locked dependencies when needed.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
# Stamps: installs are redone only when a lock file is newer than its stamp.
RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev

HOST ?= 127.0.0.1
PORT ?= 8000
# pytest-xdist workers for the unit and integration tests (0 runs them in one process).
TEST_WORKERS ?= 2
# Everything but the browser tests; --ds wins over a DJANGO_SETTINGS_MODULE in the caller's shell.
PYTEST_SUITE := $(PY) -m pytest --ds=tests.settings --tb=short -n $(TEST_WORKERS) -m "not e2e" --ignore=tests/e2e
# The browser for the e2e tests (tests/e2e/conftest.py reads the same variable).
CHROMIUM ?= /usr/bin/chromium
export CHROMIUM

.NOTPARALLEL:
.PHONY: help run test lint fmt check test-sqlite test-postgres test-e2e install install-dev bench

help: ## List the commands
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

# Environment -----------------------------------------------------------------------

$(PY):
	$(PYTHON) -m venv $(VENV)

$(RUNTIME_STAMP): requirements.lock | $(PY)
	$(PY) -m pip install -qq --no-input -r requirements.lock
	touch $@

$(DEV_STAMP): requirements.lock requirements-dev.lock | $(PY)
	$(PY) -m pip install -qq --no-input -r requirements.lock -r requirements-dev.lock
	touch $@ $(RUNTIME_STAMP)

install: $(RUNTIME_STAMP) ## Create .venv and install the runtime dependencies

install-dev: $(DEV_STAMP) ## Create .venv and install the runtime and test dependencies

# Development -----------------------------------------------------------------------

run: $(RUNTIME_STAMP) ## Migrate the SQLite database, load the demo, print its logins, serve on :8000
	export DEBUG=1 SITE_URL="$${SITE_URL:-http://$(HOST):$(PORT)}"; \
	export TASKS_BACKEND="$${TASKS_BACKEND:-django_tasks.backends.immediate.ImmediateBackend}"; \
	$(PY) manage.py migrate --noinput; \
	$(PY) manage.py seed_demo; \
	exec $(PY) manage.py runserver $(HOST):$(PORT)

# The page benchmarks' scales (bench/pages.py); with DATABASE_URL set, they run in that database (name one scale).
BENCH_SCALE ?= district region

bench: $(DEV_STAMP) ## Benchmarks: imports, PD check-in load, pages at district and region scale (see bench/README.md)
	$(PY) bench/case_import.py
	scripts/with-postgres.sh $(PY) bench/oneroster_import.py
	scripts/with-postgres.sh $(PY) bench/checkin_load.py
	for scale in $(BENCH_SCALE); do \
	  if [[ -n "$${DATABASE_URL:-}" ]]; then $(PY) bench/pages.py --scale $$scale; \
	  else scripts/with-postgres.sh $(PY) bench/pages.py --scale $$scale; fi; \
	done

fmt: $(DEV_STAMP) ## Format the code and apply ruff's safe fixes
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

# Checks ----------------------------------------------------------------------------

test: ## Lint, Django checks, tests on SQLite and PostgreSQL, browser tests
	@start=$$SECONDS; \
	$(MAKE) lint check test-sqlite test-postgres test-e2e; \
	echo "make test: all checks passed in $$((SECONDS - start)) s"

lint: $(DEV_STAMP) ## ruff check and ruff format --check
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

check: $(DEV_STAMP) ## manage.py check, missing migrations, check --deploy with production settings
	DEBUG=1 $(PY) manage.py check --fail-level WARNING
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	env -u DATABASE_URL DEBUG=0 \
	  SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))')" \
	  ALLOWED_HOSTS=trellis.example.org CSRF_TRUSTED_ORIGINS=https://trellis.example.org \
	  SITE_URL=https://trellis.example.org SECURE_SSL_REDIRECT=1 SECURE_COOKIES=1 \
	  SECURE_HSTS_SECONDS=31536000 BEHIND_PROXY=1 \
	  $(PY) manage.py check --deploy --fail-level WARNING

test-sqlite: $(DEV_STAMP) ## The test suite on SQLite (no browser tests)
	env -u DATABASE_URL $(PYTEST_SUITE)

test-postgres: $(DEV_STAMP) ## The test suite on an ephemeral PostgreSQL cluster (started and removed here)
	scripts/with-postgres.sh $(PYTEST_SUITE)

test-e2e: $(DEV_STAMP) ## Browser and accessibility tests in headless Chromium (installs Debian's chromium if missing)
	scripts/apt-ensure.sh $(CHROMIUM) chromium
	env -u DATABASE_URL $(PY) -m pytest --ds=tests.settings --tb=short tests/e2e
