#include "core/teep/signing.h"

#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/cbor/reader.h"
#include "core/cose/algorithms.h"
#include "core/cose/key.h"
#include "core/cose/sign.h"
#include "core/teep/codec.h"
#include "core/teep/codec_internal.h"

namespace teep::msg {
namespace {


constexpr std::string_view kWhere = "TEEP COSE";

Status Malformed(std::string what) {
  return Status(StatusCode::kMalformed, Cat(kWhere, ": ", what));
}

Result<Bytes> KidFor(const crypto::PublicKey& key) {
  TEEP_ASSIGN_OR_RETURN(auto thumbprint, cose::Thumbprint(key));
  return Bytes(thumbprint.begin(), thumbprint.end());
}

// The TEEP suite a COSE signature algorithm stands for, under the options.
std::optional<CipherSuite> SuiteForAlg(int64_t alg, const VerifyOptions& options) {
  switch (alg) {
    case kAlgEsp256: return SuiteSign1Esp256();
    case kAlgEd25519: return SuiteSign1Ed25519();
    case cose::kAlgES256:
      if (options.accept_legacy_algs) return SuiteSign1Esp256();
      return std::nullopt;
    case cose::kAlgEdDSA:
      if (options.accept_legacy_algs) return SuiteSign1Ed25519();
      return std::nullopt;
    default: return std::nullopt;
  }
}

std::string AlgText(int64_t alg) {
  auto name = cose::AlgorithmName(alg);
  return name ? Cat(alg, " (", *name, ")") : std::to_string(alg);
}

// Anchors to try for one signature: those whose kid matches first, then the
// others, skipping anchors whose key type cannot verify `alg` at all.
std::vector<size_t> AnchorOrder(std::optional<ByteView> kid, int64_t alg,
                                std::span<const TrustAnchor> anchors) {
  auto needed = cose::SignatureKeyType(alg);
  std::vector<size_t> first, rest;
  for (size_t i = 0; i < anchors.size(); ++i) {
    if (!needed || anchors[i].key.type() != *needed) continue;
    const Bytes& akid = anchors[i].kid;
    const bool match = kid && !akid.empty() &&
                       std::equal(akid.begin(), akid.end(), kid->begin(), kid->end());
    (match ? first : rest).push_back(i);
  }
  first.insert(first.end(), rest.begin(), rest.end());
  return first;
}

// P §4.1.2: "Verify that the received message is ... a COSE_Sign1 or a
// COSE_Sign". Tagged: the tag says which. Untagged: both are arrays of 4;
// the fourth element is a bstr (signature) or an array (signatures).
Result<CoseStructure> Identify(ByteView cose) {
  cbor::Reader r = cbor::Reader::Open(cose, cbor::RelaxedOptions());
  if (!r.ok()) return r.status().WithContext(kWhere);
  if (auto tag = r.PeekTag()) {
    if (*tag == cose::kTagSign1) return CoseStructure::kSign1;
    if (*tag == cose::kTagSign) return CoseStructure::kSign;
    return Malformed(Cat("tag ", *tag,
                         " is not COSE_Sign1 (18) or COSE_Sign (98); TEEP messages are signed"));
  }
  uint64_t n = 0;
  if (r.PeekType() != cbor::MajorType::kArray || !r.ReadArrayHeader(&n) || n != 4) {
    return Malformed("expected COSE_Sign1 or COSE_Sign (an array of 4)");
  }
  r.Skip();
  r.Skip();
  r.Skip();
  auto fourth = r.PeekType();
  if (fourth == cbor::MajorType::kBytes) return CoseStructure::kSign1;
  if (fourth == cbor::MajorType::kArray) return CoseStructure::kSign;
  return Malformed("expected COSE_Sign1 or COSE_Sign: the fourth element is neither a "
                   "signature (bstr) nor signatures (array)");
}

Result<Verified> VerifySign1(ByteView cose, std::span<const TrustAnchor> anchors,
                             const VerifyOptions& options) {
  TEEP_ASSIGN_OR_RETURN(cose::Sign1Message m, cose::DecodeSign1(cose));
  if (!m.payload) return Malformed("COSE_Sign1 payload is detached; a TEEP message must be carried");
  // sign.h policy: alg must be protected.
  auto alg = m.headers.protected_params.alg;
  if (!alg) return Malformed("COSE_Sign1 has no alg in its protected bucket");
  auto suite = SuiteForAlg(*alg, options);
  if (!suite) {
    return Status(StatusCode::kUnsupported, Cat(kWhere, ": COSE_Sign1 alg ", AlgText(*alg),
                                                " is not an accepted TEEP cipher suite (P §8.1)"));
  }
  // No external AAD is defined for TEEP: the empty bstr (README §4.6).
  for (size_t i : AnchorOrder(m.headers.kid(), *alg, anchors)) {
    if (cose::VerifySign1(m, anchors[i].key).ok()) {
      Verified v;
      v.payload = *m.payload;
      v.anchor_index = i;
      v.anchor_name = anchors[i].name;
      v.suite = std::move(*suite);
      v.alg = *alg;
      v.structure = CoseStructure::kSign1;
      v.tagged = m.tagged;
      return v;
    }
  }
  return Status(StatusCode::kVerificationFailed,
                Cat(kWhere, ": no trust anchor verified the COSE_Sign1 (", anchors.size(),
                    " anchors)"));
}

Result<Verified> VerifySign(ByteView cose, std::span<const TrustAnchor> anchors,
                            const VerifyOptions& options) {
  TEEP_ASSIGN_OR_RETURN(cose::SignMessage m, cose::DecodeSign(cose));
  if (!m.payload) return Malformed("COSE_Sign payload is detached; a TEEP message must be carried");
  bool any_accepted = false;
  std::string first_rejected;
  // P §8.1: one signature per suite; the receiver verifies one it supports.
  for (size_t s = 0; s < m.signatures.size(); ++s) {
    auto alg = m.signatures[s].headers.protected_params.alg;
    auto suite = alg ? SuiteForAlg(*alg, options) : std::nullopt;
    if (!suite) {
      if (first_rejected.empty()) {
        first_rejected = Cat("signatures[", s, "] alg ",
                             alg ? AlgText(*alg) : std::string("missing from the protected bucket"));
      }
      continue;
    }
    any_accepted = true;
    for (size_t i : AnchorOrder(m.signatures[s].headers.kid(), *alg, anchors)) {
      if (cose::VerifySignature(m, s, anchors[i].key).ok()) {
        Verified v;
        v.payload = *m.payload;
        v.anchor_index = i;
        v.anchor_name = anchors[i].name;
        v.suite = std::move(*suite);
        v.alg = *alg;
        v.structure = CoseStructure::kSign;
        v.tagged = m.tagged;
        v.signature_index = s;
        return v;
      }
    }
  }
  if (!any_accepted) {
    return Status(StatusCode::kUnsupported,
                  Cat(kWhere, ": no COSE_Sign signature uses an accepted TEEP cipher suite (",
                      first_rejected, ")"));
  }
  return Status(StatusCode::kVerificationFailed,
                Cat(kWhere, ": no trust anchor verified any COSE_Sign signature (", anchors.size(),
                    " anchors)"));
}

}  // namespace

Result<TrustAnchor> TrustAnchor::Make(std::string name, crypto::PublicKey key) {
  TEEP_ASSIGN_OR_RETURN(Bytes kid, KidFor(key));
  return TrustAnchor{std::move(name), std::move(key), std::move(kid)};
}

Result<int64_t> SuiteSignatureAlg(const CipherSuite& suite) {
  if (suite == SuiteSign1Esp256()) return kAlgEsp256;
  if (suite == SuiteSign1Ed25519()) return kAlgEd25519;
  std::string text = "[";
  for (size_t i = 0; i < suite.size(); ++i) {
    if (i) text += ", ";
    text += Cat("[", suite[i].cose_type, ", ", suite[i].alg, "]");
  }
  text += "]";
  return Status(StatusCode::kUnsupported,
                Cat("TEEP cipher suite ", text,
                    " is not implemented (we implement [[18, -9]] and [[18, -19]], P §8.1)"));
}

std::optional<CipherSuite> SuiteForKeyType(crypto::KeyType type) {
  switch (type) {
    case crypto::KeyType::kP256: return SuiteSign1Esp256();
    case crypto::KeyType::kEd25519: return SuiteSign1Ed25519();
    default: return std::nullopt;
  }
}

Result<Bytes> SignMessage(ByteView message, const crypto::PrivateKey& key,
                          const CipherSuite& suite, ByteView kid) {
  TEEP_ASSIGN_OR_RETURN(int64_t alg, SuiteSignatureAlg(suite));
  cose::SignOptions options;
  options.tagged = true;  // README §4.6: emit tagged, accept both
  options.alg = alg;      // the COSE layer checks that the key fits
  if (kid.empty()) {
    TEEP_ASSIGN_OR_RETURN(options.kid, KidFor(key.Public()));
  } else {
    options.kid = ToBytes(kid);
  }
  return cose::CreateSign1(key, message, options);
}

Result<Bytes> SignMessageMulti(ByteView message, std::span<const Signer> signers) {
  std::vector<cose::SignerSpec> specs;
  std::set<int64_t> algs;
  for (const Signer& s : signers) {
    if (s.key == nullptr) return Status(StatusCode::kInvalidArgument, "SignMessageMulti: signer without key");
    TEEP_ASSIGN_OR_RETURN(int64_t alg, SuiteSignatureAlg(s.suite));
    if (!algs.insert(alg).second) {
      return Status(StatusCode::kInvalidArgument,
                    Cat("SignMessageMulti: suite with alg ", alg,
                        " given twice (one signature per suite, P §8.1)"));
    }
    Bytes kid = ToBytes(s.kid);
    if (kid.empty()) {
      TEEP_ASSIGN_OR_RETURN(kid, KidFor(s.key->Public()));
    }
    specs.push_back(cose::SignerSpec{s.key, alg, std::move(kid)});
  }
  cose::MultiSignOptions options;
  options.tagged = true;
  return cose::CreateSign(specs, message, options);
}

Result<Verified> VerifyMessage(ByteView cose, std::span<const TrustAnchor> anchors,
                               const VerifyOptions& options) {
  TEEP_ASSIGN_OR_RETURN(CoseStructure structure, Identify(cose));
  return structure == CoseStructure::kSign1 ? VerifySign1(cose, anchors, options)
                                            : VerifySign(cose, anchors, options);
}

Result<VerifiedMessage> VerifyAndDecode(ByteView cose, std::span<const TrustAnchor> anchors,
                                        const WireProfile& profile, const VerifyOptions& options) {
  TEEP_ASSIGN_OR_RETURN(Verified v, VerifyMessage(cose, anchors, options));
  // P §4.1.2 last step: the payload must be a valid TEEP message.
  TEEP_ASSIGN_OR_RETURN(Message m, DecodeMessage(v.payload, profile));
  return VerifiedMessage{std::move(v), std::move(m)};
}

}  // namespace teep::msg
