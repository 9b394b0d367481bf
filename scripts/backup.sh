#!/usr/bin/env bash
# A dump of the product's PostgreSQL database, and old dumps removed.
#   scripts/backup.sh DATABASE DIRECTORY [KEEP_DAYS]
# Connection as libpq reads it (PGHOST, PGPORT, PGUSER, ~/.pgpass). Prints the file.
# Restore: pg_restore --no-owner -d NEW_DATABASE FILE, then kmb migrate (docs/deploy.md).
set -euo pipefail
database=${1:?database name}
directory=${2:?backup directory}
keep_days=${3:-14}
umask 077  # the dump holds personal data
mkdir -p "$directory"
file="$directory/kmb-$(date -u +%Y%m%dT%H%M%SZ).dump"
pg_dump --format=custom --no-owner --file="$file.partial" "$database"
mv "$file.partial" "$file"  # a dump that failed half-way never looks complete
find "$directory" -name 'kmb-*.dump' -mtime +"$keep_days" -delete
echo "$file"
