#!/usr/bin/env bash
# Install everything the tests need into .venv and run every test. This is the README's test
# command; .ci/run calls it unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
exec .venv/bin/python -m pytest -q "$@"
