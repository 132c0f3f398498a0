#include "core/cbor/head.h"

#include <cmath>
#include <cstring>

#include "core/cbor/float_encoding.h"

namespace teep::cbor::internal {

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
    Head h{};
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

namespace {
template <typename Predicate>
bool ContainsHead(ByteView data, size_t pos, Predicate matches) {
  size_t end = SkipItem(data, pos);
  while (pos < end) {
    Head h{};
    ErrorKind why;
    if (!DecodeHead(data, pos, &h, &why)) return false;
    if (matches(h)) return true;
    pos += h.size;
    if (h.type == MajorType::kBytes || h.type == MajorType::kText) pos += h.arg;
  }
  return false;
}
}  // namespace

bool ContainsFloat(ByteView data, size_t pos) { return ContainsHead(data, pos, IsFloat); }

bool ContainsMap(ByteView data, size_t pos) {
  return ContainsHead(data, pos, [](const Head& h) { return h.type == MajorType::kMap; });
}

}  // namespace teep::cbor::internal
