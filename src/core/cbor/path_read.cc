#include "core/cbor/path_read.h"

#include <string>

namespace teep::cbor::path_read {

using cbor::MajorType;

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
  message += cbor::DescribeNextItem(r);
  return Malformed(path, message);
}

}  // namespace

Status Latched(const cbor::Reader& r, std::string_view path) {
  return r.ok() ? OkStatus() : r.status().WithContext(path);
}

Status ReadUint(cbor::Reader& r, std::string_view path, uint64_t* value) {
  TEEP_RETURN_IF_ERROR(Expect(r, path, MajorType::kUnsigned, "uint"));
  r.ReadUint(value);
  return Latched(r, path);
}

Status ReadInt(cbor::Reader& r, std::string_view path, int64_t* value) {
  auto type = r.PeekType();
  if (type != MajorType::kUnsigned && type != MajorType::kNegative) {
    return Malformed(path, "expected int, got " + cbor::DescribeNextItem(r));
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
    return Malformed(path, "expected an integer key, got " + cbor::DescribeNextItem(r));
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

}  // namespace teep::cbor::path_read
