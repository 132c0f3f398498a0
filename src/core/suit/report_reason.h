// SUIT Report reason codes (draft-ietf-suit-report-18 §4.2) and the mapping
// from the errors returned by teep::suit to them.
//
// Design: every teep::suit function returns an ordinary Status / Result<T>,
// and within this module each StatusCode is used for exactly one reason, so
// ReasonFor(status) is total and exact:
//
//   kOk                                   -> kOk (0)
//   kMalformed, kLimitExceeded,
//   kInvalidArgument                      -> kCborParse (1): not well-formed CBOR, or not
//                                            the SUIT CDDL shape (wrong types, unknown or
//                                            duplicate keys, manifest version != 1,
//                                            trailing bytes, never-severable section severed)
//   kUnsupported                          -> kAlgorithmUnsupported (3): digest algorithm other
//                                            than SHA-256, or every COSE block uses a
//                                            signature/MAC algorithm we do not accept
//   kVerificationFailed                   -> kUnauthorised (4): no COSE block, none verifies,
//                                            or a SUIT_Digest does not match
//   kNotFound                             -> kSeveringUnsupported (9): a section that is
//                                            severed (or absent) cannot be processed because
//                                            the envelope does not carry it
//   anything else (crypto backend, bugs)  -> kOperationFailed (11)
//
// kCoseUnsupported (2) is not produced in this step: a COSE block of a
// structure we do not verify (COSE_Sign, COSE_Mac, untagged) simply does not
// count as a valid block, and the envelope fails with kUnauthorised.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/base/status.h"

namespace teep::suit {

enum class ReportReason : uint8_t {
  kOk = 0,
  kCborParse = 1,
  kCoseUnsupported = 2,
  kAlgorithmUnsupported = 3,
  kUnauthorised = 4,
  kCommandUnsupported = 5,
  kComponentUnsupported = 6,
  kComponentUnauthorised = 7,
  kParameterUnsupported = 8,
  kSeveringUnsupported = 9,
  kConditionFailed = 10,
  kOperationFailed = 11,
  kInvocationPending = 12,
};

// "suit-report-reason-cbor-parse", ... (report-18 §4.2 names).
std::string_view ReportReasonName(ReportReason reason);

// The reason to report for an error returned by teep::suit (see above).
ReportReason ReasonFor(const Status& status);

}  // namespace teep::suit
