// Shared body of the TEEP message fuzzers (fuzz_teep_decode and one target
// per message type). The first input byte picks the wire profile (bit 0:
// draft-26 / draft-25); the rest is the message.
//
// Invariants checked on every input (a violation prints "invariant failed"
// and traps, so libFuzzer keeps the input):
//  * DecodeMessage succeeds exactly when LintMessage finds nothing, and on
//    failure LintMessage's first finding is DecodeMessage's error;
//  * a decoded message passes ValidateMessage, encodes, and the encoding is
//    deterministic CBOR that decodes to the same message and re-encodes to
//    the same bytes; deterministic input re-encodes byte-exact;
//  * DescribeMessage produces text for it;
//  * VerifyMessage with no trust anchors never succeeds (and never crashes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "fuzz_require.h"
#include "core/cbor/reader.h"
#include "core/teep/codec.h"
#include "core/teep/signing.h"

namespace teep::msg::fuzz {

inline const WireProfile& PickProfile(uint8_t selector) {
  return (selector & 1) ? Draft25() : Draft26();
}

inline void CheckMessage(ByteView data, const WireProfile& profile,
                         std::optional<MessageType> expected) {
  auto full = DecodeMessage(data, profile);
  const std::vector<std::string> lint = LintMessage(data, profile);
  FUZZ_REQUIRE(full.ok() == lint.empty());
  if (!full.ok()) {
    FUZZ_REQUIRE(lint.front() == full.status().message());
    FUZZ_REQUIRE(full.status().code() == StatusCode::kMalformed);
  }

  auto decoded = expected ? DecodeMessageOfType(data, *expected, profile) : std::move(full);
  if (decoded.ok()) {
    const Message& m = *decoded;
    if (expected) FUZZ_REQUIRE(TypeOf(m) == *expected);
    FUZZ_REQUIRE(ValidateMessage(m, profile).ok());
    auto encoded = EncodeMessage(m, profile);
    FUZZ_REQUIRE(encoded.ok());
    FUZZ_REQUIRE(!cbor::Check(*encoded).has_value());
    auto again = DecodeMessage(*encoded, profile);
    FUZZ_REQUIRE(again.ok());
    FUZZ_REQUIRE(*again == m);
    auto reencoded = EncodeMessage(*again, profile);
    FUZZ_REQUIRE(reencoded.ok() && *reencoded == *encoded);
    // The deterministic encoding has one form per value (RFC 8949 §4.2.1).
    if (!cbor::Check(data).has_value()) {
      FUZZ_REQUIRE(*encoded == Bytes(data.begin(), data.end()));
    }
    FUZZ_REQUIRE(!DescribeMessage(m, profile).empty());
    for (uint64_t label : UnknownLabels(m)) FUZZ_REQUIRE(!profile.OptionForLabel(label));
  }

  auto verified = VerifyMessage(data, {});
  FUZZ_REQUIRE(!verified.ok());
}

inline int Run(const uint8_t* data, size_t size, std::optional<MessageType> expected) {
  if (size == 0) return 0;
  CheckMessage(ByteView(data + 1, size - 1), PickProfile(data[0]), expected);
  return 0;
}

}  // namespace teep::msg::fuzz
