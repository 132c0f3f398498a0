// Extensions, encode-side validation, DescribeMessage, and the TAM's check of
// a QueryResponse against its QueryRequest.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/cbor/reader.h"
#include "core/cbor/value.h"
#include "core/teep/codec.h"
#include "vector_files.h"

namespace teep::msg {
namespace {

using ::testing::HasSubstr;

const Bytes kToken = *HexDecode("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");

Bytes Vector(const std::string& name) { return test::ReadVector("teep/vectors/" + name + ".hex"); }

// ---- extension points (P §6: unknown labels tolerated) --------------------------------

TEST(TeepExtensions, UnknownLabelsAreKeptAndReported) {
  // [4, {19: token, 30: [1, "x"], 0: h'01', 23: {1: 2}}] - 0, 23 and 30 are
  // unassigned in -26; written unsorted on purpose. They are kept in label
  // order (map order carries no meaning).
  const Bytes unsorted = *HexDecode(
      "8204a41350a0a1a2a3a4a5a6a7a8a9aaabacadaeaf181e8201617800410117a10102");
  auto m = DecodeMessage(unsorted);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(UnknownLabels(*m), (std::vector<uint64_t>{0, 23, 30}));
  const auto& s = std::get<Success>(*m);
  EXPECT_EQ(s.token, kToken);
  EXPECT_EQ(HexEncode(s.extensions[2].value), "82016178");
  // Re-encoding keeps them.
  auto encoded = EncodeMessage(*m);
  ASSERT_TRUE(encoded.ok()) << encoded.status().ToString();
  EXPECT_EQ(HexEncode(*encoded),
            "8204a40041011350a0a1a2a3a4a5a6a7a8a9aaabacadaeaf17a10102181e82016178");
  EXPECT_THAT(DescribeMessage(*m), HasSubstr("unknown option 30 (extension): [1, \"x\"]"));
}

TEST(TeepExtensions, ExtensionValuesAreCanonicalized) {
  // Extension value {2: 0, 1: 0} (unsorted) and an overlong 0x1801.
  const Bytes bytes = *HexDecode("8204a2181ea20200010018181801");
  auto m = DecodeMessage(bytes);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const auto& s = std::get<Success>(*m);
  ASSERT_EQ(s.extensions.size(), 2u);
  EXPECT_EQ(s.extensions[0].label, 24u);
  EXPECT_EQ(HexEncode(s.extensions[0].value), "01");
  EXPECT_EQ(s.extensions[1].label, 30u);
  EXPECT_EQ(HexEncode(s.extensions[1].value), "a201000200");
}

TEST(TeepExtensions, EncoderRefusesBadExtensions) {
  Success s;
  s.extensions = {Extension{19, {0x01}}};
  auto e = EncodeMessage(s);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(e.status().message(), "Success.options.19: extension label 19 is token (19) in draft-26");
  // Label 5 is free in draft-25, selected-version in -26.
  s.extensions = {Extension{5, {0x01}}};
  EXPECT_TRUE(EncodeMessage(s, Draft25()).ok());
  EXPECT_FALSE(EncodeMessage(s, Draft26()).ok());
  s.extensions = {Extension{40, {0x01, 0x02}}};
  e = EncodeMessage(s);
  ASSERT_FALSE(e.ok());
  EXPECT_THAT(e.status().message(),
              HasSubstr("Success.options.40: extension value is not one deterministically encoded "
                        "CBOR item"));
  s.extensions = {Extension{40, {0x01}}, Extension{40, {0x02}}};
  e = EncodeMessage(s);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().message(), "Success.options.40: duplicate extension label 40");
}

// ---- encode-side validation mirrors the decoder ---------------------------------------

TEST(TeepEncode, ValidatesBeforeEncoding) {
  QueryRequest q;
  q.supported_teep_cipher_suites = {SuiteSign1Esp256()};
  q.supported_suit_cose_profiles = MandatorySuitCoseProfiles();
  ASSERT_TRUE(EncodeMessage(q).ok());
  auto bad = q;
  bad.token = Bytes(7, 1);
  EXPECT_EQ(EncodeMessage(bad).status().message(),
            "QueryRequest.options.token: size 7 is outside 8..64 bytes");
  bad = q;
  bad.supported_teep_cipher_suites.clear();
  EXPECT_EQ(EncodeMessage(bad).status().message(),
            "QueryRequest.supported-teep-cipher-suites: must have at least one element ([+ ...])");
  bad = q;
  bad.challenge = Bytes(16, 1);
  EXPECT_EQ(EncodeMessage(bad).status().message(),
            "QueryRequest: challenge (2) must be absent when data-item-requested has the "
            "attestation bit clear (P §4.2)");
  bad.data_item_requested = kDataItemAttestation;
  EXPECT_TRUE(EncodeMessage(bad).ok());
  bad.data_item_requested = 0x100;
  EXPECT_THAT(EncodeMessage(bad).status().message(),
              HasSubstr("QueryRequest.data-item-requested: value 256 sets bits outside"));

  Error err;
  err.err_code = ErrCode::Unknown(12);
  EXPECT_EQ(EncodeMessage(err).status().message(),
            "Error.err-code: unassigned error 12 is not allowed (P §4.6: 0 is reserved, unnamed "
            "codes up to 23 are unassigned)");
  err.err_code = ErrCode::Unknown(11);
  EXPECT_EQ(EncodeMessage(err).status().message(),
            "Error.err-code: err-code 11 is ERR_MANIFEST_PROCESSING_FAILED in draft-26; give it "
            "as a named code");
  err.err_code = ErrCode::Unknown(99);
  auto ok = EncodeMessage(err);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(HexEncode(*ok), "8305a01863");
  err.err_code = ErrorCode::kUnsupportedMsgVersion;
  EXPECT_EQ(EncodeMessage(err).status().message(),
            "Error: err-code ERR_UNSUPPORTED_MSG_VERSION requires versions (3) (P §4.6)");
  err.versions = std::vector<uint32_t>{0};
  EXPECT_TRUE(EncodeMessage(err).ok());

  Update u;
  u.err_msg = std::string(129, 'x');
  EXPECT_EQ(EncodeMessage(u).status().message(),
            "Update.options.err-msg: text of 129 bytes is outside 1..128 bytes");
  u.err_msg = "bad\xff";  // not UTF-8: the CBOR writer refuses it
  EXPECT_FALSE(EncodeMessage(u).ok());
  u.err_msg.reset();
  u.manifest_list = std::vector<Bytes>{Bytes{0x82, 0x01}};
  EXPECT_EQ(EncodeMessage(u).status().message(),
            "Update.options.manifest-list[0]: byte string does not hold one well-formed CBOR "
            "item (bstr .cbor): offset 0: truncated");

  QueryResponse r;
  r.requested_tc_list = std::vector<RequestedTcInfo>{{ComponentId{}, std::nullopt, true}};
  EXPECT_EQ(EncodeMessage(r).status().message(),
            "QueryResponse.options.requested-tc-list[0]: have-binary is true but "
            "tc-manifest-sequence-number (16) is absent (P §4.3)");
  r.requested_tc_list = std::nullopt;
  SystemPropertyClaims claims = SystemPropertyClaims::ForComponent({Bytes{1}});
  claims.system_component_id = {Bytes{2}};
  r.tc_list = std::vector<SystemPropertyClaims>{claims};
  EXPECT_EQ(EncodeMessage(r).status().message(),
            "QueryResponse.options.tc-list[0]: system_component_id differs from key 0 of the "
            "encoded map");
}

TEST(TeepEncode, OptionsSortedByProfileLabel) {
  Update u;
  u.token = kToken;
  u.err_code = ErrorCode::kAttestationRequired;
  u.err_msg = "attest";
  // -26: err-msg 11, token 19, err-code 22.
  auto a = EncodeMessage(u, Draft26());
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(HexEncode(*a), "8203a30b66617474657374" "1350a0a1a2a3a4a5a6a7a8a9aaabacadaeaf" "1607");
  // -25: err-msg 12, token 20, err-code 23.
  auto b = EncodeMessage(u, Draft25());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(HexEncode(*b), "8203a30c66617474657374" "1450a0a1a2a3a4a5a6a7a8a9aaabacadaeaf" "1707");
}

TEST(TeepDecode, OfType) {
  auto m = DecodeMessageOfType(Vector("d5-success"), MessageType::kSuccess);
  EXPECT_TRUE(m.ok());
  auto wrong = DecodeMessageOfType(Vector("d5-success"), MessageType::kQueryRequest);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().message(), "TEEP message: expected QueryRequest, got Success");
}

