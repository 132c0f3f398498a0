// SUIT_Report encoding and decoding (draft-ietf-suit-report-18 §4).
// Expected encodings were derived by hand and confirmed with the independent
// npm cbor2 encoder in CDE mode (tests/oracle), e.g.
//   node -e "import('cbor2').then(c=>console.log(Buffer.from(c.encode(
//     new Map([[99,['u',[-16,new Uint8Array(2)]]],[4,true],[3,[]],
//     [2,new Uint8Array([1,2])]]),{cde:true})).toString('hex')))"
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "core/suit/digest.h"
#include "core/suit/report.h"
#include "test_util.h"
#include "vector_files.h"

namespace teep::suit {
namespace {

using test::H;
using ::testing::HasSubstr;

// [-16, h'0000']: a (short) SUIT_Digest.
constexpr std::string_view kDigestHex = "822f420000";
// 99: ["u", [-16, h'0000']]
constexpr std::string_view kReferenceHex = "1863 82 6175 822f420000";

Bytes Hex(std::string_view a, std::string_view b = "") {
  return H(std::string(a) + std::string(b));
}

Report MinimalSuccess() {
  Report r;
  r.reference_uri = "u";
  r.manifest_digest = H(kDigestHex);
  return r;
}

ReportRecord InstallRecord() {
  ReportRecord rec;
  rec.manifest_id = {1};
  rec.section = 20;  // install
  rec.offset = 7;
  rec.component_index = 0;
  rec.parameters = {{14, H("190100")}, {5, H("01")}};  // out of order on purpose
  return rec;
}

Report SmallFailure() {
  Report r;
  r.manifest_digest = H("822f41aa");
  r.nonce = H("01");
  r.failure = ReportFailure{3, InstallRecord(), ReportReason::kConditionFailed};
  return r;
}

// Asserts the error code and that the message names `path` (and `detail`).
void ExpectError(const Status& status, StatusCode code, std::string_view path,
                 std::string_view detail = "") {
  EXPECT_EQ(status.code(), code) << status.ToString();
  EXPECT_THAT(status.message(), HasSubstr(std::string(path)));
  EXPECT_THAT(status.message(), HasSubstr(std::string(detail)));
}

void ExpectSameRecord(const ReportRecord& a, const ReportRecord& b) {
  EXPECT_EQ(a.manifest_id, b.manifest_id);
  EXPECT_EQ(a.section, b.section);
  EXPECT_EQ(a.offset, b.offset);
  EXPECT_EQ(a.component_index, b.component_index);
  EXPECT_EQ(a.parameters, b.parameters);
}

// Field by field; parameters must be given in deterministic order.
void ExpectSameReport(const Report& a, const Report& b) {
  EXPECT_EQ(a.reference_uri, b.reference_uri);
  EXPECT_EQ(a.manifest_digest, b.manifest_digest);
  EXPECT_EQ(a.nonce, b.nonce);
  ASSERT_EQ(a.records.size(), b.records.size());
  for (size_t i = 0; i < a.records.size(); ++i) ExpectSameRecord(a.records[i], b.records[i]);
  ASSERT_EQ(a.system_properties.size(), b.system_properties.size());
  for (size_t i = 0; i < a.system_properties.size(); ++i) {
    EXPECT_EQ(a.system_properties[i].component_id, b.system_properties[i].component_id);
    EXPECT_EQ(a.system_properties[i].parameters, b.system_properties[i].parameters);
  }
  ASSERT_EQ(a.failure.has_value(), b.failure.has_value());
  if (a.failure) {
    EXPECT_EQ(a.failure->code, b.failure->code);
    EXPECT_EQ(a.failure->reason, b.failure->reason);
    ExpectSameRecord(a.failure->record, b.failure->record);
  }
}

// ---------------------------------------------------------------------------
// Byte-exact encodings
// ---------------------------------------------------------------------------

TEST(SuitReportEncode, SmallSuccessByteExact) {
  Report r = MinimalSuccess();
  r.nonce = H("0102");
  // {                                  a4
  //   / nonce / 2: h'0102',            02 42 0102
  //   / records / 3: [],               03 80
  //   / result / 4: true,              04 f5
  //   / reference / 99: ["u",          18 63 82 61 75
  //                      [-16, h'0000']]  82 2f 42 0000
  // }
  ASSERT_OK_AND_ASSIGN(Bytes encoded, EncodeReport(r));
  EXPECT_EQ(HexEncode(encoded), "a402420102038004f51863826175822f420000");
}

TEST(SuitReportEncode, SmallFailureByteExact) {
  // {                                            a4
  //   / nonce / 2: h'01',                        02 41 01
  //   / records / 3: [],                         03 80
  //   / result / 4: {                            04 a3
  //     / result-code / 5: 3 / image-match /,    05 03
  //     / result-record / 6: [                   06 85
  //       [1], 20 / install /, 7, 0,             81 01 14 07 00
  //       { 5: 1, 14: 256 }                      a2 05 01 0e 19 0100
  //     ],
  //     / result-reason / 7: 10 / condition-failed /   07 0a
  //   },
  //   / reference / 99: ["", [-16, h'aa']]       18 63 82 60 82 2f 41 aa
  // }
  ASSERT_OK_AND_ASSIGN(Bytes encoded, EncodeReport(SmallFailure()));
  EXPECT_EQ(HexEncode(encoded),
            "a4024101038004a3050306858101140700a205010e190100070a18638260822f41aa");
}

// RFC 8949 §4.2.1: 0, 3, 23, 24, 99, -1, -300 is the bytewise order of the
// encoded keys (00, 03, 17, 1818, 1863, 20, 39012b); cbor2 (CDE) agrees.
TEST(SuitReportEncode, ParametersSortedRegardlessOfInputOrder) {
  const std::vector<int64_t> keys = {-300, 99, 0, -1, 24, 23, 3};
  Report r = MinimalSuccess();
  ReportRecord rec;
  for (int64_t k : keys) rec.parameters.emplace_back(k, H("01"));
  r.records.push_back(rec);
  ASSERT_OK_AND_ASSIGN(Bytes encoded, EncodeReport(r));
  EXPECT_THAT(HexEncode(encoded), HasSubstr("a7000103011701181801186301200139012b01"));

  ASSERT_OK_AND_ASSIGN(Report decoded, DecodeReport(encoded));
  ASSERT_EQ(decoded.records.size(), 1u);
  std::vector<int64_t> order;
  for (const auto& p : decoded.records[0].parameters) order.push_back(p.first);
  EXPECT_EQ(order, (std::vector<int64_t>{0, 3, 23, 24, 99, -1, -300}));
}

TEST(SuitReportEncode, SystemPropertiesSortedWithComponentIdFirst) {
  Report r = MinimalSuccess();
  r.system_properties.push_back({H("814100"), {{-1, H("f5")}, {14, H("1864")}, {3, H("40")}}});
  ASSERT_OK_AND_ASSIGN(Bytes encoded, EncodeReport(r));
  // [{0: [h'00'], 3: h'', 14: 100, -1: true}]
  EXPECT_THAT(HexEncode(encoded), HasSubstr("0381a4008141000340" "0e1864" "20f5"));
}

// ---------------------------------------------------------------------------
// Encoder input checks
// ---------------------------------------------------------------------------

TEST(SuitReportEncode, RejectsDuplicateParameterKeys) {
  Report r = MinimalSuccess();
  ReportRecord rec;
  rec.parameters = {{3, H("01")}, {5, H("02")}, {3, H("01")}};
  r.records.push_back(rec);
  ExpectError(EncodeReport(r).status(), StatusCode::kInvalidArgument, "SUIT_Report.records[0][4]",
              "duplicate parameter key 3");

  Report f = SmallFailure();
  f.failure->record.parameters.emplace_back(5, H("02"));
  ExpectError(EncodeReport(f).status(), StatusCode::kInvalidArgument,
              "SUIT_Report.result.record[4]", "duplicate parameter key 5");

  Report s = MinimalSuccess();
  s.system_properties.push_back({H("80"), {{-2, H("01")}, {-2, H("02")}}});
  ExpectError(EncodeReport(s).status(), StatusCode::kInvalidArgument, "SUIT_Report.records[0]",
              "duplicate parameter key -2");
}

TEST(SuitReportEncode, RejectsParameterValueThatIsNotOneDeterministicItem) {
  const std::vector<std::string_view> bad = {
      "",      // nothing
      "1901",  // truncated
      "0102",  // two items
      "1805",  // non-preferred head
      "ff",    // break outside an indefinite item
      "a20101" "0102",  // duplicate key inside the value
  };
  for (std::string_view value : bad) {
    SCOPED_TRACE(value);
    Report r = MinimalSuccess();
    ReportRecord rec;
    rec.parameters = {{3, H(value)}};
    r.records.push_back(rec);
    ExpectError(EncodeReport(r).status(), StatusCode::kInvalidArgument,
                "SUIT_Report.records[0][4]{3}", "not one deterministic CBOR item");
  }
}

TEST(SuitReportEncode, RejectsBadReference) {
  Report digest_not_array = MinimalSuccess();
  digest_not_array.manifest_digest = H("4100");
  ExpectError(EncodeReport(digest_not_array).status(), StatusCode::kInvalidArgument,
              "SUIT_Report.reference[1]", "expected array");

  Report digest_truncated = MinimalSuccess();
  digest_truncated.manifest_digest = H("822f");
  ExpectError(EncodeReport(digest_truncated).status(), StatusCode::kInvalidArgument,
              "SUIT_Report.reference[1]");

  Report bad_uri = MinimalSuccess();
  bad_uri.reference_uri = std::string("\xc3\x28", 2);
  ExpectError(EncodeReport(bad_uri).status(), StatusCode::kInvalidArgument,
              "SUIT_Report.reference[0]", "UTF-8");
}

TEST(SuitReportEncode, RejectsReasonOutsideRegistry) {
  Report r = SmallFailure();
  r.failure->reason = static_cast<ReportReason>(13);
  ExpectError(EncodeReport(r).status(), StatusCode::kInvalidArgument, "SUIT_Report.result.reason",
              "13");
}

TEST(SuitReportEncode, RejectsMalformedSystemPropertyClaims) {
  Report no_params = MinimalSuccess();
  no_params.system_properties.push_back({H("814100"), {}});
  ExpectError(EncodeReport(no_params).status(), StatusCode::kInvalidArgument,
              "SUIT_Report.records[0]", "at least one parameter");

  Report key_zero = MinimalSuccess();
  key_zero.records.push_back(ReportRecord{});
  key_zero.system_properties.push_back({H("814100"), {{0, H("01")}}});
  ExpectError(EncodeReport(key_zero).status(), StatusCode::kInvalidArgument,
              "SUIT_Report.records[1]", "key 0");

  Report bad_id = MinimalSuccess();
  bad_id.system_properties.push_back({H("8101"), {{3, H("01")}}});  // [1], not [* bstr]
  ExpectError(EncodeReport(bad_id).status(), StatusCode::kInvalidArgument,
              "SUIT_Report.records[0]{0}", "expected bstr");
}

// ---------------------------------------------------------------------------
// Round trips
// ---------------------------------------------------------------------------

TEST(SuitReportRoundTrip, Success) {
  Report r;
  r.reference_uri = "https://tam.teep.example/manifests/hello.suit";
  ASSERT_OK_AND_ASSIGN(r.manifest_digest, EncodeDigest(-16, Bytes(32, 0xa7)));
  r.nonce = H("a0a1a2a3a4a5a6a7");
  ReportRecord validate;
  validate.section = 7;
  validate.offset = 300;
  validate.component_index = 2;
  validate.parameters = {{3, H("45822f42abcd")}, {14, H("1a00010000")}, {-257, H("6178")}};
  ReportRecord dependency;
  dependency.manifest_id = {1, 24};
  dependency.section = 15;
  r.records = {validate, dependency};
  r.system_properties.push_back(
      {H("82" "4b544545502d446576696365" "4100"), {{3, H("45822f42abcd")}, {28, H("4401020304")}}});

  ASSERT_OK_AND_ASSIGN(Bytes encoded, EncodeReport(r));
  ASSERT_OK_AND_ASSIGN(Report decoded, DecodeReport(encoded));
  EXPECT_TRUE(decoded.succeeded());
  ExpectSameReport(decoded, r);
  ASSERT_OK_AND_ASSIGN(Bytes again, EncodeReport(decoded));
  EXPECT_EQ(again, encoded);
}

TEST(SuitReportRoundTrip, Failure) {
  Report r = SmallFailure();
  r.reference_uri = "tam.teep.example/personalisation";
  r.failure->code = -260;  // a custom command (manifest-37 §11.4: private use)
  r.failure->reason = ReportReason::kInvocationPending;
  r.failure->record.manifest_id = {};
  r.failure->record.section = -1;
  r.failure->record.offset = 65536;
  r.failure->record.parameters = {{5, H("01")}, {14, H("190100")}};
  r.records.push_back(r.failure->record);

  ASSERT_OK_AND_ASSIGN(Bytes encoded, EncodeReport(r));
  ASSERT_OK_AND_ASSIGN(Report decoded, DecodeReport(encoded));
  EXPECT_FALSE(decoded.succeeded());
  ExpectSameReport(decoded, r);
  ASSERT_OK_AND_ASSIGN(Bytes again, EncodeReport(decoded));
  EXPECT_EQ(again, encoded);
}

TEST(SuitReportRoundTrip, EveryReason) {
  for (int reason = 0; reason <= 12; ++reason) {
    Report r = SmallFailure();
    r.failure->reason = static_cast<ReportReason>(reason);
    ASSERT_OK_AND_ASSIGN(Bytes encoded, EncodeReport(r));
    ASSERT_OK_AND_ASSIGN(Report decoded, DecodeReport(encoded));
    ASSERT_TRUE(decoded.failure.has_value());
    EXPECT_EQ(decoded.failure->reason, r.failure->reason);
  }
}

// ---------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------

TEST(SuitReportDecode, ByteExactExamples) {
  ASSERT_OK_AND_ASSIGN(Report success,
                       DecodeReport(H("a402420102038004f51863826175822f420000")));
  Report expected = MinimalSuccess();
  expected.nonce = H("0102");
  ExpectSameReport(success, expected);

  ASSERT_OK_AND_ASSIGN(
      Report failure,
      DecodeReport(H("a4024101038004a3050306858101140700a205010e190100070a18638260822f41aa")));
  Report expected_failure = SmallFailure();
  expected_failure.failure->record.parameters = {{5, H("01")}, {14, H("190100")}};
  ExpectSameReport(failure, expected_failure);
}

TEST(SuitReportDecode, NoncePresentAndAbsent) {
  ASSERT_OK_AND_ASSIGN(Report without, DecodeReport(Hex("a3 0380 04f5", kReferenceHex)));
  EXPECT_FALSE(without.nonce.has_value());
  EXPECT_TRUE(without.succeeded());
  EXPECT_EQ(without.reference_uri, "u");
  EXPECT_EQ(without.manifest_digest, H(kDigestHex));

  ASSERT_OK_AND_ASSIGN(Report with, DecodeReport(Hex("a4 0243aabbcc 0380 04f5", kReferenceHex)));
  ASSERT_TRUE(with.nonce.has_value());
  EXPECT_EQ(*with.nonce, H("aabbcc"));

  ASSERT_OK_AND_ASSIGN(Report empty, DecodeReport(Hex("a4 0240 0380 04f5", kReferenceHex)));
  ASSERT_TRUE(empty.nonce.has_value());
  EXPECT_TRUE(empty.nonce->empty());
}

TEST(SuitReportDecode, SystemPropertyClaims) {
  // 3: [ [[], 20, 7, 0, {}], {0: [h'00'], 3: << [-16, h'abcd'] >>} ]
  ASSERT_OK_AND_ASSIGN(
      Report r, DecodeReport(Hex("a3 03 82 85 80 14 07 00 a0 a2 00 814100 03 45822f42abcd 04f5",
                                 kReferenceHex)));
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].section, 20);
  ASSERT_EQ(r.system_properties.size(), 1u);
  EXPECT_EQ(r.system_properties[0].component_id, H("814100"));
  ASSERT_EQ(r.system_properties[0].parameters.size(), 1u);
  EXPECT_EQ(r.system_properties[0].parameters[0].first, 3);
  EXPECT_EQ(r.system_properties[0].parameters[0].second, H("45822f42abcd"));
}

