# Two entry points (README): `make briefing` runs the main job, `make test` runs every test.
# Both create the virtual environment first if it is missing. Python 3.11, no conda needed.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
LAUNCH ?= 2018
AS_OF ?= 2021
NOW ?= 2024

# The make targets run the project's reference analysis and its tests, whatever workspace the shell has chosen.
unexport QANALYSIS_WORKSPACE

.PHONY: venv briefing test lint unit nbval notebooks bench clean

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[notebooks,test]'
	touch $@

briefing: venv
	$(BIN)/qanalysis build
	$(BIN)/qanalysis report --as-of $(LAUNCH) --out out/briefing-$(LAUNCH)
	$(BIN)/qanalysis report --as-of $(AS_OF) --out out/briefing-$(AS_OF)
	$(BIN)/qanalysis report --as-of $(AS_OF) --lang en --out out/briefing-$(AS_OF)-en
	$(BIN)/qanalysis report --as-of $(NOW) --out out/briefing-$(NOW)
	$(BIN)/qanalysis report --workspace examples/mdg --as-of 2000 --lang en --out out/briefing-mdg-2000

test: venv lint unit nbval

lint: venv
	$(BIN)/ruff check qanalysis tests benchmarks scripts
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

unit: venv
	$(BIN)/pytest -q tests

nbval: venv
	$(BIN)/pytest -q --nbval-lax --nbval-current-env --nbval-sanitize-with nbval_sanitize.cfg notebooks

# Refresh the committed notebooks' outputs in place (reference workspace data/); nbval checks them in `make test`.
# An analyst's run is `qanalysis notebooks [--workspace DIR] [--as-of Y] [--lang en]`: copies + HTML, never in place.
notebooks: venv
	$(BIN)/qanalysis notebooks --refresh

bench: venv
	$(BIN)/python benchmarks/accuracy.py --half calibration
	$(BIN)/python benchmarks/accuracy.py --half report
	$(BIN)/python benchmarks/speed.py
	$(BIN)/python benchmarks/mdg_retrospective.py

clean:
	rm -rf $(VENV) out