TEST(TeepClaims, Parse) {
  auto c = SystemPropertyClaims::Parse(*HexDecode("a2034101008141aa"));  // {3: h'01', 0: [h'aa']} unsorted
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->system_component_id, ComponentId{Bytes{0xaa}});
  EXPECT_EQ(HexEncode(c->encoded), "a2008141aa034101");
  EXPECT_FALSE(SystemPropertyClaims::Parse(*HexDecode("a10341")).ok());
  EXPECT_FALSE(SystemPropertyClaims::Parse(*HexDecode("a1034101")).ok());
  EXPECT_FALSE(SystemPropertyClaims::Parse(*HexDecode("a100a0")).ok());
  EXPECT_EQ(HexEncode(SystemPropertyClaims::ForComponent({Bytes{1, 2}}).encoded), "a100814201" "02");
}

// ---- DescribeMessage -------------------------------------------------------------------

TEST(TeepDescribe, AnnotatesFields) {
  auto d1 = DecodeMessage(Vector("d1-query-request"));
  ASSERT_TRUE(d1.ok());
  const std::string text = DescribeMessage(*d1);
  EXPECT_EQ(text,
            "QueryRequest (type 1, draft-26)\n"
            "  token (19): h'a0a1a2a3a4a5a6a7a8a9aaabacadaeaf' (16 bytes)\n"
            "  versions (3): [0]\n"
            "  supported-teep-cipher-suites: 2 suites\n"
            "    [0] [[18, -9]] sign1-ESP256\n"
            "    [1] [[18, -19]] sign1-Ed25519\n"
            "  supported-suit-cose-profiles: 4 profiles\n"
            "    [0] [-16, -9, -29, -65534]\n"
            "    [1] [-16, -19, -29, -65534]\n"
            "    [2] [-16, -9, -29, 1]\n"
            "    [3] [-16, -19, -29, 24]\n"
            "  data-item-requested: 3 (attestation | trusted-components)\n");
  auto d6 = DecodeMessage(Vector("d6-error"));
  ASSERT_TRUE(d6.ok());
  EXPECT_EQ(DescribeMessage(*d6),
            "Error (type 5, draft-26)\n"
            "  token (19): h'a0a1a2a3a4a5a6a7a8a9aaabacadaeaf' (16 bytes)\n"
            "  err-msg (11): \"disk-full\"\n"
            "  err-code: 11 ERR_MANIFEST_PROCESSING_FAILED\n");
  EXPECT_EQ(DescribeMessage(*d6, Draft25()),
            "Error (type 6, draft-25)\n"
            "  token (20): h'a0a1a2a3a4a5a6a7a8a9aaabacadaeaf' (16 bytes)\n"
            "  err-msg (12): \"disk-full\"\n"
            "  err-code: 17 ERR_MANIFEST_PROCESSING_FAILED\n");
  auto d3 = DecodeMessage(Vector("d3-query-response"));
  ASSERT_TRUE(d3.ok());
  EXPECT_THAT(DescribeMessage(*d3),
              HasSubstr("  tc-list (7): 1 component\n"
                        "    [0] system-component-id [h'0102030405060708090a0b0c0d0e0f']: "
                        "{0: [h'0102030405060708090a0b0c0d0e0f'], 3: <<[-16, h'a7fd"));
  auto d4 = DecodeMessage(Vector("d4-update"));
  ASSERT_TRUE(d4.ok());
  EXPECT_THAT(DescribeMessage(*d4), HasSubstr("  manifest-list (9): 1 item\n    [0] 334 bytes\n"));
}

