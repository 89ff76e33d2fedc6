# make demo — try every flow against the local sandbox (creates .venv)
# make test — the whole suite (what CI runs)
# make bench — the benchmark suite (writes bench/results.md)
# make lint — ruff + mypy on src/rolecall, shellcheck/zsh -n/fish -n on shell/ and completions/
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: demo test bench lint clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[test]'
	touch $@

demo: $(VENV)/.installed
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" bash scripts/demo.sh

test: $(VENV)/.installed
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check src/rolecall
	$(VENV)/bin/mypy src/rolecall
	shellcheck --shell=bash --severity=style shell/assume.bash completions/*.bash
	zsh -n shell/assume.zsh completions/_assume completions/_rolecall
	fish --no-execute shell/assume.fish completions/*.fish

bench: $(VENV)/.installed
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) bench/run.py

clean:
	rm -rf $(VENV) .rolecall-sandbox build src/*.egg-info
