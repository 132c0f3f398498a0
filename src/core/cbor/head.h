// Internal: decoding of a CBOR item head (initial byte + argument) and the
// skip / compare walks shared by the checker and the reader. Not part of the
// public API.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/base/bytes.h"
#include "core/cbor/cbor.h"

namespace teep::cbor::internal {

struct Head {
  MajorType type;
  uint8_t ai;     // additional information (low five bits)
  uint64_t arg;   // argument: value, length, count, tag number or float bits
  size_t size;    // bytes taken by the head itself
};

// Decodes the head at `pos`. On failure stores the reason (truncated, reserved
// additional information, indefinite length) and returns false.
// Inline: it is the innermost loop of every decode.
inline bool DecodeHead(ByteView data, size_t pos, Head* head, ErrorKind* why) {
  if (pos >= data.size()) {
    *why = ErrorKind::kTruncated;
    return false;
  }
  uint8_t initial = data[pos];
  head->type = static_cast<MajorType>(initial >> 5);
  head->ai = initial & 0x1f;
  if (head->ai < 24) {
    head->arg = head->ai;
    head->size = 1;
    return true;
  }
  if (head->ai <= 27) {
    size_t n = size_t{1} << (head->ai - 24);
    if (data.size() - pos - 1 < n) {
      *why = ErrorKind::kTruncated;
      return false;
    }
    uint64_t arg = 0;
    for (size_t i = 0; i < n; ++i) arg = (arg << 8) | data[pos + 1 + i];
    head->arg = arg;
    head->size = 1 + n;
    return true;
  }
  *why = head->ai == 31 ? ErrorKind::kIndefiniteLength : ErrorKind::kReservedAdditionalInfo;
  return false;
}

// True if the head uses the shortest argument encoding (RFC 8949 §4.2.1).
// Not meaningful for floats and simple values (major type 7).
inline bool HasPreferredArgument(const Head& head) {
  switch (head.ai) {
    case 24: return head.arg >= 24;
    case 25: return head.arg > 0xff;
    case 26: return head.arg > 0xffff;
    case 27: return head.arg > 0xffffffffULL;
    default: return true;
  }
}

// Value of a float head (ai 25, 26 or 27) as double.
double FloatValue(const Head& head);

// Position just after the item at `pos`. `data` must hold a checked item.
size_t SkipItem(ByteView data, size_t pos);

// Value equality of two checked items in the sense of RFC 8949 §5.6.1,
// independent of encoding width: 0x01 equals 0x18 0x01, and a half 0.0 equals
// a double -0.0. Map entries are compared in order: a map used as a map key is
// not normalised.
bool ItemsEqual(ByteView data, size_t a, size_t b);

// True if the checked item at `pos` contains a float / a map anywhere.
bool ContainsFloat(ByteView data, size_t pos);
bool ContainsMap(ByteView data, size_t pos);

}  // namespace teep::cbor::internal
