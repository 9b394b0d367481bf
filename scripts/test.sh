#!/usr/bin/env bash
# Set up and run every test: lint, then pytest on SQLite and on a throwaway
# PostgreSQL that this script starts and stops. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --dev
. scripts/lib/postgres.sh
. scripts/lib/chromium.sh
ensure_chromium
trap stop_postgres EXIT
start_postgres
export KMB_TEST_POSTGRES_DSN="postgresql://postgres@127.0.0.1:$KMB_PG_PORT"
export KMB_TEST_REQUIRE_POSTGRES=1
export KMB_TEST_REQUIRE_BROWSER=1
.venv/bin/ruff check .
# pytest exits non-zero when a test fails and also when no test ran at all.
.venv/bin/python -m pytest "$@"
