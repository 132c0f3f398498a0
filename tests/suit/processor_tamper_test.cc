// Tampered and hostile envelopes: each is rejected before anything changes,
// with the SUIT Report reason a TAM can act on (report-18 §4.2).
#include <algorithm>

#include "processor_fixture.h"

#include "core/suit/commands.h"
#include "core/suit/envelope.h"
#include "core/suit/parameters.h"

namespace teep::suit::test {
namespace {

using teep::test::ReadVector;

Bytes TeepVector(const std::string& name) { return ReadVector("teep/vectors/" + name + ".hex"); }

// The published E.2 manifest content (inside the envelope's key-3 bstr).
Bytes E2Manifest() {
  static const Bytes envelope = TeepVector("e2-suit-integrated");
  auto decoded = DecodeEnvelope(envelope);
  return ToBytes(decoded->manifest.content);
}

// Replaces manifest key `key` with `value` and re-signs with the TEEP signer.
Bytes ResignedE2(int64_t key, Value value) {
  auto manifest = cbor::Decode(E2Manifest());
  for (auto& [k, v] : manifest->map()) {
    if (k.kind() == Value::Kind::kUnsigned && static_cast<int64_t>(k.arg()) == key) v = value;
  }
  return Sign(Enc(*manifest), {{"#tc", TeepVector("tc-binary-hello")}});
}

// The COSE_Sign1 of the first authentication block, as a CBOR value tree,
// and a way to put a modified one back.
struct AuthBlock {
  Value envelope;
  Value wrapper;
  Value sign1;
};
AuthBlock OpenAuthBlock(const Bytes& envelope_bytes) {
  AuthBlock a;
  a.envelope = cbor::Decode(envelope_bytes).value();
  a.wrapper = cbor::Decode(a.envelope.Find(2)->bytes()).value();
  a.sign1 = cbor::Decode(a.wrapper.array()[1].bytes()).value();
  return a;
}
Bytes CloseAuthBlock(AuthBlock a) {
  a.wrapper.array()[1] = Wrap(a.sign1);
  for (auto& [k, v] : a.envelope.map()) {
    if (k.kind() == Value::Kind::kUnsigned && k.arg() == 2) v = Wrap(a.wrapper);
  }
  return Enc(a.envelope);
}

// DER encoding of a raw r||s ECDSA signature (what COSE forbids).
Bytes ToDer(ByteView raw) {
  auto integer = [](ByteView v) {
    Bytes out(v.begin(), v.end());
    while (out.size() > 1 && out[0] == 0 && !(out[1] & 0x80)) out.erase(out.begin());
    if (out[0] & 0x80) out.insert(out.begin(), 0);
    out.insert(out.begin(), static_cast<uint8_t>(out.size()));
    out.insert(out.begin(), 0x02);
    return out;
  };
  Bytes r = integer(raw.subspan(0, 32)), s = integer(raw.subspan(32));
  Bytes der = {0x30, static_cast<uint8_t>(r.size() + s.size())};
  der.insert(der.end(), r.begin(), r.end());
  der.insert(der.end(), s.begin(), s.end());
  return der;
}

TEST_F(ProcessorTest, BitFlippedSignatureIsUnauthorised) {
  Bytes envelope = TeepVector("e1-suit-uri");
  AuthBlock a = OpenAuthBlock(envelope);
  Bytes sig = a.sign1.tag_content().array()[3].bytes();
  sig[10] ^= 0x04;
  a.sign1.array()[0].array()[3] = B(sig);
  ExpectFailure(RunUpdate(CloseAuthBlock(a)), ReportReason::kUnauthorised);
  EXPECT_TRUE(fetched_.empty());
}

TEST_F(ProcessorTest, DerSignatureIsUnauthorised) {
  AuthBlock a = OpenAuthBlock(TeepVector("e1-suit-uri"));
  const Bytes raw = a.sign1.tag_content().array()[3].bytes();
  a.sign1.array()[0].array()[3] = B(ToDer(raw));
  ExpectFailure(RunUpdate(CloseAuthBlock(a)), ReportReason::kUnauthorised);
}

TEST_F(ProcessorTest, StaleDigestIsUnauthorised) {
  // One manifest byte changed (sequence number 3 -> 4): the digest in the
  // authentication wrapper no longer matches.
  Bytes envelope = TeepVector("e1-suit-uri");
  const Bytes needle = {0x02, 0x03};  // manifest key 2 (sequence) = 3
  auto at = std::search(envelope.begin(), envelope.end(), needle.begin(), needle.end());
  ASSERT_NE(at, envelope.end());
  at[1] = 0x04;
  Outcome outcome = RunUpdate(envelope);
  ExpectFailure(outcome, ReportReason::kUnauthorised);
  EXPECT_NE(outcome.status.message().find("digest"), std::string::npos);
}

TEST_F(ProcessorTest, WrongSignerIsUnauthorised) {
  auto stranger = crypto::PrivateKey::Generate(crypto::KeyType::kP256);
  ASSERT_OK(stranger.status());
  EnvelopeParts parts;
  parts.manifest = E2Manifest();
  parts.integrated = {{"#tc", TeepVector("tc-binary-hello")}};
  auto envelope = SignEnvelope(parts, *stranger);
  ASSERT_OK(envelope.status());
  ExpectFailure(RunUpdate(*envelope), ReportReason::kUnauthorised);
  // The same manifest signed by the trusted signer installs.
  ExpectSuccess(RunUpdate(Sign(E2Manifest(), {{"#tc", TeepVector("tc-binary-hello")}})));
}

TEST_F(ProcessorTest, UnsupportedSignatureAlgorithmIsReported) {
  AuthBlock a = OpenAuthBlock(TeepVector("e1-suit-uri"));
  a.sign1.array()[0].array()[0] = Wrap(M({{U(1), I(-37)}}));  // PS256: not a SUIT profile
  ExpectFailure(RunUpdate(CloseAuthBlock(a)), ReportReason::kAlgorithmUnsupported);
}

TEST_F(ProcessorTest, ManifestVersion2IsAParseError) {
  Outcome outcome = RunUpdate(ResignedE2(1, U(2)));
  ExpectFailure(outcome, ReportReason::kCborParse);
  EXPECT_NE(outcome.status.message().find("version"), std::string::npos);
}

TEST_F(ProcessorTest, UnknownCommandInAPublishedShapeIsRefused) {
  Outcome outcome = RunUpdate(ResignedE2(kManifestInstall, Seq({{9, U(15)}})));
  ExpectFailure(outcome, ReportReason::kCommandUnsupported, kManifestInstall);
  EXPECT_FALSE(store_.HasStagedChanges());
}

TEST_F(ProcessorTest, BrokenSeveredMemberIsUnauthorised) {
  Bytes envelope = ReadVector("suit/vectors/suit-example2-full-signed.hex");
  auto decoded = DecodeEnvelope(envelope);
  ASSERT_OK(decoded.status());
  const SeveredMember* install = decoded->FindSevered(kEnvelopeInstall);
  ASSERT_NE(install, nullptr);
  // Flip a byte of the URI inside the severed install member.
  const size_t offset = static_cast<size_t>(install->value.content.data() - envelope.data());
  envelope[offset + install->value.content.size() - 10] ^= 0x20;
  Outcome outcome = RunUpdate(envelope);
  ExpectFailure(outcome, ReportReason::kUnauthorised, kManifestInstall);
  EXPECT_TRUE(fetched_.empty());
}

TEST_F(ProcessorTest, TruncatedAndGarbageInputIsAParseError) {
  Bytes envelope = TeepVector("e1-suit-uri");
  for (size_t cut : {size_t{0}, size_t{1}, envelope.size() / 2, envelope.size() - 1}) {
    SCOPED_TRACE(cut);
    ExpectFailure(RunUpdate(ByteView(envelope).subspan(0, cut)), ReportReason::kCborParse);
  }
  Bytes trailing = envelope;
  trailing.push_back(0x00);
  ExpectFailure(RunUpdate(trailing), ReportReason::kCborParse);
  EXPECT_EQ(store_.CommitCount(), 0u);
}

// ---- dependencies (trust-domains §5) ----------------------------------------------

Bytes DependencyEnvelope(const crypto::PrivateKey& signer, uint64_t sequence = 1) {
  ManifestSpec spec;
  spec.sequence_number = sequence;
  spec.component_id = {AsBytesCopy("lib")};
  spec.manifest_component_id = std::vector<Bytes>{AsBytesCopy("lib.suit")};
  spec.vendor_id = TeepVendor();
  spec.class_id = TeepClass();
  spec.payload = AsBytesCopy("shared library");
  auto envelope = BuildEnvelope(spec, signer);
  EXPECT_TRUE(envelope.ok()) << envelope.status().ToString();
  return envelope.ok() ? std::move(envelope).value() : Bytes{};
}

Result<Bytes> DependentEnvelope(const Bytes& dependency, std::optional<std::string> uri) {
  ManifestSpec spec;
  spec.sequence_number = 1;
  spec.component_id = {AsBytesCopy("app")};
  spec.manifest_component_id = std::vector<Bytes>{AsBytesCopy("app.suit")};
  spec.vendor_id = TeepVendor();
  spec.class_id = TeepClass();
  spec.payload = AsBytesCopy("application");
  spec.dependencies.push_back(DependencySpec{dependency, std::move(uri)});
  return BuildEnvelope(spec, PublishedKeys().signer);
}

TEST_F(ProcessorTest, DependencyWithIntegrityCheckInstallsUnderTheStrictPolicy) {
  const Bytes dependency = DependencyEnvelope(PublishedKeys().signer);
  for (std::optional<std::string> uri : {std::optional<std::string>(),
                                         std::optional<std::string>("https://tam/lib.suit")}) {
    SCOPED_TRACE(uri.value_or("integrated"));
    if (uri) served_[*uri] = dependency;
    auto envelope = DependentEnvelope(dependency, uri);
    ASSERT_OK(envelope.status());
    ExpectSuccess(RunUpdate(*envelope));
    EXPECT_EQ(store_.CommittedComponent(EncodeComponentId({AsBytes("lib")})),
              AsBytesCopy("shared library"));
    EXPECT_EQ(store_.CommittedComponent(EncodeComponentId({AsBytes("app")})),
              AsBytesCopy("application"));
  }
}

TEST_F(ProcessorTest, DependencyFromAnUntrustedSignerIsUnauthorised) {
  auto stranger = crypto::PrivateKey::Generate(crypto::KeyType::kP256);
  ASSERT_OK(stranger.status());
  auto envelope = DependentEnvelope(DependencyEnvelope(*stranger), std::nullopt);
  ASSERT_OK(envelope.status());
  Outcome outcome = RunUpdate(*envelope);
  ExpectFailure(outcome, ReportReason::kUnauthorised, kManifestDependencyResolution);
  EXPECT_EQ(outcome.report.failure->code, kCondDependencyIntegrity);
  EXPECT_EQ(store_.CommittedComponentCount(), 0u);
}

TEST_F(ProcessorTest, DependencyRollbackIsUnauthorised) {
  ASSERT_OK(store_.RaiseSequence(EncodeComponentId({AsBytes("lib.suit")}), 2));
  ASSERT_OK(store_.Commit());
  auto envelope = DependentEnvelope(DependencyEnvelope(PublishedKeys().signer, 1), std::nullopt);
  ASSERT_OK(envelope.status());
  ExpectFailure(RunUpdate(*envelope), ReportReason::kUnauthorised, kManifestDependencyResolution);
}

TEST_F(ProcessorTest, DependencyOutsideTheDeclaredPrefixIsUnauthorised) {
  // A hand-written dependent that declares prefix ['other.suit'] but ships
  // the 'lib.suit' manifest.
  const Bytes dependency = DependencyEnvelope(PublishedKeys().signer);
  auto decoded = DecodeEnvelope(dependency);
  ASSERT_OK(decoded.status());
  auto h = crypto::Sha256(decoded->manifest.wrapped);
  Value digest = Wrap(A({I(-16), B(ByteView(h.data(), h.size()))}));
  Bytes envelope = Sign(
      ManifestBytes(1, {A({B("app")})},
                    Seq({{kDirSetComponentIndex, U(0)},
                         {kDirOverrideParameters, M({{U(kParamVendorId), B(TeepVendor())}})},
                         {kCondVendorIdentifier, U(15)}}),
                    {{U(kManifestDependencyResolution),
                      Seq({{kDirSetComponentIndex, U(1)},
                           {kDirOverrideParameters,
                            M({{U(kParamImageDigest), digest}, {U(kParamUri), T("#dep")}})},
                           {kDirFetch, U(15)},
                           {kCondDependencyIntegrity, U(15)}})}},
                    M({{U(1), M({{U(1), A({B("other.suit")})}})}})),
      {{"#dep", dependency}});
  Outcome outcome = RunUpdate(envelope);
  ExpectFailure(outcome, ReportReason::kUnauthorised, kManifestDependencyResolution);
  EXPECT_NE(outcome.status.message().find("prefix"), std::string::npos);
}

}  // namespace
}  // namespace teep::suit::test
