#!/usr/bin/env bash
# Create .venv and install the product (with --dev: and its test tools).
set -euo pipefail
cd "$(dirname "$0")/.."
extra=""
[ "${1:-}" = "--dev" ] && extra="[dev]"

python=""
for candidate in python3.13 python3.12 python3.11 python3; do
  if command -v "$candidate" >/dev/null 2>&1 &&
     "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    python=$(command -v "$candidate"); break
  fi
done
[ -n "$python" ] || { echo "setup: Python 3.11 or newer is needed" >&2; exit 1; }

# uv installs the stack in seconds; plain pip is the fallback.
if ! command -v uv >/dev/null 2>&1; then
  "$python" -m pip install --quiet --disable-pip-version-check uv >/dev/null 2>&1 || true
fi
if command -v uv >/dev/null 2>&1 || "$python" -m uv --version >/dev/null 2>&1; then
  uv() { if command -v uv >/dev/null 2>&1; then command uv "$@"; else "$python" -m uv "$@"; fi; }
  export UV_PYTHON_DOWNLOADS=never
  [ -x .venv/bin/python ] || uv venv --quiet --python "$python" .venv
  uv pip install --quiet --python .venv/bin/python -e ".$extra"
else
  [ -x .venv/bin/python ] || "$python" -m venv .venv
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".$extra"
fi
