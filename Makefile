# Trama — the two README commands (`make run`, `make test`) and the everyday recipes.
# Works on a fresh machine with Python 3.11: the virtual environment is created on first use.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

# The demo runs in development mode with two-factor authentication off (printed at start-up;
# `check --deploy` warns whenever it is off). Production sets its own environment (README.md).
DEMO_ENV := DJANGO_DEBUG=true TRAMA_REQUIRE_2FA=false

.PHONY: run test test-fast lint format check messages bench clean restore-drill

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(PIP) install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

run: $(VENV)/.installed
	$(DEMO_ENV) $(PY) manage.py migrate --no-input
	$(DEMO_ENV) $(PY) manage.py load_demo
	@echo "Two-factor authentication is OFF in this demo (TRAMA_REQUIRE_2FA=false)."
	@echo "Serving Trama on http://$(HOST):$(PORT)/"
	$(DEMO_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

# Browser tests need Debian's chromium; install it when we can (root with apt), otherwise the
# browser tests are skipped — and under CI=true a skipped browser test fails the run.
test: $(VENV)/.installed-dev
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's chromium for the browser tests…"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
	fi
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

test-fast: $(VENV)/.installed-dev
	$(PY) -m pytest -n 2 -m "not browser" $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check: $(VENV)/.installed-dev
	DJANGO_DEBUG=true $(PY) manage.py makemigrations --check --dry-run
	DJANGO_DEBUG=true $(PY) manage.py check

# Extract the interface strings and compile both catalogues (needs gettext's xgettext).
messages: $(VENV)/.installed-dev
	DJANGO_DEBUG=true $(PY) manage.py makemessages -l it -l en --no-obsolete --no-location -i ".venv/*" -i "staticfiles/*"
	$(PY) scripts/compile_messages.py

# Benchmarks, not tests: every bench/ module on SQLite, then on a throwaway PostgreSQL 15 under
# /tmp (bench/run.sh). BENCH_PEOPLE=2000 for a quick run; the default is 50000.
bench: $(VENV)/.installed-dev
	PY=$(PY) bench/run.sh

clean:
	rm -rf $(VENV) staticfiles .pytest_cache test-artifacts

# Back up the demo, restore it into a fresh database, compare every table's rows, the audit chain
# and the people erased after the backup (docs/operations.md). SQLite by default, in scratch files;
# DATABASE_URL=postgres://… runs it on that server in two scratch databases it creates and drops.
restore-drill: $(VENV)/.installed
	$(DEMO_ENV) $(PY) manage.py restore_drill
