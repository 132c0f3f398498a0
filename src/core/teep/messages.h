// Typed TEEP messages (draft-ietf-teep-protocol-26 §4.2 - §4.6), one struct
// per message with every field of the CDDL. Plain data: optional fields are
// std::optional, positional fields are members, and the wire numbers live in
// numbers.h (a message struct is the same under every WireProfile).
//
// Raw CBOR kept as bytes (each one complete, deterministically encoded item):
//  * tc-list entries: SUIT system-property-claims maps, with the required
//    system-component-id (key 0) decoded beside them;
//  * suit-reports and manifest-list entries: the byte string content, which
//    must hold one well-formed CBOR item ("bstr .cbor"); the SUIT layer
//    validates deeper;
//  * extension options (labels unknown to the profile): label and value,
//    kept in label order (P §6: unknown labels are tolerated; CBOR map
//    order carries no meaning, so sorting makes equal messages equal).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/teep/numbers.h"

namespace teep::msg {

// SUIT_Component_Identifier = [* bstr] (draft-ietf-suit-manifest).
using ComponentId = std::vector<Bytes>;

// One operation of a TEEP cipher suite: [cose-type, alg] (P §8.1), e.g.
// [18, -9] = COSE_Sign1 with ESP256.
struct CipherOperation {
  uint64_t cose_type = 0;  // CoAP content format of the COSE structure (18 = COSE_Sign1)
  int64_t alg = 0;         // COSE algorithm
  bool operator==(const CipherOperation&) const = default;
};
// $teep-cipher-suite = [+ operation]. The socket may be extended, so any
// suite of that shape is well-formed; which ones we can use is the signing
// layer's business.
using CipherSuite = std::vector<CipherOperation>;

inline constexpr uint64_t kCoseTypeSign1 = 18;  // cose-sign1 (P §8.1)
inline constexpr int64_t kAlgEsp256 = -9;
inline constexpr int64_t kAlgEd25519 = -19;
// teep-cipher-suite-sign1-esp256 = [[18, -9]], -ed25519 = [[18, -19]].
CipherSuite SuiteSign1Esp256();
CipherSuite SuiteSign1Ed25519();

// $suit-cose-profile: [digest, sign, key-exchange, encryption] algorithm ids
// (draft-ietf-suit-mti), e.g. [-16, -9, -29, -65534].
using SuitCoseProfile = std::vector<int64_t>;
// The four profiles of P §8.2 in the order of example D.1.
std::vector<SuitCoseProfile> MandatorySuitCoseProfiles();

// One entry of tc-list: a SUIT system-property-claims map
// (draft-ietf-suit-report), {0: system-component-id, * int => any}.
struct SystemPropertyClaims {
  ComponentId system_component_id;  // key 0, required
  Bytes encoded;                    // the whole map, deterministic CBOR
  bool operator==(const SystemPropertyClaims&) const = default;

  // {0: id}.
  static SystemPropertyClaims ForComponent(const ComponentId& id);
  // Checks the encoded map (one item; a map with integer keys; key 0 an
  // array of bstr) and fills system_component_id. Non-deterministic input is
  // re-encoded deterministically.
  static Result<SystemPropertyClaims> Parse(ByteView encoded);
};

// requested-tc-info (P §4.3).
struct RequestedTcInfo {
  ComponentId component_id;
  std::optional<uint64_t> tc_manifest_sequence_number;
  std::optional<bool> have_binary;
  bool operator==(const RequestedTcInfo&) const = default;
};

// An option whose label the profile does not define ($$teep-option-extensions
// and the per-message extension sockets).
struct Extension {
  uint64_t label = 0;
  Bytes value;  // one complete CBOR item, deterministic encoding
  bool operator==(const Extension&) const = default;
};

// An err-code as carried: a named code, or an unknown code above 23 kept by
// its wire value (P §4.6: treated as an unknown error, not a parse failure).
// Unknown values are the same number in every profile.
class ErrCode {
 public:
  constexpr ErrCode(ErrorCode code) : known_(code) {}  // NOLINT: implicit by design
  static constexpr ErrCode Unknown(uint64_t wire_value) { return ErrCode(wire_value); }

