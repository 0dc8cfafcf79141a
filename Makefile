# Attend: the two commands of the README are `make run` and `make test`.
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ASSETS := build/static/govuk/app.css

.PHONY: run test lint typecheck check-migrations test-sqlite test-postgres bench system-packages assets setup clean

setup: $(STAMP) $(ASSETS)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

$(ASSETS): node_modules/.package-lock.json assets/app.scss
	mkdir -p build/static/govuk
	npx sass --pkg-importer=node --style=compressed --no-source-map --quiet-deps assets/app.scss $(ASSETS)
	rm -rf build/static/govuk/assets
	cp -r node_modules/govuk-frontend/dist/govuk/assets build/static/govuk/assets
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js build/static/govuk/

assets: $(ASSETS)

# Debian packages the test suite needs: PostgreSQL (throwaway test cluster), Chromium (browser tests),
# the libraries WeasyPrint loads (PDF exports) and poppler-utils (pdftotext, to read PDFs in tests).
system-packages:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || ! command -v chromium >/dev/null || ! command -v pdftotext >/dev/null; then \
	  echo "Installing PostgreSQL, Chromium, WeasyPrint's libraries and poppler-utils from Debian's packages"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql chromium libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core poppler-utils >/dev/null; \
	fi

run: setup
	$(BIN)/attend migrate --no-input
	$(BIN)/attend demo --if-empty
	$(BIN)/attend demo-logins
	ATTEND_DEBUG=1 $(BIN)/attend runserver 127.0.0.1:8000

lint: setup
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/pip-audit --skip-editable

typecheck: setup
	$(BIN)/mypy .

check-migrations: setup
	$(BIN)/attend makemigrations --check --dry-run

test-sqlite: setup
	DATABASE_URL=sqlite:///var/test.sqlite3 $(BIN)/pytest

test-postgres: setup system-packages
	@set -euo pipefail; eval "$$(scripts/pg-up.sh)"; trap 'PGTMP=$$PGTMP scripts/pg-down.sh' EXIT; \
	  echo "PostgreSQL test cluster on port $$PGPORT"; $(BIN)/pytest

test: setup system-packages lint typecheck check-migrations test-sqlite test-postgres

# make bench [BENCH_DB=postgres] [BENCH_ARGS="--schools 10 --pupils 200"]
BENCH_DB ?= sqlite
BENCH_PG_OPTS := -c shared_buffers=2GB -c work_mem=256MB -c maintenance_work_mem=1GB -c jit=off -c max_wal_size=8GB
bench: setup
	@if [ "$(BENCH_DB)" = postgres ]; then \
	  $(MAKE) --no-print-directory system-packages; \
	  set -euo pipefail; eval "$$(PG_OPTS='$(BENCH_PG_OPTS)' scripts/pg-up.sh)"; \
	  trap 'PGTMP=$$PGTMP scripts/pg-down.sh' EXIT; \
	  BENCH_DB=postgres $(BIN)/python scripts/bench.py $(BENCH_ARGS); \
	else \
	  BENCH_DB=sqlite $(BIN)/python scripts/bench.py $(BENCH_ARGS); \
	fi

clean:
	rm -rf $(VENV) node_modules build var
