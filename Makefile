# The single entry point. `make run` and `make test` need nothing but Python 3.11, Java and npm.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# The SPARQL query page's editor (YASGUI) from the npm registry, served locally by the API.
SPARQL_WEB   := service/web/sparql
SPARQL_STAMP := $(SPARQL_WEB)/node_modules/.installed-stamp

.PHONY: run test lint format bench demo check clean web docs

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(SPARQL_STAMP): $(SPARQL_WEB)/package.json $(SPARQL_WEB)/package-lock.json
	npm ci --prefix $(SPARQL_WEB) --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $(SPARQL_STAMP)

## web: install the query page's editor (YASGUI) from the npm registry
web: $(SPARQL_STAMP)

## run: create the environment, load the demo corpus if the store is empty, serve on :8000
run: $(STAMP) $(SPARQL_STAMP)
	$(BIN)/kunskapsgraf load-demo --if-empty
	$(BIN)/kunskapsgraf reload-model   # dry run: reports model changes and what would stop conforming
	$(BIN)/kunskapsgraf serve

## test: lint, type-check and run every test
test: lint $(SPARQL_STAMP)
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check service tests data/demo/build.py
	$(BIN)/ruff format --check service tests data/demo/build.py
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix service tests data/demo/build.py
	$(BIN)/ruff format service tests data/demo/build.py

## docs: the ontology documentation as static HTML in var/docs/ (open var/docs/index.html)
docs: $(STAMP)
	$(BIN)/kunskapsgraf docs var/docs

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
	$(BIN)/python bench/related.py --items 100000
	$(BIN)/python bench/search.py --items 100000
	$(BIN)/python bench/relevance.py
	$(BIN)/python bench/snippets.py
	$(BIN)/python bench/sparql_overhead.py
	$(BIN)/python bench/sparql_isolation.py
	$(BIN)/python bench/ui.py
	$(BIN)/python bench/quality.py
	$(BIN)/python bench/crash.py --cycles 200
	$(BIN)/python bench/load.py --items 100000 --users 8 32 64

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache $(SPARQL_WEB)/node_modules