// report-18 §4: the capability report is optional; we accept it unread.
TEST(SuitReportDecode, SkipsCapabilityReport) {
  // 8: {1: [[h'00']], 2: [1, 2], 3: [1], 4: [-16]}
  ASSERT_OK_AND_ASSIGN(
      Report r, DecodeReport(Hex("a4 0380 04f5 08 a4 0181814100 02820102 038101 04812f",
                                 kReferenceHex)));
  ExpectSameReport(r, MinimalSuccess());

  ExpectError(DecodeReport(Hex("a4 0380 04f5 08 80", kReferenceHex)).status(),
              StatusCode::kMalformed, "SUIT_Report.capability-report", "expected map, got array");
}

TEST(SuitReportDecode, CopiesIntoOwningStructs) {
  Bytes input = Hex("a4 0243aabbcc 03 81 85 80 14 07 00 a1 03 42abcd 04f5", kReferenceHex);
  ASSERT_OK_AND_ASSIGN(Report r, DecodeReport(input));
  std::fill(input.begin(), input.end(), 0);
  EXPECT_EQ(*r.nonce, H("aabbcc"));
  EXPECT_EQ(r.records[0].parameters[0].second, H("42abcd"));
  EXPECT_EQ(r.manifest_digest, H(kDigestHex));
  EXPECT_EQ(r.reference_uri, "u");
}

