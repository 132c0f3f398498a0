// The lists an Update token carries (TokenRecord::installs and ::removals),
// stored as one BLOB column each. Encoded as small deterministic CBOR arrays
// so that every store backend (SQLite, PostgreSQL) writes the same bytes:
//   installs = [* [manifest-id: bstr, sequence-number: uint]]
//   removals = [* manifest-id: bstr]
// Decoding is strict (deterministic encoding, exactly one item, no trailing
// bytes) and reports kMalformed with the path of the bad element, e.g.
// "tokens.installs[2][1]: expected unsigned integer, got text".
#pragma once

#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/tam/store.h"

namespace teep::host {

Result<Bytes> EncodeTokenInstalls(const std::vector<tam::InstalledRecord>& installs);
Result<std::vector<tam::InstalledRecord>> DecodeTokenInstalls(ByteView encoded);

Result<Bytes> EncodeTokenRemovals(const std::vector<Bytes>& removals);
Result<std::vector<Bytes>> DecodeTokenRemovals(ByteView encoded);

}  // namespace teep::host
