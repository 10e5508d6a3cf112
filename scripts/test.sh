#!/usr/bin/env bash
# Install everything the tests need and run every test: this is the README's test command,
# and .ci/run calls it unchanged.
#   - Debian's Chromium for the browser tests (apt; never a browser download),
#   - a virtual environment .venv with requirements-dev.txt (pytest, playwright's Python package, ruff),
#   - then the linter (ruff check ., rules in pyproject.toml; a finding fails the run) and pytest on both
#     cores (pytest-xdist: two workers; the browser tests share one of them, see tests/browser/conftest.py).
set -euo pipefail
cd "$(dirname "$0")/.."

CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  echo "installing Debian's chromium for the browser tests" >&2
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq chromium >/dev/null
fi

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
echo "ruff check ." >&2
.venv/bin/ruff check .
exec .venv/bin/python -m pytest -q -n 2 --dist loadgroup "$@"
