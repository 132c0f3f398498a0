#include "core/cbor/cbor.h"

#include <string>

namespace teep::cbor {

std::string_view MajorTypeName(MajorType type) {
  switch (type) {
    case MajorType::kUnsigned: return "unsigned integer";
    case MajorType::kNegative: return "negative integer";
    case MajorType::kBytes: return "byte string";
    case MajorType::kText: return "text";
    case MajorType::kArray: return "array";
    case MajorType::kMap: return "map";
    case MajorType::kTag: return "tag";
    case MajorType::kSimple: return "simple value or float";
  }
  return "unknown";
}

std::string_view ErrorKindText(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kTruncated: return "truncated";
    case ErrorKind::kTrailingBytes: return "trailing bytes after the item";
    case ErrorKind::kReservedAdditionalInfo: return "reserved additional information value (28..30)";
    case ErrorKind::kIndefiniteLength: return "indefinite length is not allowed";
    case ErrorKind::kNonPreferredEncoding: return "non-preferred (overlong) encoding";
    case ErrorKind::kInvalidSimpleValue: return "two-byte simple value below 32";
    case ErrorKind::kInvalidUtf8: return "invalid UTF-8 in text string";
    case ErrorKind::kDuplicateKey: return "duplicate map key";
    case ErrorKind::kUnsortedKeys: return "map keys not in deterministic (bytewise) order";
    case ErrorKind::kTooDeep: return "nesting deeper than the limit";
    case ErrorKind::kTooLong: return "length or count beyond the limit";
    case ErrorKind::kTooManyUnsortedPairs: return "map needing pairwise key comparison is larger than the limit";
    case ErrorKind::kUnexpectedType: return "unexpected type";
    case ErrorKind::kOutOfRange: return "value out of range";
  }
  return "unknown error";
}

Status ToStatus(const Error& error) {
  std::string message = "offset " + std::to_string(error.offset) + ": ";
  if (error.kind == ErrorKind::kUnexpectedType) {
    message += "unexpected ";
    message += MajorTypeName(error.found);
  } else {
    message += ErrorKindText(error.kind);
  }
  return Status(StatusCode::kMalformed, std::move(message));
}

}  // namespace teep::cbor
