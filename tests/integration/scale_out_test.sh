#!/usr/bin/env bash
# Several TAM instances (issue 7): two `teep tam serve` processes on one
# PostgreSQL database behind a real HTTP load balancer (nginx, round-robin,
# no stickiness, no upstream keep-alive, so that every request is balanced
# on its own). Any instance must be able to take any step of any
# conversation: the token a QueryRequest or an Update carries is issued by
# one instance and taken by whichever one the next POST lands on.
#
#  1. a fresh database; `teep tam init`; instances A and B started together
#     (their schema migrations race on the empty database); nginx in front.
#  2. a TC for the fleet, another one that policy gives the real device; 40
#     simulated devices imported (`teep fleet devices`, `teep tam devices
#     import`) and one real device registered.
#  3. the real device (`teep device run`, its Broker and TEE process): a
#     policy install, a RequestTA and an UnrequestTA through nginx, each
#     alone on the balancer, so that nginx's access log ($upstream_addr)
#     shows where each step landed: a QueryResponse must have been taken by
#     the other instance than the one that issued its token.
#  4. `teep fleet`: the 40 devices x 4 conversations (install / remove in
#     turn) through nginx: every one completes, both instances served
#     requests, conversations were split across them.
#  5. instance A dies mid-run: a longer fleet run (20 conversations each,
#     5 retries); A is stopped (nginx keeps sending it its share, so
#     requests are in flight on it) and then SIGKILLed. nginx answers 502
#     for each of those; their devices retry and complete on B; the fleet
#     exits 0. The TAM's records then agree with the devices: the devices
#     holding the TC are exactly those whose Success was cut after their
#     Agent applied the Update. The audit has no dropped message and one
#     success per completed conversation. The real device still completes
#     a conversation, on B.
#  6. cleanup (also on failure, by the EXIT trap): nginx, both TAMs, the
#     device, the database.
#
# PostgreSQL: the server named by $TEEP_TEST_PG_STATE (the ctest fixture
# `postgres`, tests/pg/pg_server.sh); without it a private one is started.
# Usage: scale_out_test.sh TEEP_BINARY
set -euo pipefail
if [[ $# -ne 1 || ! -x $1 ]]; then
  echo "usage: $0 TEEP_BINARY" >&2
  exit 64
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
nginx_bin=${NGINX:-/usr/sbin/nginx}
[[ -x $nginx_bin ]] || { echo "scale_out_test.sh: $nginx_bin missing: run scripts/setup.sh" >&2; exit 1; }
command -v psql >/dev/null || { echo "scale_out_test.sh: psql missing: run scripts/setup.sh" >&2; exit 1; }

# shellcheck source-path=SCRIPTDIR source=../cli/lib.sh
source "$here/../cli/lib.sh"   # passed / failed, expect_text

# ---- processes and cleanup -------------------------------------------------------
# Every process this script starts is recorded in pids and ended by the trap
# (SIGTERM, then SIGKILL after 3 s), whatever happens; then the database is
# dropped and $work removed.
work=$(mktemp -d)
started=$SECONDS
pids=()
admin_url=""
db=""
own_pg_state=""
alive() {  # alive PID: one of ours, running (not a zombie); our command lines name $work
  local state
  state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n $state && $state != Z ]] || return 1
  tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF "$work"
}
stop_pid() {
  local pid="$1"
  alive "$pid" || return 0
  kill -CONT "$pid" 2>/dev/null || true
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 30); do alive "$pid" || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$? pid
  set +e
  cd /   # $work goes away; and pg_server.sh runs as postgres, which may not enter it
  for pid in "${pids[@]}"; do stop_pid "$pid"; done
  wait 2>/dev/null
  if [[ -n $db && -n $admin_url ]]; then
    psql "$admin_url" -qX -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 ||
      echo "# scale_out_test.sh: could not drop database $db"
  fi
  [[ -n $own_pg_state ]] && bash "$here/../pg/pg_server.sh" stop "$own_pg_state"
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# A private copy: the build tree's binary may be relinked while this runs
# (the device daemon starts its TEE process from /proc/self/exe).
teep="$work/bin/teep"
mkdir -p "$work/bin"
cp "$1" "$teep"

