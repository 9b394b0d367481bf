# A throwaway PostgreSQL cluster for tests and benchmarks: `start_postgres` sets
# KMB_PG_PORT and KMB_PG_DIR; `stop_postgres` removes it. Installs Debian's
# postgresql package when no server is present (needs root).

pg_bindir() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

ensure_postgres() {
  if [ -z "$(pg_bindir)" ] || [ ! -x "$(pg_bindir)/initdb" ]; then
    if [ "$(id -u)" != 0 ]; then
      echo "PostgreSQL server not found: install Debian's postgresql package" >&2; return 1
    fi
    echo "installing PostgreSQL (Debian package)…" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  fi
}

start_postgres() {
  ensure_postgres || return 1
  local bin; bin=$(pg_bindir)
  KMB_PG_DIR=$(mktemp -d /tmp/kmb-pg.XXXXXX)
  KMB_PG_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  local as=()
  if [ "$(id -u)" = 0 ]; then chown postgres "$KMB_PG_DIR"; as=(runuser -u postgres --); fi
  "${as[@]}" "$bin/initdb" -D "$KMB_PG_DIR/data" -U postgres --auth=trust -E UTF8 \
    --locale=C.UTF-8 >"$KMB_PG_DIR/initdb.log" 2>&1 \
    || { cat "$KMB_PG_DIR/initdb.log" >&2; return 1; }
  "${as[@]}" "$bin/pg_ctl" -D "$KMB_PG_DIR/data" -l "$KMB_PG_DIR/log" -w -o \
    "-c listen_addresses=127.0.0.1 -p $KMB_PG_PORT -k $KMB_PG_DIR -c fsync=off -c max_connections=300" \
    start >/dev/null || { cat "$KMB_PG_DIR/log" >&2; return 1; }
  export KMB_PG_DIR KMB_PG_PORT
  export KMB_PG_BIN=$bin
}

stop_postgres() {
  [ -n "${KMB_PG_DIR:-}" ] || return 0
  local as=()
  [ "$(id -u)" = 0 ] && as=(runuser -u postgres --)
  "${as[@]}" "$KMB_PG_BIN/pg_ctl" -D "$KMB_PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$KMB_PG_DIR"
}
