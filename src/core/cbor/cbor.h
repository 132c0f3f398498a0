// Shared vocabulary of the CBOR codec (RFC 8949): major types, decode options
// and the allocation-free error record that the reader latches.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/base/status.h"

namespace teep::cbor {

enum class MajorType : uint8_t {
  kUnsigned = 0,
  kNegative = 1,
  kBytes = 2,
  kText = 3,
  kArray = 4,
  kMap = 5,
  kTag = 6,
  kSimple = 7,  // simple values and floats
};

// "unsigned integer", "byte string", ... for error messages.
std::string_view MajorTypeName(MajorType type);

struct DecodeOptions {
  // RFC 8949 §4.2.1 core deterministic encoding: preferred (shortest)
  // integer, length and float encodings, and map keys sorted bytewise.
  // When false, overlong heads and unsorted maps are accepted (duplicate keys
  // and indefinite lengths never are; a map key that contains a map must still
  // be deterministic, so that key equality stays decidable in linear time).
  bool require_deterministic = true;
  // Nesting of arrays, maps and tags beyond this depth is rejected.
  uint32_t max_depth = 32;
  // A single string length or container count beyond this is rejected.
  uint64_t max_length = uint64_t{16} << 20;
  // Duplicate detection in an unsorted map (or one whose keys hold floats or
  // non-preferred heads) compares every pair of keys; cap the map size in that
  // case so that a hostile map cannot cost n^2 time. At most 256.
  uint32_t max_unsorted_map_pairs = 256;
};

// Options for peers that send valid but non-deterministic CBOR.
inline DecodeOptions RelaxedOptions() {
  DecodeOptions o;
  o.require_deterministic = false;
  return o;
}

enum class ErrorKind : uint8_t {
  kTruncated,
  kTrailingBytes,
  kReservedAdditionalInfo,  // additional information 28..30
  kIndefiniteLength,
  kNonPreferredEncoding,    // overlong integer, length or float head
  kInvalidSimpleValue,      // two-byte simple value below 32 (RFC 8949 §3.3)
  kInvalidUtf8,
  kDuplicateKey,
  kUnsortedKeys,
  kTooDeep,
  kTooLong,
  kTooManyUnsortedPairs,
  kUnexpectedType,          // a typed read found another major type
  kOutOfRange,              // value does not fit the requested C++ type
};

std::string_view ErrorKindText(ErrorKind kind);

// Allocation-free error record: where (absolute byte offset in the top-level
// buffer) and why. `found` is the major type seen, for kUnexpectedType.
struct Error {
  ErrorKind kind;
  size_t offset;
  MajorType found = MajorType::kUnsigned;
};

// "offset 12: duplicate map key" (kMalformed).
Status ToStatus(const Error& error);

}  // namespace teep::cbor
