#!/usr/bin/env bash
# Starts a streaming physical replica (hot standby) of the local PostgreSQL server, for the read
# replica tests (tests/reliability/replica.reliability.ts): the primary on 127.0.0.1:5432 (a
# Debian cluster, user postgres, trust authentication), the standby on 127.0.0.1:5433.
#
# Idempotent: a standby already answering on the replica port is left as it is (its replay is
# resumed if a test left it paused); a stopped one is started again; a missing or unusable one is
# made afresh with pg_basebackup. Prints the DATABASE_READ_URL to use on its last line.
#
# Runs as root (the pg tools then run as the postgres user) or as the postgres user.
#
#   tests/reliability/start-replica.sh
#   DATABASE_READ_URL=postgres://postgres@127.0.0.1:5433/postgres npm run test:reliability
#
# Settings (environment): PRIMARY_HOST (127.0.0.1), PRIMARY_PORT (5432), REPLICA_PORT (5433),
# REPLICA_DIR (/var/lib/postgresql/tessera-replica), REPLICA_SLOT (tessera_replica),
# PG_BIN (the newest /usr/lib/postgresql/<version>/bin), REPLICA_WAIT_SECONDS (60).
set -euo pipefail

PRIMARY_HOST=${PRIMARY_HOST:-127.0.0.1}
PRIMARY_PORT=${PRIMARY_PORT:-5432}
REPLICA_PORT=${REPLICA_PORT:-5433}
REPLICA_DIR=${REPLICA_DIR:-/var/lib/postgresql/tessera-replica}
REPLICA_SLOT=${REPLICA_SLOT:-tessera_replica}
REPLICA_LOG=${REPLICA_LOG:-${REPLICA_DIR}.log}
WAIT_SECONDS=${REPLICA_WAIT_SECONDS:-60}
READ_URL="postgres://postgres@${PRIMARY_HOST}:${REPLICA_PORT}/postgres"

log() { printf 'start-replica: %s\n' "$*" >&2; }
die() {
  log "$*"
  exit 1
}

if [[ -z "${PG_BIN:-}" ]]; then
  # The tools of the primary's major version: a standby runs the same major version.
  newest=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  psql_any=$(command -v psql || echo "$newest/psql")
  version=$("$psql_any" -X -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres -d postgres -Atqc 'show server_version_num' 2>/dev/null || true)
  if [[ -n "$version" && -d "/usr/lib/postgresql/$((version / 10000))/bin" ]]; then
    PG_BIN="/usr/lib/postgresql/$((version / 10000))/bin"
  elif [[ -n "$newest" ]]; then
    PG_BIN=$newest
  else
    PG_BIN=$(dirname "$(command -v pg_ctl || command -v pg_basebackup || echo /usr/bin/x)")
  fi
fi
[[ -x "$PG_BIN/pg_ctl" && -x "$PG_BIN/pg_basebackup" ]] || die "no pg_ctl / pg_basebackup in $PG_BIN (set PG_BIN)"

# The pg tools run as the postgres user: the data directory must belong to it.
as_postgres() {
  if [[ "$(id -un)" == postgres ]]; then
    "$@"
  elif [[ "$(id -u)" == 0 ]]; then
    runuser -u postgres -- "$@"
  else
    die "run as root or as the postgres user"
  fi
}

psql_at() { # psql_at <port> <sql>: one value, unaligned
  "$PG_BIN/psql" -X -h "$PRIMARY_HOST" -p "$1" -U postgres -d postgres -Atqc "$2"
}

replica_in_recovery() {
  [[ "$(psql_at "$REPLICA_PORT" 'select pg_is_in_recovery()' 2>/dev/null || true)" == t ]]
}

wait_for_replica() {
  local deadline=$((SECONDS + WAIT_SECONDS))
  until "$PG_BIN/pg_isready" -q -h "$PRIMARY_HOST" -p "$REPLICA_PORT" && replica_in_recovery; do
    ((SECONDS < deadline)) || {
      tail -n 30 "$REPLICA_LOG" >&2 2>/dev/null || true
      return 1
    }
    sleep 0.5
  done
}

ready() {
  # A test that failed before resuming replay would leave the standby behind the primary.
  psql_at "$REPLICA_PORT" "select pg_wal_replay_resume() where pg_get_wal_replay_pause_state() <> 'not paused'" >/dev/null
  local streaming
  streaming=$(psql_at "$PRIMARY_PORT" "select count(*) from pg_stat_replication where state = 'streaming'")
  log "replica on port $REPLICA_PORT is a hot standby of port $PRIMARY_PORT ($streaming streaming)"
  echo "DATABASE_READ_URL=$READ_URL"
  exit 0
}

