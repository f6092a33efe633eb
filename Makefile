# hipvision: `make demo` runs the main job on a bundled sample, `make test` runs the whole suite.
# Both create .venv, install the package and provision the pose model on first use.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
HV     := $(VENV)/bin/hipvision
STAMP  := $(VENV)/.installed
MODEL  := models/pose_landmarker_full.task

.PHONY: all install model demo lint test test-fast bench clean help
.DEFAULT_GOAL := help

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install hipvision with its test extras

$(MODEL): $(STAMP)
	$(HV) models fetch full

model: $(MODEL)  ## provision the pose model (official download, else built offline from PyPI)

demo: model  ## analyse a bundled sample video and write results to out/demo/
	@mkdir -p out/demo
	$(HV) demo --out out/demo

lint: $(STAMP)  ## check the layer contracts (import-linter, see pyproject.toml)
	$(VENV)/bin/lint-imports

test: model lint  ## layer contracts, then the whole test suite (real MediaPipe included)
	$(PY) -m pytest

test-fast: $(STAMP)  ## only the tests that need no pose model or video
	$(PY) -m pytest -m "not slow and not browser"

bench: model  ## speed and memory benchmarks, each figure with the load average (docs/speed.md; ~15 min on 2 cores)
	$(PY) benchmarks/throughput.py --paired-only --repeat 2 --max-frames 150
	$(PY) benchmarks/end_to_end.py --seconds 5 --repeat 3
	$(PY) benchmarks/live_latency.py --seconds 10
	$(PY) benchmarks/live_latency.py --seconds 10
	$(PY) benchmarks/memory.py

clean:  ## remove the venv, caches and outputs (keeps models/)
	rm -rf $(VENV) .pytest_cache out test-artifacts
