# The single entry point. `make run` and `make test` need nothing but Python 3.11 and Java.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test lint format bench demo check clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## run: create the environment, load the demo corpus if the store is empty, serve on :8000
run: $(STAMP)
	$(BIN)/kunskapsgraf load-demo --if-empty
	$(BIN)/kunskapsgraf serve

## test: lint, type-check and run every test
test: lint
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check service tests data/demo/build.py
	$(BIN)/ruff format --check service tests data/demo/build.py
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix service tests data/demo/build.py
	$(BIN)/ruff format service tests data/demo/build.py

## check: the quality report over the store (exit code for CI)
check: $(STAMP)
	$(BIN)/kunskapsgraf check

## demo: regenerate the demo corpus RDF from data/demo/*.toml
demo: $(STAMP)
	$(BIN)/python data/demo/build.py

## bench: benchmarks that print numbers (not part of `make test`)
bench: $(STAMP)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/ingest.py --sizes 100 1000 10000 --baseline-max 1000
	$(BIN)/python bench/real_sources.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
