#include "core/eat/evidence.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "core/cose/algorithms.h"
#include "core/cose/key.h"
#include "core/cose/sign.h"

namespace teep::eat {
namespace {

std::string DescribeOemid(const Oemid& oemid) {
  if (const auto* pen = std::get_if<OemidPen>(&oemid)) return "PEN " + std::to_string(*pen);
  if (const auto* ieee = std::get_if<OemidIeee>(&oemid)) return "OUI h'" + HexEncode(*ieee) + "'";
  return "random h'" + HexEncode(std::get<OemidRandom>(oemid)) + "'";
}

AttestationResult NotAffirming(AttestationResult result, std::string reason) {
  result.affirming = false;
  result.reason = std::move(reason);
  return result;
}

// The first reference-value check the claims fail, or nullopt.
std::optional<std::string> CheckReference(const Claims& c, const ReferenceValues& ref) {
  // RFC 9711 §4.2.3: oemid forms are compared exactly, never normalised.
  if (!ref.oemids.empty() &&
      std::find(ref.oemids.begin(), ref.oemids.end(), c.oemid) == ref.oemids.end()) {
    return "oemid " + DescribeOemid(c.oemid) + " is not a reference value";
  }
  if (!ref.hwmodels.empty() &&
      std::find(ref.hwmodels.begin(), ref.hwmodels.end(), c.hwmodel) == ref.hwmodels.end()) {
    return "hwmodel h'" + HexEncode(c.hwmodel) + "' is not a reference value";
  }
  if (!ref.hwversions.empty() &&
      std::find(ref.hwversions.begin(), ref.hwversions.end(), c.hwversion.version) ==
          ref.hwversions.end()) {
    return "hwversion \"" + c.hwversion.version + "\" is not a reference value";
  }
  if (ref.require_debug_disabled) {
    // RFC 9711 §4.2.9: 0 = enabled; 1..4 = disabled (for some period).
    if (!c.dbgstat) return std::string("dbgstat is absent but debug must be disabled");
    if (*c.dbgstat == DebugStatus::kEnabled) {
      return std::string("dbgstat says debug is enabled but it must be disabled");
    }
  }
  return std::nullopt;
}

}  // namespace

Result<Bytes> SignEvidence(const Claims& claims, const crypto::PrivateKey& attestation_key,
                           ByteView kid) {
  // teep-26 §8: ESP256 or Ed25519 signatures.
  const crypto::KeyType type = attestation_key.type();
  if (type != crypto::KeyType::kP256 && type != crypto::KeyType::kEd25519) {
    return Status(StatusCode::kUnsupported,
                  "EAT: the TEEP profile signs Evidence with P-256 (ESP256) or Ed25519, not " +
                      std::string(crypto::KeyTypeName(type)));
  }
  TEEP_ASSIGN_OR_RETURN(Bytes payload, EncodeClaims(claims));
  // teep-26 §5: keys are identified by the RFC 9679 thumbprint as kid.
  cose::SignOptions options;
  options.tagged = false;  // teep-26 §5: CBOR tags are not used
  options.alg = type == crypto::KeyType::kP256 ? cose::kAlgESP256 : cose::kAlgEd25519;
  if (kid.empty()) {
    TEEP_ASSIGN_OR_RETURN(auto thumbprint, cose::Thumbprint(attestation_key.Public()));
    options.kid.assign(thumbprint.begin(), thumbprint.end());
  } else {
    options.kid = ToBytes(kid);
  }
  return cose::CreateSign1(attestation_key, payload, options);
}

Result<AttestationResult> AppraiseEvidence(ByteView evidence, const AppraisalPolicy& policy) {
  if (policy.attestation_keys.empty()) {
    return Status(StatusCode::kInvalidArgument, "AppraisalPolicy: no attestation keys");
  }
  if (policy.expected_cnf_kid.empty()) {
    return Status(StatusCode::kInvalidArgument,
                  "AppraisalPolicy: expected_cnf_kid is required (teep-26 §7.1.1.1)");
  }
  if (policy.expected_nonce.empty() && !policy.timestamp_freshness) {
    return Status(StatusCode::kInvalidArgument,
                  "AppraisalPolicy: expected_nonce is required unless timestamp freshness was "
                  "negotiated (teep-26 §9)");
  }
  // Liberal on input: libteep tags its Evidence with 18.
  TEEP_ASSIGN_OR_RETURN(cose::Sign1Message message,
                        cose::DecodeSign1(evidence, cose::TagPolicy::kAny));
  if (!message.payload) {
    return Status(StatusCode::kMalformed, "EAT: COSE_Sign1 payload is detached (nil)");
  }
  // Verify before interpreting any claim.
  TEEP_ASSIGN_OR_RETURN(cose::VerifiedBy by,
                        cose::VerifyWithAnyKey(message, policy.attestation_keys));
  AttestationResult result;
  result.key_index = by.key_index;
  TEEP_ASSIGN_OR_RETURN(result.claims, DecodeClaims(*message.payload));
  const Claims& c = result.claims;

  // teep-26 §9 / RFC 9711 §4.1: with nonce freshness the Evidence must echo
  // the challenge. Constant time: the comparison must not leak how much of a
  // guessed nonce was right.
  if (!policy.timestamp_freshness) {
    if (!c.eat_nonce) return NotAffirming(std::move(result), "eat_nonce is absent");
    if (!crypto::ConstantTimeEqual(*c.eat_nonce, policy.expected_nonce)) {
      return NotAffirming(std::move(result), "eat_nonce does not match the challenge");
    }
  }
  // teep-26 §7.1.1.1 / RFC 8747 §3.4: cnf must bind the key that signs the
  // peer's TEEP messages (not the attestation key).
  if (!crypto::ConstantTimeEqual(c.cnf_kid, policy.expected_cnf_kid)) {
    // Built before `result` (which `c` refers into) is moved away.
    std::string why = "cnf kid h'" + HexEncode(c.cnf_kid) + "' does not bind the peer's TEEP-message key";
    return NotAffirming(std::move(result), std::move(why));
  }
  // RFC 9334 §8.3: appraisal against reference values.
  if (auto failed = CheckReference(c, policy.reference)) {
    return NotAffirming(std::move(result), std::move(*failed));
  }
  result.affirming = true;
  return result;
}

}  // namespace teep::eat
