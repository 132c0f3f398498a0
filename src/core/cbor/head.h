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
bool DecodeHead(ByteView data, size_t pos, Head* head, ErrorKind* why);

// True if the head uses the shortest argument encoding (RFC 8949 §4.2.1).
// Not meaningful for floats and simple values (major type 7).
bool HasPreferredArgument(const Head& head);

// Value of a float head (ai 25, 26 or 27) as double.
double FloatValue(const Head& head);

// Position just after the item at `pos`. `data` must hold a checked item.
size_t SkipItem(ByteView data, size_t pos);

// Value equality of two checked items in the sense of RFC 8949 §5.6.1,
// independent of encoding width: 0x01 equals 0x18 0x01, and a half 0.0 equals
// a double -0.0. Map entries are compared in order: a map used as a map key is
// not normalised.
bool ItemsEqual(ByteView data, size_t a, size_t b);

// True if the checked item at `pos` contains a float anywhere.
bool ContainsFloat(ByteView data, size_t pos);

}  // namespace teep::cbor::internal
