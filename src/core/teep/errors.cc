#include "core/teep/errors.h"

#include <array>

namespace teep::msg {
namespace {

// draft-ietf-teep-protocol-26 §4.6 (and README §3.3 of the spec digest).
// Order = enum ErrorCode.
constexpr std::array<ErrorCodeInfo, kErrorCodeCount> kInfo = {{
    {ErrorCode::kPermanentError, "ERR_PERMANENT_ERROR",
     "the message had bad or inconsistent fields; the receiver may back off before retrying",
     std::nullopt},
    {ErrorCode::kUnsupportedExtension, "ERR_UNSUPPORTED_EXTENSION",
     "an extension is not supported (named in err-msg); the TAM may retry without extensions",
     std::nullopt},
    {ErrorCode::kUnsupportedFreshnessMechanisms, "ERR_UNSUPPORTED_FRESHNESS_MECHANISMS",
     "none of the offered freshness mechanisms is supported",
     Option::kSupportedFreshnessMechanisms},
    {ErrorCode::kUnsupportedMsgVersion, "ERR_UNSUPPORTED_MSG_VERSION",
     "none of the offered protocol versions is supported", Option::kVersions},
    {ErrorCode::kUnsupportedCipherSuites, "ERR_UNSUPPORTED_CIPHER_SUITES",
     "none of the offered TEEP cipher suites is supported",
     Option::kSupportedTeepCipherSuites},
    {ErrorCode::kBadCertificate, "ERR_BAD_CERTIFICATE",
     "a certificate was corrupt, unsupported, revoked or otherwise unusable", std::nullopt},
    {ErrorCode::kAttestationRequired, "ERR_ATTESTATION_REQUIRED",
     "the sender requires attestation of the receiver before going on", std::nullopt},
    {ErrorCode::kUnsupportedSuitReport, "ERR_UNSUPPORTED_SUIT_REPORT",
     "a SUIT Report used a SUIT COSE profile the receiver does not support",
     Option::kSupportedSuitCoseProfiles},
    {ErrorCode::kCertificateExpired, "ERR_CERTIFICATE_EXPIRED",
     "a certificate has expired or is not yet valid", std::nullopt},
    {ErrorCode::kTemporaryError, "ERR_TEMPORARY_ERROR",
     "a temporary failure; retry later (sooner than after ERR_PERMANENT_ERROR)", std::nullopt},
    {ErrorCode::kManifestProcessingFailed, "ERR_MANIFEST_PROCESSING_FAILED",
     "processing a SUIT manifest failed; details in suit-reports", std::nullopt},
}};

}  // namespace

const ErrorCodeInfo& GetErrorCodeInfo(ErrorCode code) { return kInfo[static_cast<size_t>(code)]; }

ErrCodeClass ClassifyErrCode(uint64_t number, const WireProfile& profile) {
  if (profile.ErrorCodeForNumber(number)) return ErrCodeClass::kKnown;
  if (number == 0) return ErrCodeClass::kReserved;
  if (number <= kLastReservedErrCode) return ErrCodeClass::kUnassigned;
  return ErrCodeClass::kUnknown;
}

std::string ErrorCodeName(uint64_t number, const WireProfile& profile) {
  if (auto code = profile.ErrorCodeForNumber(number)) {
    return std::string(GetErrorCodeInfo(*code).name);
  }
  std::string text;
  switch (ClassifyErrCode(number, profile)) {
    case ErrCodeClass::kReserved: text = "reserved error "; break;
    case ErrCodeClass::kUnassigned: text = "unassigned error "; break;
    default: text = "unknown error "; break;
  }
  return text.append(std::to_string(number));
}

}  // namespace teep::msg
