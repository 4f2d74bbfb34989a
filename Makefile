# The two commands a newcomer needs: `make run` and `make test`.
# Everything else here is what those two are made of.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PG_PORT ?= 5432
PG_URL ?= postgres://postgres@127.0.0.1:$(PG_PORT)/competency
DEMO_PASSWORD ?= demo

.PHONY: run test test-sqlite lint check postgres redis worker install bench bench-scale bench-appraisals bench-api chromium nginx screenshots

# A virtual environment with the application and its test tools, rebuilt
# when pyproject.toml changes.
$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	@# uv (from PyPI) installs the same packages as pip in a quarter of the
	@# time, from its cache after the first time: a fresh clone's setup,
	@# and so CI, pays ~15 s rather than ~60 s. -qq: errors only.
	$(BIN)/pip install -qq uv
	$(BIN)/uv pip install -q --python $(BIN)/python -e '.[dev]'
	touch $@

# The stylesheet, compiled from GOV.UK Frontend (npm) and our Sass entry point.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/dist/app.css: node_modules/.installed frontend/app.scss frontend/build.mjs
	npm run --silent build

install: $(BIN)/.installed static/dist/app.css

# Serve the application on the embedded default (SQLite) with demo data,
# on PORT (8000 unless set: `make run PORT=8080`).
PORT ?= 8000
run: install
	@DEBUG=true $(BIN)/python manage.py migrate --no-input
	@DEBUG=true DEMO_PASSWORD=$(DEMO_PASSWORD) $(BIN)/python manage.py seed_demo
	@echo
	@echo "Sign in at http://127.0.0.1:$(PORT)/ as hr, manager or staff (password: $(DEMO_PASSWORD))"
	@echo
	@# Django's development server; production runs gunicorn (README, Deploying).
	@DEBUG=true DJANGO_RUNSERVER_HIDE_WARNING=true $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# PostgreSQL answering on 127.0.0.1:PG_PORT. In order: one already running;
