// SUIT envelope authentication (draft-ietf-suit-manifest-37 §6.2 steps 1-4,
// §8.3): the SUIT_Digest in the authentication wrapper must equal the
// digest of the bstr-wrapped manifest, and at least one COSE block must
// verify over that SUIT_Digest (detached payload) with a trust anchor. Only
// then is the manifest decoded.
#pragma once

#include <cstddef>
#include <optional>
#include <span>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/crypto/crypto.h"
#include "core/suit/digest.h"
#include "core/suit/envelope.h"
#include "core/suit/manifest.h"

namespace teep::suit {

struct TrustAnchors {
  // Public keys for COSE_Sign1_Tagged blocks: ESP256 (-9), ES256 (-7) with
  // P-256; Ed25519 (-19), EdDSA (-8) with Ed25519.
  std::span<const crypto::PublicKey> keys;
  // Symmetric key for COSE_Mac0_Tagged blocks (HMAC 256/256, alg 5), as in
  // the suit-sha256-hmac-a128kw-a128ctr profile (draft-ietf-suit-mti §3).
  std::optional<ByteView> mac_key;
};

struct Authenticated {
  Digest digest;             // the verified SUIT_Digest (views into the envelope)
  size_t block_index = 0;    // which COSE block verified (0 = first after the digest)
  // Which of TrustAnchors::keys verified it; nullopt when the MAC key did.
  std::optional<size_t> key_index;
  Manifest manifest;         // decoded only after authentication succeeded
};

// Errors (see report_reason.h for the reason each maps to):
//  kMalformed          the wrapper, a SUIT_Digest or the manifest is malformed,
//                      or the manifest version is not 1
//  kUnsupported        digest algorithm other than SHA-256, or every block uses
//                      an algorithm outside the accepted set
//  kVerificationFailed digest mismatch; no COSE block; no block verified
Result<Authenticated> Authenticate(const Envelope& envelope, const TrustAnchors& anchors);

// Convenience: signature keys only.
Result<Authenticated> Authenticate(const Envelope& envelope,
                                   std::span<const crypto::PublicKey> trust_anchors);

}  // namespace teep::suit
