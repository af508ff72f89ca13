# Two commands for users: `make run` and `make test` (see README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ITSM := $(BIN)/itsm
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test venv dev-venv lint messages assets clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

venv: $(BIN)/python
	$(BIN)/pip install --quiet -e .

dev-venv: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"

# .env holds a generated SECRET_KEY for this checkout; created once, never overwritten.
.env:
	$(BIN)/python scripts/make_env.py

run: venv .env
	$(ITSM) migrate --noinput
	$(ITSM) collectstatic --noinput --verbosity 0
	$(ITSM) demo
	$(ITSM) serve --host $(HOST) --port $(PORT)

test: dev-venv
	bash scripts/ensure-chromium.sh
	bash scripts/ensure-mail-servers.sh
	bash scripts/ensure-alertmanager.sh
	$(BIN)/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

lint: dev-venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	SECRET_KEY="$${SECRET_KEY:-type-check-only}" $(BIN)/mypy

messages: dev-venv
	cd itsm && ../$(ITSM) makemessages -l zh_Hans -l en --no-obsolete --no-location
	cd itsm && ../$(ITSM) compilemessages

assets:
	bash scripts/vendor-assets.sh

clean:
	rm -rf $(VENV) var
