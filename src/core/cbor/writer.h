// Deterministic CBOR writer (RFC 8949 §4.2.1 core deterministic encoding),
// after BoringSSL's CBB: append-only, first error latches.
//
// Heads always use the shortest form and lengths are definite. Map keys must
// be written in bytewise order of their encodings; the writer checks that as
// it goes and latches kUnsortedKeys / kDuplicateKey instead of emitting a
// non-deterministic map. Container counts are checked too: writing more
// items than announced, or finishing with a container open, is an error.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/cbor/cbor.h"

namespace teep::cbor {

class Writer {
 public:
  Writer() = default;

  void WriteUint(uint64_t value);
  void WriteInt(int64_t value);
  // Major type 1 with argument `arg` (value -1 - arg), for the full range.
  void WriteNegativeArg(uint64_t arg);
  void WriteBytes(ByteView value);
  // Latches kInvalidUtf8 for text that is not valid UTF-8.
  void WriteText(std::string_view value);
  void WriteBool(bool value);
  void WriteNull();
  void WriteUndefined();
  void WriteSimple(uint8_t value);
  // Shortest of half/single/double that preserves the value; NaN as 0xf97e00.
  void WriteFloat(double value);
  void BeginArray(uint64_t count);
  void BeginMap(uint64_t pairs);
  // The next item written is the tag's content.
  void WriteTag(uint64_t tag);
  // One complete, already encoded item (checked for being exactly one
  // deterministic item; latches the checker's error otherwise).
  void WriteRaw(ByteView encoded_item);

  bool ok() const { return !error_.has_value(); }
  Status status() const;
  // Latches `kind` (e.g. an error met while encoding a part separately).
  void Fail(ErrorKind kind) { Latch(kind); }
  std::optional<ErrorKind> error_kind() const {
    return error_ ? std::optional<ErrorKind>(error_->kind) : std::nullopt;
  }
  // The bytes written so far (possibly an incomplete item).
  const Bytes& bytes() const { return out_; }
  // Checks that every container is complete and returns the encoding.
  Result<Bytes> Finish() &&;

 private:
  struct Frame {
    uint64_t remaining;  // items still expected (keys and values for maps)
    bool is_map;
    uint64_t index = 0;  // items completed so far
    size_t key_start = 0;
    size_t prev_key_start = 0;
    size_t prev_key_end = 0;
    size_t first_key_start = 0;
  };
  bool KeyEqualsAnEarlierKey(const Frame& frame) const;

  void Head(MajorType type, uint64_t arg);
  void BeginItem();
  void EndItem();
  void Latch(ErrorKind kind);

  Bytes out_;
  std::vector<Frame> frames_;
  std::optional<Error> error_;
};

}  // namespace teep::cbor
