#include "host/inspect/inspect.h"

#include <gtest/gtest.h>

#include "core/cose/sign.h"
#include "core/teep/codec.h"
#include "vector_files.h"

namespace teep::host {
namespace {

using test::ReadSpecText;
using test::ReadVector;

InspectKey SpecKey(const std::string& rel) {
  return {rel, *crypto::PublicKey::FromPem(ReadSpecText(rel))};
}

TEST(Inspect, VerifiesSuitEnvelopeSignatureWithThePublishedKey) {
  InspectOptions o;
  o.keys.push_back(SpecKey("teep/vectors/keys/appE-suit-signer-p256.pub.pem"));
  auto r = Inspect(ReadVector("teep/vectors/e2-suit-integrated.hex"), o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->signatures_found, 1);
  EXPECT_EQ(r->signatures_verified, 1);
  EXPECT_TRUE(r->problems.empty());
  EXPECT_NE(r->output.find("SUIT_Envelope"), std::string::npos);
  EXPECT_NE(r->output.find("manifest digest: matches"), std::string::npos);
  EXPECT_NE(r->output.find("VERIFIED by teep/vectors/keys/appE-suit-signer-p256.pub.pem"),
            std::string::npos);
  EXPECT_NE(r->output.find("ESP256 (-9)"), std::string::npos);
}

TEST(Inspect, ReportsASignatureThatNoKeyVerifies) {
  InspectOptions o;
  auto stranger = crypto::PrivateKey::Generate(crypto::KeyType::kP256);
  ASSERT_TRUE(stranger.ok());
  o.keys.push_back({"stranger.pem", stranger->Public()});
  auto r = Inspect(ReadVector("teep/vectors/e1-suit-uri.hex"), o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->signatures_verified, 0);
  ASSERT_EQ(r->problems.size(), 1u);
  EXPECT_NE(r->problems[0].find("NOT verified"), std::string::npos);
}

TEST(Inspect, FlagsATamperedManifest) {
  Bytes e2 = ReadVector("teep/vectors/e2-suit-integrated.hex");
  e2[e2.size() / 2] ^= 0x01;  // somewhere inside the manifest or payload
  auto r = Inspect(e2, {});
  if (!r.ok()) GTEST_SKIP() << "flip made the CBOR malformed";
  EXPECT_FALSE(r->problems.empty());
}

TEST(Inspect, FlagsAnUnsignedManifest) {
  auto r = Inspect(ReadVector("suit/vectors/suit-example0-unsigned.hex"), {});
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->problems.empty());
  EXPECT_NE(r->problems[0].find("no authentication block"), std::string::npos);
}

TEST(Inspect, RecognisesUntaggedAndTaggedSign1AndNamesTheKey) {
  auto key = *crypto::PrivateKey::Generate(crypto::KeyType::kEd25519);
  for (bool tagged : {true, false}) {
    cose::SignOptions so;
    so.tagged = tagged;
    Bytes msg = *cose::CreateSign1(key, AsBytes("hello"), so);
    InspectOptions o;
    auto other = crypto::PrivateKey::Generate(crypto::KeyType::kEd25519);
    ASSERT_TRUE(other.ok());
    o.keys.push_back({"other.pem", other->Public()});
    o.keys.push_back({"mine.pem", key.Public()});
    auto r = Inspect(msg, o);
    ASSERT_TRUE(r.ok());
    EXPECT_NE(r->output.find(tagged ? "COSE_Sign1 (tag 18)" : "COSE_Sign1 (untagged)"), std::string::npos);
    EXPECT_NE(r->output.find("VERIFIED by mine.pem"), std::string::npos);
    EXPECT_EQ(r->signatures_verified, 1);
  }
}

TEST(Inspect, JsonOutputNamesTheVerifyingKey) {
  InspectOptions o;
  o.json = true;
  o.keys.push_back(SpecKey("suit/vectors/suit-spec-example-p256-pub.pem"));
  auto r = Inspect(ReadVector("suit/vectors/suit-example1-signed.hex"), o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->output.front(), '{');
  EXPECT_NE(r->output.find("\"structure\":\"SUIT_Envelope\""), std::string::npos);
  EXPECT_NE(r->output.find("\"verified_by\":\"suit/vectors/suit-spec-example-p256-pub.pem\""),
            std::string::npos);
}

TEST(Inspect, RefusesMalformedCborWithOffset) {
  Bytes bad = *HexDecode("a201020103");
  auto r = Inspect(bad, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "not well-formed CBOR: offset 3: duplicate map key");
}

TEST(Inspect, PrintsPlainCborAsDiagnosticNotation) {
  auto r = Inspect(*HexDecode("a10102"), {});
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->output.find("CBOR, 3 bytes"), std::string::npos) << r->output;
  EXPECT_NE(r->output.find("1: 2"), std::string::npos) << r->output;
}

