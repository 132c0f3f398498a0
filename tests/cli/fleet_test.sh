#!/usr/bin/env bash
# End-to-end tests of the fleet simulator with real processes on loopback:
# `teep fleet devices` writes an import file, `teep tam devices import`
# registers it (idempotently; a bad line imports nothing), a real `teep tam
# serve` process, and `teep fleet` runs 20 simulated devices through
# attested install / removal conversations against it; unregistered devices
# fail with their errors counted.
# Usage: fleet_test.sh TEEP
set -uo pipefail
if [[ $# -ne 1 || ! -x $1 ]]; then
  echo "usage: $0 TEEP_BINARY" >&2
  exit 64
fi
teep=$(realpath "$1")
work=$(mktemp -d)
tam_pid=""
trap '[[ -n $tam_pid ]] && kill "$tam_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
t() { timeout 60 "$teep" "$@"; }  # a hung step fails (exit 124) instead of hanging
cd "$work" || exit 1

# ---- the TAM and the import file ---------------------------------------------------
check "tam init" 0 t tam init --dir tam --port 0
config="$work/tam/tam.toml"
check "fleet devices" 0 t fleet devices --devices 20
cp out devices.txt
expect_text "fleet devices warns about simulation keys" devices.txt "^# SIMULATION KEYS: .*Never register them for real devices"
[[ $(grep -c '^fleet-[0-9]* [A-Za-z0-9+/=]* [A-Za-z0-9+/=]*$' devices.txt) -eq 20 ]] && passed=$((passed + 1)) ||
  { failed=$((failed + 1)); echo "FAIL fleet devices: 20 device lines"; }
check "fleet devices --out" 0 t fleet devices --devices 20 --out again.txt
if cmp -s devices.txt again.txt; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL deterministic file"; fi
check "fleet devices needs --devices" 64 t fleet devices
check "fleet devices --devices 0" 64 t fleet devices --devices 0

check "import" 0 t tam devices import --config "$config" devices.txt
expect_text "import counts" out "^imported 20 devices: 20 new, 0 already registered \(0 of them changed\)$"
check "import again" 0 t tam devices import --config "$config" devices.txt
expect_text "re-import is idempotent" out "^imported 20 devices: 0 new, 20 already registered \(0 of them changed\)$"
check "tam devices" 0 t tam devices --config "$config"
[[ $(grep -cE '^[0-9a-f]{64}  fleet-[0-9]+$' out) -eq 20 ]] && passed=$((passed + 1)) ||
  { failed=$((failed + 1)); echo "FAIL tam devices lists the 20 fleet devices"; }

# Devices 20..24 with a damaged key on the file's 3rd line: nothing is imported.
t fleet devices --devices 25 | grep -E '^fleet-2[0-4] ' >more.txt
sed '3s/ MFkw/ !Fkw/' more.txt >bad.txt
check "import a bad file" 1 t tam devices import --config "$config" bad.txt
expect_text "bad line named" err "^teep tam devices import: bad.txt:3: teep-key: bad base64: "
(cat more.txt; head -1 more.txt) >twice.txt
check "import a device twice" 1 t tam devices import --config "$config" twice.txt
expect_text "duplicate named" err "^teep tam devices import: twice.txt:6: device [0-9a-f]{64} \(its teep-key\) is already on line 1$"
check "tam devices after failed imports" 0 t tam devices --config "$config"
[[ $(grep -cE '^[0-9a-f]{64}  fleet-' out) -eq 20 ]] && passed=$((passed + 1)) ||
  { failed=$((failed + 1)); echo "FAIL a failed import registered devices"; }

# ---- a TC and the server --------------------------------------------------------------
printf 'fleet TC\n' >payload.bin
check "manifest create" 0 t manifest create --key tam/signer.pem --component-id TEEP-Device SecureFS fleet-ta \
  --sequence 1 --payload payload.bin -o tc.suit
check "tc add" 0 t tam tc add --config "$config" tc.suit
"$teep" tam serve --config "$config" 2>serve.log &
tam_pid=$!
url=""
for _ in $(seq 100); do
  url=$(sed -n 's/^teep tam serve: //p' serve.log)
  [[ -n $url ]] && break
  sleep 0.1
done
[[ $url =~ ^http://127\.0\.0\.1:[0-9]+/tam$ ]] && passed=$((passed + 1)) ||
  { failed=$((failed + 1)); echo "FAIL tam serve URL: '$url'"; cat serve.log; }
keys=(--tam-key tam/tam-p256.pub.pem --tam-key tam/tam-ed25519.pub.pem --signer tam/signer.pub.pem)

# ---- the fleet ---------------------------------------------------------------------------
check "fleet: install and remove" 0 t fleet --tam "$url" --devices 20 --concurrency 4 --conversations 2 \
  --tcs "TEEP-Device SecureFS fleet-ta" "${keys[@]}" --no-progress
expect_text "40 exchanges" out "^exchanges:   40 \([0-9.]+/s\)$"
expect_text "latency percentiles" out "^latency ms:  p50 [0-9.]+  p95 [0-9.]+  p99 [0-9.]+  max [0-9.]+$"
expect_text "no errors" out "^errors:      0$"
expect_text "every device completed" out "^devices:     20 completed, 0 failed$"
check "tam devices after the run" 0 t tam devices --config "$config"
[[ $(grep -c '^  attestation: affirming$' out) -eq 20 ]] && passed=$((passed + 1)) ||
  { failed=$((failed + 1)); echo "FAIL 20 devices affirming"; head -20 out; }
if grep -q '^  holds ' out; then failed=$((failed + 1)); echo "FAIL a device still holds the TC"; else passed=$((passed + 1)); fi

check "fleet: policy checks for a duration, JSON" 0 t fleet --tam "$url" --devices 5 --concurrency 2 --duration 1 \
  "${keys[@]}" --no-progress --json
expect_text "json report" out '^\{"tam":"http://127\.0\.0\.1:[0-9]+/tam","devices":5,.*"errors_total":0,.*"devices_failed":0,"devices_idle":0\}$'

check "fleet: unregistered devices fail" 1 t fleet --tam "$url" --devices 2 --first-index 1000 --conversations 1 \
  --retries 1 "${keys[@]}" --no-progress
expect_text "their errors are counted" out "^errors:      4 \(http-4xx 4\)$"
expect_text "a sample says why" out "^  first http-4xx: device 100[01]: TAM answered 400"
expect_text "both failed" out "^devices:     0 completed, 2 failed$"
expect_text "exit reason" err "^teep fleet: 2 of 2 devices failed"

# ---- wrong arguments ----------------------------------------------------------------------
check "fleet without --tam" 64 t fleet --devices 1 "${keys[@]}"
expect_text "--tam named" err "^teep fleet: --tam is required"
check "fleet without --tam-key" 64 t fleet --tam "$url" --devices 1
expect_text "--tam-key named" err "^teep fleet: --tam-key is required"
check "fleet --devices 0" 64 t fleet --tam "$url" --devices 0 "${keys[@]}"
expect_text "--devices named" err "devices"
check "fleet --duration with --conversations" 64 t fleet --tam "$url" --duration 1 --conversations 1 "${keys[@]}"
expect_text "exclusion named" err "excludes"

echo "fleet_test.sh: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
