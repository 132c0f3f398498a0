#include "host/store/token_items.h"

#include <string>

#include "core/cbor/path_read.h"
#include "core/cbor/reader.h"
#include "core/cbor/writer.h"

namespace teep::host {
namespace {

namespace pr = cbor::path_read;

constexpr std::string_view kInstallsPath = "tokens.installs";
constexpr std::string_view kRemovalsPath = "tokens.removals";

// Strict: exactly one deterministic item (cbor::Reader's default options).
Result<cbor::Reader> OpenStrict(ByteView encoded, std::string_view path) {
  cbor::Reader r = cbor::Reader::Open(encoded);
  if (!r.ok()) return r.status().WithContext(path);
  return r;
}

}  // namespace

Result<Bytes> EncodeTokenInstalls(const std::vector<tam::InstalledRecord>& installs) {
  cbor::Writer w;
  w.BeginArray(installs.size());
  for (const tam::InstalledRecord& item : installs) {
    w.BeginArray(2);
    w.WriteBytes(item.manifest_id);
    w.WriteUint(item.sequence_number);
  }
  auto out = std::move(w).Finish();
  if (!out.ok()) return out.status().WithContext(kInstallsPath);
  return out;
}

Result<std::vector<tam::InstalledRecord>> DecodeTokenInstalls(ByteView encoded) {
  TEEP_ASSIGN_OR_RETURN(cbor::Reader r, OpenStrict(encoded, kInstallsPath));
  uint64_t count = 0;
  TEEP_RETURN_IF_ERROR(pr::ReadArray(r, kInstallsPath, &count));
  std::vector<tam::InstalledRecord> out;
  // No reserve(count): the count is bounded by the input size only after
  // the elements have been read.
  for (uint64_t i = 0; i < count; ++i) {
    const std::string path = pr::Index(kInstallsPath, i);
    uint64_t pair = 0;
    TEEP_RETURN_IF_ERROR(pr::ReadArray(r, path, &pair));
    if (pair != 2) {
      return pr::Malformed(path, "expected [manifest-id, sequence-number], got an array of " +
                                     std::to_string(pair));
    }
    ByteView manifest_id;
    tam::InstalledRecord item;
    TEEP_RETURN_IF_ERROR(pr::ReadBstr(r, pr::Index(path, 0), &manifest_id));
    TEEP_RETURN_IF_ERROR(pr::ReadUint(r, pr::Index(path, 1), &item.sequence_number));
    item.manifest_id = ToBytes(manifest_id);
    out.push_back(std::move(item));
  }
  TEEP_RETURN_IF_ERROR(pr::Latched(r, kInstallsPath));
  return out;
}

Result<Bytes> EncodeTokenRemovals(const std::vector<Bytes>& removals) {
  cbor::Writer w;
  w.BeginArray(removals.size());
  for (const Bytes& manifest_id : removals) w.WriteBytes(manifest_id);
  auto out = std::move(w).Finish();
  if (!out.ok()) return out.status().WithContext(kRemovalsPath);
  return out;
}

Result<std::vector<Bytes>> DecodeTokenRemovals(ByteView encoded) {
  TEEP_ASSIGN_OR_RETURN(cbor::Reader r, OpenStrict(encoded, kRemovalsPath));
  uint64_t count = 0;
  TEEP_RETURN_IF_ERROR(pr::ReadArray(r, kRemovalsPath, &count));
  std::vector<Bytes> out;
  for (uint64_t i = 0; i < count; ++i) {
    ByteView manifest_id;
    TEEP_RETURN_IF_ERROR(pr::ReadBstr(r, pr::Index(kRemovalsPath, i), &manifest_id));
    out.push_back(ToBytes(manifest_id));
  }
  TEEP_RETURN_IF_ERROR(pr::Latched(r, kRemovalsPath));
  return out;
}

}  // namespace teep::host
