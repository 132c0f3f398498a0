#!/usr/bin/env bash
# End-to-end tests of the real `teep` binary: exit codes, one-line errors,
# files it writes, and what it prints. Usage: cli_test.sh TEEP SPEC_DIR
set -uo pipefail
teep="$1"
spec="$2"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vec="$spec/teep/vectors"
signer_pub="$vec/keys/appE-suit-signer-p256.pub.pem"

# --- teep key -----------------------------------------------------------
for alg in ESP256 ESP384 Ed25519 X25519; do
  check "key generate $alg" 0 "$teep" key generate --alg "$alg" -o "$work/$alg.pem"
  expect_text "key generate $alg prints kid" "$work/out" "wrote .*\($alg, kid [0-9a-f]{64}\)"
  mode=$(stat -c %a "$work/$alg.pem")
  if [[ "$mode" == "600" ]]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $alg.pem mode $mode"; fi
  check "key public $alg" 0 "$teep" key public "$work/$alg.pem" -o "$work/$alg.pub.pem"
  expect_text "public PEM $alg" "$work/$alg.pub.pem" "BEGIN PUBLIC KEY"
  check "thumbprint of private $alg" 0 "$teep" key thumbprint "$work/$alg.pem"
  cp "$work/out" "$work/tp1"
  check "thumbprint of public $alg" 0 "$teep" key thumbprint "$work/$alg.pub.pem"
  if cmp -s "$work/out" "$work/tp1"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL thumbprints differ for $alg"; fi
done
check "key generate rejects an unknown alg" 64 "$teep" key generate --alg RSA -o "$work/x.pem"
check "key public of a missing file" 1 "$teep" key public "$work/missing.pem"
expect_text "missing file error names the file" "$work/err" "^teep key public: .*missing.pem"

# --- teep inspect -------------------------------------------------------
for v in e1-suit-uri e2-suit-integrated e3-suit-personalization; do
  check "inspect $v verifies" 0 "$teep" inspect --key "$signer_pub" "$vec/$v.hex"
  expect_text "inspect $v names the key" "$work/out" "VERIFIED by .*appE-suit-signer-p256.pub.pem"
done
check "inspect with the wrong key fails" 2 "$teep" inspect --key "$work/ESP256.pub.pem" "$vec/e2-suit-integrated.hex"
expect_text "wrong key error is one line" "$work/err" "^teep inspect: .*NOT verified"
check "inspect of binary input" 0 bash -c "xxd -r -p '$vec/e2-suit-integrated.hex' | '$teep' inspect --key '$signer_pub' -"
check "inspect without keys" 0 "$teep" inspect "$vec/d1-query-request.hex"
expect_text "inspect names TEEP messages and fields" "$work/out" "token \(19\): h'a0a1"
check "inspect of an Update" 0 "$teep" inspect "$vec/d4-update.hex"
expect_text "inspect names the Update" "$work/out" "^Update \(type 3, draft-26\)"
printf '8305a2134201020b696469736b2d66756c6c00' >"$work/bad-error.hex"
check "inspect flags TEEP violations" 2 "$teep" inspect "$work/bad-error.hex"
expect_text "every violation is listed" "$work/out" "2 violation"
check "inspect --profile draft-25 of legacy bytes" 0 "$teep" inspect --profile draft-25 "$vec/d5-success.hex"
check "inspect --profile rejects unknown profiles" 64 "$teep" inspect --profile draft-7 "$vec/d5-success.hex"
printf 'a201020103' >"$work/dup.hex"
check "inspect of malformed CBOR" 1 "$teep" inspect "$work/dup.hex"
expect_text "malformed error names offset and reason" "$work/err" "^teep inspect: not well-formed CBOR: offset 3: duplicate map key$"
[[ $(wc -l <"$work/err") -eq 1 ]] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL error is not one line"; }
check "inspect --json" 0 "$teep" inspect --json --key "$signer_pub" "$vec/e1-suit-uri.hex"
if node -e 'const j=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); if(j.structure!=="SUIT_Envelope"||!j.signatures[0].verified_by) process.exit(1)' "$work/out"; then
  passed=$((passed + 1))