// Like the other SUIT decoders: a peer's unsorted map is accepted, a
// duplicate key never is (RFC 8949 §5.6).
TEST(SuitReportDecode, AcceptsUnsortedKeysButNotDuplicates) {
  ASSERT_OK_AND_ASSIGN(Report r, DecodeReport(Hex("a3", std::string(kReferenceHex) + "04f5 0380")));
  ExpectSameReport(r, MinimalSuccess());

  ExpectError(DecodeReport(Hex("a4 0380 0380 04f5", kReferenceHex)).status(),
              StatusCode::kMalformed, "SUIT_Report", "duplicate map key");
}

TEST(SuitReportDecode, RejectsTrailingBytes) {
  Bytes input = Hex("a3 0380 04f5", kReferenceHex);
  ASSERT_OK(DecodeReport(input).status());
  input.push_back(0x00);
  ExpectError(DecodeReport(input).status(), StatusCode::kMalformed, "SUIT_Report:", "trailing");
  ExpectError(DecodeReport(Bytes{}).status(), StatusCode::kMalformed, "SUIT_Report:");
}

TEST(SuitReportDecode, RejectsMissingRequiredKeys) {
  ExpectError(DecodeReport(H("a2 0380 04f5")).status(), StatusCode::kMalformed, "SUIT_Report:",
              "missing suit-reference (99)");
  ExpectError(DecodeReport(Hex("a2 04f5", kReferenceHex)).status(), StatusCode::kMalformed,
              "SUIT_Report:", "missing suit-report-records (3)");
  ExpectError(DecodeReport(Hex("a2 0380", kReferenceHex)).status(), StatusCode::kMalformed,
              "SUIT_Report:", "missing suit-report-result (4)");
}

