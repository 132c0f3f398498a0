#include "core/suit/authenticate.h"

#include <string>

#include "core/cbor/reader.h"
#include "core/cose/algorithms.h"
#include "core/cose/mac.h"
#include "core/cose/sign.h"

namespace teep::suit {
namespace {

constexpr std::string_view kAuthPath = "SUIT_Envelope.authentication-wrapper";

// draft-ietf-suit-mti §3 / TEEP profiles, plus the polymorphic labels the
// manifest draft's own examples use (ES256 -7) and older EdDSA (-8).
bool AcceptedSignatureAlg(int64_t alg) {
  return alg == cose::kAlgESP256 || alg == cose::kAlgES256 || alg == cose::kAlgEd25519 ||
         alg == cose::kAlgEdDSA;
}

enum class BlockOutcome { kVerified, kAlgUnsupported, kFailed };

struct BlockResult {
  BlockOutcome outcome = BlockOutcome::kFailed;
  std::optional<size_t> key_index;
  std::string why;
};

BlockResult CheckBlock(ByteView block, ByteView digest_bytes, const TrustAnchors& anchors) {
  BlockResult out;
  cbor::Reader r = cbor::Reader::Open(block, cbor::RelaxedOptions());
  std::optional<uint64_t> tag = r.ok() ? r.PeekTag() : std::nullopt;
  if (!r.ok()) {
    out.why = r.status().ToString();
    return out;
  }
  if (tag == cose::kTagSign1) {
    // CDDL: SUIT_Authentication_Block /= COSE_Sign1_Tagged.
    auto msg = cose::DecodeSign1(block, cose::TagPolicy::kRequireTagged);
    if (!msg.ok()) {
      out.why = msg.status().ToString();
      return out;
    }
    auto alg = msg->headers.alg();
    if (!alg || !AcceptedSignatureAlg(*alg)) {
      out.outcome = BlockOutcome::kAlgUnsupported;
      out.why = "COSE_Sign1 algorithm " + (alg ? std::to_string(*alg) : std::string("(none)")) +
                " is not accepted (ESP256, ES256, Ed25519, EdDSA)";
      return out;
    }
    if (anchors.keys.empty()) {
      out.why = "no trust anchor public key";
      return out;
    }
    // manifest-37 §8.3: the COSE payload is detached; it is the SUIT_Digest.
    auto verified = cose::VerifyWithAnyKey(*msg, anchors.keys, {}, digest_bytes);
    if (!verified.ok()) {
      out.why = verified.status().ToString();
      return out;
    }
    out.outcome = BlockOutcome::kVerified;
    out.key_index = verified->key_index;
    return out;
  }
  if (tag == cose::kTagMac0) {
    // CDDL: SUIT_Authentication_Block /= COSE_Mac0_Tagged.
    auto msg = cose::DecodeMac0(block, cose::TagPolicy::kRequireTagged);
    if (!msg.ok()) {
      out.why = msg.status().ToString();
      return out;
    }
    auto alg = msg->headers.alg();
    if (alg != cose::kAlgHmac256) {
      out.outcome = BlockOutcome::kAlgUnsupported;
      out.why = "COSE_Mac0 algorithm " + (alg ? std::to_string(*alg) : std::string("(none)")) +
                " is not accepted (HMAC 256/256)";
      return out;
    }
    if (!anchors.mac_key) {
      out.why = "COSE_Mac0 block but no MAC key";
      return out;
    }
    Status s = cose::VerifyMac0(*msg, *anchors.mac_key, {}, digest_bytes);
    if (!s.ok()) {
      out.why = s.ToString();
      return out;
    }
    out.outcome = BlockOutcome::kVerified;
    return out;
  }
  // COSE_Sign / COSE_Mac (several signers/recipients) are not implemented
  // here, and untagged blocks do not match the SUIT CDDL.
  out.why = tag ? "COSE structure with tag " + std::to_string(*tag) + " is not supported"
                : std::string("COSE block is not tagged (SUIT requires COSE_*_Tagged)");
  return out;
}

}  // namespace

Result<Authenticated> Authenticate(const Envelope& envelope, const TrustAnchors& anchors) {
  Authenticated a;
  // manifest-37 §6.2 / §8.3 step 1: the SUIT_Digest, with a supported algorithm.
  TEEP_ASSIGN_OR_RETURN(a.digest, DecodeDigest(envelope.digest, std::string(kAuthPath) + "[0]"));
  // Step 2: it covers the bstr-wrapped manifest (head included).
  Status digest_ok = CheckDigest(a.digest, envelope.manifest.wrapped);
  if (!digest_ok.ok()) {
    return Status(digest_ok.code(), "SUIT_Envelope.manifest: " + digest_ok.message() +
                                        " (digest in the authentication wrapper)");
  }
  // Step 3: at least one COSE block verifies. The CDDL allows none; a
  // processor must not accept an unauthenticated manifest (manifest-37 §8.3).
  if (envelope.auth_blocks.empty()) {
    return Status(StatusCode::kVerificationFailed,
                  std::string(kAuthPath) + ": no COSE authentication block");
  }
  bool all_alg_unsupported = true;
  std::string failures;
  bool verified = false;
  for (size_t i = 0; i < envelope.auth_blocks.size() && !verified; ++i) {
    BlockResult b = CheckBlock(envelope.auth_blocks[i], envelope.digest, anchors);
    if (b.outcome == BlockOutcome::kVerified) {
      verified = true;
      a.block_index = i;
      a.key_index = b.key_index;
      break;
    }
    if (b.outcome != BlockOutcome::kAlgUnsupported) all_alg_unsupported = false;
    if (!failures.empty()) failures += "; ";
    failures += "[" + std::to_string(i + 1) + "]: " + b.why;
  }
  if (!verified) {
    return Status(all_alg_unsupported ? StatusCode::kUnsupported : StatusCode::kVerificationFailed,
                  std::string(kAuthPath) + ": no COSE block verified: " + failures);
  }
  // Step 4: only now decode the manifest.
  TEEP_ASSIGN_OR_RETURN(a.manifest, DecodeManifest(envelope.manifest.content));
  // A severed member in the envelope must correspond to a severed section
  // (manifest-37 §8.4.4); anything else is an unauthenticated extra.
  for (const auto& member : envelope.severed) {
    const SectionRef* s = a.manifest.FindSection(member.key);
    if (s == nullptr || !s->severed) {
      return Status(StatusCode::kMalformed,
                    "SUIT_Envelope: carries " + SectionName(member.key) +
                        " but the manifest does not declare it severed");
    }
  }
  return a;
}

Result<Authenticated> Authenticate(const Envelope& envelope,
                                   std::span<const crypto::PublicKey> trust_anchors) {
  TrustAnchors anchors;
  anchors.keys = trust_anchors;
  return Authenticate(envelope, anchors);
}

}  // namespace teep::suit
