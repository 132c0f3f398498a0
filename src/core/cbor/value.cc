#include "core/cbor/value.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/cbor/reader.h"
#include "core/cbor/writer.h"

namespace teep::cbor {

Value Value::Uint(uint64_t v) {
  Value out(Kind::kUnsigned);
  out.arg_ = v;
  return out;
}

Value Value::Int(int64_t v) {
  return v >= 0 ? Uint(static_cast<uint64_t>(v)) : NegativeArg(static_cast<uint64_t>(-1 - v));
}

Value Value::NegativeArg(uint64_t arg) {
  Value out(Kind::kNegative);
  out.arg_ = arg;
  return out;
}

Value Value::Bytes(ByteView b) {
  Value out(Kind::kBytes);
  out.bytes_.assign(b.begin(), b.end());
  return out;
}

Value Value::Text(std::string_view t) {
  Value out(Kind::kText);
  out.text_.assign(t);
  return out;
}

Value Value::MakeArray(Array items) {
  Value out(Kind::kArray);
  out.array_ = std::move(items);
  return out;
}

Value Value::MakeMap(Map pairs) {
  Value out(Kind::kMap);
  out.map_ = std::move(pairs);
  return out;
}

Value Value::Tag(uint64_t tag, Value content) {
  Value out(Kind::kTag);
  out.arg_ = tag;
  out.array_.push_back(std::move(content));
  return out;
}

Value Value::Simple(uint8_t v) {
  Value out(Kind::kSimple);
  out.arg_ = v;
  return out;
}

Value Value::Float(double v) {
  Value out(Kind::kFloat);
  out.float_ = v;
  return out;
}

const Value* Value::Find(int64_t key) const {
  if (kind_ != Kind::kMap) return nullptr;
  Value k = Int(key);
  for (const auto& [mk, mv] : map_) {
    if (mk == k) return &mv;
  }
  return nullptr;
}

bool Value::operator==(const Value& other) const {
  if (kind_ != other.kind_) return false;
  switch (kind_) {
    case Kind::kFloat:
      if (std::isnan(float_) && std::isnan(other.float_)) return true;
      return std::memcmp(&float_, &other.float_, sizeof float_) == 0;
    case Kind::kBytes: return bytes_ == other.bytes_;
    case Kind::kText: return text_ == other.text_;
    case Kind::kArray: return array_ == other.array_;
    case Kind::kTag: return arg_ == other.arg_ && array_ == other.array_;
    case Kind::kMap: return map_ == other.map_;
    default: return arg_ == other.arg_;
  }
}

namespace {

// Recursion depth is bounded by the checker's max_depth.
bool DecodeItem(Reader& r, Value* out) {
  switch (*r.PeekType()) {
    case MajorType::kUnsigned: {
      uint64_t v;
      if (!r.ReadUint(&v)) return false;
      *out = Value::Uint(v);
      return true;
    }
    case MajorType::kNegative: {
      uint64_t arg;
      if (!r.ReadNegativeArg(&arg)) return false;
      *out = Value::NegativeArg(arg);
      return true;
    }
    case MajorType::kBytes: {
      ByteView b;
      if (!r.ReadBytes(&b)) return false;
      *out = Value::Bytes(b);
      return true;
    }
    case MajorType::kText: {
      std::string_view t;
      if (!r.ReadText(&t)) return false;
      *out = Value::Text(t);
      return true;
    }
    case MajorType::kArray: {
      uint64_t n;
      if (!r.ReadArrayHeader(&n)) return false;
      Value::Array items(n);
      for (auto& item : items) {
        if (!DecodeItem(r, &item)) return false;
      }
      *out = Value::MakeArray(std::move(items));
      return true;
    }
    case MajorType::kMap: {
      uint64_t n;
      if (!r.ReadMapHeader(&n)) return false;
      Value::Map pairs(n);
      for (auto& [k, v] : pairs) {
        if (!DecodeItem(r, &k) || !DecodeItem(r, &v)) return false;
      }
      *out = Value::MakeMap(std::move(pairs));
      return true;
    }
    case MajorType::kTag: {
      uint64_t tag;
      if (!r.ReadTag(&tag)) return false;
      Value content;
      if (!DecodeItem(r, &content)) return false;
      *out = Value::Tag(tag, std::move(content));
      return true;
    }
    case MajorType::kSimple: {
      Reader probe = r;
      double f;
      if (probe.ReadFloat(&f)) {
        r = probe;
        *out = Value::Float(f);
        return true;
      }
      uint8_t simple;
      if (!r.ReadSimple(&simple)) return false;
      *out = Value::Simple(simple);
      return true;
    }
  }
  return false;
}

void EncodeItem(const Value& v, Writer& w);

// Bytewise lexicographic order (RFC 8949 §4.2.1). Spelled out with memcmp:
// vector's operator< trips a GCC 12 -Wstringop-overread false positive at -O3.
bool BytewiseLess(const teep::Bytes& a, const teep::Bytes& b) {
  size_t n = a.size() < b.size() ? a.size() : b.size();
  int c = n ? std::memcmp(a.data(), b.data(), n) : 0;
  return c < 0 || (c == 0 && a.size() < b.size());
}

void EncodeMap(const Value::Map& map, Writer& w) {
  // Encode each key, then emit entries in bytewise order of the encodings
  // (RFC 8949 §4.2.1).
  std::vector<std::pair<teep::Bytes, const Value*>> entries;
  entries.reserve(map.size());
  for (const auto& [k, val] : map) {
    Writer kw;
    EncodeItem(k, kw);
    if (!kw.ok()) {
      w.Fail(*kw.error_kind());  // keep the key's own error, not a later symptom
      return;
    }
    entries.emplace_back(kw.bytes(), &val);
  }
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    return BytewiseLess(a.first, b.first);
  });
  w.BeginMap(map.size());
  for (const auto& [key, val] : entries) {
    w.WriteRaw(key);
    EncodeItem(*val, w);
  }
}

void EncodeItem(const Value& v, Writer& w) {
  switch (v.kind()) {
    case Value::Kind::kUnsigned: w.WriteUint(v.arg()); return;
    case Value::Kind::kNegative: w.WriteNegativeArg(v.arg()); return;
    case Value::Kind::kBytes: w.WriteBytes(v.bytes()); return;
    case Value::Kind::kText: w.WriteText(v.text()); return;
    case Value::Kind::kArray:
      w.BeginArray(v.array().size());
      for (const auto& item : v.array()) EncodeItem(item, w);
      return;
    case Value::Kind::kMap: EncodeMap(v.map(), w); return;
    case Value::Kind::kTag:
      w.WriteTag(v.arg());
      EncodeItem(v.tag_content(), w);
      return;
    case Value::Kind::kSimple: w.WriteSimple(static_cast<uint8_t>(v.arg())); return;
    case Value::Kind::kFloat: w.WriteFloat(v.float_value()); return;
  }
}

}  // namespace

Result<Value> Decode(ByteView data, const DecodeOptions& options) {
  Reader r = Reader::Open(data, options);
  if (!r.ok()) return r.status();
  Value out;
  if (!DecodeItem(r, &out)) return r.status();
  return out;
}

Result<teep::Bytes> Encode(const Value& value) {
  Writer w;
  EncodeItem(value, w);
  return std::move(w).Finish();
}

}  // namespace teep::cbor
