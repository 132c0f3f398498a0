// SUIT_Digest (draft-ietf-suit-manifest-37 §8.4.2.2 / CDDL):
//   SUIT_Digest = [ alg : suit-cose-hash-algs, bytes : bstr, * extensions ]
// SHA-256 (-16) is the only algorithm implemented (it is the one that is
// REQUIRED to implement); others decode but Compute/Check return kUnsupported.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/base/bytes.h"
#include "core/base/status.h"

namespace teep::suit {

constexpr int64_t kDigestSha256 = -16;  // COSE "SHA-256"

struct Digest {
  int64_t alg = 0;
  ByteView bytes;  // view into the decoded buffer
};

// Decodes one encoded SUIT_Digest (exactly one CBOR item). `path` names it in
// errors ("SUIT_Manifest.install"). Extensions are accepted and ignored.
Result<Digest> DecodeDigest(ByteView encoded, std::string_view path = "SUIT_Digest");

// The digest of `data` under `alg`; kUnsupported for anything but SHA-256.
Result<Bytes> ComputeDigest(int64_t alg, ByteView data);

// OK if `digest` is the digest of `data` (constant-time comparison);
// kVerificationFailed on a mismatch (including a wrong length), kUnsupported
// for an algorithm we do not implement.
Status CheckDigest(const Digest& digest, ByteView data);

// Deterministic encoding of [alg, bytes] (for tests and manifest builders).
Result<Bytes> EncodeDigest(int64_t alg, ByteView bytes);

}  // namespace teep::suit
