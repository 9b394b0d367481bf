#!/usr/bin/env bash
# Translations: extract the messages from the code, update the catalogs, check them.
#   scripts/i18n.sh extract   – write locales/messages.pot from the code
#   scripts/i18n.sh update    – extract, merge the template into cs, en and uk, and fill
#                               English (the source language) from the msgids
#   scripts/i18n.sh compile   – compile .mo files (optional: the app reads the .po files)
#   scripts/i18n.sh check     – fail when a catalog is incomplete or out of date
set -euo pipefail
cd "$(dirname "$0")/.."
PYBABEL=${PYBABEL:-.venv/bin/pybabel}
PYTHON=${PYTHON:-.venv/bin/python}
extract() {
  # shellcheck disable=SC2046
  "$PYBABEL" extract -F babel.cfg -k N_ -o locales/messages.pot --no-location \
    --sort-output --omit-header $(ls -d bot intake kmb knowledge_base admin_api 2>/dev/null)
}
case "${1:-}" in
  extract) extract ;;
  update)
    extract
    for lang in cs en uk; do
      if [ -f "locales/$lang/LC_MESSAGES/messages.po" ]; then
        "$PYBABEL" update -i locales/messages.pot -d locales -l "$lang" --no-fuzzy-matching \
          --ignore-obsolete
      else
        "$PYBABEL" init -i locales/messages.pot -d locales -l "$lang"
      fi
    done
    "$PYTHON" - <<'PY'
from babel.messages.pofile import read_po, write_po
path = "locales/en/LC_MESSAGES/messages.po"
with open(path, "rb") as f:
    catalog = read_po(f, locale="en")
for message in catalog:
    if message.id and not message.string or message.string == ("", ""):
        message.string = message.id
with open(path, "wb") as f:
    write_po(f, catalog, width=100)
PY
    ;;
  compile) "$PYBABEL" compile -d locales --statistics ;;
  check) "$PYTHON" -m pytest -q tests/locales ;;
  *) echo "usage: scripts/i18n.sh extract|update|compile|check" >&2; exit 2 ;;
esac