# ---- reporting -------------------------------------------------------------------
# One line per assertion: "ok - NAME" or "not ok - NAME" (then what failed,
# indented). fail_now ends the script: what follows depends on it.
pass() { passed=$((passed + 1)); echo "ok - $1"; }
fail() {
  local name="$1" f
  shift
  failed=$((failed + 1))
  echo "not ok - $name"
  for f in "$@"; do [[ -f $f ]] && { echo "  --- ${f#"$work"/}"; tail -20 "$f" | sed 's/^/  /'; }; done
  return 0
}
fail_now() {
  fail "$@"
  summary
  exit 1
}
summary() {
  echo "scale_out_test.sh: $passed passed, $failed failed ($((SECONDS - started)) s)"
}
assert() {  # assert NAME TEST...: passes when the command (a test(1) expression) does
  local name="$1"
  shift
  if "$@"; then pass "$name"; else fail "$name"; fi
}
# run NAME EXPECTED_EXIT COMMAND...: output in $work/out, $work/err
run() {
  local name="$1" want="$2" got=0
  shift 2
  "$@" >"$work/out" 2>"$work/err" || got=$?
  if [[ $got -eq $want ]]; then pass "$name"; else fail "$name (exit $got, wanted $want)" "$work/out" "$work/err"; fi
}
expect() {  # expect NAME FILE PATTERN: lib.sh's expect_text with an ok / not ok line
  local before=$failed
  expect_text "$@"
  if [[ $failed -eq $before ]]; then echo "ok - $1"; else echo "not ok - $1"; fi
}
section() { echo "# == $* (at $((SECONDS - started)) s)"; }

# Every teep call is bounded: a hung step fails (exit 124) instead of hanging the test.
t() { timeout 30 "$teep" "$@"; }
cd "$work"

# ---- 1. database, TAM instances, load balancer -----------------------------------
section "1. database, two TAM instances, nginx"
pg_state=${TEEP_TEST_PG_STATE:-}
if [[ -z $pg_state ]]; then
  own_pg_state="$work/pg.state"
  bash "$here/../pg/pg_server.sh" start "$own_pg_state" >/dev/null || fail_now "a private PostgreSQL server"
  pg_state=$own_pg_state
