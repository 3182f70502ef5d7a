# Two commands for a new user: `make run` and `make test`. Both set everything up first.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
OUT ?= outputs

.PHONY: setup engine run test lint bench clean

setup: .venv/.synced

# Bytecode compiled once at install: every `bilingual` command imports from it even where
# PYTHONDONTWRITEBYTECODE is set (containers, CI), instead of compiling Prefect (~2 s) each time.
.venv/.synced: pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen --compile-bytecode
	@touch $@

# An es→en engine: an installed Argos package, else Debian's Apertium when installed (no
# network needed), else an Argos package from the index, else Apertium installed from Debian.
engine: setup
	@if $(UV) run bilingual models list | grep -q '^argos .*es→en'; then \
	  echo "engine: Argos package already installed"; \
	elif command -v apertium >/dev/null && [ -f /usr/share/apertium/modes/spa-eng.mode ]; then \
	  echo "engine: no Argos package; using Apertium (apertium-eng-spa)"; \
	elif $(UV) run bilingual models install --from es --to en 2>/dev/null; then \
	  echo "engine: Argos package installed from the index"; \
	else \
	  echo "engine: no Argos package (index unreachable); installing Apertium (apertium-eng-spa) from Debian"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq apertium-eng-spa >/dev/null; \
	fi

run: engine
	$(UV) run bilingual run seeds --out $(OUT)
	$(UV) run bilingual show --out $(OUT)

# Apertium gives the end-to-end tests real English to assert on.
test: setup
	@command -v apertium >/dev/null && [ -f /usr/share/apertium/modes/spa-eng.mode ] || \
	  ($(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq apertium-eng-spa >/dev/null)
	$(UV) run ruff check flows tests benchmarks
	$(UV) run ruff format --check flows tests benchmarks
	$(UV) run mypy
	$(UV) run pytest

bench: setup
	$(UV) run python benchmarks/quality.py

clean:
	rm -rf $(OUT)/*/ $(OUT)/.staging $(OUT)/.bilingual.lock .pytest_cache .ruff_cache
