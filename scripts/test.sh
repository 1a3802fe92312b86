#!/usr/bin/env bash
# The whole test suite (after set-up): lint, then pytest with the doctests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
PY=${PYTHON:-python3}
"$PY" -m ruff check src tests bench
"$PY" -m pytest -q "$@"
