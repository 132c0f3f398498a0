// QueryRequest -> QueryResponse (draft-ietf-teep-protocol-26 §4.2, §4.3,
// §5, §7.2), including the published Appendix D.1 request.
#include <gtest/gtest.h>

#include "agent_fixture.h"
#include "core/cose/key.h"
#include "core/cose/sign.h"
#include "core/eat/evidence.h"
#include "core/suit/digest.h"
#include "core/teep/codec.h"

namespace teep::agent::test {
namespace {

using msg::kDataItemAttestation;
using msg::kDataItemTrustedComponents;

Bytes Kid(const crypto::PrivateKey& key) {
  auto kid = cose::Thumbprint(key.Public());
  EXPECT_TRUE(kid.ok());
  return Bytes(kid->begin(), kid->end());
}

class AgentQueryTest : public AgentTest {
 protected:
  msg::QueryResponse Respond(ByteView signed_message) {
    msg::Message reply = Exchange(signed_message);
    auto* response = std::get_if<msg::QueryResponse>(&reply);
    if (response == nullptr) {
      ADD_FAILURE() << "expected a QueryResponse, got " << msg::MessageTypeName(msg::TypeOf(reply))
                    << ": " << agent_->last_exchange().detail;
      return {};
    }
    return *response;
  }

  // Appraises the Evidence as a TAM's Verifier would.
  eat::AttestationResult Appraise(const msg::QueryResponse& response, ByteView nonce) {
    EXPECT_TRUE(response.attestation_payload.has_value());
    const crypto::PublicKey keys[] = {attest_key_.Public()};
    const Bytes kid = Kid(agent_key_);
    eat::AppraisalPolicy policy;
    policy.attestation_keys = keys;
    policy.expected_nonce = nonce;
    policy.expected_cnf_kid = kid;
    auto result = eat::AppraiseEvidence(response.attestation_payload.value_or(Bytes{}), policy);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    if (!result.ok()) return {};
    EXPECT_TRUE(result->affirming) << result->reason;
    return *result;
  }

