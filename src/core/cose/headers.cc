#include "core/cose/headers.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "core/cbor/reader.h"
#include "core/cbor/writer.h"
#include "core/cose/algorithms.h"

namespace teep::cose {
namespace {

// Where an error happened: the structure ("COSE_Sign1") and, inside header
// decoding, the bucket. Strings are built only when an error is reported.
struct Where {
  std::string_view structure;
  std::string_view bucket;
};

std::string ToString(const Where& w) {
  std::string s(w.structure);
  if (!w.bucket.empty()) {
    s += '.';
    s += w.bucket;
  }
  return s;
}

Status Malformed(const Where& where, std::string_view what) {
  std::string message = ToString(where);
  message += ": ";
  message += what;
  return Status(StatusCode::kMalformed, std::move(message));
}

bool IsUnderstood(int64_t label) {
  switch (label) {
    case kHeaderAlg:
    case kHeaderCrit:
    case kHeaderContentType:
    case kHeaderKid:
    case kHeaderIv:
    case kHeaderPartialIv:
    case kHeaderEphemeralKey:
      return true;
    default:
      return false;
  }
}

// A label is an int or a text string (RFC 9052 §3). Returns the raw encoded
// label and, for ints, the value.
struct Label {
  ByteView raw;
  std::optional<int64_t> number;
};

Status ReadLabel(cbor::Reader& r, Label* label, const Where& where) {
  auto type = r.PeekType();
  if (type == cbor::MajorType::kUnsigned || type == cbor::MajorType::kNegative) {
    cbor::Reader probe = r;
    ByteView raw;
    probe.ReadRaw(&raw);
    int64_t v;
    if (!r.ReadInt(&v)) return Malformed(where, "header label out of range");
    *label = Label{raw, v};
    return OkStatus();
  }
  if (type == cbor::MajorType::kText) {
    ByteView raw;
    r.ReadRaw(&raw);
    *label = Label{raw, std::nullopt};
    return OkStatus();
  }
  return Malformed(where, "header label must be an integer or text");
}

Status DecodeBucket(ByteView map, const Where& where, HeaderParams* out,
                    std::vector<ByteView>* labels) {
  cbor::Reader r = cbor::Reader::Open(map, cbor::RelaxedOptions());
  if (!r.ok()) return r.status().WithContext(ToString(where));
  uint64_t pairs;
  if (!r.ReadMapHeader(&pairs)) return Malformed(where, "header bucket is not a map");
  for (uint64_t i = 0; i < pairs; ++i) {
    Label label;
    TEEP_RETURN_IF_ERROR(ReadLabel(r, &label, where));
    labels->push_back(label.raw);
    if (!label.number) {
      ByteView value;
      r.ReadRaw(&value);
      out->other.emplace_back(label.raw, value);
      continue;
    }
    switch (*label.number) {
      case kHeaderAlg: {
        int64_t alg;
        if (!r.ReadInt(&alg)) return Malformed(where, "alg (1) must be an integer");
        out->alg = alg;
        break;
      }
      case kHeaderCrit: {
        uint64_t n;
        if (!r.ReadArrayHeader(&n)) return Malformed(where, "crit (2) must be an array");
        if (n == 0) return Malformed(where, "crit (2) must not be empty");
        for (uint64_t k = 0; k < n; ++k) {
          int64_t c;
          if (!r.ReadInt(&c)) return Malformed(where, "crit (2) entries must be integer labels");
          out->crit.push_back(c);
        }
        break;
      }
      case kHeaderContentType: {
        auto t = r.PeekType();
        if (t != cbor::MajorType::kUnsigned && t != cbor::MajorType::kText) {
          return Malformed(where, "content type (3) must be a uint or text");
        }
        r.ReadRaw(&out->content_type);
        break;
      }
      case kHeaderKid:
      case kHeaderIv:
      case kHeaderPartialIv: {
        ByteView value;
        if (!r.ReadBytes(&value)) {
          return Malformed(where, *label.number == kHeaderKid  ? "kid (4) must be a byte string"
                                  : *label.number == kHeaderIv ? "IV (5) must be a byte string"
                                                               : "partial IV (6) must be a byte string");
        }
        (*label.number == kHeaderKid  ? out->kid
         : *label.number == kHeaderIv ? out->iv
                                      : out->partial_iv) = value;
        break;
      }
      case kHeaderEphemeralKey:
        if (r.PeekType() != cbor::MajorType::kMap) {
          return Malformed(where, "ephemeral key (-1) must be a COSE_Key map");
        }
        r.ReadRaw(&out->ephemeral_key);
        break;
      default: {
        ByteView value;
        r.ReadRaw(&value);
        out->other.emplace_back(label.raw, value);
      }
    }
  }
  if (!r.ok()) return r.status().WithContext(ToString(where));
  return OkStatus();
}

}  // namespace

Result<Headers> DecodeHeaders(ByteView protected_bytes, ByteView unprotected_map,
                              std::string_view where) {
  Headers h;
  h.protected_bytes = protected_bytes;
  std::vector<ByteView> protected_labels, unprotected_labels;
  if (!protected_bytes.empty()) {
    TEEP_RETURN_IF_ERROR(DecodeBucket(protected_bytes, Where{where, "protected"},
                                      &h.protected_params, &protected_labels));
  }
  TEEP_RETURN_IF_ERROR(DecodeBucket(unprotected_map, Where{where, "unprotected"},
                                    &h.unprotected_params, &unprotected_labels));
  const Where top{where, {}};

  // RFC 9052 §3: a label MUST NOT occur in both buckets.
  for (ByteView a : protected_labels) {
    for (ByteView b : unprotected_labels) {
      if (std::equal(a.begin(), a.end(), b.begin(), b.end())) {
        return Malformed(top, "header label present in both protected and unprotected buckets");
      }
    }
  }
  // RFC 9052 §3.1: crit only in the protected bucket; every critical label
  // must be present and understood.
  if (!h.unprotected_params.crit.empty()) {
    return Malformed(top, "crit (2) must be in the protected bucket");
  }
  for (int64_t c : h.protected_params.crit) {
    bool present = false;
    for (ByteView raw : protected_labels) {
      cbor::Reader lr = cbor::Reader::Open(raw, cbor::RelaxedOptions());
      int64_t v;
      if (lr.PeekType() != cbor::MajorType::kText && lr.ReadInt(&v) && v == c) present = true;
    }
    if (!present) return Malformed(top, "crit (2) names label " + std::to_string(c) + " which is absent");
    if (!IsUnderstood(c)) {
      return Status(StatusCode::kUnsupported,
                    std::string(where) + ": critical header " + std::to_string(c) + " is not understood");
    }
  }
  // RFC 9052 §3.1: IV and Partial IV MUST NOT both be present.
  if (h.iv() && h.partial_iv()) return Malformed(top, "both IV (5) and partial IV (6) present");
  return h;
}

Result<Bytes> EncodeHeaderMap(std::vector<std::pair<int64_t, Bytes>> entries) {
  std::vector<std::pair<Bytes, const Bytes*>> encoded;
  encoded.reserve(entries.size());
  for (const auto& [label, value] : entries) encoded.emplace_back(EncodeIntItem(label), &value);
  // Bytewise order of the encoded labels (RFC 8949 §4.2.1), spelled out with
  // memcmp: vector's operator< trips a GCC 12 -Wstringop-overread false
  // positive at -O3.
  std::sort(encoded.begin(), encoded.end(), [](const auto& a, const auto& b) {
    size_t n = std::min(a.first.size(), b.first.size());
    int c = std::memcmp(a.first.data(), b.first.data(), n);
    return c < 0 || (c == 0 && a.first.size() < b.first.size());
  });
  cbor::Writer w;
  w.BeginMap(encoded.size());
  for (const auto& [label, value] : encoded) {
    w.WriteRaw(label);
    w.WriteRaw(*value);
  }
  return std::move(w).Finish();
}

Result<Bytes> EncodeProtectedBucket(std::vector<std::pair<int64_t, Bytes>> entries) {
  if (entries.empty()) return Bytes{};
  return EncodeHeaderMap(std::move(entries));
}

Bytes EncodeIntItem(int64_t value) {
  cbor::Writer w;
  w.WriteInt(value);
  return w.bytes();
}

Bytes EncodeBytesItem(ByteView value) {
  cbor::Writer w;
  w.WriteBytes(value);
  return w.bytes();
}

}  // namespace teep::cose
