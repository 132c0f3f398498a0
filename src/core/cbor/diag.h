// CBOR diagnostic notation (RFC 8949 §8, with the §8.1 encoding indicators
// for non-preferred heads), used by `teep inspect`.
#pragma once

#include <string>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/cbor/cbor.h"

namespace teep::cbor {

struct DiagOptions {
  // Break arrays and maps over lines with this many spaces a level; 0 prints
  // everything on one line.
  int indent = 0;
  // Show byte strings that hold exactly one well-formed CBOR item as <<item>>
  // (the "bstr .cbor" idiom of COSE, SUIT and TEEP).
  bool show_embedded_cbor = false;
};

// Checks `data` with `decode` options, then prints it. Returns the check's
// error for input that is not one well-formed item.
Result<std::string> ToDiagnostic(ByteView data, const DiagOptions& options = {},
                                 const DecodeOptions& decode = RelaxedOptions());

}  // namespace teep::cbor
