#include "core/suit/digest.h"

#include <string>

#include "core/cbor/writer.h"
#include "core/crypto/crypto.h"
#include "core/suit/decode_util.h"

namespace teep::suit {

using namespace internal;  // NOLINT: decode helpers

Result<Digest> DecodeDigest(ByteView encoded, std::string_view path) {
  TEEP_ASSIGN_OR_RETURN(cbor::Reader r, OpenItem(encoded, path));
  uint64_t count = 0;
  TEEP_RETURN_IF_ERROR(ReadArray(r, path, &count));
  if (count < 2) {
    return Malformed(path, "SUIT_Digest needs [algorithm-id, digest-bytes], got " +
                               std::to_string(count) + " element(s)");
  }
  Digest d;
  TEEP_RETURN_IF_ERROR(ReadInt(r, Index(path, 0), &d.alg));
  TEEP_RETURN_IF_ERROR(ReadBstr(r, Index(path, 1), &d.bytes));
  // * $$SUIT_Digest-extensions: allowed by the CDDL, not interpreted.
  for (uint64_t i = 2; i < count; ++i) r.Skip();
  if (!r.ok()) return r.status().WithContext(path);
  return d;
}

Result<Bytes> ComputeDigest(int64_t alg, ByteView data) {
  if (alg != kDigestSha256) {
    // draft-ietf-suit-manifest-37 §8.4.2.2 / mti: SHA-256 is the one we
    // implement; the optional SHA-384/512 and SHAKE are not.
    return Status(StatusCode::kUnsupported,
                  "SUIT_Digest algorithm " + std::to_string(alg) + " is not supported (only SHA-256, -16)");
  }
  auto h = crypto::Sha256(data);
  return Bytes(h.begin(), h.end());
}

Status CheckDigest(const Digest& digest, ByteView data) {
  TEEP_ASSIGN_OR_RETURN(Bytes computed, ComputeDigest(digest.alg, data));
  if (!crypto::ConstantTimeEqual(computed, digest.bytes)) {
    return Status(StatusCode::kVerificationFailed, "SUIT_Digest does not match");
  }
  return OkStatus();
}

Result<Bytes> EncodeDigest(int64_t alg, ByteView bytes) {
  cbor::Writer w;
  w.BeginArray(2);
  w.WriteInt(alg);
  w.WriteBytes(bytes);
  return std::move(w).Finish();
}

}  // namespace teep::suit
