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
# Microsoft's Kusto language service (npm, pinned by tools/kql/package-lock.json): the tests
# parse every detection query with it against the published table schemas, offline.
KQL_STAMP := tools/kql/node_modules/.installed
# Analysis tools the tests run as separate programs, each in its own venv because their
# pins conflict with the project's and with each other's (see each requirements file):
# network-config-analyzer (segmentation proven) and checkov (Kubernetes framework).
NCA_STAMP := .venv-nca/.installed
CHECKOV_STAMP := .venv-checkov/.installed
TOOL_STAMPS := $(NCA_STAMP) $(CHECKOV_STAMP)
# Tools `make bench` compares with (checkov), pinned in bench/requirements.txt: their own
# venv, built only for `make bench`.
BENCH_VENV := .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed

.PHONY: plan test lint render check bench clean

# $(call venv,DIR,REQUIREMENTS): a Python 3.11 virtualenv in DIR with REQUIREMENTS installed.
define venv
	@test -x $(1)/bin/python || $(PYTHON) -m venv $(1)
	@$(1)/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || \
		{ echo "error: $(1) must use Python 3.11 (found $$($(1)/bin/python -V)); remove $(1) or set PYTHON=python3.11" >&2; exit 2; }
	$(1)/bin/python -m pip install --quiet --disable-pip-version-check -r $(2)
endef

$(STAMP): $(REQUIREMENTS)
	$(call venv,$(VENV),requirements-dev.txt)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

$(PACK_STAMP): requirements.txt policies/requirements.txt
	$(call venv,$(PACK_VENV),policies/requirements.txt)
	@touch $@

.venv-%/.installed: tools/requirements-%.txt
	$(call venv,.venv-$*,$<)
	@touch $@

$(BENCH_STAMP): bench/requirements.txt
	$(call venv,$(BENCH_VENV),$<)
	@touch $@

$(KQL_STAMP): tools/kql/package.json tools/kql/package-lock.json
	cd tools/kql && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $@

## plan: the offline plan of all stacks, judged by the policy pack (reports in out/)
plan: $(STAMP)
	$(BIN)/python -m bootstrap plan --json out/plans --markdown out/plan.md --sarif out/plan.sarif

## test: lint, then the whole offline test suite (on every core: pytest-xdist; a file's
## tests stay on one worker, so a table's module fixture runs its processes once)
test: $(STAMP) $(PACK_STAMP) $(KQL_STAMP) $(TOOL_STAMPS) lint
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
