// Fast, strict reading of the SubjectPublicKeyInfo DER of the key types a
// TEEP device registers: P-256 and P-384 (uncompressed points), Ed25519 and
// X25519. Each has exactly one DER encoding, so it is recognised by its
// fixed prefix and length, and an EC point is checked to lie on its curve.
// Why not the crypto backend: OpenSSL 3's generic PEM/DER decoder costs
// ~0.4 ms a key, which made importing 100,000 devices take minutes; this
// takes microseconds. Anything else is left to the backend (to say why it
// is refused).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/crypto/crypto.h"

namespace teep::host::fleet {

struct SpkiKey {
  crypto::KeyType type = crypto::KeyType::kP256;
  Bytes x;  // EC: the x coordinate; OKP: the key
  Bytes y;  // EC only
};

// The RFC 9679 COSE Key Thumbprint of the key (what teep uses as kid and
// the TAM as device id), as cose::Thumbprint computes it for a PublicKey.
Result<std::array<uint8_t, 32>> SpkiThumbprint(const SpkiKey& key);

class SpkiReader {
 public:
  static Result<std::unique_ptr<SpkiReader>> Create();
  ~SpkiReader();
  SpkiReader(const SpkiReader&) = delete;
  SpkiReader& operator=(const SpkiReader&) = delete;

  // nullopt when `der` is none of these encodings; kMalformed when it is one
  // but the point is not on the curve. Not thread-safe.
  Result<std::optional<SpkiKey>> Read(ByteView der);

 private:
  struct Impl;
  explicit SpkiReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace teep::host::fleet
