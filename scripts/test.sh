#!/usr/bin/env bash
# The whole test suite (after set-up): lint, the import contracts, then pytest with the doctests, in the
# project's virtual environment.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
VENV=${LOOKALIKE_VENV:-.venv}
export PATH="$PWD/$VENV/bin:$PATH"
python -m ruff check src tests bench
lint-imports  # the layer contracts in pyproject.toml ([tool.importlinter])
python -m pytest -q "$@"
