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
VC_VERIFY := tests/certification/credentials/vc_verify
NODE_STAMP := $(VC_VERIFY)/node_modules/.installed-stamp
# axe-core, injected into pages by the accessibility browser tests (tests/browser/test_a11y*.py).
AXE := tests/browser/axe
AXE_STAMP := $(AXE)/node_modules/.installed-stamp
# The independent OpenID4VCI wallet (@openid4vc/openid4vci) used by tests/certification/wallet.
OID4VCI_CLIENT := tests/certification/wallet/oid4vci_client
OID4VCI_STAMP := $(OID4VCI_CLIENT)/node_modules/.installed-stamp

.PHONY: install run serve test lint check test-fast test-services node-deps

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

$(AXE_STAMP): $(AXE)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix $(AXE) --no-audit --no-fund --loglevel=error && touch $@; \
	else \
		echo "npm not found: the accessibility checks will be skipped (failed in CI)"; \
	fi

$(OID4VCI_STAMP): $(OID4VCI_CLIENT)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix $(OID4VCI_CLIENT) --no-audit --no-fund --loglevel=error && touch $@; \
	else \
		echo "npm not found: the wallet checks will be skipped (failed in CI)"; \
	fi

node-deps: $(NODE_STAMP) $(AXE_STAMP) $(OID4VCI_STAMP)

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver $(HOST):$(PORT)

# `make serve`: the production-like set of processes in Procfile (gunicorn, a Celery worker,
# a mail worker, beat) on PostgreSQL and Redis, DEBUG off, plain http on this machine.
SERVE_DATABASE ?= portal_serve
SERVE_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/$(SERVE_DATABASE)
SERVE_REDIS_URL ?= redis://127.0.0.1:6379/0
SERVE_QUEUE ?= portal
SERVE_MAIL_QUEUE ?= mail
SERVE_WORKERS ?= 4
# Outside the repository's tracked files (var/ is ignored): the generated keys, media, static.
SERVE_DIR ?= var/serve

serve: install
	@mkdir -p $(SERVE_DIR)
	@set -e; \
	export PORTAL_SIGNING_KEY_SECRET="$${PORTAL_SIGNING_KEY_SECRET:-$$($(PY) -m portal.serve \
		secret-key $(SERVE_DIR)/signing_key_secret --first-from $(SERVE_DIR)/secret_key)}"; \
	export SECRET_KEY="$${SECRET_KEY:-$$($(PY) -m portal.serve secret-key $(SERVE_DIR)/secret_key)}"; \
	export PORTAL_IDENTITY_KEY="$${PORTAL_IDENTITY_KEY:-$$($(PY) -m portal.serve \
		secret-key $(SERVE_DIR)/identity_key)}"; \
	export DEBUG=false ALLOWED_HOSTS="$${ALLOWED_HOSTS:-127.0.0.1,localhost}" \
		DATABASE_URL=$(SERVE_DATABASE_URL) CELERY_BROKER_URL=$(SERVE_REDIS_URL) \
		REDIS_URL=$(SERVE_REDIS_URL) CELERY_TASK_DEFAULT_QUEUE=$(SERVE_QUEUE) \
		CELERY_MAIL_QUEUE=$(SERVE_MAIL_QUEUE) WEB_CONCURRENCY=$(SERVE_WORKERS) \
		MEDIA_ROOT=$(CURDIR)/$(SERVE_DIR)/media STATIC_ROOT=$(CURDIR)/$(SERVE_DIR)/static \
		CELERY_BEAT_SCHEDULE_FILE=$(SERVE_DIR)/celerybeat-schedule \
		PORTAL_BASE_URL=http://$(HOST):$(PORT) WAGTAILADMIN_BASE_URL=http://$(HOST):$(PORT) \
		SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false \
		SECURE_HSTS_SECONDS=0 BIND_HOST=$(HOST) PATH="$(CURDIR)/$(VENV)/bin:$$PATH"; \
	$(PY) -m portal.serve database-ensure $(SERVE_DATABASE_URL); \
	$(PY) manage.py migrate --noinput; \
	$(PY) manage.py collectstatic --noinput --verbosity 0; \
	$(PY) manage.py shell -c "from portal.accounts.models import User; \
		raise SystemExit(0 if User.objects.exists() else 1)" \
		|| $(PY) manage.py seed_demo --allow-production; \
	echo "Serving http://$(HOST):$(PORT)/ with DEBUG=false (Ctrl-C stops every process)"; \
	exec $(VENV)/bin/honcho start -p $(PORT) -f Procfile

check: install
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test-fast: install node-deps
	$(VENV)/bin/pytest -n auto --dist loadfile --ignore=tests/services -m "not transactional"
	$(VENV)/bin/pytest -n auto --dist loadfile --ignore=tests/services -m transactional

test-services: install
	DATABASE_URL=$(SERVICES_DATABASE_URL) CELERY_BROKER_URL=$(SERVICES_REDIS_URL) \
	REDIS_URL=$(SERVICES_REDIS_URL) $(VENV)/bin/pytest tests/services

test: check test-fast test-services
