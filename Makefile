# The two quick-start commands. Each makes its own virtual environment in .venv, so a
# fresh machine needs only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip install --quiet --disable-pip-version-check

.PHONY: chat test bench venv

venv:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)

# Install goodhelp and chat with it in this terminal (no Telegram token needed).
chat: venv
	$(PIP) -e .
	$(BIN)/goodhelp chat

# Install goodhelp with its test tools and run every check: lint, types, flows, tests.
test: venv
	$(PIP) -e '.[test]'
	$(BIN)/ruff check .
	$(BIN)/mypy bot
	$(BIN)/goodhelp validate
	$(BIN)/python -m pytest -q

bench: venv
	$(PIP) -e '.[test]'
	$(BIN)/python -m bench.engine --people 1000
