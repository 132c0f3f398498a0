#include "core/suit/parameters.h"

#include <string>

#include "core/cbor/reader.h"
#include "core/suit/decode_util.h"

namespace teep::suit {

using cbor::MajorType;

namespace {

// CBOR-PEN relative OID tag for vendor identifiers (manifest-37 §8.4.8.3).
constexpr uint64_t kTagRelativeOid = 112;

enum class ValueType { kUint, kInt, kBstr, kText, kBool, kVendorId, kCustom };

struct ParameterInfo {
  int64_t key;
  std::string_view name;
  ValueType type;
};

constexpr ParameterInfo kParameters[] = {
    {kParamVendorId, "vendor-identifier", ValueType::kVendorId},
    {kParamClassId, "class-identifier", ValueType::kBstr},
    {kParamImageDigest, "image-digest", ValueType::kBstr},
    {kParamUseBefore, "use-before", ValueType::kUint},
    {kParamComponentSlot, "component-slot", ValueType::kUint},
    {kParamStrictOrder, "strict-order", ValueType::kBool},
    {kParamSoftFailure, "soft-failure", ValueType::kBool},
    {kParamImageSize, "image-size", ValueType::kUint},
    {kParamContent, "content", ValueType::kBstr},
    {kParamEncryptionInfo, "encryption-info", ValueType::kBstr},
    {kParamUri, "uri", ValueType::kText},
    {kParamSourceComponent, "source-component", ValueType::kUint},
    {kParamInvokeArgs, "invoke-args", ValueType::kBstr},
    {kParamDeviceId, "device-identifier", ValueType::kBstr},
    {kParamFetchArgs, "fetch-arguments", ValueType::kBstr},
    {kParamMinimumBattery, "minimum-battery", ValueType::kUint},
    {kParamUpdatePriority, "update-priority", ValueType::kInt},
    {kParamVersion, "version", ValueType::kBstr},
    {kParamWaitInfo, "wait-info", ValueType::kBstr},
    {kParamComponentMetadata, "component-metadata", ValueType::kBstr},
};

// manifest-37 §11 / §8.4.8: keys below -256 are private use ("custom").
constexpr int64_t kCustomLimit = -256;

const ParameterInfo* Find(int64_t key) {
  for (const auto& p : kParameters) {
    if (p.key == key) return &p;
  }
  return nullptr;
}

// Decodes a validated value; the reader was opened on exactly one item.
cbor::Reader OpenValue(ByteView raw) { return cbor::Reader::Open(raw, cbor::RelaxedOptions()); }

}  // namespace

std::string ParameterName(int64_t key) {
  const ParameterInfo* info = Find(key);
  std::string name = info ? std::string(info->name) : (key < kCustomLimit ? "custom" : "unknown");
  return name + " (" + std::to_string(key) + ")";
}

Status ValidateParameter(int64_t key, ByteView raw, std::string_view path) {
  const ParameterInfo* info = Find(key);
  if (info == nullptr && key >= kCustomLimit) {
    return Status(StatusCode::kUnsupported,
                  std::string(path) + ": parameter " + std::to_string(key) + " is not supported");
  }
  const std::string where = std::string(path) + "." + ParameterName(key);
  TEEP_ASSIGN_OR_RETURN(cbor::Reader r, internal::OpenItem(raw, where));
  const ValueType type = info ? info->type : ValueType::kCustom;
  const auto found = r.PeekType();
  bool good = false;
  std::string_view expected;
  switch (type) {
    case ValueType::kUint:
      good = found == MajorType::kUnsigned;
      expected = "uint";
      break;
    case ValueType::kInt:
      good = found == MajorType::kUnsigned || found == MajorType::kNegative;
      expected = "int";
      break;
    case ValueType::kBstr:
      good = found == MajorType::kBytes;
      expected = "bstr";
      break;
    case ValueType::kText:
      good = found == MajorType::kText;
      expected = "tstr";
      break;
    case ValueType::kBool: {
      bool b;
      good = r.ReadBool(&b);
      expected = "bool";
      break;
    }
    case ValueType::kVendorId:
      // RFC 9562 UUID as bstr, or a CBOR-PEN relative OID (tag 112 bstr).
      if (r.PeekTag() == kTagRelativeOid) r.ConsumeTag(kTagRelativeOid);
      good = r.ok() && r.PeekType() == MajorType::kBytes;
      expected = "bstr or #6.112(bstr)";
      break;
    case ValueType::kCustom:
      // manifest-37 §8.4.8.14: int / bool / tstr / bstr.
      good = found == MajorType::kUnsigned || found == MajorType::kNegative ||
             found == MajorType::kText || found == MajorType::kBytes ||
             found == MajorType::kSimple;
      if (found == MajorType::kSimple) {
        bool b;
        good = r.ReadBool(&b);
      }
      expected = "int, bool, tstr or bstr";
      break;
  }
  if (!good) {
    cbor::Reader again = OpenValue(raw);
    return internal::Malformed(where, "expected " + std::string(expected) + ", got " +
                                          cbor::DescribeNextItem(again));
  }
  return OkStatus();
}

void ParameterSet::Set(int64_t key, ByteView raw) {
  for (auto& [k, v] : values_) {
    if (k == key) {
      v = raw;
      return;
    }
  }
  values_.emplace_back(key, raw);
}

bool ParameterSet::SetIfUnset(int64_t key, ByteView raw) {
  if (Has(key)) return false;
  values_.emplace_back(key, raw);
  return true;
}

std::optional<ByteView> ParameterSet::Raw(int64_t key) const {
  for (const auto& [k, v] : values_) {
    if (k == key) return v;
  }
  return std::nullopt;
}

std::optional<uint64_t> ParameterSet::Uint(int64_t key) const {
  auto raw = Raw(key);
  if (!raw) return std::nullopt;
  cbor::Reader r = OpenValue(*raw);
  uint64_t v = 0;
  if (!r.ReadUint(&v)) return std::nullopt;
  return v;
}

std::optional<int64_t> ParameterSet::Int(int64_t key) const {
  auto raw = Raw(key);
  if (!raw) return std::nullopt;
  cbor::Reader r = OpenValue(*raw);
  int64_t v = 0;
  if (!r.ReadInt(&v)) return std::nullopt;
  return v;
}

std::optional<ByteView> ParameterSet::Bstr(int64_t key) const {
  auto raw = Raw(key);
  if (!raw) return std::nullopt;
  cbor::Reader r = OpenValue(*raw);
  if (r.PeekTag() == kTagRelativeOid) r.ConsumeTag(kTagRelativeOid);
  ByteView v;
  if (!r.ReadBytes(&v)) return std::nullopt;
  return v;
}

std::optional<std::string_view> ParameterSet::Text(int64_t key) const {
  auto raw = Raw(key);
  if (!raw) return std::nullopt;
  cbor::Reader r = OpenValue(*raw);
  std::string_view v;
  if (!r.ReadText(&v)) return std::nullopt;
  return v;
}

bool ParameterSet::DecodeBool(ByteView raw) {
  cbor::Reader r = OpenValue(raw);
  bool v = false;
  return r.ReadBool(&v) && v;
}

std::optional<bool> ParameterSet::Bool(int64_t key) const {
  auto raw = Raw(key);
  if (!raw) return std::nullopt;
  cbor::Reader r = OpenValue(*raw);
  bool v = false;
  if (!r.ReadBool(&v)) return std::nullopt;
  return v;
}

}  // namespace teep::suit
