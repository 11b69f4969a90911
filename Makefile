# Two commands: `make run` (set up and serve with demo data) and `make test` (set up and run every test).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
# Two workers: the machines we run on have two cores.
PYTEST_ARGS ?= -n 2

.PHONY: run test install install-dev assets migrate demo lint format check bench backup restore screenshots

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(PY)
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

$(VENV)/.bench: requirements.txt requirements-dev.txt requirements-bench.txt | $(PY)
	$(PIP) install --quiet -r requirements-bench.txt
	touch $@ $(VENV)/.dev $(VENV)/.runtime

node_modules/.package-lock.json: package.json package-lock.json
	# --ignore-scripts: no package needs one, and vnu-jar's would download a JDK from GitHub (we use the system java).
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

assets: node_modules/.package-lock.json

install: $(VENV)/.runtime assets

install-dev: $(VENV)/.dev assets

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

run: demo
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

# lint-imports: the layers contract in pyproject.toml (portal ← branches ← volunteers ← services ← evaluations ←
# reports); an import up the layers fails the build before any test runs.
test: install-dev
	$(PY) manage.py makemigrations --check --dry-run > /dev/null
	$(VENV)/bin/lint-imports --no-logo
	$(PY) -m pytest $(PYTEST_ARGS)

# Screenshots of every role's main pages at 390 px into docs/screens/ (listed in docs/screens/README.md): the page
# quality browser test walks them anyway, and saves them only when PAGE_SHOTS names a directory.
screenshots: install-dev
	PAGE_SHOTS=docs/screens $(PY) -m pytest -p no:xdist -q tests/browser/test_page_quality.py

lint: install-dev
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# PostgreSQL only: `make backup` writes backups/<timestamp>/ (db.dump + media.tar.gz);
# `make restore BACKUP=backups/<timestamp>` loads it into DATABASE_URL, replacing what is there.
backup:
	scripts/backup.sh

restore:
	scripts/restore.sh

# Benchmarks (bench/; figures and how they were measured in bench/RESULTS.md). `make bench` installs locust and runs
# the page load benchmark, 50 users for 60 s against gunicorn, on the PostgreSQL database DATABASE_URL names (the
# demo district or the district-scale data; REDIS_URL optional, default Redis db 13). `make bench LOAD_ARGS="--users
# 20 --duration 20"` passes options (see bench/load.py); it fails (status 2) when the p95 target is missed, 1 on
# errors. The others, by hand:
#   .venv/bin/python bench/rating_burst.py        public ratings under a burst (its own database portal_bench)
#   .venv/bin/python bench/roster_import.py       the 1,000-row roster import (a throwaway database)
#   DATABASE_URL=… .venv/bin/python bench/yearly_report.py --year YYYY   the yearly report workbook
#   DATABASE_URL=… .venv/bin/python manage.py generate_scale_data --scale district   the district-scale data
bench: $(VENV)/.bench
	@case "$$DATABASE_URL" in \
	  postgres://*|postgresql://*) $(PY) bench/load.py $(LOAD_ARGS) ;; \
	  *) echo "make bench: set DATABASE_URL to a PostgreSQL database with the demo district (manage.py seed_demo)" \
	       "or the district-scale data, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_load make bench"; \
	     exit 2 ;; \
	esac
