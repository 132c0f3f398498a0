#include "core/suit/decode_util.h"

#include <string>

namespace teep::suit::internal {

using cbor::MajorType;

std::string FoundName(const cbor::Reader& r) {
  auto type = r.PeekType();
  if (!type) return "nothing";
  switch (*type) {
    case MajorType::kUnsigned: return "unsigned integer";
    case MajorType::kNegative: return "negative integer";
    case MajorType::kBytes: return "bstr";
    case MajorType::kText: return "tstr";
    case MajorType::kArray: return "array";
    case MajorType::kMap: return "map";
    case MajorType::kTag: return "tag " + std::to_string(r.PeekTag().value_or(0));
    case MajorType::kSimple: {
      cbor::Reader probe = r;
      ByteView raw;
      if (!probe.ReadRaw(&raw) || raw.empty()) return "simple value";
      switch (raw[0]) {
        case 0xf4:
        case 0xf5: return "bool";
        case 0xf6: return "null";
        case 0xf7: return "undefined";
        case 0xf9:
        case 0xfa:
        case 0xfb: return "float";
        default: return "simple value";
      }
    }
  }
  return "unknown";
}

Status Malformed(std::string_view path, std::string_view message) {
  std::string text(path);
  text += ": ";
  text += message;
  return Status(StatusCode::kMalformed, std::move(text));
}

Result<cbor::Reader> OpenItem(ByteView data, std::string_view path) {
  cbor::Reader reader = cbor::Reader::Open(data, cbor::RelaxedOptions());
  if (!reader.ok()) return reader.status().WithContext(path);
  return reader;
}

namespace {

Status Expect(cbor::Reader& r, std::string_view path, MajorType type, std::string_view what) {
  if (r.PeekType() == type) return OkStatus();
  std::string message = "expected ";
  message += what;
  message += ", got ";
  message += FoundName(r);
  return Malformed(path, message);
}

Status Latched(const cbor::Reader& r, std::string_view path) {
  return r.ok() ? OkStatus() : r.status().WithContext(path);
}

}  // namespace

Status ReadUint(cbor::Reader& r, std::string_view path, uint64_t* value) {
  TEEP_RETURN_IF_ERROR(Expect(r, path, MajorType::kUnsigned, "uint"));
  r.ReadUint(value);
  return Latched(r, path);
}

Status ReadInt(cbor::Reader& r, std::string_view path, int64_t* value) {
  auto type = r.PeekType();
  if (type != MajorType::kUnsigned && type != MajorType::kNegative) {
    return Malformed(path, "expected int, got " + FoundName(r));
  }
  cbor::Reader probe = r;
  if (!probe.ReadInt(value)) return Malformed(path, "integer is out of the int64 range");
  r = probe;
  return OkStatus();
}

Status ReadBstr(cbor::Reader& r, std::string_view path, ByteView* value) {
  TEEP_RETURN_IF_ERROR(Expect(r, path, MajorType::kBytes, "bstr"));
  r.ReadBytes(value);
  return Latched(r, path);
}

Status ReadWrappedBstr(cbor::Reader& r, std::string_view path, ByteView* wrapped,
                       ByteView* content) {
  TEEP_RETURN_IF_ERROR(Expect(r, path, MajorType::kBytes, "bstr"));
  cbor::Reader probe = r;
  probe.ReadRaw(wrapped);
  r.ReadBytes(content);
  return Latched(r, path);
}

Status ReadText(cbor::Reader& r, std::string_view path, std::string_view* value) {
  TEEP_RETURN_IF_ERROR(Expect(r, path, MajorType::kText, "tstr"));
  r.ReadText(value);
  return Latched(r, path);
}

Status ReadArray(cbor::Reader& r, std::string_view path, uint64_t* count) {
  TEEP_RETURN_IF_ERROR(Expect(r, path, MajorType::kArray, "array"));
  r.ReadArrayHeader(count);
  return Latched(r, path);
}

Status ReadMap(cbor::Reader& r, std::string_view path, uint64_t* pairs) {
  TEEP_RETURN_IF_ERROR(Expect(r, path, MajorType::kMap, "map"));
  r.ReadMapHeader(pairs);
  return Latched(r, path);
}

Status ReadIntKey(cbor::Reader& r, std::string_view path, int64_t* key) {
  auto type = r.PeekType();
  if (type != MajorType::kUnsigned && type != MajorType::kNegative) {
    return Malformed(path, "expected an integer key, got " + FoundName(r));
  }
  return ReadInt(r, path, key);
}

std::string Index(std::string_view path, uint64_t i) {
  std::string s(path);
  s += '[';
  s += std::to_string(i);
  s += ']';
  return s;
}

std::string Member(std::string_view path, std::string_view name) {
  std::string s(path);
  s += '.';
  s += name;
  return s;
}

}  // namespace teep::suit::internal
