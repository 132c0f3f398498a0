// The wire tables against independent statements of the numbers: the -26
// CDDL / IANA registry, and the legacy numbers as the spec digest (README
// §0.1, §7) and the legacy implementations state them.
#include <gtest/gtest.h>

#include <set>

#include "core/teep/errors.h"
#include "core/teep/numbers.h"

namespace teep::msg {
namespace {

struct Row {
  Option option;
  const char* name;
  uint64_t draft26;
  uint64_t draft25;
};

// Written out by hand, not derived from numbers.cc.
const Row kLabels[] = {
    {Option::kSupportedTeepCipherSuites, "supported-teep-cipher-suites", 1, 1},
    {Option::kChallenge, "challenge", 2, 2},
    {Option::kVersions, "versions", 3, 3},
    {Option::kSupportedSuitCoseProfiles, "supported-suit-cose-profiles", 4, 4},
    {Option::kSelectedVersion, "selected-version", 5, 6},
    {Option::kAttestationPayload, "attestation-payload", 6, 7},
    {Option::kTcList, "tc-list", 7, 8},
    {Option::kExtList, "ext-list", 8, 9},
    {Option::kManifestList, "manifest-list", 9, 10},
    {Option::kMsg, "msg", 10, 11},
    {Option::kErrMsg, "err-msg", 11, 12},
    {Option::kAttestationPayloadFormat, "attestation-payload-format", 12, 13},
    {Option::kRequestedTcList, "requested-tc-list", 13, 14},
    {Option::kUnneededManifestList, "unneeded-manifest-list", 14, 15},
    {Option::kComponentId, "component-id", 15, 16},
    {Option::kTcManifestSequenceNumber, "tc-manifest-sequence-number", 16, 17},
    {Option::kHaveBinary, "have-binary", 17, 18},
    {Option::kSuitReports, "suit-reports", 18, 19},
    {Option::kToken, "token", 19, 20},
    {Option::kSupportedFreshnessMechanisms, "supported-freshness-mechanisms", 20, 21},
    {Option::kErrLang, "err-lang", 21, 22},
    {Option::kErrCode, "err-code", 22, 23},
};

TEST(Numbers, OptionLabels) {
  static_assert(std::size(kLabels) == kOptionCount);
  for (const Row& row : kLabels) {
    SCOPED_TRACE(row.name);
    EXPECT_EQ(OptionName(row.option), row.name);
    EXPECT_EQ(Draft26().Label(row.option), row.draft26);
    EXPECT_EQ(Draft25().Label(row.option), row.draft25);
    EXPECT_EQ(Draft26().OptionForLabel(row.draft26), row.option);
    EXPECT_EQ(Draft25().OptionForLabel(row.draft25), row.option);
  }
  // Unassigned: -26 labels 0 and 23 (README §3); legacy 0 and 5 (the
  // removed selected-cipher-suite).
  for (uint64_t l : {0, 23, 24, 1000}) EXPECT_FALSE(Draft26().OptionForLabel(l)) << l;
  for (uint64_t l : {0, 5, 24}) EXPECT_FALSE(Draft25().OptionForLabel(l)) << l;
}

TEST(Numbers, MessageTypes) {
  const std::pair<MessageType, std::pair<uint64_t, uint64_t>> rows[] = {
      {MessageType::kQueryRequest, {1, 1}}, {MessageType::kQueryResponse, {2, 2}},
      {MessageType::kUpdate, {3, 3}},       {MessageType::kSuccess, {4, 5}},
      {MessageType::kError, {5, 6}},
  };
  for (const auto& [type, numbers] : rows) {
    EXPECT_EQ(Draft26().TypeNumber(type), numbers.first);
    EXPECT_EQ(Draft25().TypeNumber(type), numbers.second);
    EXPECT_EQ(Draft26().TypeForNumber(numbers.first), type);
    EXPECT_EQ(Draft25().TypeForNumber(numbers.second), type);
  }
  EXPECT_FALSE(Draft26().TypeForNumber(0));
  EXPECT_FALSE(Draft26().TypeForNumber(6));
  EXPECT_FALSE(Draft25().TypeForNumber(4));  // reserved in legacy
  EXPECT_EQ(MessageTypeName(MessageType::kQueryResponse), "QueryResponse");
}

TEST(Numbers, ErrorCodes) {
  for (size_t i = 0; i < kErrorCodeCount; ++i) {
    const auto code = static_cast<ErrorCode>(i);
    const uint64_t legacy = code == ErrorCode::kManifestProcessingFailed ? 17 : i + 1;
    EXPECT_EQ(Draft26().ErrCodeNumber(code), i + 1);
    EXPECT_EQ(Draft25().ErrCodeNumber(code), legacy);
  }
  EXPECT_EQ(ErrorCodeName(11), "ERR_MANIFEST_PROCESSING_FAILED");
  EXPECT_EQ(ErrorCodeName(17, Draft25()), "ERR_MANIFEST_PROCESSING_FAILED");
  EXPECT_EQ(ErrorCodeName(11, Draft25()), "unassigned error 11");
  EXPECT_EQ(ErrorCodeName(1), "ERR_PERMANENT_ERROR");
  EXPECT_EQ(ErrorCodeName(7), "ERR_ATTESTATION_REQUIRED");
  EXPECT_EQ(ErrorCodeName(0), "reserved error 0");
  EXPECT_EQ(ErrorCodeName(12), "unassigned error 12");
  EXPECT_EQ(ErrorCodeName(23), "unassigned error 23");
  EXPECT_EQ(ErrorCodeName(24), "unknown error 24");
  EXPECT_EQ(ErrorCodeName(42), "unknown error 42");
  EXPECT_EQ(ClassifyErrCode(11), ErrCodeClass::kKnown);
  EXPECT_EQ(ClassifyErrCode(0), ErrCodeClass::kReserved);
  EXPECT_EQ(ClassifyErrCode(17), ErrCodeClass::kUnassigned);
  EXPECT_EQ(ClassifyErrCode(17, Draft25()), ErrCodeClass::kKnown);
  EXPECT_EQ(ClassifyErrCode(UINT64_MAX), ErrCodeClass::kUnknown);
  // P §4.6 required options.
  EXPECT_EQ(GetErrorCodeInfo(ErrorCode::kUnsupportedCipherSuites).required_option,
            Option::kSupportedTeepCipherSuites);
  EXPECT_EQ(GetErrorCodeInfo(ErrorCode::kUnsupportedFreshnessMechanisms).required_option,
            Option::kSupportedFreshnessMechanisms);
  EXPECT_EQ(GetErrorCodeInfo(ErrorCode::kUnsupportedMsgVersion).required_option,
            Option::kVersions);
  EXPECT_EQ(GetErrorCodeInfo(ErrorCode::kUnsupportedSuitReport).required_option,
            Option::kSupportedSuitCoseProfiles);
  EXPECT_FALSE(GetErrorCodeInfo(ErrorCode::kTemporaryError).required_option);
  for (size_t i = 0; i < kErrorCodeCount; ++i) {
    EXPECT_FALSE(GetErrorCodeInfo(static_cast<ErrorCode>(i)).meaning.empty());
    EXPECT_EQ(GetErrorCodeInfo(static_cast<ErrorCode>(i)).code, static_cast<ErrorCode>(i));
  }
}

TEST(Numbers, ProfilesByName) {
  EXPECT_EQ(ProfileByName("draft-26"), &Draft26());
  EXPECT_EQ(ProfileByName("draft-25"), &Draft25());
  EXPECT_EQ(ProfileByName("draft-24"), nullptr);
  EXPECT_EQ(ProfileByName(""), nullptr);
  // Each table is a bijection (no number given twice).
  for (const WireProfile* p : {&Draft26(), &Draft25()}) {
    EXPECT_EQ(std::set<uint64_t>(p->option_labels.begin(), p->option_labels.end()).size(),
              kOptionCount);
    EXPECT_EQ(std::set<uint64_t>(p->message_types.begin(), p->message_types.end()).size(),
              kMessageTypeCount);
    EXPECT_EQ(std::set<uint64_t>(p->error_codes.begin(), p->error_codes.end()).size(),
              kErrorCodeCount);
  }
}

// README §3.1 "Option labels allowed", written out by -26 label.
TEST(Numbers, OptionsAllowedPerMessage) {
  const std::pair<MessageType, std::set<uint64_t>> rows[] = {
      {MessageType::kQueryRequest, {19, 20, 2, 3, 12, 6, 18}},
      {MessageType::kQueryResponse, {19, 5, 12, 6, 18, 7, 13, 14, 8}},
      {MessageType::kUpdate, {19, 14, 9, 12, 6, 22, 11, 21}},
      {MessageType::kSuccess, {19, 10, 18}},
      {MessageType::kError, {19, 11, 21, 1, 20, 4, 2, 3, 18}},
  };
  for (const auto& [type, labels] : rows) {
    for (uint64_t label = 1; label <= 22; ++label) {
      auto option = Draft26().OptionForLabel(label);
      ASSERT_TRUE(option);
      EXPECT_EQ(OptionAllowedIn(type, *option), labels.count(label) == 1)
          << MessageTypeName(type) << " label " << label;
    }
  }
}

}  // namespace
}  // namespace teep::msg
