#!/usr/bin/env bash
# Integration tests with real processes on loopback (issue 6, "Tests that
# must exist"): a real `teep tam serve` process with its SQLite store, real
# device processes (`teep device run`, which starts `teep device tee`), the
# operator's `teep tam` verbs beside the running server, and a TC signer
# (`teep manifest create`). Covers install, update, delete, policy install
# and removal, two TEEs on one device, two devices, a device with a bad
# attestation (refused), a TAM restart (killed while idle, and killed with a
# request in flight: the device retries and completes), and HTTPS (trusted CA
# and an untrusted one). The replayed QueryResponse needs one exact body sent
# twice: tests/integration/replay_test.cc.
# Usage: tam_device_test.sh TEEP_BINARY
set -uo pipefail
if [[ $# -ne 1 || ! -x $1 ]]; then
  echo "usage: $0 TEEP_BINARY" >&2
  exit 64
fi
work=$(mktemp -d)
# A private copy: the build tree's binary may be relinked while this runs
# (the device daemon starts its TEE process from /proc/self/exe).
teep="$work/bin/teep"
mkdir -p "$work/bin" && cp "$1" "$teep" || exit 1
started=$SECONDS
source "$(dirname "${BASH_SOURCE[0]}")/../cli/lib.sh"

# ---- processes --------------------------------------------------------------
# Every process this script starts is recorded here and ended by the trap,
# whatever happens: the TAMs, the device daemons, and the TEE process each
# daemon forks (recorded by pid as soon as it exists, so that an orphan
# cannot outlive the test).
pids=()
alive() {  # alive PID: one of ours, running (a zombie waiting for init to reap it is not)
  local state
  state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n $state && $state != Z ]] || return 1
  # Every command line we start names $work: a recycled pid is not ours.
  tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF "$work"
}
stop_pid() {  # stop_pid PID: SIGTERM, then SIGKILL after 3 s
  local pid="$1"
  alive "$pid" || return 0
  kill -CONT "$pid" 2>/dev/null
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 30); do alive "$pid" || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
}
cleanup() {
  local pid
  for pid in "${pids[@]}"; do stop_pid "$pid"; done
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Every teep call is bounded: a hung conversation fails the step (exit 124)
# instead of hanging the test.
t() { timeout 20 "$teep" "$@"; }

fail_now() {  # a step everything after depends on failed
  echo "FAIL $1 (stopping)"
  [[ -f $2 ]] && sed 's/^/  /' "$2" | head -20
  failed=$((failed + 1))
  echo "tam_device_test.sh: $passed passed, $failed failed"
  exit 1
}

ok() { passed=$((passed + 1)); }
not_ok() { failed=$((failed + 1)); echo "FAIL $1"; }

expect_no_text() {  # expect_no_text NAME FILE PATTERN
  if grep -qE -- "$3" "$2"; then
    failed=$((failed + 1))
    echo "FAIL $1: /$3/ in $2:"
    head -20 "$2" | sed 's/^/  /'
  else
    passed=$((passed + 1))
  fi
}

# start_tam NAME CONFIG: starts `teep tam serve`, sets tam_pid and tam_url
# from the "teep tam serve: URL" line on its stderr (appended to NAME.log,
# which keeps the lines of earlier runs).
start_tam() {
  local name="$1" config="$2" before
  touch "$work/$name.log"
  before=$(grep -c '^teep tam serve: ' "$work/$name.log")
  "$teep" tam serve --config "$config" 2>>"$work/$name.log" &
  tam_pid=$!
  pids+=("$tam_pid")
  tam_url=""
  for _ in $(seq 100); do
    if [[ $(grep -c '^teep tam serve: ' "$work/$name.log") -gt $before ]]; then
      tam_url=$(sed -n 's/^teep tam serve: //p' "$work/$name.log" | tail -1)
      return 0
    fi
    kill -0 "$tam_pid" 2>/dev/null || break
    sleep 0.1
  done
  fail_now "$name did not start" "$work/$name.log"
}

# start_device NAME [OPTIONS...]: `teep device run --state NAME` with its
# stderr in NAME.daemon.log; sets dev_pid[NAME] and tee_pid[NAME] once
# NAME/broker.sock answers.
declare -A dev_pid tee_pid
start_device() {
  local name="$1"
  shift
  "$teep" device run --state "$work/$name" "$@" 2>>"$work/$name.daemon.log" &
  dev_pid[$name]=$!
  pids+=("${dev_pid[$name]}")
  for _ in $(seq 100); do
    [[ -S $work/$name/broker.sock ]] && grep -q "serving $work/$name/broker.sock" "$work/$name.daemon.log" && break
    kill -0 "${dev_pid[$name]}" 2>/dev/null || break
    sleep 0.1
  done
  tee_pid[$name]=$(pgrep -P "${dev_pid[$name]}" | head -1)
  [[ -n ${tee_pid[$name]} ]] && pids+=("${tee_pid[$name]}")
  [[ -S $work/$name/broker.sock && -n ${tee_pid[$name]} ]] ||
    fail_now "device $name did not start" "$work/$name.daemon.log"
}

stop_device() {  # stop_device NAME: SIGTERM; the daemon stops its TEE process
  local name="$1"
  stop_pid "${dev_pid[$name]}"
  wait "${dev_pid[$name]}" 2>/dev/null
  for _ in $(seq 30); do alive "${tee_pid[$name]}" || break; sleep 0.1; done
  if alive "${tee_pid[$name]}"; then
    not_ok "the TEE process of $name outlived its daemon"
    stop_pid "${tee_pid[$name]}"
  else
    ok
  fi
}

# init_device NAME URL TAMDIR: provisions NAME to trust the TAM at URL with
# both of its keys (P-256 and Ed25519) and its TC signer, from TAMDIR.
init_device() {
  local name="$1" url="$2" tamdir="$3"
  check "device init $name" 0 t device init --state "$work/$name" \
    --tam "$url" --tam-key "$tamdir/tam-p256.pub.pem" \
    --tam "$url" --tam-key "$tamdir/tam-ed25519.pub.pem" --signer "$tamdir/signer.pub.pem"
  expect_text "device init $name prints the ueid" "$work/out" "ueid: 01[0-9a-f]{64}"
  sed -n 's/^  ueid: //p' "$work/out" >"$work/$name.ueid"
}

register() {  # register NAME CONFIG [ATTESTATION_KEY_OF]
  local name="$1" config="$2" attest="${3:-$1}"
  check "register $name" 0 t tam devices add --config "$config" \
    --teep-key "$work/$name/public/teep-key.pem" \
    --attestation-key "$work/$attest/public/attestation-key.pem" --name "$name"
  expect_text "register $name names it" "$work/out" "^device [0-9a-f]{64} \($name\) registered$"
  sed -n 's/^device \([0-9a-f]*\) .*/\1/p' "$work/out" >"$work/$name.id"
}

# The `teep tam devices` block of one device (its line, and its indented
# lines up to the next device) into $work/NAME.tam.
tam_device_block() {  # tam_device_block NAME CONFIG
  local name="$1" config="$2" id
  id=$(cat "$work/$name.id")
  check "tam devices ($name)" 0 t tam devices --config "$config"
  awk -v id="$id" '$1 == id { on = 1; print; next } /^[^ ]/ { on = 0 } on' "$work/out" >"$work/$name.tam"
}

list_device() {  # list_device NAME: `teep device list` into $work/NAME.list
  check "device list $1" 0 t device list --state "$work/$1"
  cp "$work/out" "$work/$1.list"
}

make_tc() {  # make_tc FILE SEQUENCE [OPTIONS...]: a signed TC, integrated payload
  local file="$1" sequence="$2"
  shift 2
  printf 'hello-ta version %s\n' "$sequence" >"$work/payload-$sequence.bin"
  check "manifest create $file" 0 t manifest create --key "$work/tam/signer.pem" \
    --component-id TEEP-Device SecureFS hello-ta --sequence "$sequence" \
    --payload "$work/payload-$sequence.bin" -o "$work/$file" "$@"
}

section() { echo "== $* (at $((SECONDS - started)) s)"; }
tc='TEEP-Device SecureFS hello-ta'
tc_text="\['TEEP-Device', 'SecureFS', 'hello-ta'\]"
cd "$work" || exit 1

# ---- 1. the TAM ----------------------------------------------------------------
section "1. the TAM"
check "tam init" 0 t tam init --dir "$work/tam" --port 0
expect_text "tam init names its files" out "tam.toml; TAM keys tam-p256.pem and tam-ed25519.pem"
config="$work/tam/tam.toml"
start_tam tam "$config"
expect_text "tam serves HTTP on loopback" tam.log "^teep tam serve: http://127\.0\.0\.1:[0-9]+/tam$"
[[ $tam_url =~ ^http://127\.0\.0\.1:[0-9]+/tam$ ]] && ok || not_ok "tam URL parsed: $tam_url"
tam_port=${tam_url#http://127.0.0.1:}
tam_port=${tam_port%/tam}
[[ $tam_port =~ ^[0-9]+$ && $tam_port -gt 0 ]] && ok || not_ok "tam port from $tam_url"
# The restart of step 10 must come back on the same port: pin it now (the
# server read tam.toml at start).
sed -i "s/^listen = \"127\.0\.0\.1:0\"$/listen = \"127.0.0.1:$tam_port\"/" "$config"
expect_text "tam.toml pinned to the port" "$config" "^listen = \"127\.0\.0\.1:$tam_port\"$"

# ---- 2. device A ---------------------------------------------------------------
section "2. device A"
init_device devA "$tam_url" "$work/tam"
register devA "$config"
start_device devA
list_device devA
expect_text "devA starts empty" devA.list "^no Trusted Components installed$"

# ---- 3. install ----------------------------------------------------------------
section "3. install"
check "tc list, empty" 0 t tam tc list --config "$config"
expect_text "repository empty" out "the repository is empty"
make_tc tc1.suit 1
check "tc add sequence 1" 0 t tam tc add --config "$config" "$work/tc1.suit"
expect_text "tc add names it" out "^added $tc_text sequence 1$"
check "request-ta" 0 t device request-ta --state "$work/devA" $tc
expect_text "request-ta: a completed conversation" out "^$tam_url: conversation completed"
list_device devA
expect_text "installed, sequence 1" devA.list "^$tc_text  sequence 1  [0-9]+ bytes$"
tam_device_block devA "$config"
expect_text "tam: devA attestation affirming" devA.tam "^  attestation: affirming$"
expect_text "tam: devA holds sequence 1" devA.tam "^  holds $tc_text sequence 1$"
expect_no_text "tam: devA last contact recorded" devA.tam "last contact: never"
check "audit" 0 t tam audit --config "$config"
expect_text "audit: the install" out "update  1 to install, 0 to remove"
expect_text "audit: its success" out "success  1 installed, 0 removed"
# The installed image is the signer's payload (one component in the store).
if cmp -s devA/tcs/current/components/* payload-1.bin; then ok; else not_ok "devA's store holds payload 1"; fi

# ---- 4. update -----------------------------------------------------------------
section "4. update"
make_tc tc2.suit 2
check "tc add sequence 2" 0 t tam tc add --config "$config" "$work/tc2.suit"
expect_text "tc add sequence 2 named" out "^added $tc_text sequence 2$"
check "tc add sequence 1 again" 1 t tam tc add --config "$config" "$work/tc1.suit"
expect_text "tc add: a sequence is stored once" err "sequence number 1 is already stored"
check "tc list" 0 t tam tc list --config "$config"
expect_text "tc list: latest is 2" out "^$tc_text  sequence 2  "
check "policy-check: update" 0 t device policy-check --state "$work/devA"
expect_text "policy-check completed" out "^$tam_url: conversation completed"
list_device devA
expect_text "updated to sequence 2" devA.list "^$tc_text  sequence 2  "
tam_device_block devA "$config"
expect_text "tam: devA holds sequence 2" devA.tam "^  holds $tc_text sequence 2$"
check "policy-check: nothing to do" 0 t device policy-check --state "$work/devA"
check "audit" 0 t tam audit --config "$config"
expect_text "audit: up to date" out "query-response  up to date"

# ---- 5. delete -----------------------------------------------------------------
section "5. delete"
check "unrequest-ta" 0 t device unrequest-ta --state "$work/devA" $tc
expect_text "unrequest-ta completed" out "^$tam_url: conversation completed"
list_device devA
expect_text "deleted" devA.list "^no Trusted Components installed$"
tam_device_block devA "$config"
expect_no_text "tam: devA holds nothing" devA.tam "holds"
check "audit" 0 t tam audit --config "$config"
expect_text "audit: the removal" out "update  0 to install, 1 to remove"

# ---- 6. policy install and removal ---------------------------------------------
section "6. policy install and removal"
check "policy install, unknown TC" 1 t tam policy install --config "$config" TEEP-Device SecureFS nope --target all
check "policy install, bad target" 64 t tam policy install --config "$config" $tc --target everyone
check "policy install" 0 t tam policy install --config "$config" $tc --target all
expect_text "policy install says so" out "^all must hold $tc_text$"
check "policy-check: policy install" 0 t device policy-check --state "$work/devA"
list_device devA
expect_text "installed by policy, sequence 2" devA.list "^$tc_text  sequence 2  "
tam_device_block devA "$config"
expect_text "tam: devA holds sequence 2 again" devA.tam "^  holds $tc_text sequence 2$"
check "policy remove" 0 t tam policy remove --config "$config" $tc --target all
expect_text "policy remove says so" out "^all must not hold $tc_text$"
check "policy list" 0 t tam policy list --config "$config"
expect_text "policy list: remove" out "^all  remove   $tc_text$"
check "policy-check: policy removal" 0 t device policy-check --state "$work/devA"
list_device devA
expect_text "removed by policy" devA.list "^no Trusted Components installed$"
tam_device_block devA "$config"
expect_no_text "tam: devA holds nothing again" devA.tam "holds"
# From here on every device must hold it.
check "policy install again" 0 t tam policy install --config "$config" $tc --target all

# ---- 7. two TEEs on one device ------------------------------------------------
section "7. two TEEs on one device"
# devA2 is a second simulated TEE (its own state, identity and keys, its own
# daemon and TEE process) next to devA.
init_device devA2 "$tam_url" "$work/tam"
register devA2 "$config"
start_device devA2
if [[ $(cat devA.ueid) != "$(cat devA2.ueid)" && -s devA.ueid ]]; then ok; else not_ok "devA and devA2 have distinct ueids"; fi
if cmp -s devA/public/teep-key.pem devA2/public/teep-key.pem; then not_ok "devA2 has its own TEEP key"; else ok; fi
if [[ $(cat devA.id) != "$(cat devA2.id)" ]]; then ok; else not_ok "devA and devA2 are distinct TAM devices"; fi
for d in devA devA2; do
  check "policy-check $d" 0 t device policy-check --state "$work/$d"
  list_device $d
  expect_text "$d holds it by policy" $d.list "^$tc_text  sequence 2  "
  tam_device_block $d "$config"
  expect_text "tam: $d affirming" $d.tam "^  attestation: affirming$"
  expect_text "tam: $d holds sequence 2" $d.tam "^  holds $tc_text sequence 2$"
done
# Each TEE has its own store: deleting from one leaves the other alone.
if [[ $(stat -c %i devA/tcs) != "$(stat -c %i devA2/tcs)" ]]; then ok; else not_ok "separate stores"; fi

# ---- 8. a second device --------------------------------------------------------
section "8. a second device"
init_device devB "$tam_url" "$work/tam"
register devB "$config"
start_device devB
list_device devB
expect_text "devB starts empty" devB.list "^no Trusted Components installed$"
check "policy-check devB" 0 t device policy-check --state "$work/devB"
list_device devB
expect_text "devB holds it" devB.list "^$tc_text  sequence 2  "
# Independent: a TC that policy gives devB alone does not reach devA.
printf 'b-only\n' >b-only.bin
check "manifest create b-only" 0 t manifest create --key "$work/tam/signer.pem" \
  --component-id TEEP-Device SecureFS b-only --sequence 1 --payload "$work/b-only.bin" -o "$work/b-only.suit"
check "tc add b-only" 0 t tam tc add --config "$config" "$work/b-only.suit"
check "policy install for devB only" 0 t tam policy install --config "$config" TEEP-Device SecureFS b-only \
  --target "device:$(cat devB.id)"
check "policy-check devB (b-only)" 0 t device policy-check --state "$work/devB"
list_device devB
expect_text "devB holds its own TC" devB.list "^\['TEEP-Device', 'SecureFS', 'b-only'\]  sequence 1  "
expect_text "devB still holds the common TC" devB.list "^$tc_text  sequence 2  "
check "policy-check devA (b-only)" 0 t device policy-check --state "$work/devA"
list_device devA
expect_no_text "devA does not get devB's TC" devA.list "b-only"
tam_device_block devB "$config"
expect_text "tam: devB holds b-only" devB.tam "^  holds \['TEEP-Device', 'SecureFS', 'b-only'\] sequence 1$"
tam_device_block devA "$config"
expect_no_text "tam: devA does not hold b-only" devA.tam "b-only"
check "tam devices" 0 t tam devices --config "$config"
for d in devA devA2 devB; do expect_text "tam devices lists $d" out "^$(cat $d.id)  $d$"; done

# ---- 9. a device with a bad attestation ---------------------------------------
section "9. a device with a bad attestation"
# devC is registered with devB's attestation key: its TEEP key verifies its
# messages, but its Evidence (signed with its own attestation key) must not.
init_device devC "$tam_url" "$work/tam"
register devC "$config" devB
start_device devC
# The conversation itself runs (the TAM answers with an Update carrying
# err-code 7 and installs nothing); today the device reports it as completed
# (exit 0), so only "it ran, not a transport failure or a hang" is asserted
# here, and the outcome below.
t device request-ta --state "$work/devC" $tc >devC.request 2>&1
rc=$?
if [[ $rc -eq 0 || $rc -eq 2 ]]; then ok; else not_ok "request-ta, bad attestation: exit $rc"; cat devC.request; fi
expect_text "request-ta, bad attestation: the TAM answered" devC.request "^$tam_url: "
list_device devC
expect_text "devC: nothing installed" devC.list "^no Trusted Components installed$"
t device policy-check --state "$work/devC" >devC.check 2>&1
rc=$?
if [[ $rc -eq 0 || $rc -eq 2 ]]; then ok; else not_ok "policy-check, bad attestation: exit $rc"; cat devC.check; fi
list_device devC
expect_text "devC: still nothing installed" devC.list "^no Trusted Components installed$"
tam_device_block devC "$config"
expect_text "tam: devC refused" devC.tam "^  attestation: refused: "
expect_no_text "tam: devC holds nothing" devC.tam "holds"
check "audit" 0 t tam audit --config "$config" --limit 100
expect_text "audit: attestation-refused for devC" out "  $(cut -c1-16 devC.id)  attestation-refused  "
expect_text "tam devices: devB still affirming" <(t tam devices --config "$config" | grep -A1 "^$(cat devB.id)") "attestation: affirming"

# ---- 10. TAM restart -----------------------------------------------------------
section "10. TAM restart"
# (a) killed while idle: SIGKILL, no chance to flush anything. (b) With the
# TAM gone the device's policy check fails cleanly (exit 2, "connection
# refused", nothing changes on the device). (c) Killed with a request in
# flight: SIGSTOP the TAM, start a policy check (its POST is accepted by the
# kernel and waits), SIGKILL the TAM: the check fails (exit 2) and nothing
# changes. (d) Restarted on the same port: a daemon with --interval 1 retries
# by itself and completes the update published while the TAM was down; the
# TAM's state (devices, holds, policy, repository) survived. (A restart
# between QueryRequest and QueryResponse, on the token stored in SQLite, is
# in replay_test.cc: bash cannot time that.)
tam_device_block devA "$config"
cp devA.tam devA.tam.before
{ kill -KILL "$tam_pid"; wait "$tam_pid"; } 2>/dev/null
make_tc tc3.suit 3
check "tc add sequence 3 while the TAM is down" 0 t tam tc add --config "$config" "$work/tc3.suit"
check "policy-check, TAM down" 2 t device policy-check --state "$work/devA"
expect_text "TAM down: connection refused" err "POST $tam_url: connection refused"
list_device devA
expect_text "TAM down: devA unchanged" devA.list "^$tc_text  sequence 2  "

start_tam tam "$config"
if [[ $tam_url == "http://127.0.0.1:$tam_port/tam" ]]; then ok; else not_ok "restart on the same port ($tam_url)"; fi
tam_device_block devA "$config"
if cmp -s devA.tam devA.tam.before; then ok; else not_ok "the TAM's record of devA survived SIGKILL"; diff devA.tam.before devA.tam; fi
kill -STOP "$tam_pid"
timeout 20 "$teep" device policy-check --state "$work/devA" >inflight.out 2>inflight.err &
inflight=$!
pids+=("$inflight")
sleep 0.5
if kill -0 "$inflight" 2>/dev/null; then ok; else not_ok "the policy check waits for the stopped TAM"; fi
{ kill -KILL "$tam_pid"; wait "$inflight"; inflight_rc=$?; } 2>/dev/null
if [[ $inflight_rc -eq 2 ]]; then ok; else not_ok "policy-check cut in flight: exit $inflight_rc, wanted 2"; sed 's/^/  /' inflight.err; fi
expect_text "cut in flight: names the TAM and the cut" inflight.err "POST $tam_url: connection (lost|refused|reset)"
wait "$tam_pid" 2>/dev/null
expect_text "cut in flight: the TAM process is gone" <(alive "$tam_pid" || echo gone) "^gone$"
list_device devA
expect_text "cut in flight: devA unchanged" devA.list "^$tc_text  sequence 2  "

# A daemon that checks every second, started while the TAM is down.
stop_device devA
start_device devA --interval 1
for _ in $(seq 50); do grep -q "policy check: POST $tam_url: connection refused" devA.daemon.log && break; sleep 0.1; done
expect_text "periodic check fails while the TAM is down" devA.daemon.log "policy check: POST $tam_url: connection refused"
start_tam tam "$config"
if [[ $tam_url == "http://127.0.0.1:$tam_port/tam" ]]; then ok; else not_ok "second restart on the same port ($tam_url)"; fi
updated=""
for _ in $(seq 50); do
  t device list --state "$work/devA" >devA.list 2>&1
  grep -qE "^$tc_text  sequence 3  " devA.list && { updated=1; break; }
  sleep 0.1
done
[[ -n $updated ]] && ok || not_ok "the device retried and completed the update after the restart"
expect_text "periodic check completed after the restart" devA.daemon.log "policy check: $tam_url: conversation completed"
tam_device_block devA "$config"
expect_text "tam after restart: devA still registered" devA.tam "^$(cat devA.id)  devA$"
expect_text "tam after restart: affirming" devA.tam "^  attestation: affirming$"
expect_text "tam after restart: holds sequence 3" devA.tam "^  holds $tc_text sequence 3$"
stop_device devA
start_device devA
check "policy-check after the restart" 0 t device policy-check --state "$work/devA"
expect_text "after the restart: completed" out "^$tam_url: conversation completed"
for d in devA2 devB; do
  check "policy-check $d after the restart" 0 t device policy-check --state "$work/$d"
  list_device $d
  expect_text "$d updated to 3 after the restart" $d.list "^$tc_text  sequence 3  "
done

# ---- 11. HTTPS -----------------------------------------------------------------
section "11. HTTPS"
check "tam init (https)" 0 t tam init --dir "$work/tamh" --port 0
check "self-signed certificate" 0 openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -days 1 \
  -keyout "$work/tamh/tls-key.pem" -out "$work/tamh/tls-cert.pem"
printf '\n[tls]\ncert = "tls-cert.pem"\nkey = "tls-key.pem"\n' >>"$work/tamh/tam.toml"
hconfig="$work/tamh/tam.toml"
start_tam tamh "$hconfig"
expect_text "tam serves HTTPS" tamh.log "^teep tam serve: https://127\.0\.0\.1:[0-9]+/tam$"
https_url="$tam_url"
[[ $https_url != "http://127.0.0.1:$tam_port/tam" ]] && ok || not_ok "https on another port"
init_device devH "$https_url" "$work/tamh"
register devH "$hconfig"
# This TAM has its own TC signer: a TC of the first one's is refused.
check "tc add, another TAM's signer" 2 t tam tc add --config "$hconfig" "$work/tc1.suit"
# Signed by its signer, the payload encrypted to devH (ECDH-ES + A128KW).
check "manifest create (https TAM signer, encrypted)" 0 t manifest create --key "$work/tamh/signer.pem" \
  --component-id TEEP-Device SecureFS hello-ta --sequence 1 --payload "$work/payload-1.bin" \
  --encrypt-to "$work/devH/public/payload-key.pem" -o "$work/tch.suit"
check "tc add (https TAM)" 0 t tam tc add --config "$hconfig" "$work/tch.suit"
start_device devH --ca-file "$work/tamh/tls-cert.pem"
check "request-ta over https" 0 t device request-ta --state "$work/devH" $tc
expect_text "https conversation completed" out "^$https_url: conversation completed"
list_device devH
expect_text "installed over https" devH.list "^$tc_text  sequence 1  "
if cmp -s devH/tcs/current/components/* payload-1.bin; then ok; else not_ok "devH decrypted the payload"; fi
tam_device_block devH "$hconfig"
expect_text "tam (https): devH holds sequence 1" devH.tam "^  holds $tc_text sequence 1$"
stop_device devH
start_device devH
check "policy-check, untrusted certificate" 2 t device policy-check --state "$work/devH"
expect_text "untrusted certificate named" err "POST $https_url: the server's TLS certificate is not trusted"
list_device devH
expect_text "untrusted TAM: devH unchanged" devH.list "^$tc_text  sequence 1  "
stop_device devH

# ---- end -----------------------------------------------------------------------
for d in devA devA2 devB devC; do stop_device $d; done
if [[ $failed -ne 0 ]]; then
  for log in tam tamh; do [[ -f $log.log ]] && { echo "--- $log.log"; tail -40 $log.log; }; done
fi
elapsed=$((SECONDS - started))
[[ $elapsed -lt 60 ]] && ok || not_ok "runtime ${elapsed}s, wanted < 60 s"
echo "tam_device_test.sh: $passed passed, $failed failed (${elapsed}s)"
[[ $failed -eq 0 ]]
