// libFuzzer target: CBOR checker, typed Reader, Value Decode and Encode.
//
// Invariants checked on every input (a violation traps, so libFuzzer keeps
// the input as a crash artifact):
//  * Check(strict) passes  => Check(relaxed) passes, Decode(strict) succeeds
//    and Encode reproduces the input byte for byte: the core deterministic
//    encoding has exactly one form per value (RFC 8949 §4.2.1).
//  * Check(relaxed) passes => Decode(relaxed) succeeds and holds no duplicate
//    map keys; Encode succeeds, its output passes Check(strict) and decodes to
//    the same value (maps compared as sets: Encode sorts them).
//  * Reader::Open and Decode agree with Check; a typed walk of a checked item
//    consumes it exactly, and every sub-item is itself a valid item.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>

#include "fuzz_require.h"
#include "core/cbor/reader.h"
#include "core/cbor/value.h"

namespace teep::cbor {
namespace {

// ---- Value comparison independent of the encoder under test ---------------

template <typename T>
int Cmp3(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

// All NaNs are one value (Encode writes every NaN as 0xf97e00).
uint64_t FloatOrderKey(double f) {
  if (std::isnan(f)) return 0x7ff8000000000000ULL;
  uint64_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  return bits;
}

// A total order on values; maps compare entry by entry, so normalise first.
int Compare(const Value& a, const Value& b) {
  if (a.kind() != b.kind()) return Cmp3(static_cast<int>(a.kind()), static_cast<int>(b.kind()));
  switch (a.kind()) {
    case Value::Kind::kFloat:
      return Cmp3(FloatOrderKey(a.float_value()), FloatOrderKey(b.float_value()));
    case Value::Kind::kBytes: return Cmp3(a.bytes(), b.bytes());
    case Value::Kind::kText: return Cmp3(a.text(), b.text());
    case Value::Kind::kArray: {
      const auto& x = a.array();
      const auto& y = b.array();
      if (x.size() != y.size()) return Cmp3(x.size(), y.size());
      for (size_t i = 0; i < x.size(); ++i) {
        if (int c = Compare(x[i], y[i])) return c;
      }
      return 0;
    }
    case Value::Kind::kMap: {
      const auto& x = a.map();
      const auto& y = b.map();
      if (x.size() != y.size()) return Cmp3(x.size(), y.size());
      for (size_t i = 0; i < x.size(); ++i) {
        if (int c = Compare(x[i].first, y[i].first)) return c;
        if (int c = Compare(x[i].second, y[i].second)) return c;
      }
      return 0;
    }
    case Value::Kind::kTag:
      if (a.arg() != b.arg()) return Cmp3(a.arg(), b.arg());
      return Compare(a.tag_content(), b.tag_content());
    default:
      return Cmp3(a.arg(), b.arg());
  }
}

// A copy with every map's entries sorted by (normalised) key, so that two
// values equal as RFC 8949 data models compare equal.
Value Normalise(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kArray: {
      Value::Array items;
      items.reserve(v.array().size());
      for (const auto& item : v.array()) items.push_back(Normalise(item));
      return Value::MakeArray(std::move(items));
    }
    case Value::Kind::kMap: {
      Value::Map pairs;
      pairs.reserve(v.map().size());
      for (const auto& [k, val] : v.map()) pairs.emplace_back(Normalise(k), Normalise(val));
      std::sort(pairs.begin(), pairs.end(),
                [](const auto& a, const auto& b) { return Compare(a.first, b.first) < 0; });
      return Value::MakeMap(std::move(pairs));
    }
    case Value::Kind::kTag: return Value::Tag(v.arg(), Normalise(v.tag_content()));
    default: return v;
  }
}

// True if some map in the normalised tree holds two equal keys.
bool HasDuplicateKey(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kArray:
      return std::any_of(v.array().begin(), v.array().end(), HasDuplicateKey);
    case Value::Kind::kMap:
      for (size_t i = 0; i < v.map().size(); ++i) {
        const auto& [k, val] = v.map()[i];
        if (i > 0 && Compare(v.map()[i - 1].first, k) == 0) return true;
        if (HasDuplicateKey(k) || HasDuplicateKey(val)) return true;
      }
      return false;
    case Value::Kind::kTag: return HasDuplicateKey(v.tag_content());
    default: return false;
  }
}

// ---- Typed walk with the Reader --------------------------------------------

// A read of the wrong type must fail, latch kUnexpectedType at the item's
// offset, and make every later read fail.
void CheckWrongTypeLatches(const Reader& r, MajorType actual) {
  Reader probe = r;
  const size_t at = probe.offset();
  bool read;
  if (actual == MajorType::kText) {
    ByteView b;
    read = probe.ReadBytes(&b);
  } else {
    std::string_view t;
    read = probe.ReadText(&t);
  }
  FUZZ_REQUIRE(!read && !probe.ok());
  FUZZ_REQUIRE(probe.error().kind == ErrorKind::kUnexpectedType);
  FUZZ_REQUIRE(probe.error().offset == at && probe.error().found == actual);
  FUZZ_REQUIRE(!probe.Skip() && !probe.PeekType().has_value());
}

void WalkItem(Reader& r, const DecodeOptions& options, ByteView input, int depth);

void WalkSimple(Reader& r) {
  Reader as_float = r;
  double f;
  if (as_float.ReadFloat(&f)) {
    r = as_float;
    return;
  }
  const bool is_null = r.PeekNull();
  Reader as_bool = r;
  bool b;
  const bool bool_ok = as_bool.ReadBool(&b);
  uint8_t simple;
  FUZZ_REQUIRE(r.ReadSimple(&simple));
  FUZZ_REQUIRE(is_null == (simple == 22));
  FUZZ_REQUIRE(bool_ok == (simple == 20 || simple == 21));
  if (bool_ok) FUZZ_REQUIRE(b == (simple == 21));
}

void WalkItem(Reader& r, const DecodeOptions& options, ByteView input, int depth) {
  const size_t start = r.offset();
  Reader raw_reader = r;
  ByteView raw;
  FUZZ_REQUIRE(raw_reader.ReadRaw(&raw));
  FUZZ_REQUIRE(raw.data() == input.data() + start && start + raw.size() <= input.size());
  // A sub-item of a checked item is a valid item itself. Only near the root:
  // re-checking at every level would make each input cost depth x Check.
  if (depth <= 1) FUZZ_REQUIRE(!Check(raw, options).has_value());

  const std::optional<MajorType> type = r.PeekType();
  FUZZ_REQUIRE(type.has_value());
  CheckWrongTypeLatches(r, *type);
  switch (*type) {
    case MajorType::kUnsigned: {
      Reader as_int = r;
      int64_t i;
      const bool fits = as_int.ReadInt(&i);
      uint64_t u;
      FUZZ_REQUIRE(r.ReadUint(&u));
      FUZZ_REQUIRE(fits == (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())));
      if (fits) FUZZ_REQUIRE(static_cast<uint64_t>(i) == u);
      break;
    }
    case MajorType::kNegative: {
      Reader as_int = r;
      int64_t i;
      const bool fits = as_int.ReadInt(&i);
      uint64_t arg;
      FUZZ_REQUIRE(r.ReadNegativeArg(&arg));
      FUZZ_REQUIRE(fits == (arg <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())));
      if (fits) FUZZ_REQUIRE(i == -1 - static_cast<int64_t>(arg));
      break;
    }
    case MajorType::kBytes: {
      ByteView b;
      FUZZ_REQUIRE(r.ReadBytes(&b));
      FUZZ_REQUIRE(b.data() + b.size() == input.data() + r.offset());
      break;
    }
    case MajorType::kText: {
      std::string_view t;
      FUZZ_REQUIRE(r.ReadText(&t));
      FUZZ_REQUIRE(AsBytes(t).data() + t.size() == input.data() + r.offset());
      break;
    }
    case MajorType::kArray: {
      uint64_t n;
      FUZZ_REQUIRE(r.ReadArrayHeader(&n));
      for (uint64_t i = 0; i < n; ++i) WalkItem(r, options, input, depth + 1);
      break;
    }
    case MajorType::kMap: {
      uint64_t n;
      FUZZ_REQUIRE(r.ReadMapHeader(&n));
      for (uint64_t i = 0; i < 2 * n; ++i) WalkItem(r, options, input, depth + 1);
      break;
    }
    case MajorType::kTag: {
      const std::optional<uint64_t> peeked = r.PeekTag();
      FUZZ_REQUIRE(peeked.has_value());
      // ConsumeTag with another number must neither move nor fail the reader.
      FUZZ_REQUIRE(!r.ConsumeTag(*peeked + 1) && r.ok() && r.offset() == start);
      uint64_t tag;
      FUZZ_REQUIRE(r.ReadTag(&tag) && tag == *peeked);
      WalkItem(r, options, input, depth + 1);
      break;
    }
    case MajorType::kSimple:
      WalkSimple(r);
      break;
  }
  FUZZ_REQUIRE(r.ok());
  FUZZ_REQUIRE(r.offset() - start == raw.size());
}

