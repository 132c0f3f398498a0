// The TAM core against the Agent core, in process (no sockets): whole
// attested conversations, policy, requests, refusals and replays
// (draft-ietf-teep-protocol-26 §7.1), plus the published Appendix D
// QueryResponse and Success.
#include <gtest/gtest.h>

#include <memory>

#include "core/agent/agent.h"
#include "core/cose/key.h"
#include "core/suit/builder.h"
#include "core/suit/component_id.h"
#include "core/suit/memory_store.h"
#include "core/suit/report.h"
#include "core/cose/sign.h"
#include "core/tam/memory_store.h"
#include "core/tam/repository.h"
#include "core/tam/tam.h"
#include "core/teep/codec.h"
#include "test_util.h"
#include "vector_files.h"

namespace teep::tam {
namespace {

constexpr char kTamUri[] = "http://127.0.0.1/tam";

template <typename T>
T Ok(Result<T> result) {
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? std::move(result).value() : T{};
}

crypto::PrivateKey Key(crypto::KeyType type) {
  return std::move(crypto::PrivateKey::Generate(type)).value();
}

Bytes Str(std::string_view s) { return Bytes(s.begin(), s.end()); }

Bytes Kid(const crypto::PublicKey& key) {
  auto kid = cose::Thumbprint(key);
  return Bytes(kid->begin(), kid->end());
}

class TamTest : public ::testing::Test {
 protected:
  TamTest()
      : tam_p256_(Key(crypto::KeyType::kP256)),
        tam_ed_(Key(crypto::KeyType::kEd25519)),
        signer_(Key(crypto::KeyType::kP256)),
        verifier_({}, {}) {
    MakeTam();
  }

  void MakeTam() {
    TamConfig config;
    config.p256_key = &tam_p256_;
    config.ed25519_key = &tam_ed_;
    config.verifier = &verifier_;
    config.policy = policy_;
    config.now = [this] { return now_; };
    tam_ = Ok(Tam::Create(std::move(config), store_));
  }

  std::unique_ptr<agent::Agent> MakeAgent(crypto::PrivateKey& teep_key, crypto::PrivateKey& attestation_key,
                                          suit::MemoryStore& suit_store, agent::MemoryStateStorage& state) {
    agent::AgentConfig config;
    config.teep_key = &teep_key;
    config.attestation_key = &attestation_key;
    config.identity.ueid = teep::test::H("01aabbccddeeff00112233");
    config.identity.oemid = eat::OemidPen{32473};
    config.identity.hwmodel = Str("sim-model");
    config.identity.hwversion = {"1.0", std::nullopt};
    config.identity.agent_digest = teep::test::H("822f4100");
    config.tams.push_back({kTamUri, tam_p256_.Public()});
    config.tams.push_back({kTamUri, tam_ed_.Public()});
    signer_anchors_ = {signer_.Public()};
    config.suit.store = &suit_store;
    config.suit.trust_anchors.keys = signer_anchors_;
    return Ok(agent::Agent::Create(std::move(config), state));
  }

  // Registers the device's keys with the TAM (teep tam devices add).
  void Register(const crypto::PrivateKey& teep_key, const crypto::PublicKey& attestation_key) {
    DeviceRecord d;
    d.device_id = Kid(teep_key.Public());
    d.teep_key_pem = Ok(teep_key.Public().ToPem());
    d.attestation_key_pem = Ok(attestation_key.ToPem());
    d.attestation = "none";
    ASSERT_TRUE(store_.PutDevice(d).ok());
  }

  Bytes Tc(uint64_t sequence, std::string_view image, std::string_view name = "tc") {
    suit::ManifestSpec spec;
    spec.sequence_number = sequence;
    spec.component_id = {Str(name)};
    spec.payload = Str(image);
    return Ok(suit::BuildEnvelope(spec, signer_));
  }

  TcRecord Publish(ByteView envelope) {
    const crypto::PublicKey signers[] = {signer_.Public()};
    return Ok(AddTc(store_, envelope, signers, now_));
  }

