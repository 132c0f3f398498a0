#!/usr/bin/env bash
# End-to-end tests of `teep device`: provisioning, the TEE process behind its
# channel, the Broker daemon and its local API, against an unreachable TAM
# (the full attested exchange needs the TAM of issue 6).
# Usage: device_test.sh TEEP
set -uo pipefail
teep="$1"
work=$(mktemp -d)
daemon=""
trap '[[ -n $daemon ]] && kill "$daemon" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cd "$work" || exit 1
"$teep" key generate --alg ESP256 -o tam.pem >/dev/null
"$teep" key public tam.pem -o tam.pub.pem >/dev/null 2>&1 || "$teep" key public tam.pem >tam.pub.pem
tam="http://127.0.0.1:9/tam"   # nothing listens on the discard port

check "tee before init" 1 "$teep" device tee --state st
expect_text "tee before init says so" err "not provisioned \(run \`teep device init\`\)"
check "init needs one key per TAM" 64 "$teep" device init --state st --tam "$tam" --tam "$tam/2" --tam-key tam.pub.pem
check "init" 0 "$teep" device init --state st --tam "$tam" --tam-key tam.pub.pem --signer tam.pub.pem
expect_text "init prints the ueid" out "ueid: 01[0-9a-f]{64}"
expect_text "state dir is private" <(stat -c %a st) "^700$"
for f in teep-key attestation-key payload-key; do
  expect_text "public $f" "st/public/$f.pem" "BEGIN PUBLIC KEY"
done
# The sealed blobs hold no plaintext key.
if grep -rq "PRIVATE KEY" st/sealed; then failed=$((failed + 1)); echo "FAIL plaintext key in sealed/"; else passed=$((passed + 1)); fi

check "list without daemon" 1 "$teep" device list --state st
expect_text "list without daemon says so" err "no device daemon answers"

"$teep" device run --state st 2>"$work/daemon.err" &
daemon=$!
for _ in $(seq 50); do [[ -S st/broker.sock ]] && break; sleep 0.1; done
check "list" 0 "$teep" device list --state st
expect_text "nothing installed" out "no Trusted Components installed"
check "request-ta, TAM unreachable" 2 "$teep" device request-ta --state st tc1
expect_text "unreachable TAM named" err "POST $tam: connection refused"
check "request-ta from an untrusted TAM" 2 "$teep" device request-ta --state st tc1 --tam http://evil.example/
expect_text "untrusted TAM refused" err "not a TAM this Agent trusts"
check "policy-check, TAM unreachable" 2 "$teep" device policy-check --state st
check "unrequest-ta" 2 "$teep" device unrequest-ta --state st tc1
expect_text "TEE process started by the daemon" daemon.err "teep device tee: serving"

kill "$daemon"
wait "$daemon" 2>/dev/null
daemon=""
sleep 0.3
if pgrep -f "teep device tee --state st" >/dev/null; then
  failed=$((failed + 1)); echo "FAIL the TEE process outlived the daemon"
else
  passed=$((passed + 1))
fi

echo "device_test.sh: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
