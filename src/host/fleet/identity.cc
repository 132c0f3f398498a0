#include "host/fleet/identity.h"

#include "core/base/strings.h"

namespace teep::host::fleet {
namespace {

// A rejected scalar has probability ~2^-32 per attempt; 16 attempts in a row
// would mean HMAC is broken, not bad luck.
constexpr unsigned kMaxAttempts = 16;

Result<Bytes> Derive(std::string_view seed, std::string_view label, uint64_t index, unsigned attempt) {
  const std::string data = DerivationData(label, index, attempt);
  return crypto::Hmac(crypto::HashAlg::kSha256, AsBytes(seed), AsBytes(data));
}

}  // namespace

std::string_view KeyPurposeLabel(KeyPurpose purpose) {
  return purpose == KeyPurpose::kTeepKey ? "teep-key" : "attestation-key";
}

std::string DerivationData(std::string_view label, uint64_t index, unsigned attempt) {
  std::string data = Cat("teep-fleet ", label, " ", index);
  if (attempt > 0) data += Cat("/", attempt);
  return data;
}

Result<crypto::PrivateKey> DeriveKey(std::string_view seed, uint64_t index, KeyPurpose purpose) {
  for (unsigned attempt = 0; attempt < kMaxAttempts; ++attempt) {
    TEEP_ASSIGN_OR_RETURN(Bytes d, Derive(seed, KeyPurposeLabel(purpose), index, attempt));
    auto key = crypto::PrivateKey::FromRaw(crypto::KeyType::kP256, d);
    crypto::Wipe(d.data(), d.size());
    // kInvalidArgument: the value is 0 or not below the group order; any
    // other failure is the backend's and is not retried.
    if (key.ok() || key.status().code() != StatusCode::kInvalidArgument) return key;
  }
  return Status(StatusCode::kInternal, Cat("fleet key derivation: no valid P-256 scalar for ",
                                           KeyPurposeLabel(purpose), " ", index));
}

Result<DeviceKeys> DeriveDeviceKeys(std::string_view seed, uint64_t index) {
  TEEP_ASSIGN_OR_RETURN(crypto::PrivateKey teep, DeriveKey(seed, index, KeyPurpose::kTeepKey));
  TEEP_ASSIGN_OR_RETURN(crypto::PrivateKey attestation, DeriveKey(seed, index, KeyPurpose::kAttestationKey));
  return DeviceKeys{std::move(teep), std::move(attestation)};
}

Result<Bytes> DeriveUeid(std::string_view seed, uint64_t index) {
  TEEP_ASSIGN_OR_RETURN(Bytes random, Derive(seed, "ueid", index, 0));
  Bytes ueid{0x01};  // RFC 9711 §4.2.1: type byte 0x01, RAND
  ueid.insert(ueid.end(), random.begin(), random.end());
  return ueid;
}

std::string DeviceName(std::string_view prefix, uint64_t index) { return Cat(prefix, index); }

}  // namespace teep::host::fleet