  // A whole conversation as the Broker runs it; returns how many messages
  // the TAM sent (1: QueryRequest only, 2: and an Update).
  size_t Converse(agent::Agent& agent) {
    size_t from_tam = 0;
    TamReply reply = Ok(tam_->ProcessConnect());
    while (reply.kind == TamReply::Kind::kMessage && from_tam < 8) {
      ++from_tam;
      Bytes answer = Ok(agent.ProcessTeepMessage(reply.message));
      if (answer.empty()) break;
      last_agent_message_ = answer;
      reply = Ok(tam_->ProcessMessage(answer));
      EXPECT_NE(reply.kind, TamReply::Kind::kDropped) << reply.reason;
    }
    return from_tam;
  }

  // The device of most tests.
  void SetUpDevice() {
    agent_ = MakeAgent(teep_key_, attestation_key_, suit_store_, agent_state_);
    Register(teep_key_, attestation_key_.Public());
  }

  crypto::PrivateKey teep_key_ = Key(crypto::KeyType::kP256);
  crypto::PrivateKey attestation_key_ = Key(crypto::KeyType::kP256);
  suit::MemoryStore suit_store_;
  agent::MemoryStateStorage agent_state_;
  std::unique_ptr<agent::Agent> agent_;

  std::optional<Bytes> Installed(const suit::MemoryStore& store, std::string_view name = "tc") {
    std::vector<ByteView> id = {AsBytes(name)};
    return store.CommittedComponent(suit::EncodeComponentId(id));
  }

  TamPolicy policy_;
  int64_t now_ = 1790000000;
  crypto::PrivateKey tam_p256_, tam_ed_, signer_;
  std::vector<crypto::PublicKey> signer_anchors_;
  BuiltInVerifier verifier_;
  MemoryTamStore store_;
  std::unique_ptr<Tam> tam_;
  Bytes last_agent_message_;
};


TEST_F(TamTest, InstallsUpdatesAndDeletesByPolicy) {
  SetUpDevice();
  TcRecord v1 = Publish(Tc(1, "version one"));
  ASSERT_TRUE(store_.PutPolicy({"all", v1.manifest_id, PolicyRecord::Action::kInstall}).ok());
  EXPECT_EQ(Converse(*agent_), 2u);  // QueryRequest, Update
  EXPECT_EQ(Installed(suit_store_), Str("version one"));
  auto device = Ok(store_.FindDevice(Kid(teep_key_.Public())));
  ASSERT_TRUE(device.has_value());
  EXPECT_EQ(device->attestation, "affirming");
  EXPECT_EQ(device->hwmodel, HexEncode(Str("sim-model")));
  auto held = Ok(store_.ListInstalled(device->device_id));
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0].sequence_number, 1u);
  EXPECT_EQ(Ok(store_.RecentAudit(1))[0].detail, "1 installed, 0 removed; SUIT reports: ok");

  EXPECT_EQ(Converse(*agent_), 1u);  // up to date: 204 after the QueryResponse

  Publish(Tc(2, "version two"));
  EXPECT_EQ(Converse(*agent_), 2u);
  EXPECT_EQ(Installed(suit_store_), Str("version two"));

  ASSERT_TRUE(store_.PutPolicy({"all", v1.manifest_id, PolicyRecord::Action::kRemove}).ok());
  EXPECT_EQ(Converse(*agent_), 2u);
  EXPECT_FALSE(Installed(suit_store_).has_value());
  EXPECT_TRUE(Ok(store_.ListInstalled(device->device_id)).empty());
  auto audit = Ok(store_.RecentAudit(1));
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].event, "success");
}

TEST_F(TamTest, InstallsWhatTheDeviceRequests) {
  SetUpDevice();
  Publish(Tc(1, "wanted", "app-ta"));
  ASSERT_TRUE(Ok(agent_->RequestTA({Str("app-ta")})) == kTamUri);
  EXPECT_EQ(Converse(*agent_), 2u);
  EXPECT_EQ(Installed(suit_store_, "app-ta"), Str("wanted"));
  EXPECT_TRUE(agent_->state().requested.empty());
  // UnrequestTA: the TAM honours it (no policy requires the TC).
  ASSERT_TRUE(agent_->UnrequestTA({Str("app-ta")}).ok());
  EXPECT_EQ(Converse(*agent_), 2u);
  EXPECT_FALSE(Installed(suit_store_, "app-ta").has_value());
}