TEST(SuitReportDecode, RejectsUnknownKeys) {
  ExpectError(DecodeReport(Hex("a4 0100 0380 04f5", kReferenceHex)).status(),
              StatusCode::kMalformed, "SUIT_Report:", "unknown key 1");
  ExpectError(DecodeReport(Hex("a4 0380 04f5 0900", kReferenceHex)).status(),
              StatusCode::kMalformed, "SUIT_Report:", "unknown key 9");
  ExpectError(DecodeReport(Hex("a4 0380 04f5 6178 00", kReferenceHex)).status(),
              StatusCode::kMalformed, "SUIT_Report[2] key", "expected an integer key, got text");
}

TEST(SuitReportDecode, RejectsReason13) {
  // 4: {5: 3, 6: [[], 20, 7, 0, {}], 7: 13}
  ExpectError(DecodeReport(Hex("a3 0380 04 a3 0503 06 85 80140700a0 070d", kReferenceHex)).status(),
              StatusCode::kMalformed, "SUIT_Report.result.reason", "unknown reason 13");
}

TEST(SuitReportDecode, RejectsRecordWithFourElements) {
  ExpectError(DecodeReport(Hex("a3 03 81 84 80140700 04f5", kReferenceHex)).status(),
              StatusCode::kMalformed, "SUIT_Report.records[0]", "5 elements, got 4");
  ExpectError(
      DecodeReport(Hex("a3 0380 04 a3 0503 06 84 80140700 070a", kReferenceHex)).status(),
      StatusCode::kMalformed, "SUIT_Report.result.record", "5 elements, got 4");
  // $$SUIT_Record_Extensions is empty: a sixth element is refused too.
  ExpectError(DecodeReport(Hex("a3 03 81 86 80140700a000 04f5", kReferenceHex)).status(),
              StatusCode::kMalformed, "SUIT_Report.records[0]", "5 elements, got 6");
}

