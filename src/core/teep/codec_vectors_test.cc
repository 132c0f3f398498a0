// The published Appendix D messages (d1..d6) decode to the expected types and
// fields and re-encode byte-exact where the published bytes are deterministic
// (d5); the others (token 19 written before smaller labels) re-encode to the
// deterministic encoding of the same value. The same messages under the
// draft-25 profile encode to the legacy numbering, checked against legacy
// bytes published by others.
#include <gtest/gtest.h>

#include "core/cbor/reader.h"
#include "core/cbor/value.h"
#include "core/teep/codec.h"
#include "core/teep/errors.h"
#include "vector_files.h"

namespace teep::msg {
namespace {

const Bytes kToken = *HexDecode("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");

Bytes Vector(const std::string& name) { return test::ReadVector("teep/vectors/" + name + ".hex"); }

// The deterministic encoding of the published value (decoded leniently).
Bytes Canonical(ByteView bytes) {
  auto value = cbor::Decode(bytes, cbor::RelaxedOptions());
  EXPECT_TRUE(value.ok());
  auto out = cbor::Encode(*value);
  EXPECT_TRUE(out.ok());
  return *out;
}

template <typename T>
T DecodeAs(const Bytes& bytes, const WireProfile& profile = Draft26()) {
  auto m = DecodeMessage(bytes, profile);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  if (!m.ok()) return T{};
  EXPECT_TRUE(std::holds_alternative<T>(*m));
  if (!std::holds_alternative<T>(*m)) return T{};
  return std::get<T>(*m);
}

void ExpectReencodes(const std::string& name, bool published_is_deterministic) {
  SCOPED_TRACE(name);
  const Bytes bytes = Vector(name);
  EXPECT_EQ(!cbor::Check(bytes).has_value(), published_is_deterministic);
  auto m = DecodeMessage(bytes);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  auto encoded = EncodeMessage(*m);
  ASSERT_TRUE(encoded.ok()) << encoded.status().ToString();
  EXPECT_EQ(HexEncode(*encoded), HexEncode(Canonical(bytes)));
  if (published_is_deterministic) {
    EXPECT_EQ(HexEncode(*encoded), HexEncode(bytes));
  }
  EXPECT_TRUE(LintMessage(bytes).empty());
}

TEST(TeepVectors, AllReencode) {
  ExpectReencodes("d1-query-request", false);
  ExpectReencodes("d3-query-response", false);
  ExpectReencodes("d4-update", false);
  ExpectReencodes("d5-success", true);
  ExpectReencodes("d6-error", false);
}

TEST(TeepVectors, D1QueryRequest) {
  auto m = DecodeAs<QueryRequest>(Vector("d1-query-request"));
  EXPECT_EQ(m.token, kToken);
  EXPECT_EQ(m.versions, std::vector<uint32_t>{0});
  EXPECT_FALSE(m.challenge);
  EXPECT_FALSE(m.supported_freshness_mechanisms);
  EXPECT_FALSE(m.attestation_payload);
  EXPECT_FALSE(m.attestation_payload_format);
  EXPECT_FALSE(m.suit_reports);
  EXPECT_TRUE(m.extensions.empty());
  EXPECT_EQ(m.supported_teep_cipher_suites,
            (std::vector<CipherSuite>{SuiteSign1Esp256(), SuiteSign1Ed25519()}));
  EXPECT_EQ(m.supported_suit_cose_profiles, MandatorySuitCoseProfiles());
  EXPECT_EQ(m.data_item_requested, kDataItemAttestation | kDataItemTrustedComponents);
}

TEST(TeepVectors, D3QueryResponse) {
  auto m = DecodeAs<QueryResponse>(Vector("d3-query-response"));
  EXPECT_EQ(m.token, kToken);
  EXPECT_EQ(m.selected_version, 0u);
  EXPECT_EQ(m.attestation_payload, Bytes{});
  ASSERT_TRUE(m.tc_list);
  ASSERT_EQ(m.tc_list->size(), 1u);
  const SystemPropertyClaims& c = (*m.tc_list)[0];
  EXPECT_EQ(c.system_component_id, ComponentId{*HexDecode("0102030405060708090a0b0c0d0e0f")});
  // The whole map is kept: {0: [...], 3: << [-16, h'a7fd...'] >>}.
  auto value = cbor::Decode(c.encoded);
  ASSERT_TRUE(value.ok());
  const cbor::Value* digest = value->Find(3);
  ASSERT_NE(digest, nullptr);
  EXPECT_EQ(digest->kind(), cbor::Value::Kind::kBytes);
  EXPECT_EQ(digest->bytes().size(), 36u);
  EXPECT_FALSE(m.requested_tc_list);
  EXPECT_FALSE(m.unneeded_manifest_list);
  EXPECT_FALSE(m.ext_list);
  EXPECT_FALSE(m.suit_reports);
}

TEST(TeepVectors, D4Update) {
  auto m = DecodeAs<Update>(Vector("d4-update"));
  EXPECT_EQ(m.token, kToken);
  ASSERT_TRUE(m.manifest_list);
  ASSERT_EQ(m.manifest_list->size(), 1u);
  const Bytes& envelope = (*m.manifest_list)[0];
  EXPECT_EQ(envelope.size(), 334u);
  // bstr .cbor SUIT_Envelope: a map with keys 2 and 3.
  auto value = cbor::Decode(envelope, cbor::RelaxedOptions());
  ASSERT_TRUE(value.ok());
  EXPECT_NE(value->Find(2), nullptr);
  EXPECT_NE(value->Find(3), nullptr);
  EXPECT_FALSE(m.err_code);
  EXPECT_FALSE(m.unneeded_manifest_list);
}

TEST(TeepVectors, D5Success) {
  auto m = DecodeAs<Success>(Vector("d5-success"));
  EXPECT_EQ(m, (Success{kToken, std::nullopt, std::nullopt, {}}));
}

TEST(TeepVectors, D6Error) {
  auto m = DecodeAs<Error>(Vector("d6-error"));
  EXPECT_EQ(m.token, kToken);
  EXPECT_EQ(m.err_msg, "disk-full");
  EXPECT_EQ(m.err_code, ErrCode(ErrorCode::kManifestProcessingFailed));
  EXPECT_FALSE(m.err_lang);
  EXPECT_EQ(ErrorCodeName(11), "ERR_MANIFEST_PROCESSING_FAILED");
}

TEST(TeepVectors, NotTeepMessages) {
  // d2 (EAT claims) and the SUIT vectors are maps, not TEEP messages.
  for (const char* name : {"d2-eat-claims", "e1-suit-uri", "f1-suit-report-success"}) {
    auto m = DecodeMessage(Vector(name));
    ASSERT_FALSE(m.ok()) << name;
    EXPECT_EQ(m.status().message(), "TEEP message: expected array, got map") << name;
  }
}

// ---- the same messages under the draft-25 profile ------------------------------

// Builds the legacy encoding independently of numbers.cc: the old numbers are
// written out here from README §0.1 / §7 and the legacy code cited in
// numbers.cc (token 20, versions 3, selected-version 6, attestation-payload
// 7, tc-list 8, manifest-list 10, err-msg 12; success 5, error 6; manifest
// processing failed 17).
using V = cbor::Value;
Bytes Enc(const V& v) {
  auto out = cbor::Encode(v);
  EXPECT_TRUE(out.ok());
  return *out;
}
V Pairs(std::vector<std::pair<uint64_t, V>> kv) {
  V::Map m;
  for (auto& [k, v] : kv) m.emplace_back(V::Uint(k), std::move(v));
  return V::MakeMap(std::move(m));
}

TEST(TeepVectors, Draft25NumberingOfD1ToD6) {
  const V token = V::Bytes(kToken);
  // d1: [1, {20: token, 3: [0]}, suites, profiles, 3] - positional parts
  // and labels 1..4 did not move.
  {
    auto d1 = cbor::Decode(Vector("d1-query-request"), cbor::RelaxedOptions());
    ASSERT_TRUE(d1.ok());
    V::Array items = d1->array();
    items[1] = Pairs({{20, token}, {3, V::MakeArray({V::Uint(0)})}});
    auto m = DecodeMessage(Vector("d1-query-request"));
    ASSERT_TRUE(m.ok());
    auto legacy = EncodeMessage(*m, Draft25());
    ASSERT_TRUE(legacy.ok());
    EXPECT_EQ(HexEncode(*legacy), HexEncode(Enc(V::MakeArray(items))));
  }
  // d3: [2, {20: token, 6: 0, 7: h'', 8: [claims]}]
  {
    auto d3 = cbor::Decode(Vector("d3-query-response"), cbor::RelaxedOptions());
    ASSERT_TRUE(d3.ok());
    const V& claims = *d3->array()[1].Find(7);
    V expected = V::MakeArray({V::Uint(2), Pairs({{20, token},
                                                 {6, V::Uint(0)},
                                                 {7, V::Bytes(Bytes{})},
                                                 {8, claims}})});
    auto m = DecodeMessage(Vector("d3-query-response"));
    ASSERT_TRUE(m.ok());
    auto legacy = EncodeMessage(*m, Draft25());
    ASSERT_TRUE(legacy.ok());
    EXPECT_EQ(HexEncode(*legacy), HexEncode(Enc(expected)));
  }
  // d4: [3, {20: token, 10: [envelope]}]
  {
    auto d4 = cbor::Decode(Vector("d4-update"), cbor::RelaxedOptions());
    ASSERT_TRUE(d4.ok());
    const V& manifests = *d4->array()[1].Find(9);
    V expected = V::MakeArray({V::Uint(3), Pairs({{20, token}, {10, manifests}})});
    auto m = DecodeMessage(Vector("d4-update"));
    ASSERT_TRUE(m.ok());
    auto legacy = EncodeMessage(*m, Draft25());
    ASSERT_TRUE(legacy.ok());
    EXPECT_EQ(HexEncode(*legacy), HexEncode(Enc(expected)));
  }
  // d5: [5, {20: token}]
  {
    auto m = DecodeMessage(Vector("d5-success"));
    ASSERT_TRUE(m.ok());
    auto legacy = EncodeMessage(*m, Draft25());
    ASSERT_TRUE(legacy.ok());
    EXPECT_EQ(HexEncode(*legacy), "8205a11450a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");
  }
  // d6: [6, {12: "disk-full", 20: token}, 17]
  {
    auto m = DecodeMessage(Vector("d6-error"));
    ASSERT_TRUE(m.ok());
    auto legacy = EncodeMessage(*m, Draft25());
    ASSERT_TRUE(legacy.ok());
    EXPECT_EQ(HexEncode(*legacy),
              HexEncode(Enc(V::MakeArray({V::Uint(6),
                                          Pairs({{12, V::Text("disk-full")}, {20, token}}),
                                          V::Uint(17)}))));
  }
}

// Legacy bytes published by others decode under draft-25 to the same
// message as the -26 vector:
//  * D.6 of draft-ietf-teep-protocol-10 as kept in the libteep testfiles
//    (SECOM): [6, {20: token, 12: "disk-full"}, 17];
//  * the WG repository's pre-renumbering QueryRequest
//    (ietf-teep/teep-protocol cbor/query_request.hex.txt @00ced54), which
//    still lists the -20 suites [[18, -7]] / [[18, -8]].
TEST(TeepVectors, PublishedLegacyBytesDecodeUnderDraft25) {
  const Bytes legacy_d6 = *HexDecode(
      "8306a21450a0a1a2a3a4a5a6a7a8a9aaabacadaeaf0c696469736b2d66756c6c11");
  auto m = DecodeMessage(legacy_d6, Draft25());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(*m, *DecodeMessage(Vector("d6-error")));
  // Under -26 the same bytes are an unknown message type 6: never guessed.
  auto wrong = DecodeMessage(legacy_d6);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().message(), "TEEP message: unknown message type 6 in profile draft-26");

