// COSE numbers (RFC 9052, RFC 9053, RFC 9864 fully-specified algorithms,
// RFC 9459 AES-CTR) in one place, with names for messages and `teep inspect`.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/crypto/crypto.h"

namespace teep::cose {

// CBOR tags of the COSE structures (RFC 9052 §2).
enum Tag : uint64_t {
  kTagEncrypt0 = 16,
  kTagMac0 = 17,
  kTagSign1 = 18,
  kTagEncrypt = 96,
  kTagMac = 97,
  kTagSign = 98,
};

// Common header parameter labels (RFC 9052 §3.1, RFC 9053 §6.4.1).
enum HeaderLabel : int64_t {
  kHeaderAlg = 1,
  kHeaderCrit = 2,
  kHeaderContentType = 3,
  kHeaderKid = 4,
  kHeaderIv = 5,
  kHeaderPartialIv = 6,
  kHeaderEphemeralKey = -1,
};

// Algorithm identifiers.
enum Alg : int64_t {
  // Signatures.
  kAlgES256 = -7,     // ECDSA w/ SHA-256; we accept it with P-256 only
  kAlgESP256 = -9,    // ECDSA P-256 w/ SHA-256 (RFC 9864), TEEP suite [[18, -9]]
  kAlgES384 = -35,    // ECDSA w/ SHA-384; with P-384 only
  kAlgESP384 = -51,   // ECDSA P-384 w/ SHA-384 (RFC 9864)
  kAlgEdDSA = -8,     // EdDSA (polymorphic); we accept it with Ed25519 only
  kAlgEd25519 = -19,  // Ed25519 (RFC 9864), TEEP suite [[18, -19]]
  // MAC.
  kAlgHmac256 = 5,    // HMAC w/ SHA-256, 256-bit tag
  // Content encryption.
  kAlgA128Gcm = 1,
  kAlgA192Gcm = 2,
  kAlgA256Gcm = 3,
  kAlgChaCha20Poly1305 = 24,
  kAlgA128Ctr = -65534,
  kAlgA192Ctr = -65533,
  kAlgA256Ctr = -65532,
  // Key wrap and key agreement.
  kAlgA128Kw = -3,
  kAlgA192Kw = -4,
  kAlgA256Kw = -5,
  kAlgEcdhEsA128Kw = -29,
  // Hashes (SUIT_Digest).
  kAlgSha256 = -16,
};

// "ESP256", "A128GCM", ...; nullopt for numbers we do not know.
std::optional<std::string_view> AlgorithmName(int64_t alg);

// The key type a signature algorithm needs, or nullopt if `alg` is not a
// signature algorithm we implement.
std::optional<crypto::KeyType> SignatureKeyType(int64_t alg);

// The algorithm we emit for a signing key: ESP256, ESP384 or Ed25519.
std::optional<int64_t> DefaultSignatureAlg(crypto::KeyType type);

// Content encryption: key size in bytes, or nullopt if not a content
// encryption algorithm we implement.
std::optional<size_t> ContentKeySize(int64_t alg);
bool IsAeadContentAlg(int64_t alg);  // GCM and ChaCha20/Poly1305 (not CTR)

// AES key wrap: KEK size in bytes, or nullopt.
std::optional<size_t> KeyWrapKeySize(int64_t alg);

}  // namespace teep::cose
