# Two commands on a fresh machine: `make run` (the product at http://127.0.0.1:8000) and
# `make test` (lint, mypy and the whole suite). Both create .venv and install requirements.txt.
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint typecheck format migrations-check fake-anthropic fake-openai evaluate-offline evaluate-analysis bench bench-smoke

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

run: install
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py local_setup --url http://$(HOST):$(PORT)/
	$(PY) -m resumesite.serve resumesite.asgi:application --lifespan off --host $(HOST) --port $(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy optimizer resumesite

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: install
	$(PY) manage.py makemigrations --check --dry-run

test: lint typecheck migrations-check
	$(PY) -m pytest

fake-anthropic: install
	$(PY) -m optimizer.testing.fake_anthropic --port 8765

fake-openai: install
	$(PY) -m optimizer.testing.fake_openai --port 11435

evaluate-offline: install
	$(PY) manage.py evaluate_offline

evaluate-analysis: install
	$(PY) manage.py evaluate_analysis

bench: install
	$(PY) -m bench

bench-smoke: install
	$(PY) -m bench --smoke
