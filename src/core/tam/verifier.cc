#include "core/tam/verifier.h"

#include <utility>

namespace teep::tam {

Result<eat::AttestationResult> BuiltInVerifier::Appraise(ByteView evidence,
                                                         const DeviceRecord& device,
                                                         ByteView nonce, ByteView cnf_kid) {
  std::vector<crypto::PublicKey> keys;
  if (!device.attestation_key_pem.empty()) {
    auto key = crypto::PublicKey::FromPem(device.attestation_key_pem);
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
