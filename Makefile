# The two commands of the README:
#   make run   set up everything and start the portal on the embedded defaults
#   make test  set up everything and run the whole test suite
PYTHON_VERSION := $(shell cat .python-version)
PYENV_PYTHON := $(firstword $(wildcard $(HOME)/.pyenv/versions/$(PYTHON_VERSION)*/bin/python3))
PYTHON ?= $(if $(PYENV_PYTHON),$(PYENV_PYTHON),python$(PYTHON_VERSION))
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install demo lint messages check-deploy compose-check clean

$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock -e ".[dev]"
	touch $@

install: $(VENV)/.installed

demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py compilemessages --ignore=.venv -v 0
	$(PY) manage.py demo_data
	$(PY) manage.py demo_centre

run: demo
	@echo "Algoric portal: http://$(HOST):$(PORT)/  (emails are written to var/mail/)"
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports

messages: install
	$(PY) manage.py makemessages -l fr -l en --ignore=.venv --ignore=var --no-obsolete
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var
