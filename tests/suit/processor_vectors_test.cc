// The published manifests, processed end to end: draft-ietf-suit-manifest-37
// Appendix B (examples 0-5) and draft-ietf-teep-protocol-26 Appendix E
// (e1-e3). Expected outcomes: ../shared/spec/suit/vectors/INDEX.md and
// ../shared/spec/teep/vectors/INDEX.md.
#include "processor_fixture.h"

#include "core/suit/authenticate.h"
#include "core/suit/envelope.h"
#include "core/suit/manifest.h"

namespace teep::suit::test {
namespace {

using teep::test::ReadVector;

Bytes SuitVector(const std::string& name) { return ReadVector("suit/vectors/" + name + ".hex"); }
Bytes TeepVector(const std::string& name) { return ReadVector("teep/vectors/" + name + ".hex"); }

const std::vector<std::string> kTeepTc = {"TEEP-Device", "SecureFS",
                                          std::string("\x8d\x82\x57\x3a\x92\x6d\x47\x54"
                                                      "\x93\x53\x32\xdc\x29\x99\x7f\x74",
                                                      16),
                                          "ta"};
const char kTaUri[] = "https://example.org/8d82573a-926d-4754-9353-32dc29997f74.ta";
const char kE1Uri[] = "https://example.org/8d82573a-926d-4754-9353-32dc29997f74.suit";

Bytes Slot(std::vector<std::string> parts) {
  ComponentId id;
  for (const auto& p : parts) id.push_back(AsBytes(p));
  return EncodeComponentId(id);
}

Bytes E1Slot() {
  auto parts = kTeepTc;
  parts.back() = "suit";
  return Slot(parts);
}

// ---- manifest-37 Appendix B -----------------------------------------------------

TEST_F(ProcessorTest, UnsignedExamplesAreRejectedAsUnauthorised) {
  for (int i = 0; i <= 5; ++i) {
    const std::string name = i == 2 ? "suit-example2-severed-unsigned"
                                    : "suit-example" + std::to_string(i) + "-unsigned";
    SCOPED_TRACE(name);
    ExpectFailure(RunUpdate(SuitVector(name)), ReportReason::kUnauthorised);
    ExpectFailure(RunInvoke(SuitVector(name)), ReportReason::kUnauthorised);
    EXPECT_TRUE(fetched_.empty());
    EXPECT_TRUE(invoked_.empty());
  }
  EXPECT_EQ(store_.CommitCount(), 0u);
}

TEST_F(ProcessorTest, Example0ValidatesBeforeInvoking) {
  // The image digest is a placeholder (INDEX.md): with any real component,
  // validate's image-match fails and invoke never runs.
  ASSERT_OK(store_.Write(EncodeComponentId({teep::test::H("00")}), AsBytes("firmware")));
  ASSERT_OK(store_.Commit());
  Outcome outcome = RunInvoke(SuitVector("suit-example0-signed"));
  ExpectFailure(outcome, ReportReason::kConditionFailed, kManifestValidate);
  EXPECT_EQ(outcome.report.failure->code, 3);  // condition-image-match
  EXPECT_TRUE(invoked_.empty());
  // Policy 15 on image-match: the failure is also recorded, with the measured size.
  ASSERT_FALSE(outcome.report.records.empty());
  EXPECT_EQ(outcome.report.records.back().section, kManifestValidate);
}

TEST_F(ProcessorTest, Example0WithoutTheComponentFailsTheCondition) {
  Outcome outcome = RunInvoke(SuitVector("suit-example0-signed"));
  ExpectFailure(outcome, ReportReason::kConditionFailed, kManifestValidate);
  EXPECT_TRUE(invoked_.empty());
}

TEST_F(ProcessorTest, Example1FetchesThenChecksTheImage) {
  served_["http://example.com/file.bin"] = AsBytesCopy("not the image");
  Outcome outcome = RunUpdate(SuitVector("suit-example1-signed"));
  EXPECT_EQ(fetched_, std::vector<std::string>{"http://example.com/file.bin"});
  ExpectFailure(outcome, ReportReason::kConditionFailed, kManifestInstall);
  // The fetched bytes were staged only: nothing is visible after the failure.
  EXPECT_FALSE(Component({std::string("\0", 1)}).has_value());
  EXPECT_EQ(store_.CommittedComponentCount(), 0u);
}

TEST_F(ProcessorTest, Example1FetchFailureIsAnOperationFailure) {
  Outcome outcome = RunUpdate(SuitVector("suit-example1-signed"));
  ExpectFailure(outcome, ReportReason::kOperationFailed, kManifestInstall);
  EXPECT_EQ(outcome.report.failure->code, 21);  // directive-fetch
  EXPECT_NE(outcome.status.message().find("404"), std::string::npos);
}

TEST_F(ProcessorTest, Example2SeveredCannotUpdateButCanInvoke) {
  // Install (20) is severed and absent: the update must fail, not skip it.
  Outcome update = RunUpdate(SuitVector("suit-example2-severed-signed"));
  ExpectFailure(update, ReportReason::kSeveringUnsupported, kManifestInstall);
  EXPECT_TRUE(fetched_.empty());
  // Validate and invoke are present: invocation runs as far as validate.
  Outcome invoke = RunInvoke(SuitVector("suit-example2-severed-signed"));
  ExpectFailure(invoke, ReportReason::kConditionFailed, kManifestValidate);
  EXPECT_EQ(invoke.report.reference_uri, "https://git.io/JJYoj");
}

TEST_F(ProcessorTest, Example2FullRunsTheSeveredInstall) {
  Outcome outcome = RunUpdate(SuitVector("suit-example2-full-signed"));
  EXPECT_EQ(fetched_,
            std::vector<std::string>{"http://example.com/very/long/path/to/file/file.bin"});
  ExpectFailure(outcome, ReportReason::kOperationFailed, kManifestInstall);
  // Same authentication digest as the severed form (severing equivalence).
  Outcome severed = RunUpdate(SuitVector("suit-example2-severed-signed"));
  EXPECT_EQ(outcome.report.manifest_digest, severed.report.manifest_digest);
}

TEST_F(ProcessorTest, Example3TryEachPicksTheSlot) {
  served_["http://example.com/file1.bin"] = AsBytesCopy("slot 0 image");
  served_["http://example.com/file2.bin"] = AsBytesCopy("slot 1 image");
  uint64_t slot = 0;
  platform_.component_slot = [&](const ComponentId&) -> std::optional<uint64_t> { return slot; };
  for (slot = 0; slot <= 1; ++slot) {
    fetched_.clear();
    Outcome outcome = RunUpdate(SuitVector("suit-example3-signed"));
    EXPECT_EQ(fetched_, std::vector<std::string>{"http://example.com/file" +
                                                 std::to_string(slot + 1) + ".bin"});
    // Placeholder digests: the image-match after the fetch fails.
    ExpectFailure(outcome, ReportReason::kConditionFailed, kManifestInstall);
    EXPECT_EQ(outcome.report.failure->code, 3);
  }
  // A slot no branch accepts: the shared sequence's try-each fails.
  slot = 7;
  fetched_.clear();
  Outcome outcome = RunUpdate(SuitVector("suit-example3-signed"));
  ExpectFailure(outcome, ReportReason::kConditionFailed, kManifestCommon);
  EXPECT_EQ(outcome.report.failure->code, 15);
  EXPECT_TRUE(fetched_.empty());
}

TEST_F(ProcessorTest, Example4FetchesIntoTheDownloadComponent) {
  served_["http://example.com/file.bin"] = AsBytesCopy("payload");
  Outcome outcome = RunUpdate(SuitVector("suit-example4-signed"));
  EXPECT_EQ(fetched_, std::vector<std::string>{"http://example.com/file.bin"});
  ExpectFailure(outcome, ReportReason::kConditionFailed, kManifestPayloadFetch);
  EXPECT_EQ(outcome.report.failure->record.component_index, 1u);
}

TEST_F(ProcessorTest, Example5InstallsTwoComponentsInOrder) {
  served_["http://example.com/file1.bin"] = AsBytesCopy("one");
  served_["http://example.com/file2.bin"] = AsBytesCopy("two");
  Outcome outcome = RunUpdate(SuitVector("suit-example5-signed"));
  EXPECT_EQ(fetched_, std::vector<std::string>{"http://example.com/file1.bin"});
  ExpectFailure(outcome, ReportReason::kConditionFailed, kManifestInstall);
  EXPECT_EQ(outcome.report.failure->record.component_index, 0u);
}

// ---- TEEP Appendix E ------------------------------------------------------------

TEST_F(ProcessorTest, TeepE1InstallsTheTcFetchedByUri) {
  served_[kTaUri] = TeepVector("tc-binary-hello");
  const Bytes token = teep::test::H("a0a1a2a3a4a5a6a7");
  options_.nonce = token;
  Outcome outcome = RunUpdate(TeepVector("e1-suit-uri"));
  ExpectSuccess(outcome);
  EXPECT_EQ(outcome.report.nonce, token);
  EXPECT_EQ(Component(kTeepTc), TeepVector("tc-binary-hello"));
  auto record = store_.CommittedManifest(E1Slot());
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->sequence_number, 3u);
  EXPECT_EQ(record->reference_count, 1u);
  EXPECT_EQ(store_.CommittedSequence(E1Slot()), 3u);
  EXPECT_EQ(outcome.installed, std::vector<Bytes>{E1Slot()});
}

TEST_F(ProcessorTest, TeepE2InstallsTheIntegratedTc) {
  platform_.fetch = nullptr;  // nothing may be fetched: the payload is in the envelope
  Outcome outcome = RunUpdate(TeepVector("e2-suit-integrated"));
  ExpectSuccess(outcome);
  EXPECT_EQ(Component(kTeepTc), TeepVector("tc-binary-hello"));
  // The record keeps the authenticated manifest, not a second copy of the payload.
  auto record = store_.CommittedManifest(E1Slot());
  ASSERT_TRUE(record.has_value());
  auto kept = DecodeEnvelope(record->envelope);
  ASSERT_OK(kept.status());
  EXPECT_TRUE(kept->integrated_payloads.empty());
  EXPECT_TRUE(Authenticate(*kept, anchors_).ok());
  const Bytes original_bytes = TeepVector("e2-suit-integrated");
  auto original = DecodeEnvelope(original_bytes);
  EXPECT_EQ(ToBytes(kept->manifest.wrapped), ToBytes(original->manifest.wrapped));
}

TEST_F(ProcessorTest, TeepE2TamperedIntegratedPayloadFailsImageMatch) {
  // Integrated payloads are outside the signature: image-match protects them.
  Bytes envelope = TeepVector("e2-suit-integrated");
  const Bytes hello = TeepVector("tc-binary-hello");
  auto at = std::search(envelope.begin(), envelope.end(), hello.begin(), hello.end());
  ASSERT_NE(at, envelope.end());
  at[3] ^= 0x01;
  Outcome outcome = RunUpdate(envelope);
  ExpectFailure(outcome, ReportReason::kConditionFailed, kManifestInstall);
  EXPECT_FALSE(Component(kTeepTc).has_value());
}

TEST_F(ProcessorTest, TeepE3NeedsDependencyIntegrityUnderTheStrictPolicy) {
  served_[kE1Uri] = TeepVector("e1-suit-uri");
  served_[kTaUri] = TeepVector("tc-binary-hello");
  // E.3 calls process-dependency without condition-dependency-integrity;
  // trust-domains §5.6.2 says that aborts (our default).
  Outcome outcome = RunUpdate(TeepVector("e3-suit-personalization"));
  ExpectFailure(outcome, ReportReason::kUnauthorised, kManifestInstall);
  EXPECT_EQ(outcome.report.failure->code, 11);
  EXPECT_EQ(store_.CommittedComponentCount(), 0u);
}

TEST_F(ProcessorTest, TeepE3InstallsDependencyAndDecryptsPersonalisation) {
  policy_.implicit_dependency_integrity = true;
  served_[kE1Uri] = TeepVector("e1-suit-uri");
  served_[kTaUri] = TeepVector("tc-binary-hello");
  Outcome outcome = RunUpdate(TeepVector("e3-suit-personalization"));
  ExpectSuccess(outcome);
  EXPECT_EQ(fetched_, (std::vector<std::string>{kE1Uri, kTaUri}));
  EXPECT_EQ(Component({"TEEP-Device", "SecureFS", "config.json"}),
            AsBytesCopy(R"({"name":"FOO Bar","secret":"0123456789abfcdef0123456789abcd"})"));
  EXPECT_EQ(Component(kTeepTc), TeepVector("tc-binary-hello"));
  const Bytes e3_slot = Slot({"TEEP-Device", "SecureFS", "config.suit"});
  EXPECT_EQ(outcome.installed, (std::vector<Bytes>{e3_slot, E1Slot()}));
  EXPECT_EQ(store_.CommittedManifest(E1Slot())->reference_count, 1u);

  // Uninstall E.3: its config goes, and the last reference to E.1 goes with
  // it, so E.1's uninstall (unlink) removes the TC too.
  Outcome removed = RunUninstall(e3_slot);
  ExpectSuccess(removed);
  EXPECT_FALSE(Component({"TEEP-Device", "SecureFS", "config.json"}).has_value());
  EXPECT_FALSE(Component(kTeepTc).has_value());
  EXPECT_FALSE(store_.CommittedManifest(E1Slot()).has_value());
  EXPECT_FALSE(store_.CommittedManifest(e3_slot).has_value());
  // Sequence numbers survive removal: the old manifests cannot come back older.
  EXPECT_EQ(store_.CommittedSequence(E1Slot()), 3u);
}

TEST_F(ProcessorTest, TeepE3SharedDependencyStaysWhileReferenced) {
  policy_.implicit_dependency_integrity = true;
  served_[kE1Uri] = TeepVector("e1-suit-uri");
  served_[kTaUri] = TeepVector("tc-binary-hello");
  ExpectSuccess(RunUpdate(TeepVector("e1-suit-uri")));        // root: 1 reference
  ExpectSuccess(RunUpdate(TeepVector("e3-suit-personalization")));  // dependent: 2
  EXPECT_EQ(store_.CommittedManifest(E1Slot())->reference_count, 2u);
  // Re-processing E.3 does not count its dependency twice.
  ExpectSuccess(RunUpdate(TeepVector("e3-suit-personalization")));
  EXPECT_EQ(store_.CommittedManifest(E1Slot())->reference_count, 2u);

  ExpectSuccess(RunUninstall(Slot({"TEEP-Device", "SecureFS", "config.suit"})));
  EXPECT_EQ(store_.CommittedManifest(E1Slot())->reference_count, 1u);
  EXPECT_EQ(Component(kTeepTc), TeepVector("tc-binary-hello"));  // still needed
  ExpectSuccess(RunUninstall(E1Slot()));
  EXPECT_FALSE(Component(kTeepTc).has_value());
}

TEST_F(ProcessorTest, TeepE3WrongDecryptionKeyFails) {
  policy_.implicit_dependency_integrity = true;
  served_[kE1Uri] = TeepVector("e1-suit-uri");
  served_[kTaUri] = TeepVector("tc-binary-hello");
  auto other = crypto::PrivateKey::Generate(crypto::KeyType::kP256);
  ASSERT_OK(other.status());
  platform_.decryption_keys = {cose::EcdhKey{&*other, {}, {}}};
  Outcome outcome = RunUpdate(TeepVector("e3-suit-personalization"));
  ExpectFailure(outcome, ReportReason::kUnauthorised, kManifestInstall);
  EXPECT_EQ(outcome.report.failure->code, 18);  // directive-write
  // Nothing of the update is visible: neither the dependency's TC nor the config.
  EXPECT_EQ(store_.CommittedComponentCount(), 0u);
  EXPECT_FALSE(store_.CommittedManifest(E1Slot()).has_value());
}

TEST_F(ProcessorTest, TeepE1RollbackIsRefused) {
  ASSERT_OK(store_.RaiseSequence(E1Slot(), 4));
  ASSERT_OK(store_.Commit());
  served_[kTaUri] = TeepVector("tc-binary-hello");
  Outcome outcome = RunUpdate(TeepVector("e1-suit-uri"));  // sequence 3
  ExpectFailure(outcome, ReportReason::kUnauthorised);
  EXPECT_NE(outcome.status.message().find("rollback"), std::string::npos);
  EXPECT_TRUE(fetched_.empty());  // refused before any command ran
}

TEST_F(ProcessorTest, SuitExampleRollbackAcrossManifestsOfOneSlot) {
  // INDEX.md multi-vector scenario: example 5 (sequence 5) then example 0
  // (sequence 0) for the same first component [h'00'].
  ASSERT_OK(store_.RaiseSequence(EncodeComponentId({teep::test::H("00")}), 5));
  ASSERT_OK(store_.Commit());
  Outcome outcome = RunInvoke(SuitVector("suit-example0-signed"));
  // Invocation does not install, so no rollback check applies to it...
  ExpectFailure(outcome, ReportReason::kConditionFailed, kManifestValidate);
  // ...but an update with an older sequence number is refused outright.
  ExpectFailure(RunUpdate(SuitVector("suit-example0-signed")), ReportReason::kUnauthorised);
}

TEST_F(ProcessorTest, FailedCommitLeavesTheOldState) {
  served_[kTaUri] = TeepVector("tc-binary-hello");
  store_.FailNextCommit();
  Outcome outcome = RunUpdate(TeepVector("e1-suit-uri"));
  ExpectFailure(outcome, ReportReason::kOperationFailed);
  EXPECT_FALSE(Component(kTeepTc).has_value());
  EXPECT_FALSE(store_.CommittedSequence(E1Slot()).has_value());
  // And the next attempt works.
  ExpectSuccess(RunUpdate(TeepVector("e1-suit-uri")));
}

}  // namespace
}  // namespace teep::suit::test
