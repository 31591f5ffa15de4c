# Two commands do all set-up on a fresh machine: `make run` runs the system, `make test` runs the tests.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install npm run demo test test-setup lint unit contracts bench soak clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## The dashboard's front-end packages (Designsystemet, axe-core for the browser tests), from package-lock.json.
## Served from node_modules by rapportering, never from a CDN. The Python package installs without them.
NPM_STAMP := node_modules/.installed-stamp
$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NPM_STAMP)

npm: $(NPM_STAMP)

## The embedded system: Tansu broker + five services on SQLite under var/. Ctrl-C stops it.
run: $(STAMP) $(NPM_STAMP)
	$(BIN)/imdi run

## The embedded system with a synthetic year loaded through the public import endpoints (var/demo). Ctrl-C stops.
demo: $(STAMP) $(NPM_STAMP)
	$(BIN)/imdi-synth demo

## Lint, architecture contracts, then every test (real PostgreSQL at 127.0.0.1:5432, real broker).
## scripts/test-setup.sh starts PostgreSQL and installs LibreOffice and Chromium if they are missing.
test: test-setup $(STAMP) $(NPM_STAMP) lint
	$(BIN)/pytest -q -p no:cacheprovider

test-setup:
	scripts/test-setup.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

unit: $(STAMP)
	$(BIN)/pytest -q tests/unit

## Regenerate docs/openapi/*.json and docs/events/asyncapi.json after changing an API or an event.
contracts: $(STAMP)
	$(BIN)/python -m scripts.contracts

## Slow fault runs (broker down a minute, PostgreSQL restarted, a rapportering instance killed) and the
## 10-minute soak with memory per service. IMDI_SOAK_SECONDS / IMDI_FAULT_OUTAGE_SECONDS shorten them.
soak: test-setup $(STAMP)
	$(BIN)/pytest -q -p no:cacheprovider -m soak -s tests/faults tests/soak

## Six benchmarks against the machine's limits; writes bench/results/latest.json (README: Benchmarks).
## BENCH_ARGS=--full for the issue's full sizes, --only import,pipeline for some, --smoke to check they run.
bench: $(STAMP)
	scripts/bench-setup.sh
	$(BIN)/python -m benchmarks.suite $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache node_modules
