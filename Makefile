# hipvision: `make demo` runs the main job on a bundled sample, `make test` runs the whole suite.
# Both create .venv, install the package and provision the pose model on first use.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
HV     := $(VENV)/bin/hipvision
STAMP  := $(VENV)/.installed
MODEL  := models/pose_landmarker_full.task
# the seated test of a video file runs the heavy model (README, "Pose models"); its offline build needs npm
HEAVY  := models/pose_landmarker_heavy.task

.PHONY: all install model demo lint test test-fast bench mutate fuzz notebook clean help
.DEFAULT_GOAL := help

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): pyproject.toml
	@echo "==> creating the virtual environment in $(VENV)/"
	$(PYTHON) -m venv $(VENV)
	@echo "==> installing hipvision and its dependencies (MediaPipe, OpenCV, PyAV, SciPy, matplotlib; about 1 minute the first time)"
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)
	@echo "==> installed"

install: $(STAMP)  ## create .venv and install hipvision with its test extras

$(MODEL): $(STAMP)
	@echo "==> provisioning the pose model (downloaded, or built offline from the mediapipe wheel)"
	$(HV) models fetch full

$(HEAVY): $(STAMP)
	@echo "==> provisioning the heavy pose model for the seated test (downloaded, or built offline from PyPI and npm)"
	$(HV) models fetch heavy

model: $(MODEL) $(HEAVY)  ## provision the pose models (official download, else built offline from PyPI and npm)

demo: model  ## analyse a bundled sample video and write results to out/demo/
	@mkdir -p out/demo
	$(HV) demo -o out/demo

lint: $(STAMP)  ## check the layer contracts (import-linter, see pyproject.toml)
	$(VENV)/bin/lint-imports

test: model lint  ## layer contracts, then the whole test suite (real MediaPipe included)
	$(PY) -m pytest

test-fast: $(STAMP)  ## only the tests that need no pose model or video
	$(PY) -m pytest -m "not slow and not browser"

bench: model  ## speed and memory benchmarks, each figure with the load average (docs/speed.md; ~30 min on 2 cores)
	$(PY) benchmarks/throughput.py --paired-only --repeat 2 --max-frames 150
	$(PY) benchmarks/throughput.py samples/hip_circles.mp4 --paired-only --repeat 2 --max-frames 150
	$(PY) benchmarks/end_to_end.py --seconds 20 --repeat 3
	$(PY) benchmarks/end_to_end.py --seconds 20 --repeat 3
	$(PY) benchmarks/end_to_end.py --seconds 5 --repeat 3
	$(PY) benchmarks/live_latency.py --seconds 10
	$(PY) benchmarks/live_latency.py --seconds 10
	$(PY) benchmarks/memory.py

MUTATE_STAMP := $(VENV)/.installed-mutate
JOBS    ?= 1
MINUTES ?= 25

$(MUTATE_STAMP): $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test,mutate]'
	touch $(MUTATE_STAMP)

SEED    ?= 19

mutate: $(MUTATE_STAMP)  ## mutation score of hipvision/core (SINCE=<rev>: changed modules only; MODULES, JOBS, MINUTES; SAMPLE=N [SEED]: N random mutants per package)
	$(PY) tools/mutate.py $(if $(SINCE),--since $(SINCE)) $(if $(SAMPLE),--sample $(SAMPLE) --seed $(SEED)) --jobs $(JOBS) --max-minutes $(MINUTES) $(MODULES)
FUZZ_SECONDS ?= 600
FUZZ_SEED ?= 1
fuzz: model  ## mutated videos, pose files and result JSONs at the CLI for FUZZ_SECONDS (failures kept in out/fuzz/)
	$(PY) tests/fuzz.py --seconds $(FUZZ_SECONDS) --seed $(FUZZ_SEED)

NOTEBOOK_STAMP := $(VENV)/.installed-notebook
LAB_ARGS ?=
# JupyterLab refuses to start as root (as in many containers) unless told to.
LAB_ROOT = $(if $(filter 0,$(shell id -u)),--allow-root)

$(NOTEBOOK_STAMP): $(STAMP)
	@echo "==> installing JupyterLab (the notebook extra)"
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test,notebook]'
	@touch $(NOTEBOOK_STAMP)

notebook: $(NOTEBOOK_STAMP) model  ## open notebooks/walkthrough.ipynb in JupyterLab (headless: LAB_ARGS=--no-browser)
	@echo "==> starting JupyterLab on notebooks/walkthrough.ipynb (Ctrl-C twice stops it)"
	@echo "    no browser here? run: make notebook LAB_ARGS=--no-browser  and open, where you have one,"
	@echo "    http://127.0.0.1:8888/lab/tree/notebooks/walkthrough.ipynb?token=<the token it prints>"
	$(VENV)/bin/jupyter lab notebooks/walkthrough.ipynb --ServerApp.root_dir="$(CURDIR)" $(LAB_ROOT) $(LAB_ARGS)

clean:  ## remove the venv, caches and outputs (keeps models/)
	rm -rf $(VENV) .pytest_cache out test-artifacts mutants
