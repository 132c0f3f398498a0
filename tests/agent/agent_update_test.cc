// Update -> Success / Error (draft-ietf-teep-protocol-26 §4.4-§4.6, §7.2.2),
// including the published Appendix D.4 Update and the Appendix E manifests.
#include <gtest/gtest.h>

#include "agent_fixture.h"
#include "core/suit/builder.h"
#include "core/suit/report.h"
#include "core/teep/codec.h"

namespace teep::agent::test {
namespace {

class AgentUpdateTest : public AgentTest {
 protected:
  msg::Success ExpectSuccess(ByteView signed_message) {
    msg::Message reply = Exchange(signed_message);
    auto* success = std::get_if<msg::Success>(&reply);
    if (success == nullptr) {
      ADD_FAILURE() << "expected Success, got " << msg::MessageTypeName(msg::TypeOf(reply)) << ": "
                    << agent_->last_exchange().detail;
      return {};
    }
    return *success;
  }

  // P §4.5: every SUIT Report carries the Update's token as its nonce.
  static std::vector<suit::Report> Reports(const std::optional<std::vector<Bytes>>& encoded,
                                           const Bytes& token) {
    std::vector<suit::Report> out;
    for (const Bytes& e : encoded.value_or(std::vector<Bytes>{})) {
      auto report = suit::DecodeReport(e);
      EXPECT_TRUE(report.ok()) << report.status().ToString();
      if (!report.ok()) continue;
      EXPECT_EQ(report->nonce, token);
      out.push_back(std::move(*report));
    }
    return out;
  }
};

// The published D.4 Update (token + one manifest, unsigned at the TEEP layer
// in the draft) signed by our test TAM. Its manifest is signed with ES256 by
// the published Appendix E key; its install steps sit under key 9, which
// manifest-37 renumbered to invoke, so an update installs no image — but
// the manifest is authenticated and recorded, and the Agent says Success.
TEST_F(AgentUpdateTest, AnswersPublishedD4Update) {
  auto d4 = msg::DecodeMessage(TeepVector("d4-update"));
  ASSERT_TRUE(d4.ok()) << d4.status().ToString();
  const auto& update = std::get<msg::Update>(*d4);
  msg::Success success = ExpectSuccess(FromTam(*d4));
  EXPECT_EQ(success.token, update.token);
  std::vector<suit::Report> reports = Reports(success.suit_reports, *update.token);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_TRUE(reports[0].succeeded());
  auto installed = agent_->ListInstalled();
  ASSERT_TRUE(installed.ok());
  ASSERT_EQ(installed->size(), 1u);
  EXPECT_EQ(installed->at(0).manifest_id, TeepTc());
  EXPECT_EQ(installed->at(0).sequence_number, 3u);
}

TEST_F(AgentUpdateTest, InstallsIntegratedTc) {
  msg::Update update = UpdateWith({TeepVector("e2-suit-integrated")});
  msg::Success success = ExpectSuccess(FromTam(update));
  EXPECT_EQ(Reports(success.suit_reports, *update.token).size(), 1u);
  EXPECT_EQ(Committed(TeepTc()), TeepVector("tc-binary-hello"));
  EXPECT_EQ(agent_->last_exchange().installed, std::vector<msg::ComponentId>{TeepManifestId()});
}

// E.3: encrypted personalisation data and a dependency fetched by URI.
TEST_F(AgentUpdateTest, InstallsPersonalisationWithDependency) {
  served_[kE1Uri] = TeepVector("e1-suit-uri");
  served_[kTaUri] = TeepVector("tc-binary-hello");
  ExpectSuccess(FromTam(UpdateWith({TeepVector("e3-suit-personalization")})));
  EXPECT_EQ(Committed(TeepTc()), TeepVector("tc-binary-hello"));
  auto config = Committed({Str("TEEP-Device"), Str("SecureFS"),
                           Str("config.json")});
  ASSERT_TRUE(config.has_value());
  EXPECT_EQ(*config, Str(R"({"name":"FOO Bar","secret":"0123456789abfcdef0123456789abcd"})"));
}

TEST_F(AgentUpdateTest, UnlinksUnneededManifestsFirst) {
  ExpectSuccess(FromTam(UpdateWith({TeepVector("e2-suit-integrated")})));
  msg::Update update = UpdateWith({});
  update.unneeded_manifest_list = std::vector<msg::ComponentId>{TeepManifestId()};
  msg::Success success = ExpectSuccess(FromTam(update));
  EXPECT_FALSE(Committed(TeepTc()).has_value());
  EXPECT_EQ(agent_->last_exchange().removed, std::vector<msg::ComponentId>{TeepManifestId()});
  EXPECT_EQ(Reports(success.suit_reports, *update.token).size(), 1u);
  // Unlinking what is already gone is not a failure (the TAM's goal holds).
  msg::Update again = UpdateWith({});
  again.unneeded_manifest_list = std::vector<msg::ComponentId>{TeepManifestId()};
  ExpectSuccess(FromTam(again));
}

// P §7.2.2 order: unlink, then install, in one Update (a reinstall).
TEST_F(AgentUpdateTest, UnlinkThenInstallInOneUpdate) {
  ExpectSuccess(FromTam(UpdateWith({TeepVector("e2-suit-integrated")})));
  msg::Update update = UpdateWith({TeepVector("e2-suit-integrated")});
  update.unneeded_manifest_list = std::vector<msg::ComponentId>{TeepManifestId()};
  msg::Success success = ExpectSuccess(FromTam(update));
  EXPECT_EQ(Reports(success.suit_reports, *update.token).size(), 2u);
  EXPECT_EQ(Committed(TeepTc()), TeepVector("tc-binary-hello"));
}

TEST_F(AgentUpdateTest, ManifestFailureIsErrorWithReportsAndChangesNothing) {
  Bytes tampered = TeepVector("e2-suit-integrated");
  tampered[tampered.size() - 3] ^= 0x01;  // inside the integrated payload
  msg::Update update = UpdateWith({tampered});
  msg::Error error = ExpectError(FromTam(update), msg::ErrorCode::kManifestProcessingFailed);
  EXPECT_EQ(error.token, update.token);
  std::vector<suit::Report> reports = Reports(error.suit_reports, *update.token);
  ASSERT_EQ(reports.size(), 1u);
  ASSERT_FALSE(reports[0].succeeded());
  EXPECT_EQ(reports[0].failure->reason, suit::ReportReason::kConditionFailed);
  EXPECT_FALSE(Committed(TeepTc()).has_value());
  EXPECT_TRUE(error.err_msg.has_value());
}

TEST_F(AgentUpdateTest, StopsAtTheFirstFailingManifest) {
  Bytes untrusted = TeepVector("e2-suit-integrated");
  untrusted[40] ^= 0x01;  // inside the authentication wrapper's signature
  msg::Update update = UpdateWith({untrusted, TeepVector("e2-suit-integrated")});
  msg::Error error = ExpectError(FromTam(update), msg::ErrorCode::kManifestProcessingFailed);
  EXPECT_EQ(Reports(error.suit_reports, *update.token).size(), 1u);
  EXPECT_FALSE(Committed(TeepTc()).has_value());
}

TEST_F(AgentUpdateTest, RollbackIsRefused) {
  auto signer = crypto::PrivateKey::Generate(crypto::KeyType::kP256);
  ASSERT_TRUE(signer.ok());
  TrustSigner(*signer);
  auto version = [&](uint64_t sequence, std::string_view image) {
    suit::ManifestSpec spec;
    spec.sequence_number = sequence;
    spec.component_id = {Str("tc")};
    spec.payload = Str(image);
    return Ok(suit::BuildEnvelope(spec, *signer));
  };
  ExpectSuccess(FromTam(UpdateWith({version(2, "two")})));
  msg::Error error =
      ExpectError(FromTam(UpdateWith({version(1, "one")})), msg::ErrorCode::kManifestProcessingFailed);
  ASSERT_TRUE(error.suit_reports.has_value());
  EXPECT_EQ(Committed({Str("tc")}), Str("two"));
}

// RFC 9397 §9.3: a replayed Update is declined, even after a restart.
TEST_F(AgentUpdateTest, ReplayedUpdateIsDeclined) {
  ExpectSuccess(FromTam(UpdateWith({TeepVector("e2-suit-integrated")})));
  msg::Update removal = UpdateWith({});
  removal.unneeded_manifest_list = std::vector<msg::ComponentId>{TeepManifestId()};
  const Bytes recorded = FromTam(removal);
  ExpectSuccess(recorded);
  ExpectSuccess(FromTam(UpdateWith({TeepVector("e2-suit-integrated")})));  // reinstalled
  MakeAgent();
  msg::Error error = ExpectError(recorded, msg::ErrorCode::kPermanentError);
  EXPECT_EQ(error.token, removal.token);
  EXPECT_EQ(Committed(TeepTc()), TeepVector("tc-binary-hello"));  // still there
}

TEST_F(AgentUpdateTest, UpdateMustUseTheAgentsSuite) {
  msg::Error error = ExpectError(SignedBy(UpdateWith({TeepVector("e2-suit-integrated")}), tam_ed_key_),
                                 msg::ErrorCode::kUnsupportedCipherSuites);
  ASSERT_TRUE(error.supported_teep_cipher_suites.has_value());
  EXPECT_EQ(*error.supported_teep_cipher_suites, std::vector<msg::CipherSuite>{msg::SuiteSign1Esp256()});
  EXPECT_FALSE(Committed(TeepTc()).has_value());
}

TEST_F(AgentUpdateTest, TooManyManifestsAreRefused) {
  config_.max_manifests_per_update = 1;
  MakeAgent();
  ExpectError(FromTam(UpdateWith({TeepVector("e2-suit-integrated"), TeepVector("e2-suit-integrated")})),
              msg::ErrorCode::kPermanentError);
  EXPECT_FALSE(Committed(TeepTc()).has_value());
}

TEST_F(AgentUpdateTest, TamErrorIsRecorded) {
  msg::Update update = UpdateWith({});
  update.err_code = msg::ErrCode(msg::ErrorCode::kAttestationRequired);
  update.err_msg = "attestation failed";
  ExpectSuccess(FromTam(update));
  EXPECT_NE(agent_->last_exchange().detail.find("ERR_ATTESTATION_REQUIRED: attestation failed"),
            std::string::npos);
}

}  // namespace
}  // namespace teep::agent::test
