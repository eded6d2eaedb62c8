# citydocs: `make run` extracts the samples, `make test` runs lint and the real test-suite.
# Both work on a fresh Debian machine: they install Tesseract, the DejaVu fonts and uv when
# missing, then sync .venv from uv.lock.
SHELL := /bin/bash
.DEFAULT_GOAL := help
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
UV := $(shell command -v uv 2>/dev/null || echo python3 -m uv)
OUT ?= output

# Process-wide defaults (Tesseract's threads, Prefect's) are set by citydocs itself
# (pipeline/base/environment.py); make keeps Prefect's database inside the checkout.
export PREFECT_HOME ?= $(CURDIR)/.prefect

.PHONY: help system-deps setup run test lint format samples schema bench bench-growth soak realworld

help:
	@echo "make run    extract the samples into $(OUT)/ (installs what is missing first)"
	@echo "make test   ruff + the test-suite with real Tesseract, spaCy and PDFs"
	@echo "make bench-growth  the growth table alone: nested like corpora of 100, 300, 1,000 documents, process pool and Dask (SIZES=...)"
	@echo "make bench  floors (N and 2N: N=60 scanned, DIGITAL_N=360 born-digital, 0 for none, each run REPEAT=3 times) and growth to 1,000 documents, also on Dask (SIZES=100,300,1000); about an hour"
	@echo "make soak   500 mixed documents through the watch flow under random SIGKILLs"
	@echo "make realworld  the test PDFs of four PDF libraries through extract, run and watch"
	@echo "make lint | format | samples | schema"

system-deps:
	@if ! command -v tesseract >/dev/null 2>&1 || [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] \
		|| [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf ]; then \
		echo "installing tesseract-ocr and the DejaVu fonts with apt-get"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq tesseract-ocr tesseract-ocr-eng fonts-dejavu-core fonts-dejavu-extra >/dev/null; \
	fi
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || { \
		echo "installing uv with pip"; python3 -m pip install --quiet uv; }

setup: system-deps
	@$(UV) sync --frozen --quiet --compile-bytecode
	@$(UV) run --frozen python -m compileall -q models pipeline extractors flows app >/dev/null

run: setup
	$(UV) run --frozen citydocs run samples --out $(OUT)

lint: setup
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .

format: setup
	$(UV) run --frozen ruff format .
	$(UV) run --frozen ruff check --fix .

test: lint
	$(UV) run --frozen pytest

samples: setup
	$(UV) run --frozen python samples/make_samples.py

bench: setup
	$(UV) run --frozen python bench/bench.py --n $(or $(N),60) --digital-n $(or $(DIGITAL_N),360) --repeat $(or $(REPEAT),3) --sizes $(or $(SIZES),100,300,1000) --dask

bench-growth: setup
	$(UV) run --frozen python bench/bench.py --growth-only --sizes $(or $(SIZES),100,300,1000) --dask

soak: setup
	$(UV) run --frozen python -m tests.tools.soak $(if $(DOCS),--docs $(DOCS))

realworld: setup
	$(UV) run --frozen python bench/realworld.py

schema: setup
	$(UV) run --frozen citydocs schema --write

# ---- generalization (issue 12): not part of CI. EVAL_N documents of the report range (300 by
# default) through `citydocs run`, scored per field group and generation axis; the table is
# appended to eval/results.md. `make eval-dev` does the same on the development range (60 by
# default) into .eval/dev/ only. Poppler's pdftotext is the born-digital reading baseline.
.PHONY: eval eval-dev eval-deps
eval-deps: setup
	@command -v pdftotext >/dev/null 2>&1 || { echo "installing poppler-utils with apt-get"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq poppler-utils >/dev/null; }

eval: eval-deps
	$(UV) run --frozen python eval/run.py --range report --n $(or $(EVAL_N),300)

eval-dev: eval-deps
	$(UV) run --frozen python eval/run.py --range dev --n $(or $(EVAL_N),60)
