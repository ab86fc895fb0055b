# Every target puts the venv and the anvil binary on PATH itself: nothing depends on an activated shell.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
ANVIL_DIR := node_modules/@foundry-rs/anvil-linux-amd64/bin
STAMP := $(VENV)/.installed

# ape-vyper finds the compiler with shutil.which("vyper") and ape-foundry starts `anvil` from PATH.
export PATH := $(CURDIR)/$(VENV)/bin:$(CURDIR)/$(ANVIL_DIR):$(PATH)
# Ape's data (process records, caches) stays inside the checkout, so ~/.ape does not grow with every
# test run. Operators with keyfile accounts use their own ~/.ape by calling `ape` directly.
export APE_DATA_FOLDER ?= $(CURDIR)/.cache/ape
export MPLBACKEND := Agg

.PHONY: help install demo demo-program test test-deep bench lint format clean

help:
	@echo "make install   create .venv, install the pinned toolchain and anvil (idempotent)"
	@echo "make demo      end-to-end demo on a local anvil devnet"
	@echo "make demo-program  program-type demo: 1,000 households, three months, on anvil"
	@echo "make test      the whole test suite (quick hypothesis profile)"
	@echo "make test-deep the stateful tests with the deep hypothesis profile"
	@echo "make bench     benchmarks; JSON under out/bench/"
	@echo "make lint      ruff check + ruff format --check"

install: $(STAMP) $(ANVIL_DIR)/anvil

# pip prints one line per package it collects and installs: the first run takes about a minute
# and would otherwise look hung.
$(STAMP): pyproject.toml constraints.txt
	@echo "==> installing the pinned Python toolchain into $(VENV) (first run: about a minute)"
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --progress-bar on -c constraints.txt -e '.[dev]'
	@echo "==> Python toolchain installed"
	touch $@

# The native binary ships inside the npm package: no install script, no download from elsewhere.
$(ANVIL_DIR)/anvil: package.json package-lock.json
	@echo "==> installing anvil from npm (@foundry-rs/anvil)"
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	test -x $@ && touch $@

# jcredit.devnet checks 127.0.0.1:8545 (or APE_FOUNDRY_HOST) first: something that is not anvil,
# or an anvil with another mnemonic, would make the demo fail late; it then picks a free port.
demo: install
	host=$$($(VENV)/bin/python -m jcredit.devnet) && \
	APE_FOUNDRY_HOST=$$host ape run demo --network ethereum:local:foundry

demo-program: install
	host=$$($(VENV)/bin/python -m jcredit.devnet) && \
	APE_FOUNDRY_HOST=$$host ape run demo_program --network ethereum:local:foundry

test: install
	$(VENV)/bin/python -m pytest -p no:ape_test $(PYTEST_ARGS)

test-deep: install
	HYPOTHESIS_PROFILE=deep $(VENV)/bin/python -m pytest -p no:ape_test -m deep $(PYTEST_ARGS)

bench: install
	mkdir -p out/bench
	$(VENV)/bin/python -m benchmarks

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf .build .cache out