  bool is_known() const { return known_.has_value(); }
  std::optional<ErrorCode> known() const { return known_; }
  // The wire value of an unknown code (meaningless when is_known()).
  uint64_t unknown_value() const { return unknown_; }
  // The number under `profile`.
  uint64_t Number(const WireProfile& profile) const {
    return known_ ? profile.ErrCodeNumber(*known_) : unknown_;
  }
  bool operator==(const ErrCode&) const = default;

 private:
  explicit constexpr ErrCode(uint64_t v) : unknown_(v) {}
  std::optional<ErrorCode> known_;
  uint64_t unknown_ = 0;
};

// ---- the five messages ------------------------------------------------------

// QueryRequest, TAM -> Agent (P §4.2).
struct QueryRequest {
  std::optional<Bytes> token;                                    // bstr .size (8..64)
  std::optional<std::vector<uint64_t>> supported_freshness_mechanisms;  // [+ uint]
  std::optional<Bytes> challenge;                                // bstr .size (8..512)
  std::optional<std::vector<uint32_t>> versions;                 // [+ uint .size 4]
  std::optional<std::string> attestation_payload_format;
  std::optional<Bytes> attestation_payload;
  std::optional<std::vector<Bytes>> suit_reports;                // [+ bstr .cbor ...]
  std::vector<Extension> extensions;
  // Positional.
  std::vector<CipherSuite> supported_teep_cipher_suites;         // [+ suite]
  std::vector<SuitCoseProfile> supported_suit_cose_profiles;     // [+ profile]
  uint64_t data_item_requested = 0;                              // DataItem bits
  bool operator==(const QueryRequest&) const = default;
};

// QueryResponse, Agent -> TAM (P §4.3).
struct QueryResponse {
  std::optional<Bytes> token;
  std::optional<uint32_t> selected_version;
  std::optional<std::string> attestation_payload_format;
  std::optional<Bytes> attestation_payload;
  std::optional<std::vector<Bytes>> suit_reports;
  std::optional<std::vector<SystemPropertyClaims>> tc_list;
  std::optional<std::vector<RequestedTcInfo>> requested_tc_list;
  std::optional<std::vector<ComponentId>> unneeded_manifest_list;
  std::optional<std::vector<uint32_t>> ext_list;                 // [+ uint .size 4]
  std::vector<Extension> extensions;
  bool operator==(const QueryResponse&) const = default;
};

// Update, TAM -> Agent (P §4.4).
struct Update {
  std::optional<Bytes> token;
  std::optional<std::vector<ComponentId>> unneeded_manifest_list;
  std::optional<std::vector<Bytes>> manifest_list;               // [+ bstr .cbor SUIT_Envelope]
  std::optional<std::string> attestation_payload_format;
  std::optional<Bytes> attestation_payload;
  std::optional<ErrCode> err_code;
  std::optional<std::string> err_msg;                            // text .size (1..128)
  std::optional<std::string> err_lang;                           // text .size (1..35)
  std::vector<Extension> extensions;
  bool operator==(const Update&) const = default;
};

// Success, Agent -> TAM (P §4.5).
struct Success {
  std::optional<Bytes> token;
  std::optional<std::string> msg;                                // text .size (1..128)
  std::optional<std::vector<Bytes>> suit_reports;
  std::vector<Extension> extensions;
  bool operator==(const Success&) const = default;
};

// Error, Agent -> TAM (P §4.6).
struct Error {
  std::optional<Bytes> token;
  std::optional<std::string> err_msg;
  std::optional<std::string> err_lang;
  std::optional<std::vector<CipherSuite>> supported_teep_cipher_suites;
  std::optional<std::vector<uint64_t>> supported_freshness_mechanisms;
  std::optional<std::vector<SuitCoseProfile>> supported_suit_cose_profiles;
  std::optional<Bytes> challenge;
  std::optional<std::vector<uint32_t>> versions;
  std::optional<std::vector<Bytes>> suit_reports;
  std::vector<Extension> extensions;
  // Positional (the third array element, not an option).
  ErrCode err_code = ErrorCode::kPermanentError;
  bool operator==(const Error&) const = default;
};

using Message = std::variant<QueryRequest, QueryResponse, Update, Success, Error>;

MessageType TypeOf(const Message& message);
// The extensions of whichever message it is.
const std::vector<Extension>& ExtensionsOf(const Message& message);
// Labels of the options the profile did not know (ascending).
std::vector<uint64_t> UnknownLabels(const Message& message);

}  // namespace teep::msg
