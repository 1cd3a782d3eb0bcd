# Sanmanyi — the two commands of the README, and the developer's helpers.
#   make run    the embedded default (SQLite, file broker) on http://127.0.0.1:8000
#   make test   the whole suite (DATABASE_URL=postgres://… runs it on PostgreSQL)

PYTHON ?= python3
VENV := .venv
UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
PYTEST_ARGS ?= -n 2

.PHONY: run dev test lint fmt bench bench-intake vendor browser-deps check-migrations clean

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

# Runtime packages only (leaves test tools alone if they are already there).
$(VENV)/.runtime: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --no-dev --inexact --python $(PYTHON)
	touch $@

# Everything, test tools included.
$(VENV)/.dev: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	touch $@ $(VENV)/.runtime

run: $(VENV)/.runtime
	$(VENV)/bin/python scripts/run.py

dev: $(VENV)/.dev
	DEBUG=1 $(VENV)/bin/python manage.py migrate
	DEBUG=1 $(VENV)/bin/python manage.py load_demo --logins
	DEBUG=1 $(VENV)/bin/python manage.py runserver

browser-deps:
	@scripts/ensure_browser.sh

test: $(VENV)/.dev browser-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache --no-logo
	$(VENV)/bin/python -m pytest $(PYTEST_ARGS)

# ruff, then the layer contracts of pyproject.toml ([tool.importlinter], docs/architecture.md).
lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache --no-logo

fmt: $(VENV)/.dev
	$(VENV)/bin/ruff check --fix .

# The service-loop benchmark on PostgreSQL (see docs/benchmarks.md). Not part of make test.
bench: $(VENV)/.dev
	@command -v wrk >/dev/null || { apt-get install -y --no-install-recommends wrk \
	  || { apt-get update && apt-get install -y --no-install-recommends wrk; }; }
	$(VENV)/bin/python bench/run.py

# Issue #5's benchmarks (docs/imports.md, routing.md, duplicates.md, search.md, hotspots.md),
# one after another. PostgreSQL: bench/imports.py makes its own scratch database; the others
# read sanmanyi_bench (1M demands, generated and migrated by `make bench`), and leave it as
# it was, except that routing stores new model versions and search writes missing documents.
# Their knobs are environment variables (BENCH_IMPORT_ROWS, BENCH_ROUTING_SAMPLES,
# BENCH_SAMPLES, BENCH_QUERIES, BENCH_CAPS, BENCH_DATABASE_URL …: see each script's docstring).
bench-intake: $(VENV)/.dev
	$(VENV)/bin/python bench/imports.py
	$(VENV)/bin/python bench/routing.py
	$(VENV)/bin/python bench/duplicates.py
	$(VENV)/bin/python bench/search.py
	$(VENV)/bin/python bench/hotspots.py

vendor:
	$(PYTHON) scripts/vendor_static.py

clean:
	rm -rf var/static var/cache var/broker .pytest_cache
