// SUIT_Envelope decoding (draft-ietf-suit-manifest-37 §8, §8.2; CDDL
// SUIT_Envelope). Decoding is structural only: nothing is authenticated
// here (see authenticate.h), and the manifest is not looked into.
//
// All views point into the buffer passed to DecodeEnvelope, which must
// outlive the Envelope.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"

namespace teep::suit {

// draft-ietf-suit-manifest-37 §8.2 / CDDL SUIT_Envelope_Tagged.
constexpr uint64_t kTagEnvelope = 107;

// Envelope keys (manifest-37 §11.1; trust-domains §9.1; update-management §7.1).
enum EnvelopeKey : int64_t {
  kEnvelopeAuthentication = 2,
  kEnvelopeManifest = 3,
  kEnvelopeCoswid = 14,                  // update-management
  kEnvelopeDependencyResolution = 15,    // trust-domains
  kEnvelopePayloadFetch = 16,
  kEnvelopeCandidateVerification = 18,   // trust-domains
  kEnvelopeInstall = 20,
  kEnvelopeText = 23,
};

// True for the envelope keys that may carry a severed manifest member.
bool IsSeverableKey(int64_t key);

// A bstr-wrapped element: `wrapped` is the complete bstr item including its
// CBOR head (what SUIT digests are computed over), `content` is its payload.
struct WrappedBstr {
  ByteView wrapped;
  ByteView content;
};

struct SeveredMember {
  int64_t key = 0;
  WrappedBstr value;
};

// SUIT_Integrated_Payload (manifest-37 §7.5): text key -> bstr.
struct IntegratedPayload {
  std::string_view key;
  ByteView bytes;
};

struct Envelope {
  bool tagged = false;
  // Key 2 (SUIT_Authentication = [bstr SUIT_Digest, * bstr COSE block]).
  WrappedBstr authentication_wrapper;
  ByteView digest;                   // content of element 0: the encoded SUIT_Digest
  std::vector<ByteView> auth_blocks; // contents of elements 1..n: encoded COSE blocks
  // Key 3: the bstr-wrapped manifest (not yet decoded).
  WrappedBstr manifest;
  // Severable members carried by the envelope, in wire order.
  std::vector<SeveredMember> severed;
  std::vector<IntegratedPayload> integrated_payloads;

  const SeveredMember* FindSevered(int64_t key) const;
  const IntegratedPayload* FindPayload(std::string_view key) const;
};

// Decodes a SUIT_Envelope, tagged (107) or untagged. Rejects: anything but
// exactly one well-formed CBOR item (trailing bytes, duplicate keys,
// indefinite lengths), unknown integer keys, wrong value types, a missing
// authentication wrapper or manifest, an authentication wrapper without the
// SUIT_Digest. Errors name the path, e.g.
// "SUIT_Envelope.authentication-wrapper[1]: expected bstr, got map".
Result<Envelope> DecodeEnvelope(ByteView data);

// The envelope reduced to what an installed manifest needs later (its
// uninstall, validate, load and invoke sections are never severable): the
// authentication wrapper and the manifest, tagged as received. Severed
// members and integrated payloads are dropped, so a device does not keep a
// second copy of every payload in its manifest records.
Result<Bytes> EncodeInstalledEnvelope(const Envelope& envelope);

}  // namespace teep::suit
