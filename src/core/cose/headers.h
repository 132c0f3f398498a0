// COSE header buckets (RFC 9052 §3): decoding with the RFC's rules enforced,
// and encoding of header maps in deterministic order.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"

namespace teep::cose {

// Parameters of one bucket. Byte-valued parameters are views into the message
// being decoded: a HeaderParams must not outlive it.
struct HeaderParams {
  std::optional<int64_t> alg;
  std::vector<int64_t> crit;
  ByteView content_type;   // encoded item (uint or tstr); empty if absent
  std::optional<ByteView> kid;
  std::optional<ByteView> iv;
  std::optional<ByteView> partial_iv;
  ByteView ephemeral_key;  // encoded COSE_Key (label -1); empty if absent
  // Parameters we do not interpret and that are not critical: kept so that
  // tools can show them; RFC 9052 §3 lets a recipient ignore them.
  std::vector<std::pair<ByteView, ByteView>> other;  // (encoded label, encoded value)
};

struct Headers {
  ByteView protected_bytes;  // the protected bucket exactly as carried (bstr content)
  HeaderParams protected_params;
  HeaderParams unprotected_params;

  // A parameter from whichever bucket holds it (RFC 9052 §3 forbids both).
  std::optional<int64_t> alg() const {
    return protected_params.alg ? protected_params.alg : unprotected_params.alg;
  }
  std::optional<ByteView> kid() const {
    return protected_params.kid ? protected_params.kid : unprotected_params.kid;
  }
  std::optional<ByteView> iv() const {
    return protected_params.iv ? protected_params.iv : unprotected_params.iv;
  }
  std::optional<ByteView> partial_iv() const {
    return protected_params.partial_iv ? protected_params.partial_iv : unprotected_params.partial_iv;
  }
  ByteView ephemeral_key() const {
    return protected_params.ephemeral_key.empty() ? unprotected_params.ephemeral_key
                                                  : protected_params.ephemeral_key;
  }
};

// Decodes both buckets. `protected_bytes` is the content of the protected
// bstr (empty, or an encoded map); `unprotected_map` is the encoded map.
// Enforced (RFC 9052 §3, §3.1): each bucket is a map with int or tstr labels;
// no label in both buckets; alg is an int (text algorithm names are not
// supported); kid/IV/partial IV are byte strings and IV and partial IV are
// not both present; crit appears only in the protected bucket, is a
// non-empty array, and names only labels that are present and that we
// understand. `where` prefixes error messages (e.g. "COSE_Sign1").
Result<Headers> DecodeHeaders(ByteView protected_bytes, ByteView unprotected_map,
                              std::string_view where);

// Encodes a header map from (label, encoded value) entries, sorted
// deterministically whatever the input order. Duplicate labels are an error.
Result<Bytes> EncodeHeaderMap(std::vector<std::pair<int64_t, Bytes>> entries);

// As EncodeHeaderMap, but an empty bucket is the zero-length byte string
// content required for protected headers (RFC 9052 §3).
Result<Bytes> EncodeProtectedBucket(std::vector<std::pair<int64_t, Bytes>> entries);

// Encoded CBOR of small values, for building header entries.
Bytes EncodeIntItem(int64_t value);
Bytes EncodeBytesItem(ByteView value);

}  // namespace teep::cose
