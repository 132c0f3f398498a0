// An owning CBOR value tree, for tools and tests (inspect --json, re-encoding
// published vectors, building manifests from descriptions). Protocol decoders
// use the allocation-free Reader instead.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/cbor/cbor.h"

namespace teep::cbor {

class Value {
 public:
  enum class Kind { kUnsigned, kNegative, kBytes, kText, kArray, kMap, kTag, kSimple, kFloat };
  using Array = std::vector<Value>;
  using Map = std::vector<std::pair<Value, Value>>;

  Value() : Value(Kind::kSimple) { arg_ = 22; }  // null

  static Value Uint(uint64_t v);
  static Value Int(int64_t v);
  // Major type 1 with argument `arg` (the value -1 - arg).
  static Value NegativeArg(uint64_t arg);
  static Value Bytes(ByteView b);
  static Value Text(std::string_view t);
  static Value MakeArray(Array items);
  static Value MakeMap(Map pairs);
  static Value Tag(uint64_t tag, Value content);
  static Value Bool(bool b) { return Simple(b ? 21 : 20); }
  static Value Null() { return Simple(22); }
  static Value Simple(uint8_t v);
  static Value Float(double v);

  Kind kind() const { return kind_; }
  // For kUnsigned: the value. For kNegative: the argument (value = -1 - arg).
  // For kTag: the tag number. For kSimple: the simple value.
  uint64_t arg() const { return arg_; }
  double float_value() const { return float_; }
  const teep::Bytes& bytes() const { return bytes_; }
  const std::string& text() const { return text_; }
  const Array& array() const { return array_; }
  Array& array() { return array_; }
  const Map& map() const { return map_; }
  Map& map() { return map_; }
  const Value& tag_content() const { return array_.front(); }

  bool IsNull() const { return kind_ == Kind::kSimple && arg_ == 22; }
  // Finds a map entry by integer key; nullptr if absent or not a map.
  const Value* Find(int64_t key) const;

  bool operator==(const Value& other) const;

 private:
  explicit Value(Kind kind) : kind_(kind) {}
  Kind kind_;
  uint64_t arg_ = 0;
  double float_ = 0;
  teep::Bytes bytes_;
  std::string text_;
  Array array_;  // array items, or the single tag content
  Map map_;
};

// Decodes one item (see Check for what is rejected).
Result<Value> Decode(ByteView data, const DecodeOptions& options = {});

// Deterministic encoding: map entries are emitted in bytewise order of their
// encoded keys whatever their order in the tree. Duplicate keys are an error.
Result<teep::Bytes> Encode(const Value& value);

}  // namespace teep::cbor