// A manifest the device refuses: Error 11, recorded with what the SUIT
// Report says, and nothing recorded as installed.
TEST_F(TamTest, DeviceErrorIsAuditedWithItsReport) {
  SetUpDevice();
  crypto::PrivateKey other_signer = Key(crypto::KeyType::kP256);  // the device does not trust it
  suit::ManifestSpec spec;
  spec.sequence_number = 1;
  spec.component_id = {Str("tc")};
  spec.payload = Str("x");
  const crypto::PublicKey signers[] = {other_signer.Public()};
  TcRecord tc = Ok(AddTc(store_, Ok(suit::BuildEnvelope(spec, other_signer)), signers, now_));
  ASSERT_TRUE(store_.PutPolicy({"all", tc.manifest_id, PolicyRecord::Action::kInstall}).ok());
  EXPECT_EQ(Converse(*agent_), 2u);
  auto audit = Ok(store_.RecentAudit(1));
  EXPECT_EQ(audit[0].event, "error");
  EXPECT_NE(audit[0].detail.find("ERR_MANIFEST_PROCESSING_FAILED"), std::string::npos) << audit[0].detail;
  EXPECT_NE(audit[0].detail.find("SUIT reports: failed ("), std::string::npos) << audit[0].detail;
  EXPECT_TRUE(Ok(store_.ListInstalled(Kid(teep_key_.Public()))).empty());
}

TEST_F(TamTest, KeepsRequestedTcsCurrent) {
  SetUpDevice();
  Publish(Tc(1, "v1", "app-ta"));
  ASSERT_TRUE(agent_->RequestTA({Str("app-ta")}).ok());
  EXPECT_EQ(Converse(*agent_), 2u);
  Publish(Tc(2, "v2", "app-ta"));
  EXPECT_EQ(Converse(*agent_), 2u);  // no policy names it, but the device holds it
  EXPECT_EQ(Installed(suit_store_, "app-ta"), Str("v2"));
}

TEST_F(TamTest, PolicyTargetsOneDeviceOrAClass) {
  SetUpDevice();
  TcRecord tc = Publish(Tc(1, "for one"));
  ASSERT_TRUE(store_.PutPolicy({"device:00", tc.manifest_id, PolicyRecord::Action::kInstall}).ok());
  EXPECT_EQ(Converse(*agent_), 1u);  // another device's policy
  ASSERT_TRUE(store_.PutPolicy({"class:" + HexEncode(Str("sim-model")), tc.manifest_id,
                                PolicyRecord::Action::kInstall}).ok());
  EXPECT_EQ(Converse(*agent_), 2u);
  EXPECT_EQ(Installed(suit_store_), Str("for one"));
}

TEST_F(TamTest, Ed25519DeviceGetsAnEd25519SignedUpdate) {
  crypto::PrivateKey ed = Key(crypto::KeyType::kEd25519);
  agent_ = MakeAgent(ed, attestation_key_, suit_store_, agent_state_);
  Register(ed, attestation_key_.Public());
  TcRecord tc = Publish(Tc(1, "ed"));
  ASSERT_TRUE(store_.PutPolicy({"all", tc.manifest_id, PolicyRecord::Action::kInstall}).ok());
  EXPECT_EQ(Converse(*agent_), 2u);  // the Agent refuses an Update in another suite
  EXPECT_EQ(Installed(suit_store_), Str("ed"));
}

