// Argument parsing shared by the `teep manifest` verbs: component ids,
// UUIDs and input files. Each helper ends the program through Fail() with a
// message naming the option when the text is unusable.
#pragma once

#include <string>
#include <vector>

#include "core/base/bytes.h"

namespace teep::cli {

constexpr int kExitVerification = 2;
constexpr int kExitUsage = 64;

// Each part as text, or as hex after "h:" ("h:8d82573a...").
std::vector<Bytes> ParseComponentId(const std::string& verb, const std::string& option,
                                    const std::vector<std::string>& parts);

// A UUID as 8-4-4-4-12 hex or 32 hex digits.
Bytes ParseUuidOption(const std::string& verb, const std::string& option, const std::string& text);

// The bytes of a file, or of standard input for "-" (no hex decoding).
Bytes ReadInput(const std::string& verb, const std::string& path);

}  // namespace teep::cli
