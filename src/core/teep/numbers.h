// The ONE table of TEEP wire numbers: message types, option labels and
// err-code values, per wire profile.
//
// Everything outside numbers.cc names messages, options and errors by enum
// (MessageType::kUpdate, Option::kToken, ErrorCode::kManifestProcessingFailed)
// and asks a WireProfile for the number. Two profiles exist:
//
//   draft-26  draft-ietf-teep-protocol-26 (IANA "TEEP" registry, 2026-03-19).
//             The default.
//   draft-25  the numbering of -20 ... -25, still sent by libteep, tamproto
//             and dthaler/teep: success 5, error 6, labels 5..22 shifted up
//             by one, ERR_MANIFEST_PROCESSING_FAILED 17.
//
// The profile is chosen per peer by configuration. Decoding never guesses it
// from the content: a legacy Success (type 5) is a malformed -26 Error, and a
// guess would turn a configuration error into silent misinterpretation
// (README §0.1 recommendation, §8.1).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace teep::msg {

// The five TEEP messages (P §4.2 - §4.6).
enum class MessageType : uint8_t {
  kQueryRequest,
  kQueryResponse,
  kUpdate,
  kSuccess,
  kError,
};
inline constexpr size_t kMessageTypeCount = 5;

// Every label of the TEEP "CBOR Labels" registry (P §6). component-id,
// tc-manifest-sequence-number and have-binary are keys of requested-tc-info,
// not message options; they share the label space.
enum class Option : uint8_t {
  kSupportedTeepCipherSuites,
  kChallenge,
  kVersions,
  kSupportedSuitCoseProfiles,
  kSelectedVersion,
  kAttestationPayload,
  kTcList,
  kExtList,
  kManifestList,
  kMsg,
  kErrMsg,
  kAttestationPayloadFormat,
  kRequestedTcList,
  kUnneededManifestList,
  kComponentId,
  kTcManifestSequenceNumber,
  kHaveBinary,
  kSuitReports,
  kToken,
  kSupportedFreshnessMechanisms,
  kErrLang,
  kErrCode,
};
inline constexpr size_t kOptionCount = 22;

// The named error codes (P §4.6).
enum class ErrorCode : uint8_t {
  kPermanentError,
  kUnsupportedExtension,
  kUnsupportedFreshnessMechanisms,
  kUnsupportedMsgVersion,
  kUnsupportedCipherSuites,
  kBadCertificate,
  kAttestationRequired,
  kUnsupportedSuitReport,
  kCertificateExpired,
  kTemporaryError,
  kManifestProcessingFailed,
};
inline constexpr size_t kErrorCodeCount = 11;

// err-code values 0..23 belong to the protocol document (a one-byte CBOR
// head); a value above this is from a later registration and P §4.6 says to
// treat it as an unknown error rather than fail.
inline constexpr uint64_t kLastReservedErrCode = 23;

// data-item-requested bits (P §4.2; IANA "TEEP data-item-requested Bits").
// The prose gives values 1/2/4/8, the registry bit numbers 0..3: same bits.
enum DataItem : uint64_t {
  kDataItemAttestation = uint64_t{1} << 0,
  kDataItemTrustedComponents = uint64_t{1} << 1,
  kDataItemExtensions = uint64_t{1} << 2,
  kDataItemSuitReports = uint64_t{1} << 3,
};
inline constexpr uint64_t kDefinedDataItems = 0xf;

// Freshness mechanisms (P §9). $freshness-mechanism is an extension socket,
// so other values are well-formed (merely unsupported).
inline constexpr uint64_t kFreshnessNonce = 0;
inline constexpr uint64_t kFreshnessTimestamp = 1;

// Protocol versions (P §4.2: 0 is this specification).
inline constexpr uint32_t kTeepVersion = 0;

struct WireProfile {
  std::string_view name;  // "draft-26", "draft-25"
  std::array<uint64_t, kMessageTypeCount> message_types;
  std::array<uint64_t, kOptionCount> option_labels;
  std::array<uint64_t, kErrorCodeCount> error_codes;

  uint64_t TypeNumber(MessageType t) const { return message_types[static_cast<size_t>(t)]; }
  uint64_t Label(Option o) const { return option_labels[static_cast<size_t>(o)]; }
  uint64_t ErrCodeNumber(ErrorCode e) const { return error_codes[static_cast<size_t>(e)]; }

  std::optional<MessageType> TypeForNumber(uint64_t number) const;
  std::optional<Option> OptionForLabel(uint64_t label) const;
  std::optional<ErrorCode> ErrorCodeForNumber(uint64_t number) const;
};

const WireProfile& Draft26();
const WireProfile& Draft25();
// "draft-26" or "draft-25"; nullptr for anything else.
const WireProfile* ProfileByName(std::string_view name);

// CDDL names: "query-request" / "QueryRequest", "token", "supported-teep-cipher-suites".
std::string_view MessageTypeName(MessageType t);  // "QueryRequest"
std::string_view OptionName(Option o);            // "token"

// Which options each message may carry (P §4.2 - §4.6 CDDL). Labels unknown
// to the profile are extensions and always allowed; a known option outside
// this set is an error.
bool OptionAllowedIn(MessageType t, Option o);

}  // namespace teep::msg
