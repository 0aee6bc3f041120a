# Two commands matter: `make run` (the whole system, locally) and `make test` (everything CI checks).
# Both install what they need into .venv first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint typecheck unit check-emulators install clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

check-emulators: $(STAMP)
	@$(BIN)/python -m licence_manager_local.emulators --check

run: $(STAMP) check-emulators
	$(BIN)/python -m licence_manager_local.run

lint: $(STAMP)
	$(BIN)/ruff check src tests functions bench
	$(BIN)/ruff format --check src tests functions bench

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest -q -m "not emulator"

test: $(STAMP) check-emulators lint typecheck
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache
