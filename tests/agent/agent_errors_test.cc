// Every Error the Agent sends (draft-ietf-teep-protocol-26 §4.6, §7.2):
// each failure gets its code and the option that code requires, the reply
// is signed by the Agent, and nothing on the device changes.
#include <gtest/gtest.h>

#include "agent_fixture.h"
#include "core/cose/key.h"
#include "core/cose/sign.h"
#include "core/eat/evidence.h"
#include "core/teep/codec.h"

namespace teep::agent::test {
namespace {

class AgentErrorTest : public AgentTest {};

TEST_F(AgentErrorTest, BadSignatureIsPermanentErrorWithoutToken) {
  Bytes message = FromTam(Query(0));
  message[message.size() - 5] ^= 0x01;  // inside the signature
  msg::Error error = ExpectError(message, msg::ErrorCode::kPermanentError);
  EXPECT_FALSE(error.token.has_value());  // an unverified token is never echoed
}

TEST_F(AgentErrorTest, UnknownTamKeyIsBadCertificate) {
  auto stranger = crypto::PrivateKey::Generate(crypto::KeyType::kP256);
  ASSERT_TRUE(stranger.ok());
  ExpectError(SignedBy(Query(0), *stranger), msg::ErrorCode::kBadCertificate);
}

TEST_F(AgentErrorTest, UpdateFromUnknownKeyInstallsNothing) {
  auto stranger = crypto::PrivateKey::Generate(crypto::KeyType::kP256);
  ASSERT_TRUE(stranger.ok());
  ExpectError(SignedBy(UpdateWith({TeepVector("e2-suit-integrated")}), *stranger),
              msg::ErrorCode::kBadCertificate);
  EXPECT_FALSE(Committed(TeepTc()).has_value());
}

TEST_F(AgentErrorTest, MalformedInputIsPermanentError) {
  ExpectError(teep::test::H("00"), msg::ErrorCode::kPermanentError);
  ExpectError(teep::test::H("d28443a10126a0f640"), msg::ErrorCode::kPermanentError);  // detached payload
  // A signed payload that is not a TEEP message.
  auto garbage = msg::SignMessage(teep::test::H("a0"), tam_key_, msg::SuiteSign1Esp256());
  ASSERT_TRUE(garbage.ok());
  ExpectError(*garbage, msg::ErrorCode::kPermanentError);
}

TEST_F(AgentErrorTest, UnsupportedCipherSuiteNamesOurs) {
  msg::QueryRequest q = Query(0);
  q.supported_teep_cipher_suites = {msg::SuiteSign1Ed25519()};
  msg::Error error = ExpectError(FromTam(q), msg::ErrorCode::kUnsupportedCipherSuites);
  EXPECT_EQ(error.token, q.token);
  ASSERT_TRUE(error.supported_teep_cipher_suites.has_value());
  EXPECT_EQ(*error.supported_teep_cipher_suites, std::vector<msg::CipherSuite>{msg::SuiteSign1Esp256()});
}

TEST_F(AgentErrorTest, LegacyAlgorithmIsAnUnsupportedSuiteByDefault) {
  auto encoded = msg::EncodeMessage(Query(0));
  ASSERT_TRUE(encoded.ok());
  // COSE_Sign1 with ES256 (-7), as peers of drafts <= -20 send.
  cose::SignOptions options;
  options.alg = -7;
  auto legacy = cose::CreateSign1(tam_key_, *encoded, options);
  ASSERT_TRUE(legacy.ok()) << legacy.status().ToString();
  ExpectError(*legacy, msg::ErrorCode::kUnsupportedCipherSuites);
  // Enabled per peer (signing.h VerifyOptions), it is accepted.
  config_.verify_options.accept_legacy_algs = true;
  MakeAgent();
  EXPECT_TRUE(std::holds_alternative<msg::QueryResponse>(Exchange(*legacy)));
}

TEST_F(AgentErrorTest, UnsupportedVersionNamesOurs) {
  msg::QueryRequest q = Query(0);
  q.versions = std::vector<uint32_t>{1, 2};
  msg::Error error = ExpectError(FromTam(q), msg::ErrorCode::kUnsupportedMsgVersion);
  EXPECT_EQ(error.versions, std::vector<uint32_t>{0});
}

TEST_F(AgentErrorTest, NoCommonSuitProfile) {
  config_.suit_profiles = {msg::MandatorySuitCoseProfiles()[0]};
  MakeAgent();
  msg::QueryRequest q = Query(0);
  q.supported_suit_cose_profiles = {msg::MandatorySuitCoseProfiles()[3]};
  msg::Error error = ExpectError(FromTam(q), msg::ErrorCode::kUnsupportedSuitReport);
  EXPECT_EQ(error.supported_suit_cose_profiles, config_.suit_profiles);
}

TEST_F(AgentErrorTest, UnsupportedFreshnessMechanism) {
  msg::QueryRequest q = Query(msg::kDataItemAttestation);
  q.supported_freshness_mechanisms = std::vector<uint64_t>{msg::kFreshnessTimestamp};  // and no clock
  msg::Error error = ExpectError(FromTam(q), msg::ErrorCode::kUnsupportedFreshnessMechanisms);
  EXPECT_EQ(error.supported_freshness_mechanisms, std::vector<uint64_t>{msg::kFreshnessNonce});
}

TEST_F(AgentErrorTest, OversizedChallengeCannotBeANonce) {
  msg::QueryRequest q = Query(msg::kDataItemAttestation);
  q.challenge = Bytes(65, 0x42);
  ExpectError(FromTam(q), msg::ErrorCode::kPermanentError);
}

TEST_F(AgentErrorTest, UnknownExtensionIsUnsupportedExtension) {
  msg::QueryRequest q = Query(0);
  q.extensions.push_back({42, teep::test::H("f5")});
  msg::Error error = ExpectError(FromTam(q), msg::ErrorCode::kUnsupportedExtension);
  ASSERT_TRUE(error.err_msg.has_value());
  EXPECT_NE(error.err_msg->find("42"), std::string::npos);
}

TEST_F(AgentErrorTest, MessagesForTheTamAreRefused) {
  msg::Success success;
  success.token = teep::test::H("0001020304050607");
  ExpectError(FromTam(success), msg::ErrorCode::kPermanentError);
}

TEST_F(AgentErrorTest, OversizedMessageIsRefusedUnread) {
  config_.max_message_bytes = 64;
  MakeAgent();
  ExpectError(FromTam(UpdateWith({TeepVector("e2-suit-integrated")})), msg::ErrorCode::kPermanentError);
  EXPECT_FALSE(Committed(TeepTc()).has_value());
}

TEST_F(AgentErrorTest, LongDetailIsCutToTheErrMsgLimit) {
  msg::QueryRequest q = Query(0);
  for (uint64_t label = 100; label < 160; ++label) q.extensions.push_back({label, teep::test::H("00")});
  msg::Error error = ExpectError(FromTam(q), msg::ErrorCode::kUnsupportedExtension);
  ASSERT_TRUE(error.err_msg.has_value());
  EXPECT_LE(error.err_msg->size(), 128u);
  EXPECT_GT(agent_->last_exchange().detail.size(), 128u);
}

// P §7.2.1: an Agent that requires the TAM's attestation asks for it with a
// challenge, then accepts Evidence that answers that challenge and binds
// the TAM key that signed the QueryRequest.
class TamAttestationTest : public AgentTest {
 protected:
  TamAttestationTest() : tam_attest_key_(std::move(crypto::PrivateKey::Generate(crypto::KeyType::kP256)).value()) {
    config_.tam_attestation.required = true;
    config_.tam_attestation.keys = {tam_attest_key_.Public()};
    MakeAgent();
  }

