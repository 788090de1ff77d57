# Two commands to start: `make plan` (offline plan of every stack) and `make test`.
# Each target creates .venv on first use from the pinned requirements; nothing else is
# needed on the machine but Python 3.11 and make.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
REQUIREMENTS := requirements.txt requirements-dev.txt pyproject.toml
STAMP := $(VENV)/.installed
# The policy pack's own venv, from policies/requirements.txt alone: the test that starts the
# pack as the Pulumi CLI does runs it here, so a dependency the pack forgets to declare (or
# an import of the CLI's test tools) fails in CI. The CLI itself runs the pack in .venv.
PACK_VENV := .venv-pack
PACK_STAMP := $(PACK_VENV)/.installed
# Tools `make bench` compares with (checkov), pinned in bench/requirements.txt: their own
# venv, built only for `make bench`.
BENCH_VENV := .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed

.PHONY: plan test lint render check bench clean

$(STAMP): $(REQUIREMENTS)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || \
		{ echo "error: .venv must use Python 3.11 (found $$($(BIN)/python -V)); remove .venv or set PYTHON=python3.11" >&2; exit 2; }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

$(PACK_STAMP): requirements.txt policies/requirements.txt
	@test -x $(PACK_VENV)/bin/python || $(PYTHON) -m venv $(PACK_VENV)
	@$(PACK_VENV)/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || \
		{ echo "error: $(PACK_VENV) must use Python 3.11 (found $$($(PACK_VENV)/bin/python -V)); remove it or set PYTHON=python3.11" >&2; exit 2; }
	$(PACK_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r policies/requirements.txt
	@touch $(PACK_STAMP)

$(BENCH_STAMP): bench/requirements.txt
	@test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	@$(BENCH_VENV)/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || \
		{ echo "error: $(BENCH_VENV) must use Python 3.11 (found $$($(BENCH_VENV)/bin/python -V)); remove it or set PYTHON=python3.11" >&2; exit 2; }
	$(BENCH_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r bench/requirements.txt
	@touch $(BENCH_STAMP)

## plan: the offline plan of all stacks, judged by the policy pack (reports in out/)
plan: $(STAMP)
	$(BIN)/python -m bootstrap plan --json out/plans --markdown out/plan.md --sarif out/plan.sarif

## test: lint, then the whole offline test suite (on every core: pytest-xdist; a file's
## tests stay on one worker, so a table's module fixture runs its processes once)
test: $(STAMP) $(PACK_STAMP) lint
	$(BIN)/python -m pytest -q -n auto --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## render: regenerate gitops/ from the stack files
render: $(STAMP)
	$(BIN)/python -m bootstrap render

## bench: speed figures, written into the README's "Measured figures"
bench: $(STAMP) $(BENCH_STAMP)
	$(BIN)/python bench/run.py --checkov $(BENCH_VENV)/bin/checkov --update-readme README.md

clean:
	rm -rf out .pytest_cache .ruff_cache
