#include "core/cose/headers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_util.h"
#include "vector_files.h"

#include <memory>
#include <string>

#include "core/cose/algorithms.h"

namespace teep::cose {
namespace {

using ::testing::HasSubstr;

using test::H;

// Owns the buffers that a Headers value points into.
struct Decoded {
  Bytes prot;
  Bytes unprot;
  Result<Headers> headers = Status(StatusCode::kInternal, "not decoded");
};

std::unique_ptr<Decoded> Decode(std::string_view protected_hex, std::string_view unprotected_hex) {
  auto d = std::make_unique<Decoded>();
  d->prot = H(protected_hex);
  d->unprot = H(unprotected_hex);
  d->headers = DecodeHeaders(d->prot, d->unprot, "COSE_Test");
  return d;
}

void ExpectError(std::string_view protected_hex, std::string_view unprotected_hex, StatusCode code,
                 std::string_view message_part) {
  auto d = Decode(protected_hex, unprotected_hex);
  ASSERT_FALSE(d->headers.ok()) << protected_hex << " / " << unprotected_hex << " was accepted";
  EXPECT_EQ(d->headers.status().code(), code) << d->headers.status().ToString();
  EXPECT_THAT(d->headers.status().message(), HasSubstr(message_part));
  EXPECT_THAT(d->headers.status().message(), HasSubstr("COSE_Test"));
}

TEST(CoseHeaders, DecodesCommonParameters) {
  // protected {1: -7}, unprotected {4: h'0102'}
  auto d = Decode("a10126", "a104420102");
  ASSERT_TRUE(d->headers.ok()) << d->headers.status().ToString();
  const Headers& h = *d->headers;
  EXPECT_EQ(h.alg(), kAlgES256);
  EXPECT_EQ(h.protected_params.alg, kAlgES256);
  EXPECT_FALSE(h.unprotected_params.alg.has_value());
  ASSERT_TRUE(h.kid().has_value());
  EXPECT_EQ(ToBytes(*h.kid()), H("0102"));
  // The protected bytes are the bucket exactly as carried.
  EXPECT_EQ(h.protected_bytes.data(), d->prot.data());
  EXPECT_EQ(h.protected_bytes.size(), 3u);
}

TEST(CoseHeaders, EmptyProtectedBucketForms) {
  // RFC 9052 §3: an empty protected bucket is h''; an encoded empty map is
  // also accepted on input.
  auto a = Decode("", "a0");
  ASSERT_TRUE(a->headers.ok()) << a->headers.status().ToString();
  EXPECT_FALSE(a->headers->alg().has_value());
  auto b = Decode("a0", "a0");
  ASSERT_TRUE(b->headers.ok()) << b->headers.status().ToString();
}

TEST(CoseHeaders, AcceptsUnsortedMapsFromPeers) {
  // unprotected {4: h'01', 3: 0} (not in deterministic order).
  auto d = Decode("a10126", "a204410103 00");
  ASSERT_TRUE(d->headers.ok()) << d->headers.status().ToString();
  EXPECT_EQ(ToBytes(d->headers->unprotected_params.content_type), H("00"));
}

TEST(CoseHeaders, RejectsLabelInBothBuckets) {
  // RFC 9052 §3: {1: -7} in both buckets.
  ExpectError("a10126", "a10126", StatusCode::kMalformed, "both protected and unprotected");
  // Also with a text label.
  ExpectError("a1636b657901", "a1636b657902", StatusCode::kMalformed,
              "both protected and unprotected");
}

TEST(CoseHeaders, CritWithUnknownLabelIsUnsupported) {
  // protected {2: [99], 99: 1}: label 99 is present but not understood.
  ExpectError("a2028118631863 01", "a0", StatusCode::kUnsupported, "99");
}

TEST(CoseHeaders, CritWithKnownLabelIsAccepted) {
  // protected {1: -7, 2: [1]}
  auto d = Decode("a201260281 01", "a0");
  ASSERT_TRUE(d->headers.ok()) << d->headers.status().ToString();
  EXPECT_EQ(d->headers->protected_params.crit, std::vector<int64_t>{1});
}

TEST(CoseHeaders, CritInUnprotectedBucketRejected) {
  // unprotected {2: [4], 4: h'01'}
  ExpectError("a10126", "a202810404 4101", StatusCode::kMalformed,
              "crit (2) must be in the protected bucket");
}

TEST(CoseHeaders, CritNamingAbsentLabelRejected) {
  // protected {1: -7, 2: [4]} with kid absent from the protected bucket
  // (present only in the unprotected one does not count).
  ExpectError("a20126028104", "a0", StatusCode::kMalformed, "absent");
  ExpectError("a20126028104", "a1044101", StatusCode::kMalformed, "absent");
}

TEST(CoseHeaders, CritMustBeNonEmptyArray) {
  ExpectError("a2012602 80", "a0", StatusCode::kMalformed, "crit (2) must not be empty");
  ExpectError("a2012602 01", "a0", StatusCode::kMalformed, "crit (2) must be an array");
}

TEST(CoseHeaders, IvAndPartialIvTogetherRejected) {
  // Same bucket: unprotected {5: h'00..', 6: h'01'}.
  ExpectError("a10101", "a2054c000000000000000000000000 064101", StatusCode::kMalformed,
              "both IV (5) and partial IV (6)");
  // Across buckets: protected {5: IV}, unprotected {6: partial IV}.
  ExpectError("a1054c000000000000000000000000", "a1064101", StatusCode::kMalformed,
              "both IV (5) and partial IV (6)");
}

TEST(CoseHeaders, ParameterTypesChecked) {
  ExpectError("a10126", "a1046474657874", StatusCode::kMalformed, "kid (4) must be a byte string");
  ExpectError("a1016545533235 36", "a0", StatusCode::kMalformed, "alg (1) must be an integer");
  ExpectError("a10126", "a105 01", StatusCode::kMalformed, "IV (5) must be a byte string");
  ExpectError("a10126", "a106 01", StatusCode::kMalformed, "partial IV (6) must be a byte string");
  ExpectError("a10126", "a103 40", StatusCode::kMalformed, "content type (3) must be a uint or text");
  ExpectError("a10126", "a120 01", StatusCode::kMalformed, "ephemeral key (-1)");
  // A label that is neither int nor text.
  ExpectError("a10126", "a1 4101 01", StatusCode::kMalformed, "header label must be an integer or text");
}

TEST(CoseHeaders, BucketShapeChecked) {
  // Protected bucket content that is not a map, or has trailing bytes.
  ExpectError("01", "a0", StatusCode::kMalformed, "protected");
  ExpectError("a1012600", "a0", StatusCode::kMalformed, "protected");
  ExpectError("a10126", "80", StatusCode::kMalformed, "unprotected");
  // Duplicate keys are never accepted, even from peers.
  ExpectError("a201260126", "a0", StatusCode::kMalformed, "duplicate");
}

TEST(CoseHeaders, TextLabelsKeptInOther) {
  // unprotected {"foo": 1, 99: h'02'}
  auto d = Decode("a10126", "a263666f6f01 1863 4102");
  ASSERT_TRUE(d->headers.ok()) << d->headers.status().ToString();
  const auto& other = d->headers->unprotected_params.other;
  ASSERT_EQ(other.size(), 2u);
  EXPECT_EQ(ToBytes(other[0].first), H("63666f6f"));
  EXPECT_EQ(ToBytes(other[0].second), H("01"));
  EXPECT_EQ(ToBytes(other[1].first), H("1863"));
  EXPECT_EQ(ToBytes(other[1].second), H("4102"));
}

TEST(CoseHeaders, EncodeHeaderMapSortsDeterministically) {
  // Labels given out of order; the output is in bytewise order of the
  // encoded labels: 1 (0x01), 4 (0x04), -1 (0x20).
  auto m = EncodeHeaderMap({{-1, EncodeIntItem(5)}, {4, EncodeBytesItem(H("01"))},
                            {1, EncodeIntItem(-7)}});
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(HexEncode(*m), "a301260441012005");
}

TEST(CoseHeaders, EncodeHeaderMapRejectsDuplicates) {
  auto m = EncodeHeaderMap({{1, EncodeIntItem(-7)}, {1, EncodeIntItem(-8)}});
  EXPECT_FALSE(m.ok());
}

TEST(CoseHeaders, EmptyProtectedBucketIsZeroLength) {
  auto p = EncodeProtectedBucket({});
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->empty());
  auto q = EncodeProtectedBucket({{1, EncodeIntItem(-9)}});
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(HexEncode(*q), "a10128");
  auto u = EncodeHeaderMap({});
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(HexEncode(*u), "a0");
}

}  // namespace
}  // namespace teep::cose
