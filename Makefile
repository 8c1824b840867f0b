# Thin entry points. Every target that needs Python creates .venv on first use.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
UV_VERSION := 0.13.8
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
STAMP := $(VENV)/.installed-stamp
export PATH := $(abspath $(VENV))/bin:$(PATH)
# The validator reads the pinned platform CRDs from $PLATFORM_MIRROR, else from
# ../shared/platform beside the checkout (CI's layout), else downloads them from
# the upstream repositories at the pinned commits (src/gitops/validate/schemas/platform.py).

.PHONY: help setup demo test validate render lint bench lock clean platform-crds dry-run

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

# Silent (@) and on stderr: any target may build the venv first, and `make render ... | kubectl apply -f -`
# must read YAML only on stdout.
$(STAMP): requirements/dev.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null || { \
	  echo "setup: needs Python 3.11 (the locks are resolved for it); found: $$($(PYTHON) --version 2>&1)." >&2; \
	  echo "       run: make PYTHON=/path/to/python3.11 $(MAKECMDGOALS)" >&2; exit 2; }
	@echo "setup: installing the pinned tooling into $(VENV) (first use, or the locks changed)" >&2
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) >&2
	@$(PY) -m pip install -q uv==$(UV_VERSION) >&2
	@$(UV) pip install -q -p $(PY) --require-hashes -r requirements/dev.lock >&2
	@$(UV) pip install -q -p $(PY) --no-deps -e . >&2
	@touch $@

setup: $(STAMP) ## create .venv with the pinned tooling and step dependencies

demo: $(STAMP) ## the main job: validate every overlay, then run a model's pipeline locally (MODEL=iris)
	scripts/demo --model $(or $(MODEL),iris)

test: $(STAMP) ## the test suite (what CI runs)
	scripts/test

validate: $(STAMP) ## render every kustomization and schema-check it offline
	scripts/validate

render: $(STAMP) ## print one folder's rendered manifests: make render OVERLAY=k8s/overlays/dev/iris
	@$(PY) -m gitops.render $(OVERLAY)

.PHONY: diff
diff: $(STAMP) ## rendered per-object diff: make diff A=staging B=prod [MODEL=iris], or make diff A=dev REF=origin/main
	@scripts/diff $(A) $(if $(REF),--against $(REF),$(B)) $(if $(MODEL),--model $(MODEL))

lint: $(STAMP) ## ruff (lint, format), yamllint over every YAML file, actionlint over .github/workflows
	scripts/lint

bench: $(STAMP) ## speed figures, written to bench/results.json
	$(PY) -m gitops.bench --out bench/results.json

lock: $(STAMP) ## re-resolve requirements/*.lock from pyproject.toml
	$(UV) pip compile -q -p 3.11 --generate-hashes --extra step --extra serving --extra tooling pyproject.toml -o requirements/dev.lock
	$(UV) pip compile -q -p 3.11 --generate-hashes --extra step -c requirements/dev.lock pyproject.toml -o requirements/step.lock
	$(UV) pip compile -q -p 3.11 --generate-hashes --extra serving -c requirements/dev.lock pyproject.toml -o requirements/serving.lock

clean: ## remove the venv, caches and local pipeline state
	rm -rf $(VENV) .cache .local build *.egg-info src/*.egg-info .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

platform-crds: $(STAMP) ## install the pinned platform CRDs (the validator's own files) into the current cluster
	$(PY) scripts/platform-crds | kubectl apply --server-side -f -
	kubectl wait --for=condition=Established crd --all --timeout=120s

dry-run: $(STAMP) ## server-side dry-run apply of every kustomization the validator builds, against the current cluster
	$(PY) scripts/dry-run-apply