struct BadInput {
  const char* name;
  std::string hex;
  const char* path;    // must appear in the message
  const char* detail;  // must appear in the message
};

// A report with `records` (a hex list) and `result` (hex) and the reference.
std::string WithParts(std::string_view records, std::string_view result) {
  return "a3 03" + std::string(records) + " 04" + std::string(result) + std::string(kReferenceHex);
}

TEST(SuitReportDecode, RejectsWrongTypesNamingThePath) {
  const std::string ref(kReferenceHex);
  const std::vector<BadInput> cases = {
      {"not a map", "80", "SUIT_Report:", "expected map, got array"},
      {"records not an array", WithParts("a0", "f5"), "SUIT_Report.records:",
       "expected array, got map"},
      {"record element text", WithParts("81 6178", "f5"), "SUIT_Report.records[0]:",
       "got text"},
      {"record tagged", WithParts("81 d818 80", "f5"), "SUIT_Report.records[0]:", "got tag 24"},
      {"manifest-id not array", WithParts("81 85 00 14 07 00 a0", "f5"),
       "SUIT_Report.records[0][0]:", "expected array, got unsigned integer"},
      {"manifest-id negative", WithParts("81 85 8120 14 07 00 a0", "f5"),
       "SUIT_Report.records[0][0][0]:", "expected uint, got negative integer"},
      {"section text", WithParts("81 85 80 6178 07 00 a0", "f5"), "SUIT_Report.records[0][1]:",
       "expected int, got text"},
      {"offset negative", WithParts("81 85 80 14 20 00 a0", "f5"), "SUIT_Report.records[0][2]:",
       "expected uint, got negative integer"},
      {"component index bstr", WithParts("81 85 80 14 07 40 a0", "f5"),
       "SUIT_Report.records[0][3]:", "expected uint, got byte string"},
      {"properties array", WithParts("81 85 80 14 07 00 80", "f5"), "SUIT_Report.records[0][4]:",
       "expected map, got array"},
      {"property key text", WithParts("81 85 80 14 07 00 a1 6178 01", "f5"),
       "SUIT_Report.records[0][4][0] key:", "expected an integer key, got text"},
      {"claims lack component id", WithParts("81 a1 03 4100", "f5"), "SUIT_Report.records[0]:",
       "system-component-id (0)"},
      {"claims only component id", WithParts("81 a1 00 814100", "f5"), "SUIT_Report.records[0]:",
       "at least one parameter"},
      {"claims component id not [* bstr]", WithParts("82 85 80 14 07 00 a0 a2 00 8101 03 4100", "f5"),
       "SUIT_Report.records[1]{0}:", "expected bstr, got unsigned integer"},
      {"result false", WithParts("80", "f4"), "SUIT_Report.result:", "got false"},
      {"result null", WithParts("80", "f6"), "SUIT_Report.result:", "got null"},
      {"result array", WithParts("80", "80"), "SUIT_Report.result:", "got array"},
      {"result code text", WithParts("80", "a3 05 6178 06 85 80140700a0 070a"),
       "SUIT_Report.result.code:", "expected int, got text"},
      {"result record map", WithParts("80", "a3 0503 06 a0 070a"), "SUIT_Report.result.record:",
       "expected array, got map"},
      {"result record[4] array", WithParts("80", "a3 0503 06 85 80140700 80 070a"),
       "SUIT_Report.result.record[4]:", "expected map, got array"},
      {"result reason negative", WithParts("80", "a3 0503 06 85 80140700a0 0720"),
       "SUIT_Report.result.reason:", "expected uint, got negative integer"},
      {"result unknown key", WithParts("80", "a3 0503 06 85 80140700a0 080a"),
       "SUIT_Report.result:", "unknown key 8"},
      {"result missing reason", WithParts("80", "a2 0503 06 85 80140700a0"),
       "SUIT_Report.result:", "missing suit-report-result-reason (7)"},
      {"result missing record", WithParts("80", "a2 0503 070a"), "SUIT_Report.result:",
       "missing suit-report-result-record (6)"},
      {"result missing code", WithParts("80", "a2 06 85 80140700a0 070a"), "SUIT_Report.result:",
       "missing suit-report-result-code (5)"},
      {"nonce text", "a4 02 6178 0380 04f5" + ref, "SUIT_Report.nonce:",
       "expected bstr, got text"},
      {"reference not array", "a3 0380 04f5 1863 6175", "SUIT_Report.reference:",
       "expected array, got text"},
      {"reference uri bstr", "a3 0380 04f5 1863 82 4175 822f420000", "SUIT_Report.reference[0]:",
       "expected tstr, got byte string"},
      {"reference digest bstr", "a3 0380 04f5 1863 82 6175 4100", "SUIT_Report.reference[1]:",
       "expected array, got byte string"},
      {"reference digest alg text", "a3 0380 04f5 1863 82 6175 82 6178 4100",
       "SUIT_Report.reference[1][0]:", "expected int, got text"},
      {"reference three elements", "a3 0380 04f5 1863 83 6175 822f420000 00",
       "SUIT_Report.reference:", "got 3 element(s)"},
  };
  for (const BadInput& c : cases) {
    SCOPED_TRACE(c.name);
    ExpectError(DecodeReport(H(c.hex)).status(), StatusCode::kMalformed, c.path, c.detail);
  }
}

