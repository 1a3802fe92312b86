#!/usr/bin/env bash
# The whole test suite (after set-up): lint, then pytest with the doctests, in the
# project's virtual environment.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
VENV=${LOOKALIKE_VENV:-.venv}
export PATH="$PWD/$VENV/bin:$PATH"
python -m ruff check src tests bench
python -m pytest -q "$@"
