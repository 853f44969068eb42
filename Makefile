# The two commands: `make run` and `make test`. Everything else is a helper for them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

.PHONY: run test schemathesis install migrate seed serve lint typecheck check messages messages-check clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(STAMP): $(PY) requirements.txt requirements-dev.txt
	$(PIP) install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

serve:
	$(PY) manage.py runserver 127.0.0.1:8000

run: seed serve

test: install
	$(PY) -m pytest

# Every API operation called with generated requests, checked against the OpenAPI schema (tests/test_schemathesis.py).
schemathesis: install
	$(PY) -m pytest -m schemathesis tests/test_schemathesis.py

lint: install
	$(PY) -m ruff check .
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

# Lenient over the whole project, strict on core and every services/selectors module (see [tool.mypy] in pyproject).
typecheck: install
	$(PY) -m mypy

messages: install
	$(PY) manage.py makemessages -l en -l zh_Hans --ignore=.venv --ignore=staticfiles
	$(PY) manage.py compilemessages --ignore=.venv

# Fails, naming each msgid, when the English catalogue lacks a translation or holds a fuzzy one (needs gettext).
messages-check: install
	PY=$(PY) .ci/messages-check

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
