# hipvision: `make demo` runs the main job on a bundled sample, `make test` runs the whole suite.
# Both create .venv, install the package and provision the pose model on first use.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
HV     := $(VENV)/bin/hipvision
STAMP  := $(VENV)/.installed
MODEL  := models/pose_landmarker_full.task

.PHONY: all install model demo test test-fast bench fuzz clean help
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

test: model  ## run the whole test suite (real MediaPipe included)
	$(PY) -m pytest

test-fast: $(STAMP)  ## only the tests that need no pose model or video
	$(PY) -m pytest -m "not slow and not browser"

bench: model  ## speed and accuracy benchmarks (figures go into the README)
	$(PY) benchmarks/throughput.py

FUZZ_SECONDS ?= 600
FUZZ_SEED ?= 1
fuzz: model  ## mutated videos, pose files and result JSONs at the CLI for FUZZ_SECONDS (failures kept in out/fuzz/)
	$(PY) tests/fuzz.py --seconds $(FUZZ_SECONDS) --seed $(FUZZ_SEED)

clean:  ## remove the venv, caches and outputs (keeps models/)
	rm -rf $(VENV) .pytest_cache out test-artifacts
