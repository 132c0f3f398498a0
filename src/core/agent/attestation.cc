// Attestation in both directions (draft-ietf-teep-protocol-26 §4.3.1, §5,
// §7.2.1, §9): the Agent's Evidence for the TAM, and the Agent's check of a
// TAM's attestation when its policy demands one.
#include <algorithm>
#include <array>
#include <utility>

#include "core/agent/agent.h"
#include "core/base/strings.h"
#include "core/crypto/crypto.h"
#include "core/eat/evidence.h"

namespace teep::agent {
namespace {

constexpr size_t kChallengeBytes = 32;
constexpr size_t kMaxEatNonce = 64;  // RFC 9711 §4.1: eat_nonce is 8..64 bytes

bool Offers(const msg::QueryRequest& request, uint64_t mechanism) {
  // P §4.2: absent supported-freshness-mechanisms means nonce only.
  if (!request.supported_freshness_mechanisms) return mechanism == msg::kFreshnessNonce;
  const auto& m = *request.supported_freshness_mechanisms;
  return std::find(m.begin(), m.end(), mechanism) != m.end();
}

// Evidence travels in the default format (P §4.3: absent means the TEEP EAT
// profile); anything else is a format this Agent cannot appraise.
bool IsTeepEatFormat(const std::optional<std::string>& format) {
  return !format || format->rfind("application/eat+cwt", 0) == 0;
}

}  // namespace

std::optional<Agent::Refusal> Agent::CheckTamAttestation(const Incoming& in,
                                                         const msg::QueryRequest& request) {
  // Without a policy asking for it, a TAM's attestation-payload is not ours
  // to judge and is ignored.
  if (!config_.tam_attestation.required) return std::nullopt;
  std::optional<Bytes>& challenge = tam_challenges_[in.tam_index];
  auto ask_again = [&](std::string why) {
    Bytes fresh(kChallengeBytes);
    if (!crypto::RandomBytes(fresh).ok()) {
      return Refusal{msg::ErrorCode::kTemporaryError, "no randomness for a challenge"};
    }
    challenge = fresh;
    return Refusal{msg::ErrorCode::kAttestationRequired, std::move(why), std::move(fresh)};
  };
  // P §7.2.1: no attestation-payload -> ERR_ATTESTATION_REQUIRED with a
  // challenge; Evidence that was not made for our challenge cannot be fresh.
  if (!request.attestation_payload) return ask_again("this Agent requires the TAM's attestation");
  if (!challenge) return ask_again("the TAM's attestation must answer this Agent's challenge");
  if (!IsTeepEatFormat(request.attestation_payload_format)) {
    return Refusal{msg::ErrorCode::kPermanentError,
                   Cat("attestation-payload-format ", *request.attestation_payload_format,
                       " is not supported")};
  }
  eat::AppraisalPolicy policy;
  policy.attestation_keys = config_.tam_attestation.keys;
  policy.expected_nonce = *challenge;
  // P §7.2.1.1: cnf binds the key that signed this QueryRequest.
  const Bytes& tam_kid = tam_anchors_[in.tam_index].kid;
  policy.expected_cnf_kid = tam_kid;
  auto result = eat::AppraiseEvidence(*request.attestation_payload, policy);
  challenge.reset();  // one use, whatever the outcome
  if (!result.ok()) {
    return Refusal{msg::ErrorCode::kPermanentError,
                   Cat("TAM attestation refused: ", result.status().message())};
  }
  if (!result->affirming) {
    return Refusal{msg::ErrorCode::kPermanentError, Cat("TAM attestation refused: ", result->reason)};
  }
  return std::nullopt;
}

Result<std::optional<Agent::Refusal>> Agent::AddAttestation(const msg::QueryRequest& request,
                                                           const std::vector<InstalledTc>& inventory,
                                                           msg::QueryResponse* response) {
  const bool nonce_ok = Offers(request, msg::kFreshnessNonce);
  const bool timestamp_ok = Offers(request, msg::kFreshnessTimestamp) && config_.now;
  if (!nonce_ok && !timestamp_ok) {
    return std::optional<Refusal>(Refusal{msg::ErrorCode::kUnsupportedFreshnessMechanisms,
                   "no offered freshness mechanism is supported"});
  }
  // P §9: the nonce is the challenge (background check) or, without one, the
  // token; a stored Attestation Result (passport) is fresh only by its time.
  std::optional<Bytes> nonce;
  if (request.challenge && nonce_ok) {
    nonce = request.challenge;
  } else if (state_.passport && timestamp_ok) {
    response->attestation_payload = state_.passport;
    response->attestation_payload_format = state_.passport_format;
    return std::optional<Refusal>();
  } else if (request.token && nonce_ok) {
    nonce = request.token;
  } else if (!timestamp_ok) {
    return std::optional<Refusal>(Refusal{msg::ErrorCode::kPermanentError,
                   "attestation requested without a challenge or token to make it fresh"});
  }
  if (nonce && nonce->size() > kMaxEatNonce) {
    return std::optional<Refusal>(Refusal{msg::ErrorCode::kPermanentError,
                   Cat("a ", nonce->size(), "-byte challenge does not fit eat_nonce (8..64 bytes)")});
  }
  TEEP_ASSIGN_OR_RETURN(Bytes evidence, BuildEvidence(std::move(nonce), inventory));
  response->attestation_payload = std::move(evidence);
  return std::optional<Refusal>();
}

Result<Bytes> Agent::BuildEvidence(std::optional<Bytes> nonce,
                                   const std::vector<InstalledTc>& inventory) {
  const DeviceIdentity& id = config_.identity;
  eat::Claims claims;
  claims.eat_nonce = std::move(nonce);
  claims.ueid = id.ueid;
  claims.oemid = id.oemid;
  claims.hwmodel = id.hwmodel;
  claims.hwversion = id.hwversion;
  claims.dbgstat = id.dbgstat;
  claims.eat_profile = id.eat_profile;
  claims.cnf_kid = teep_kid_;  // P §5: binds the key that signs our TEEP messages
  if (config_.now) claims.iat = config_.now();
  // P §5: manifests describe the Agent itself, then every installed TC.
  TEEP_ASSIGN_OR_RETURN(eat::Manifest self, EatManifestEntry(id.agent_uri, id.agent_digest));
  claims.manifests.push_back(std::move(self));
  for (const InstalledTc& tc : inventory) {
    TEEP_ASSIGN_OR_RETURN(eat::Manifest entry, EatManifestEntry(tc.reference_uri, tc.manifest_digest));
    claims.manifests.push_back(std::move(entry));
  }
  return eat::SignEvidence(claims, *config_.attestation_key, attestation_kid_);
}

}  // namespace teep::agent
