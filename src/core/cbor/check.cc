// Well-formedness and strictness checking of one CBOR item (RFC 8949 §3,
// §4.2.1, Appendix F). Everything the typed reader later relies on is proven
// here, so the reader cannot run past the end of its input.
#include <cmath>
#include <cstring>

#include "core/cbor/float_encoding.h"
#include "core/cbor/head.h"
#include "core/cbor/reader.h"
#include "core/cbor/utf8.h"

namespace teep::cbor {
namespace {

using internal::DecodeHead;
using internal::Head;

// Recursion is bounded by max_depth; this cap protects the stack even when a
// caller configures an absurd limit.
constexpr uint32_t kHardDepthCap = 256;

// Upper bound of DecodeOptions::max_unsorted_map_pairs (stack array size).
constexpr uint32_t kMaxUnsortedPairs = 256;

class Checker {
 public:
  Checker(ByteView data, const DecodeOptions& options, size_t base)
      : data_(data), options_(options), base_(base),
        max_depth_(options.max_depth < kHardDepthCap ? options.max_depth : kHardDepthCap) {}

  std::optional<Error> Run() {
    if (!Item(0)) return error_;
    if (pos_ != data_.size()) return Error{ErrorKind::kTrailingBytes, base_ + pos_};
    return std::nullopt;
  }

 private:
  bool Fail(ErrorKind kind, size_t at) {
    error_ = Error{kind, base_ + at};
    return false;
  }

  size_t Remaining() const { return data_.size() - pos_; }

  bool Item(uint32_t depth) {
    const size_t start = pos_;
    Head h{};
    ErrorKind why;
    if (!DecodeHead(data_, pos_, &h, &why)) return Fail(why, start);
    if (h.type != MajorType::kSimple && !internal::HasPreferredArgument(h)) {
      if (options_.require_deterministic) return Fail(ErrorKind::kNonPreferredEncoding, start);
      key_not_canonical_ = true;
    }
    pos_ += h.size;
    switch (h.type) {
      case MajorType::kUnsigned:
      case MajorType::kNegative:
        return true;
      case MajorType::kBytes:
      case MajorType::kText: {
        if (h.arg > options_.max_length) return Fail(ErrorKind::kTooLong, start);
        if (h.arg > Remaining()) return Fail(ErrorKind::kTruncated, start);
        if (h.type == MajorType::kText) {
          long bad = FindInvalidUtf8(data_.subspan(pos_, h.arg));
          if (bad >= 0) return Fail(ErrorKind::kInvalidUtf8, pos_ + static_cast<size_t>(bad));
        }
        pos_ += h.arg;
        return true;
      }
      case MajorType::kArray: {
        if (depth + 1 > max_depth_) return Fail(ErrorKind::kTooDeep, start);
        if (h.arg > options_.max_length) return Fail(ErrorKind::kTooLong, start);
        // Every element takes at least one byte: reject impossible counts now
        // rather than after a long walk.
        if (h.arg > Remaining()) return Fail(ErrorKind::kTruncated, start);
        for (uint64_t i = 0; i < h.arg; ++i) {
          if (!Item(depth + 1)) return false;
        }
        return true;
      }
      case MajorType::kMap:
        if (depth + 1 > max_depth_) return Fail(ErrorKind::kTooDeep, start);
        if (h.arg > options_.max_length) return Fail(ErrorKind::kTooLong, start);
        if (h.arg > Remaining() / 2) return Fail(ErrorKind::kTruncated, start);
        return Map(h.arg, depth + 1);
      case MajorType::kTag:
        if (depth + 1 > max_depth_) return Fail(ErrorKind::kTooDeep, start);
        return Item(depth + 1);
      case MajorType::kSimple:
        return Simple(h, start);
    }
    return false;
  }

  bool Simple(const Head& h, size_t start) {
    if (h.ai == 24 && h.arg < 32) return Fail(ErrorKind::kInvalidSimpleValue, start);
    if (h.ai >= 25) key_not_canonical_ = true;
    if (h.ai < 25 || !options_.require_deterministic) return true;
    // RFC 8949 §4.2.1/§4.2.2: floats in the shortest form that keeps the
    // value; NaN only as the half-precision 0x7e00.
    double value = internal::FloatValue(h);
    uint16_t half;
    uint32_t single;
    bool preferred = true;
    if (h.ai == 25) {
      preferred = !std::isnan(value) || h.arg == 0x7e00;
    } else if (h.ai == 26) {
      preferred = !DoubleToHalfExact(value, &half);
    } else {
      preferred = !DoubleToSingleExact(value, &single);
    }
    return preferred ? true : Fail(ErrorKind::kNonPreferredEncoding, start);
  }

