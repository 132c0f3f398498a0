#include "core/cose/sign.h"

#include <algorithm>
#include <string>
#include <vector>

#include "core/cbor/reader.h"
#include "core/cbor/writer.h"
#include "core/cose/algorithms.h"
#include "core/cose/cose_internal.h"
#include "core/cose/key.h"

namespace teep::cose {
namespace {

constexpr std::string_view kSign1 = "COSE_Sign1";
constexpr std::string_view kSign = "COSE_Sign";

// RFC 9052 §4.4 context strings of the Sig_structure.
constexpr std::string_view kContextSignature1 = "Signature1";
constexpr std::string_view kContextSignature = "Signature";

std::string SignatureWhere(size_t index) {
  return std::string(kSign) + ".signatures[" + std::to_string(index) + "]";
}

std::string AlgName(int64_t alg) {
  auto name = AlgorithmName(alg);
  return name ? std::string(*name) : std::to_string(alg);
}

// The algorithm a signer will use: the requested one or the key type's
// default, and it must fit the key.
Result<int64_t> ChooseSigningAlg(crypto::KeyType key_type, int64_t requested,
                                 std::string_view where) {
  int64_t alg = requested;
  if (alg == 0) {
    auto def = DefaultSignatureAlg(key_type);
    if (!def) {
      return Status(StatusCode::kInvalidArgument, std::string(where) + ": a " +
                                                      std::string(crypto::KeyTypeName(key_type)) +
                                                      " key cannot sign");
    }
    alg = *def;
  }
  auto needed = SignatureKeyType(alg);
  if (!needed) {
    return Status(StatusCode::kUnsupported, std::string(where) + ": alg " +
                                                internal::AlgDescription(alg) +
                                                " is not a signature algorithm we implement");
  }
  if (*needed != key_type) {
    return Status(StatusCode::kInvalidArgument,
                  std::string(where) + ": alg " + AlgName(alg) + " needs a " +
                      std::string(crypto::KeyTypeName(*needed)) + " key, got " +
                      std::string(crypto::KeyTypeName(key_type)));
  }
  return alg;
}

// The part of the verification policy that does not depend on the key
// (see sign.h): alg present, in the protected bucket, a signature algorithm
// we implement. Returns the key type the algorithm needs.
Result<crypto::KeyType> CheckSignatureAlg(const Headers& headers, std::string_view where) {
  if (!headers.protected_params.alg) {
    if (headers.unprotected_params.alg) {
      // RFC 9052 §3.1 allows alg in either bucket; we require it protected so
      // that the signature covers it (no algorithm substitution).
      return Status(StatusCode::kUnsupported,
                    std::string(where) +
                        ": alg (1) must be in the protected bucket, but it is only in the "
                        "unprotected bucket");
    }
    return internal::Malformed(where, "alg (1) is missing from the protected bucket");
  }
  const int64_t alg = *headers.protected_params.alg;
  auto needed = SignatureKeyType(alg);
  if (!needed) {
    return Status(StatusCode::kUnsupported, std::string(where) + ": alg " +
                                                internal::AlgDescription(alg) +
                                                " is not a signature algorithm we implement");
  }
  return *needed;
}

Status CheckKeyFits(int64_t alg, crypto::KeyType needed, const crypto::PublicKey& key,
                    std::string_view where) {
  if (key.type() == needed) return OkStatus();
  return Status(StatusCode::kInvalidArgument,
                std::string(where) + ": alg " + AlgName(alg) + " needs a " +
                    std::string(crypto::KeyTypeName(needed)) + " key, got " +
                    std::string(crypto::KeyTypeName(key.type())));
}

// RFC 9052 §4.4 steps 2-3 (verification): rebuild the Sig_structure from the
// protected bytes exactly as received and check the signature over it.
Status VerifyOne(std::string_view context, ByteView body_protected,
                 std::optional<ByteView> sign_protected, const Headers& signer_headers,
                 ByteView signature, const crypto::PublicKey& key, ByteView external_aad,
                 ByteView payload, std::string_view where) {
  TEEP_ASSIGN_OR_RETURN(crypto::KeyType needed, CheckSignatureAlg(signer_headers, where));
  TEEP_RETURN_IF_ERROR(CheckKeyFits(*signer_headers.protected_params.alg, needed, key, where));
  Result<Bytes> tbs =
      sign_protected
          ? internal::BuildContextStructure(context,
                                            {body_protected, *sign_protected, external_aad, payload})
          : internal::BuildContextStructure(context, {body_protected, external_aad, payload});
  if (!tbs.ok()) return tbs.status().WithContext(where);
  // The crypto layer accepts raw r||s only; a DER signature fails here.
  Status st = key.Verify(*tbs, signature);
  if (!st.ok()) return st.WithContext(where);
  return OkStatus();
}

// Key order for one attempt: keys whose RFC 9679 thumbprint equals the kid
// first, then the rest. The kid is only a hint (unauthenticated when it sits in
// the unprotected bucket), so no key is ever skipped because of it.
std::vector<size_t> KeyOrder(std::optional<ByteView> kid, std::span<const crypto::PublicKey> keys) {
  std::vector<size_t> first, rest;
  for (size_t i = 0; i < keys.size(); ++i) {
    bool match = false;
    if (kid && kid->size() == 32) {
      auto tp = Thumbprint(keys[i]);
      match = tp.ok() && std::equal(tp->begin(), tp->end(), kid->begin(), kid->end());
    }
    (match ? first : rest).push_back(i);
  }
  first.insert(first.end(), rest.begin(), rest.end());
  return first;
}

Status NoKeyVerified(std::string_view where, size_t keys_tried) {
  return Status(StatusCode::kVerificationFailed,
                std::string(where) + ": no key verified the signature (" +
                    std::to_string(keys_tried) + " keys tried)");
}

void WritePayload(cbor::Writer& w, ByteView payload, bool detached) {
  if (detached) {
    w.WriteNull();
  } else {
    w.WriteBytes(payload);
  }
}

}  // namespace

// ---- COSE_Sign1 --------------------------------------------------------

Result<Bytes> CreateSign1(const crypto::PrivateKey& key, ByteView payload,
                          const SignOptions& options) {
  TEEP_ASSIGN_OR_RETURN(int64_t alg, ChooseSigningAlg(key.type(), options.alg, kSign1));
  TEEP_ASSIGN_OR_RETURN(Bytes protected_bucket, internal::EncodeAlgProtected(alg));
  TEEP_ASSIGN_OR_RETURN(Bytes unprotected, internal::EncodeKidUnprotected(options.kid));
  // RFC 9052 §4.4: Sig_structure = ["Signature1", body_protected,
  // external_aad, payload]; a detached payload is still signed.
  TEEP_ASSIGN_OR_RETURN(Bytes tbs, internal::BuildContextStructure(
                                       kContextSignature1,
                                       {ByteView(protected_bucket), options.external_aad, payload}));
  auto signature = key.Sign(tbs);
  if (!signature.ok()) return signature.status().WithContext(kSign1);

  cbor::Writer w;
  if (options.tagged) w.WriteTag(kTagSign1);
  w.BeginArray(4);
  internal::WriteHeaderBuckets(w, protected_bucket, unprotected);
  WritePayload(w, payload, options.detached);
  w.WriteBytes(*signature);
  auto out = std::move(w).Finish();
  if (!out.ok()) return out.status().WithContext(kSign1);
  return out;
}

Result<Sign1Message> DecodeSign1(ByteView data, TagPolicy tags) {
  // RFC 9052 §4.2: COSE_Sign1 = [protected, unprotected, payload: bstr / nil,
  // signature: bstr].
  Sign1Message m;
  cbor::Reader r = internal::OpenRelaxed(data);
  TEEP_RETURN_IF_ERROR(internal::BeginStructure(r, kTagSign1, tags, 4, kSign1, &m.tagged));
  TEEP_RETURN_IF_ERROR(internal::ReadHeaderBuckets(r, kSign1, &m.headers));
  TEEP_RETURN_IF_ERROR(internal::ReadBytesOrNil(r, kSign1, "payload", &m.payload));
  TEEP_RETURN_IF_ERROR(internal::ReadBytesField(r, kSign1, "signature", &m.signature));
  TEEP_RETURN_IF_ERROR(internal::FinishStructure(r, kSign1));
  return m;
}

Status VerifySign1(const Sign1Message& message, const crypto::PublicKey& key,
                   ByteView external_aad, std::optional<ByteView> detached_payload) {
  TEEP_ASSIGN_OR_RETURN(ByteView payload,
                        internal::ResolvePayload(message.payload, detached_payload, kSign1));
  return VerifyOne(kContextSignature1, message.headers.protected_bytes, std::nullopt,
                   message.headers, message.signature, key, external_aad, payload, kSign1);
}

// ---- COSE_Sign -----------------------------------------------------------

Result<Bytes> CreateSign(std::span<const SignerSpec> signers, ByteView payload,
                         const MultiSignOptions& options) {
  if (signers.empty()) {
    return Status(StatusCode::kInvalidArgument, std::string(kSign) + ": at least one signer is required");
  }
  // The body carries no parameters: its protected bucket is the empty bstr
  // (RFC 9052 §3) and each signature carries its own alg.
  const Bytes body_protected;
  TEEP_ASSIGN_OR_RETURN(Bytes body_unprotected, EncodeHeaderMap({}));

  cbor::Writer w;
  if (options.tagged) w.WriteTag(kTagSign);
  w.BeginArray(4);
  internal::WriteHeaderBuckets(w, body_protected, body_unprotected);
  WritePayload(w, payload, options.detached);
  w.BeginArray(signers.size());
  for (size_t i = 0; i < signers.size(); ++i) {
    const SignerSpec& s = signers[i];
    const std::string where = SignatureWhere(i);
    if (s.key == nullptr) {
      return Status(StatusCode::kInvalidArgument, where + ": signer has no key");
    }
    TEEP_ASSIGN_OR_RETURN(int64_t alg, ChooseSigningAlg(s.key->type(), s.alg, where));
    TEEP_ASSIGN_OR_RETURN(Bytes sign_protected, internal::EncodeAlgProtected(alg));
    TEEP_ASSIGN_OR_RETURN(Bytes sign_unprotected, internal::EncodeKidUnprotected(s.kid));
    // RFC 9052 §4.4: ["Signature", body_protected, sign_protected,
    // external_aad, payload].
    TEEP_ASSIGN_OR_RETURN(
        Bytes tbs, internal::BuildContextStructure(
                       kContextSignature, {ByteView(body_protected), ByteView(sign_protected),
                                           options.external_aad, payload}));
    auto signature = s.key->Sign(tbs);
    if (!signature.ok()) return signature.status().WithContext(where);
    w.BeginArray(3);
    internal::WriteHeaderBuckets(w, sign_protected, sign_unprotected);
    w.WriteBytes(*signature);
  }
  auto out = std::move(w).Finish();
  if (!out.ok()) return out.status().WithContext(kSign);
  return out;
}

Result<SignMessage> DecodeSign(ByteView data, TagPolicy tags) {
  // RFC 9052 §4.1: COSE_Sign = [protected, unprotected, payload: bstr / nil,
  // signatures: [+ COSE_Signature]]; COSE_Signature = [protected,
  // unprotected, signature: bstr].
  SignMessage m;
  cbor::Reader r = internal::OpenRelaxed(data);
  TEEP_RETURN_IF_ERROR(internal::BeginStructure(r, kTagSign, tags, 4, kSign, &m.tagged));
  TEEP_RETURN_IF_ERROR(internal::ReadHeaderBuckets(r, kSign, &m.headers));
  TEEP_RETURN_IF_ERROR(internal::ReadBytesOrNil(r, kSign, "payload", &m.payload));
  uint64_t count = 0;
  TEEP_RETURN_IF_ERROR(internal::ReadArrayOf(r, kSign, "signatures", 0, &count));
  for (uint64_t i = 0; i < count; ++i) {
    const std::string where = SignatureWhere(i);
    uint64_t n;
    TEEP_RETURN_IF_ERROR(internal::ReadArrayOf(r, where, "COSE_Signature", 3, &n));
    SignatureEntry entry;
    TEEP_RETURN_IF_ERROR(internal::ReadHeaderBuckets(r, where, &entry.headers));
    TEEP_RETURN_IF_ERROR(internal::ReadBytesField(r, where, "signature", &entry.signature));
    m.signatures.push_back(entry);
  }
  TEEP_RETURN_IF_ERROR(internal::FinishStructure(r, kSign));
  return m;
}

Status VerifySignature(const SignMessage& message, size_t index, const crypto::PublicKey& key,
                       ByteView external_aad, std::optional<ByteView> detached_payload) {
  if (index >= message.signatures.size()) {
    return Status(StatusCode::kInvalidArgument,
                  std::string(kSign) + ": no signature " + std::to_string(index) + " (the message has " +
                      std::to_string(message.signatures.size()) + ")");
  }
  TEEP_ASSIGN_OR_RETURN(ByteView payload,
                        internal::ResolvePayload(message.payload, detached_payload, kSign));
  const SignatureEntry& s = message.signatures[index];
  return VerifyOne(kContextSignature, message.headers.protected_bytes, s.headers.protected_bytes,
                   s.headers, s.signature, key, external_aad, payload, SignatureWhere(index));
}

// ---- trust anchors ------------------------------------------------------

Result<VerifiedBy> VerifyWithAnyKey(const Sign1Message& message,
                                    std::span<const crypto::PublicKey> keys, ByteView external_aad,
                                    std::optional<ByteView> detached_payload) {
  // Problems that no key can fix are reported as such, not as "no key".
  TEEP_RETURN_IF_ERROR(
      internal::ResolvePayload(message.payload, detached_payload, kSign1).status());
  TEEP_RETURN_IF_ERROR(CheckSignatureAlg(message.headers, kSign1).status());
  for (size_t k : KeyOrder(message.headers.kid(), keys)) {
    if (VerifySign1(message, keys[k], external_aad, detached_payload).ok()) {
      return VerifiedBy{0, k};
    }
  }
  return NoKeyVerified(kSign1, keys.size());
}

Result<VerifiedBy> VerifyWithAnyKey(const SignMessage& message,
                                    std::span<const crypto::PublicKey> keys, ByteView external_aad,
                                    std::optional<ByteView> detached_payload) {
  TEEP_RETURN_IF_ERROR(
      internal::ResolvePayload(message.payload, detached_payload, kSign).status());
  // A signature with an algorithm we cannot check is skipped (another signer
  // may still be verifiable); if none is checkable, say why for the first.
  std::optional<Status> first_policy_error;
  bool any_checkable = false;
  for (size_t i = 0; i < message.signatures.size(); ++i) {
    const SignatureEntry& s = message.signatures[i];
    Status policy = CheckSignatureAlg(s.headers, SignatureWhere(i)).status();
    if (!policy.ok()) {
      if (!first_policy_error) first_policy_error = policy;
      continue;
    }
    any_checkable = true;
    for (size_t k : KeyOrder(s.headers.kid(), keys)) {
      if (VerifySignature(message, i, keys[k], external_aad, detached_payload).ok()) {
        return VerifiedBy{i, k};
      }
    }
  }
  if (!any_checkable && first_policy_error) return *first_policy_error;
  return NoKeyVerified(kSign, keys.size());
}

}  // namespace teep::cose
