// Fuzzes COSE decoding and verification: every structure decoder, then
// signature / MAC verification and decryption with fixed keys. Seeds include
// messages that really verify with these keys (make_cose_seeds.cc), so
// the fuzzer explores the paths after a successful decode too.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "core/cose/encrypt.h"
#include "core/cose/mac.h"
#include "core/cose/sign.h"
#include "cose_fixed_keys.h"

using namespace teep;
using teep::fuzz::FixedKeys;
using teep::fuzz::Keys;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Keys& keys = FixedKeys();
  ByteView input(data, size);
  const ByteView detached = AsBytes("detached payload");

  if (auto m = cose::DecodeSign1(input); m.ok()) {
    (void)cose::VerifyWithAnyKey(*m, keys.publics);
    if (!m->payload) (void)cose::VerifyWithAnyKey(*m, keys.publics, {}, detached);
  }
  if (auto m = cose::DecodeSign(input); m.ok()) {
    if (m->signatures.empty()) std::abort();  // the decoder promises at least one
    (void)cose::VerifyWithAnyKey(*m, keys.publics);
  }
  if (auto m = cose::DecodeMac0(input); m.ok()) {
    (void)cose::VerifyMac0(*m, keys.mac_key, {}, m->payload ? std::nullopt : std::optional(detached));
  }
  if (auto m = cose::DecodeEncrypt0(input); m.ok()) {
    (void)cose::DecryptEncrypt0(*m, keys.kek, {}, m->ciphertext ? std::nullopt : std::optional(detached));
  }
  if (auto m = cose::DecodeEncrypt(input); m.ok()) {
    if (m->recipients.empty()) std::abort();
    std::optional<ByteView> ct = m->ciphertext ? std::nullopt : std::optional(detached);
    (void)cose::DecryptEncrypt(*m, cose::KeyWrapKey{keys.kek, {}}, {}, ct);
    (void)cose::DecryptEncrypt(*m, cose::EcdhKey{&keys.p256, "SUIT Payload Encryption", {}}, {}, ct);
  }
  return 0;
}
