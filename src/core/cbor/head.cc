#include "core/cbor/head.h"

#include <cmath>
#include <cstring>

#include "core/cbor/float_encoding.h"

namespace teep::cbor::internal {

bool DecodeHead(ByteView data, size_t pos, Head* head, ErrorKind* why) {
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

bool HasPreferredArgument(const Head& head) {
  switch (head.ai) {
    case 24: return head.arg >= 24;
    case 25: return head.arg > 0xff;
    case 26: return head.arg > 0xffff;
    case 27: return head.arg > 0xffffffffULL;
    default: return true;
  }
}

double FloatValue(const Head& head) {
  switch (head.ai) {
    case 25: return HalfToDouble(static_cast<uint16_t>(head.arg));
    case 26: return SingleToDouble(static_cast<uint32_t>(head.arg));
    default: return DoubleFromBits(head.arg);
  }
}

size_t SkipItem(ByteView data, size_t pos) {
  uint64_t remaining = 1;
  while (remaining > 0) {
    Head h;
    ErrorKind why;
    if (!DecodeHead(data, pos, &h, &why)) return data.size();  // unreachable on checked data
    --remaining;
    pos += h.size;
    switch (h.type) {
      case MajorType::kBytes:
      case MajorType::kText: pos += h.arg; break;
      case MajorType::kArray: remaining += h.arg; break;
      case MajorType::kMap: remaining += 2 * h.arg; break;
      case MajorType::kTag: remaining += 1; break;
      default: break;
    }
  }
  return pos;
}

namespace {
bool IsFloat(const Head& h) { return h.type == MajorType::kSimple && h.ai >= 25 && h.ai <= 27; }
}  // namespace

bool ItemsEqual(ByteView data, size_t a, size_t b) {
  uint64_t remaining = 1;
  while (remaining > 0) {
    Head ha, hb;
    ErrorKind why;
    if (!DecodeHead(data, a, &ha, &why) || !DecodeHead(data, b, &hb, &why)) return false;
    --remaining;
    if (ha.type != hb.type) return false;
    a += ha.size;
    b += hb.size;
    if (ha.type == MajorType::kSimple) {
      if (IsFloat(ha) != IsFloat(hb)) return false;
      if (IsFloat(ha)) {
        // RFC 8949 §5.6.1: floats are equal when numerically equal, so -0.0
        // equals 0.0 whatever the width. NaNs are treated as equal to each
        // other, which can only make the duplicate check stricter.
        double va = FloatValue(ha), vb = FloatValue(hb);
        if (std::isnan(va) && std::isnan(vb)) continue;
        if (va != vb) return false;
        continue;
      }
    }
    if (ha.arg != hb.arg) return false;
    switch (ha.type) {
      case MajorType::kBytes:
      case MajorType::kText:
        if (ha.arg && std::memcmp(&data[a], &data[b], ha.arg) != 0) return false;
        a += ha.arg;
        b += hb.arg;
        break;
      case MajorType::kArray: remaining += ha.arg; break;
      case MajorType::kMap: remaining += 2 * ha.arg; break;
      case MajorType::kTag: remaining += 1; break;
      default: break;
    }
  }
  return true;
}

bool ContainsFloat(ByteView data, size_t pos) {
  size_t end = SkipItem(data, pos);
  while (pos < end) {
    Head h;
    ErrorKind why;
    if (!DecodeHead(data, pos, &h, &why)) return false;
    if (IsFloat(h)) return true;
    pos += h.size;
    if (h.type == MajorType::kBytes || h.type == MajorType::kText) pos += h.arg;
  }
  return false;
}

}  // namespace teep::cbor::internal
