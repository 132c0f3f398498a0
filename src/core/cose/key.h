// COSE_Key (RFC 9052 §7, RFC 9053 §7) for EC2 P-256/P-384, OKP Ed25519/X25519
// and symmetric keys, conversion to and from crypto keys, and the RFC 9679
// COSE Key Thumbprint we use as `kid`.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/crypto/crypto.h"

namespace teep::cose {

enum KeyLabel : int64_t {
  kKeyKty = 1,
  kKeyKid = 2,
  kKeyAlg = 3,
  kKeyCrv = -1,  // EC2 / OKP
  kKeyK = -1,    // Symmetric
  kKeyX = -2,
  kKeyY = -3,
  kKeyD = -4,
};

enum KeyTypeValue : int64_t { kKtyOkp = 1, kKtyEc2 = 2, kKtySymmetric = 4 };

enum Curve : int64_t { kCrvP256 = 1, kCrvP384 = 2, kCrvX25519 = 4, kCrvEd25519 = 6 };

// A decoded COSE_Key. Move-only because it may hold private material; use
// Clone() where a copy is really needed.
struct CoseKey {
  int64_t kty = 0;
  std::optional<int64_t> crv;  // EC2 / OKP
  std::optional<int64_t> alg;
  Bytes kid;
  Bytes x;                     // EC2 / OKP public
  Bytes y;                     // EC2 public (compressed points are not supported)
  crypto::SecretBytes d;       // EC2 / OKP private, empty if public only
  crypto::SecretBytes k;       // symmetric key

  CoseKey() = default;
  CoseKey(CoseKey&&) = default;
  CoseKey& operator=(CoseKey&&) = default;
  CoseKey Clone() const;

  bool has_private() const { return !d.empty() || !k.empty(); }

  static Result<CoseKey> FromPublicKey(const crypto::PublicKey& key);
  static Result<CoseKey> FromPrivateKey(const crypto::PrivateKey& key);
  static CoseKey Symmetric(ByteView k);

  // The crypto::KeyType this key maps to (EC2/OKP only).
  Result<crypto::KeyType> CryptoType() const;
  Result<crypto::PublicKey> ToPublicKey() const;
  Result<crypto::PrivateKey> ToPrivateKey() const;
  // The same key without d / k.
  CoseKey PublicOnly() const;
};

// Strict decode: kty required; labels of the right type for the kty; for EC2
// x, y (bstr, curve-sized) required; for OKP x required; for symmetric k
// required; d, when present, curve-sized. Unknown labels are ignored (RFC 9052
// §7 allows them) unless they are key_ops/base IV with wrong types.
Result<CoseKey> DecodeKey(ByteView data);
// Deterministic encoding. `include_private` adds d / k.
Result<Bytes> EncodeKey(const CoseKey& key, bool include_private);

// RFC 9679: SHA-256 over the deterministic encoding of the required public
// parameters only (EC2: kty, crv, x, y; OKP: kty, crv, x; Symmetric: kty, k).
Result<std::array<uint8_t, 32>> Thumbprint(const CoseKey& key);
// Convenience: thumbprint of a crypto public key.
Result<std::array<uint8_t, 32>> Thumbprint(const crypto::PublicKey& key);

}  // namespace teep::cose
