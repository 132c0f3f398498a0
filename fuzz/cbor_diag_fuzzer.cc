// libFuzzer target: CBOR diagnostic-notation printer (`teep inspect`).
//
// ToDiagnostic sees hostile bytes whenever someone inspects a captured message,
// so it must never crash, and must print exactly what Check accepts. For a
// printed item we also check that the layouts agree with each other: indent 0
// is one line, and indent 2 differs from it only in whitespace outside string
// literals. The output must be valid UTF-8 (text strings are checked, all else
// is ASCII).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "fuzz_require.h"
#include "core/cbor/diag.h"
#include "core/cbor/reader.h"
#include "core/cbor/utf8.h"

namespace teep::cbor {
namespace {

// Drops spaces and newlines that are not inside "..." (the printer escapes
// '"', '\\' and '\n' in text, so a backslash always starts a two-character
// escape).
std::string StripLayout(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool in_text = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_text) {
      out += c;
      if (c == '\\' && i + 1 < s.size()) {
        out += s[++i];
      } else if (c == '"') {
        in_text = false;
      }
      continue;
    }
    if (c == '"') in_text = true;
    if (c != ' ' && c != '\n') out += c;
  }
  return out;
}

}  // namespace
}  // namespace teep::cbor

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace teep::cbor;
  const teep::ByteView input(data, size);
  const bool relaxed_ok = !Check(input, RelaxedOptions()).has_value();
  const bool strict_ok = !Check(input).has_value();

  for (bool embedded : {false, true}) {
    std::string one_line;
    for (int indent : {0, 2}) {
      const DiagOptions options{indent, embedded};
      teep::Result<std::string> relaxed = ToDiagnostic(input, options);
      FUZZ_REQUIRE(relaxed.ok() == relaxed_ok);
      // Strict decode options only change what is accepted, not the text.
      teep::Result<std::string> strict = ToDiagnostic(input, options, DecodeOptions{});
      FUZZ_REQUIRE(strict.ok() == strict_ok);
      if (!relaxed.ok()) continue;
      if (strict.ok()) FUZZ_REQUIRE(*strict == *relaxed);
      FUZZ_REQUIRE(!relaxed->empty());
      FUZZ_REQUIRE(FindInvalidUtf8(teep::AsBytes(*relaxed)) < 0);
      if (indent == 0) {
        FUZZ_REQUIRE(relaxed->find('\n') == std::string::npos);
        one_line = StripLayout(*relaxed);
      } else {
        FUZZ_REQUIRE(StripLayout(*relaxed) == one_line);
      }
    }
  }
  return 0;
}