  // Keys must be unique (always) and sorted bytewise (deterministic mode).
  bool Map(uint64_t pairs, uint32_t depth) {
    const size_t first_key = pos_;
    size_t prev_start = 0, prev_end = 0;
    bool sorted_and_preferred = true;
    for (uint64_t i = 0; i < pairs; ++i) {
      const size_t key_start = pos_;
      const bool outer_non_preferred = key_not_canonical_;
      key_not_canonical_ = false;
      if (!Item(depth)) return false;
      const size_t key_end = pos_;
      if (!CheckKeyWithMapIsDeterministic(key_start, key_end)) return false;
      if (key_not_canonical_) sorted_and_preferred = false;
      key_not_canonical_ = key_not_canonical_ || outer_non_preferred;
      if (i > 0) {
        int order = CompareEncoded(prev_start, prev_end, key_start, key_end);
        if (order == 0) return Fail(ErrorKind::kDuplicateKey, key_start);
        if (order > 0) {
          if (options_.require_deterministic) return Fail(ErrorKind::kUnsortedKeys, key_start);
          sorted_and_preferred = false;
        }
      }
      prev_start = key_start;
      prev_end = key_end;
      if (!Item(depth)) return false;
    }
    // Strictly increasing canonical encodings cannot hold two equal values.
    if (sorted_and_preferred) return true;
    return CheckUniqueByValue(first_key, pairs);
  }

  int CompareEncoded(size_t a0, size_t a1, size_t b0, size_t b1) const {
    size_t la = a1 - a0, lb = b1 - b0;
    int c = std::memcmp(&data_[a0], &data_[b0], la < lb ? la : lb);
    if (c != 0) return c;
    return la < lb ? -1 : (la > lb ? 1 : 0);
  }

  // Pairwise value comparison for unsorted or non-canonical keys. Key
  // offsets are collected once into a fixed stack array (no allocation), so
  // the cost is one walk of the map plus the key comparisons, never a
  // re-walk of the values per pair. Called after the map's children were
  // checked, so only one such array is live at a time.
  bool CheckUniqueByValue(size_t first_key, uint64_t pairs) {
    if (pairs > options_.max_unsorted_map_pairs || pairs > kMaxUnsortedPairs) {
      return Fail(ErrorKind::kTooManyUnsortedPairs, first_key);
    }
    size_t keys[kMaxUnsortedPairs];
    size_t at = first_key;
    for (uint64_t i = 0; i < pairs; ++i) {
      keys[i] = at;
      at = internal::SkipItem(data_, internal::SkipItem(data_, at));
    }
    for (uint64_t i = 1; i < pairs; ++i) {
      for (uint64_t j = 0; j < i; ++j) {
        if (internal::ItemsEqual(data_, keys[j], keys[i])) return Fail(ErrorKind::kDuplicateKey, keys[i]);
      }
    }
    return true;
  }

  // In relaxed mode a key that contains a map must itself be deterministically
  // encoded: then two such keys are equal exactly when their inner maps list
  // the same entries in the same order, which ItemsEqual can decide in linear
  // time without normalising.
  bool CheckKeyWithMapIsDeterministic(size_t key_start, size_t key_end) {
    if (options_.require_deterministic || !internal::ContainsMap(data_, key_start)) return true;
    DecodeOptions strict = options_;
    strict.require_deterministic = true;
    if (auto err = Check(data_.subspan(key_start, key_end - key_start), strict, base_ + key_start)) {
      error_ = *err;
      return false;
    }
    return true;
  }

  ByteView data_;
  const DecodeOptions& options_;
  size_t base_;
  uint32_t max_depth_;
  size_t pos_ = 0;
  // Set while walking a map key whose bytes do not determine its value
  // uniquely: a non-preferred head (relaxed mode) or any float, since 0.0 and
  // -0.0 differ in bytes but are the same key (RFC 8949 §5.6.1). Such keys
  // need the pairwise value comparison.
  bool key_not_canonical_ = false;
  Error error_{ErrorKind::kTruncated, 0};
};

}  // namespace

std::optional<Error> Check(ByteView data, const DecodeOptions& options, size_t base_offset) {
  return Checker(data, options, base_offset).Run();
}

}  // namespace teep::cbor
