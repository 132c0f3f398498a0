// EAT claims of the TEEP EAT profile (draft-ietf-teep-protocol-26 §5 over
// RFC 9711; digest: ../shared/spec/eat/README.md §4-5).
//
//   Claims-Set = {
//     ? 6: int                          iat (RFC 8392; integer seconds only)
//       8: { 3: bstr }                  cnf, kid form (RFC 8747 §3.4): the RFC 9679
//                                       thumbprint of the Agent's TEEP-message key
//     ? 10: bstr .size (8..64)          eat_nonce (TEEP: a single bstr, no array)
//       256: bstr .size (7..33)         ueid, first byte 0x01 RAND / 0x02 EUI / 0x03 IMEI
//       258: int / bstr .size 3 / bstr .size 16     oemid (PEN / IEEE OUI / random)
//       259: bstr .size (1..32)         hwmodel
//       260: [tstr, ? int]              hwversion (version, CoSWID version scheme)
//     ? 263: 0..4                       dbgstat
//     ? 265: tstr                       eat_profile (URI form)
//       272: [+ [uint, any]]            manifests (CoAP content-format, manifest)
//     * int => any                      other claims: ignored (RFC 9711 §4)
//   }
//
// EncodeClaims is deterministic (RFC 8949 §4.2.1: keys in bytewise order, so
// 6, 8, 10, then the 3-byte heads 256..272). DecodeClaims is strict on the
// types and ranges of the claims above and names the path of any error
// ("EAT.ueid: must be 7..33 bytes, got 5"); it accepts valid but
// non-deterministic CBOR from peers (never duplicate keys, indefinite lengths
// or trailing bytes) and skips claims it does not understand.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"

namespace teep::eat {

// CWT / EAT claim keys (IANA "CBOR Web Token Claims"; RFC 8392, RFC 9711 §10.2).
enum ClaimKey : int64_t {
  kClaimIat = 6,
  kClaimCnf = 8,
  kClaimEatNonce = 10,
  kClaimUeid = 256,
  kClaimOemid = 258,
  kClaimHwmodel = 259,
  kClaimHwversion = 260,
  kClaimDbgstat = 263,
  kClaimEatProfile = 265,
  kClaimManifests = 272,
  kClaimMeasurements = 273,  // not interpreted; named for the D.2 sample defect
};

// The TEEP EAT profile id (teep-26 §5). The RFC number is not assigned yet,
// so deployments may override it (spec digest, ambiguity A11).
inline constexpr std::string_view kTeepEatProfile = "urn:ietf:rfc:rfcXXXX";

// cnf member for a key identifier (RFC 8747 §3.4).
inline constexpr int64_t kCnfKid = 3;

// UEID type byte (RFC 9711 §4.2.1).
enum class UeidType : uint8_t { kRand = 0x01, kEui = 0x02, kImei = 0x03 };

// oemid (RFC 9711 §4.2.3): the three forms are kept exactly as received and
// compared without normalisation.
using OemidPen = int64_t;                   // IANA Private Enterprise Number
using OemidIeee = std::array<uint8_t, 3>;   // IEEE OUI / CID
using OemidRandom = std::array<uint8_t, 16>;
using Oemid = std::variant<OemidPen, OemidIeee, OemidRandom>;

// hwversion (RFC 9711 §4.2.5): version text and optional CoSWID scheme.
struct HwVersion {
  std::string version;
  std::optional<int64_t> scheme;
  bool operator==(const HwVersion&) const = default;
};

// One manifests entry (RFC 9711 §4.2.15).
struct Manifest {
  uint64_t content_format = 0;  // CoAP content-format, 0..65535
  Bytes manifest;               // the complete encoded CBOR item
  bool operator==(const Manifest&) const = default;
};

// dbgstat values (RFC 9711 §4.2.9).
enum class DebugStatus : uint8_t {
  kEnabled = 0,
  kDisabled = 1,
  kDisabledSinceBoot = 2,
  kDisabledPermanently = 3,
  kDisabledFullyAndPermanently = 4,
};

struct Claims {
  std::optional<Bytes> eat_nonce;
  Bytes ueid;
  Oemid oemid;
  Bytes hwmodel;
  HwVersion hwversion;
  std::vector<Manifest> manifests;
  Bytes cnf_kid;
  std::optional<DebugStatus> dbgstat;
  std::optional<std::string> eat_profile;
  std::optional<int64_t> iat;
  bool operator==(const Claims&) const = default;
};

// kInvalidArgument when `claims` break a rule of the profile (same rules and
// messages as the decoder), so that we never emit what we would reject.
Result<Bytes> EncodeClaims(const Claims& claims);

// kMalformed (or kUnsupported for legal forms we do not implement: a cnf
// carrying a COSE_Key, an OID eat_profile, a floating-point iat).
Result<Claims> DecodeClaims(ByteView data);

}  // namespace teep::eat
