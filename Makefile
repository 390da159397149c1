# Palmline: `make run` starts everything, `make test` checks everything.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RUNTIME := $(VENV)/.runtime-installed
DEV := $(VENV)/.dev-installed

.PHONY: run test lint migrate bench clean-venv

$(RUNTIME): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(DEV): $(RUNTIME) requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

run: $(RUNTIME)
	$(PY) -m palm serve

migrate: $(RUNTIME)
	$(PY) -m palm migrate

lint: $(DEV)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache

# Coverage (branch, child processes included) must stay at or above fail_under in pyproject.
# SKIP_LINT=1: the tests alone (CI's second pass; the first one lints the same tree).
test: $(if $(SKIP_LINT),$(DEV),lint)
	$(PY) -m pytest --cov --cov-report=term $(PYTEST_ARGS)

clean-venv:
	rm -rf $(VENV)
