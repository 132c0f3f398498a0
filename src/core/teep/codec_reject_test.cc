// Deliberately broken variants of each published message (d1, d3..d6) are
// rejected with the right error and path; each rule has a test that fails if
// the rule is dropped. The same errors appear in LintMessage.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

#include "core/cbor/value.h"
#include "core/teep/codec.h"
#include "vector_files.h"

namespace teep::msg {
namespace {

using cbor::Value;
using ::testing::Contains;
using ::testing::HasSubstr;

Value Published(const std::string& name) {
  auto v = cbor::Decode(test::ReadVector("teep/vectors/" + name + ".hex"),
                        cbor::RelaxedOptions());
  EXPECT_TRUE(v.ok());
  return *v;
}

Bytes Enc(const Value& v) {
  auto out = cbor::Encode(v);
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  return out.ok() ? *out : Bytes{};
}

// Sets (or adds) option `label` of the message's options map.
void SetOption(Value& message, uint64_t label, Value value) {
  Value::Map& options = message.array()[1].map();
  for (auto& [k, v] : options) {
    if (k.kind() == Value::Kind::kUnsigned && k.arg() == label) {
      v = std::move(value);
      return;
    }
  }
  options.emplace_back(Value::Uint(label), std::move(value));
}
void RemoveOption(Value& message, uint64_t label) {
  Value::Map& options = message.array()[1].map();
  std::erase_if(options, [&](const auto& kv) { return kv.first.arg() == label; });
}
Value* Option(Value& message, uint64_t label) {
  for (auto& [k, v] : message.array()[1].map()) {
    if (k.kind() == Value::Kind::kUnsigned && k.arg() == label) return &v;
  }
  return nullptr;
}

Value Arr(std::vector<Value> items) { return Value::MakeArray(std::move(items)); }
Value Blob(size_t n) { return Value::Bytes(Bytes(n, 0xab)); }

void ExpectRejected(const Bytes& bytes, const std::string& message,
                    const WireProfile& profile = Draft26()) {
  auto m = DecodeMessage(bytes, profile);
  ASSERT_FALSE(m.ok()) << "accepted: " << HexEncode(bytes);
  EXPECT_EQ(m.status().code(), StatusCode::kMalformed);
  EXPECT_EQ(m.status().message(), message);
  EXPECT_THAT(LintMessage(bytes, profile), Contains(message));
}
void ExpectRejected(const Value& v, const std::string& message) {
  ExpectRejected(Enc(v), message);
}
void ExpectAccepted(const Value& v) {
  auto m = DecodeMessage(Enc(v));
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_TRUE(LintMessage(Enc(v)).empty());
}

// ---- framework (P §4.1 / Appendix C teep-message-framework) ----------------------

TEST(TeepReject, Framework) {
  ExpectRejected(Value::Uint(1), "TEEP message: expected array, got unsigned integer");
  ExpectRejected(Arr({Value::Uint(4)}),
                 "TEEP message: expected array [type, options, ...] of at least 2 elements, "
                 "got 1");
  ExpectRejected(Arr({Value::Text("x"), Value::MakeMap({})}),
                 "TEEP message.type: expected unsigned integer, got text");
  ExpectRejected(Arr({Value::Uint(0), Value::MakeMap({})}),
                 "TEEP message: unknown message type 0 in profile draft-26");
  ExpectRejected(Arr({Value::Uint(6), Value::MakeMap({})}),
                 "TEEP message: unknown message type 6 in profile draft-26");
  // Legacy type 4 is reserved.
  ExpectRejected(Enc(Arr({Value::Uint(4), Value::MakeMap({})})),
                 "TEEP message: unknown message type 4 in profile draft-25", Draft25());
  ExpectRejected(Arr({Value::Uint(4), Value::Uint(0)}), "Success.options: expected map, got unsigned integer");
  // Not CBOR / not one item.
  ExpectRejected(Bytes{}, "TEEP message: offset 0: truncated");
  ExpectRejected(*HexDecode("82"), "TEEP message: offset 0: truncated");
  // Indefinite-length containers are never accepted.
  ExpectRejected(*HexDecode("9f04a0ff"), "TEEP message: offset 0: indefinite length is not allowed");
}

TEST(TeepReject, TrailingBytes) {
  for (const char* name : {"d1-query-request", "d3-query-response", "d4-update", "d5-success",
                           "d6-error"}) {
    SCOPED_TRACE(name);
    Bytes bytes = test::ReadVector(std::string("teep/vectors/") + name + ".hex");
    const size_t size = bytes.size();
    bytes.push_back(0x00);
    ExpectRejected(bytes, "TEEP message: offset " + std::to_string(size) + ": trailing bytes after the item");
  }
}

TEST(TeepReject, DuplicateOptionLabel) {
  // {19: token, 19: token}: duplicate keys are never valid CBOR maps here.
  const Bytes bytes = *HexDecode("8204a21348a0a1a2a3a4a5a6a71348a0a1a2a3a4a5a6a7");
  ExpectRejected(bytes, "TEEP message: offset 13: duplicate map key");
}

TEST(TeepReject, OptionLabelNotUint) {
  Value v = Published("d5-success");
  v.array()[1].map().emplace_back(Value::Int(-1), Value::Uint(0));
  ExpectRejected(v, "Success.options: option label must be an unsigned integer, got negative integer");
  Value t = Published("d5-success");
  t.array()[1].map().emplace_back(Value::Text("x"), Value::Uint(0));
  ExpectRejected(t, "Success.options: option label must be an unsigned integer, got text");
}

// The same five kinds of breakage applied to every published message.
TEST(TeepReject, EachVectorBrokenFiveWays) {
  struct Case {
    const char* vector;
    const char* type;
    uint64_t foreign_label;  // an option the message type may not carry
    const char* foreign_name;
    const char* shape;
  } cases[] = {
      {"d1-query-request", "QueryRequest", 9, "manifest-list (9)",
       "expected array of 5 elements [type, options, supported-teep-cipher-suites, "
       "supported-suit-cose-profiles, data-item-requested], got 4"},
      {"d3-query-response", "QueryResponse", 22, "err-code (22)",
       "expected array [type, options, ...] of at least 2 elements, got 1"},
      {"d4-update", "Update", 5, "selected-version (5)",
       "expected array [type, options, ...] of at least 2 elements, got 1"},
      {"d5-success", "Success", 11, "err-msg (11)",
       "expected array [type, options, ...] of at least 2 elements, got 1"},
      {"d6-error", "Error", 10, "msg (10)",
       "expected array of 3 elements [type, options, err-code], got 2"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.vector);
    const Value published = Published(c.vector);
    const std::string type = c.type;
    {  // wrong type
      Value v = published;
      SetOption(v, 19, Value::Text("a text token"));
      ExpectRejected(v, type + ".options.token: expected byte string, got text");
    }
    {  // bad size
      Value v = published;
      SetOption(v, 19, Blob(7));
      ExpectRejected(v, type + ".options.token: size 7 is outside 8..64 bytes");
    }
    {  // missing positional field (the last element)
      Value v = published;
      v.array().pop_back();
      ExpectRejected(v, (v.array().size() >= 2 ? type : std::string("TEEP message")) + ": " +
                            c.shape);
    }
    {  // wrong option for the message type
      Value v = published;
      SetOption(v, c.foreign_label, Value::Uint(1));
      ExpectRejected(v, type + ".options: option " + c.foreign_name + " is not allowed in " + type);
    }
    {  // trailing bytes
      Bytes bytes = Enc(published);
      const size_t size = bytes.size();
      bytes.push_back(0xf6);
      ExpectRejected(bytes, "TEEP message: offset " + std::to_string(size) +
                                ": trailing bytes after the item");
    }
  }
}

// ---- d1 QueryRequest (P §4.2) -----------------------------------------------------

TEST(TeepReject, QueryRequest) {
  const Value d1 = Published("d1-query-request");
  {  // wrong type
    Value v = d1;
    SetOption(v, 19, Value::Text("0123456789"));
    ExpectRejected(v, "QueryRequest.options.token: expected byte string, got text");
  }
  {  // missing positional field
    Value v = d1;
    v.array().pop_back();
    ExpectRejected(v,
                   "QueryRequest: expected array of 5 elements [type, options, "
                   "supported-teep-cipher-suites, supported-suit-cose-profiles, "
                   "data-item-requested], got 4");
  }
  {  // extra positional field
    Value v = d1;
    v.array().push_back(Value::Uint(0));
    ExpectRejected(v,
                   "QueryRequest: expected array of 5 elements [type, options, "
                   "supported-teep-cipher-suites, supported-suit-cose-profiles, "
                   "data-item-requested], got 6");
  }
  {  // bad sizes
    Value v = d1;
    SetOption(v, 19, Blob(7));
    ExpectRejected(v, "QueryRequest.options.token: size 7 is outside 8..64 bytes");
    SetOption(v, 19, Blob(65));
    ExpectRejected(v, "QueryRequest.options.token: size 65 is outside 8..64 bytes");
    SetOption(v, 19, Blob(64));
    ExpectAccepted(v);
    SetOption(v, 19, Blob(8));
    ExpectAccepted(v);
    SetOption(v, 2, Blob(7));
    ExpectRejected(v, "QueryRequest.options.challenge: size 7 is outside 8..512 bytes");
    SetOption(v, 2, Blob(513));
    ExpectRejected(v, "QueryRequest.options.challenge: size 513 is outside 8..512 bytes");
    SetOption(v, 2, Blob(512));
    ExpectAccepted(v);
  }
  {  // option not allowed in QueryRequest
    Value v = d1;
    SetOption(v, 11, Value::Text("hi"));
    ExpectRejected(v, "QueryRequest.options: option err-msg (11) is not allowed in QueryRequest");
    Value w = d1;
    SetOption(w, 1, w.array()[2]);  // suites are positional here, not an option
    ExpectRejected(w,
                   "QueryRequest.options: option supported-teep-cipher-suites (1) is not "
                   "allowed in QueryRequest");
  }
  {  // versions: uint .size 4, [+ version]
    Value v = d1;
    SetOption(v, 3, Arr({Value::Uint(uint64_t{1} << 32)}));
    ExpectRejected(v,
                   "QueryRequest.options.versions[0]: value 4294967296 does not fit uint .size 4 "
                   "(0..4294967295)");
    SetOption(v, 3, Arr({Value::Uint(0xffffffff)}));
    ExpectAccepted(v);
    SetOption(v, 3, Arr({}));
    ExpectRejected(v, "QueryRequest.options.versions: must have at least one element ([+ ...])");
    SetOption(v, 3, Arr({Value::Int(-1)}));
    ExpectRejected(v, "QueryRequest.options.versions[0]: expected unsigned integer, got negative integer");
  }
  {  // cipher suites: [+ [+ [cose-type, alg]]]
    Value v = d1;
    v.array()[2] = Arr({});
    ExpectRejected(v,
                   "QueryRequest.supported-teep-cipher-suites: must have at least one element "
                   "([+ ...])");
    v.array()[2] = Arr({Arr({})});
    ExpectRejected(v,
                   "QueryRequest.supported-teep-cipher-suites[0]: must have at least one element "
                   "([+ ...])");
    v.array()[2] = Arr({Arr({Arr({Value::Uint(18)})})});
    ExpectRejected(v,
                   "QueryRequest.supported-teep-cipher-suites[0][0]: expected array of 2 "
                   "elements [cose-type, alg], got 1");
    v.array()[2] = Arr({Arr({Arr({Value::Uint(18), Value::Text("ES256")})})});
    ExpectRejected(v, "QueryRequest.supported-teep-cipher-suites[0][0][1]: expected integer, got text");
    v.array()[2] = Arr({Value::Int(-9)});
    ExpectRejected(v, "QueryRequest.supported-teep-cipher-suites[0]: expected array, got negative integer");
    // An extension suite of the right shape is well-formed (the socket is open).
    v.array()[2] = Arr({Arr({Arr({Value::Uint(98), Value::Int(-9)}),
                             Arr({Value::Uint(16), Value::Int(1)})})});
    ExpectAccepted(v);
  }
  {  // SUIT COSE profiles: [+ [+ int]]
    Value v = d1;
    v.array()[3] = Arr({});
    ExpectRejected(v,
                   "QueryRequest.supported-suit-cose-profiles: must have at least one element "
                   "([+ ...])");
    v.array()[3] = Arr({Arr({Value::Int(-16), Value::Bool(true)})});
    ExpectRejected(v, "QueryRequest.supported-suit-cose-profiles[0][1]: expected integer, got bool");
  }
  {  // data-item-requested: uint .bits (0..3)
    Value v = d1;
    v.array()[4] = Value::Uint(16);
    ExpectRejected(v,
                   "QueryRequest.data-item-requested: value 16 sets bits outside the defined data "
                   "items (attestation 1, trusted-components 2, extensions 4, suit-reports 8)");
    v.array()[4] = Value::Text("3");
    ExpectRejected(v, "QueryRequest.data-item-requested: expected unsigned integer, got text");
    v.array()[4] = Value::Uint(15);
    ExpectAccepted(v);
  }
  {  // P §4.2: challenge and freshness mechanisms only with the attestation bit
    Value v = d1;
    v.array()[4] = Value::Uint(kDataItemTrustedComponents);
    SetOption(v, 2, Blob(16));
    ExpectRejected(v,
                   "QueryRequest: challenge (2) must be absent when data-item-requested has the "
                   "attestation bit clear (P §4.2)");
    RemoveOption(v, 2);
    SetOption(v, 20, Arr({Value::Uint(0)}));
    ExpectRejected(v,
                   "QueryRequest: supported-freshness-mechanisms (20) must be absent when "
                   "data-item-requested has the attestation bit clear (P §4.2)");
    v.array()[4] = Value::Uint(kDataItemAttestation);
    SetOption(v, 2, Blob(16));
    ExpectAccepted(v);
  }
  {  // suit-reports: [+ bstr .cbor ...]
    Value v = d1;
    SetOption(v, 18, Arr({Value::Bytes(*HexDecode("a1"))}));
    ExpectRejected(v,
                   "QueryRequest.options.suit-reports[0]: byte string does not hold one "
                   "well-formed CBOR item (bstr .cbor): offset 0: truncated");
    SetOption(v, 18, Arr({Value::Bytes(*HexDecode("0000"))}));
    ExpectRejected(v,
                   "QueryRequest.options.suit-reports[0]: byte string does not hold one "
                   "well-formed CBOR item (bstr .cbor): offset 1: trailing bytes after the item");
    SetOption(v, 18, Arr({Value::Text("report")}));
    ExpectRejected(v, "QueryRequest.options.suit-reports[0]: expected byte string, got text");
    SetOption(v, 18, Arr({Value::Bytes(*HexDecode("a10102"))}));
    ExpectAccepted(v);
  }
  {  // attestation-payload-format is text, attestation-payload bstr
    Value v = d1;
    SetOption(v, 12, Value::Bytes(Bytes{1}));
    ExpectRejected(v, "QueryRequest.options.attestation-payload-format: expected text, got byte string");
    Value w = d1;
    SetOption(w, 6, Value::Text("eat"));
    ExpectRejected(w, "QueryRequest.options.attestation-payload: expected byte string, got text");
  }
}

// ---- d3 QueryResponse (P §4.3) ----------------------------------------------------

TEST(TeepReject, QueryResponse) {
  const Value d3 = Published("d3-query-response");
  {  // the example of the project issue
    Value v = d3;
    Value::Array& list = Option(v, 7)->array();
    Value entry = list[0];
    list.push_back(entry);
    Value bad = entry;
    for (auto& [k, val] : bad.map()) {
      if (k.arg() == 0) val = Value::Text("tc");
    }
    list.push_back(bad);
    ExpectRejected(v, "QueryResponse.options.tc-list[2].system-component-id: expected array, got text");
  }
  {  // tc-list entries: map, key 0 required, integer keys, ids of bstr
    Value v = d3;
    Option(v, 7)->array()[0] = Arr({});
    ExpectRejected(v, "QueryResponse.options.tc-list[0]: expected map, got array");
    Value w = d3;
    Value::Map& claims = Option(w, 7)->array()[0].map();
    std::erase_if(claims, [](const auto& kv) { return kv.first.arg() == 0; });
    ExpectRejected(w, "QueryResponse.options.tc-list[0]: system-component-id (0) is missing");
    claims.emplace_back(Value::Text("x"), Value::Uint(1));
    ExpectRejected(w, "QueryResponse.options.tc-list[0]: map key must be an integer, got text");
    Value x = d3;
    for (auto& [k, val] : Option(x, 7)->array()[0].map()) {
      if (k.arg() == 0) val = Arr({Value::Uint(1)});
    }
    ExpectRejected(x,
                   "QueryResponse.options.tc-list[0].system-component-id[0]: expected byte "
                   "string, got unsigned integer");
    SetOption(x, 7, Arr({}));
    ExpectRejected(x, "QueryResponse.options.tc-list: must have at least one element ([+ ...])");
  }
  {  // selected-version: version
    Value v = d3;
    SetOption(v, 5, Value::Text("0"));
    ExpectRejected(v, "QueryResponse.options.selected-version: expected unsigned integer, got text");
    SetOption(v, 5, Value::Uint(uint64_t{1} << 40));
    ExpectRejected(v,
                   "QueryResponse.options.selected-version: value 1099511627776 does not fit "
                   "uint .size 4 (0..4294967295)");
  }
  {  // wrong option for the message type
    Value v = d3;
    SetOption(v, 2, Blob(8));
    ExpectRejected(v, "QueryResponse.options: option challenge (2) is not allowed in QueryResponse");
    Value w = d3;
    SetOption(w, 15, Arr({}));
    ExpectRejected(w,
                   "QueryResponse.options: option component-id (15) is not allowed in QueryResponse");
  }
  {  // requested-tc-info (P §4.3)
    Value v = d3;
    const Value cid = Arr({Value::Bytes(*HexDecode("0102"))});
    Value::Map info;
    info.emplace_back(Value::Uint(15), cid);
    info.emplace_back(Value::Uint(17), Value::Bool(true));
    SetOption(v, 13, Arr({Value::MakeMap(info)}));
    ExpectRejected(v,
                   "QueryResponse.options.requested-tc-list[0]: have-binary is true but "
                   "tc-manifest-sequence-number (16) is absent (P §4.3)");
    info.emplace_back(Value::Uint(16), Value::Uint(3));
    SetOption(v, 13, Arr({Value::MakeMap(info)}));
    ExpectAccepted(v);
    Value::Map no_cid;
    no_cid.emplace_back(Value::Uint(16), Value::Uint(3));
    SetOption(v, 13, Arr({Value::MakeMap(no_cid)}));
    ExpectRejected(v, "QueryResponse.options.requested-tc-list[0]: component-id (15) is missing");
    Value::Map extra = info;
    extra.emplace_back(Value::Uint(19), Blob(8));
    SetOption(v, 13, Arr({Value::MakeMap(extra)}));
    ExpectRejected(v,
                   "QueryResponse.options.requested-tc-list[0]: key token (19) is not allowed in "
                   "requested-tc-info");
    Value::Map wrong = info;
    wrong[1].second = Value::Uint(1);
    SetOption(v, 13, Arr({Value::MakeMap(wrong)}));
    ExpectRejected(v,
                   "QueryResponse.options.requested-tc-list[0].have-binary: expected bool, got "
                   "unsigned integer");
  }
  {  // unneeded-manifest-list / ext-list
    Value v = d3;
    SetOption(v, 14, Arr({Value::Bytes(Bytes{1})}));
    ExpectRejected(v,
                   "QueryResponse.options.unneeded-manifest-list[0]: expected array, got byte "
                   "string");
    SetOption(v, 14, Arr({Arr({})}));  // SUIT_Component_Identifier = [* bstr]
    ExpectAccepted(v);
    SetOption(v, 8, Arr({Value::Uint(uint64_t{1} << 32)}));
    ExpectRejected(v,
                   "QueryResponse.options.ext-list[0]: value 4294967296 does not fit uint .size 4 "
                   "(0..4294967295)");
  }
  {  // shape
    Value v = d3;
    v.array().push_back(Value::Uint(0));
    ExpectRejected(v, "QueryResponse: expected array of 2 elements [type, options], got 3");
  }
}

// ---- d4 Update (P §4.4) -------------------------------------------------------------

TEST(TeepReject, Update) {
  const Value d4 = Published("d4-update");
  {  // the example of the project issue
    Value v = d4;
    SetOption(v, 2, Blob(8));
    ExpectRejected(v, "Update.options: option challenge (2) is not allowed in Update");
  }
  {  // manifest-list: [+ bstr .cbor SUIT_Envelope]
    Value v = d4;
    Bytes envelope = Option(v, 9)->array()[0].bytes();
    envelope.pop_back();
    Option(v, 9)->array()[0] = Value::Bytes(envelope);
    auto m = DecodeMessage(Enc(v));
    ASSERT_FALSE(m.ok());
    EXPECT_THAT(m.status().message(),
                HasSubstr("Update.options.manifest-list[0]: byte string does not hold one "
                          "well-formed CBOR item (bstr .cbor): offset "));
    SetOption(v, 9, Arr({}));
    ExpectRejected(v, "Update.options.manifest-list: must have at least one element ([+ ...])");
    SetOption(v, 9, Value::Bytes(envelope));
    ExpectRejected(v, "Update.options.manifest-list: expected array, got byte string");
  }
  {  // err-code option: values 1..11, 0 reserved, 12..23 unassigned, > 23 unknown
    Value v = d4;
    SetOption(v, 22, Value::Uint(0));
    ExpectRejected(v,
                   "Update.options.err-code: reserved error 0 is not allowed (P §4.6: 0 is "
                   "reserved, unnamed codes up to 23 are unassigned in draft-26)");
    SetOption(v, 22, Value::Uint(12));
    ExpectRejected(v,
                   "Update.options.err-code: unassigned error 12 is not allowed (P §4.6: 0 is "
                   "reserved, unnamed codes up to 23 are unassigned in draft-26)");
    SetOption(v, 22, Value::Uint(24));
    ExpectAccepted(v);
    SetOption(v, 22, Value::Uint(7));
    ExpectAccepted(v);
    SetOption(v, 22, Value::Int(-7));
    ExpectRejected(v, "Update.options.err-code: expected unsigned integer, got negative integer");
  }
  {  // err-msg 1..128, err-lang 1..35
    Value v = d4;
    SetOption(v, 11, Value::Text(std::string(129, 'x')));
    ExpectRejected(v, "Update.options.err-msg: text of 129 bytes is outside 1..128 bytes");
    SetOption(v, 11, Value::Text(""));
    ExpectRejected(v, "Update.options.err-msg: text of 0 bytes is outside 1..128 bytes");
    SetOption(v, 11, Value::Text(std::string(128, 'x')));
    ExpectAccepted(v);
    // Sizes are in bytes of UTF-8: 43 x "é" is 86 bytes, 65 x is 130.
    std::string e65;
    for (int i = 0; i < 65; ++i) e65 += "\xc3\xa9";
    SetOption(v, 11, Value::Text(e65));
    ExpectRejected(v, "Update.options.err-msg: text of 130 bytes is outside 1..128 bytes");
    RemoveOption(v, 11);
    SetOption(v, 21, Value::Text(std::string(36, 'a')));
    ExpectRejected(v, "Update.options.err-lang: text of 36 bytes is outside 1..35 bytes");
    SetOption(v, 21, Value::Text("en-US"));
    ExpectAccepted(v);
  }
  {  // unneeded-manifest-list
    Value v = d4;
    SetOption(v, 14, Arr({}));
    ExpectRejected(v, "Update.options.unneeded-manifest-list: must have at least one element ([+ ...])");
  }
  {  // wrong options for Update
    Value v = d4;
    SetOption(v, 10, Value::Text("ok"));
    ExpectRejected(v, "Update.options: option msg (10) is not allowed in Update");
  }
}

// ---- d5 Success (P §4.5) ------------------------------------------------------------

TEST(TeepReject, Success) {
  const Value d5 = Published("d5-success");
  Value v = d5;
  SetOption(v, 10, Value::Bytes(Bytes{'o', 'k'}));
  ExpectRejected(v, "Success.options.msg: expected text, got byte string");
  SetOption(v, 10, Value::Text(""));
  ExpectRejected(v, "Success.options.msg: text of 0 bytes is outside 1..128 bytes");
  SetOption(v, 10, Value::Text("installed"));
  ExpectAccepted(v);
  Value w = d5;
  SetOption(w, 19, Blob(65));
  ExpectRejected(w, "Success.options.token: size 65 is outside 8..64 bytes");
  Value x = d5;
  SetOption(x, 22, Value::Uint(1));
  ExpectRejected(x, "Success.options: option err-code (22) is not allowed in Success");
  Value y = d5;
  y.array().push_back(Value::Uint(11));
  ExpectRejected(y, "Success: expected array of 2 elements [type, options], got 3");
}

// ---- d6 Error (P §4.6) ---------------------------------------------------------------

TEST(TeepReject, Error) {
  const Value d6 = Published("d6-error");
  {  // missing positional err-code
    Value v = d6;
    v.array().pop_back();
    ExpectRejected(v, "Error: expected array of 3 elements [type, options, err-code], got 2");
  }
  {  // wrong type / reserved / unassigned / unknown
    Value v = d6;
    v.array()[2] = Value::Text("11");
    ExpectRejected(v, "Error.err-code: expected unsigned integer, got text");
    v.array()[2] = Value::Uint(0);
    ExpectRejected(v,
                   "Error.err-code: reserved error 0 is not allowed (P §4.6: 0 is reserved, "
                   "unnamed codes up to 23 are unassigned in draft-26)");
    v.array()[2] = Value::Uint(23);
    ExpectRejected(v,
                   "Error.err-code: unassigned error 23 is not allowed (P §4.6: 0 is reserved, "
                   "unnamed codes up to 23 are unassigned in draft-26)");
    v.array()[2] = Value::Uint(1000);
    auto m = DecodeMessage(Enc(v));
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    EXPECT_EQ(std::get<Error>(*m).err_code, ErrCode::Unknown(1000));
  }
  {  // P §4.6: codes that oblige an option
    Value v = d6;
    v.array()[2] = Value::Uint(5);
    ExpectRejected(v,
                   "Error: err-code ERR_UNSUPPORTED_CIPHER_SUITES requires "
                   "supported-teep-cipher-suites (1) (P §4.6)");
    SetOption(v, 1, Arr({Arr({Arr({Value::Uint(18), Value::Int(-9)})})}));
    ExpectAccepted(v);
    v.array()[2] = Value::Uint(3);
    ExpectRejected(v,
                   "Error: err-code ERR_UNSUPPORTED_FRESHNESS_MECHANISMS requires "
                   "supported-freshness-mechanisms (20) (P §4.6)");
    v.array()[2] = Value::Uint(4);
    ExpectRejected(v, "Error: err-code ERR_UNSUPPORTED_MSG_VERSION requires versions (3) (P §4.6)");
    v.array()[2] = Value::Uint(8);
    ExpectRejected(v,
                   "Error: err-code ERR_UNSUPPORTED_SUIT_REPORT requires "
                   "supported-suit-cose-profiles (4) (P §4.6)");
  }
  {  // wrong option for Error, bad sizes
    Value v = d6;
    SetOption(v, 9, Arr({Value::Bytes(*HexDecode("a0"))}));
    ExpectRejected(v, "Error.options: option manifest-list (9) is not allowed in Error");
    Value w = d6;
    SetOption(w, 11, Value::Text(std::string(200, 'e')));
    ExpectRejected(w, "Error.options.err-msg: text of 200 bytes is outside 1..128 bytes");
    Value x = d6;
    SetOption(x, 2, Blob(4));
    ExpectRejected(x, "Error.options.challenge: size 4 is outside 8..512 bytes");
  }
}

// ---- LintMessage keeps going --------------------------------------------------------

TEST(TeepLint, ReportsEveryViolation) {
  Value v = Published("d1-query-request");
  SetOption(v, 19, Blob(3));                  // bad size
  SetOption(v, 11, Value::Text("x"));         // not allowed
  SetOption(v, 3, Arr({Value::Text("0")}));   // wrong type inside
  v.array()[3] = Arr({});                     // empty profiles
  v.array()[4] = Value::Uint(0x30);           // undefined bits
  auto lint = LintMessage(Enc(v));
  EXPECT_THAT(lint, Contains("QueryRequest.options.token: size 3 is outside 8..64 bytes"));
  EXPECT_THAT(lint,
              Contains("QueryRequest.options: option err-msg (11) is not allowed in QueryRequest"));
  EXPECT_THAT(lint, Contains("QueryRequest.options.versions[0]: expected unsigned integer, got text"));
  EXPECT_THAT(lint,
              Contains("QueryRequest.supported-suit-cose-profiles: must have at least one "
                       "element ([+ ...])"));
  EXPECT_THAT(lint, Contains(HasSubstr("QueryRequest.data-item-requested: value 48 sets bits")));
  EXPECT_EQ(lint.size(), 5u);
  // DecodeMessage reports the first of them.
  auto m = DecodeMessage(Enc(v));
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().message(), lint.front());
}

TEST(TeepLint, CleanMessageHasNoFindings) {
  for (const char* name : {"d1-query-request", "d3-query-response", "d4-update", "d5-success",
                           "d6-error"}) {
    EXPECT_TRUE(LintMessage(test::ReadVector(std::string("teep/vectors/") + name + ".hex"))
                    .empty())
        << name;
  }
}

}  // namespace
}  // namespace teep::msg
