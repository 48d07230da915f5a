#!/usr/bin/env bash
# Set up what is missing (with the browser), build the deck at low quality for the
# export and browser tests, then run the tests: bash scripts/test.sh [PYTEST ARGS ...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh --with-browser
export UV_PYTHON_DOWNLOADS=never
.tools/bin/uv run --frozen deck build --quality low
# One worker per core; the tests of one talk share a worker (tests/conftest.py), so each
# scene is constructed once per talk. Later arguments win (`-n 0` runs in one process).
exec .tools/bin/uv run --frozen pytest -q -n auto --dist loadgroup "$@"
