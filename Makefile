# millpond: `make up` runs the server, `make test` runs the whole suite, `make lint` checks style and types.
PYTHON ?= python3
VENV := .venv
VENV_CLI := .venv-cli
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
STAMP_CLI := $(VENV_CLI)/.installed

.PHONY: up test lint format bench clean

$(STAMP): pyproject.toml requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt -e .
	touch $(STAMP)

$(STAMP_CLI): requirements-cli.txt
	test -x $(VENV_CLI)/bin/python || $(PYTHON) -m venv $(VENV_CLI)
	$(VENV_CLI)/bin/python -m pip install --quiet -r requirements-cli.txt
	touch $(STAMP_CLI)

up: $(STAMP)
	$(BIN)/millpond up

test: $(STAMP) $(STAMP_CLI)
	MILLPOND_AWS_CLI=$(abspath $(VENV_CLI))/bin/aws $(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

bench: $(STAMP)
	$(BIN)/python bench/stack.py

clean:
	rm -rf $(VENV) $(VENV_CLI) .millpond .pytest_cache .mypy_cache .ruff_cache
