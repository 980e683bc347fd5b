# The README's two commands are `make demo` and `make test`; .ci/run calls `make test`.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: demo test test-fast lint bench clean chromium

demo: $(VENV)/.core ## set up the offline core and run the main job on the shipped examples
	$(BIN)/contentgen demo

test: $(VENV)/.all lint chromium ## set up everything (model extras included) and run the whole test suite
	$(BIN)/pytest

# The edit loop: everything but the tests marked slow, on every core (CI runs `make test`, the whole suite, serially).
test-fast: $(VENV)/.all
	$(BIN)/pytest -m "not slow" -n auto

lint: $(VENV)/.all
	$(BIN)/ruff check contentgen tests bench
	$(BIN)/ruff format --check contentgen tests bench
	$(BIN)/mypy

bench: $(VENV)/.all ## speed and memory benchmarks, each printing a table with ratios
	$(BIN)/python -m bench

# The campaign review page is tested in headless Chromium (Debian's package); without it that test fails and says so.
chromium:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
		|| echo "could not install chromium: tests/test_campaign_review.py will fail"

$(VENV)/.venv:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip
	touch $@

$(VENV)/.core: pyproject.toml $(VENV)/.venv
	$(PIP) install -e .
	touch $@

# torch is pinned to the CPU build first: an open range would pull a multi-GB CUDA build on a machine without a GPU.
$(VENV)/.all: pyproject.toml $(VENV)/.venv
	$(PIP) install "torch==2.13.0"
	$(PIP) install -e ".[all,dev]"
	touch $@ $(VENV)/.core

clean:
	rm -rf $(VENV) outputs .pytest_cache .mypy_cache .ruff_cache
