# Development tasks. Needs only GNU make and Python 3.11: `make venv` installs uv into
# .uv/ and lets it build .venv/ from uv.lock.

.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON_BOOTSTRAP ?= python3
UV_VERSION := 0.13.9
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
UV := .uv/bin/uv

.PHONY: help venv venv-production run test test-fast lint format clean production-smoke

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON_BOOTSTRAP) -m venv .uv
	.uv/bin/pip install -q uv==$(UV_VERSION)

# The stamp is newer than the lock and pyproject.toml once .venv matches them.
$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	UV_PYTHON_DOWNLOADS=never $(UV) sync --frozen
	@touch $@

venv: $(VENV)/.synced ## Create or update .venv from uv.lock

# Exactly as the Dockerfile installs: the lock, without the development group. What only
# the development install brings along is missing here, as it is in production.
.venv-production/.synced: uv.lock pyproject.toml | $(UV)
	UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=.venv-production $(UV) sync --frozen --no-dev
	@touch $@

venv-production: .venv-production/.synced ## Create or update .venv-production as the image has it

production-smoke: venv venv-production ## Run the shop as production does (gunicorn, worker, beat on PostgreSQL and Redis) and try it
	DJANGO_SETTINGS_MODULE=config.settings.build .venv-production/bin/python manage.py collectstatic --noinput -v0
	$(BIN)/python scripts/production_smoke.py

run: venv ## Migrate, then run the site, the sandbox, a Celery worker and beat (Ctrl-C stops all)
	$(MANAGE) migrate
	$(MANAGE) migrate --database sandbox
	$(MANAGE) seed_plans
	$(BIN)/python scripts/run.py

# pytest exits 5 when it collected nothing: a suite that ran no test has not passed.
PYTEST = status=0; $(BIN)/pytest $(PYTEST_ARGS) $(1) || status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: failing." >&2; fi; exit $$status

test: venv ## Run the whole test suite (PYTEST_ARGS adds pytest options)
	@$(call PYTEST,)

test-fast: venv ## Run the tests not marked slow
	@$(call PYTEST,-m "not slow")

lint: venv ## Check style and formatting
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv ## Fix what ruff can fix and reformat
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean: ## Remove local databases, collected static files and caches (keeps .venv)
	rm -rf staticfiles .pytest_cache .ruff_cache test-results .venv-production
	rm -f db.sqlite3 sandbox.sqlite3 celery-broker.sqlite3
	find . -path ./.venv -prune -o -path ./.uv -prune -o -name __pycache__ -type d -exec rm -rf {} +
