#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server on loopback for the tests (issue 7).
#
#   pg_server.sh start STATE_FILE   starts one, writes its connection URL to STATE_FILE
#   pg_server.sh stop STATE_FILE    stops it and removes everything it made
#
# The cluster lives in a fresh directory under ${TMPDIR:-/tmp}; initdb and
# pg_ctl come from /usr/lib/postgresql/15/bin (Debian's postgresql-15,
# installed by scripts/setup.sh). PostgreSQL refuses to run as root, so as
# root the server runs as the `postgres` user. It listens on 127.0.0.1 only,
# on a free port, with password (SCRAM) authentication for one role `teep`
# whose random password is in the URL; fsync is off (a test server loses
# nothing that matters in a crash). STATE_FILE also records the directory,
# for stop.
set -euo pipefail

bin=/usr/lib/postgresql/15/bin
action=${1:-}
state=${2:-}
[[ ( $action == start || $action == stop ) && -n $state ]] ||
  { echo "usage: pg_server.sh start|stop STATE_FILE" >&2; exit 2; }

# The server user may not be able to enter the caller's directory.
state=$(realpath -m "$state")
cd /

as_server_user() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [[ $action == stop ]]; then
  [[ -f $state ]] || exit 0
  dir=$(sed -n 's/^dir=//p' "$state")
  if [[ -n $dir && -d $dir ]]; then
    as_server_user "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
  fi
  rm -f "$state"
  exit 0
fi

[[ -x $bin/initdb ]] || { echo "pg_server.sh: $bin/initdb missing: run scripts/setup.sh" >&2; exit 1; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/teep-pg.XXXXXX")
chmod 700 "$dir"
[[ $(id -u) -ne 0 ]] || chown postgres: "$dir"
password=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
as_server_user sh -c "umask 077; printf '%s\n' '$password' > '$dir/pwfile'"
as_server_user "$bin/initdb" -D "$dir/data" -U teep --pwfile="$dir/pwfile" --auth=scram-sha-256 \
  --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
  { cat "$dir/initdb.log" >&2; rm -rf "$dir"; exit 1; }
rm -f "$dir/pwfile"

port_is_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for attempt in 1 2 3 4 5 6 7 8; do
  port=$((20000 + RANDOM % 40000))
  port_is_free "$port" || continue
  if as_server_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
       -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir \
           -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
           -c max_connections=300 -c shared_buffers=256MB" start >/dev/null; then
    url="postgresql://teep:$password@127.0.0.1:$port/postgres"
    umask 077
    printf 'url=%s\ndir=%s\n' "$url" "$dir" >"$state"
    echo "pg_server.sh: PostgreSQL on 127.0.0.1:$port ($dir)"
    exit 0
  fi
done
cat "$dir/server.log" >&2 || true
rm -rf "$dir"
echo "pg_server.sh: could not start PostgreSQL on a free port" >&2
exit 1
