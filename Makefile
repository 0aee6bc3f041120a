# Two commands matter: `make run` (the whole system, locally) and `make test` (everything CI checks).
# Both install what they need into .venv first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint typecheck unit check-emulators install clean package checkov web web-check chromium

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

check-emulators: $(STAMP)
	@$(BIN)/python -m licence_manager_local.emulators --check

run: $(STAMP) check-emulators web
	DEMO_HISTORY=1 $(BIN)/python -m licence_manager_local.run

lint: $(STAMP)
	$(BIN)/ruff check src tests functions bench tools
	$(BIN)/ruff format --check src tests functions bench tools

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest -q -m "not emulator"

test: $(STAMP) check-emulators lint typecheck checkov web web-check chromium
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache web/node_modules web/dist

# --- the dashboard (issue 5) ---
# `make web` installs the web app's exact dependencies from package-lock.json (npm ci) and builds
# it into web/dist, which the api serves under `make run` (Firebase Hosting in production).
WEB_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) web/index.html \
               web/vite.config.ts web/tsconfig.json
web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	@touch $@

web/dist/index.html: web/node_modules/.installed $(WEB_SOURCES)
	cd web && npm run build

web: web/dist/index.html

# The dashboard's own checks: ESLint (TypeScript and React hooks rules) and its unit tests (Vitest).
web-check: web/node_modules/.installed
	cd web && npm run lint && npm test

# Browser tests drive Debian's chromium through Playwright (never a downloaded browser). CI and
# a fresh machine start without it: install it from Debian when it is missing (as root, or with
# sudo where that works without a password).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests..."; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo "sudo -n" ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }
	@command -v chromium >/dev/null 2>&1 || { echo "chromium is needed: apt-get install chromium"; exit 1; }

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

# Each function's requirements.txt is a hashed lock of requirements.in at the versions the
# project's virtualenv tests (security review #15). pip-tools runs from its own virtualenv.
PIPTOOLS_VENV := build/piptools-venv

$(PIPTOOLS_VENV)/bin/pip-compile:
	$(PYTHON) -m venv $(PIPTOOLS_VENV)
	$(PIPTOOLS_VENV)/bin/python -m pip install --quiet pip-tools==7.6.2

.PHONY: lock
lock: $(STAMP) $(PIPTOOLS_VENV)/bin/pip-compile
	$(BIN)/python tools/lock_functions.py --pip-compile $(PIPTOOLS_VENV)/bin/pip-compile

checkov: $(CHECKOV)
	$(CHECKOV) --directory infra/terraform --framework terraform --quiet --compact --skip-download

# --- benchmarks (issue 7) ---
# `make bench` runs every section (about 15 minutes) and rewrites the results block of
# docs/performance.md; `make bench-quick` is the CI-sized run (under 2 minutes) and only prints
# (figures in build/bench/). Both start their own emulators and stand-ins.
.PHONY: bench bench-quick

bench: $(STAMP) check-emulators
	$(BIN)/python -m bench --write-doc docs/performance.md

bench-quick: $(STAMP) check-emulators
	$(BIN)/python -m bench --quick

# --- soak (issue 10): `make soak` is both halves, the money property test at 20,000 examples
# (it prints what it explored) and the local stack through a compressed day under faults ---
.PHONY: soak soak-property
soak: soak-property soak-stack

soak-property: $(STAMP)
	LM_PROPERTY_EXAMPLES=20000 $(BIN)/python -m pytest -q -s -p no:logging --timeout=0 \
	  tests/unit/test_money_property.py

# --- the stack half: the local stack through a compressed day under random faults ---
# `make soak-stack` runs the stack of `make run` for SOAK_MINUTES (default 20) with random
# Reseller, SendGrid and process faults, then reconciles Google's seat changes with the audit
# log and the month-end additions; non-zero exit on any difference (docs/soak.md).
.PHONY: soak-stack
SOAK_MINUTES ?= 20

soak-stack: $(STAMP) check-emulators
	$(BIN)/python -m licence_manager_local.soak --minutes $(SOAK_MINUTES)
