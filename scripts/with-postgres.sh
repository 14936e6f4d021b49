#!/usr/bin/env bash
# Run a command against an ephemeral PostgreSQL cluster, then stop and remove it.
#
#   scripts/with-postgres.sh COMMAND [ARGS...]
#
# The cluster lives in a new directory under /tmp, listens only on a Unix socket in
# that directory (no TCP, so it cannot clash with another server) and trusts local
# connections; it is tuned for speed, not durability (fsync off). COMMAND runs with
# DATABASE_URL naming an empty database "trellis" (and PGHOST/PGPORT/PGUSER set for
# psql). The cluster is removed however COMMAND ends; its exit status is passed on.
#
# PostgreSQL refuses to run as root: as root the server runs as the `postgres` user.
# When no PostgreSQL server binaries are found, root installs Debian's `postgresql`.
set -euo pipefail

if [[ $# -eq 0 ]]; then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 2
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

find_pg_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]] && echo "$dir"
  done | sort -V | tail -n 1
}

pg_bin=${PG_BIN:-$(find_pg_bin)}
if [[ -z "$pg_bin" ]]; then
  "$here/apt-ensure.sh" /usr/share/postgresql-common/pg_wrapper postgresql
  pg_bin=$(find_pg_bin)
  if [[ -z "$pg_bin" ]]; then
    echo "No PostgreSQL server binaries under /usr/lib/postgresql/*/bin after installing postgresql." >&2
    exit 1
  fi
fi

# As root, the server and its tools run as `postgres`; anyone else runs them as themselves.
if [[ $(id -u) -eq 0 ]]; then
  as_pg=(runuser -u postgres --)
else
  as_pg=()
fi

# A short path under /tmp: Unix socket paths are limited to about 100 characters, and
# the postgres user must be able to reach it.
workdir=$(mktemp -d /tmp/trellis-pg.XXXXXX)
data="$workdir/data"
log="$workdir/server.log"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cleanup() {
  local status=$?
  if [[ -f "$data/postmaster.pid" ]]; then
    "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$workdir"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ $(id -u) -eq 0 ]]; then
  chown postgres: "$workdir"
fi

"${as_pg[@]}" "$pg_bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C --no-sync >/dev/null
cat >>"$data/postgresql.conf" <<CONF
# Ephemeral test cluster (scripts/with-postgres.sh)
listen_addresses = ''
port = $port
unix_socket_directories = '$workdir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 40
CONF

if ! "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$data" -l "$log" -w -t 60 start >/dev/null; then
  echo "PostgreSQL did not start; its log:" >&2
  cat "$log" >&2 || true
  exit 1
fi

"${as_pg[@]}" "$pg_bin/createdb" -h "$workdir" -p "$port" -U postgres trellis

export PGHOST="$workdir" PGPORT="$port" PGUSER=postgres
# dj-database-url reads a socket directory as a percent-encoded host.
export DATABASE_URL="postgres://postgres@${workdir//\//%2F}:$port/trellis"
echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') running in $workdir (socket only, port $port)" >&2

set +e
"$@"
status=$?
set -e
exit "$status"