TEST(Inspect, NamesTeepMessagesAndTheirFields) {
  auto r = Inspect(ReadVector("teep/vectors/d1-query-request.hex"), {});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->problems.empty()) << r->output;
  EXPECT_NE(r->output.find("QueryRequest"), std::string::npos) << r->output;
  EXPECT_NE(r->output.find("token (19)"), std::string::npos) << r->output;
}

TEST(Inspect, FlagsEveryTeepViolationNotJustTheFirst) {
  // d6 Error with a 2-byte token (8..64 required) and err-code 0 (reserved).
  Bytes bad = *HexDecode("8305a2134201020b696469736b2d66756c6c00");
  auto r = Inspect(bad, {});
  ASSERT_TRUE(r.ok());
  EXPECT_GE(r->problems.size(), 2u) << r->output;
}

TEST(Inspect, ProfileIsNeverGuessed) {
  // A -26 Success (type 4) read with the draft-25 numbering: type 4 is
  // reserved there, so it is not shown as a TEEP message.
  InspectOptions o;
  o.profile = &msg::Draft25();
  auto r = Inspect(ReadVector("teep/vectors/d5-success.hex"), o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->output.find("Success"), std::string::npos) << r->output;
}

}  // namespace
}  // namespace teep::host

namespace teep::host {
namespace {

TEST(Inspect, NamesAndVerifiesTheClaimsOfASignedAttestationPayload) {
  // A QueryResponse whose attestation-payload is an EAT in a COSE_Sign1.
  auto device = crypto::PrivateKey::Generate(crypto::KeyType::kP256);
  ASSERT_TRUE(device.ok());
  Bytes claims = *HexDecode("a20a48000102030405060719010358" "1101" "000102030405060708090a0b0c0d0e0f");
  auto eat = cose::CreateSign1(*device, claims);
  ASSERT_TRUE(eat.ok()) << eat.status().ToString();
  msg::QueryResponse response;
  response.attestation_payload = *eat;
  auto encoded = msg::EncodeMessage(msg::Message(response));
  ASSERT_TRUE(encoded.ok()) << encoded.status().ToString();

  InspectOptions o;
  o.keys.push_back({"device.pem", device->Public()});
  auto r = Inspect(*encoded, o);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->problems.empty()) << r->output;
  EXPECT_NE(r->output.find("10 / eat_nonce /: h'0001020304050607'"), std::string::npos) << r->output;
  EXPECT_NE(r->output.find("259 / hwmodel /"), std::string::npos) << r->output;
  EXPECT_NE(r->output.find("attestation-payload signature: VERIFIED by device.pem"), std::string::npos)
      << r->output;

  InspectOptions wrong;
  auto stranger = crypto::PrivateKey::Generate(crypto::KeyType::kP256);
  wrong.keys.push_back({"stranger.pem", stranger->Public()});
  auto bad = Inspect(*encoded, wrong);
  ASSERT_TRUE(bad.ok());
  EXPECT_FALSE(bad->problems.empty());
}

}  // namespace
}  // namespace teep::host
