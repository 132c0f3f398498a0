// Standard base64 (RFC 4648 §4, with padding), strict: what the device
// import file carries. Decoding refuses anything a canonical encoder would
// not write (whitespace, missing or extra padding, non-zero pad bits), so
// one key has one spelling and a damaged line is caught, not "repaired".
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/base/bytes.h"

namespace teep::host::fleet {

std::string Base64Encode(ByteView data);

// nullopt, with the reason in *why when given, for anything but canonical
// padded base64 of at least one byte.
std::optional<Bytes> Base64Decode(std::string_view text, std::string* why = nullptr);

}  // namespace teep::host::fleet
