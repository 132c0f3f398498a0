#include "agent_fixture.h"

#include <utility>

#include "core/cose/key.h"
#include "core/suit/component_id.h"
#include "core/teep/codec.h"
#include "core/teep/errors.h"
#include "core/teep/signing.h"
#include "vector_files.h"

namespace teep::agent::test {
namespace {

crypto::PrivateKey Generate(crypto::KeyType type) {
  auto key = crypto::PrivateKey::Generate(type);
  EXPECT_TRUE(key.ok());
  return std::move(key).value();
}

}  // namespace

Bytes Str(std::string_view s) { return Bytes(s.begin(), s.end()); }

msg::ComponentId TeepTc() {
  return {Str("TEEP-Device"), Str("SecureFS"), teep::test::H("8d82573a926d4754935332dc29997f74"),
          Str("ta")};
}

msg::ComponentId TeepManifestId() {
  return {Str("TEEP-Device"), Str("SecureFS"), teep::test::H("8d82573a926d4754935332dc29997f74"),
          Str("suit")};
}

Bytes TeepVector(const std::string& name) {
  return teep::test::ReadVector("teep/vectors/" + name + ".hex");
}

AgentTest::AgentTest()
    : tam_key_(Generate(crypto::KeyType::kP256)),
      tam_ed_key_(Generate(crypto::KeyType::kEd25519)),
      agent_key_(Generate(crypto::KeyType::kP256)),
      attest_key_(Generate(crypto::KeyType::kP256)),
      kek_(Generate(crypto::KeyType::kP256)) {
  auto signer = crypto::PublicKey::FromPem(
      teep::test::ReadSpecText("teep/vectors/keys/appE-suit-signer-p256.pub.pem"));
  EXPECT_TRUE(signer.ok());
  signer_anchors_.push_back(std::move(signer).value());
  auto kek_cose = cose::DecodeKey(TeepVector("keys/appE3-kek-p256.cose_key"));
  EXPECT_TRUE(kek_cose.ok());
  auto kek = crypto::PrivateKey::FromRaw(crypto::KeyType::kP256, kek_cose->d.view());
  EXPECT_TRUE(kek.ok());
  kek_ = std::move(kek).value();

  config_.teep_key = &agent_key_;
  config_.attestation_key = &attest_key_;
  config_.identity.ueid = teep::test::H("0198f50a4ff6c05861c8860d13a638ea4fe2fa");
  config_.identity.oemid = eat::OemidIeee{0x89, 0x48, 0x23};
  config_.identity.hwmodel = teep::test::H("549dcecc8b987c737b44e40f7c635ce8");
  config_.identity.hwversion = eat::HwVersion{"1.3.4", 1};
  config_.identity.dbgstat = eat::DebugStatus::kDisabledPermanently;
  config_.identity.agent_digest = teep::test::H(
      "822f5820a7fd6593eac32eb4be578278e6540c5c09cfd7d4d234973054833b2b93030609");
  config_.tams.push_back({kTamUri, tam_key_.Public()});
  config_.tams.push_back({kTamUri, tam_ed_key_.Public()});
  config_.suit.store = &store_;
  config_.suit.trust_anchors.keys = signer_anchors_;
  // TEEP Appendix E vendor and class.
  config_.suit.vendor_ids = {teep::test::H("c0ddd5f15243566087db4f5b0aa26c2f")};
  config_.suit.class_ids = {teep::test::H("db42f7093d8c55baa8c5265fc5820f4e")};
  config_.suit.decryption_keys.push_back(cose::EcdhKey{&kek_, {}, {}});
  config_.suit.fetch = [this](std::string_view uri, ByteView) -> Result<Bytes> {
    auto it = served_.find(std::string(uri));
    if (it == served_.end()) return Status(StatusCode::kNotFound, "404 " + std::string(uri));
    return it->second;
  };
  // TEEP E.3 omits condition-dependency-integrity (docs/suit-processor.md P3).
  config_.suit_policy.implicit_dependency_integrity = true;
  MakeAgent();
}

void AgentTest::MakeAgent() {
  agent_.reset();
  auto agent = Agent::Create(config_, storage_);
  ASSERT_TRUE(agent.ok()) << agent.status().ToString();
  agent_ = std::move(agent).value();
}

Bytes AgentTest::SignedBy(const msg::Message& message, const crypto::PrivateKey& key) const {
  auto suite = msg::SuiteForKeyType(key.type());
  return Ok(msg::SignMessage(Ok(msg::EncodeMessage(message)), key, *suite));
}

Bytes AgentTest::FromTam(const msg::Message& message) const { return SignedBy(message, tam_key_); }

Bytes AgentTest::FromTamMulti(const msg::Message& message) const {
  const msg::Signer signers[] = {{&tam_key_, msg::SuiteSign1Esp256()},
                                 {&tam_ed_key_, msg::SuiteSign1Ed25519()}};
  return Ok(msg::SignMessageMulti(Ok(msg::EncodeMessage(message)), signers));
}

msg::QueryRequest AgentTest::Query(uint64_t items) {
  msg::QueryRequest q;
  q.token = teep::test::H("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");
  q.supported_teep_cipher_suites = {msg::SuiteSign1Esp256(), msg::SuiteSign1Ed25519()};
  q.supported_suit_cose_profiles = msg::MandatorySuitCoseProfiles();
  q.data_item_requested = items;
  return q;
}

msg::Update AgentTest::UpdateWith(std::vector<Bytes> manifests) {
  msg::Update u;
  Bytes token(16);
  EXPECT_TRUE(crypto::RandomBytes(token).ok());
  u.token = std::move(token);
  if (!manifests.empty()) u.manifest_list = std::move(manifests);
  return u;
}

msg::Message AgentTest::Exchange(ByteView signed_message) {
  auto reply = agent_->ProcessTeepMessage(signed_message);
  EXPECT_TRUE(reply.ok()) << reply.status().ToString();
  if (!reply.ok() || reply->empty()) {
    ADD_FAILURE() << "the Agent sent nothing";
    return msg::Error{};
  }
  auto anchor = msg::TrustAnchor::Make("agent", agent_key_.Public());
  EXPECT_TRUE(anchor.ok());
  const msg::TrustAnchor anchors[] = {std::move(anchor).value()};
  // The reply must verify with the Agent's key and decode strictly.
  auto decoded = msg::VerifyAndDecode(*reply, anchors);
  EXPECT_TRUE(decoded.ok()) << decoded.status().ToString();
  if (!decoded.ok()) return msg::Error{};
  EXPECT_EQ(decoded->verified.structure, msg::CoseStructure::kSign1);
  EXPECT_TRUE(decoded->verified.tagged);
  return std::move(decoded->message);
}

msg::Error AgentTest::ExpectError(ByteView signed_message, msg::ErrorCode code) {
  msg::Message reply = Exchange(signed_message);
  const auto* error = std::get_if<msg::Error>(&reply);
  if (error == nullptr) {
    ADD_FAILURE() << "expected an Error, got " << msg::MessageTypeName(msg::TypeOf(reply));
    return msg::Error{};
  }
  EXPECT_EQ(error->err_code, msg::ErrCode(code))
      << "got " << msg::ErrorCodeName(error->err_code.Number(msg::Draft26()))
      << " detail: " << agent_->last_exchange().detail;
  EXPECT_EQ(agent_->last_exchange().error, code);
  return *error;
}

void AgentTest::TrustSigner(const crypto::PrivateKey& signer) {
  signer_anchors_.push_back(signer.Public());
  config_.suit.trust_anchors.keys = signer_anchors_;
  MakeAgent();
}

std::optional<Bytes> AgentTest::Committed(const msg::ComponentId& id) const {
  std::vector<ByteView> parts(id.begin(), id.end());
  return store_.CommittedComponent(suit::EncodeComponentId(parts));
}

}  // namespace teep::agent::test