// P §7.1: nothing is installed on a device whose Evidence does not affirm
// it; the Agent is told with err-code 7.
TEST_F(TamTest, BadAttestationIsRefused) {
  agent_ = MakeAgent(teep_key_, attestation_key_, suit_store_, agent_state_);
  Register(teep_key_, Key(crypto::KeyType::kP256).Public());  // not its attestation key
  TcRecord tc = Publish(Tc(1, "secret"));
  ASSERT_TRUE(store_.PutPolicy({"all", tc.manifest_id, PolicyRecord::Action::kInstall}).ok());
  EXPECT_EQ(Converse(*agent_), 2u);
  EXPECT_FALSE(Installed(suit_store_).has_value());
  auto device = Ok(store_.FindDevice(Kid(teep_key_.Public())));
  EXPECT_EQ(device->attestation.rfind("refused: ", 0), 0u) << device->attestation;
  EXPECT_NE(agent_->last_exchange().detail.find("ERR_ATTESTATION_REQUIRED"), std::string::npos);
}

TEST_F(TamTest, ReplayedMessagesAreDropped) {
  SetUpDevice();
  TamReply request = Ok(tam_->ProcessConnect());
  Bytes response = Ok(agent_->ProcessTeepMessage(request.message));
  EXPECT_EQ(Ok(tam_->ProcessMessage(response)).kind, TamReply::Kind::kNoContent);
  TamReply replay = Ok(tam_->ProcessMessage(response));
  EXPECT_EQ(replay.kind, TamReply::Kind::kDropped);
  EXPECT_EQ(replay.reason, "unknown, expired or already used token");
}

TEST_F(TamTest, ExpiredTokenIsDropped) {
  SetUpDevice();
  TamReply request = Ok(tam_->ProcessConnect());
  Bytes response = Ok(agent_->ProcessTeepMessage(request.message));
  now_ += policy_.token_lifetime + 1;
  EXPECT_EQ(Ok(tam_->ProcessMessage(response)).kind, TamReply::Kind::kDropped);
  EXPECT_EQ(Ok(store_.CountTokens()), 0u);
}

TEST_F(TamTest, UnknownDeviceAndGarbageAreDropped) {
  agent_ = MakeAgent(teep_key_, attestation_key_, suit_store_, agent_state_);  // not registered
  TamReply request = Ok(tam_->ProcessConnect());
  Bytes response = Ok(agent_->ProcessTeepMessage(request.message));
  TamReply unknown = Ok(tam_->ProcessMessage(response));
  EXPECT_EQ(unknown.kind, TamReply::Kind::kDropped);
  EXPECT_EQ(unknown.reason, "unknown device key");
  EXPECT_EQ(Ok(tam_->ProcessMessage(teep::test::H("00"))).kind, TamReply::Kind::kDropped);
  EXPECT_EQ(Ok(tam_->ProcessMessage(Bytes{})).kind, TamReply::Kind::kDropped);
  auto audit = Ok(store_.RecentAudit(10));
  EXPECT_EQ(audit.size(), 3u);
}

TEST_F(TamTest, ExpireTokensBoundsTheTokenStore) {
  for (int i = 0; i < 5; ++i) ASSERT_EQ(Ok(tam_->ProcessConnect()).kind, TamReply::Kind::kMessage);
  EXPECT_EQ(Ok(store_.CountTokens()), 5u);
  now_ += policy_.token_lifetime + 1;
  EXPECT_EQ(Ok(tam_->ExpireTokens()), 5u);
}

// Unauthenticated connects cannot grow the token store without bound.
TEST_F(TamTest, TokenStoreIsBounded) {
  policy_.max_tokens = 10;
  MakeTam();
  size_t refused = 0;
  for (int i = 0; i < 200; ++i) refused += tam_->ProcessConnect().ok() ? 0 : 1;
  EXPECT_GT(refused, 0u);
  EXPECT_LE(Ok(store_.CountTokens()), 10u + 64u);  // checked every 64 connects
  // Once they expire, conversations start again.
  now_ += policy_.token_lifetime + 1;
  EXPECT_TRUE(tam_->ProcessConnect().ok());
}

TEST_F(TamTest, RepositoryAcceptsOnlyRegisteredSigners) {
  const crypto::PublicKey strangers[] = {Key(crypto::KeyType::kP256).Public()};
  auto refused = AddTc(store_, Tc(1, "x"), strangers, now_);
  EXPECT_FALSE(refused.ok());
  Publish(Tc(1, "x"));
  const crypto::PublicKey signers[] = {signer_.Public()};
  EXPECT_EQ(AddTc(store_, Tc(1, "x"), signers, now_).status().code(), StatusCode::kInvalidArgument);
}