  void InstallE2() {
    msg::Message reply = Exchange(FromTam(UpdateWith({TeepVector("e2-suit-integrated")})));
    ASSERT_TRUE(std::holds_alternative<msg::Success>(reply)) << agent_->last_exchange().detail;
  }
};

// The published D.1 QueryRequest (unsigned in the draft) signed by our test
// TAM as a first QueryRequest (COSE_Sign, both suites): the Agent answers
// with a QueryResponse a TAM can verify, carrying the token and Evidence.
TEST_F(AgentQueryTest, AnswersPublishedD1QueryRequest) {
  auto d1 = msg::DecodeMessage(TeepVector("d1-query-request"));
  ASSERT_TRUE(d1.ok()) << d1.status().ToString();
  const auto& request = std::get<msg::QueryRequest>(*d1);
  msg::QueryResponse response = Respond(FromTamMulti(*d1));
  EXPECT_EQ(response.token, request.token);
  EXPECT_EQ(response.selected_version, 0u);
  EXPECT_TRUE(msg::CheckResponseObligations(request, response).empty());
  // No challenge in D.1: the token is the nonce (P §9).
  eat::AttestationResult result = Appraise(response, *request.token);
  EXPECT_EQ(result.claims.ueid, config_.identity.ueid);
  EXPECT_EQ(result.claims.eat_profile, std::string(eat::kTeepEatProfile));
  ASSERT_EQ(result.claims.manifests.size(), 1u);  // the Agent itself; no TC yet
  EXPECT_EQ(result.claims.manifests[0].content_format, kSuitReferenceContentFormat);
  EXPECT_FALSE(response.tc_list.has_value());  // nothing installed: `[+ ...]` is omitted
}

TEST_F(AgentQueryTest, EvidenceCarriesTheChallengeAndBindsTheTeepKey) {
  msg::QueryRequest q = Query(kDataItemAttestation);
  q.challenge = teep::test::H("0102030405060708090a0b0c0d0e0f10");
  q.supported_freshness_mechanisms = std::vector<uint64_t>{msg::kFreshnessNonce};
  msg::QueryResponse response = Respond(FromTam(q));
  eat::AttestationResult result = Appraise(response, *q.challenge);
  EXPECT_EQ(result.claims.cnf_kid, Kid(agent_key_));
  EXPECT_EQ(result.claims.hwmodel, config_.identity.hwmodel);
  EXPECT_EQ(result.claims.dbgstat, eat::DebugStatus::kDisabledPermanently);
  // A Verifier that expects another challenge does not affirm it.
  const crypto::PublicKey keys[] = {attest_key_.Public()};
  const Bytes kid = Kid(agent_key_);
  const Bytes other = teep::test::H("1112131415161718");
  eat::AppraisalPolicy policy;
  policy.attestation_keys = keys;
  policy.expected_nonce = other;
  policy.expected_cnf_kid = kid;
  auto stale = eat::AppraiseEvidence(*response.attestation_payload, policy);
  ASSERT_TRUE(stale.ok());
  EXPECT_FALSE(stale->affirming);
}

// The Agent signs with cached key ids: they must be its keys' thumbprints.
TEST_F(AgentQueryTest, SignaturesCarryTheKeysThumbprints) {
  msg::QueryRequest q = Query(kDataItemAttestation);
  auto reply = agent_->ProcessTeepMessage(FromTam(q));
  ASSERT_TRUE(reply.ok());
  auto outer = cose::DecodeSign1(*reply);
  ASSERT_TRUE(outer.ok());
  ASSERT_TRUE(outer->headers.kid().has_value());
  EXPECT_EQ(ToBytes(*outer->headers.kid()), Kid(agent_key_));
  msg::QueryResponse response = Respond(FromTam(q));
  auto evidence = cose::DecodeSign1(*response.attestation_payload);
  ASSERT_TRUE(evidence.ok());
  ASSERT_TRUE(evidence->headers.kid().has_value());
  EXPECT_EQ(ToBytes(*evidence->headers.kid()), Kid(attest_key_));
}

TEST_F(AgentQueryTest, NoAttestationUnlessAsked) {
  msg::QueryResponse response = Respond(FromTam(Query(kDataItemTrustedComponents)));
  EXPECT_FALSE(response.attestation_payload.has_value());
}

TEST_F(AgentQueryTest, TcListMeasuresInstalledComponents) {
  InstallE2();
  msg::QueryResponse response = Respond(FromTam(Query(kDataItemTrustedComponents)));
  ASSERT_TRUE(response.tc_list.has_value());
  ASSERT_EQ(response.tc_list->size(), 1u);
  EXPECT_EQ(response.tc_list->at(0).system_component_id, TeepTc());
  // {0: id, 3: << SUIT_Digest of the image >>, 14: size}, as in P Appendix D.3.
  auto expected_digest =
      suit::EncodeDigest(suit::kDigestSha256, crypto::Sha256(TeepVector("tc-binary-hello")));
  ASSERT_TRUE(expected_digest.ok());
  auto tc = agent_->ListInstalled();
  ASSERT_TRUE(tc.ok());
  ASSERT_EQ(tc->size(), 1u);
  EXPECT_EQ(tc->at(0).manifest_id, TeepManifestId());
  EXPECT_EQ(tc->at(0).image_digest, *expected_digest);
  EXPECT_EQ(tc->at(0).image_size, 20u);
  auto expected = TcListEntry(tc->at(0));
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(response.tc_list->at(0), *expected);
  // The encoded entry holds the three keys, in deterministic order.
  Bytes head = {0xa3, 0x00};
  EXPECT_TRUE(std::equal(head.begin(), head.end(), response.tc_list->at(0).encoded.begin()));
}

TEST_F(AgentQueryTest, EvidenceListsInstalledManifests) {
  InstallE2();
  msg::QueryRequest q = Query(kDataItemAttestation);
  msg::QueryResponse response = Respond(FromTam(q));
  eat::AttestationResult result = Appraise(response, *q.token);
  ASSERT_EQ(result.claims.manifests.size(), 2u);  // the Agent, then E.2
}

TEST_F(AgentQueryTest, RequestedAndUnneededListsGoToTheirTam) {
  const msg::ComponentId wanted = {teep::test::H("01"), teep::test::H("02")};
  ASSERT_TRUE(agent_->RequestTA(wanted).ok());
  InstallE2();
  ASSERT_TRUE(agent_->UnrequestTA(TeepTc()).ok());
  msg::QueryResponse response = Respond(FromTam(Query(kDataItemTrustedComponents)));
  ASSERT_TRUE(response.requested_tc_list.has_value());
  ASSERT_EQ(response.requested_tc_list->size(), 1u);
  EXPECT_EQ(response.requested_tc_list->at(0).component_id, wanted);
  ASSERT_TRUE(response.unneeded_manifest_list.has_value());
  // The application named the component; the TAM is told the manifest.
  EXPECT_EQ(*response.unneeded_manifest_list, std::vector<msg::ComponentId>{TeepManifestId()});
}

TEST_F(AgentQueryTest, SecondTamSeesOnlyItsOwnRequests) {
  auto other_tam = crypto::PrivateKey::Generate(crypto::KeyType::kP256);
  ASSERT_TRUE(other_tam.ok());
  config_.tams.push_back({"https://other-tam.example/tam", other_tam->Public()});
  MakeAgent();
  const msg::ComponentId mine = {teep::test::H("aa")};
  const msg::ComponentId theirs = {teep::test::H("bb")};
  ASSERT_TRUE(agent_->RequestTA(mine).ok());
  auto uri = agent_->RequestTA(theirs, std::string_view("https://other-tam.example/tam"));
  ASSERT_TRUE(uri.ok());
  EXPECT_EQ(*uri, "https://other-tam.example/tam");
  msg::QueryResponse from_other = Respond(SignedBy(Query(0), *other_tam));
  ASSERT_TRUE(from_other.requested_tc_list.has_value());
  EXPECT_EQ(from_other.requested_tc_list->size(), 1u);
  EXPECT_EQ(from_other.requested_tc_list->at(0).component_id, theirs);
  EXPECT_EQ(agent_->RequestPolicyCheck(),
            (std::vector<std::string>{kTamUri, "https://other-tam.example/tam"}));
}

TEST_F(AgentQueryTest, RequestTaRefusesAnUntrustedTamUri) {
  auto uri = agent_->RequestTA({teep::test::H("aa")}, std::string_view("https://evil.example/"));
  ASSERT_FALSE(uri.ok());
  EXPECT_NE(uri.status().message().find("not a TAM this Agent trusts"), std::string::npos);
  EXPECT_TRUE(agent_->state().requested.empty());
}

TEST_F(AgentQueryTest, RequestsSurviveARestart) {
  ASSERT_TRUE(agent_->RequestTA({teep::test::H("aa")}).ok());
  MakeAgent();
  ASSERT_EQ(agent_->state().requested.size(), 1u);
  EXPECT_EQ(agent_->state().requested[0].tam_uri, kTamUri);
}

TEST_F(AgentQueryTest, InstalledRequestIsDropped) {
  ASSERT_TRUE(agent_->RequestTA(TeepTc()).ok());
  InstallE2();
  EXPECT_TRUE(agent_->state().requested.empty());
}

TEST_F(AgentQueryTest, TimestampFreshnessWithoutNonce) {
  config_.now = [] { return std::optional<int64_t>(1790000000); };
  MakeAgent();
  msg::QueryRequest q = Query(kDataItemAttestation);
  q.token.reset();
  q.supported_freshness_mechanisms = std::vector<uint64_t>{msg::kFreshnessTimestamp};
  msg::QueryResponse response = Respond(FromTam(q));
  const crypto::PublicKey keys[] = {attest_key_.Public()};
  const Bytes kid = Kid(agent_key_);
  eat::AppraisalPolicy policy;
  policy.attestation_keys = keys;
  policy.expected_cnf_kid = kid;
  policy.timestamp_freshness = true;
  auto result = eat::AppraiseEvidence(response.attestation_payload.value_or(Bytes{}), policy);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_TRUE(result->affirming);
  EXPECT_EQ(result->claims.iat, 1790000000);
  EXPECT_FALSE(result->claims.eat_nonce.has_value());
}

// Passport model (RFC 9334 §5.1; P §4.4): an Attestation Result a TAM
// relayed in an Update is shown to a TAM that accepts timestamp freshness.
TEST_F(AgentQueryTest, PresentsTheStoredPassport) {
  config_.now = [] { return std::optional<int64_t>(1790000000); };
  MakeAgent();
  msg::Update update = UpdateWith({});
  update.attestation_payload = teep::test::H("d28443a10126a0f640");
  update.attestation_payload_format = "application/eat+cwt; eat_profile=\"tag:ietf.org,2026:rats/ear#03\"";
  ASSERT_TRUE(std::holds_alternative<msg::Success>(Exchange(FromTam(update))));
  MakeAgent();  // the passport is persisted
  msg::QueryRequest q = Query(kDataItemAttestation);
  q.supported_freshness_mechanisms = std::vector<uint64_t>{msg::kFreshnessTimestamp};
  msg::QueryResponse response = Respond(FromTam(q));
  EXPECT_EQ(response.attestation_payload, update.attestation_payload);
  EXPECT_EQ(response.attestation_payload_format, update.attestation_payload_format);
  // With a challenge, fresh Evidence is made instead.
  q.challenge = teep::test::H("0102030405060708");
  q.supported_freshness_mechanisms = std::vector<uint64_t>{msg::kFreshnessNonce};
  msg::QueryResponse fresh = Respond(FromTam(q));
  Appraise(fresh, *q.challenge);
}

// One device, two TEEs: each Agent answers with its own key and identity.
TEST_F(AgentQueryTest, TwoAgentsAreIndependent) {
  auto key2 = crypto::PrivateKey::Generate(crypto::KeyType::kEd25519);
  ASSERT_TRUE(key2.ok());
  suit::MemoryStore store2;
  MemoryStateStorage storage2;
  AgentConfig config2 = config_;
  config2.teep_key = &*key2;
  config2.suit.store = &store2;
  auto agent2 = Agent::Create(config2, storage2);
  ASSERT_TRUE(agent2.ok());
  EXPECT_EQ((*agent2)->cipher_suite(), msg::SuiteSign1Ed25519());
  auto reply2 = (*agent2)->ProcessTeepMessage(FromTamMulti(Query(0)));
  ASSERT_TRUE(reply2.ok());
  auto anchor = msg::TrustAnchor::Make("agent2", key2->Public());
  ASSERT_TRUE(anchor.ok());
  const msg::TrustAnchor anchors[] = {*anchor};
  auto decoded = msg::VerifyAndDecode(*reply2, anchors);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_TRUE(std::holds_alternative<msg::QueryResponse>(decoded->message));
  InstallE2();
  EXPECT_EQ(store2.CommittedComponentCount(), 0u);
}

}  // namespace
}  // namespace teep::agent::test
