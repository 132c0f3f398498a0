#include "core/cose/mac.h"

#include <string>

#include "core/cbor/reader.h"
#include "core/cbor/writer.h"
#include "core/cose/algorithms.h"
#include "core/cose/cose_internal.h"
#include "core/crypto/crypto.h"

namespace teep::cose {
namespace {

constexpr std::string_view kMac0 = "COSE_Mac0";
// RFC 9052 §6.3 context string of the MAC_structure for COSE_Mac0.
constexpr std::string_view kContextMac0 = "MAC0";

// RFC 9053 §3.1: HMAC 256/256 has a 256-bit tag.
constexpr size_t kHmac256TagSize = 32;
// RFC 9053 §3.1 recommends a key as long as the hash output (32 bytes). We
// accept down to 16 bytes (128-bit security) for peers with shorter PSKs.
constexpr size_t kMinKeySize = 16;

Status CheckKey(ByteView key) {
  if (key.size() < kMinKeySize) {
    return Status(StatusCode::kInvalidArgument,
                  std::string(kMac0) + ": HMAC key must be at least " + std::to_string(kMinKeySize) +
                      " bytes, got " + std::to_string(key.size()));
  }
  return OkStatus();
}

// The MAC policy mirrors the signature policy (sign.h): alg in the protected
// bucket and HMAC 256/256, the only MAC we implement.
Status CheckMacAlg(const Headers& headers) {
  if (!headers.protected_params.alg) {
    if (headers.unprotected_params.alg) {
      return Status(StatusCode::kUnsupported,
                    std::string(kMac0) +
                        ": alg (1) must be in the protected bucket, but it is only in the "
                        "unprotected bucket");
    }
    return internal::Malformed(kMac0, "alg (1) is missing from the protected bucket");
  }
  const int64_t alg = *headers.protected_params.alg;
  if (alg != kAlgHmac256) {
    return Status(StatusCode::kUnsupported, std::string(kMac0) + ": alg " +
                                                internal::AlgDescription(alg) +
                                                " is not supported (only 5, HMAC 256/256)");
  }
  return OkStatus();
}

Result<Bytes> ComputeTag(ByteView key, ByteView protected_bucket, ByteView external_aad,
                         ByteView payload) {
  // RFC 9052 §6.3: MAC_structure = ["MAC0", protected, external_aad, payload].
  TEEP_ASSIGN_OR_RETURN(Bytes to_mac, internal::BuildContextStructure(
                                          kContextMac0, {protected_bucket, external_aad, payload}));
  auto tag = crypto::Hmac(crypto::HashAlg::kSha256, key, to_mac);
  if (!tag.ok()) return tag.status().WithContext(kMac0);
  if (tag->size() != kHmac256TagSize) {
    return Status(StatusCode::kInternal, std::string(kMac0) + ": HMAC-SHA-256 output has the wrong size");
  }
  return tag;
}

}  // namespace

Result<Bytes> CreateMac0(ByteView key, ByteView payload, const MacOptions& options) {
  TEEP_RETURN_IF_ERROR(CheckKey(key));
  TEEP_ASSIGN_OR_RETURN(Bytes protected_bucket, internal::EncodeAlgProtected(kAlgHmac256));
  TEEP_ASSIGN_OR_RETURN(Bytes unprotected, internal::EncodeKidUnprotected(options.kid));
  TEEP_ASSIGN_OR_RETURN(Bytes tag,
                        ComputeTag(key, protected_bucket, options.external_aad, payload));
  cbor::Writer w;
  if (options.tagged) w.WriteTag(kTagMac0);
  w.BeginArray(4);
  internal::WriteHeaderBuckets(w, protected_bucket, unprotected);
  if (options.detached) {
    w.WriteNull();
  } else {
    w.WriteBytes(payload);
  }
  w.WriteBytes(tag);
  auto out = std::move(w).Finish();
  if (!out.ok()) return out.status().WithContext(kMac0);
  return out;
}

Result<Mac0Message> DecodeMac0(ByteView data, TagPolicy tags) {
  // RFC 9052 §6.2: COSE_Mac0 = [protected, unprotected, payload: bstr / nil,
  // tag: bstr].
  Mac0Message m;
  cbor::Reader r = internal::OpenRelaxed(data);
  TEEP_RETURN_IF_ERROR(internal::BeginStructure(r, kTagMac0, tags, 4, kMac0, &m.tagged));
  TEEP_RETURN_IF_ERROR(internal::ReadHeaderBuckets(r, kMac0, &m.headers));
  TEEP_RETURN_IF_ERROR(internal::ReadBytesOrNil(r, kMac0, "payload", &m.payload));
  TEEP_RETURN_IF_ERROR(internal::ReadBytesField(r, kMac0, "tag", &m.tag));
  TEEP_RETURN_IF_ERROR(internal::FinishStructure(r, kMac0));
  return m;
}

Status VerifyMac0(const Mac0Message& message, ByteView key, ByteView external_aad,
                  std::optional<ByteView> detached_payload) {
  TEEP_RETURN_IF_ERROR(CheckMacAlg(message.headers));
  TEEP_RETURN_IF_ERROR(CheckKey(key));
  TEEP_ASSIGN_OR_RETURN(ByteView payload,
                        internal::ResolvePayload(message.payload, detached_payload, kMac0));
  TEEP_ASSIGN_OR_RETURN(Bytes expected, ComputeTag(key, message.headers.protected_bytes,
                                                   external_aad, payload));
  // A truncated tag (HMAC 256/64 style) is not HMAC 256/256: the length must
  // be exactly 32; ConstantTimeEqual treats a different length as unequal.
  const bool equal = crypto::ConstantTimeEqual(expected, message.tag);
  crypto::Wipe(expected.data(), expected.size());
  if (!equal) {
    return Status(StatusCode::kVerificationFailed,
                  std::string(kMac0) + ": tag does not verify" +
                      (message.tag.size() != kHmac256TagSize
                           ? " (expected 32 bytes, got " + std::to_string(message.tag.size()) + ")"
                           : std::string()));
  }
  return OkStatus();
}

}  // namespace teep::cose