// draft-ietf-teep-protocol-26 Appendix F still shows the pre-report-18 layout
// (1: digest, 2: uri, 4: map-shaped records); report-18 §4 numbers it
// 99 / 2 / 3 / 4, so these examples must not decode (spec/suit/README §7).
TEST(SuitReportDecode, RejectsObsoleteTeepAppendixFExamples) {
  for (const char* name : {"teep/vectors/f1-suit-report-success.hex",
                           "teep/vectors/f2-suit-report-failure.hex"}) {
    SCOPED_TRACE(name);
    Bytes vector = test::ReadVector(name);
    ASSERT_FALSE(vector.empty());
    ExpectError(DecodeReport(vector).status(), StatusCode::kMalformed, "SUIT_Report:",
                "unknown key 1");
  }
}

// ---------------------------------------------------------------------------
// Description
// ---------------------------------------------------------------------------

TEST(SuitReportDescribe, Failure) {
  Report r = SmallFailure();
  r.reference_uri = "tam.teep.example/hello";
  r.failure->record.manifest_id = {};
  const std::string text = DescribeReport(r);
  EXPECT_THAT(text, HasSubstr("failed: condition-failed (10) at install (20) offset 7, "
                              "component 0, command 3"));
  EXPECT_THAT(text, HasSubstr("tam.teep.example/hello"));
  EXPECT_THAT(text, HasSubstr("nonce h'01'"));
}

TEST(SuitReportDescribe, FailureInDependencyAndUnnamedSection) {
  Report r = SmallFailure();
  r.failure->reason = ReportReason::kUnauthorised;
  r.failure->record.section = 42;
  r.failure->record.manifest_id = {1, 0};
  const std::string text = DescribeReport(r);
  EXPECT_THAT(text, HasSubstr("unauthorised (4)"));
  EXPECT_THAT(text, HasSubstr("section (42)"));
  EXPECT_THAT(text, HasSubstr("command 3, in dependency manifest [1, 0]"));
  EXPECT_THAT(text, HasSubstr("without reference URI"));
}

TEST(SuitReportDescribe, Success) {
  Report r = MinimalSuccess();
  r.records.push_back(InstallRecord());
  r.system_properties.push_back({H("814100"), {{3, H("01")}}});
  const std::string text = DescribeReport(r);
  EXPECT_THAT(text, HasSubstr("succeeded"));
  EXPECT_THAT(text, HasSubstr("\"u\""));
  EXPECT_THAT(text, HasSubstr("1 record"));
  EXPECT_THAT(text, HasSubstr("1 system-property claim"));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("nonce")));
}

}  // namespace
}  // namespace teep::suit
