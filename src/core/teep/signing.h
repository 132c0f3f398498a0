// The COSE layer of TEEP messages (draft-ietf-teep-protocol-26 §4.1, §8.1).
//
// Sending: the encoded message is the payload of a tagged COSE_Sign1 made
// with the selected cipher suite ([[18, -9]] ESP256 or [[18, -19]] Ed25519),
// kid (unprotected) = the RFC 9679 COSE Key Thumbprint of the signing key;
// or, for a TAM's first QueryRequest when it does not know the Agent's
// suite, a tagged COSE_Sign with one signature per suite (P §8.1). External
// AAD is empty (none is defined, README §4.6).
//
// Receiving (P §4.1.2): COSE_Sign1 or COSE_Sign, tagged or not, attached
// payload; anything else is rejected. The signature must verify with one of
// the trust anchors under an accepted suite; the result says which anchor,
// which suite and which signature. Decoding the payload is a separate step
// (VerifyAndDecode does both).
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/crypto/crypto.h"
#include "core/teep/messages.h"
#include "core/teep/numbers.h"

namespace teep::msg {

struct TrustAnchor {
  std::string name;
  crypto::PublicKey key;
  // RFC 9679 thumbprint of `key` (filled by Make). Used only to try the
  // anchor named by a message's kid first; never to skip an anchor.
  Bytes kid;

  static Result<TrustAnchor> Make(std::string name, crypto::PublicKey key);
};

// ---- cipher suite <-> COSE algorithm (P §8.1) ----------------------------------

// The COSE signature algorithm of a suite we implement: [[18, -9]] -> -9
// (ESP256), [[18, -19]] -> -19 (Ed25519). kUnsupported for any other suite
// (multi-operation suites, COSE_Sign/Encrypt/MAC operations, other algs).
Result<int64_t> SuiteSignatureAlg(const CipherSuite& suite);
// The suite a signing key implements: P-256 -> [[18, -9]], Ed25519 ->
// [[18, -19]]; nullopt for other key types.
std::optional<CipherSuite> SuiteForKeyType(crypto::KeyType type);

// ---- signing -----------------------------------------------------------------------

// Tagged COSE_Sign1 over `message` (an encoded TEEP message) with `suite`;
// the key must fit the suite. `kid`: the key's RFC 9679 thumbprint when the
// caller keeps it (computing it converts the public point, about a third of
// an ES256 signature's cost); empty = computed here.
Result<Bytes> SignMessage(ByteView message, const crypto::PrivateKey& key,
                          const CipherSuite& suite, ByteView kid = {});

struct Signer {
  const crypto::PrivateKey* key;
  CipherSuite suite;
  ByteView kid = {};  // the key's RFC 9679 thumbprint if the caller keeps it; empty = computed
};
// Tagged COSE_Sign with one signature per signer; each suite at most once
// (P §8.1: one signature per algorithm of supported-teep-cipher-suites).
Result<Bytes> SignMessageMulti(ByteView message, std::span<const Signer> signers);

// ---- verification ------------------------------------------------------------------

struct VerifyOptions {
  // Accept COSE alg ES256 (-7) as ESP256 with a P-256 key and EdDSA (-8) as
  // Ed25519 with an Ed25519 key, for peers built to drafts <= -20 (README
  // §8.3). The computation is identical (RFC 9864 only made the curve
  // explicit in the algorithm id) and the COSE layer binds ES256 to P-256,
  // so no curve substitution is possible; still off by default because P §8.1
  // lists only -9 and -19. Enable it per peer, beside the draft-25 profile.
  bool accept_legacy_algs = false;
};

enum class CoseStructure { kSign1, kSign };

struct Verified {
  ByteView payload;              // the TEEP message bytes, a view into the input
  size_t anchor_index = 0;       // into the anchors passed in
  std::string_view anchor_name;  // anchors[anchor_index].name
  CipherSuite suite;             // [[18, -9]] or [[18, -19]] (legacy algs map to these)
  int64_t alg = 0;               // the COSE alg as carried (-9, -19, or legacy -7 / -8)
  CoseStructure structure = CoseStructure::kSign1;
  bool tagged = false;
  size_t signature_index = 0;    // which COSE_Sign signature verified (0 for COSE_Sign1)
};

Result<Verified> VerifyMessage(ByteView cose, std::span<const TrustAnchor> anchors,
                               const VerifyOptions& options = {});

struct VerifiedMessage {
  Verified verified;
  Message message;
};
// VerifyMessage, then DecodeMessage of the payload under the peer's profile.
Result<VerifiedMessage> VerifyAndDecode(ByteView cose, std::span<const TrustAnchor> anchors,
                                        const WireProfile& profile = Draft26(),
                                        const VerifyOptions& options = {});

}  // namespace teep::msg
