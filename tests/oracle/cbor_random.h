// Pseudo-random CBOR values for the cross-check against cbor2: every head
// width, negatives down to -2^64, floats of every width and class (subnormal,
// half-exact, NaN, infinities, integral), byte and multibyte text strings,
// simple values, tags, and nested arrays and maps whose keys mix types.
//
// Deterministic for a given seed, so a failing case can be reproduced with
// "gen SEED COUNT" alone.
#pragma once

#include <cstdint>

#include "core/cbor/value.h"

namespace teep::oracle {

// splitmix64: tiny, fast, and good enough to spread test cases.
class Prng {
 public:
  explicit Prng(uint64_t seed) : state_(seed) {}
  uint64_t Next();
  // Uniform in [0, n); n > 0.
  uint64_t Below(uint64_t n);
  bool OneIn(uint64_t n) { return Below(n) == 0; }

 private:
  uint64_t state_;
};

// Nesting of arrays, maps and tags never exceeds this.
inline constexpr int kMaxRandomDepth = 6;

// One random item. Map keys are unique by encoding; cbor::Encode puts them in
// deterministic order.
cbor::Value RandomValue(Prng& prng);

}  // namespace teep::oracle
