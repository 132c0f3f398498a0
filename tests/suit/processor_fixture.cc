#include "processor_fixture.h"

#include "core/cose/key.h"
#include "core/suit/digest.h"

namespace teep::suit::test {

Bytes ManifestBytes(uint64_t sequence, Value::Array components, std::optional<Value> shared,
                    Value::Map extra, std::optional<Value> dependencies) {
  Value::Map common;
  if (dependencies) common.emplace_back(U(1), std::move(*dependencies));
  common.emplace_back(U(2), A(std::move(components)));
  if (shared) common.emplace_back(U(4), std::move(*shared));
  Value::Map manifest;
  manifest.emplace_back(U(1), U(1));
  manifest.emplace_back(U(2), U(sequence));
  manifest.emplace_back(U(3), Wrap(M(std::move(common))));
  for (auto& kv : extra) manifest.push_back(std::move(kv));
  return Enc(M(std::move(manifest)));
}

const Keys& PublishedKeys() {
  static const Keys* keys = [] {
    auto signer = crypto::PrivateKey::FromPem(
        teep::test::ReadSpecText("teep/vectors/keys/appE-suit-signer-p256.priv.pem"));
    auto spec = crypto::PublicKey::FromPem(
        teep::test::ReadSpecText("suit/vectors/suit-spec-example-p256-pub.pem"));
    auto kek_cose =
        cose::DecodeKey(teep::test::ReadVector("teep/vectors/keys/appE3-kek-p256.cose_key.hex"));
    auto kek = crypto::PrivateKey::FromRaw(crypto::KeyType::kP256, kek_cose->d.view());
    crypto::PublicKey signer_public = signer->Public();
    return new Keys{std::move(signer).value(), std::move(signer_public),
                    std::move(spec).value(), std::move(kek).value()};
  }();
  return *keys;
}

Bytes Sign(Bytes manifest, std::vector<std::pair<std::string, Bytes>> integrated,
           std::vector<std::pair<int64_t, Bytes>> severed) {
  EnvelopeParts parts;
  parts.manifest = std::move(manifest);
  parts.integrated = std::move(integrated);
  parts.severed = std::move(severed);
  auto envelope = SignEnvelope(parts, PublishedKeys().signer);
  EXPECT_TRUE(envelope.ok()) << envelope.status().ToString();
  return envelope.ok() ? std::move(envelope).value() : Bytes{};
}

Bytes SuitExampleVendor() { return teep::test::H("fa6b4a53d5ad5fdfbe9de663e4d41ffe"); }
Bytes SuitExampleClass() { return teep::test::H("1492af1425695e48bf429b2d51f2ab45"); }
Bytes TeepVendor() { return teep::test::H("c0ddd5f15243566087db4f5b0aa26c2f"); }
Bytes TeepClass() { return teep::test::H("db42f7093d8c55baa8c5265fc5820f4e"); }

ProcessorTest::ProcessorTest() {
  anchors_.push_back(PublishedKeys().signer_public);
  anchors_.push_back(PublishedKeys().spec_example);
  platform_.store = &store_;
  platform_.trust_anchors.keys = anchors_;
  platform_.vendor_ids = {SuitExampleVendor(), TeepVendor()};
  platform_.class_ids = {SuitExampleClass(), TeepClass()};
  platform_.decryption_keys.push_back(cose::EcdhKey{&PublishedKeys().kek, {}, {}});
  platform_.fetch = [this](std::string_view uri, ByteView) -> Result<Bytes> {
    fetched_.emplace_back(uri);
    auto it = served_.find(std::string(uri));
    if (it == served_.end()) {
      return Status(StatusCode::kNotFound, "404 " + std::string(uri));
    }
    return it->second;
  };
  platform_.invoke = [this](const ComponentId& id, ByteView args) {
    invoked_.emplace_back(EncodeComponentId(id), Bytes(args.begin(), args.end()));
    return OkStatus();
  };
}

void ProcessorTest::ExpectFailure(const Outcome& outcome, ReportReason reason, int64_t section) {
  ASSERT_FALSE(outcome.ok()) << "expected " << ReportReasonName(reason);
  ASSERT_TRUE(outcome.report.failure.has_value());
  EXPECT_EQ(outcome.report.failure->reason, reason)
      << "got " << ReportReasonName(outcome.report.failure->reason) << ": "
      << outcome.status.ToString();
  if (section >= 0) {
    EXPECT_EQ(outcome.report.failure->record.section, section);
  }
  // Whatever failed, the store holds nothing half-done.
  EXPECT_FALSE(store_.HasStagedChanges());
  auto encoded = EncodeReport(outcome.report);
  ASSERT_TRUE(encoded.ok()) << encoded.status().ToString();
  auto decoded = DecodeReport(*encoded);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->failure->reason, reason);
}

void ProcessorTest::ExpectSuccess(const Outcome& outcome) {
  ASSERT_TRUE(outcome.ok()) << outcome.status.ToString() << " / "
                            << DescribeReport(outcome.report);
  EXPECT_TRUE(outcome.report.succeeded());
  EXPECT_FALSE(store_.HasStagedChanges());
  auto encoded = EncodeReport(outcome.report);
  ASSERT_TRUE(encoded.ok()) << encoded.status().ToString();
  auto decoded = DecodeReport(*encoded);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_TRUE(decoded->succeeded());
}

std::optional<Bytes> ProcessorTest::Component(std::vector<std::string> parts) {
  ComponentId id;
  for (const auto& p : parts) id.push_back(AsBytes(p));
  return Component(id);
}

}  // namespace teep::suit::test
