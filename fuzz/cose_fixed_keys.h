// Fixed keys shared by the COSE fuzzer and the tool that writes its seed
// corpus, so that seeds really verify / decrypt. Test values, not secrets.
#pragma once

#include <cstdlib>
#include <vector>

#include "core/crypto/crypto.h"

namespace teep::fuzz {

struct Keys {
  crypto::PrivateKey p256;
  crypto::PrivateKey ed25519;
  std::vector<crypto::PublicKey> publics;
  Bytes kek;      // A128KW key-encryption key
  Bytes mac_key;  // HMAC 256/256 key
};

inline const Keys& FixedKeys() {
  static const Keys* keys = [] {
    Bytes d(32);
    for (size_t i = 0; i < d.size(); ++i) d[i] = static_cast<uint8_t>(i + 1);
    auto p256 = crypto::PrivateKey::FromRaw(crypto::KeyType::kP256, d);
    auto ed = crypto::PrivateKey::FromRaw(crypto::KeyType::kEd25519, d);
    if (!p256.ok() || !ed.ok()) std::abort();
    auto* k = new Keys{std::move(p256).value(), std::move(ed).value(), {}, Bytes(16, 0x4b),
                       Bytes(32, 0x4d)};
    k->publics.push_back(k->p256.Public());
    k->publics.push_back(k->ed25519.Public());
    return k;
  }();
  return *keys;
}

}  // namespace teep::fuzz
