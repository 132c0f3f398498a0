// SUIT parameters (draft-ietf-suit-manifest-37 §8.4.8, §11.5; firmware-
// encryption-24 §4; update-management-14 §4), kept per component as §8.4.8
// requires. Values stay as raw CBOR views into the envelope (or a fetched
// dependency envelope, which the processor keeps alive): nothing is copied.
// Every value is type-checked when it is set, so the typed getters cannot
// meet a value of the wrong type.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"

namespace teep::suit {

enum ParameterKey : int64_t {
  kParamVendorId = 1,
  kParamClassId = 2,
  kParamImageDigest = 3,
  kParamUseBefore = 4,          // update-management
  kParamComponentSlot = 5,
  kParamStrictOrder = 12,
  kParamSoftFailure = 13,
  kParamImageSize = 14,
  kParamContent = 18,
  kParamEncryptionInfo = 19,    // firmware-encryption
  kParamUri = 21,
  kParamSourceComponent = 22,
  kParamInvokeArgs = 23,
  kParamDeviceId = 24,
  kParamFetchArgs = 25,
  kParamMinimumBattery = 26,    // update-management
  kParamUpdatePriority = 27,    // update-management
  kParamVersion = 28,           // update-management
  kParamWaitInfo = 29,          // update-management
  kParamComponentMetadata = 30, // update-management
};

// COSE_KDF_Context SuppPubInfo.other for keys that protect payloads named by
// encryption-info (draft-ietf-suit-firmware-encryption-24 §5.2.4).
inline constexpr std::string_view kPayloadEncryptionKdfOther = "SUIT Payload Encryption";

// "image-digest (3)" etc.
std::string ParameterName(int64_t key);

// Checks that `raw` (one encoded CBOR item) is a valid value for parameter
// `key`. kUnsupported for a key that is neither registered nor custom
// (< -256), which the processor reports as parameter-unsupported;
// kMalformed for a value of the wrong type. `path` prefixes messages.
Status ValidateParameter(int64_t key, ByteView raw, std::string_view path);

class ParameterSet {
 public:
  // override-parameters: replaces.
  void Set(int64_t key, ByteView raw);
  // set-parameters (trust-domains §5.6.4): only when unset; true if written.
  bool SetIfUnset(int64_t key, ByteView raw);
  void Clear() { values_.clear(); }

  std::optional<ByteView> Raw(int64_t key) const;
  bool Has(int64_t key) const { return Raw(key).has_value(); }
  // Typed reads of validated values (nullopt when unset).
  std::optional<uint64_t> Uint(int64_t key) const;
  std::optional<int64_t> Int(int64_t key) const;
  std::optional<ByteView> Bstr(int64_t key) const;  // content of a bstr (vendor id: tag 112 stripped)
  std::optional<std::string_view> Text(int64_t key) const;
  std::optional<bool> Bool(int64_t key) const;

  const std::vector<std::pair<int64_t, ByteView>>& values() const { return values_; }

  // The value of a validated bool parameter (soft-failure, strict-order).
  static bool DecodeBool(ByteView raw);

 private:
  std::vector<std::pair<int64_t, ByteView>> values_;
};

}  // namespace teep::suit
