// Strict, span-based CBOR reader (RFC 8949), after BoringSSL's CBS.
//
// Reader::Open first checks that the input is exactly one well-formed item
// meeting the DecodeOptions (deterministic encoding, no duplicate keys, valid
// UTF-8, depth and length limits, no trailing bytes). After that, typed reads
// consume the input front to back and can never run past the end. Nothing is
// copied and nothing is allocated: strings come back as views into the input.
//
// Errors latch: the first failing read records an Error and every later read
// fails, so a decoder may check once at the end of a block.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/base/bytes.h"
#include "core/cbor/cbor.h"

namespace teep::cbor {

// Checks that `data` is exactly one well-formed item under `options`.
// `base_offset` is added to every reported offset (for embedded CBOR).
std::optional<Error> Check(ByteView data, const DecodeOptions& options = {},
                           size_t base_offset = 0);

class Reader {
 public:
  // Checks `data` (see Check) and returns a reader positioned at its start.
  // On failure the reader is in the error state and every read fails.
  static Reader Open(ByteView data, const DecodeOptions& options = {},
                     size_t base_offset = 0);

  bool ok() const { return !error_.has_value(); }
  const Error& error() const { return *error_; }
  Status status() const { return ok() ? OkStatus() : ToStatus(*error_); }

  bool AtEnd() const { return pos_ == data_.size(); }
  // Absolute offset of the next item, for error messages.
  size_t offset() const { return base_offset_ + pos_; }

  // Type of the next item; nullopt at the end or in the error state.
  std::optional<MajorType> PeekType() const;
  bool PeekNull() const;
  // The tag number if the next item is a tag.
  std::optional<uint64_t> PeekTag() const;

  bool ReadUint(uint64_t* value);
  // Major type 0 or 1, within int64_t.
  bool ReadInt(int64_t* value);
  // Major type 1 with its raw argument (value = -1 - arg), full 64-bit range.
  bool ReadNegativeArg(uint64_t* arg);
  bool ReadBytes(ByteView* value);
  bool ReadText(std::string_view* value);
  bool ReadBool(bool* value);
  bool ReadNull();
  // A simple value that is not a float (false/true/null/undefined/others).
  bool ReadSimple(uint8_t* value);
  // Floats of any width, returned as double.
  bool ReadFloat(double* value);
  bool ReadArrayHeader(uint64_t* count);
  bool ReadMapHeader(uint64_t* pairs);
  bool ReadTag(uint64_t* tag);
  // Consumes the tag if the next item carries exactly `tag`; no error if not.
  bool ConsumeTag(uint64_t tag);
  // The complete encoding of the next item (e.g. a protected header to hash).
  bool ReadRaw(ByteView* item);
  bool Skip();

  // Records an error at the current offset (used by typed decoders to report
  // a semantic error with the same latching behaviour).
  void Fail(ErrorKind kind);

 private:
  Reader(ByteView data, size_t base_offset) : data_(data), base_offset_(base_offset) {}
  struct Head {
    MajorType type;
    uint64_t arg;
    uint8_t ai;
    size_t size;  // bytes in the head
  };
  bool PeekHead(Head* head) const;
  bool ExpectHead(MajorType type, Head* head);
  bool FailUnexpected(MajorType found);

  ByteView data_;
  size_t pos_ = 0;
  size_t base_offset_ = 0;
  std::optional<Error> error_;
};

// What the next item is, for "expected X, got Y" messages: "unsigned
// integer", "negative integer", "byte string", "text", "array", "map",
// "tag 18", "bool", "null", "undefined", "float", "simple value", or
// "nothing" at the end.
std::string DescribeNextItem(const Reader& r);

}  // namespace teep::cbor
