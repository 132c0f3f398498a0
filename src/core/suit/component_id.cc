#include "core/suit/component_id.h"

#include <algorithm>

#include "core/cbor/reader.h"
#include "core/cbor/writer.h"
#include "core/suit/decode_util.h"

namespace teep::suit {

Bytes EncodeComponentId(const ComponentId& id) {
  cbor::Writer w;
  w.BeginArray(id.size());
  for (ByteView part : id) w.WriteBytes(part);
  // Cannot fail: a fixed-count array of byte strings is always well formed.
  return std::move(w).Finish().value();
}

Result<ComponentId> DecodeComponentId(ByteView encoded) {
  constexpr std::string_view kPath = "SUIT_Component_Identifier";
  TEEP_ASSIGN_OR_RETURN(cbor::Reader r, internal::OpenItem(encoded, kPath));
  uint64_t n = 0;
  TEEP_RETURN_IF_ERROR(internal::ReadArray(r, kPath, &n));
  ComponentId id;
  for (uint64_t i = 0; i < n; ++i) {
    ByteView part;
    TEEP_RETURN_IF_ERROR(internal::ReadBstr(r, internal::Index(kPath, i), &part));
    id.push_back(part);
  }
  return id;
}

bool IsPrefixOf(const ComponentId& prefix, const ComponentId& id) {
  return id.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), id.begin(), [](ByteView a, ByteView b) {
           return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
         });
}

namespace {
bool IsPrintable(ByteView part) {
  if (part.empty()) return false;
  for (uint8_t c : part) {
    if (c < 0x20 || c > 0x7e || c == '\'' || c == '\\') return false;
  }
  return true;
}
}  // namespace

std::string DescribeComponentId(const ComponentId& id) {
  std::string out = "[";
  for (size_t i = 0; i < id.size(); ++i) {
    if (i) out += ", ";
    if (IsPrintable(id[i])) {
      out += "'" + std::string(AsChars(id[i])) + "'";
    } else {
      out += "h'" + HexEncode(id[i]) + "'";
    }
  }
  return out + "]";
}

std::string DescribeEncodedComponentId(ByteView encoded) {
  auto id = DecodeComponentId(encoded);
  if (!id.ok()) return "<malformed component id h'" + HexEncode(encoded) + "'>";
  return DescribeComponentId(*id);
}

}  // namespace teep::suit
