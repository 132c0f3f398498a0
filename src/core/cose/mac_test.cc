#include "core/cose/mac.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_util.h"
#include "vector_files.h"

#include <string>
#include <vector>

#include "core/cbor/writer.h"
#include "core/cose/algorithms.h"
#include "core/cose/headers.h"

namespace teep::cose {
namespace {

using ::testing::HasSubstr;

using test::H;

void ExpectStatus(const Status& st, StatusCode code, std::string_view part) {
  EXPECT_EQ(st.code(), code) << st.ToString();
  EXPECT_THAT(st.message(), HasSubstr(part)) << st.ToString();
}

// RFC 9052 Appendix C.6.1 (cose-wg Examples mac0-tests/HMac-01): COSE_Mac0,
// HMAC 256/256, key "our-secret", payload "This is the content.".
constexpr std::string_view kRfcKey = "849b57219dae48de646d07dbb533566e976686457c1491be3a76dcea6c427188";
constexpr std::string_view kRfcMac0 =
    "d18443a10105a054546869732069732074686520636f6e74656e742e5820"
    "a1a848d3471f9d61ee49018d244c824772f223ad4f935293f1789fc3a08d8c58";

Bytes Content() {
  std::string_view s = "This is the content.";
  return Bytes(s.begin(), s.end());
}

// A COSE_Mac0 assembled from encoded items, for malformed-input tests.
Bytes Mac0Raw(bool tagged, const std::vector<Bytes>& items, uint64_t tag = kTagMac0) {
  cbor::Writer w;
  if (tagged) w.WriteTag(tag);
  w.BeginArray(items.size());
  for (const Bytes& item : items) w.WriteRaw(item);
  return std::move(w).Finish().value();
}

TEST(CoseMac0, PublishedExampleVerifies) {
  const Bytes msg = H(kRfcMac0);
  const Bytes key = H(kRfcKey);
  auto m = DecodeMac0(msg);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_TRUE(m->tagged);
  EXPECT_EQ(m->headers.protected_params.alg, kAlgHmac256);
  ASSERT_TRUE(m->payload.has_value());
  EXPECT_EQ(ToBytes(*m->payload), Content());
  EXPECT_EQ(m->tag.size(), 32u);
  Status st = VerifyMac0(*m, key);
  EXPECT_TRUE(st.ok()) << st.ToString();
}

TEST(CoseMac0, CreateReproducesPublishedExample) {
  // HMAC and our CBOR are deterministic: the same inputs give the RFC bytes.
  auto out = CreateMac0(H(kRfcKey), Content());
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(HexEncode(*out), kRfcMac0);
}

TEST(CoseMac0, WrongKeyPayloadOrTagFails) {
  const Bytes msg = H(kRfcMac0);
  auto m = DecodeMac0(msg);
  ASSERT_TRUE(m.ok());
  Bytes key = H(kRfcKey);
  key[0] ^= 1;
  ExpectStatus(VerifyMac0(*m, key), StatusCode::kVerificationFailed, "COSE_Mac0: tag does not verify");

  // Flipped bit in the tag.
  Bytes bad_tag = msg;
  bad_tag.back() ^= 0x01;
  auto mt = DecodeMac0(bad_tag);
  ASSERT_TRUE(mt.ok());
  EXPECT_EQ(VerifyMac0(*mt, H(kRfcKey)).code(), StatusCode::kVerificationFailed);

  // Flipped bit in the payload.
  Bytes bad_payload = msg;
  bad_payload[8] ^= 0x01;  // 'T' of the content
  auto mp = DecodeMac0(bad_payload);
  ASSERT_TRUE(mp.ok());
  EXPECT_EQ(VerifyMac0(*mp, H(kRfcKey)).code(), StatusCode::kVerificationFailed);
}

TEST(CoseMac0, TruncatedTagFails) {
  // The first 8 bytes of the right tag (what HMAC 256/64 would carry) are
  // not an HMAC 256/256 tag.
  const Bytes published = H(kRfcMac0);  // m's views point into it
  auto m = DecodeMac0(published);
  ASSERT_TRUE(m.ok());
  Bytes truncated = Mac0Raw(true, {EncodeBytesItem(H("a10105")), H("a0"), EncodeBytesItem(Content()),
                                   EncodeBytesItem(m->tag.first(8))});
  auto mt = DecodeMac0(truncated);
  ASSERT_TRUE(mt.ok()) << mt.status().ToString();
  ExpectStatus(VerifyMac0(*mt, H(kRfcKey)), StatusCode::kVerificationFailed,
               "expected 32 bytes, got 8");
  Bytes minus_one = Mac0Raw(true, {EncodeBytesItem(H("a10105")), H("a0"), EncodeBytesItem(Content()),
                                   EncodeBytesItem(m->tag.first(31))});
  auto m31 = DecodeMac0(minus_one);
  ASSERT_TRUE(m31.ok());
  EXPECT_EQ(VerifyMac0(*m31, H(kRfcKey)).code(), StatusCode::kVerificationFailed);
}

TEST(CoseMac0, RoundTripOptions) {
  const Bytes key(32, 0x5a);
  const Bytes payload = {1, 2, 3};
  const Bytes aad = {9, 9};
  for (bool tagged : {true, false}) {
    for (bool detached : {false, true}) {
      SCOPED_TRACE(std::string(tagged ? "tagged" : "untagged") + (detached ? " detached" : " attached"));
      MacOptions o;
      o.tagged = tagged;
      o.detached = detached;
      o.external_aad = aad;
      o.kid = {'k'};
      auto out = CreateMac0(key, payload, o);
      ASSERT_TRUE(out.ok()) << out.status().ToString();
      EXPECT_EQ((*out)[0] == 0xd1, tagged);
      auto m = DecodeMac0(*out);
      ASSERT_TRUE(m.ok()) << m.status().ToString();
      EXPECT_EQ(m->tagged, tagged);
      EXPECT_EQ(m->payload.has_value(), !detached);
      ASSERT_TRUE(m->headers.kid().has_value());
      std::optional<ByteView> dp;
      if (detached) dp = ByteView(payload);
      EXPECT_TRUE(VerifyMac0(*m, key, aad, dp).ok());
      EXPECT_EQ(VerifyMac0(*m, key, {}, dp).code(), StatusCode::kVerificationFailed);
      if (detached) {
        ExpectStatus(VerifyMac0(*m, key, aad), StatusCode::kInvalidArgument, "no detached payload");
      } else {
        ExpectStatus(VerifyMac0(*m, key, aad, ByteView(payload)), StatusCode::kInvalidArgument,
                     "also given");
      }
      EXPECT_EQ(DecodeMac0(*out, TagPolicy::kRequireTagged).ok(), tagged);
      EXPECT_EQ(DecodeMac0(*out, TagPolicy::kRequireUntagged).ok(), !tagged);
    }
  }
}

TEST(CoseMac0, KeyLength) {
  const Bytes payload = {1};
  // 16 bytes is the minimum we accept; shorter keys are refused both ways.
  auto ok16 = CreateMac0(Bytes(16, 1), payload);
  ASSERT_TRUE(ok16.ok()) << ok16.status().ToString();
  auto m = DecodeMac0(*ok16);
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(VerifyMac0(*m, Bytes(16, 1)).ok());
  ExpectStatus(CreateMac0(Bytes(15, 1), payload).status(), StatusCode::kInvalidArgument,
               "at least 16 bytes, got 15");
  ExpectStatus(VerifyMac0(*m, Bytes(15, 1)), StatusCode::kInvalidArgument, "at least 16 bytes");
}

TEST(CoseMac0, AlgPolicy) {
  const Bytes published = H(kRfcMac0);
  auto m = DecodeMac0(published);
  ASSERT_TRUE(m.ok());
  const Bytes key = H(kRfcKey);
  // alg only in the unprotected bucket.
  const Bytes mu_bytes = Mac0Raw(true, {EncodeBytesItem({}), H("a10105"), EncodeBytesItem(Content()), EncodeBytesItem(m->tag)});
  auto mu = DecodeMac0(mu_bytes);
  ASSERT_TRUE(mu.ok()) << mu.status().ToString();
  ExpectStatus(VerifyMac0(*mu, key), StatusCode::kUnsupported, "alg (1) must be in the protected bucket");
  // No alg.
  const Bytes mn_bytes = Mac0Raw(true, {EncodeBytesItem({}), H("a0"), EncodeBytesItem(Content()), EncodeBytesItem(m->tag)});
  auto mn = DecodeMac0(mn_bytes);
  ASSERT_TRUE(mn.ok());
  ExpectStatus(VerifyMac0(*mn, key), StatusCode::kMalformed, "alg (1) is missing");
  // HMAC 256/64 (4) and a signature alg are not HMAC 256/256.
  const Bytes m4_bytes = Mac0Raw(true, {EncodeBytesItem(H("a10104")), H("a0"), EncodeBytesItem(Content()), EncodeBytesItem(m->tag)});
  auto m4 = DecodeMac0(m4_bytes);
  ASSERT_TRUE(m4.ok());
  ExpectStatus(VerifyMac0(*m4, key), StatusCode::kUnsupported, "alg 4 is not supported");
  const Bytes m7_bytes = Mac0Raw(true, {EncodeBytesItem(H("a10126")), H("a0"), EncodeBytesItem(Content()), EncodeBytesItem(m->tag)});
  auto m7 = DecodeMac0(m7_bytes);
  ASSERT_TRUE(m7.ok());
  ExpectStatus(VerifyMac0(*m7, key), StatusCode::kUnsupported, "alg -7 (ES256)");
}

TEST(CoseMac0, StructureErrors) {
  const Bytes tag(32, 0);
  auto expect = [](const Bytes& msg, std::string_view part) {
    auto m = DecodeMac0(msg);
    ASSERT_FALSE(m.ok()) << HexEncode(msg) << " was accepted";
    EXPECT_EQ(m.status().code(), StatusCode::kMalformed);
    EXPECT_THAT(m.status().message(), HasSubstr("COSE_Mac0"));
    EXPECT_THAT(m.status().message(), HasSubstr(part)) << m.status().ToString();
  };
  const Bytes prot = EncodeBytesItem(H("a10105"));
  expect(Mac0Raw(true, {prot, H("a0"), EncodeBytesItem({}), EncodeBytesItem(tag)}, kTagSign1),
         "expected tag 17 or no tag, got tag 18");
  expect(Mac0Raw(true, {prot, H("a0"), EncodeBytesItem({})}), "array of 4 items, got 3");
  expect(Mac0Raw(true, {prot, H("a0"), H("01"), EncodeBytesItem(tag)}),
         "payload must be a byte string or nil, got unsigned integer");
  expect(Mac0Raw(true, {prot, H("a0"), EncodeBytesItem({}), H("f6")}), "tag must be a byte string, got nil");
  Bytes trailing = H(kRfcMac0);
  trailing.push_back(0xf6);
  expect(trailing, "trailing");
}

}  // namespace
}  // namespace teep::cose
