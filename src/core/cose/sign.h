// COSE_Sign1 and COSE_Sign (RFC 9052 §4): create and verify, tagged or
// untagged, attached or detached payload, with external AAD.
//
// Policy (stricter than RFC 9052 requires, on purpose): the algorithm must be
// in the protected bucket, so that it is covered by the signature, and it must
// match the key type (ES256/ESP256 with P-256 only, ES384/ESP384 with P-384,
// EdDSA/Ed25519 with Ed25519). ECDSA signatures must be raw r||s.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/cose/headers.h"
#include "core/crypto/crypto.h"

namespace teep::cose {

struct SignOptions {
  bool tagged = true;
  // Emit `nil` as payload; the verifier supplies the payload separately.
  bool detached = false;
  ByteView external_aad;
  // 0 = the default for the key type (ESP256, ESP384 or Ed25519).
  int64_t alg = 0;
  // Placed in the unprotected bucket when non-empty.
  Bytes kid;
};

// How a decoder treats the CBOR tag of the structure.
enum class TagPolicy { kAny, kRequireTagged, kRequireUntagged };

// ---- COSE_Sign1 --------------------------------------------------------

Result<Bytes> CreateSign1(const crypto::PrivateKey& key, ByteView payload,
                          const SignOptions& options = {});

// A decoded COSE_Sign1. Views point into the decoded buffer.
struct Sign1Message {
  bool tagged = false;
  Headers headers;
  std::optional<ByteView> payload;  // nullopt when detached (nil)
  ByteView signature;
};

Result<Sign1Message> DecodeSign1(ByteView data, TagPolicy tags = TagPolicy::kAny);

// Verifies with `key`. `detached_payload` must be given iff the message's
// payload is nil. kVerificationFailed on a wrong signature.
Status VerifySign1(const Sign1Message& message, const crypto::PublicKey& key,
                   ByteView external_aad = {},
                   std::optional<ByteView> detached_payload = std::nullopt);

// ---- COSE_Sign (several signers) ---------------------------------------

struct SignerSpec {
  const crypto::PrivateKey* key;
  int64_t alg = 0;  // 0 = the default for the key type
  Bytes kid;        // unprotected bucket of this signature, when non-empty
};

struct MultiSignOptions {
  bool tagged = true;
  bool detached = false;
  ByteView external_aad;
};

Result<Bytes> CreateSign(std::span<const SignerSpec> signers, ByteView payload,
                         const MultiSignOptions& options = {});

struct SignatureEntry {
  Headers headers;
  ByteView signature;
};

struct SignMessage {
  bool tagged = false;
  Headers headers;  // body headers
  std::optional<ByteView> payload;
  std::vector<SignatureEntry> signatures;  // at least one
};

Result<SignMessage> DecodeSign(ByteView data, TagPolicy tags = TagPolicy::kAny);

// Verifies signature `index` of `message` with `key`.
Status VerifySignature(const SignMessage& message, size_t index, const crypto::PublicKey& key,
                       ByteView external_aad = {},
                       std::optional<ByteView> detached_payload = std::nullopt);

// ---- trust anchors ------------------------------------------------------

// Verifies a COSE_Sign1 or COSE_Sign against a set of keys and reports which
// key verified which signature. A COSE_Sign passes when at least one of its
// signatures verifies with one of the keys.
struct VerifiedBy {
  size_t signature_index;  // 0 for COSE_Sign1
  size_t key_index;        // into `keys`
};
Result<VerifiedBy> VerifyWithAnyKey(const Sign1Message& message,
                                    std::span<const crypto::PublicKey> keys,
                                    ByteView external_aad = {},
                                    std::optional<ByteView> detached_payload = std::nullopt);
Result<VerifiedBy> VerifyWithAnyKey(const SignMessage& message,
                                    std::span<const crypto::PublicKey> keys,
                                    ByteView external_aad = {},
                                    std::optional<ByteView> detached_payload = std::nullopt);

}  // namespace teep::cose
