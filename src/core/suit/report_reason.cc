#include "core/suit/report_reason.h"

namespace teep::suit {

std::string_view ReportReasonName(ReportReason reason) {
  switch (reason) {
    case ReportReason::kOk: return "suit-report-reason-ok";
    case ReportReason::kCborParse: return "suit-report-reason-cbor-parse";
    case ReportReason::kCoseUnsupported: return "suit-report-reason-cose-unsupported";
    case ReportReason::kAlgorithmUnsupported: return "suit-report-reason-alg-unsupported";
    case ReportReason::kUnauthorised: return "suit-report-reason-unauthorised";
    case ReportReason::kCommandUnsupported: return "suit-report-reason-command-unsupported";
    case ReportReason::kComponentUnsupported: return "suit-report-reason-component-unsupported";
    case ReportReason::kComponentUnauthorised: return "suit-report-reason-component-unauthorised";
    case ReportReason::kParameterUnsupported: return "suit-report-reason-parameter-unsupported";
    case ReportReason::kSeveringUnsupported: return "suit-report-reason-severing-unsupported";
    case ReportReason::kConditionFailed: return "suit-report-reason-condition-failed";
    case ReportReason::kOperationFailed: return "suit-report-reason-operation-failed";
    case ReportReason::kInvocationPending: return "suit-report-reason-invoke-pending";
  }
  return "unknown";
}

ReportReason ReasonFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk: return ReportReason::kOk;
    case StatusCode::kMalformed:
    case StatusCode::kLimitExceeded:
    case StatusCode::kInvalidArgument: return ReportReason::kCborParse;
    case StatusCode::kUnsupported: return ReportReason::kAlgorithmUnsupported;
    case StatusCode::kVerificationFailed: return ReportReason::kUnauthorised;
    case StatusCode::kNotFound: return ReportReason::kSeveringUnsupported;
    case StatusCode::kCryptoError:
    case StatusCode::kIoError:
    case StatusCode::kInternal: return ReportReason::kOperationFailed;
  }
  return ReportReason::kOperationFailed;
}

}  // namespace teep::suit