  const Bytes legacy_d1 = *HexDecode(
      "8501a21450a0a1a2a3a4a5a6a7a8a9aaabacadaeaf038100828182122681821227848"
      "42f26381c39fffd842f27381c39fffd842f26381c01842f27381c181803");
  auto q = DecodeMessage(legacy_d1, Draft25());
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  const auto& qr = std::get<QueryRequest>(*q);
  EXPECT_EQ(qr.token, kToken);
  EXPECT_EQ(qr.versions, std::vector<uint32_t>{0});
  EXPECT_EQ(qr.supported_teep_cipher_suites,
            (std::vector<CipherSuite>{{{18, -7}}, {{18, -8}}}));
  EXPECT_EQ(qr.data_item_requested, 3u);
  // The legacy token label 20 is supported-freshness-mechanisms in -26,
  // where its bstr value is the wrong type.
  auto as26 = DecodeMessage(legacy_d1);
  ASSERT_FALSE(as26.ok());
  EXPECT_EQ(as26.status().message(),
            "QueryRequest.options.supported-freshness-mechanisms: expected array, got byte "
            "string");
}

// The WG repository's legacy QueryResponse (cbor/query_response.hex.txt
// @0d051a8) still carries label 5 (selected-cipher-suite, removed before
// -25): unknown to the draft-25 profile, it is kept as an extension.
TEST(TeepVectors, LegacyQueryResponseKeepsRemovedLabelAsExtension) {
  const Bytes legacy = *HexDecode(
      "8202a51450a0a1a2a3a4a5a6a7a8a9aaabacadaeaf0581821226060007400882a200814f"
      "0102030405060708090a0b0c0d0e0f035824822f5820a7fd6593eac32eb4be578278e654"
      "0c5c09cfd7d4d234973054833b2b93030609a200814f1102030405060708090a0b0c0d0e"
      "0f181c83010000");
  auto m = DecodeMessage(legacy, Draft25());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const auto& r = std::get<QueryResponse>(*m);
  EXPECT_EQ(UnknownLabels(*m), std::vector<uint64_t>{5});
  EXPECT_EQ(HexEncode(r.extensions[0].value), "81821226");
  EXPECT_EQ(r.selected_version, 0u);
  EXPECT_EQ(r.attestation_payload, Bytes{});
  ASSERT_TRUE(r.tc_list);
  ASSERT_EQ(r.tc_list->size(), 2u);
  EXPECT_EQ((*r.tc_list)[1].system_component_id,
            ComponentId{*HexDecode("1102030405060708090a0b0c0d0e0f")});
  // Round trip under draft-25 keeps the extension.
  auto again = EncodeMessage(*m, Draft25());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(HexEncode(*again), HexEncode(Canonical(legacy)));
  // Under -26, label 5 is selected-version and gets an array: rejected.
  auto as26 = EncodeMessage(*m, Draft26());
  ASSERT_FALSE(as26.ok());
  EXPECT_EQ(as26.status().message(),
            "QueryResponse.options.5: extension label 5 is selected-version (5) in draft-26");
}

}  // namespace
}  // namespace teep::msg
