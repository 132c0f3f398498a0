// Small file helpers for the host side (CLI, daemons). Errors name the path.
#pragma once

#include <string>
#include <string_view>

#include "core/base/bytes.h"
#include "core/base/status.h"

namespace teep::host {

// Reads a whole file; "-" reads standard input.
Result<Bytes> ReadFile(const std::string& path);

// Writes atomically (temporary file in the same directory, fsync, rename).
// `private_file` creates it with mode 0600, for keys.
Status WriteFile(const std::string& path, ByteView data, bool private_file = false);

// Accepts binary CBOR, or hex text (whitespace allowed) when the whole input
// is hex digits; published vectors and copy-paste from logs are hex.
Bytes HexOrBinary(Bytes input);

}  // namespace teep::host