else
  failed=$((failed + 1)); echo "FAIL --json output is not the expected JSON"; head -c 400 "$work/out"
fi

# --- teep manifest -------------------------------------------------------
xxd -r -p "$vec/tc-binary-hello.hex" >"$work/hello.ta"
mkdir -p "$work/payloads" && cp "$work/hello.ta" "$work/payloads/8d82573a-926d-4754-9353-32dc29997f74.ta"
check "manifest create" 0 "$teep" manifest create --key "$work/ESP256.pem" \
  --component-id TEEP-Device SecureFS h:8d82573a926d4754935332dc29997f74 ta --sequence 3 \
  --payload "$work/hello.ta" --vendor-id c0ddd5f1-5243-5660-87db-4f5b0aa26c2f \
  --class-id DB42F7093D8C55BAA8C5265FC5820F4E \
  --manifest-component-id TEEP-Device SecureFS h:8d82573a926d4754935332dc29997f74 suit \
  -o "$work/tc.suit"
expect_text "manifest create prints the digest" "$work/out" "^wrote .*tc.suit \([0-9]+ bytes, SUIT_Digest [0-9a-f]{64}\)"
check "manifest verify" 0 "$teep" manifest verify --key "$work/ESP256.pub.pem" "$work/tc.suit"
expect_text "manifest verify names the key" "$work/out" "VERIFIED by .*ESP256.pub.pem"
expect_text "manifest verify shows the component" "$work/out" "\[0\] \['TEEP-Device', 'SecureFS', h'8d82573a926d4754935332dc29997f74', 'ta'\]"
expect_text "manifest verify shows the integrated payload" "$work/out" '"#tc": 20 bytes'
check "manifest verify with the wrong key" 2 "$teep" manifest verify --key "$signer_pub" "$work/tc.suit"
expect_text "wrong key names the reason" "$work/err" "^teep manifest verify: NOT authenticated: suit-report-reason-unauthorised"
check "manifest verify of a published envelope" 0 "$teep" manifest verify --key "$work/Ed25519.pub.pem" --key "$signer_pub" "$vec/e3-suit-personalization.hex"
expect_text "manifest verify shows dependencies" "$work/out" "\[1\] prefix \['TEEP-Device', 'SecureFS', h'8d82573a926d4754935332dc29997f74', 'suit'\]"
check "manifest create --encrypt-to" 0 "$teep" manifest create --key "$work/Ed25519.pem" \
  --component-id TEEP-Device SecureFS config.json --sequence 1 --payload "$work/hello.ta" \
  --encrypt-to "$work/ESP256.pub.pem" --content-alg A128CTR --dependency "$work/tc.suit" \
  --invoke --tagged --hex -o "$work/enc.hex"
check "manifest verify of the encrypted envelope" 0 "$teep" manifest verify --key "$work/Ed25519.pub.pem" "$work/enc.hex"
expect_text "encrypted envelope carries the dependency" "$work/out" '"#dep1": [0-9]+ bytes'
check "inspect reads the created envelope" 0 "$teep" inspect --key "$work/Ed25519.pub.pem" "$work/enc.hex"
expect_text "inspect sees the COSE_Encrypt" "$work/out" "96\("
check "manifest create rejects a bad UUID" 64 "$teep" manifest create --key "$work/ESP256.pem" \
  --component-id a --sequence 1 --payload "$work/hello.ta" --vendor-id not-a-uuid -o "$work/x.suit"
expect_text "bad UUID error is clear" "$work/err" "^teep manifest create: --vendor-id: \"not-a-uuid\" is not a UUID"
check "manifest create --encrypt-to needs a P-256 or X25519 key" 1 "$teep" manifest create --key "$work/ESP256.pem" \
  --component-id a --sequence 1 --payload "$work/hello.ta" --encrypt-to "$work/Ed25519.pub.pem" -o "$work/x.suit"