# the machine's own cluster (Debian's, as on CI), started; or, where only
# Debian's `postgresql` package is installed, a throwaway cluster in
# PG_SCRATCH (trust on loopback, as the postgres user when run as root),
# started again on later runs. Without PostgreSQL at all it says what to
# install; `make test-sqlite` needs none.
PG_SCRATCH ?= $(or $(TMPDIR),/tmp)/competency-postgres-$(PG_PORT)
postgres:
	@pg_isready -q -h 127.0.0.1 -p $(PG_PORT) 2>/dev/null && exit 0; \
	cluster=$$(ls -d /etc/postgresql/*/main 2>/dev/null | head -n 1); \
	bin=$$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1); \
	if [ "$(PG_PORT)" = 5432 ] && [ -n "$$cluster" ]; then \
		pg_ctlcluster --skip-systemctl-redirect $$(basename $$(dirname $$cluster)) main start; \
	elif [ -n "$$bin" ]; then \
		as=""; [ "$$(id -u)" = 0 ] && as="runuser -u postgres --"; \
		mkdir -p "$(PG_SCRATCH)"; [ -n "$$as" ] && chown postgres "$(PG_SCRATCH)"; \
		[ -f "$(PG_SCRATCH)/PG_VERSION" ] || \
			$$as $$bin/initdb -D "$(PG_SCRATCH)" -U postgres -A trust >/dev/null || exit 1; \
		echo "Starting a throwaway PostgreSQL in $(PG_SCRATCH) on port $(PG_PORT)"; \
		$$as $$bin/pg_ctl -D "$(PG_SCRATCH)" -l "$(PG_SCRATCH)/log" -w start \
			-o "-p $(PG_PORT) -c listen_addresses=127.0.0.1 -k $(PG_SCRATCH)" >/dev/null || exit 1; \
	else \
		echo "No PostgreSQL here: install Debian's package (apt-get install postgresql)," >&2; \
		echo "or run the suite on SQLite alone with make test-sqlite." >&2; exit 1; \
	fi; \
	for i in 1 2 3 4 5 6 7 8 9 10; do pg_isready -q -h 127.0.0.1 -p $(PG_PORT) && exit 0; sleep 1; done; \
	echo "PostgreSQL is not answering on 127.0.0.1:$(PG_PORT)" >&2; exit 1

# Start the machine's Redis if it is not answering (the background-work
# tests run a real Celery worker on it, database 1), installing it from
# Debian when it is missing.
redis:
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || { \
		command -v redis-server >/dev/null || \
			(apt-get update && apt-get install -y --no-install-recommends redis-server); \
		redis-server --daemonize yes --bind 127.0.0.1 --port 6379 >/dev/null; }
	@for i in 1 2 3 4 5 6 7 8 9 10; do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && exit 0; sleep 1; done; \
		echo "Redis is not answering on 127.0.0.1:6379" >&2; exit 1

# A Celery worker for `make run`'s site with REDIS_URL set (README,
# Background work): REDIS_URL=redis://127.0.0.1:6379/0 make worker
worker: install redis
	DEBUG=true $(BIN)/celery -A competency worker --loglevel=INFO

# Debian's Chromium, which the browser tests (tests/browser/) drive through
# Playwright. Never `playwright install`: it downloads a browser.
chromium:
	@command -v /usr/bin/chromium >/dev/null || \
		(apt-get update && apt-get install -y --no-install-recommends chromium)

# Debian's nginx, which the production tests put in front of gunicorn with
# the compose file's server block. Installed, not started.
nginx:
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || \
		(apt-get update && apt-get install -y --no-install-recommends nginx)

# The suite runs on every core (pytest-xdist: a test database per worker);
# tests marked xdist_group share a worker. PYTEST_ARGS= runs in one process.
PYTEST_ARGS ?= -n auto --dist loadgroup

# The whole test suite against real PostgreSQL.
# --durations: CI's log names the slowest tests, where its time goes.
test: install postgres redis chromium nginx
	DATABASE_URL=$(PG_URL) $(BIN)/pytest $(PYTEST_ARGS) --durations=25 --durations-min=5

# The same suite on the embedded default, less three parts that `make test`
# has run: the production tests (gunicorn on SQLite whichever database the
# suite uses), the browser journeys (a minute each, driving pages that the
# page tests cover on both databases) and the API's contract tests (its
# shape, whose schema is the same on both). BROWSER=1 runs the journeys too.
SQLITE_MARKS := $(if $(BROWSER),not production and not contract,not production and not browser and not contract)
# Not even collected: the contract module builds its 119 operations' cases
# as it is collected (~13 s of CPU on each xdist worker).
test-sqlite: install chromium
	DATABASE_URL= $(BIN)/pytest $(PYTEST_ARGS) -m "$(SQLITE_MARKS)" --ignore=tests/api/test_contract.py

# The browser journeys again, saving whole-page screenshots of the main
# pages at each width to artifacts/screenshots/, to look at.
screenshots: install postgres chromium
	SCREENSHOTS=1 DATABASE_URL=$(PG_URL) $(BIN)/pytest $(PYTEST_ARGS) -m browser

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Lint, the layers (import-linter's contracts in pyproject.toml: appraisals ->
# profiles -> competency, no import circle inside an app) and migrations.
check: lint
	$(BIN)/lint-imports
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run

# The REST API's OpenAPI schema, committed so that clients can be generated
# from the repository (tests/api/test_plumbing.py checks it is current).
# The same on PostgreSQL and SQLite (integer limits are PostgreSQL's on both).
schema: install
	DEBUG=true $(BIN)/python manage.py spectacular --validate --fail-on-warn --file openapi.yaml

bench: install
	$(BIN)/python benchmarks/import_profiles.py
	$(BIN)/python benchmarks/import_framework.py
	$(BIN)/python benchmarks/pages.py
	$(BIN)/python benchmarks/hostile_files.py

# Pages and imports at 500, 5,000 and 20,000 profiles on the PostgreSQL server
# of PG_URL, in scratch databases competency_scale_* it creates and drops.
# Built data sets are kept in .bench-cache/; SCALE_ARGS=--quick for a smoke run.
SCALE_ARGS ?=
bench-scale: install postgres
	DATABASE_URL=$(PG_URL) $(BIN)/python benchmarks/scale.py $(SCALE_ARGS)

# Appraisal pages with 10,000 people, 500 managers and 20,000 appraisals on the
# PostgreSQL server of PG_URL, in a scratch database competency_appraisals_bench_*
# it creates and drops; the built data set is kept in .bench-cache/.
# APPRAISALS_ARGS=--people 1000 for a quick run.
APPRAISALS_ARGS ?=
bench-appraisals: install postgres
	DATABASE_URL=$(PG_URL) $(BIN)/python benchmarks/appraisals.py $(APPRAISALS_ARGS)

# The REST API beside a hand-written psycopg2 query + json.dumps of the same
# content, on bench-appraisals' data set (same scratch database and dump).
# API_ARGS=--people 10000 for the full size.
API_ARGS ?=
bench-api: install postgres
	DATABASE_URL=$(PG_URL) $(BIN)/python benchmarks/api.py $(API_ARGS)
