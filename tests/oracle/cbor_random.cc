#include "cbor_random.h"

#include <cfloat>
#include <cmath>
#include <cstring>
#include <iterator>
#include <set>
#include <string>
#include <utility>

namespace teep::oracle {

uint64_t Prng::Next() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t Prng::Below(uint64_t n) {
  // Lemire-style rejection would be exact; the modulo bias of a 64-bit draw
  // is irrelevant for test-case generation.
  return Next() % n;
}

namespace {

using cbor::Value;

// Where head widths and JavaScript's number precision change.
constexpr uint64_t kBoundaries[] = {
    0, 1, 23, 24, 25, 0xff, 0x100, 0xffff, 0x10000, 0xffffffffULL, 0x100000000ULL,
    (uint64_t{1} << 53) - 1, uint64_t{1} << 53, (uint64_t{1} << 53) + 1,
    (uint64_t{1} << 63) - 1, uint64_t{1} << 63, ~uint64_t{0} - 1, ~uint64_t{0},
};

// Written out here rather than taken from the codec under test.
double HalfBitsToDouble(uint16_t half) {
  const int exponent = (half >> 10) & 0x1f;
  const int mantissa = half & 0x3ff;
  double v;
  if (exponent == 0) {
    v = std::ldexp(mantissa, -24);
  } else if (exponent == 31) {
    v = mantissa == 0 ? INFINITY : NAN;
  } else {
    v = std::ldexp(mantissa | 0x400, exponent - 25);
  }
  return (half & 0x8000) ? -v : v;
}

double SingleBitsToDouble(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return static_cast<double>(f);
}

double DoubleFromBits(uint64_t bits) {
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

const double kSpecialFloats[] = {
    0.0, -0.0, INFINITY, -INFINITY, NAN, 1.0, -1.0, 1.5, 0.5, 0.1, 1.0 / 3,
    65504.0,                    // largest half
    65505.0, 65520.0, 65536.0,  // just beyond half range
    0x1p-24, -0x1p-24,          // smallest half subnormal
    0x1p-25, 0x3p-25,           // below / between half subnormals
    0x1p-14, 0x1p-15,           // smallest normal half, a half subnormal
    1 + 0x1p-10, 1 + 0x1p-11,   // last bit a half holds, one past
    1 + 0x1p-23, 1 + 0x1p-24,   // last bit a single holds, one past
    FLT_MAX, -FLT_MAX, FLT_MIN, 0x1p-149, 0x1p-150,
    DBL_MAX, -DBL_MAX, DBL_MIN, 0x1p-1074, -0x1p-1074,
    0x1p53, 0x1p53 + 2, 0x1p63, -0x1p63, 0x1p64, -0x1p64, 1e300,
};

class Generator {
 public:
  explicit Generator(Prng& prng) : p_(prng), big_strings_left_(prng.OneIn(100) ? 1 : 0) {}

  Value Item(int depth) {
    const bool can_nest = depth < kMaxRandomDepth && budget_ > 0;
    --budget_;
    const uint64_t pick = p_.Below(can_nest ? 100 : 70);
    if (pick < 70) return Scalar();
    if (pick < 81) return Array(depth);
    if (pick < 93) return Map(depth);
    return Value::Tag(Argument(), Item(depth + 1));
  }

 private:
  // An integer argument spread over every head width (0..23, 1, 2, 4 and 8
  // bytes) plus the width and 2^53 boundaries and their neighbours.
  uint64_t Argument() {
    switch (p_.Below(7)) {
      case 0: return p_.Below(24);
      case 1: return 24 + p_.Below(0x100 - 24);
      case 2: return 0x100 + p_.Below(0x10000 - 0x100);
      case 3: return 0x10000 + p_.Below(0x100000000ULL - 0x10000);
      case 4: {
        uint64_t v = p_.Next();
        return v < 0x100000000ULL ? v + 0x100000000ULL : v;
      }
      case 5: return kBoundaries[p_.Below(std::size(kBoundaries))];
      default: {
        uint64_t b = kBoundaries[p_.Below(std::size(kBoundaries))];
        uint64_t delta = 1 + p_.Below(3);
        return p_.OneIn(2) ? b + delta : b - delta;  // wraps at 0 / 2^64: fine
      }
    }
  }

  double Float() {
    const double sign = p_.OneIn(2) ? -1.0 : 1.0;
    switch (p_.Below(9)) {
      case 0: return HalfBitsToDouble(static_cast<uint16_t>(p_.Next()));
      case 1: return sign * HalfBitsToDouble(static_cast<uint16_t>(1 + p_.Below(0x3ff)));
      case 2: return SingleBitsToDouble(static_cast<uint32_t>(p_.Next()));
      case 3:  // single subnormal
        return sign * SingleBitsToDouble(static_cast<uint32_t>(1 + p_.Below(0x7fffff)));
      case 4: return DoubleFromBits(p_.Next());
      case 5:  // double subnormal
        return sign * DoubleFromBits(1 + p_.Below(0xfffffffffffffULL));
      case 6: return kSpecialFloats[p_.Below(std::size(kSpecialFloats))];
      case 7: {  // integral values of every magnitude
        uint64_t v = p_.Next() >> p_.Below(64);
        return sign * static_cast<double>(v);
      }
      default: {  // one ulp off a half-exact value: needs a wider float
        double h = HalfBitsToDouble(static_cast<uint16_t>(p_.Next() & 0x7bff));
        return std::nextafter(h, p_.OneIn(2) ? INFINITY : -INFINITY);
      }
    }
  }

  uint64_t StringLength() {
    if (big_strings_left_ > 0 && p_.OneIn(3)) {
      --big_strings_left_;
      return 0x10000 + p_.Below(600);  // four-byte length head
    }
    const uint64_t r = p_.Below(100);
    if (r < 3) return 0x100 + p_.Below(700);
    if (r < 20) return 24 + p_.Below(0x100 - 24);
    return p_.Below(24);
  }

  uint32_t CodePoint() {
    switch (p_.Below(11)) {
      case 0: case 1: case 2: case 3: return 0x20 + static_cast<uint32_t>(p_.Below(0x5f));
      case 4: {  // controls, NUL, DEL
        uint32_t c = static_cast<uint32_t>(p_.Below(0x21));
        return c == 0x20 ? 0x7f : c;
      }
      case 5: case 6: return 0x80 + static_cast<uint32_t>(p_.Below(0x800 - 0x80));
      case 7: case 8: {  // three bytes, skipping the surrogates
        uint32_t c = 0x800 + static_cast<uint32_t>(p_.Below(0x10000 - 0x800 - 0x800));
        return c >= 0xd800 ? c + 0x800 : c;
      }
      case 9: return 0x10000 + static_cast<uint32_t>(p_.Below(0x110000 - 0x10000));
      default: {
        static constexpr uint32_t kSpecial[] = {0xfeff, 0xfffd, 0xfffe, 0xffff, 0xd7ff, 0xe000,
                                                0x10000, 0x10ffff, 0x0, 0x7ff, 0x800, 0x7f};
        return kSpecial[p_.Below(std::size(kSpecial))];
      }
    }
  }

  static void AppendUtf8(uint32_t c, std::string* out) {
    if (c < 0x80) {
      *out += static_cast<char>(c);
    } else if (c < 0x800) {
      *out += static_cast<char>(0xc0 | (c >> 6));
      *out += static_cast<char>(0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
      *out += static_cast<char>(0xe0 | (c >> 12));
      *out += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
      *out += static_cast<char>(0x80 | (c & 0x3f));
    } else {
      *out += static_cast<char>(0xf0 | (c >> 18));
      *out += static_cast<char>(0x80 | ((c >> 12) & 0x3f));
      *out += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
      *out += static_cast<char>(0x80 | (c & 0x3f));
    }
  }

  Value Text() {
    // The length draw counts code points; ASCII-only strings are common in
    // practice and make the byte length hit the head boundaries exactly.
    const uint64_t n = StringLength();
    const bool ascii = p_.OneIn(3);
    std::string s;
    for (uint64_t i = 0; i < n; ++i) {
      AppendUtf8(ascii ? 0x20 + static_cast<uint32_t>(p_.Below(0x5f)) : CodePoint(), &s);
    }
    return Value::Text(s);
  }

  Value ByteString() {
    Bytes b(StringLength());
    for (auto& byte : b) byte = static_cast<uint8_t>(p_.Next());
    return Value::Bytes(b);
  }

  Value Simple() {
    switch (p_.Below(6)) {
      case 0: return Value::Bool(false);
      case 1: return Value::Bool(true);
      case 2: return Value::Null();
      case 3: return Value::Simple(23);  // undefined
      case 4: return Value::Simple(static_cast<uint8_t>(p_.Below(20)));
      default: return Value::Simple(static_cast<uint8_t>(32 + p_.Below(224)));
    }
  }

  Value Scalar() {
    const uint64_t pick = p_.Below(100);
    if (pick < 22) return Value::Uint(Argument());
    if (pick < 42) return Value::NegativeArg(Argument());
    if (pick < 66) return Value::Float(Float());
    if (pick < 77) return ByteString();
    if (pick < 93) return Text();
    return Simple();
  }

  uint64_t Count() {
    const uint64_t r = p_.Below(100);
    uint64_t n = r < 70 ? p_.Below(5) : r < 94 ? 5 + p_.Below(19) : 24 + p_.Below(16);
    const uint64_t budget = budget_ > 0 ? static_cast<uint64_t>(budget_) : 0;
    return n < budget ? n : budget;
  }

  Value Array(int depth) {
    Value::Array items(Count());
    for (auto& item : items) item = Item(depth + 1);
    return Value::MakeArray(std::move(items));
  }

  Value Key(int depth) {
    const uint64_t pick = p_.Below(100);
    if (pick < 25) return Value::Uint(p_.Below(30));
    if (pick < 35) return Value::NegativeArg(p_.Below(30));
    if (pick < 88) return Scalar();
    return Item(depth);  // may be an array, map or tag used as a key
  }

  static bool IsNegativeZero(const Value& v) {
    return v.kind() == Value::Kind::kFloat && v.float_value() == 0 && std::signbit(v.float_value());
  }

  Value Map(int depth) {
    const uint64_t n = Count();
    Value::Map pairs;
    std::set<Bytes> seen;
    for (uint64_t i = 0; i < n; ++i) {
      for (int attempt = 0; attempt < 4; ++attempt) {
        Value key = Key(depth + 1);
        // cbor2 decodes maps into a JavaScript Map, which stores a -0 key as
        // +0 (SameValueZero), so it cannot round-trip a -0.0 key; the edge
        // cases in lib/cbor_cases.mjs cover that one for our side.
        if (IsNegativeZero(key)) continue;
        auto encoded = cbor::Encode(key);
        if (!encoded.ok() || !seen.insert(*encoded).second) continue;
        pairs.emplace_back(std::move(key), Item(depth + 1));
        break;
      }
    }
    return Value::MakeMap(std::move(pairs));
  }

  Prng& p_;
  int budget_ = 120;  // items per top-level value that may open a container
  int big_strings_left_;
};

}  // namespace

cbor::Value RandomValue(Prng& prng) { return Generator(prng).Item(0); }

}  // namespace teep::oracle