expect_text "encryption key error is clear" "$work/err" "must be a P-256 or X25519 key"

# --- teep manifest process | list | uninstall ---------------------------
device=(--vendor-id c0ddd5f1-5243-5660-87db-4f5b0aa26c2f --class-id db42f7093d8c55baa8c5265fc5820f4e)
check "manifest process installs a created envelope" 0 "$teep" manifest process \
  --trust-anchor "$work/ESP256.pub.pem" --store "$work/store" "${device[@]}" --nonce 0a0b \
  --report "$work/report.cbor" "$work/tc.suit"
expect_text "process names the installed manifest" "$work/out" "^installed \['TEEP-Device', 'SecureFS', h'8d82573a926d4754935332dc29997f74', 'suit'\]"
expect_text "process prints the report" "$work/out" "^SUIT report: succeeded; .*nonce h'0a0b'"
check "the report file is CBOR" 0 "$teep" inspect "$work/report.cbor"
check "manifest list" 0 "$teep" manifest list --store "$work/store"
expect_text "list shows sequence and references" "$work/out" "'suit'\]  sequence 3  references 1"
check "manifest process refuses an unknown signer" 2 "$teep" manifest process \
  --trust-anchor "$signer_pub" --store "$work/store" "${device[@]}" "$work/tc.suit"
expect_text "unknown signer error names the reason" "$work/out" "failed: unauthorised \(4\)"
check "manifest process: wrong device class fails the condition" 2 "$teep" manifest process \
  --trust-anchor "$work/ESP256.pub.pem" --store "$work/store" \
  --vendor-id c0ddd5f1-5243-5660-87db-4f5b0aa26c2f --class-id 00000000000000000000000000000000 "$work/tc.suit"
expect_text "condition failure is reported" "$work/out" "condition-failed \(10\) at common \(3\)"
"$teep" manifest create --key "$work/ESP256.pem" --component-id TEEP-Device SecureFS h:8d82573a926d4754935332dc29997f74 ta \
  --sequence 2 --payload "$work/hello.ta" --manifest-component-id TEEP-Device SecureFS h:8d82573a926d4754935332dc29997f74 suit \
  -o "$work/old.suit" >/dev/null
check "manifest process refuses a rollback" 2 "$teep" manifest process \
  --trust-anchor "$work/ESP256.pub.pem" --store "$work/store" "${device[@]}" "$work/old.suit"
expect_text "rollback is named" "$work/err" "rollback: sequence number 2 is lower than the installed 3"
check "manifest process decrypts with the device key" 0 "$teep" manifest process \
  --trust-anchor "$work/Ed25519.pub.pem" --trust-anchor "$work/ESP256.pub.pem" --store "$work/store2" \
  "${device[@]}" --decrypt-key "$work/ESP256.pem" "$work/enc.hex"
expect_text "the dependency is installed too" "$work/out" "^installed \['TEEP-Device', 'SecureFS', h'8d82573a926d4754935332dc29997f74', 'suit'\]"
check "manifest process without the decryption key" 2 "$teep" manifest process \
  --trust-anchor "$work/Ed25519.pub.pem" --trust-anchor "$work/ESP256.pub.pem" --store "$work/store3" \
  "${device[@]}" "$work/enc.hex"
check "manifest process fetches published E.1 from --payload-dir" 0 "$teep" manifest process \
  --trust-anchor "$signer_pub" --store "$work/store4" "${device[@]}" --payload-dir "$work/payloads" \
  "$vec/e1-suit-uri.hex"
check "manifest uninstall" 0 "$teep" manifest uninstall --trust-anchor "$work/ESP256.pub.pem" \
  --store "$work/store" "${device[@]}" --manifest-component-id TEEP-Device SecureFS h:8d82573a926d4754935332dc29997f74 suit
expect_text "uninstall names what it removed" "$work/out" "^removed \['TEEP-Device'"
check "manifest list after uninstall" 0 "$teep" manifest list --store "$work/store"
[[ -s "$work/out" ]] && { failed=$((failed + 1)); echo "FAIL store not empty after uninstall"; }

