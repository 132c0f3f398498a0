#include "core/teep/messages.h"

#include <string>

#include "core/cbor/reader.h"
#include "core/cbor/writer.h"
#include "core/teep/codec_internal.h"

namespace teep::msg {

CipherSuite SuiteSign1Esp256() { return {CipherOperation{kCoseTypeSign1, kAlgEsp256}}; }
CipherSuite SuiteSign1Ed25519() { return {CipherOperation{kCoseTypeSign1, kAlgEd25519}}; }

std::vector<SuitCoseProfile> MandatorySuitCoseProfiles() {
  // P §8.2 / draft-ietf-suit-mti: suit-sha256-esp256-ecdh-a128ctr,
  // suit-sha256-ed25519-ecdh-a128ctr, suit-sha256-esp256-ecdh-a128gcm,
  // suit-sha256-ed25519-ecdh-chacha-poly.
  return {{-16, -9, -29, -65534}, {-16, -19, -29, -65534}, {-16, -9, -29, 1}, {-16, -19, -29, 24}};
}

SystemPropertyClaims SystemPropertyClaims::ForComponent(const ComponentId& id) {
  cbor::Writer w;
  w.BeginMap(1);
  w.WriteUint(0);  // system-component-id
  w.BeginArray(id.size());
  for (const Bytes& b : id) w.WriteBytes(b);
  auto encoded = std::move(w).Finish();
  // A map of one uint key and an array of byte strings cannot fail to encode.
  return SystemPropertyClaims{id, encoded.ok() ? std::move(encoded).value() : Bytes{}};
}

Result<SystemPropertyClaims> SystemPropertyClaims::Parse(ByteView encoded) {
  cbor::Reader r = cbor::Reader::Open(encoded, cbor::RelaxedOptions());
  if (!r.ok()) return r.status().WithContext("system-property-claims");
  uint64_t pairs = 0;
  if (r.PeekType() != cbor::MajorType::kMap) {
    return Status(StatusCode::kMalformed, "system-property-claims: expected map");
  }
  r.ReadMapHeader(&pairs);
  SystemPropertyClaims out;
  bool have_id = false;
  for (uint64_t i = 0; i < pairs; ++i) {
    auto key_type = r.PeekType();
    if (key_type != cbor::MajorType::kUnsigned && key_type != cbor::MajorType::kNegative) {
      return Status(StatusCode::kMalformed, "system-property-claims: keys must be integers");
    }
    cbor::Reader probe = r;
    int64_t key = 0;
    if (!probe.ReadInt(&key)) {
      r.Skip();  // a key beyond int64 range is still an integer key
      r.Skip();
      continue;
    }
    r = probe;
    if (key != 0) {
      r.Skip();
      continue;
    }
    uint64_t n = 0;
    if (r.PeekType() != cbor::MajorType::kArray) {
      return Status(StatusCode::kMalformed,
                    "system-property-claims.system-component-id: expected array");
    }
    r.ReadArrayHeader(&n);
    for (uint64_t j = 0; j < n; ++j) {
      ByteView b;
      if (r.PeekType() != cbor::MajorType::kBytes) {
        return Status(StatusCode::kMalformed, Cat("system-property-claims.system-component-id[",
                                                            j, "]: expected byte string"));
      }
      r.ReadBytes(&b);
      out.system_component_id.push_back(ToBytes(b));
    }
    have_id = true;
  }
  if (!have_id) {
    return Status(StatusCode::kMalformed,
                  "system-property-claims: system-component-id (0) is missing");
  }
  TEEP_ASSIGN_OR_RETURN(out.encoded, internal::Canonicalize(encoded));
  return out;
}

MessageType TypeOf(const Message& message) {
  return static_cast<MessageType>(message.index());
}

const std::vector<Extension>& ExtensionsOf(const Message& message) {
  return std::visit([](const auto& m) -> const std::vector<Extension>& { return m.extensions; },
                    message);
}

std::vector<uint64_t> UnknownLabels(const Message& message) {
  std::vector<uint64_t> labels;
  for (const Extension& e : ExtensionsOf(message)) labels.push_back(e.label);
  return labels;
}

}  // namespace teep::msg
