// A minimal JSON text builder for machine-readable CLI output (`--json`).
#pragma once

#include <string>
#include <string_view>

namespace teep::host {

// Appends `s` as a JSON string literal (RFC 8259 escaping).
void AppendJsonString(std::string& out, std::string_view s);

// Builds one JSON object; values are appended already encoded.
class JsonObject {
 public:
  JsonObject& Raw(std::string_view key, std::string_view encoded_value);
  JsonObject& String(std::string_view key, std::string_view value);
  JsonObject& Int(std::string_view key, long long value);
  JsonObject& Bool(std::string_view key, bool value);
  std::string Finish() const { return out_ + "}"; }

 private:
  void Key(std::string_view key);
  std::string out_ = "{";
  bool first_ = true;
};

}  // namespace teep::host
