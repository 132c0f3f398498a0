#include "core/suit/envelope.h"

#include <string>

#include "core/cbor/reader.h"
#include "core/cbor/writer.h"
#include "core/suit/decode_util.h"

namespace teep::suit {

using namespace internal;  // NOLINT: decode helpers
using cbor::MajorType;

namespace {

constexpr std::string_view kPath = "SUIT_Envelope";
constexpr std::string_view kAuthPath = "SUIT_Envelope.authentication-wrapper";

std::string KeyName(int64_t key) {
  switch (key) {
    case kEnvelopeAuthentication: return "authentication-wrapper";
    case kEnvelopeManifest: return "manifest";
    case kEnvelopeCoswid: return "coswid";
    case kEnvelopeDependencyResolution: return "dependency-resolution";
    case kEnvelopePayloadFetch: return "payload-fetch";
    case kEnvelopeCandidateVerification: return "candidate-verification";
    case kEnvelopeInstall: return "install";
    case kEnvelopeText: return "text";
    default: return std::to_string(key);
  }
}

// SUIT_Authentication = [ bstr .cbor SUIT_Digest, * bstr .cbor SUIT_Authentication_Block ]
Status DecodeAuthentication(ByteView content, Envelope* env) {
  TEEP_ASSIGN_OR_RETURN(cbor::Reader r, OpenItem(content, kAuthPath));
  uint64_t count = 0;
  TEEP_RETURN_IF_ERROR(ReadArray(r, kAuthPath, &count));
  if (count == 0) {
    return Malformed(kAuthPath, "the SUIT_Digest (element 0) is missing");
  }
  TEEP_RETURN_IF_ERROR(ReadBstr(r, Index(kAuthPath, 0), &env->digest));
  for (uint64_t i = 1; i < count; ++i) {
    ByteView block;
    TEEP_RETURN_IF_ERROR(ReadBstr(r, Index(kAuthPath, i), &block));
    env->auth_blocks.push_back(block);
  }
  return OkStatus();
}

}  // namespace

bool IsSeverableKey(int64_t key) {
  switch (key) {
    case kEnvelopeCoswid:
    case kEnvelopeDependencyResolution:
    case kEnvelopePayloadFetch:
    case kEnvelopeCandidateVerification:
    case kEnvelopeInstall:
    case kEnvelopeText: return true;
    default: return false;
  }
}

const SeveredMember* Envelope::FindSevered(int64_t key) const {
  for (const auto& m : severed) {
    if (m.key == key) return &m;
  }
  return nullptr;
}

const IntegratedPayload* Envelope::FindPayload(std::string_view key) const {
  for (const auto& p : integrated_payloads) {
    if (p.key == key) return &p;
  }
  return nullptr;
}

Result<Envelope> DecodeEnvelope(ByteView data) {
  // Reader::Open refuses trailing bytes, duplicate map keys and indefinite
  // lengths (RFC 8949 §5.6: a map with duplicate keys is not valid).
  TEEP_ASSIGN_OR_RETURN(cbor::Reader r, OpenItem(data, kPath));
  Envelope env;
  if (auto tag = r.PeekTag()) {
    // manifest-37 §8.2: SUIT_Envelope_Tagged = #6.107(SUIT_Envelope); the
    // untagged form is used by TEEP (draft-ietf-teep-protocol-26 App. E).
    if (*tag != kTagEnvelope) {
      return Malformed(kPath, "expected tag 107 or an untagged map, got tag " + std::to_string(*tag));
    }
    r.ConsumeTag(kTagEnvelope);
    env.tagged = true;
  }
  uint64_t pairs = 0;
  TEEP_RETURN_IF_ERROR(ReadMap(r, kPath, &pairs));
  bool have_auth = false;
  bool have_manifest = false;
  for (uint64_t i = 0; i < pairs; ++i) {
    if (r.PeekType() == MajorType::kText) {
      // manifest-37 §7.5: SUIT_Integrated_Payload = tstr => bstr.
      IntegratedPayload p;
      r.ReadText(&p.key);
      std::string path(kPath);
      path += "[\"";
      path += p.key;
      path += "\"]";
      TEEP_RETURN_IF_ERROR(ReadBstr(r, path, &p.bytes));
      env.integrated_payloads.push_back(p);
      continue;
    }
    int64_t key = 0;
    TEEP_RETURN_IF_ERROR(ReadIntKey(r, Index(kPath, i) + " key", &key));
    const std::string path = Member(kPath, KeyName(key));
    WrappedBstr value;
    if (key == kEnvelopeAuthentication) {
      TEEP_RETURN_IF_ERROR(ReadWrappedBstr(r, path, &value.wrapped, &value.content));
      env.authentication_wrapper = value;
      TEEP_RETURN_IF_ERROR(DecodeAuthentication(value.content, &env));
      have_auth = true;
    } else if (key == kEnvelopeManifest) {
      // Kept with its head: the SUIT_Digest is over the bstr-wrapped manifest
      // (manifest-37 §8.3).
      TEEP_RETURN_IF_ERROR(ReadWrappedBstr(r, path, &value.wrapped, &value.content));
      env.manifest = value;
      have_manifest = true;
    } else if (IsSeverableKey(key)) {
      // manifest-37 §8.4.4 (severable members): digest is over the bstr-wrapped element.
      TEEP_RETURN_IF_ERROR(ReadWrappedBstr(r, path, &value.wrapped, &value.content));
      env.severed.push_back(SeveredMember{key, value});
    } else {
      // Unknown integer keys (including reserved 0 and 1) are refused: an
      // extension we do not understand might change what the envelope means.
      return Malformed(kPath, "unknown envelope key " + std::to_string(key));
    }
  }
  if (!have_auth) return Malformed(kPath, "authentication-wrapper (2) is missing");
  if (!have_manifest) return Malformed(kPath, "manifest (3) is missing");
  if (!r.ok()) return r.status().WithContext(kPath);
  return env;
}

Result<Bytes> EncodeInstalledEnvelope(const Envelope& envelope) {
  cbor::Writer w;
  if (envelope.tagged) w.WriteTag(kTagEnvelope);
  w.BeginMap(2);
  w.WriteInt(kEnvelopeAuthentication);
  w.WriteRaw(envelope.authentication_wrapper.wrapped);
  w.WriteInt(kEnvelopeManifest);
  w.WriteRaw(envelope.manifest.wrapped);
  return std::move(w).Finish();
}

}  // namespace teep::suit
