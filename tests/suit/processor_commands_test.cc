// Every command family of the SUIT interpreter on manifests written for the
// purpose (signed with the published TEEP signer key): flow control,
// component selection, parameters, each condition and directive, and the
// rejections manifest-37 §6 and trust-domains §5 require.
#include "processor_fixture.h"

#include "core/suit/commands.h"
#include "core/suit/parameters.h"

namespace teep::suit::test {
namespace {

const Bytes kPayload = AsBytesCopy("trusted component bytes");

Value App() { return A({B("app")}); }
Value Other() { return A({B("other")}); }
Bytes AppKey() { return EncodeComponentId({AsBytes("app")}); }
Bytes OtherKey() { return EncodeComponentId({AsBytes("other")}); }

Value IdentityChecks(bool all_components = false) {
  return dsl::IdentityChecks(TeepVendor(), TeepClass(), all_components);
}

// Install: fetch the integrated "#p" payload into component 0, check it.
Commands FetchAndCheck(ByteView payload = kPayload) { return dsl::FetchAndCheck("#p", payload); }

Bytes OneComponent(Value install, uint64_t sequence = 1) {
  return Sign(ManifestBytes(sequence, {App()}, IdentityChecks(), {{U(kManifestInstall), install}}),
              {{"#p", kPayload}});
}

// ---- flow control -------------------------------------------------------------

TEST_F(ProcessorTest, TryEachFallsThroughToTheBranchThatWorks) {
  auto install = FetchAndCheck();
  install.insert(install.begin(),
                 {kDirTryEach, A({Seq({{kCondAbort, U(0)}}),
                                  Seq({{kDirOverrideParameters, M({{U(kParamUri), T("#p")}})}})})});
  ExpectSuccess(RunUpdate(OneComponent(Seq(install))));
  EXPECT_EQ(store_.CommittedComponent(AppKey()), kPayload);
}

TEST_F(ProcessorTest, TryEachWithAFinalNullSucceedsWithoutDoingAnything) {
  Bytes envelope = OneComponent(
      Seq({{kDirTryEach, A({Seq({{kCondAbort, U(0)}}), Seq({{kCondAbort, U(0)}}), Value::Null()})}}));
  ExpectSuccess(RunUpdate(envelope));
  EXPECT_EQ(store_.CommittedComponentCount(), 0u);
}

TEST_F(ProcessorTest, TryEachWhereEveryBranchFailsIsAConditionFailure) {
  Outcome outcome = RunUpdate(
      OneComponent(Seq({{kDirTryEach, A({Seq({{kCondAbort, U(0)}}), Seq({{kCondAbort, U(0)}})})}})));
  ExpectFailure(outcome, ReportReason::kConditionFailed, kManifestInstall);
  EXPECT_EQ(outcome.report.failure->code, kDirTryEach);
}

TEST_F(ProcessorTest, TryEachNeedsTwoBranches) {
  ExpectFailure(RunUpdate(OneComponent(Seq({{kDirTryEach, A({Seq({{kCondAbort, U(0)}})})}}))),
                ReportReason::kCborParse);
}

TEST_F(ProcessorTest, RunSequenceSoftFailureEndsOnlyTheBody) {
  auto install = FetchAndCheck();
  // The body fails softly before its fetch; processing continues after it.
  install.insert(install.begin(),
                 {kDirRunSequence, Seq({{kDirOverrideParameters, M({{U(kParamSoftFailure), Value::Bool(true)}})},
                                        {kCondAbort, U(0)},
                                        {kDirWrite, U(0)}})});
  ExpectSuccess(RunUpdate(OneComponent(Seq(install))));
  EXPECT_EQ(store_.CommittedComponent(AppKey()), kPayload);
}

TEST_F(ProcessorTest, RunSequenceWithoutSoftFailureAborts) {
  Outcome outcome = RunUpdate(OneComponent(Seq({{kDirRunSequence, Seq({{kCondAbort, U(2)}})}})));
  ExpectFailure(outcome, ReportReason::kConditionFailed, kManifestInstall);
  EXPECT_EQ(outcome.report.failure->code, kCondAbort);
  // Policy bit 1 (record on failure) left a record pointing at the command,
  // after the two success records of the shared sequence's checks.
  ASSERT_EQ(outcome.report.records.size(), 3u);
  EXPECT_EQ(outcome.report.records[2].section, kManifestInstall);
  EXPECT_EQ(outcome.report.records[2].offset, outcome.report.failure->record.offset);
}

TEST_F(ProcessorTest, SoftFailureOutsideTryEachOrRunSequenceIsRefused) {
  Outcome outcome = RunUpdate(OneComponent(
      Seq({{kDirOverrideParameters, M({{U(kParamSoftFailure), Value::Bool(true)}})}})));
  ExpectFailure(outcome, ReportReason::kOperationFailed, kManifestInstall);
  EXPECT_NE(outcome.status.message().find("soft-failure"), std::string::npos);
}

TEST_F(ProcessorTest, DirectiveFailureAbortsEvenWithSoftFailure) {
  // A failing directive is never soft (manifest-37 §8.4.8.10).
  Outcome outcome = RunUpdate(OneComponent(Seq(
      {{kDirTryEach,
        A({Seq({{kDirOverrideParameters, M({{U(kParamUri), T("#absent")}})}, {kDirFetch, U(0)}}),
           Value::Null()})}})));
  ExpectFailure(outcome, ReportReason::kOperationFailed, kManifestInstall);
  EXPECT_EQ(outcome.report.failure->code, kDirFetch);
}

TEST_F(ProcessorTest, NestingIsBounded) {
  Value body = Seq({{kCondVendorIdentifier, U(0)}});
  for (int i = 0; i < 20; ++i) body = Seq({{kDirRunSequence, body}});
  ExpectFailure(RunUpdate(OneComponent(body)), ReportReason::kCborParse);
}

// ---- component selection ------------------------------------------------------

Bytes TwoComponents(Value install) {
  return Sign(ManifestBytes(1, {App(), Other()}, IdentityChecks(/*all_components=*/true),
                            {{U(kManifestInstall), install}}),
              {{"#p", kPayload}});
}

TEST_F(ProcessorTest, SetComponentIndexTrueAppliesToEveryComponent) {
  auto install = FetchAndCheck();
  install.insert(install.begin(), {kDirSetComponentIndex, Value::Bool(true)});
  ExpectSuccess(RunUpdate(TwoComponents(Seq(install))));
  EXPECT_EQ(store_.CommittedComponent(AppKey()), kPayload);
  EXPECT_EQ(store_.CommittedComponent(OtherKey()), kPayload);
}

TEST_F(ProcessorTest, SetComponentIndexListSelectsThoseComponents) {
  auto install = FetchAndCheck();
  install.insert(install.begin(), {kDirSetComponentIndex, A({U(1)})});
  ExpectSuccess(RunUpdate(TwoComponents(Seq(install))));
  EXPECT_FALSE(store_.CommittedComponent(AppKey()).has_value());
  EXPECT_EQ(store_.CommittedComponent(OtherKey()), kPayload);
}

TEST_F(ProcessorTest, SequencesOfMultiComponentManifestsMustSelectFirst) {
  Outcome outcome = RunUpdate(TwoComponents(Seq(FetchAndCheck())));
  ExpectFailure(outcome, ReportReason::kComponentUnsupported, kManifestInstall);
}

TEST_F(ProcessorTest, ComponentIndexOutOfRangeIsRefused) {
  Outcome outcome = RunUpdate(TwoComponents(Seq({{kDirSetComponentIndex, U(2)}})));
  ExpectFailure(outcome, ReportReason::kComponentUnsupported, kManifestInstall);
}

TEST_F(ProcessorTest, TooManyComponentsAreRefusedBeforeAnyCommand) {
  policy_.max_components = 1;
  Outcome outcome = RunUpdate(TwoComponents(Seq(FetchAndCheck())));
  ExpectFailure(outcome, ReportReason::kComponentUnsupported);
}

// ---- what the shared sequence may do, unknown commands and parameters -------------

TEST_F(ProcessorTest, SharedSequenceMayNotRunDirectives) {
  Bytes envelope = Sign(ManifestBytes(1, {App()},
                                      Seq({{kDirOverrideParameters, M({{U(kParamUri), T("#p")}})},
                                           {kDirFetch, U(0)}}),
                                      {{U(kManifestInstall), Seq(FetchAndCheck())}}),
                        {{"#p", kPayload}});
  Outcome outcome = RunUpdate(envelope);
  ExpectFailure(outcome, ReportReason::kCommandUnsupported, kManifestCommon);
  EXPECT_EQ(store_.CommittedComponentCount(), 0u);
}

TEST_F(ProcessorTest, UnknownAndCustomCommandsRejectTheManifest) {
  for (int64_t code : {9, 10, 13, 16, 17, 30, 36, -300}) {
    SCOPED_TRACE(code);
    Outcome outcome = RunUpdate(OneComponent(Seq({{code, U(0)}})));
    ExpectFailure(outcome, ReportReason::kCommandUnsupported, kManifestInstall);
    EXPECT_EQ(outcome.report.failure->code, code);
  }
}

TEST_F(ProcessorTest, ReportingPolicyMustBeAUint) {
  ExpectFailure(RunUpdate(OneComponent(Seq({{kCondVendorIdentifier, T("all")}}))),
                ReportReason::kCborParse, kManifestInstall);
  ExpectFailure(RunUpdate(OneComponent(Seq({{kDirFetch, I(-1)}}))), ReportReason::kCborParse,
                kManifestInstall);
}

TEST_F(ProcessorTest, UnknownParametersAreRefusedCustomOnesAccepted) {
  ExpectFailure(RunUpdate(OneComponent(Seq({{kDirOverrideParameters, M({{U(99), U(1)}})}}))),
                ReportReason::kParameterUnsupported, kManifestInstall);
  auto install = FetchAndCheck();
  install.insert(install.begin(), {kDirOverrideParameters, M({{I(-300), T("vendor hint")}})});
  ExpectSuccess(RunUpdate(OneComponent(Seq(install))));
}

TEST_F(ProcessorTest, ParameterOfTheWrongTypeIsAParseError) {
  Outcome outcome =
      RunUpdate(OneComponent(Seq({{kDirOverrideParameters, M({{U(kParamUri), B("#p")}})}})));
  ExpectFailure(outcome, ReportReason::kCborParse, kManifestInstall);
  EXPECT_NE(outcome.status.message().find("uri (21)"), std::string::npos);
}

TEST_F(ProcessorTest, SetParametersNeverOverridesWhatIsSet) {
  Bytes envelope = Sign(
      ManifestBytes(1, {App()}, IdentityChecks(),
                    {{U(kManifestInstall),
                      Seq({{kDirOverrideParameters, M({{U(kParamUri), T("#first")}})},
                           {kDirSetParameters, M({{U(kParamUri), T("#second")}})},
                           {kDirFetch, U(0)}})}}),
      {{"#first", AsBytesCopy("1")}, {"#second", AsBytesCopy("2")}});
  ExpectSuccess(RunUpdate(envelope));
  EXPECT_EQ(store_.CommittedComponent(AppKey()), AsBytesCopy("1"));
}

TEST_F(ProcessorTest, OverrideMultipleAndCopyParams) {
  Bytes envelope = Sign(
      ManifestBytes(1, {App(), Other()}, IdentityChecks(true),
                    {{U(kManifestInstall),
                      Seq({{kDirSetComponentIndex, U(0)},
                           {kDirOverrideMultiple, M({{U(0), M({{U(kParamUri), T("#p")}})},
                                                     {U(1), M({{U(kParamContent), B("other")}})}})},
                           {kDirFetch, U(0)},
                           {kDirSetComponentIndex, U(1)},
                           {kDirWrite, U(0)},
                           // component 1 takes component 0's uri and fetches it too
                           {kDirCopyParams, M({{U(0), A({U(kParamUri)})}})},
                           {kDirFetch, U(0)}})}}),
      {{"#p", kPayload}});
  ExpectSuccess(RunUpdate(envelope));
  EXPECT_EQ(store_.CommittedComponent(AppKey()), kPayload);
  EXPECT_EQ(store_.CommittedComponent(OtherKey()), kPayload);
}

TEST_F(ProcessorTest, OverrideMultipleAndCopyParamsRefuseUnknownIndices) {
  ExpectFailure(RunUpdate(OneComponent(
                    Seq({{kDirOverrideMultiple, M({{U(5), M({{U(kParamUri), T("#p")}})}})}}))),
                ReportReason::kComponentUnsupported, kManifestInstall);
  ExpectFailure(
      RunUpdate(OneComponent(Seq({{kDirCopyParams, M({{U(5), A({U(kParamUri)})}})}}))),
      ReportReason::kComponentUnsupported, kManifestInstall);
}

// ---- directives -------------------------------------------------------------------

TEST_F(ProcessorTest, WriteCopySwapAndUnlink) {
  Bytes envelope = Sign(
      ManifestBytes(1, {App(), Other()}, IdentityChecks(true),
                    {{U(kManifestInstall),
                      Seq({{kDirSetComponentIndex, U(0)},
                           {kDirOverrideParameters, M({{U(kParamContent), B("A")}})},
                           {kDirWrite, U(15)},
                           {kDirSetComponentIndex, U(1)},
                           {kDirOverrideParameters, M({{U(kParamSourceComponent), U(0)}})},
                           {kDirCopy, U(15)},
                           {kDirOverrideParameters, M({{U(kParamContent), B("A")}})},
                           {kCondCheckContent, U(15)},
                           {kDirSetComponentIndex, U(0)},
                           {kDirOverrideParameters, M({{U(kParamContent), B("B")}})},
                           {kDirWrite, U(15)},
                           {kDirOverrideParameters, M({{U(kParamSourceComponent), U(1)}})},
                           {kDirSwap, U(15)}})}}));
  ExpectSuccess(RunUpdate(envelope));
  EXPECT_EQ(store_.CommittedComponent(AppKey()), AsBytesCopy("A"));
  EXPECT_EQ(store_.CommittedComponent(OtherKey()), AsBytesCopy("B"));

  Bytes unlink = Sign(ManifestBytes(2, {App(), Other()}, IdentityChecks(true),
                                    {{U(kManifestInstall),
                                      Seq({{kDirSetComponentIndex, U(1)}, {kDirUnlink, U(15)}})}}));
  ExpectSuccess(RunUpdate(unlink));
  EXPECT_TRUE(store_.CommittedComponent(AppKey()).has_value());
  EXPECT_FALSE(store_.CommittedComponent(OtherKey()).has_value());
}

TEST_F(ProcessorTest, CheckContentMismatchFails) {
  Outcome outcome = RunUpdate(OneComponent(
      Seq({{kDirOverrideParameters, M({{U(kParamContent), B("A")}})},
           {kDirWrite, U(0)},
           {kDirOverrideParameters, M({{U(kParamContent), B("B")}})},
           {kCondCheckContent, U(0)}})));
  ExpectFailure(outcome, ReportReason::kConditionFailed, kManifestInstall);
}

TEST_F(ProcessorTest, CopyFromAMissingComponentFails) {
  Bytes envelope = Sign(ManifestBytes(
      1, {App(), Other()}, IdentityChecks(true),
      {{U(kManifestInstall), Seq({{kDirSetComponentIndex, U(0)},
                                  {kDirOverrideParameters, M({{U(kParamSourceComponent), U(1)}})},
                                  {kDirCopy, U(0)}})}}));
  ExpectFailure(RunUpdate(envelope), ReportReason::kOperationFailed, kManifestInstall);
}

TEST_F(ProcessorTest, InvokeHandsOverTheArguments) {
  Bytes envelope = Sign(ManifestBytes(
      1, {App()}, IdentityChecks(),
      {{U(kManifestInvoke), Seq({{kDirOverrideParameters, M({{U(kParamInvokeArgs), B("--boot")}})},
                                 {kDirInvoke, U(0)}})}}));
  ExpectSuccess(RunInvoke(envelope));
  ASSERT_EQ(invoked_.size(), 1u);
  EXPECT_EQ(invoked_[0].first, AppKey());
  EXPECT_EQ(invoked_[0].second, AsBytesCopy("--boot"));
  // The update procedure never invokes.
  invoked_.clear();
  ExpectSuccess(RunUpdate(envelope));
  EXPECT_TRUE(invoked_.empty());
  // Without an invoke capability the directive fails, it is not skipped.
  platform_.invoke = nullptr;
  ExpectFailure(RunInvoke(envelope), ReportReason::kOperationFailed, kManifestInvoke);
}

TEST_F(ProcessorTest, EncryptedWriteWithBuilderMadeManifest) {
  ManifestSpec spec;
  spec.sequence_number = 1;
  spec.component_id = {AsBytesCopy("app")};
  spec.vendor_id = TeepVendor();
  spec.class_id = TeepClass();
  spec.payload = kPayload;
  crypto::PublicKey device = PublishedKeys().kek.Public();
  for (int64_t content_alg : {1, -65534}) {
    SCOPED_TRACE(content_alg);
    spec.encryption = PayloadEncryption{&device, {}, content_alg};
    auto envelope = BuildEnvelope(spec, PublishedKeys().signer);
    ASSERT_OK(envelope.status());
    ExpectSuccess(RunUpdate(*envelope));
    EXPECT_EQ(store_.CommittedComponent(AppKey()), kPayload);
    spec.sequence_number++;
  }
}

TEST_F(ProcessorTest, EveryTeepSuitProfileEndToEnd) {
  // draft-ietf-suit-mti §3, the four profiles TEEP names: [digest, auth,
  // key exchange, content]. Ed25519 profiles use X25519 for ECDH.
  struct Profile {
    const char* name;
    crypto::KeyType signer, device;
    int64_t content_alg;
  };
  const Profile profiles[] = {
      {"suit-sha256-esp256-ecdh-a128ctr", crypto::KeyType::kP256, crypto::KeyType::kP256, -65534},
      {"suit-sha256-ed25519-ecdh-a128ctr", crypto::KeyType::kEd25519, crypto::KeyType::kX25519,
       -65534},
      {"suit-sha256-esp256-ecdh-a128gcm", crypto::KeyType::kP256, crypto::KeyType::kP256, 1},
      {"suit-sha256-ed25519-ecdh-chacha-poly", crypto::KeyType::kEd25519, crypto::KeyType::kX25519,
       24},
  };
  uint64_t sequence = 1;
  for (const Profile& p : profiles) {
    SCOPED_TRACE(p.name);
    auto signer = crypto::PrivateKey::Generate(p.signer);
    auto device = crypto::PrivateKey::Generate(p.device);
    ASSERT_OK(signer.status());
    ASSERT_OK(device.status());
    const crypto::PublicKey device_public = device->Public();
    ManifestSpec spec;
    spec.sequence_number = sequence++;
    spec.component_id = {AsBytesCopy("app")};
    spec.vendor_id = TeepVendor();
    spec.class_id = TeepClass();
    spec.payload = kPayload;
    spec.encryption = PayloadEncryption{&device_public, {}, p.content_alg};
    auto envelope = BuildEnvelope(spec, *signer);
    ASSERT_OK(envelope.status());
    const crypto::PublicKey signer_public = signer->Public();
    platform_.trust_anchors.keys = std::span<const crypto::PublicKey>(&signer_public, 1);
    platform_.decryption_keys = {cose::EcdhKey{&*device, {}, {}}};
    ExpectSuccess(RunUpdate(*envelope));
    EXPECT_EQ(store_.CommittedComponent(AppKey()), kPayload);
  }
}

TEST_F(ProcessorTest, EncryptedWriteWithAPreSharedKeyEncryptionKey) {
  // The suit-sha256-hmac-a128kw-a128ctr profile: an AES-KW recipient and a
  // KEK the platform holds (firmware-encryption-24 §5.1).
  const Bytes kek = teep::test::H("c1c2c3c4c5c6c7c8c9cacbcccdcecfd0");
  cose::RecipientSpec recipients[] = {cose::KeyWrapRecipient{kek, AsBytesCopy("kek-1"), -3}};
  cose::EncryptOptions options;
  options.content_alg = -65534;  // A128CTR
  options.detached = true;
  auto encrypted = cose::CreateEncrypt(recipients, kPayload, options);
  ASSERT_OK(encrypted.status());
  auto install = [&](uint64_t sequence) {
    return OneComponent(
        Seq({{kDirOverrideParameters, M({{U(kParamImageDigest), ImageDigest(kPayload)},
                                         {U(kParamContent), B(encrypted->detached_ciphertext)},
                                         {U(kParamEncryptionInfo), B(encrypted->message)}})},
             {kDirWrite, U(15)},
             {kCondImageMatch, U(15)}}),
        sequence);
  };
  // Without the KEK the write fails and nothing is installed.
  ExpectFailure(RunUpdate(install(1)), ReportReason::kUnauthorised, kManifestInstall);
  platform_.decryption_keys.push_back(cose::KeyWrapKey{kek, {}});
  ExpectSuccess(RunUpdate(install(1)));
  EXPECT_EQ(store_.CommittedComponent(AppKey()), kPayload);
}

// ---- update-management conditions ----------------------------------------------

TEST_F(ProcessorTest, UpdateManagementConditions) {
  struct Case {
    const char* name;
    int64_t condition;
    Value::Map parameters;
    bool expected;
  };
  platform_.now = [] { return std::optional<uint64_t>(1'800'000'000); };
  platform_.battery_mwh = [] { return std::optional<uint64_t>(500); };
  platform_.update_authorized = [](int64_t priority) { return priority <= 0; };
  platform_.version = [](const ComponentId&) {
    return std::optional<std::vector<int64_t>>({1, 2, 3});
  };
  platform_.device_ids = {teep::test::H("00112233445566778899aabbccddeeff")};
  auto version = [](uint64_t cmp, std::vector<int64_t> v) {
    Value::Array parts;
    for (int64_t p : v) parts.push_back(I(p));
    return Wrap(A({U(cmp), A(std::move(parts))}));
  };
  const std::vector<Case> cases = {
      {"use-before in the future", kCondUseBefore, {{U(kParamUseBefore), U(1'900'000'000)}}, true},
      {"use-before in the past", kCondUseBefore, {{U(kParamUseBefore), U(1'700'000'000)}}, false},
      {"battery enough", kCondMinimumBattery, {{U(kParamMinimumBattery), U(400)}}, true},
      {"battery low", kCondMinimumBattery, {{U(kParamMinimumBattery), U(600)}}, false},
      {"urgent update", kCondUpdateAuthorized, {{U(kParamUpdatePriority), I(-1)}}, true},
      {"deferred update", kCondUpdateAuthorized, {{U(kParamUpdatePriority), I(5)}}, false},
      {"version >= 1.2", kCondVersion, {{U(kParamVersion), version(2, {1, 2})}}, true},
      {"version == 1.2.3", kCondVersion, {{U(kParamVersion), version(3, {1, 2, 3})}}, true},
      {"version < 1.2.3", kCondVersion, {{U(kParamVersion), version(5, {1, 2, 3})}}, false},
      {"version > 2", kCondVersion, {{U(kParamVersion), version(1, {2})}}, false},
      {"device id", kCondDeviceIdentifier,
       {{U(kParamDeviceId), B(teep::test::H("00112233445566778899aabbccddeeff"))}}, true},
      {"other device", kCondDeviceIdentifier, {{U(kParamDeviceId), B("0123456789abcdef")}}, false},
      {"image-not-match, nothing installed", kCondImageNotMatch,
       {{U(kParamImageDigest), ImageDigest(kPayload)}}, true},
      {"is-dependency on a component", kCondIsDependency, {}, false},
      {"no parameter set", kCondUseBefore, {}, false},
  };
  uint64_t sequence = 1;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Bytes envelope = OneComponent(
        Seq({{kDirOverrideParameters, M(c.parameters)}, {c.condition, U(0)}}), sequence++);
    Outcome outcome = RunUpdate(envelope);
    if (c.expected) {
      ExpectSuccess(outcome);
    } else {
      ExpectFailure(outcome, ReportReason::kConditionFailed, kManifestInstall);
    }
  }
}

TEST_F(ProcessorTest, MissingPlatformCapabilitiesMakeConditionsFail) {
  // No clock, no battery gauge: the conditions are false, never skipped.
  for (int64_t condition : {kCondUseBefore, kCondMinimumBattery, kCondVersion,
                            kCondUpdateAuthorized, kCondComponentSlot}) {
    SCOPED_TRACE(condition);
    Outcome outcome = RunUpdate(OneComponent(
        Seq({{kDirOverrideParameters, M({{U(kParamUseBefore), U(1)},
                                         {U(kParamComponentSlot), U(0)},
                                         {U(kParamMinimumBattery), U(1)},
                                         {U(kParamUpdatePriority), I(0)},
                                         {U(kParamVersion), Wrap(A({U(2), A({I(0)})}))}})},
             {condition, U(0)}})));
    ExpectFailure(outcome, ReportReason::kConditionFailed, kManifestInstall);
  }
}

// ---- records ---------------------------------------------------------------------

TEST_F(ProcessorTest, SuccessRecordsCarryTheMeasuredImage) {
  Outcome outcome = RunUpdate(OneComponent(Seq(FetchAndCheck())));
  ExpectSuccess(outcome);
  // Policy 15 on vendor, class (shared, run before install), fetch and
  // image-match: four success records.
  ASSERT_EQ(outcome.report.records.size(), 4u);
  const ReportRecord& image = outcome.report.records.back();
  EXPECT_EQ(image.section, kManifestInstall);
  ASSERT_EQ(image.parameters.size(), 2u);
  EXPECT_EQ(image.parameters[0].first, kParamImageSize);
  EXPECT_EQ(image.parameters[1].first, kParamImageDigest);
  EXPECT_EQ(image.parameters[1].second, Enc(ImageDigest(kPayload)));
}

}  // namespace
}  // namespace teep::suit::test