  Bytes TamEvidence(ByteView nonce, const crypto::PrivateKey& bound_key) {
    eat::Claims claims;
    claims.eat_nonce = ToBytes(nonce);
    claims.ueid = teep::test::H("01aabbccddeeff0011");
    claims.oemid = eat::OemidPen{32473};
    claims.hwmodel = Str("tam-hsm");
    claims.hwversion = {"2.0", std::nullopt};
    auto kid = cose::Thumbprint(bound_key.Public());
    claims.cnf_kid = Bytes(kid->begin(), kid->end());
    claims.manifests.push_back({kSuitReferenceContentFormat, teep::test::H("826078")});
    claims.manifests.back().manifest = teep::test::H("8260822f40");  // ["", [-16, h'']]
    return Ok(eat::SignEvidence(claims, tam_attest_key_));
  }

  Bytes Challenge() {
    msg::Error error = ExpectError(FromTam(Query(0)), msg::ErrorCode::kAttestationRequired);
    EXPECT_EQ(error.supported_freshness_mechanisms, std::vector<uint64_t>{msg::kFreshnessNonce});
    EXPECT_TRUE(error.challenge.has_value());
    return error.challenge.value_or(Bytes{});
  }

  crypto::PrivateKey tam_attest_key_;
};

TEST_F(TamAttestationTest, AsksThenAcceptsFreshEvidence) {
  const Bytes challenge = Challenge();
  msg::QueryRequest q = Query(0);
  q.attestation_payload = TamEvidence(challenge, tam_key_);
  msg::Message reply = Exchange(FromTam(q));
  EXPECT_TRUE(std::holds_alternative<msg::QueryResponse>(reply)) << agent_->last_exchange().detail;
}

TEST_F(TamAttestationTest, RefusesEvidenceForAnotherChallenge) {
  Challenge();
  msg::QueryRequest q = Query(0);
  q.attestation_payload = TamEvidence(teep::test::H("0000000000000000"), tam_key_);
  msg::Error error = ExpectError(FromTam(q), msg::ErrorCode::kPermanentError);
  EXPECT_NE(agent_->last_exchange().detail.find("eat_nonce"), std::string::npos);
}

TEST_F(TamAttestationTest, RefusesEvidenceBindingAnotherKey) {
  const Bytes challenge = Challenge();
  msg::QueryRequest q = Query(0);
  q.attestation_payload = TamEvidence(challenge, tam_ed_key_);  // not the signer of this request
  ExpectError(FromTam(q), msg::ErrorCode::kPermanentError);
}

TEST_F(TamAttestationTest, ChallengeIsSingleUse) {
  const Bytes challenge = Challenge();
  msg::QueryRequest q = Query(0);
  q.attestation_payload = TamEvidence(challenge, tam_key_);
  EXPECT_TRUE(std::holds_alternative<msg::QueryResponse>(Exchange(FromTam(q))));
  // The same Evidence again: the challenge is spent, so a new one is asked for.
  ExpectError(FromTam(q), msg::ErrorCode::kAttestationRequired);
}

TEST_F(TamAttestationTest, EvidenceWithoutChallengeIsAskedAgain) {
  msg::QueryRequest q = Query(0);
  q.attestation_payload = TamEvidence(teep::test::H("0000000000000000"), tam_key_);
  ExpectError(FromTam(q), msg::ErrorCode::kAttestationRequired);
}

}  // namespace
}  // namespace teep::agent::test
