#!/usr/bin/env bash
# Run the engine benchmark on SQLite and on a throwaway PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
. scripts/lib/postgres.sh
trap stop_postgres EXIT
start_postgres
.venv/bin/python bench/engine.py --postgres "postgresql://postgres@127.0.0.1:$KMB_PG_PORT" "$@"
