#include "core/cose/cose_internal.h"

#include <string>

#include "core/cose/algorithms.h"

namespace teep::cose::internal {
namespace {

std::string TypeName(const cbor::Reader& r) {
  auto type = r.PeekType();
  if (!type) return "nothing";
  if (*type == cbor::MajorType::kSimple && r.PeekNull()) return "nil";
  return std::string(cbor::MajorTypeName(*type));
}

// Call before the failing read: a failed read latches the reader's error and
// the type of the offending item can no longer be peeked.
Status FieldError(std::string_view where, std::string_view field, std::string_view expected,
                  const cbor::Reader& r) {
  std::string what(field);
  what += " must be ";
  what += expected;
  what += ", got ";
  what += TypeName(r);
  return Malformed(where, what);
}

}  // namespace

Status Malformed(std::string_view where, std::string_view what) {
  std::string message(where);
  message += ": ";
  message += what;
  return Status(StatusCode::kMalformed, std::move(message));
}

cbor::Reader OpenRelaxed(ByteView data) { return cbor::Reader::Open(data, cbor::RelaxedOptions()); }

Status ReadStructureTag(cbor::Reader& reader, uint64_t expected_tag, TagPolicy policy,
                        std::string_view where, bool* tagged) {
  if (!reader.ok()) return reader.status().WithContext(where);
  std::optional<uint64_t> tag = reader.PeekTag();
  if (tag && *tag != expected_tag) {
    return Malformed(where, "expected tag " + std::to_string(expected_tag) +
                                (policy == TagPolicy::kRequireTagged ? "" : " or no tag") +
                                ", got tag " + std::to_string(*tag));
  }
  *tagged = tag.has_value();
  // RFC 9052 §2: the tag may be omitted when the application context already
  // says which structure is carried; the caller decides through `policy`.
  if (policy == TagPolicy::kRequireTagged && !*tagged) {
    return Malformed(where, "tag " + std::to_string(expected_tag) + " required, but the message is untagged");
  }
  if (policy == TagPolicy::kRequireUntagged && *tagged) {
    return Malformed(where, "tag " + std::to_string(expected_tag) +
                                " present, but an untagged message is required");
  }
  if (*tagged) reader.ConsumeTag(expected_tag);
  return OkStatus();
}

Status BeginStructure(cbor::Reader& reader, uint64_t expected_tag, TagPolicy policy,
                      uint64_t array_length, std::string_view where, bool* tagged) {
  TEEP_RETURN_IF_ERROR(ReadStructureTag(reader, expected_tag, policy, where, tagged));
  uint64_t count = 0;
  TEEP_RETURN_IF_ERROR(ReadArrayOf(reader, where, "structure", array_length, &count));
  return OkStatus();
}

Status ReadArrayOf(cbor::Reader& reader, std::string_view where, std::string_view field,
                   uint64_t count, uint64_t* actual) {
  if (!reader.ok()) return reader.status().WithContext(where);
  if (reader.PeekType() != cbor::MajorType::kArray) {
    return FieldError(where, field, "an array", reader);
  }
  uint64_t n = 0;
  reader.ReadArrayHeader(&n);
  if (count != 0 && n != count) {
    return Malformed(where, std::string(field) + " must be an array of " + std::to_string(count) +
                                " items, got " + std::to_string(n));
  }
  if (count == 0 && n == 0) return Malformed(where, std::string(field) + " must not be empty");
  *actual = n;
  return OkStatus();
}

Status ReadHeaderBuckets(cbor::Reader& reader, std::string_view where, Headers* headers) {
  if (!reader.ok()) return reader.status().WithContext(where);
  ByteView protected_bytes;
  if (reader.PeekType() != cbor::MajorType::kBytes) {
    return FieldError(where, "protected", "a byte string", reader);
  }
  reader.ReadBytes(&protected_bytes);
  ByteView unprotected_map;
  if (reader.PeekType() != cbor::MajorType::kMap) {
    return FieldError(where, "unprotected", "a map", reader);
  }
  reader.ReadRaw(&unprotected_map);
  TEEP_ASSIGN_OR_RETURN(*headers, DecodeHeaders(protected_bytes, unprotected_map, where));
  return OkStatus();
}

Status ReadBytesOrNil(cbor::Reader& reader, std::string_view where, std::string_view field,
                      std::optional<ByteView>* out) {
  if (!reader.ok()) return reader.status().WithContext(where);
  if (reader.PeekNull()) {
    reader.ReadNull();
    *out = std::nullopt;
    return OkStatus();
  }
  if (reader.PeekType() != cbor::MajorType::kBytes) {
    return FieldError(where, field, "a byte string or nil", reader);
  }
  ByteView value;
  reader.ReadBytes(&value);
  *out = value;
  return OkStatus();
}

Status ReadBytesField(cbor::Reader& reader, std::string_view where, std::string_view field,
                      ByteView* out) {
  if (!reader.ok()) return reader.status().WithContext(where);
  if (reader.PeekType() != cbor::MajorType::kBytes) {
    return FieldError(where, field, "a byte string", reader);
  }
  reader.ReadBytes(out);
  return OkStatus();
}

Status FinishStructure(const cbor::Reader& reader, std::string_view where) {
  if (!reader.ok()) return reader.status().WithContext(where);
  // Open() already rejected trailing bytes after the top-level item; this
  // catches a structure that is shorter than the item holding it.
  if (!reader.AtEnd()) return Malformed(where, "trailing data after the structure");
  return OkStatus();
}

Result<ByteView> ResolvePayload(std::optional<ByteView> attached, std::optional<ByteView> detached,
                                std::string_view where, std::string_view field) {
  if (attached && detached) {
    return Status(StatusCode::kInvalidArgument,
                  std::string(where) + ": " + std::string(field) +
                      " is attached to the message, but a detached " + std::string(field) +
                      " was also given");
  }
  if (!attached && !detached) {
    return Status(StatusCode::kInvalidArgument,
                  std::string(where) + ": " + std::string(field) +
                      " is detached (nil), but no detached " + std::string(field) + " was given");
  }
  return attached ? *attached : *detached;
}

Result<Bytes> BuildContextStructure(std::string_view context, std::span<const ByteView> fields) {
  cbor::Writer w;
  w.BeginArray(1 + fields.size());
  w.WriteText(context);
  for (ByteView f : fields) w.WriteBytes(f);
  return std::move(w).Finish();
}

void WriteHeaderBuckets(cbor::Writer& writer, ByteView protected_bucket, ByteView unprotected_map) {
  writer.WriteBytes(protected_bucket);
  writer.WriteRaw(unprotected_map);
}

Result<Bytes> EncodeAlgProtected(int64_t alg) {
  return EncodeProtectedBucket({{kHeaderAlg, EncodeIntItem(alg)}});
}

Result<Bytes> EncodeKidUnprotected(ByteView kid) {
  if (kid.empty()) return EncodeHeaderMap({});
  return EncodeHeaderMap({{kHeaderKid, EncodeBytesItem(kid)}});
}

std::string AlgDescription(int64_t alg) {
  std::string s = std::to_string(alg);
  if (auto name = AlgorithmName(alg)) {
    s += " (";
    s += *name;
    s += ')';
  }
  return s;
}

}  // namespace teep::cose::internal
