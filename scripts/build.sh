#!/usr/bin/env bash
# Set up what is missing, then build the deck:
#   bash scripts/build.sh [--quality low|medium|high|4k] [--preset NAME] [--jobs N] [SCENE ...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
export UV_PYTHON_DOWNLOADS=never
exec .tools/bin/uv run --frozen deck build "$@"
