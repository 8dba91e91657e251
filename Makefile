# Two commands for a fresh machine:
#   make lab    creates .venv if needed, installs the pinned environment, starts JupyterLab
#   make test   the same set-up, then lint, unit tests and strict nbval on every notebook
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
CONSTRAINTS := requirements/constraints.txt
# Extra options for 'make lab', e.g. LAB_ARGS="--no-browser --port=8899" (the browser test uses it).
LAB_ARGS ?=
# JupyterLab refuses to start as root unless told to; containers and CI machines often run as root.
ROOT_ARGS := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab test lint unit notebooks book bench clean

$(STAMP): pyproject.toml $(CONSTRAINTS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --constraint $(CONSTRAINTS) --editable ".[test]"
	touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab $(ROOT_ARGS) $(LAB_ARGS) notebooks/

test: lint $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

unit: $(STAMP)
	$(BIN)/python -m pytest tests

# Rebuild each notebook from its source in notebooks/src and execute it top to bottom.
notebooks: $(STAMP)
	$(BIN)/python tools/build_notebooks.py $(NB)

# The rendered book (_build/book) and slides (_build/slides) of the stored notebooks; npm fetches
# the pinned reveal.js, RequireJS, jQuery and MathJax once into _build/vendor, so pages open offline.
book: $(STAMP)
	$(BIN)/python tools/build_book.py

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV)
