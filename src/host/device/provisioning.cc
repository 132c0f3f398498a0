#include "host/device/provisioning.h"

#include <string_view>
#include <utility>

#include "core/cbor/path_read.h"
#include "core/cbor/writer.h"

namespace teep::host::device {
namespace {

using namespace cbor::path_read;  // NOLINT: the typed reads are this file's vocabulary

constexpr std::string_view kRoot = "Provisioning";

Result<crypto::PublicKey> ReadKey(cbor::Reader& r, std::string_view path) {
  std::string_view pem;
  TEEP_RETURN_IF_ERROR(ReadText(r, path, &pem));
  auto key = crypto::PublicKey::FromPem(pem);
  if (!key.ok()) return key.status().WithContext(path);
  return key;
}

Status ReadUuids(cbor::Reader& r, const std::string& path, std::vector<Bytes>* out) {
  uint64_t n = 0;
  TEEP_RETURN_IF_ERROR(ReadArray(r, path, &n));
  for (uint64_t i = 0; i < n; ++i) {
    ByteView id;
    TEEP_RETURN_IF_ERROR(ReadBstr(r, Index(path, i), &id));
    if (id.size() != 16) return Malformed(Index(path, i), "a UUID is 16 bytes");
    out->push_back(ToBytes(id));
  }
  return OkStatus();
}

}  // namespace

Result<Bytes> EncodeProvisioning(const Provisioning& p) {
  cbor::Writer w;
  w.BeginArray(6);
  w.BeginArray(p.tams.size());
  for (const ProvisionedTam& tam : p.tams) {
    TEEP_ASSIGN_OR_RETURN(std::string pem, tam.key.ToPem());
    w.BeginArray(2);
    w.WriteText(tam.uri);
    w.WriteText(pem);
  }
  w.BeginArray(p.signers.size());
  for (const crypto::PublicKey& signer : p.signers) {
    TEEP_ASSIGN_OR_RETURN(std::string pem, signer.ToPem());
    w.WriteText(pem);
  }
  w.WriteText(p.hwmodel);
  w.WriteText(p.hwversion);
  for (const auto* ids : {&p.vendor_ids, &p.class_ids}) {
    w.BeginArray(ids->size());
    for (const Bytes& id : *ids) w.WriteBytes(id);
  }
  return std::move(w).Finish();
}

Result<Provisioning> DecodeProvisioning(ByteView data) {
  TEEP_ASSIGN_OR_RETURN(cbor::Reader r, OpenItem(data, kRoot));
  uint64_t n = 0;
  TEEP_RETURN_IF_ERROR(ReadArray(r, kRoot, &n));
  if (n != 6) return Malformed(kRoot, "expected 6 fields");
  Provisioning p;
  const std::string tams_path = Member(kRoot, "tams");
  uint64_t tams = 0;
  TEEP_RETURN_IF_ERROR(ReadArray(r, tams_path, &tams));
  for (uint64_t i = 0; i < tams; ++i) {
    const std::string path = Index(tams_path, i);
    uint64_t fields = 0;
    TEEP_RETURN_IF_ERROR(ReadArray(r, path, &fields));
    if (fields != 2) return Malformed(path, "expected [uri, key]");
    std::string_view uri;
    TEEP_RETURN_IF_ERROR(ReadText(r, Member(path, "uri"), &uri));
    TEEP_ASSIGN_OR_RETURN(crypto::PublicKey key, ReadKey(r, Member(path, "key")));
    p.tams.push_back({std::string(uri), std::move(key)});
  }
  const std::string signers_path = Member(kRoot, "signers");
  uint64_t signers = 0;
  TEEP_RETURN_IF_ERROR(ReadArray(r, signers_path, &signers));
  for (uint64_t i = 0; i < signers; ++i) {
    TEEP_ASSIGN_OR_RETURN(crypto::PublicKey key, ReadKey(r, Index(signers_path, i)));
    p.signers.push_back(std::move(key));
  }
  std::string_view hwmodel, hwversion;
  TEEP_RETURN_IF_ERROR(ReadText(r, Member(kRoot, "hwmodel"), &hwmodel));
  TEEP_RETURN_IF_ERROR(ReadText(r, Member(kRoot, "hwversion"), &hwversion));
  p.hwmodel = std::string(hwmodel);
  p.hwversion = std::string(hwversion);
  TEEP_RETURN_IF_ERROR(ReadUuids(r, Member(kRoot, "vendor-ids"), &p.vendor_ids));
  TEEP_RETURN_IF_ERROR(ReadUuids(r, Member(kRoot, "class-ids"), &p.class_ids));
  TEEP_RETURN_IF_ERROR(Latched(r, kRoot));
  return p;
}

}  // namespace teep::host::device
