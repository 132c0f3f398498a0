#include "core/cbor/reader.h"

#include <cstdint>
#include <limits>

#include "core/cbor/head.h"

namespace teep::cbor {

using internal::DecodeHead;

Reader Reader::Open(ByteView data, const DecodeOptions& options, size_t base_offset) {
  Reader reader(data, base_offset);
  reader.error_ = Check(data, options, base_offset);
  return reader;
}

bool Reader::PeekHead(Head* head) const {
  if (!ok() || AtEnd()) return false;
  internal::Head h{};
  ErrorKind why;
  if (!DecodeHead(data_, pos_, &h, &why)) return false;
  *head = Head{h.type, h.arg, h.ai, h.size};
  return true;
}

std::optional<MajorType> Reader::PeekType() const {
  Head h{};
  if (!PeekHead(&h)) return std::nullopt;
  return h.type;
}

bool Reader::PeekNull() const {
  Head h{};
  return PeekHead(&h) && h.type == MajorType::kSimple && h.ai == 22;
}

std::optional<uint64_t> Reader::PeekTag() const {
  Head h{};
  if (!PeekHead(&h) || h.type != MajorType::kTag) return std::nullopt;
  return h.arg;
}

void Reader::Fail(ErrorKind kind) {
  if (ok()) error_ = Error{kind, offset()};
}

bool Reader::FailUnexpected(MajorType found) {
  if (ok()) error_ = Error{ErrorKind::kUnexpectedType, offset(), found};
  return false;
}

bool Reader::ExpectHead(MajorType type, Head* head) {
  if (!ok()) return false;
  if (!PeekHead(head)) {
    Fail(ErrorKind::kTruncated);
    return false;
  }
  if (head->type != type) return FailUnexpected(head->type);
  return true;
}

bool Reader::ReadUint(uint64_t* value) {
  Head h{};
  if (!ExpectHead(MajorType::kUnsigned, &h)) return false;
  *value = h.arg;
  pos_ += h.size;
  return true;
}

bool Reader::ReadInt(int64_t* value) {
  Head h{};
  if (!PeekHead(&h)) {
    Fail(ErrorKind::kTruncated);
    return false;
  }
  if (h.type != MajorType::kUnsigned && h.type != MajorType::kNegative) return FailUnexpected(h.type);
  if (h.arg > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    Fail(ErrorKind::kOutOfRange);
    return false;
  }
  int64_t magnitude = static_cast<int64_t>(h.arg);
  *value = h.type == MajorType::kUnsigned ? magnitude : -1 - magnitude;
  pos_ += h.size;
  return true;
}

bool Reader::ReadNegativeArg(uint64_t* arg) {
  Head h{};
  if (!ExpectHead(MajorType::kNegative, &h)) return false;
  *arg = h.arg;
  pos_ += h.size;
  return true;
}

bool Reader::ReadSimple(uint8_t* value) {
  Head h{};
  if (!ExpectHead(MajorType::kSimple, &h)) return false;
  if (h.ai > 24) return FailUnexpected(h.type);
  *value = static_cast<uint8_t>(h.arg);
  pos_ += h.size;
  return true;
}

bool Reader::ReadBytes(ByteView* value) {
  Head h{};
  if (!ExpectHead(MajorType::kBytes, &h)) return false;
  *value = data_.subspan(pos_ + h.size, h.arg);
  pos_ += h.size + h.arg;
  return true;
}

bool Reader::ReadText(std::string_view* value) {
  Head h{};
  if (!ExpectHead(MajorType::kText, &h)) return false;
  *value = AsChars(data_.subspan(pos_ + h.size, h.arg));
  pos_ += h.size + h.arg;
  return true;
}

bool Reader::ReadBool(bool* value) {
  Head h{};
  if (!ExpectHead(MajorType::kSimple, &h)) return false;
  if (h.ai != 20 && h.ai != 21) return FailUnexpected(h.type);
  *value = h.ai == 21;
  pos_ += h.size;
  return true;
}

bool Reader::ReadNull() {
  Head h{};
  if (!ExpectHead(MajorType::kSimple, &h)) return false;
  if (h.ai != 22) return FailUnexpected(h.type);
  pos_ += h.size;
  return true;
}

bool Reader::ReadFloat(double* value) {
  Head h{};
  if (!ExpectHead(MajorType::kSimple, &h)) return false;
  if (h.ai < 25 || h.ai > 27) return FailUnexpected(h.type);
  *value = internal::FloatValue(internal::Head{h.type, h.ai, h.arg, h.size});
  pos_ += h.size;
  return true;
}

bool Reader::ReadArrayHeader(uint64_t* count) {
  Head h{};
  if (!ExpectHead(MajorType::kArray, &h)) return false;
  *count = h.arg;
  pos_ += h.size;
  return true;
}

bool Reader::ReadMapHeader(uint64_t* pairs) {
  Head h{};
  if (!ExpectHead(MajorType::kMap, &h)) return false;
  *pairs = h.arg;
  pos_ += h.size;
  return true;
}

bool Reader::ReadTag(uint64_t* tag) {
  Head h{};
  if (!ExpectHead(MajorType::kTag, &h)) return false;
  *tag = h.arg;
  pos_ += h.size;
  return true;
}

bool Reader::ConsumeTag(uint64_t tag) {
  Head h{};
  if (!PeekHead(&h) || h.type != MajorType::kTag || h.arg != tag) return false;
  pos_ += h.size;
  return true;
}

bool Reader::ReadRaw(ByteView* item) {
  if (!ok()) return false;
  if (AtEnd()) {
    Fail(ErrorKind::kTruncated);
    return false;
  }
  size_t end = internal::SkipItem(data_, pos_);
  *item = data_.subspan(pos_, end - pos_);
  pos_ = end;
  return true;
}

bool Reader::Skip() {
  ByteView ignored;
  return ReadRaw(&ignored);
}

std::string DescribeNextItem(const Reader& r) {
  auto type = r.PeekType();
  if (!type) return "nothing";
  switch (*type) {
    case MajorType::kUnsigned: return "unsigned integer";
    case MajorType::kNegative: return "negative integer";
    case MajorType::kBytes: return "byte string";
    case MajorType::kText: return "text";
    case MajorType::kArray: return "array";
    case MajorType::kMap: return "map";
    case MajorType::kTag: return "tag " + std::to_string(r.PeekTag().value_or(0));
    case MajorType::kSimple: {
      Reader probe = r;
      ByteView raw;
      if (!probe.ReadRaw(&raw) || raw.empty()) return "simple value";
      switch (raw[0]) {
        case 0xf4:
        case 0xf5: return "bool";
        case 0xf6: return "null";
        case 0xf7: return "undefined";
        case 0xf9:
        case 0xfa:
        case 0xfb: return "float";
        default: return "simple value";
      }
    }
  }
  return "unknown";
}

}  // namespace teep::cbor
