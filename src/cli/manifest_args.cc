#include "cli/manifest_args.h"

#include <cctype>
#include <optional>

#include "cli/commands.h"
#include "host/io/file.h"

namespace teep::cli {

namespace {

// A component id part: text as given, or hex after "h:".
std::optional<Bytes> ParsePart(const std::string& part) {
  if (part.rfind("h:", 0) == 0) return HexDecode(part.substr(2));
  return ToBytes(AsBytes(part));
}

// 8-4-4-4-12 hex with hyphens, or 32 hex digits.
std::optional<Bytes> ParseUuid(const std::string& text) {
  std::string hex;
  if (text.size() == 36) {
    for (size_t i = 0; i < text.size(); ++i) {
      bool hyphen_position = i == 8 || i == 13 || i == 18 || i == 23;
      if (hyphen_position != (text[i] == '-')) return std::nullopt;
      if (!hyphen_position) hex.push_back(text[i]);
    }
  } else if (text.size() == 32) {
    hex = text;
  } else {
    return std::nullopt;
  }
  for (char c : hex) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  return HexDecode(hex);
}

}  // namespace

std::vector<Bytes> ParseComponentId(const std::string& verb, const std::string& option,
                                    const std::vector<std::string>& parts) {
  std::vector<Bytes> out;
  for (const auto& p : parts) {
    auto bytes = ParsePart(p);
    if (!bytes) {
      Fail(verb, option + ": \"" + p + "\" is not valid hex after \"h:\"", kExitUsage);
    }
    out.push_back(std::move(*bytes));
  }
  return out;
}

Bytes ParseUuidOption(const std::string& verb, const std::string& option, const std::string& text) {
  auto uuid = ParseUuid(text);
  if (!uuid) {
    Fail(verb, option + ": \"" + text +
                   "\" is not a UUID (want 8-4-4-4-12 hex, e.g. c0ddd5f1-5243-5660-87db-4f5b0aa26c2f, "
                   "or 32 hex digits)",
         kExitUsage);
  }
  return *uuid;
}

Bytes ReadInput(const std::string& verb, const std::string& path) {
  auto data = host::ReadFile(path);
  if (!data.ok()) Fail(verb, data.status().ToString());
  return std::move(data).value();
}

}  // namespace teep::cli