fi
[[ -f $pg_state ]] || fail_now "the PostgreSQL state file $pg_state exists"
admin_url=$(sed -n 's/^url=//p' "$pg_state")
[[ $admin_url == postgresql://*/postgres ]] || fail_now "a PostgreSQL URL in $pg_state"
db="teep_scale_$$"
run "create database $db" 0 psql "$admin_url" -qX -c "CREATE DATABASE $db"
[[ $failed -eq 0 ]] || fail_now "no database"
db_url="${admin_url%/postgres}/$db"
password=${admin_url#postgresql://*:}
password=${password%%@*}

run "tam init" 0 t tam init --dir "$work/tam" --port 0
tamdir="$work/tam"
config="$tamdir/tam.toml"
tam_op() { t tam "$@" --config "$config" --database "$db_url"; }  # an operator verb on the shared store

# launch_tam NAME: `teep tam serve` on the shared database, on a port of its
# own (listen = 127.0.0.1:0), stderr in NAME.log; await_tam NAME sets
# url[NAME] and port[NAME] from its "teep tam serve: URL" line. Both
# instances read the same tam.toml: the same keys, TC signers, attestation
# and policy settings.
declare -A url port pid
launch_tam() {
  "$teep" tam serve --config "$config" --database "$db_url" 2>>"$work/$1.log" &
  pid[$1]=$!
  pids+=("${pid[$1]}")
}
await_tam() {
  local name="$1"
  for _ in $(seq 150); do
    url[$name]=$(sed -n 's/^teep tam serve: //p' "$work/$name.log" | tail -1)
    [[ -n ${url[$name]} ]] && break
    kill -0 "${pid[$name]}" 2>/dev/null || break
    sleep 0.1
  done
  [[ ${url[$name]} =~ ^http://127\.0\.0\.1:([0-9]+)/tam$ ]] || fail_now "instance $name started" "$work/$name.log"
  port[$name]=${BASH_REMATCH[1]}
  pass "instance $name serves ${url[$name]}"
}
# Started together on the empty database: the schema migration is
# serialised by the store (an advisory lock), not by this script.
launch_tam A
launch_tam B
await_tam A
await_tam B
assert "the instances listen on different ports" [ "${port[A]}" != "${port[B]}" ]
expect "A names its database" A.log "^teep tam: database postgresql://teep:\*\*\*@127\.0\.0\.1:[0-9]+/$db$"
if grep -qF -- "$password" A.log B.log; then fail "the password stays out of the logs"; else pass "the password stays out of the logs"; fi

# nginx: one process (master_process off, so nothing runs as another user
# and there is one round-robin state), everything under $work/nginx.
# Upstream keep-alive is off so that each request is balanced on its own;
# client keep-alive stays on, so that nginx's $connection groups the
# requests of one fleet worker (one conversation after another).
mkdir -p "$work/nginx"
lb_port=""
port_is_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for _ in 1 2 3 4 5 6; do
  p=$((20000 + RANDOM % 40000))
  port_is_free "$p" || continue
  cat >"$work/nginx/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
error_log $work/nginx/error.log info;
pid $work/nginx/nginx.pid;
events { worker_connections 512; }
http {
  client_body_temp_path $work/nginx/client_body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  # time|client connection|request|request body length|status|upstream(s) tried|their statuses
  log_format teep '\$msec|\$connection|\$request_method \$uri|\$content_length|\$status|\$upstream_addr|\$upstream_status';
  access_log $work/nginx/access.log teep;
  keepalive_requests 100000;
  upstream tam {
    server 127.0.0.1:${port[A]};
    server 127.0.0.1:${port[B]};
  }
  server {
    listen 127.0.0.1:$p;
    location /tam {
      proxy_pass http://tam;
      proxy_http_version 1.1;
      proxy_set_header Connection "close";
    }
  }
}
EOF
  "$nginx_bin" -p "$work/nginx/" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" \
    2>>"$work/nginx/stderr.log" &
  pid[nginx]=$!
  pids+=("${pid[nginx]}")
  for _ in $(seq 50); do
    kill -0 "${pid[nginx]}" 2>/dev/null || break
    port_is_free "$p" || { lb_port=$p; break; }
    sleep 0.1
  done
  [[ -n $lb_port ]] && break
  stop_pid "${pid[nginx]}"
done
[[ -n $lb_port ]] || fail_now "nginx started" "$work/nginx/error.log" "$work/nginx/stderr.log"
lb="http://127.0.0.1:$lb_port/tam"
pass "nginx balances $lb over ${port[A]} and ${port[B]}"
access="$work/nginx/access.log"
touch "$access"
lines() { wc -l <"$access"; }

# ---- 2. repository, devices, policy ----------------------------------------------
section "2. repository, devices, policy"
tc_words='TEEP-Device SecureFS scale-ta'
tc_text="\['TEEP-Device', 'SecureFS', 'scale-ta'\]"
pol_words='TEEP-Device SecureFS policy-ta'
pol_text="\['TEEP-Device', 'SecureFS', 'policy-ta'\]"
printf 'scale-ta version 1\n' >scale-ta.bin
printf 'policy-ta version 1\n' >policy-ta.bin
# shellcheck disable=SC2086  # the component ids are word lists
run "manifest create scale-ta" 0 t manifest create --key "$tamdir/signer.pem" --component-id $tc_words \
  --sequence 1 --payload scale-ta.bin -o scale-ta.suit
# shellcheck disable=SC2086
run "manifest create policy-ta" 0 t manifest create --key "$tamdir/signer.pem" --component-id $pol_words \
  --sequence 1 --payload policy-ta.bin -o policy-ta.suit
run "tc add scale-ta" 0 tam_op tc add scale-ta.suit
run "tc add policy-ta" 0 tam_op tc add policy-ta.suit

fleet_devices=40
run "fleet devices" 0 t fleet devices --devices "$fleet_devices" --out fleet.devices
run "tam devices import" 0 tam_op devices import fleet.devices
expect "import: every device new" out "^imported $fleet_devices devices: $fleet_devices new, 0 already registered"

# The real device trusts the balancer's URL, with both TAM keys.
run "device init" 0 t device init --state "$work/dev" --tam "$lb" --tam-key "$tamdir/tam-p256.pub.pem" \
  --tam "$lb" --tam-key "$tamdir/tam-ed25519.pub.pem" --signer "$tamdir/signer.pub.pem"
run "register the device" 0 tam_op devices add --teep-key dev/public/teep-key.pem \
  --attestation-key dev/public/attestation-key.pem --name real-device
dev_id=$(sed -n 's/^device \([0-9a-f]*\) (real-device) registered$/\1/p' out)
assert "the device's id" [ -n "$dev_id" ]
# shellcheck disable=SC2086
run "policy: the real device must hold policy-ta" 0 tam_op policy install $pol_words --target "device:$dev_id"

"$teep" device run --state "$work/dev" 2>>"$work/dev.log" &
pid[dev]=$!
pids+=("${pid[dev]}")
for _ in $(seq 100); do
  [[ -S dev/broker.sock ]] && grep -q "serving $work/dev/broker.sock" dev.log && break
  kill -0 "${pid[dev]}" 2>/dev/null || break
  sleep 0.1
done
tee_pid=$(pgrep -P "${pid[dev]}" | head -1 || true)
[[ -n $tee_pid ]] && pids+=("$tee_pid")
[[ -S dev/broker.sock && -n $tee_pid ]] || fail_now "device daemon started" dev.log

# ---- 3. a real device through the balancer ---------------------------------------
section "3. a real device, one conversation at a time"
# routes FROM TO: the upstream of each request in access.log lines FROM+1..TO
routes() { sed -n "$(($1 + 1)),$2p" "$access" | awk -F'|' '{ printf "%s%s (%s)", (NR > 1 ? ", " : ""), $6, $5 }'; }
crossed=0
# converse NAME REQUESTS VERB [ARGS...]: one conversation of the real
# device, alone on the balancer; checks that it completed, and where its
# steps landed: with nothing else in flight, its requests are consecutive
# lines of the access log (connect, QueryResponse, then Success if there
# was an Update).
converse() {
  local name="$1" want="$2" verb="$3" from to first second
  shift 3
  from=$(lines)
  run "$name" 0 t device "$verb" --state "$work/dev" "$@"
  expect "$name: completed through the balancer" out "^$lb: conversation completed"
  to=$(lines)
  echo "#   $name: $(routes "$from" "$to")"
  first=$(sed -n "$((from + 1))p" "$access" | cut -d'|' -f6)
  second=$(sed -n "$((from + 2))p" "$access" | awk -F'|' '$5 == 200 { print $6 }')
  assert "$name: $want requests through nginx" [ $((to - from)) -eq "$want" ]
  if [[ -n $first && -n $second && $first != "$second" ]]; then crossed=$((crossed + 1)); fi
}
converse "policy-check (policy install)" 3 policy-check
# shellcheck disable=SC2086
converse "request-ta scale-ta" 3 request-ta $tc_words
run "device list" 0 t device list --state "$work/dev"
expect "the device holds policy-ta" out "^$pol_text  sequence 1  "
expect "the device holds scale-ta" out "^$tc_text  sequence 1  "
# shellcheck disable=SC2086
converse "unrequest-ta scale-ta" 3 unrequest-ta $tc_words
run "device list" 0 t device list --state "$work/dev"
expect "the device holds policy-ta still" out "^$pol_text  sequence 1  "
if grep -q "scale-ta" out; then fail "scale-ta removed from the device" out; else pass "scale-ta removed from the device"; fi
# Round-robin with nothing else in flight alternates: every conversation's
# QueryResponse went to the other instance than its connect, so the token
# one instance issued was taken by the other, and the conversation went on.
assert "a QueryResponse was taken by the other instance than the one that issued its token ($crossed of 3)" \
  [ "$crossed" -ge 1 ]
run "tam devices" 0 tam_op devices
awk -v id="$dev_id" '$1 == id { on = 1; print; next } /^[^ ]/ { on = 0 } on' out >dev.tam
expect "TAM: the real device is affirming" dev.tam "^  attestation: affirming$"
expect "TAM: the real device holds policy-ta" dev.tam "^  holds $pol_text sequence 1$"
if grep -q "scale-ta" dev.tam; then fail "TAM: the real device does not hold scale-ta" dev.tam; else pass "TAM: the real device does not hold scale-ta"; fi

# ---- 4. the fleet through the balancer -------------------------------------------
section "4. fleet: $fleet_devices devices x 4 conversations through nginx"
fleet_args=(--tam "$lb" --devices "$fleet_devices" --concurrency 8 --tcs "$tc_words"
  --tam-key "$tamdir/tam-p256.pub.pem" --tam-key "$tamdir/tam-ed25519.pub.pem"
  --signer "$tamdir/signer.pub.pem" --no-progress --json)
json() {  # json FILE KEY: an integer member of the fleet's JSON report
  grep -o "\"$2\":[0-9]*" "$1" | head -1 | cut -d: -f2 || true
}
errors_json() {  # the non-zero members of "errors", as "kind n, ..."
  grep -o '"errors":{[^}]*}' "$1" | grep -o '"[a-z0-9-]*":[1-9][0-9]*' | tr -d '"' | tr ':' ' ' | paste -sd, - || true
}

# conversations FROM TO: the conversations of access.log lines FROM+1..TO.
# Lines are grouped by client connection ($connection: one fleet worker's
# kept-alive connection); an empty POST starts a conversation. A step's
# instance is the last upstream nginx tried. Prints
#   total  on-both  crossed  success-cut  outlived
# on-both: conversations with steps answered by A and by B; crossed: the
# QueryResponse answered (200) by another instance than its connect;
# success-cut: the third request (the Success, sent after the Agent applied
# the Update) answered 502; outlived: a step answered by A, then a later one
# by B after A's last answer (A's token taken while A no longer answered).
conversations() {
  sed -n "$(($1 + 1)),$2p" "$access" | awk -F'|' -v a="127.0.0.1:${port[A]}" -v b="127.0.0.1:${port[B]}" '
    { c = $2
      if ($4 == "0" || $4 == "-" || !(c in cur)) { n++; cur[c] = n; pos[n] = 0 }
      k = cur[c]; p = ++pos[k]
      u = $6; sub(/.*, /, "", u)
      up[k, p] = u; st[k, p] = $5; ln[k, p] = NR
      ok = ($5 == 200 || $5 == 204)
      if (ok && u == a) last_a = NR }
    END {
      both = crossed = cut = outlived = 0
      for (k = 1; k <= n; k++) {
        sa = sb = from_a = late_b = 0
        for (p = 1; p <= pos[k]; p++) {
          ok = (st[k, p] == 200 || st[k, p] == 204)
          if (ok && up[k, p] == a) { sa = 1; from_a = 1 }
          if (ok && up[k, p] == b) { sb = 1; if (from_a && ln[k, p] > last_a) late_b = 1 }
        }
        if (sa && sb) both++
        if (late_b) outlived++
        if (pos[k] >= 2 && st[k, 1] == 200 && st[k, 2] == 200 && up[k, 1] != up[k, 2]) crossed++
        if (pos[k] >= 3 && st[k, 3] == 502) cut++
      }
      print n, both, crossed, cut, outlived
    }'
}

from=$(lines)
rc=0
timeout 120 "$teep" fleet "${fleet_args[@]}" --conversations 4 >fleet1.json 2>fleet1.err || rc=$?
to=$(lines)
assert "fleet run: exit 0" [ "$rc" -eq 0 ]
[[ $rc -eq 0 ]] || fail "fleet run output" fleet1.json fleet1.err
echo "#   $(tr -d '\n' <fleet1.json | cut -c1-400)"
assert "fleet run: $((fleet_devices * 4)) exchanges" [ "$(json fleet1.json exchanges)" == $((fleet_devices * 4)) ]
assert "fleet run: no error ($(errors_json fleet1.json))" [ "$(json fleet1.json errors_total)" == 0 ]
assert "fleet run: every device completed" [ "$(json fleet1.json devices_completed)" == "$fleet_devices" ]
sed -n "$((from + 1)),${to}p" "$access" >run1.log
served_a=$(grep -c "|127\.0\.0\.1:${port[A]}|" run1.log || true)
served_b=$(grep -c "|127\.0\.0\.1:${port[B]}|" run1.log || true)
echo "#   requests: $((to - from)), served by A: $served_a, by B: $served_b"
assert "fleet run: $((fleet_devices * 4 * 3)) requests through nginx (connect, QueryResponse, Success)" \
  [ $((to - from)) -eq $((fleet_devices * 4 * 3)) ]
assert "fleet run: both instances served requests" [ "$served_a" -gt 0 -a "$served_b" -gt 0 ]
# Fields of access.log: 5 is the status, 6 the upstream(s) tried.
not_2xx() { awk -F'|' '$5 != 200 && $5 != 204' "$1"; }
not_2xx run1.log >run1.bad
if [[ -s run1.bad ]]; then fail "fleet run: every request answered 200 or 204" run1.bad; else pass "fleet run: every request answered 200 or 204"; fi
read -r total both crossed cut outlived <<<"$(conversations "$from" "$to")"
echo "#   conversations in the log: $total; on both instances: $both; QueryResponse at the other instance: $crossed"
assert "fleet run: the log shows $((fleet_devices * 4)) conversations" [ "$total" -eq $((fleet_devices * 4)) ]
assert "fleet run: conversations whose steps landed on both instances" [ "$both" -ge 1 ]
assert "fleet run: QueryResponses taken by the other instance than their connect" [ "$crossed" -ge 1 ]
run "tam devices" 0 tam_op devices
cp out devices1.txt
assert "TAM: $((fleet_devices + 1)) devices affirming" \
  [ "$(grep -c '^  attestation: affirming$' devices1.txt)" -eq $((fleet_devices + 1)) ]
assert "TAM: after 4 conversations (install, remove, install, remove) no fleet device holds scale-ta" \
  [ "$(grep -c "^  holds $tc_text" devices1.txt || true)" -eq 0 ]

# ---- 5. an instance dies mid-run -------------------------------------------------
section "5. instance A dies mid-run"
kill_conversations=20
from=$(lines)
timeout 180 "$teep" fleet "${fleet_args[@]}" --conversations "$kill_conversations" --retries 5 \
  >fleet2.json 2>fleet2.err &
pid[fleet]=$!
pids+=("${pid[fleet]}")
# Mid-run: once a few hundred requests went through. Then A stops answering
# (SIGSTOP: nginx keeps sending it its share, the kernel queues them) and,
# with requests in flight on it, is killed: nginx answers 502 for each.
for _ in $(seq 300); do
  [[ $(($(lines) - from)) -ge 300 ]] && break
  kill -0 "${pid[fleet]}" 2>/dev/null || break
  sleep 0.05
done
before_kill=$(($(lines) - from))
kill -0 "${pid[fleet]}" 2>/dev/null && running=1 || running=0
assert "the fleet is mid-run ($before_kill requests so far)" [ "$running" -eq 1 -a "$before_kill" -ge 300 ]
kill -STOP "${pid[A]}"
sleep 0.5
{ kill -KILL "${pid[A]}"; wait "${pid[A]}" || true; } 2>/dev/null
killed_at=$(lines)
pass "instance A stopped with requests in flight, then SIGKILLed"
rc=0
wait "${pid[fleet]}" || rc=$?
to=$(lines)
echo "#   $(tr -d '\n' <fleet2.json | cut -c1-600)"
assert "fleet run with a kill: exit 0 (every device completed)" [ "$rc" -eq 0 ]
[[ $rc -eq 0 ]] || fail "fleet run output" fleet2.json fleet2.err
exchanges=$(json fleet2.json exchanges)
exchanges=${exchanges:-0}
errors=$(json fleet2.json errors_total)
errors=${errors:-0}
kinds=$(errors_json fleet2.json)
assert "fleet run with a kill: $((fleet_devices * kill_conversations)) exchanges" \
  [ "$exchanges" == $((fleet_devices * kill_conversations)) ]
assert "fleet run with a kill: every device completed, none failed" \
  [ "$(json fleet2.json devices_completed)" == "$fleet_devices" -a "$(json fleet2.json devices_failed)" == 0 ]
assert "fleet run with a kill: the cut conversations were counted as errors ($errors: $kinds)" [ "$errors" -ge 1 ]
if [[ -z $(tr ',' '\n' <<<"$kinds" | awk '{ print $1 }' | grep -vxE 'http-5xx|transport|timeout' || true) ]]; then
  pass "fleet run with a kill: only transport / 5xx errors ($kinds)"
else
  fail "fleet run with a kill: only transport / 5xx errors ($kinds)" fleet2.json
fi
sed -n "$((from + 1)),${to}p" "$access" >run2.log
sed -n "$((killed_at + 1)),${to}p" "$access" >after-kill.log
bad=$(not_2xx run2.log | wc -l)
cut502=$(awk -F'|' '$5 == 502' run2.log | wc -l)
failover=$(grep -c "|127\.0\.0\.1:${port[A]}, 127\.0\.0\.1:${port[B]}|" after-kill.log || true)
echo "#   requests: $((to - from)) ($before_kill before the kill); not 2xx: $bad (502: $cut502);" \
  "after the kill, tried A then B: $failover"
assert "fleet run with a kill: each error is one 502 from nginx" [ "$bad" -eq "$cut502" -a "$cut502" -eq "$errors" ]
awk -F'|' -v a="127.0.0.1:${port[A]}" '$6 == a && $5 != 502' after-kill.log >after-kill.a
if [[ -s after-kill.a ]]; then
  fail "after the kill, no request was answered by A" after-kill.a
else
  pass "after the kill, no request was answered by A"
fi
read -r total both crossed cut outlived <<<"$(conversations "$from" "$to")"
echo "#   conversations in the log: $total; on both instances: $both; crossed: $crossed; Success cut: $cut;" \
  "continued on B after A's last answer: $outlived"
assert "fleet run with a kill: $((fleet_devices * kill_conversations + errors)) conversations in the log" \
  [ "$total" -eq $((fleet_devices * kill_conversations + errors)) ]

# What the TAM says now must be what the devices hold. Each device completed
# an even number of conversations (install, remove, ...): it holds nothing,
# unless one of its conversations was cut after its Agent applied the Update
# (its Success got the 502): that flipped what it holds, its next
# conversation asked for the other thing, and every later conversation
# started with a tc-list the TAM reconciled. Those devices hold scale-ta.
run "tam devices" 0 tam_op devices
cp out devices2.txt
holders=$(grep -c "^  holds $tc_text" devices2.txt || true)
assert "TAM: $((fleet_devices + 1)) devices, all affirming" \
  [ "$(grep -c '^  attestation: affirming$' devices2.txt)" -eq $((fleet_devices + 1)) ]
assert "TAM: the devices holding scale-ta are those whose Success was cut ($holders, $cut)" [ "$holders" -eq "$cut" ]
if grep 'sequence unknown' devices2.txt >unknown.txt; then
  fail "TAM: every TC held was installed by the TAM (no sequence unknown)" unknown.txt
else
  pass "TAM: every TC held was installed by the TAM (no sequence unknown)"
fi

run "tam audit" 0 tam_op audit --limit 1000000
cp out audit.txt
if grep '  dropped  ' audit.txt >dropped.txt; then
  fail "audit: no message dropped (no token refused by another instance)" dropped.txt
else
  pass "audit: no message dropped (no token refused by another instance)"
fi
# (A Success that A committed just before it was stopped, its answer cut,
# would be one more: at most one per cut Success.)
successes=$(grep -c '  success  ' audit.txt || true)
want=$((3 + fleet_devices * 4 + exchanges))
assert "audit: one success per completed conversation ($successes, wanted $want)" \
  [ "$successes" -ge "$want" -a "$successes" -le $((want + cut)) ]

# B alone still serves the real device (nginx sends A's share to B).
# shellcheck disable=SC2086
converse "request-ta with A gone" 3 request-ta $tc_words
if tail -3 "$access" | awk -F'|' -v b="127.0.0.1:${port[B]}" '{ u = $6; sub(/.*, /, "", u); if (u != b) bad = 1 } END { exit bad }'; then
  pass "with A gone, every step landed on B"
else
  fail "with A gone, every step landed on B" "$access"
fi
run "device list" 0 t device list --state "$work/dev"
expect "the device holds scale-ta again" out "^$tc_text  sequence 1  "

# ---- end -------------------------------------------------------------------------
section "6. cleanup"
for name in dev nginx B; do stop_pid "${pid[$name]}"; done
stop_pid "$tee_pid"
assert "the device's TEE process ended with its daemon" [ -z "$(alive "$tee_pid" && echo running)" ]
if [[ $failed -ne 0 ]]; then
  for log in A.log B.log nginx/error.log dev.log; do
    [[ -f $log ]] && { echo "# --- $log"; grep -v ' \[info\] ' "$log" | tail -15 | sed 's/^/#   /'; }
  done
fi
elapsed=$((SECONDS - started))
assert "runtime ${elapsed} s, under 150 s" [ "$elapsed" -lt 150 ]
summary
[[ $failed -eq 0 ]]
