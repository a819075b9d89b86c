#!/usr/bin/env bash
# A throwaway PostgreSQL for the tune tests (two workers on one study), on 127.0.0.1 only.
#
#   url=$(bash scripts/ensure_postgres.sh)    # prints the URL on stdout, what it does on stderr
#
# Installs Debian's postgresql package when no server is there (apt-get, as root), starts a
# cluster of its own under $FITDOCTOR_PG_DIR (default /tmp/fitdoctor-postgres) on port
# $FITDOCTOR_PG_PORT (default 54329), listening on 127.0.0.1 only, trust auth, and creates
# the database fitdoctor_test. Reuses the cluster when it is already running. Exits non-zero
# with a reason (and prints no URL) when it cannot; the tests then skip and say why.
set -uo pipefail

DIR="${FITDOCTOR_PG_DIR:-/tmp/fitdoctor-postgres}"
PORT="${FITDOCTOR_PG_PORT:-54329}"
DB=fitdoctor_test
USER_NAME=fitdoctor
say() { echo "ensure_postgres: $*" >&2; }
fail() { say "$*; the PostgreSQL tests will skip"; exit 1; }

find_bin() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
  done
  return 1
}

BIN="$(find_bin)"
if [ -z "$BIN" ]; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    fail "no PostgreSQL server here and no way to install one (needs apt-get as root)"
  fi
  say "installing Debian's postgresql package (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q postgresql >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q postgresql >/dev/null 2>&1; } \
    || fail "apt-get install postgresql failed"
  BIN="$(find_bin)" || fail "postgresql installed but initdb/pg_ctl not found"
fi

# postgres refuses to run as root: run it as the package's postgres user when we are root
RUN=()
OWNER="$(id -un)"
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || fail "running as root and there is no postgres user to run the server"
  RUN=(runuser -u postgres --)
  OWNER=postgres
fi

mkdir -p "$DIR"
chown "$OWNER" "$DIR" 2>/dev/null || true
chmod 700 "$DIR"
DATA="$DIR/data"
if [ ! -f "$DATA/PG_VERSION" ]; then
  say "initdb $DATA (trust auth, user $USER_NAME)"
  "${RUN[@]}" "$BIN/initdb" -D "$DATA" -U "$USER_NAME" -A trust -E UTF8 --no-sync >"$DIR/initdb.log" 2>&1 \
    || fail "initdb failed: $(tail -n 3 "$DIR/initdb.log" | tr '\n' ' ')"
fi
if ! "${RUN[@]}" "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
  say "starting PostgreSQL ($BIN) on 127.0.0.1:$PORT"
  "${RUN[@]}" "$BIN/pg_ctl" -D "$DATA" -l "$DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off -c max_connections=50" start >/dev/null \
    || fail "the server did not start: $(tail -n 3 "$DIR/server.log" 2>/dev/null | tr '\n' ' ')"
else
  say "reusing the running cluster in $DATA"
fi
PSQL=("$BIN/psql" -h 127.0.0.1 -p "$PORT" -U "$USER_NAME" -d postgres -tAq)
for _ in $(seq 1 30); do
  "${PSQL[@]}" -c "select 1" >/dev/null 2>&1 && break
  sleep 0.5
done
"${PSQL[@]}" -c "select 1" >/dev/null 2>&1 || fail "no answer on 127.0.0.1:$PORT (another server on that port?)"
if [ "$("${PSQL[@]}" -c "select 1 from pg_database where datname = '$DB'")" != 1 ]; then
  say "creating database $DB"
  "${PSQL[@]}" -c "create database $DB" >/dev/null || fail "create database $DB failed"
fi
URL="postgresql://$USER_NAME@127.0.0.1:$PORT/$DB"
echo "$URL" > "$DIR/url"
say "ready: $URL (stop it with: ${RUN[*]} $BIN/pg_ctl -D $DATA stop)"
echo "$URL"
