#include "core/agent/agent_state.h"

#include <string_view>
#include <utility>

#include "core/cbor/path_read.h"
#include "core/cbor/writer.h"

namespace teep::agent {
namespace {

using namespace cbor::path_read;  // NOLINT: the typed reads are this file's vocabulary

constexpr uint64_t kStateFormat = 1;
constexpr std::string_view kRoot = "AgentState";

void WriteRequests(cbor::Writer& w, const std::vector<PendingRequest>& requests) {
  w.BeginArray(requests.size());
  for (const PendingRequest& p : requests) {
    w.BeginArray(2);
    w.BeginArray(p.component.size());
    for (const Bytes& part : p.component) w.WriteBytes(part);
    w.WriteText(p.tam_uri);
  }
}

void WriteOptionalBytes(cbor::Writer& w, const std::optional<Bytes>& value) {
  if (value) {
    w.WriteBytes(*value);
  } else {
    w.WriteNull();
  }
}

Status ReadRequests(cbor::Reader& r, std::string_view path, std::vector<PendingRequest>* out) {
  uint64_t count = 0;
  TEEP_RETURN_IF_ERROR(ReadArray(r, path, &count));
  for (uint64_t i = 0; i < count; ++i) {
    const std::string entry = Index(path, i);
    uint64_t fields = 0;
    TEEP_RETURN_IF_ERROR(ReadArray(r, entry, &fields));
    if (fields != 2) return Malformed(entry, "expected [component-id, tam-uri]");
    PendingRequest p;
    uint64_t parts = 0;
    TEEP_RETURN_IF_ERROR(ReadArray(r, Member(entry, "component-id"), &parts));
    for (uint64_t k = 0; k < parts; ++k) {
      ByteView part;
      TEEP_RETURN_IF_ERROR(ReadBstr(r, Index(Member(entry, "component-id"), k), &part));
      p.component.push_back(ToBytes(part));
    }
    std::string_view uri;
    TEEP_RETURN_IF_ERROR(ReadText(r, Member(entry, "tam-uri"), &uri));
    p.tam_uri = std::string(uri);
    out->push_back(std::move(p));
  }
  return OkStatus();
}

Status ReadOptionalBstr(cbor::Reader& r, std::string_view path, std::optional<Bytes>* out) {
  if (r.PeekNull()) return r.ReadNull() ? OkStatus() : Latched(r, path);
  ByteView v;
  TEEP_RETURN_IF_ERROR(ReadBstr(r, path, &v));
  *out = ToBytes(v);
  return OkStatus();
}

Status ReadOptionalText(cbor::Reader& r, std::string_view path, std::optional<std::string>* out) {
  if (r.PeekNull()) return r.ReadNull() ? OkStatus() : Latched(r, path);
  std::string_view v;
  TEEP_RETURN_IF_ERROR(ReadText(r, path, &v));
  *out = std::string(v);
  return OkStatus();
}

}  // namespace

Result<Bytes> EncodeAgentState(const AgentState& state) {
  cbor::Writer w;
  w.BeginArray(6);
  w.WriteUint(kStateFormat);
  WriteRequests(w, state.requested);
  WriteRequests(w, state.unneeded);
  w.BeginArray(state.seen_update_tokens.size());
  for (const Bytes& token : state.seen_update_tokens) w.WriteBytes(token);
  WriteOptionalBytes(w, state.passport);
  if (state.passport_format) {
    w.WriteText(*state.passport_format);
  } else {
    w.WriteNull();
  }
  if (!w.ok()) return w.status().WithContext(kRoot);
  return std::move(w).Finish();
}

Result<AgentState> DecodeAgentState(ByteView data) {
  TEEP_ASSIGN_OR_RETURN(cbor::Reader r, OpenItem(data, kRoot));
  uint64_t fields = 0;
  TEEP_RETURN_IF_ERROR(ReadArray(r, kRoot, &fields));
  if (fields != 6) return Malformed(kRoot, "expected 6 fields, got " + std::to_string(fields));
  uint64_t format = 0;
  TEEP_RETURN_IF_ERROR(ReadUint(r, Member(kRoot, "format"), &format));
  if (format != kStateFormat) {
    return Malformed(Member(kRoot, "format"), "unknown state format " + std::to_string(format));
  }
  AgentState state;
  TEEP_RETURN_IF_ERROR(ReadRequests(r, Member(kRoot, "requested"), &state.requested));
  TEEP_RETURN_IF_ERROR(ReadRequests(r, Member(kRoot, "unneeded"), &state.unneeded));
  const std::string tokens_path = Member(kRoot, "seen-update-tokens");
  uint64_t tokens = 0;
  TEEP_RETURN_IF_ERROR(ReadArray(r, tokens_path, &tokens));
  for (uint64_t i = 0; i < tokens; ++i) {
    ByteView token;
    TEEP_RETURN_IF_ERROR(ReadBstr(r, Index(tokens_path, i), &token));
    state.seen_update_tokens.push_back(ToBytes(token));
  }
  TEEP_RETURN_IF_ERROR(ReadOptionalBstr(r, Member(kRoot, "passport"), &state.passport));
  TEEP_RETURN_IF_ERROR(
      ReadOptionalText(r, Member(kRoot, "passport-format"), &state.passport_format));
  TEEP_RETURN_IF_ERROR(Latched(r, kRoot));
  return state;
}

}  // namespace teep::agent