"$PG_BIN/pg_isready" -q -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" || die "no PostgreSQL answers on $PRIMARY_HOST:$PRIMARY_PORT"

# 1. Already running on the replica port?
if "$PG_BIN/pg_isready" -q -h "$PRIMARY_HOST" -p "$REPLICA_PORT"; then
  replica_in_recovery || die "a server on port $REPLICA_PORT is not a standby; stop it or set REPLICA_PORT"
  ready
fi

# 2. The primary must allow streaming replication from this host.
wal_level=$(psql_at "$PRIMARY_PORT" 'show wal_level')
[[ "$wal_level" == replica || "$wal_level" == logical ]] ||
  die "wal_level is $wal_level on the primary; set wal_level = replica and restart it"
hba_file=$(psql_at "$PRIMARY_PORT" 'show hba_file')
if [[ -z "$(psql_at "$PRIMARY_PORT" "select 1 from pg_hba_file_rules where 'replication' = any(database)
    and type = 'host' and auth_method = 'trust' and address in ('127.0.0.1', 'all', 'samehost') limit 1")" ]]; then
  log "allowing replication connections from 127.0.0.1 in $hba_file"
  printf '\n# Streaming replication to the local read replica (tests/reliability/start-replica.sh)\nhost    replication     postgres        127.0.0.1/32            trust\n' >>"$hba_file"
  psql_at "$PRIMARY_PORT" 'select pg_reload_conf()' >/dev/null
  sleep 0.5
fi

# 3. A standby made before, stopped since: start it again if it is still a standby.
start_replica() {
  as_postgres "$PG_BIN/pg_ctl" -D "$REPLICA_DIR" -l "$REPLICA_LOG" -w -t "$WAIT_SECONDS" \
    -o "-p $REPLICA_PORT -c hot_standby=on" start >/dev/null
}
if [[ -f "$REPLICA_DIR/standby.signal" && -f "$REPLICA_DIR/PG_VERSION" ]]; then
  log "starting the existing standby in $REPLICA_DIR"
  if start_replica && wait_for_replica; then ready; fi
  log "the existing standby did not come up (see $REPLICA_LOG); making it afresh"
  as_postgres "$PG_BIN/pg_ctl" -D "$REPLICA_DIR" -m immediate stop >/dev/null 2>&1 || true
fi

# 4. A fresh base backup, streaming its WAL, with a replication slot so that the primary keeps the
#    WAL the standby has not received yet.
log "taking a base backup of $PRIMARY_HOST:$PRIMARY_PORT into $REPLICA_DIR"
[[ "$REPLICA_DIR" == /*/* ]] || die "REPLICA_DIR must be an absolute path below the root: $REPLICA_DIR"
rm -rf "$REPLICA_DIR"
as_postgres mkdir -p -m 0700 "$REPLICA_DIR"
as_postgres touch "$REPLICA_LOG"
psql_at "$PRIMARY_PORT" "select pg_drop_replication_slot(slot_name) from pg_replication_slots
  where slot_name = '$REPLICA_SLOT' and not active" >/dev/null
as_postgres "$PG_BIN/pg_basebackup" -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres -D "$REPLICA_DIR" \
  -R -X stream -C -S "$REPLICA_SLOT" --checkpoint=fast

# Debian keeps a cluster's configuration in /etc/postgresql, outside its data directory: the
# standby gets its own, small one (settings that must match the primary keep their defaults).
as_postgres tee "$REPLICA_DIR/postgresql.conf" >/dev/null <<EOF
# The local read replica (tests/reliability/start-replica.sh)
listen_addresses = '$PRIMARY_HOST'
port = $REPLICA_PORT
unix_socket_directories = '/var/run/postgresql'
hot_standby = on
max_connections = $(psql_at "$PRIMARY_PORT" 'show max_connections')
max_standby_streaming_delay = 30s
autovacuum = off
EOF
as_postgres tee "$REPLICA_DIR/pg_hba.conf" >/dev/null <<EOF
local   all             all                                     trust
host    all             all             127.0.0.1/32            trust
host    replication     all             127.0.0.1/32            trust
EOF
[[ -f "$REPLICA_DIR/pg_ident.conf" ]] || as_postgres touch "$REPLICA_DIR/pg_ident.conf"

start_replica || die "the standby did not start (see $REPLICA_LOG)"
wait_for_replica || die "the standby does not answer as a hot standby on port $REPLICA_PORT (see $REPLICA_LOG)"
ready
