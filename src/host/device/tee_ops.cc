#include "host/device/tee_ops.h"

#include <string_view>
#include <utility>

#include "core/cbor/path_read.h"
#include "core/cbor/writer.h"

namespace teep::host::device {
namespace {

using namespace cbor::path_read;  // NOLINT: the typed reads are this file's vocabulary

void WriteComponent(cbor::Writer& w, const msg::ComponentId& id) {
  w.BeginArray(id.size());
  for (const Bytes& part : id) w.WriteBytes(part);
}

Status ReadComponent(cbor::Reader& r, std::string_view path, msg::ComponentId* out) {
  uint64_t parts = 0;
  TEEP_RETURN_IF_ERROR(ReadArray(r, path, &parts));
  for (uint64_t i = 0; i < parts; ++i) {
    ByteView part;
    TEEP_RETURN_IF_ERROR(ReadBstr(r, Index(path, i), &part));
    out->push_back(ToBytes(part));
  }
  return OkStatus();
}

Status ReadString(cbor::Reader& r, std::string_view path, std::string* out) {
  std::string_view text;
  TEEP_RETURN_IF_ERROR(ReadText(r, path, &text));
  *out = std::string(text);
  return OkStatus();
}

}  // namespace

Result<Bytes> EncodeRequestTa(const RequestTaArgs& args) {
  cbor::Writer w;
  w.BeginArray(2);
  WriteComponent(w, args.component);
  if (args.tam_uri) {
    w.WriteText(*args.tam_uri);
  } else {
    w.WriteNull();
  }
  return std::move(w).Finish();
}

Result<RequestTaArgs> DecodeRequestTa(ByteView data) {
  constexpr std::string_view kPath = "RequestTA";
  TEEP_ASSIGN_OR_RETURN(cbor::Reader r, OpenItem(data, kPath));
  uint64_t n = 0;
  TEEP_RETURN_IF_ERROR(ReadArray(r, kPath, &n));
  if (n != 2) return Malformed(kPath, "expected [component-id, tam-uri / null]");
  RequestTaArgs args;
  TEEP_RETURN_IF_ERROR(ReadComponent(r, Member(kPath, "component-id"), &args.component));
  if (r.PeekNull()) {
    r.ReadNull();
  } else {
    std::string uri;
    TEEP_RETURN_IF_ERROR(ReadString(r, Member(kPath, "tam-uri"), &uri));
    args.tam_uri = std::move(uri);
  }
  TEEP_RETURN_IF_ERROR(Latched(r, kPath));
  return args;
}

Result<Bytes> EncodeComponent(const msg::ComponentId& component) {
  cbor::Writer w;
  WriteComponent(w, component);
  return std::move(w).Finish();
}

Result<msg::ComponentId> DecodeComponent(ByteView data) {
  constexpr std::string_view kPath = "component-id";
  TEEP_ASSIGN_OR_RETURN(cbor::Reader r, OpenItem(data, kPath));
  msg::ComponentId id;
  TEEP_RETURN_IF_ERROR(ReadComponent(r, kPath, &id));
  TEEP_RETURN_IF_ERROR(Latched(r, kPath));
  return id;
}

Result<Bytes> EncodeUriList(const std::vector<std::string>& uris) {
  cbor::Writer w;
  w.BeginArray(uris.size());
  for (const std::string& uri : uris) w.WriteText(uri);
  return std::move(w).Finish();
}

Result<std::vector<std::string>> DecodeUriList(ByteView data) {
  constexpr std::string_view kPath = "tam-uris";
  TEEP_ASSIGN_OR_RETURN(cbor::Reader r, OpenItem(data, kPath));
  uint64_t n = 0;
  TEEP_RETURN_IF_ERROR(ReadArray(r, kPath, &n));
  std::vector<std::string> uris(n);
  for (uint64_t i = 0; i < n; ++i) TEEP_RETURN_IF_ERROR(ReadString(r, Index(kPath, i), &uris[i]));
  TEEP_RETURN_IF_ERROR(Latched(r, kPath));
  return uris;
}

Result<Bytes> EncodeTcList(const std::vector<agent::InstalledTc>& tcs) {
  cbor::Writer w;
  w.BeginArray(tcs.size());
  for (const agent::InstalledTc& tc : tcs) {
    w.BeginArray(5);
    WriteComponent(w, tc.manifest_id);
    WriteComponent(w, tc.component_id);
    w.WriteUint(tc.sequence_number);
    if (tc.image_digest) {
      w.WriteBytes(*tc.image_digest);
    } else {
      w.WriteNull();
    }
    if (tc.image_size) {
      w.WriteUint(*tc.image_size);
    } else {
      w.WriteNull();
    }
  }
  return std::move(w).Finish();
}

Result<std::vector<agent::InstalledTc>> DecodeTcList(ByteView data) {
  constexpr std::string_view kPath = "tc-list";
  TEEP_ASSIGN_OR_RETURN(cbor::Reader r, OpenItem(data, kPath));
  uint64_t n = 0;
  TEEP_RETURN_IF_ERROR(ReadArray(r, kPath, &n));
  std::vector<agent::InstalledTc> tcs;
  for (uint64_t i = 0; i < n; ++i) {
    const std::string path = Index(kPath, i);
    uint64_t fields = 0;
    TEEP_RETURN_IF_ERROR(ReadArray(r, path, &fields));
    if (fields != 5) return Malformed(path, "expected 5 fields");
    agent::InstalledTc tc;
    TEEP_RETURN_IF_ERROR(ReadComponent(r, Member(path, "manifest-id"), &tc.manifest_id));
    TEEP_RETURN_IF_ERROR(ReadComponent(r, Member(path, "component-id"), &tc.component_id));
    TEEP_RETURN_IF_ERROR(ReadUint(r, Member(path, "sequence"), &tc.sequence_number));
    if (r.PeekNull()) {
      r.ReadNull();
    } else {
      ByteView digest;
      TEEP_RETURN_IF_ERROR(ReadBstr(r, Member(path, "digest"), &digest));
      tc.image_digest = ToBytes(digest);
    }
    if (r.PeekNull()) {
      r.ReadNull();
    } else {
      uint64_t size = 0;
      TEEP_RETURN_IF_ERROR(ReadUint(r, Member(path, "size"), &size));
      tc.image_size = size;
    }
    tcs.push_back(std::move(tc));
  }
  TEEP_RETURN_IF_ERROR(Latched(r, kPath));
  return tcs;
}

}  // namespace teep::host::device
