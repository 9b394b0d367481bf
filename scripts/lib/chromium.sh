# Debian's Chromium for the browser tests (Playwright drives it; no browser download).

ensure_chromium() {
  if [ -x /usr/bin/chromium ]; then return 0; fi
  if [ "$(id -u)" != 0 ]; then
    echo "Chromium not found: install Debian's chromium package for the browser tests" >&2
    return 1
  fi
  echo "installing Chromium (Debian package)…" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
}
