#include "core/cbor/float_encoding.h"

#include <cmath>
#include <cstring>

namespace teep::cbor {

uint64_t DoubleBits(double value) {
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

double DoubleFromBits(uint64_t bits) {
  double value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

double SingleToDouble(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return static_cast<double>(f);
}

uint32_t DoubleToSingleBits(double value) {
  float f = static_cast<float>(value);
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  return bits;
}

// RFC 8949 Appendix D.
double HalfToDouble(uint16_t half) {
  int exponent = (half >> 10) & 0x1f;
  int mantissa = half & 0x3ff;
  double value;
  if (exponent == 0) {
    value = std::ldexp(mantissa, -24);
  } else if (exponent != 31) {
    value = std::ldexp(mantissa + 1024, exponent - 25);
  } else {
    value = mantissa == 0 ? INFINITY : NAN;
  }
  return (half & 0x8000) ? -value : value;
}

bool DoubleToHalfExact(double value, uint16_t* half) {
  if (std::isnan(value)) {
    *half = 0x7e00;
    return true;
  }
  uint16_t sign = std::signbit(value) ? 0x8000 : 0;
  double magnitude = std::fabs(value);
  if (std::isinf(magnitude)) {
    *half = sign | 0x7c00;
    return true;
  }
  if (magnitude == 0) {
    *half = sign;
    return true;
  }
  int exp;
  double frac = std::frexp(magnitude, &exp);  // magnitude = frac * 2^exp, frac in [0.5, 1)
  // Normal halves: 2^-14 <= m < 2^16, 11 significant bits.
  if (exp >= -13 && exp <= 16) {
    double scaled = std::ldexp(frac, 11);  // 11-bit significand
    if (scaled != std::floor(scaled)) return false;
    uint16_t mantissa = static_cast<uint16_t>(scaled) - 1024;
    *half = sign | static_cast<uint16_t>((exp + 14) << 10) | mantissa;
    return true;
  }
  // Subnormal halves: multiples of 2^-24 below 2^-14.
  if (exp < -13 && exp >= -23) {
    double scaled = std::ldexp(magnitude, 24);
    if (scaled != std::floor(scaled)) return false;
    *half = sign | static_cast<uint16_t>(scaled);
    return true;
  }
  return false;
}

bool DoubleToSingleExact(double value, uint32_t* single) {
  if (std::isnan(value)) {
    *single = 0x7fc00000;
    return true;
  }
  float f = static_cast<float>(value);
  if (static_cast<double>(f) != value) return false;
  std::memcpy(single, &f, sizeof f);
  return true;
}

}  // namespace teep::cbor
