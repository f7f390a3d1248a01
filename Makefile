# The two commands a newcomer needs: `make run` and `make test`. See README.md.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

# The services suite runs against real PostgreSQL and Redis.
SERVICES_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/portal_services
SERVICES_REDIS_URL ?= redis://127.0.0.1:6379/15

# The independent credential verifier (Digital Bazaar's JavaScript stack) used by the tests.
VC_VERIFY := tests/certification/vc_verify
NODE_STAMP := $(VC_VERIFY)/node_modules/.installed-stamp

.PHONY: install run test lint check test-fast test-services node-deps

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

$(NODE_STAMP): $(VC_VERIFY)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix $(VC_VERIFY) --no-audit --no-fund --loglevel=error && touch $@; \
	else \
		echo "npm not found: the independent credential checks will be skipped (failed in CI)"; \
	fi

node-deps: $(NODE_STAMP)

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver $(HOST):$(PORT)

check: install
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test-fast: install node-deps
	$(VENV)/bin/pytest --ignore=tests/services

test-services: install
	DATABASE_URL=$(SERVICES_DATABASE_URL) CELERY_BROKER_URL=$(SERVICES_REDIS_URL) \
	REDIS_URL=$(SERVICES_REDIS_URL) $(VENV)/bin/pytest tests/services

test: check test-fast test-services
