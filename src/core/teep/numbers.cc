#include "core/teep/numbers.h"

namespace teep::msg {
namespace {

// Order of the rows below = order of the enums in numbers.h.

// draft-ietf-teep-protocol-26, Appendix C (../shared/spec/teep/teep.cddl) and
// the IANA "Trusted Execution Environment Provisioning (TEEP)" registry
// created from -26 on 2026-03-19 (message types 4 = success, 5 = error).
constexpr WireProfile kDraft26{
    "draft-26",
    // query-request, query-response, update, success, error
    {1, 2, 3, 4, 5},
    {
        1,   // supported-teep-cipher-suites
        2,   // challenge
        3,   // versions
        4,   // supported-suit-cose-profiles
        5,   // selected-version
        6,   // attestation-payload
        7,   // tc-list
        8,   // ext-list
        9,   // manifest-list
        10,  // msg
        11,  // err-msg
        12,  // attestation-payload-format
        13,  // requested-tc-list
        14,  // unneeded-manifest-list
        15,  // component-id
        16,  // tc-manifest-sequence-number
        17,  // have-binary
        18,  // suit-reports
        19,  // token
        20,  // supported-freshness-mechanisms
        21,  // err-lang
        22,  // err-code
    },
    // ERR_PERMANENT_ERROR ... ERR_MANIFEST_PROCESSING_FAILED
    {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11},
};

// Legacy numbering (-20 ... -25). Where each number was confirmed (public
// code, read not copied):
//  * message types 1/2/3/5/6 (4 unused):
//      yuichitk/libteep (and its fork kentakayama/libteep)
//        inc/teep/teep_message_data.h (teep_type: QUERY_REQUEST 1 ... TEEP_SUCCESS 5, TEEP_ERROR 6),
//      dthaler/teep protocol/TeepCommonLib/teep_protocol.h
//        (TEEP_MESSAGE_SUCCESS 5, TEEP_MESSAGE_ERROR 6).
//  * labels 1-3 and 6-21: the same two files (teep_options_key /
//      teep_label_t: challenge 2, versions 3, selected-version 6,
//      attestation-payload ("evidence") 7, tc-list 8, ext-list 9,
//      manifest-list 10, msg 11, err-msg 12, attestation-payload-format 13,
//      requested-tc-list 14, unneeded-manifest-list 15, component-id 16,
//      tc-manifest-sequence-number 17, have-binary 18, suit-reports 19,
//      token 20, supported-freshness-mechanisms 21); label 5 was the removed
//      selected-cipher-suite and is unassigned here.
//  * label 4 supported-suit-cose-profiles and label 23 err-code:
//      ietf-teep/teep-protocol draft-ietf-teep-protocol.cddl at commit
//      03996cb252399b9ccdb9b07db4905edf2d7d5242 (pre-renumbering), which also
//      gives ERR_ATTESTATION_REQUIRED 7, ERR_UNSUPPORTED_SUIT_REPORT 8 and
//      ERR_MANIFEST_PROCESSING_FAILED 17.
//  * label 22 err-lang: ../shared/spec/teep/README.md §0.1 ("err-lang /
//      err-code: 22 / 23" in legacy). That WG CDDL uses err-lang without
//      defining its label, and an intermediate WG revision gave 22 to the
//      since-removed challenge-tam; no public implementation sends err-lang.
//  * error codes 1-6, 9, 10, 17: libteep teep_err_code and dthaler/teep
//      teep_error_code_t; the published legacy example D.6 (libteep
//      testfiles, draft-10: type 6, token 20, err-msg 12, err-code 17).
//  * README §7 of the spec digest: "token 20, manifest-list 10, success 5,
//      error 6, manifest-processing error 17".
constexpr WireProfile kDraft25{
    "draft-25",
    {1, 2, 3, 5, 6},
    {
        1,   // supported-teep-cipher-suites
        2,   // challenge
        3,   // versions
        4,   // supported-suit-cose-profiles
        6,   // selected-version
        7,   // attestation-payload
        8,   // tc-list
        9,   // ext-list
        10,  // manifest-list
        11,  // msg
        12,  // err-msg
        13,  // attestation-payload-format
        14,  // requested-tc-list
        15,  // unneeded-manifest-list
        16,  // component-id
        17,  // tc-manifest-sequence-number
        18,  // have-binary
        19,  // suit-reports
        20,  // token
        21,  // supported-freshness-mechanisms
        22,  // err-lang
        23,  // err-code
    },
    {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 17},
};

template <typename Enum, size_t N>
std::optional<Enum> Find(const std::array<uint64_t, N>& table, uint64_t number) {
  for (size_t i = 0; i < N; ++i) {
    if (table[i] == number) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

constexpr std::array<std::string_view, kMessageTypeCount> kMessageNames = {
    "QueryRequest", "QueryResponse", "Update", "Success", "Error",
};

constexpr std::array<std::string_view, kOptionCount> kOptionNames = {
    "supported-teep-cipher-suites",
    "challenge",
    "versions",
    "supported-suit-cose-profiles",
    "selected-version",
    "attestation-payload",
    "tc-list",
    "ext-list",
    "manifest-list",
    "msg",
    "err-msg",
    "attestation-payload-format",
    "requested-tc-list",
    "unneeded-manifest-list",
    "component-id",
    "tc-manifest-sequence-number",
    "have-binary",
    "suit-reports",
    "token",
    "supported-freshness-mechanisms",
    "err-lang",
    "err-code",
};

constexpr uint32_t Bit(Option o) { return uint32_t{1} << static_cast<unsigned>(o); }

// P §4.2 - §4.6 CDDL: the options map of each message.
constexpr std::array<uint32_t, kMessageTypeCount> kAllowed = {
    // query-request (§4.2): the cipher suites and SUIT profiles are
    // positional here, not options.
    Bit(Option::kToken) | Bit(Option::kSupportedFreshnessMechanisms) | Bit(Option::kChallenge) |
        Bit(Option::kVersions) | Bit(Option::kAttestationPayloadFormat) |
        Bit(Option::kAttestationPayload) | Bit(Option::kSuitReports),
    // query-response (§4.3)
    Bit(Option::kToken) | Bit(Option::kSelectedVersion) | Bit(Option::kAttestationPayloadFormat) |
        Bit(Option::kAttestationPayload) | Bit(Option::kSuitReports) | Bit(Option::kTcList) |
        Bit(Option::kRequestedTcList) | Bit(Option::kUnneededManifestList) |
        Bit(Option::kExtList),
    // update (§4.4)
    Bit(Option::kToken) | Bit(Option::kUnneededManifestList) | Bit(Option::kManifestList) |
        Bit(Option::kAttestationPayloadFormat) | Bit(Option::kAttestationPayload) |
        Bit(Option::kErrCode) | Bit(Option::kErrMsg) | Bit(Option::kErrLang),
    // success (§4.5)
    Bit(Option::kToken) | Bit(Option::kMsg) | Bit(Option::kSuitReports),
    // error (§4.6): err-code itself is positional.
    Bit(Option::kToken) | Bit(Option::kErrMsg) | Bit(Option::kErrLang) |
        Bit(Option::kSupportedTeepCipherSuites) | Bit(Option::kSupportedFreshnessMechanisms) |
        Bit(Option::kSupportedSuitCoseProfiles) | Bit(Option::kChallenge) |
        Bit(Option::kVersions) | Bit(Option::kSuitReports),
};

}  // namespace

std::optional<MessageType> WireProfile::TypeForNumber(uint64_t number) const {
  return Find<MessageType>(message_types, number);
}
std::optional<Option> WireProfile::OptionForLabel(uint64_t label) const {
  return Find<Option>(option_labels, label);
}
std::optional<ErrorCode> WireProfile::ErrorCodeForNumber(uint64_t number) const {
  return Find<ErrorCode>(error_codes, number);
}

const WireProfile& Draft26() { return kDraft26; }
const WireProfile& Draft25() { return kDraft25; }

const WireProfile* ProfileByName(std::string_view name) {
  if (name == kDraft26.name) return &kDraft26;
  if (name == kDraft25.name) return &kDraft25;
  return nullptr;
}

std::string_view MessageTypeName(MessageType t) { return kMessageNames[static_cast<size_t>(t)]; }
std::string_view OptionName(Option o) { return kOptionNames[static_cast<size_t>(o)]; }

bool OptionAllowedIn(MessageType t, Option o) {
  return (kAllowed[static_cast<size_t>(t)] & Bit(o)) != 0;
}

}  // namespace teep::msg
