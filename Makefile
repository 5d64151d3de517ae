# Shinchoku — two commands do all the set-up on a fresh Debian machine:
#   make run    virtualenv, install, migrate, demo data, serve on http://127.0.0.1:8000
#   make test   system packages, virtualenv, lint, the whole suite on SQLite and on PostgreSQL
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_ENV := SHINCHOKU_ENV=development DJANGO_DEBUG=1
PG_URL = $(shell scripts/pg.sh url)
# Debian packages the test suite needs: PostgreSQL, Chromium for browser tests,
# the BIZ UD Gothic font embedded in PDFs, poppler for PDF-to-PNG, gettext for messages,
# nginx for the test of deploy/ (nginx in front of gunicorn).
SYSTEM_PACKAGES := postgresql chromium fonts-morisawa-bizud-gothic poppler-utils gettext nginx-light
PYTEST_ARGS ?=

.PHONY: help
help:
	@echo "make run         set up and serve the demo on http://127.0.0.1:8000"
	@echo "make test        install what the tests need and run the suite on SQLite and PostgreSQL"
	@echo "make test-sqlite / test-postgres   one database only (test-postgres: a primary and its replica)"
	@echo "make lint        ruff, mypy, missing migrations"
	@echo "make messages    regenerate and compile translations"

$(STAMP): pyproject.toml requirements/lock.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/lock.txt
	@touch $@

.PHONY: venv
venv: $(STAMP)

# axe-core (accessibility checks in browser tests), pinned by package-lock.json.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

.PHONY: system-deps
system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" != "0" ]; then echo "Run as root, or: sudo apt-get install$$missing" >&2; exit 1; fi; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends$$missing >/dev/null; \
	fi

.PHONY: run
run: $(STAMP)
	@mkdir -p var/static
	$(DEV_ENV) $(BIN)/python manage.py migrate --no-input
	$(DEV_ENV) $(BIN)/python manage.py load_demo
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

.PHONY: lint
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy shinchoku
	SHINCHOKU_ENV=development $(BIN)/python manage.py makemigrations --check --dry-run

.PHONY: test-sqlite
test-sqlite: $(STAMP)
	@echo "=== test suite on SQLite ==="
	env -u DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS)

# The private cluster and a streaming replica of it (shinchoku/core/tests/test_read_replica.py;
# if the replica cannot start, that test says why, and fails under CI); `stop` stops both.
.PHONY: test-postgres
test-postgres: $(STAMP)
	@echo "=== test suite on PostgreSQL ==="
	@scripts/pg.sh start
	@scripts/pg.sh start-replica || echo "(no replica: test_read_replica.py will say why)"
	@status=0; DATABASE_URL="$(PG_URL)" $(BIN)/pytest $(PYTEST_ARGS) || status=$$?; \
	scripts/pg.sh stop; exit $$status

.PHONY: test
test: system-deps $(STAMP) node_modules/.installed
	@start=$$(date +%s); status=0; \
	$(MAKE) --no-print-directory lint || status=1; \
	$(MAKE) --no-print-directory test-sqlite || status=1; \
	$(MAKE) --no-print-directory test-postgres || status=1; \
	echo "make test finished in $$(( $$(date +%s) - start )) s (status $$status)"; exit $$status

.PHONY: messages
messages: $(STAMP)
	cd shinchoku && ../$(BIN)/django-admin makemessages -l ja -l en --no-obsolete && ../$(BIN)/django-admin compilemessages

.PHONY: clean
clean:
	-scripts/pg.sh stop
	rm -rf build var $(VENV) node_modules
