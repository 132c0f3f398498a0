// IEEE 754 half/single/double conversions for CBOR floats (RFC 8949 §3.3,
// Appendix D) and the "shortest form that preserves the value" rule of
// preferred serialization (§4.1, §4.2.2).
#pragma once

#include <cstdint>

namespace teep::cbor {

double HalfToDouble(uint16_t half);
double SingleToDouble(uint32_t bits);
uint32_t DoubleToSingleBits(double value);
uint64_t DoubleBits(double value);
double DoubleFromBits(uint64_t bits);

// If `value` converts to half precision without loss, stores the half bits.
// NaN maps to the canonical quiet NaN 0x7e00 (RFC 8949 §4.2.2).
bool DoubleToHalfExact(double value, uint16_t* half);
bool DoubleToSingleExact(double value, uint32_t* single);

}  // namespace teep::cbor
