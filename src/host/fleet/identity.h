// Deterministic identities of simulated fleet devices (`teep fleet`).
//
// ***************************************************************************
// SIMULATION KEYS. NEVER USE THEM FOR A REAL DEVICE.
// Every private key here is a function of a seed that is public by default
// ("teep-fleet-simulation") and of the device's index: anyone who knows the
// seed and the index knows the key. That is the point (an operator registers
// a fleet of a million devices without shipping a million private keys, and
// the simulator recreates any device from its index), and it is also why a
// TAM that registers these keys must never manage real TEEs with them.
// ***************************************************************************
//
// Derivation (docs/cli.md "teep fleet devices"):
//   private scalar = HMAC-SHA256(key = seed, data = "teep-fleet <purpose> <index>")
// with purpose "teep-key" or "attestation-key", the index in decimal, both
// keys P-256. A value that is not a valid P-256 scalar (0, or >= the group
// order; probability about 2^-32) is derived again with "/1", "/2", ...
// appended to the data. The UEID is 0x01 (RAND, RFC 9711 §4.2.1) followed by
// HMAC-SHA256(seed, "teep-fleet ueid <index>").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/crypto/crypto.h"

namespace teep::host::fleet {

inline constexpr std::string_view kDefaultSeed = "teep-fleet-simulation";
inline constexpr std::string_view kDefaultNamePrefix = "fleet-";

enum class KeyPurpose { kTeepKey, kAttestationKey };

// "teep-key" / "attestation-key": the purpose's text in the derivation.
std::string_view KeyPurposeLabel(KeyPurpose purpose);

// The HMAC input of one derivation attempt: "teep-fleet <purpose> <index>",
// then "/<attempt>" for attempts after the first.
std::string DerivationData(std::string_view label, uint64_t index, unsigned attempt);

// The simulation key of device `index` for `purpose` (a P-256 private key).
Result<crypto::PrivateKey> DeriveKey(std::string_view seed, uint64_t index, KeyPurpose purpose);

struct DeviceKeys {
  crypto::PrivateKey teep_key;         // signs the Agent's TEEP messages
  crypto::PrivateKey attestation_key;  // signs its Evidence
};
Result<DeviceKeys> DeriveDeviceKeys(std::string_view seed, uint64_t index);

// 33 bytes: 0x01 then 32 derived bytes.
Result<Bytes> DeriveUeid(std::string_view seed, uint64_t index);

// "<prefix><index>", e.g. "fleet-17".
std::string DeviceName(std::string_view prefix, uint64_t index);

}  // namespace teep::host::fleet
