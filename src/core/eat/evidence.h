// TEEP Evidence: an EAT (RFC 9711) carried as a CWT, i.e. a COSE_Sign1 over the
// claims of the TEEP EAT profile (draft-ietf-teep-protocol-26 §5), and its
// appraisal by a Verifier in the background-check model (RFC 9334 §5.2;
// teep-26 §4.3, §7.1.1.1).
//
//   Evidence = COSE_Sign1 [ << {1: alg} >>, {4: kid}, << Claims-Set >>, signature ]
//
// alg is ESP256 (-9) for P-256 or Ed25519 (-19) (teep-26 §8); kid is the
// RFC 9679 thumbprint of the attestation key. We emit no CBOR tag (teep-26 §5:
// "CBOR tags are not used") and accept tag 18 on input (libteep emits it).
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/crypto/crypto.h"
#include "core/eat/claims.h"

namespace teep::eat {

// Encodes `claims` and signs them with `attestation_key` (P-256 or Ed25519;
// other key types are kUnsupported by the TEEP profile). `kid`: the key's
// RFC 9679 thumbprint when the caller keeps it; empty = computed here.
Result<Bytes> SignEvidence(const Claims& claims, const crypto::PrivateKey& attestation_key,
                           ByteView kid = {});

// Reference values a Verifier compares claims with. An empty list means "any".
struct ReferenceValues {
  std::vector<Oemid> oemids;
  std::vector<Bytes> hwmodels;
  std::vector<std::string> hwversions;  // compared with hwversion's version text
  // dbgstat must be present and one of the "disabled" values (1..4).
  bool require_debug_disabled = false;
};

struct AppraisalPolicy {
  // Keys trusted to sign Evidence (attestation keys of known devices).
  std::span<const crypto::PublicKey> attestation_keys;
  // The QueryRequest challenge (background-check) or token (passport) the
  // Evidence must carry in eat_nonce (teep-26 §9). Required unless
  // `timestamp_freshness` says the peers negotiated the timestamp mechanism
  // instead: freshness is never dropped by leaving a field empty.
  ByteView expected_nonce;
  bool timestamp_freshness = false;
  // RFC 9679 thumbprint of the key that signs the peer's TEEP messages
  // (teep-26 §7.1.1.1: cnf must bind that key). Required.
  ByteView expected_cnf_kid;
  ReferenceValues reference;
};

struct AttestationResult {
  bool affirming = false;
  // Which check failed, when not affirming; empty when affirming.
  std::string reason;
  Claims claims;
  size_t key_index = 0;  // into AppraisalPolicy::attestation_keys
};

// Errors (no result at all): kInvalidArgument for an unusable policy,
// kMalformed for Evidence that is not a COSE_Sign1 carrying valid claims,
// kVerificationFailed when no trusted key verifies the signature.
// Otherwise an AttestationResult: affirming=false with a reason naming the
// failed check (nonce, cnf, oemid, hwmodel, hwversion, dbgstat).
Result<AttestationResult> AppraiseEvidence(ByteView evidence, const AppraisalPolicy& policy);

}  // namespace teep::eat
