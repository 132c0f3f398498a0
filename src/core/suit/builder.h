// Building signed SUIT envelopes: what a TC signer's tool (`teep manifest
// create`), the TAM's tests and the benchmarks use. Everything produced is
// deterministic CBOR and follows draft-ietf-suit-manifest-37 §8 and, for
// dependencies and uninstall, draft-ietf-suit-trust-domains-12 §5-6; payload
// encryption follows draft-ietf-suit-firmware-encryption-24 §5 (ECDH-ES +
// A128KW recipient, "SUIT Payload Encryption").
//
// Two levels:
//  * SignEnvelope: wrap and sign an already-encoded manifest (any content,
//    for tests that need unusual manifests);
//  * BuildEnvelope: a TEEP-shaped manifest for one Trusted Component from a
//    ManifestSpec (the shape of draft-ietf-teep-protocol-26 Appendix E).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/crypto/crypto.h"

namespace teep::suit {

// ---- level 1: sign an encoded manifest --------------------------------------

struct EnvelopeParts {
  Bytes manifest;  // the encoded SUIT_Manifest map (not yet bstr-wrapped)
  // Severed members: envelope key -> encoded member content (the bytes that
  // get bstr-wrapped in the envelope; the manifest must already carry their
  // SUIT_Digest, see SeveredMemberDigest).
  std::vector<std::pair<int64_t, Bytes>> severed;
  // Integrated payloads: text key (e.g. "#tc") -> bytes.
  std::vector<std::pair<std::string, Bytes>> integrated;
  bool tagged = false;  // emit tag 107
};

// Signs with COSE_Sign1_Tagged over the SUIT_Digest (detached payload,
// manifest-37 §8.3). alg: ESP256 (-9) or ES256 (-7) for a P-256 key, ESP384
// (-51) or ES384 (-35) for P-384, Ed25519 (-19) or EdDSA (-8) for Ed25519;
// 0 = the fully-specified default for the key type (-9, -51, -19).
Result<Bytes> SignEnvelope(const EnvelopeParts& parts, const crypto::PrivateKey& signer,
                           int64_t alg = 0);

// The encoded SUIT_Digest (SHA-256) of a bstr-wrapped member: what the
// manifest carries in place of a severed member, and what a dependent puts in
// image-digest for a dependency (over the dependency's bstr-wrapped manifest).
Result<Bytes> SeveredMemberDigest(ByteView member_content);

// ---- level 2: a TEEP-shaped manifest for one Trusted Component ----------------

struct PayloadEncryption {
  const crypto::PublicKey* recipient = nullptr;  // the device's P-256 or X25519 key
  Bytes recipient_kid;                           // optional kid in the recipient
  int64_t content_alg = 1;  // A128GCM (1), A128CTR (-65534) or ChaCha20/Poly1305 (24)
};

struct DependencySpec {
  Bytes envelope;                  // the dependency's signed envelope
  std::optional<std::string> uri;  // fetched from here; otherwise integrated
};

struct ManifestSpec {
  uint64_t sequence_number = 0;
  std::vector<Bytes> component_id;                        // the TC's component id parts
  std::optional<std::vector<Bytes>> manifest_component_id;  // trust-domains §6.3
  std::optional<Bytes> vendor_id;  // 16 bytes; emits condition-vendor-identifier
  std::optional<Bytes> class_id;   // 16 bytes; emits condition-class-identifier
  std::optional<std::string> reference_uri;

  // The TC image. Plain: fetched from payload_uri, else integrated under
  // integrated_key and fetched as "#..." (both followed by image-match).
  // Encrypted: the ciphertext travels in the content parameter (18) with
  // encryption-info (19) and is written with directive-write, then
  // image-match checks the plaintext (TEEP Appendix E.3 shape).
  std::optional<Bytes> payload;
  std::optional<std::string> payload_uri;
  std::string integrated_key = "#tc";
  std::optional<PayloadEncryption> encryption;

  // Dependencies at component indices after the TC (trust-domains §5 as in
  // its published examples): dependency-resolution fetches each and checks
  // condition-dependency-integrity; install runs process-dependency.
  std::vector<DependencySpec> dependencies;

  bool uninstall = true;  // uninstall section: unlink (and process each dependency first)
  bool invoke = false;    // invoke section: directive-invoke on the TC
  bool tagged = false;
};

// The manifest: common {dependencies (when any), [component_id], shared
// sequence [set-component-index 0 (with dependencies), override-parameters
// {vendor, class, digest and size of the plaintext image}, vendor/class
// conditions]}, then validate (7, always: image-match), invoke (9, optional),
// dependency-resolution (15, with dependencies: digest/size/uri, fetch,
// condition-dependency-integrity), install (20), uninstall (24, optional).
// Every policy argument is 15. Unlike TEEP Appendix E.1/E.2 the manifest
// always carries validate, and unlike E.3 dependency-resolution checks
// condition-dependency-integrity (trust-domains §5.6.2 requires it before
// process-dependency). kInvalidArgument names the offending field.
Result<Bytes> BuildEnvelope(const ManifestSpec& spec, const crypto::PrivateKey& signer,
                            int64_t alg = 0);

}  // namespace teep::suit
