# workbench: every target documents itself; `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DATA := data/demo
DEMO_OUT := reports/demo
export UV_COMPILE_BYTECODE := 1
export MPLBACKEND := Agg

.DEFAULT_GOAL := help
.PHONY: help setup system-deps demo test lab bench clean

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "} {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip uv || true
	if [ -x $(BIN)/uv ]; then $(BIN)/uv pip install -q --python $(BIN)/python -e '.[dev]'; \
	else $(BIN)/python -m pip install -q -e '.[dev]'; fi
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (workbench)" >/dev/null
	touch $(STAMP)

setup: $(STAMP) ## Create .venv, install the package with dev extras, register its Jupyter kernel

system-deps: ## On CI (CI=true, root, Debian): install the CJK font, chromium and the PostgreSQL server for the tests
	@if [ "$${CI:-}" = "true" ] && command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		if ! fc-list 2>/dev/null | grep -qi 'Noto Sans CJK' || ! command -v chromium >/dev/null \
			|| ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk chromium postgresql >/dev/null; \
		fi; \
	fi

demo: $(STAMP) ## Generate the demo data into data/demo and render every report into reports/demo
	@start=$$(date +%s); \
	$(BIN)/workbench demo --data $(DEMO_DATA) --out $(DEMO_OUT) && \
	echo "make demo: $$(( $$(date +%s) - start )) s; open $(DEMO_OUT)/index.html"

test: $(STAMP) system-deps ## Run the whole test suite
	$(BIN)/python -m pytest -n 2 --dist worksteal -q

lab: $(STAMP) ## Open JupyterLab on the notebooks with the venv's kernel
	$(BIN)/jupyter lab notebooks/

bench: $(STAMP) ## Run the benchmarks (a lifetimes venv; the whole suite vs c6bc1c9 at SUITE_SIZES=200000)
	$(BIN)/python benchmarks/bench_summary.py
	$(BIN)/python benchmarks/bench_clv.py
	$(BIN)/python benchmarks/bench_segmentation.py
	$(BIN)/python benchmarks/bench_lifecycle.py
	$(BIN)/python benchmarks/bench_churn.py
	$(BIN)/python benchmarks/bench_recommend.py
	$(BIN)/python benchmarks/bench_suite.py --sizes $${SUITE_SIZES:-200000}

clean: ## Remove the venv, generated demo data and reports
	rm -rf $(VENV) $(DEMO_DATA) $(DEMO_OUT)