// Reader::Open must agree with Check; a reader that opened walks to the end.
void WalkInput(ByteView input, const DecodeOptions& options, bool check_passed) {
  Reader r = Reader::Open(input, options);
  FUZZ_REQUIRE(r.ok() == check_passed);
  if (!check_passed) {
    FUZZ_REQUIRE(!r.PeekType().has_value() && !r.Skip());
    return;
  }
  WalkItem(r, options, input, 0);
  FUZZ_REQUIRE(r.AtEnd());
  uint64_t ignored;
  FUZZ_REQUIRE(!r.ReadUint(&ignored) && !r.ok());  // reading past the end fails
}

// ---- Value round trips -------------------------------------------------------

void RoundTripStrict(ByteView input) {
  Result<Value> value = Decode(input);
  FUZZ_REQUIRE(value.ok());
  Result<Bytes> encoded = Encode(*value);
  FUZZ_REQUIRE(encoded.ok());
  FUZZ_REQUIRE(encoded->size() == input.size() &&
               std::equal(input.begin(), input.end(), encoded->begin()));
}

void RoundTripRelaxed(ByteView input) {
  Result<Value> value = Decode(input, RelaxedOptions());
  FUZZ_REQUIRE(value.ok());
  const Value normal = Normalise(*value);
  FUZZ_REQUIRE(!HasDuplicateKey(normal));
  Result<Bytes> encoded = Encode(*value);
  FUZZ_REQUIRE(encoded.ok());
  FUZZ_REQUIRE(!Check(*encoded).has_value());
  Result<Value> again = Decode(*encoded);
  FUZZ_REQUIRE(again.ok());
  FUZZ_REQUIRE(Compare(normal, Normalise(*again)) == 0);
}

}  // namespace
}  // namespace teep::cbor

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace teep::cbor;
  const teep::ByteView input(data, size);
  const DecodeOptions strict;
  const DecodeOptions relaxed = RelaxedOptions();

  const std::optional<Error> strict_error = Check(input, strict);
  const std::optional<Error> relaxed_error = Check(input, relaxed);
  for (const auto& error : {strict_error, relaxed_error}) {
    if (error) FUZZ_REQUIRE(error->offset <= size);
  }
  // Everything strict accepts, relaxed accepts.
  if (!strict_error) FUZZ_REQUIRE(!relaxed_error);

  WalkInput(input, strict, !strict_error);
  WalkInput(input, relaxed, !relaxed_error);

  if (!strict_error) {
    RoundTripStrict(input);
  } else {
    FUZZ_REQUIRE(!Decode(input).ok());
  }
  if (!relaxed_error) {
    RoundTripRelaxed(input);
  } else {
    FUZZ_REQUIRE(!Decode(input, relaxed).ok());
  }
  return 0;
}