// ---- what data-item-requested obliges (checked by the TAM, P §4.3) -------------------

TEST(TeepObligations, ResponseAgainstRequest) {
  QueryRequest q;
  q.token = kToken;
  q.data_item_requested = kDataItemAttestation | kDataItemTrustedComponents | kDataItemExtensions;
  q.supported_teep_cipher_suites = {SuiteSign1Esp256()};
  q.supported_suit_cose_profiles = MandatorySuitCoseProfiles();

  QueryResponse r;
  r.token = kToken;
  r.attestation_payload = Bytes{0xa0};
  EXPECT_TRUE(CheckResponseObligations(q, r).empty());

  QueryResponse missing;
  EXPECT_EQ(CheckResponseObligations(q, missing),
            (std::vector<std::string>{
                "QueryResponse.options.token: missing; the QueryRequest carried one (P §4.3)",
                "QueryResponse.options.attestation-payload: missing, but the QueryRequest set the "
                "attestation bit (P §4.3)"}));
  QueryResponse other = r;
  other.token = Bytes(16, 0);
  EXPECT_EQ(CheckResponseObligations(q, other),
            (std::vector<std::string>{
                "QueryResponse.options.token: differs from the QueryRequest's token (P §4.3)"}));
  QueryRequest no_token = q;
  no_token.token.reset();
  no_token.data_item_requested = kDataItemTrustedComponents;
  EXPECT_EQ(CheckResponseObligations(no_token, r),
            (std::vector<std::string>{
                "QueryResponse.options.token: present, but the QueryRequest carried none (P §4.3)"}));
  // d1 / d3 published together answer each other.
  auto d1 = DecodeMessage(Vector("d1-query-request"));
  auto d3 = DecodeMessage(Vector("d3-query-response"));
  ASSERT_TRUE(d1.ok() && d3.ok());
  EXPECT_TRUE(
      CheckResponseObligations(std::get<QueryRequest>(*d1), std::get<QueryResponse>(*d3)).empty());
}

}  // namespace
}  // namespace teep::msg
