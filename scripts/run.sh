#!/usr/bin/env bash
# Set up and run the product: .venv, install, migrate the SQLite database under
# ./var/, then `kmb serve` — the demo city page with the chat widget at
# http://127.0.0.1:8000/, the widget API, the Telegram webhook, and the Telegram
# bot itself when KMB_TELEGRAM_TOKEN is set. Extra arguments go to `kmb serve`
# (e.g. --port 8080). The terminal chat: .venv/bin/kmb chat
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/kmb migrate
echo "KMB Intake: open http://127.0.0.1:8000/ (Ctrl-C stops it)"
exec .venv/bin/kmb serve "$@"
