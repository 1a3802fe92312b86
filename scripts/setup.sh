#!/usr/bin/env bash
# Everything lookalike needs on a fresh Debian machine with only Debian's Python 3.11:
# Debian packages (venv support, demo/test images, Chromium for the browser tests) and the
# Python packages, installed into the project's own virtual environment .venv/ (PEP 668:
# Debian's Python refuses system-wide pip installs). Idempotent and quick when nothing
# changed. After it, `.venv/bin/lookalike` (or `source .venv/bin/activate`) is the CLI.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
# Wait for another apt/dpkg run (unattended upgrades, a second set-up) instead of failing.
APT_OPTS=(-o DPkg::Lock::Timeout=600 -o Acquire::Retries=3)

APT_PACKAGES="python3-venv mate-backgrounds plasma-workspace-wallpapers chromium chromium-driver"
# The benchmarks' extra photo sets (bench/duplicates_transfer.py, bench/neighbors_quality.py,
# bench/duplicates_verify.py) only with LOOKALIKE_BENCH=1: wesnoth-1.16-data is a 146 MB download.
if [ "${LOOKALIKE_BENCH:-0}" = 1 ]; then
  APT_PACKAGES="$APT_PACKAGES ukui-wallpapers lomiri-wallpapers-16.04 wesnoth-1.16-data"
fi
missing=""
for pkg in $APT_PACKAGES; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
  echo "setup: installing Debian packages:$missing"
  # apt-get update takes the lists lock, which DPkg::Lock::Timeout does not cover: retry.
  for attempt in 1 2 3 4 5 6 7 8 9 10; do
    $SUDO apt-get "${APT_OPTS[@]}" update -qq && break
    echo "setup: apt-get update failed (attempt $attempt; another apt run?), retrying in 30 s"
    sleep 30
  done
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" install -y -qq \
    --no-install-recommends $missing
fi

# The project's virtual environment, made from Debian's own Python unless PYTHON says
# otherwise.
BASE_PY=${PYTHON:-}
if [ -z "$BASE_PY" ]; then
  if [ -x /usr/bin/python3 ]; then BASE_PY=/usr/bin/python3; else BASE_PY=python3; fi
fi
VENV=${LOOKALIKE_VENV:-.venv}
if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating the virtual environment $VENV with $("$BASE_PY" --version)"
  "$BASE_PY" -m venv "$VENV"
fi
PY="$VENV/bin/python"

stamp="$VENV/.setup-stamp"
want="$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || ! "$PY" -c "import lookalike" 2>/dev/null; then
  echo "setup: installing Python packages into $VENV (a few minutes on a fresh machine)"
  PIP=("$PY" -m pip install --disable-pip-version-check --progress-bar on)
  "${PIP[@]}" --upgrade pip | grep -v '^Requirement already satisfied' || true
  # The CPU build of torch comes from a local wheel; any other spec pulls CUDA builds.
  "${PIP[@]}" "torch==2.13.0"
  "${PIP[@]}" -e ".[dev,bench]"
  echo "$want" > "$stamp"
  echo "setup: done; the CLI is $VENV/bin/lookalike"
fi
