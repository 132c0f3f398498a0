#include "core/tam/verifier.h"

#include <utility>

namespace teep::tam {
namespace {
constexpr size_t kMaxCachedKeys = 4096;
}  // namespace

Result<crypto::PublicKey> BuiltInVerifier::DeviceKey(const std::string& pem) {
  {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    auto it = parsed_.find(pem);
    if (it != parsed_.end()) return it->second;
  }
  TEEP_ASSIGN_OR_RETURN(crypto::PublicKey key, crypto::PublicKey::FromPem(pem));
  std::lock_guard<std::mutex> lock(cache_mutex_);
  if (parsed_.size() >= kMaxCachedKeys) parsed_.clear();
  parsed_.emplace(pem, key);
  return key;
}

Result<eat::AttestationResult> BuiltInVerifier::Appraise(ByteView evidence,
                                                         const DeviceRecord& device,
                                                         ByteView nonce, ByteView cnf_kid) {
  std::vector<crypto::PublicKey> keys;
  if (!device.attestation_key_pem.empty()) {
    auto key = DeviceKey(device.attestation_key_pem);
    if (!key.ok()) return key.status().WithContext("the device's registered attestation key");
    keys.push_back(std::move(key).value());
  }
  keys.insert(keys.end(), fleet_keys_.begin(), fleet_keys_.end());
  if (keys.empty()) {
    return Status(StatusCode::kInvalidArgument,
                  "no attestation key is registered for this device and none fleet-wide");
  }
  eat::AppraisalPolicy policy;
  policy.attestation_keys = keys;
  policy.expected_nonce = nonce;
  policy.expected_cnf_kid = cnf_kid;
  policy.reference = reference_;
  return eat::AppraiseEvidence(evidence, policy);
}

}  // namespace teep::tam