// The published D.3 QueryResponse and D.5 Success (unsigned in the draft),
// signed with our test Agent key, answering tokens the TAM issued.
TEST_F(TamTest, AcceptsPublishedQueryResponseAndSuccess) {
  SetUpDevice();
  const Bytes token = teep::test::H("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");
  TokenRecord query;
  query.token = token;
  query.kind = TokenRecord::Kind::kQueryRequest;
  query.data_items = msg::kDataItemTrustedComponents;  // D.3's attestation-payload is empty
  query.expires = now_ + 60;
  ASSERT_TRUE(store_.PutToken(query).ok());
  const Bytes d3 = teep::test::ReadVector("teep/vectors/d3-query-response.hex");
  Bytes signed_d3 = Ok(msg::SignMessage(d3, teep_key_, msg::SuiteSign1Esp256()));
  TamReply reply = Ok(tam_->ProcessMessage(signed_d3));
  EXPECT_EQ(reply.kind, TamReply::Kind::kNoContent) << reply.reason;

  TokenRecord update;
  update.token = token;
  update.kind = TokenRecord::Kind::kUpdate;
  update.device_id = Kid(teep_key_.Public());
  update.expires = now_ + 60;
  ASSERT_TRUE(store_.PutToken(update).ok());
  const Bytes d5 = teep::test::ReadVector("teep/vectors/d5-success.hex");
  reply = Ok(tam_->ProcessMessage(Ok(msg::SignMessage(d5, teep_key_, msg::SuiteSign1Esp256()))));
  EXPECT_EQ(reply.kind, TamReply::Kind::kNoContent) << reply.reason;
  EXPECT_EQ(Ok(store_.RecentAudit(1))[0].event, "success");
}

TEST_F(TamTest, SuccessWithAForeignReportNonceIsDropped) {
  SetUpDevice();
  TokenRecord update;
  update.token = teep::test::H("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");
  update.kind = TokenRecord::Kind::kUpdate;
  update.device_id = Kid(teep_key_.Public());
  update.expires = now_ + 60;
  ASSERT_TRUE(store_.PutToken(update).ok());
  msg::Success success;
  success.token = update.token;
  suit::Report report;
  report.manifest_digest = teep::test::H("822f4100");
  report.nonce = teep::test::H("0001020304050607");
  success.suit_reports = std::vector<Bytes>{Ok(suit::EncodeReport(report))};
  Bytes signed_success =
      Ok(msg::SignMessage(Ok(msg::EncodeMessage(success)), teep_key_, msg::SuiteSign1Esp256()));
  TamReply reply = Ok(tam_->ProcessMessage(signed_success));
  EXPECT_EQ(reply.kind, TamReply::Kind::kDropped);
}

TEST_F(TamTest, QueryRequestIsSignedForBothSuites) {
  TamReply request = Ok(tam_->ProcessConnect());
  auto sign = cose::DecodeSign(request.message);
  ASSERT_TRUE(sign.ok()) << sign.status().ToString();
  EXPECT_EQ(sign->signatures.size(), 2u);
  // Each signature names its key by the cached RFC 9679 thumbprint.
  EXPECT_EQ(ToBytes(*sign->signatures[0].headers.kid()), Kid(tam_p256_.Public()));
  EXPECT_EQ(ToBytes(*sign->signatures[1].headers.kid()), Kid(tam_ed_.Public()));
  auto anchor = msg::TrustAnchor::Make("tam", tam_ed_.Public());
  ASSERT_TRUE(anchor.ok());
  const msg::TrustAnchor anchors[] = {*anchor};
  auto decoded = msg::VerifyAndDecode(request.message, anchors);
  ASSERT_TRUE(decoded.ok());
  const auto& q = std::get<msg::QueryRequest>(decoded->message);
  EXPECT_TRUE(q.challenge.has_value());
  EXPECT_EQ(q.token->size(), 16u);
}

}  // namespace
}  // namespace teep::tam
