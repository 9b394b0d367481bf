#!/usr/bin/env bash
# Set up and run the product: .venv, install, migrate the SQLite database under
# ./var/, then start it. At this stage that is the terminal chat; extra
# arguments go to `kmb chat` (e.g. --lang en).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/kmb migrate
exec .venv/bin/kmb chat "$@"
