#!/usr/bin/env bash
# Everything lookalike needs on a fresh Debian machine with Python 3.11: Debian packages
# (demo/test images, Chromium for the browser tests) and the Python packages.
# Idempotent and quick when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

APT_PACKAGES="mate-backgrounds plasma-workspace-wallpapers chromium chromium-driver"
missing=""
for pkg in $APT_PACKAGES; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
  echo "setup: installing Debian packages:$missing"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

PY=${PYTHON:-python3}
stamp=".setup-stamp"
want="$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || ! "$PY" -c "import lookalike" 2>/dev/null; then
  echo "setup: installing Python packages"
  # The CPU build of torch comes from a local wheel; any other spec pulls CUDA builds.
  "$PY" -m pip install -q --disable-pip-version-check "torch==2.13.0"
  "$PY" -m pip install -q --disable-pip-version-check -e ".[dev,bench]"
  echo "$want" > "$stamp"
fi
