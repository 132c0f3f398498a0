#include "core/cbor/writer.h"

#include <cmath>
#include <cstring>

#include "core/cbor/float_encoding.h"
#include "core/cbor/head.h"
#include "core/cbor/reader.h"
#include "core/cbor/utf8.h"

namespace teep::cbor {

void Writer::Latch(ErrorKind kind) {
  if (ok()) error_ = Error{kind, out_.size()};
}

Status Writer::status() const {
  if (ok()) return OkStatus();
  return Status(StatusCode::kInvalidArgument,
                "CBOR writer: offset " + std::to_string(error_->offset) + ": " +
                    std::string(ErrorKindText(error_->kind)));
}

void Writer::Head(MajorType type, uint64_t arg) {
  uint8_t mt = static_cast<uint8_t>(static_cast<uint8_t>(type) << 5);
  if (arg < 24) {
    out_.push_back(mt | static_cast<uint8_t>(arg));
    return;
  }
  int bytes;
  if (arg <= 0xff) {
    out_.push_back(mt | 24);
    bytes = 1;
  } else if (arg <= 0xffff) {
    out_.push_back(mt | 25);
    bytes = 2;
  } else if (arg <= 0xffffffffULL) {
    out_.push_back(mt | 26);
    bytes = 4;
  } else {
    out_.push_back(mt | 27);
    bytes = 8;
  }
  for (int i = bytes - 1; i >= 0; --i) out_.push_back(static_cast<uint8_t>(arg >> (8 * i)));
}

// Called before the first byte of every item.
void Writer::BeginItem() {
  if (frames_.empty()) {
    // One top-level item only: a second one is almost always a miscounted
    // container, and none of our formats is a CBOR sequence.
    if (!out_.empty()) Latch(ErrorKind::kTrailingBytes);
    return;
  }
  Frame& top = frames_.back();
  if (top.remaining == 0) {
    Latch(ErrorKind::kTooLong);  // more items than the container announced
    return;
  }
  if (top.is_map && top.index % 2 == 0) {
    top.key_start = out_.size();
    if (top.index == 0) top.first_key_start = out_.size();
  }
}

// Keys holding floats can be equal in value with different bytes (0.0 and
// -0.0, RFC 8949 §5.6.1), so bytewise order alone does not prove them unique.
bool Writer::KeyEqualsAnEarlierKey(const Frame& frame) const {
  if (!internal::ContainsFloat(out_, frame.key_start)) return false;
  size_t key = frame.first_key_start;
  while (key < frame.key_start) {
    if (internal::ItemsEqual(out_, key, frame.key_start)) return true;
    key = internal::SkipItem(out_, internal::SkipItem(out_, key));  // skip key and value
  }
  return false;
}

// Called after the last byte of every item; closes containers that are full.
void Writer::EndItem() {
  while (!frames_.empty()) {
    Frame& top = frames_.back();
    if (top.remaining == 0) return;  // already latched in BeginItem
    if (top.is_map && top.index % 2 == 0) {
      if (top.index > 0) {
        size_t la = top.prev_key_end - top.prev_key_start;
        size_t lb = out_.size() - top.key_start;
        int c = std::memcmp(&out_[top.prev_key_start], &out_[top.key_start], la < lb ? la : lb);
        if (c == 0 && la == lb) Latch(ErrorKind::kDuplicateKey);
        if (c > 0 || (c == 0 && la > lb)) Latch(ErrorKind::kUnsortedKeys);
        if (ok() && KeyEqualsAnEarlierKey(top)) Latch(ErrorKind::kDuplicateKey);
      }
      top.prev_key_start = top.key_start;
      top.prev_key_end = out_.size();
    }
    ++top.index;
    if (--top.remaining > 0) return;
    frames_.pop_back();  // the container is complete: it is one item of its parent
  }
}

void Writer::WriteUint(uint64_t value) {
  BeginItem();
  Head(MajorType::kUnsigned, value);
  EndItem();
}

void Writer::WriteInt(int64_t value) {
  if (value >= 0) {
    WriteUint(static_cast<uint64_t>(value));
  } else {
    WriteNegativeArg(static_cast<uint64_t>(-1 - value));
  }
}

void Writer::WriteNegativeArg(uint64_t arg) {
  BeginItem();
  Head(MajorType::kNegative, arg);
  EndItem();
}

void Writer::WriteBytes(ByteView value) {
  BeginItem();
  Head(MajorType::kBytes, value.size());
  out_.insert(out_.end(), value.begin(), value.end());
  EndItem();
}

void Writer::WriteText(std::string_view value) {
  if (FindInvalidUtf8(AsBytes(value)) >= 0) Latch(ErrorKind::kInvalidUtf8);
  BeginItem();
  Head(MajorType::kText, value.size());
  out_.insert(out_.end(), value.begin(), value.end());
  EndItem();
}

void Writer::WriteSimple(uint8_t value) {
  if (value >= 24 && value < 32) {
    Latch(ErrorKind::kInvalidSimpleValue);
    return;
  }
  BeginItem();
  Head(MajorType::kSimple, value);
  EndItem();
}

void Writer::WriteBool(bool value) { WriteSimple(value ? 21 : 20); }
void Writer::WriteNull() { WriteSimple(22); }
void Writer::WriteUndefined() { WriteSimple(23); }

void Writer::WriteFloat(double value) {
  BeginItem();
  uint16_t half;
  uint32_t single;
  if (DoubleToHalfExact(value, &half)) {
    out_.push_back(0xf9);
    out_.push_back(static_cast<uint8_t>(half >> 8));
    out_.push_back(static_cast<uint8_t>(half));
  } else if (DoubleToSingleExact(value, &single)) {
    out_.push_back(0xfa);
    for (int i = 3; i >= 0; --i) out_.push_back(static_cast<uint8_t>(single >> (8 * i)));
  } else {
    uint64_t bits = DoubleBits(value);
    out_.push_back(0xfb);
    for (int i = 7; i >= 0; --i) out_.push_back(static_cast<uint8_t>(bits >> (8 * i)));
  }
  EndItem();
}

void Writer::BeginArray(uint64_t count) {
  BeginItem();
  Head(MajorType::kArray, count);
  if (count == 0) {
    EndItem();
  } else {
    frames_.push_back(Frame{count, false});
  }
}

void Writer::BeginMap(uint64_t pairs) {
  BeginItem();
  Head(MajorType::kMap, pairs);
  if (pairs == 0) {
    EndItem();
  } else {
    frames_.push_back(Frame{2 * pairs, true});
  }
}

void Writer::WriteTag(uint64_t tag) {
  BeginItem();
  Head(MajorType::kTag, tag);
  frames_.push_back(Frame{1, false});
}

void Writer::WriteRaw(ByteView encoded_item) {
  if (auto err = Check(encoded_item)) {
    Latch(err->kind);
    return;
  }
  BeginItem();
  out_.insert(out_.end(), encoded_item.begin(), encoded_item.end());
  EndItem();
}

Result<Bytes> Writer::Finish() && {
  if (ok() && !frames_.empty()) Latch(ErrorKind::kTruncated);  // a container is still open
  if (ok() && out_.empty()) Latch(ErrorKind::kTruncated);
  if (!ok()) return status();
  return std::move(out_);
}

}  // namespace teep::cbor
