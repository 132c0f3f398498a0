// TEEP error codes (draft-ietf-teep-protocol-26 §4.6): names, the spec's
// one-line meaning, the option an Error with that code MUST carry, and the
// classification of a received err-code value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/teep/numbers.h"

namespace teep::msg {

struct ErrorCodeInfo {
  ErrorCode code;
  std::string_view name;     // "ERR_MANIFEST_PROCESSING_FAILED"
  std::string_view meaning;  // the spec's meaning, paraphrased in one line
  // P §4.6: the option an Error message with this code MUST include.
  std::optional<Option> required_option;
};

const ErrorCodeInfo& GetErrorCodeInfo(ErrorCode code);

// How a received err-code number reads under a profile.
enum class ErrCodeClass {
  kKnown,       // one of the named codes
  kReserved,    // 0: "never send"
  kUnassigned,  // 1..23 but not named in this profile: invalid (CDDL err-code-values)
  kUnknown,     // > 23: P §4.6 "treat as unknown error", not a parse failure
};
ErrCodeClass ClassifyErrCode(uint64_t number, const WireProfile& profile = Draft26());

// "ERR_MANIFEST_PROCESSING_FAILED", "unknown error 42", "reserved error 0",
// "unassigned error 12".
std::string ErrorCodeName(uint64_t number, const WireProfile& profile = Draft26());

}  // namespace teep::msg
