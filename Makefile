# Two commands matter: `make run` (the whole system, locally) and `make test` (everything CI checks).
# Both install what they need into .venv first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint typecheck unit check-emulators install clean package checkov

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
	$(BIN)/ruff check src tests functions bench tools
	$(BIN)/ruff format --check src tests functions bench tools

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest -q -m "not emulator"

test: $(STAMP) check-emulators lint typecheck checkov
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache

# --- infra (issue 6): function bundles and static checks of infra/terraform ---
# `make package` builds build/functions/<name>-<sha256 prefix>.zip and manifest.json, which
# infra/terraform reads. checkov runs from its own virtualenv under build/ because its
# dependency pins (packaging, boto3, ...) would fight the project's.
CHECKOV_VENV := build/checkov-venv
CHECKOV      := $(CHECKOV_VENV)/bin/checkov

package: $(STAMP)
	$(BIN)/python tools/package_functions.py --out build/functions

$(CHECKOV):
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet checkov==3.3.30

checkov: $(CHECKOV)
	$(CHECKOV) --directory infra/terraform --framework terraform --quiet --compact --skip-download
