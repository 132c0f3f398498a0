#include "core/agent/inventory.h"

#include <utility>

#include "core/cbor/writer.h"
#include "core/crypto/crypto.h"
#include "core/suit/component_id.h"
#include "core/suit/digest.h"
#include "core/suit/envelope.h"
#include "core/suit/manifest.h"
#include "core/suit/parameters.h"

namespace teep::agent {
namespace {

msg::ComponentId Owned(const suit::ComponentId& id) {
  msg::ComponentId out;
  for (ByteView part : id) out.push_back(ToBytes(part));
  return out;
}

Status MeasureComponent(suit::ComponentStore& store, const suit::ComponentId& id, InstalledTc* tc) {
  const Bytes component = suit::EncodeComponentId(id);
  TEEP_ASSIGN_OR_RETURN(std::optional<uint64_t> size, store.Size(component));
  if (!size) return OkStatus();
  TEEP_ASSIGN_OR_RETURN(crypto::Hasher hasher, crypto::Hasher::Create(crypto::HashAlg::kSha256));
  TEEP_RETURN_IF_ERROR(store.Read(component, [&](ByteView chunk) { return hasher.Update(chunk); }));
  TEEP_ASSIGN_OR_RETURN(Bytes digest, hasher.Finish());
  TEEP_ASSIGN_OR_RETURN(Bytes encoded, suit::EncodeDigest(suit::kDigestSha256, digest));
  tc->image_digest = std::move(encoded);
  tc->image_size = *size;
  return OkStatus();
}

}  // namespace

Result<std::vector<InstalledTc>> ReadInventory(suit::ComponentStore& store) {
  TEEP_ASSIGN_OR_RETURN(std::vector<suit::ManifestRecord> records, store.ListManifests());
  std::vector<InstalledTc> out;
  out.reserve(records.size());
  for (const suit::ManifestRecord& record : records) {
    InstalledTc tc;
    TEEP_ASSIGN_OR_RETURN(suit::ComponentId id, suit::DecodeComponentId(record.manifest_id));
    tc.manifest_id = Owned(id);
    tc.sequence_number = record.sequence_number;
    // The record was authenticated when it was installed; it is read here
    // only to describe it.
    TEEP_ASSIGN_OR_RETURN(suit::Envelope envelope, suit::DecodeEnvelope(record.envelope));
    tc.manifest_digest = ToBytes(envelope.digest);
    auto manifest = suit::DecodeManifest(envelope.manifest.content);
    if (!manifest.ok()) return manifest.status();
    if (manifest->reference_uri) tc.reference_uri = std::string(*manifest->reference_uri);
    // A manifest without components (dependencies only) is its own TC.
    const auto& components = manifest->common.components;
    tc.component_id = components.empty() ? tc.manifest_id : Owned(components.front());
    if (!components.empty()) TEEP_RETURN_IF_ERROR(MeasureComponent(store, components.front(), &tc));
    out.push_back(std::move(tc));
  }
  return out;
}

Result<msg::SystemPropertyClaims> TcListEntry(const InstalledTc& tc) {
  cbor::Writer w;
  const bool measured = tc.image_digest.has_value();
  w.BeginMap(measured ? 3 : 1);
  w.WriteUint(0);  // system-component-id
  w.BeginArray(tc.component_id.size());
  for (const Bytes& part : tc.component_id) w.WriteBytes(part);
  if (measured) {
    w.WriteUint(suit::kParamImageDigest);
    w.WriteBytes(*tc.image_digest);  // bstr .cbor SUIT_Digest, as in P Appendix D.3
    w.WriteUint(suit::kParamImageSize);
    w.WriteUint(*tc.image_size);
  }
  TEEP_ASSIGN_OR_RETURN(Bytes encoded, std::move(w).Finish());
  return msg::SystemPropertyClaims::Parse(encoded);
}

const InstalledTc* FindInstalled(const std::vector<InstalledTc>& inventory,
                                 const msg::ComponentId& id) {
  for (const InstalledTc& tc : inventory) {
    if (tc.component_id == id || tc.manifest_id == id) return &tc;
  }
  return nullptr;
}

Result<eat::Manifest> EatManifestEntry(const std::string& uri, ByteView suit_digest) {
  cbor::Writer w;
  w.BeginArray(2);
  w.WriteText(uri);
  w.WriteRaw(suit_digest);
  TEEP_ASSIGN_OR_RETURN(Bytes reference, std::move(w).Finish());
  return eat::Manifest{kSuitReferenceContentFormat, std::move(reference)};
}

}  // namespace teep::agent
