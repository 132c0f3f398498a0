// A small DSL for writing SUIT manifests in tests and seed generators with
// deterministic CBOR (header-only, no test framework): U(1), B("app"),
// M({{U(20), ...}}), Seq({{code, argument}, ...}) = a bstr-wrapped command
// sequence. Shared by tests/suit and fuzz/make_suit_seeds.cc.
#pragma once

#include <string_view>
#include <utility>
#include <vector>

#include "core/cbor/value.h"
#include "core/crypto/crypto.h"
#include "core/suit/commands.h"
#include "core/suit/digest.h"
#include "core/suit/parameters.h"

namespace teep::suit::dsl {

using cbor::Value;
using Commands = std::vector<std::pair<int64_t, Value>>;

inline Value U(uint64_t v) { return Value::Uint(v); }
inline Value I(int64_t v) { return Value::Int(v); }
inline Value B(ByteView b) { return Value::Bytes(b); }
inline Value B(std::string_view s) { return Value::Bytes(AsBytes(s)); }
inline Value T(std::string_view s) { return Value::Text(s); }
inline Value A(Value::Array items) { return Value::MakeArray(std::move(items)); }
inline Value M(Value::Map pairs) { return Value::MakeMap(std::move(pairs)); }
inline Bytes AsBytesCopy(std::string_view s) { return ToBytes(AsBytes(s)); }
// Encoding a Value built with this DSL cannot fail (it is always well formed).
inline Bytes Enc(const Value& v) { return cbor::Encode(v).value(); }
// bstr .cbor v
inline Value Wrap(const Value& v) { return Value::Bytes(Enc(v)); }

// A command sequence from (code, argument) pairs, bstr-wrapped.
inline Value Seq(Commands commands) {
  Value::Array items;
  for (auto& [code, argument] : commands) {
    items.push_back(I(code));
    items.push_back(std::move(argument));
  }
  return Wrap(A(std::move(items)));
}

// [-16, sha256(data)] bstr-wrapped, as parameter-image-digest holds it.
inline Value ImageDigest(ByteView data) {
  auto h = crypto::Sha256(data);
  return Wrap(A({I(kDigestSha256), B(ByteView(h.data(), h.size()))}));
}

// Shared sequence: vendor and class checks for component 0 (or, with
// `all_components`, for every component).
inline Value IdentityChecks(ByteView vendor, ByteView class_id, bool all_components = false) {
  Commands cmds;
  if (all_components) cmds.emplace_back(kDirSetComponentIndex, Value::Bool(true));
  cmds.emplace_back(kDirOverrideParameters,
                    M({{U(kParamVendorId), B(vendor)}, {U(kParamClassId), B(class_id)}}));
  cmds.emplace_back(kCondVendorIdentifier, U(15));
  cmds.emplace_back(kCondClassIdentifier, U(15));
  return Seq(std::move(cmds));
}

// Fetch `uri` into the current component and check it against `payload`.
inline Commands FetchAndCheck(std::string_view uri, ByteView payload) {
  return {{kDirOverrideParameters, M({{U(kParamImageDigest), ImageDigest(payload)},
                                      {U(kParamImageSize), U(payload.size())},
                                      {U(kParamUri), T(uri)}})},
          {kDirFetch, U(15)},
          {kCondImageMatch, U(15)}};
}

}  // namespace teep::suit::dsl
