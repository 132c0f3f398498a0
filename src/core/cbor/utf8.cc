#include "core/cbor/utf8.h"

namespace teep::cbor {

long FindInvalidUtf8(ByteView s) {
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    uint8_t c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint8_t lo = 0x80, hi = 0xbf;  // allowed range of the second byte
    if (c >= 0xc2 && c <= 0xdf) {
      len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      if (c == 0xe0) lo = 0xa0;       // overlong
      if (c == 0xed) hi = 0x9f;       // surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      if (c == 0xf0) lo = 0x90;       // overlong
      if (c == 0xf4) hi = 0x8f;       // above U+10FFFF
    } else {
      return static_cast<long>(i);
    }
    if (i + len > n) return static_cast<long>(i);
    if (s[i + 1] < lo || s[i + 1] > hi) return static_cast<long>(i);
    for (size_t k = 2; k < len; ++k) {
      if ((s[i + k] & 0xc0) != 0x80) return static_cast<long>(i);
    }
    i += len;
  }
  return -1;
}

}  // namespace teep::cbor
