# LLCT: `make run` sets everything up and serves the demo; `make test` is what CI runs.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000
# Compiled modules (and pytest's rewritten test modules) are kept in __pycache__ even where the
# environment says otherwise: every test process would compile the whole project again.
export PYTHONDONTWRITEBYTECODE :=

# Django 6.1 needs Python >= 3.12: take the first suitable interpreter we can find.
PYTHON_CANDIDATES := python3.13 python3.12 python3 \
	$(wildcard /root/.pyenv/versions/3.13*/bin/python3) $(wildcard /root/.pyenv/versions/3.12*/bin/python3) \
	$(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3) $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3)
BASE_PYTHON := $(shell for p in $(PYTHON_CANDIDATES); do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then command -v $$p; break; fi; done)

.PHONY: run serve test system-deps lint types pytest e2e bench bench-scale bench-load messages compilemessages migrate demo clean venv

$(VENV)/.installed: pyproject.toml requirements/dev-lock.txt
	@if [ -z "$(BASE_PYTHON)" ]; then \
		echo "LLCT needs Python 3.12 or newer (Django 6.1). Install python3.12 or python3.13 (e.g. 'apt-get install python3.12 python3.12-venv' or 'pyenv install 3.13'), then run make again."; \
		exit 1; fi
	@echo "Using $(BASE_PYTHON)"
	test -x $(PY) || $(BASE_PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q --require-hashes -r requirements/dev-lock.txt
	$(PY) -m pip install -q --no-deps -e .
	touch $@

venv: $(VENV)/.installed

compilemessages: venv
	$(PY) manage.py compile_catalogue

migrate: compilemessages
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

run: demo
	$(PY) manage.py collectstatic --noinput -v0
	@echo "LLCT is at http://$(HOST)/  (Ctrl+C to stop)"
	DEBUG=$${DEBUG:-true} $(PY) manage.py runserver $(HOST)

# The production stack on one machine: gunicorn (2 x cores + 1 processes), the task worker,
# PostgreSQL from DATABASE_URL, the cache from CACHE_URL. See docs/DEPLOYMENT.md.
serve: compilemessages
	deploy/serve.sh

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

types: venv
	$(VENV)/bin/mypy .

pytest: compilemessages
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest llct -q -n 2 --dist loadgroup

e2e: compilemessages
	$(VENV)/bin/pytest e2e -q

# Chromium, fonts, cairo, gettext: installed when missing (as root), or the command to run.
system-deps:
	bash .ci/system-deps

test: system-deps lint types pytest e2e

bench: compilemessages
	$(PY) -m bench.run

# National scale on PostgreSQL (database llct_scale): 1,000,000 people, 5,000,000 enrolments.
bench-scale: compilemessages
	$(PY) -m bench.scale

# 50 clients for 5 minutes against the production stack (gunicorn + worker, PostgreSQL, Redis).
bench-load: compilemessages
	$(PY) -m bench.load

# Developers: refresh the catalogue after changing UI text (needs gettext's xgettext).
messages: venv
	$(PY) manage.py makemessages -l vi --no-obsolete --no-location -i '.venv/*' -i 'bench/*'

clean:
	rm -rf $(VENV) staticfiles var db.sqlite3
