# One command to run, one to test; each does its own set-up.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DATA_DIR ?= data
PORT ?= 8001
CORPUS ?= ../shared/corpus
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian packages: catdoc reads .doc attachments; chromium + a CJK font for the browser tests.
RUN_DEBS := catdoc fonts-wqy-microhei
TEST_DEBS := $(RUN_DEBS) chromium

.PHONY: run test setup system-deps system-deps-test lint typecheck pytest kb bench readme clean

$(BIN)/mofcom-kb: pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $@

setup: $(BIN)/mofcom-kb

system-deps:
	@missing=$$(for p in $(RUN_DEBS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q $$missing; fi

system-deps-test:
	@missing=$$(for p in $(TEST_DEBS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q $$missing; fi

# Build the knowledge base from the offline samples, or from ../shared/corpus when present (the build then
# leaves the team-written samples out: samples never pose as data).
kb: setup system-deps
	$(BIN)/mofcom-kb --data-dir $(DATA_DIR) import ingest/samples
	@if [ -d $(CORPUS) ]; then $(BIN)/mofcom-kb --data-dir $(DATA_DIR) import $(CORPUS)/exportcontrol-notices.jsonl \
	  $(CORPUS)/entity-list-notices.jsonl $(CORPUS)/control-list-codes.jsonl $(CORPUS)/licence-catalogue-2026-hs-codes.json; fi
	$(BIN)/mofcom-kb --data-dir $(DATA_DIR) build

# The main job: build, then serve on http://127.0.0.1:$(PORT)/mofcom
run: kb
	$(BIN)/mofcom-kb --data-dir $(DATA_DIR) serve --port $(PORT)

lint: setup
	$(BIN)/ruff check ingest kb tests bench datasette/plugins

typecheck: setup
	$(BIN)/mypy

pytest: setup system-deps-test
	$(BIN)/pytest -q

test: setup system-deps-test lint typecheck pytest

# Every bench/*_speed.py (bench/results/*.json), then the README's performance tables from them.
bench: setup
	$(BIN)/python -m bench
	$(BIN)/python -m bench.readme

# Rewrite the README's generated tables (eval scores, bench results); tests/test_readme_generated.py checks them.
readme: setup
	$(BIN)/python -m bench.readme

clean:
	rm -rf $(DATA_DIR) .pytest_cache .mypy_cache .ruff_cache