# --- teep tam (operator verbs; the server is exercised by tests/integration) ---
tam="$work/tam"
check "tam init" 0 "$teep" tam init --dir "$tam" --port 0
check "tam init refuses to overwrite" 1 "$teep" tam init --dir "$tam"
expect_text "tam init says why" "$work/err" "exists; not overwritten"
cfg=(--config "$tam/tam.toml")
check "tam tc list, empty" 0 "$teep" tam tc list "${cfg[@]}"
expect_text "empty repository" "$work/out" "the repository is empty"
printf "cli TA" >"$work/cli-ta.bin"
"$teep" manifest create --key "$tam/signer.pem" --component-id TEEP-Device SecureFS cli-ta --sequence 1 \
  --payload "$work/cli-ta.bin" -o "$work/cli-ta.suit" >/dev/null 2>&1
check "tam tc add" 0 "$teep" tam tc add "${cfg[@]}" "$work/cli-ta.suit"
check "tam tc add, same version again" 1 "$teep" tam tc add "${cfg[@]}" "$work/cli-ta.suit"
check "tam tc add, foreign signer" 2 "$teep" tam tc add "${cfg[@]}" "$vec/e2-suit-integrated.hex"
check "tam policy install" 0 "$teep" tam policy install "${cfg[@]}" TEEP-Device SecureFS cli-ta
check "tam policy install, unknown TC" 1 "$teep" tam policy install "${cfg[@]}" no-such-ta
check "tam policy, bad target" 64 "$teep" tam policy install "${cfg[@]}" --target everyone TEEP-Device SecureFS cli-ta
check "tam policy list" 0 "$teep" tam policy list "${cfg[@]}"
expect_text "policy listed" "$work/out" "^all  install  \['TEEP-Device', 'SecureFS', 'cli-ta'\]"
check "tam devices add" 0 "$teep" tam devices add "${cfg[@]}" --teep-key "$tam/tam-p256.pub.pem" --name cli
check "tam devices" 0 "$teep" tam devices "${cfg[@]}"
expect_text "device listed" "$work/out" "attestation: none"
printf '[server]\nlisten = "127.0.0.1:99999"\n[keys]\np256 = "a"\ned25519 = "b"\n' >"$work/bad.toml"
check "tam.toml with a bad port" 64 "$teep" tam tc list --config "$work/bad.toml"
expect_text "bad port named" "$work/err" "server.listen: port must be 0..65535"
printf '[server]\nprot = 1\n[keys]\np256 = "a"\ned25519 = "b"\n' >"$work/typo.toml"
check "tam.toml with an unknown key" 64 "$teep" tam serve --config "$work/typo.toml"
expect_text "unknown key named" "$work/err" "server.prot: unknown key"
printf '[keys]\np256 = "%s"\ned25519 = "%s"\n' "$tam/tam-ed25519.pem" "$tam/tam-ed25519.pem" >"$work/swapped.toml"
check "tam serve with the wrong key type" 1 "$teep" tam serve --config "$work/swapped.toml"
expect_text "wrong key type named" "$work/err" "keys.p256 .* is a Ed25519 key"

# --- teep demo ----------------------------------------------------------
check "demo" 0 "$teep" demo
expect_text "demo summary" "$work/out" "^summary: "
check "demo --verbose" 0 "$teep" demo --verbose
expect_text "demo verbose shows COSE_Sign" "$work/out" "COSE_Sign \(tag 98\), 2 signature"
expect_text "demo shows the attested exchange" "$work/out" "Agent → TAM    QueryResponse .*Evidence \(EAT\)"
expect_text "demo shows the update" "$work/out" "sequence 2, 32 bytes"
expect_text "demo ends attested" "$work/out" "^summary: 3 conversations, 12 TEEP messages, attestation affirming"

echo "cli: ${passed} passed, ${failed} failed"
[[ $failed -eq 0 ]]
