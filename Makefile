# Northstar's developer tasks (GNU make). On a fresh clone:
#   make demo    set up, build the demo organisation and serve it on http://127.0.0.1:8000
#   make test    set up, then ruff and the whole test suite (DATABASE_URL picks PostgreSQL)
#   make lint | make format | make bench

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
# Written after a successful install; pip runs again only when pyproject.toml is newer.
STAMP := $(VENV)/.installed
PORT ?= 8000

# A DATABASE_URL given on make's command line reaches the tests like one from the environment.
ifdef DATABASE_URL
export DATABASE_URL
endif

.PHONY: help setup demo test lint format bench chromium

help:
	@echo "make demo    build the demo organisation and serve it on http://127.0.0.1:$(PORT)"
	@echo "make test    ruff, then the whole test suite (set DATABASE_URL for PostgreSQL)"
	@echo "make lint    ruff check and ruff format --check"
	@echo "make format  ruff format and ruff check --fix"
	@echo "make bench   time a check-in's roll-up at 1x and 10x the demo organisation"

# The newest Python >= 3.12 (Django 6.1 needs it): python3.13, python3.12, pyenv's 3.13 and
# 3.12 builds, then python3. pyenv's shims exist even for versions it lacks, so each
# candidate is run to check it, not just looked up.
define find_python
root="$$(pyenv root 2>/dev/null || echo "$$HOME/.pyenv")"; \
found=""; tried=""; \
for candidate in python3.13 python3.12 \
    $$(ls -d "$$root"/versions/3.13*/bin/python3 2>/dev/null | sort -rV) \
    $$(ls -d "$$root"/versions/3.12*/bin/python3 2>/dev/null | sort -rV) python3; do \
  version="$$("$$candidate" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' \
    2>/dev/null)" || continue; \
  tried="$$tried $$candidate ($$version)"; \
  if "$$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then \
    found="$$candidate"; break; \
  fi; \
done; \
if [ -z "$$found" ]; then \
  echo "Northstar needs Python ≥ 3.12 (Django 6.1); found:$${tried:- none};" \
    "install one (e.g. pyenv install 3.13)" >&2; \
  exit 1; \
fi
endef

$(BIN)/python:
	@$(find_python); \
	echo "Creating $(VENV) with $$found ($$("$$found" --version))"; \
	"$$found" -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/northstar migrate
	$(BIN)/northstar demo --port $(PORT)

# Debian's chromium drives the browser test; it is skipped without it, except in CI.
chromium:
	@if [ -x /usr/bin/chromium ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	else \
	  echo "The browser test needs Debian's chromium at /usr/bin/chromium; install it with:" \
	    "sudo apt-get update && sudo apt-get install -y chromium" >&2; \
	fi

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# A throwaway data directory: the tests never touch .northstar/ (pytest-django makes its own
# test databases; the data directory still holds the secret key and CLI tests' files).
test: setup chromium lint
	@data="$$(mktemp -d -t northstar-test.XXXXXX)"; trap 'rm -rf "$$data"' EXIT; \
	if [ -n "$${DATABASE_URL:-}" ]; then echo "Tests on $$DATABASE_URL"; else echo "Tests on SQLite"; fi; \
	NORTHSTAR_DATA_DIR="$$data" $(BIN)/pytest

bench: setup
	env -u DATABASE_URL $(BIN)/python bench/checkin_rollup.py
	@if [ -d ../shared/data ]; then $(BIN)/python bench/import_real_files.py; fi
