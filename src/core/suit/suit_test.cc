// Envelope decoding, authentication, manifest decoding and severable members
// against the published vectors (draft-ietf-suit-manifest-37 App. B,
// draft-ietf-teep-protocol-26 App. E) and tampered variants.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/cbor/writer.h"
#include "core/cose/algorithms.h"
#include "core/cose/mac.h"
#include "core/cose/sign.h"
#include "core/crypto/crypto.h"
#include "core/suit/authenticate.h"
#include "core/suit/digest.h"
#include "core/suit/envelope.h"
#include "core/suit/manifest.h"
#include "core/suit/report_reason.h"
#include "test_util.h"
#include "vector_files.h"

namespace teep::suit {
namespace {

using test::H;

Bytes SuitVector(const std::string& name) {
  return test::ReadVector("suit/vectors/" + name + ".hex");
}
Bytes TeepVector(const std::string& name) {
  return test::ReadVector("teep/vectors/" + name + ".hex");
}

crypto::PublicKey LoadPem(const std::string& path) {
  auto key = crypto::PublicKey::FromPem(test::ReadSpecText(path));
  EXPECT_TRUE(key.ok()) << key.status().ToString();
  if (!key.ok()) std::abort();
  return *key;
}
crypto::PublicKey SpecKey() { return LoadPem("suit/vectors/suit-spec-example-p256-pub.pem"); }
crypto::PublicKey TeepKey() { return LoadPem("teep/vectors/keys/appE-suit-signer-p256.pub.pem"); }

// Decode + authenticate; the reason for the first error (kOk on success).
ReportReason ReasonOf(ByteView data, const crypto::PublicKey& key, std::string* message = nullptr) {
  auto env = DecodeEnvelope(data);
  if (!env.ok()) {
    if (message) *message = env.status().message();
    return ReasonFor(env.status());
  }
  std::vector<crypto::PublicKey> keys{key};
  auto auth = Authenticate(*env, keys);
  if (message) *message = auth.status().message();
  return ReasonFor(auth.status());
}

Bytes Wrap(ByteView content) {
  cbor::Writer w;
  w.WriteBytes(content);
  return w.bytes();
}

// Builds SUIT_Envelope_Tagged {2: << [<<digest>>, <<blocks>>...] >>, 3: <<manifest>>,
// extra...} with a correct digest over the bstr-wrapped manifest.
Bytes EncodeEnvelope(ByteView digest, const std::vector<Bytes>& blocks, ByteView manifest,
                     const std::vector<std::pair<int64_t, Bytes>>& extra = {}) {
  cbor::Writer auth;
  auth.BeginArray(1 + blocks.size());
  auth.WriteBytes(digest);
  for (const auto& b : blocks) auth.WriteBytes(b);
  cbor::Writer w;
  w.WriteTag(kTagEnvelope);
  w.BeginMap(2 + extra.size());
  w.WriteInt(2);
  w.WriteBytes(auth.bytes());
  w.WriteInt(3);
  w.WriteBytes(manifest);
  for (const auto& [k, v] : extra) {
    w.WriteInt(k);
    w.WriteBytes(v);
  }
  auto out = std::move(w).Finish();
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  return out.ok() ? *out : Bytes{};
}
Bytes DigestOfManifest(ByteView manifest, int64_t alg = kDigestSha256) {
  Bytes wrapped = Wrap(manifest);
  auto h = crypto::Sha256(wrapped);
  return *EncodeDigest(alg, Bytes(h.begin(), h.end()));
}
Bytes SignedEnvelope(const crypto::PrivateKey& key, ByteView manifest) {
  Bytes digest = DigestOfManifest(manifest);
  cose::SignOptions o;
  o.detached = true;
  auto sign1 = cose::CreateSign1(key, digest, o);
  EXPECT_TRUE(sign1.ok());
  return EncodeEnvelope(digest, {*sign1}, manifest);
}

crypto::PrivateKey NewP256() { return std::move(crypto::PrivateKey::Generate(crypto::KeyType::kP256)).value(); }

ByteView ManifestContent(ByteView envelope) {
  auto env = DecodeEnvelope(envelope);
  EXPECT_TRUE(env.ok());
  return env.ok() ? env->manifest.content : ByteView{};
}

size_t OffsetIn(ByteView outer, ByteView inner) {
  return static_cast<size_t>(inner.data() - outer.data());
}

const std::vector<std::string> kExamples = {
    "suit-example0", "suit-example1", "suit-example2-severed", "suit-example3",
    "suit-example4",  "suit-example5"};

// ---- authentication of the published vectors -------------------------------

TEST(SuitAuthenticate, EverySignedExampleAuthenticates) {
  auto key = SpecKey();
  std::vector<std::string> names;
  for (const auto& e : kExamples) names.push_back(e + "-signed");
  names.push_back("suit-example2-full-signed");
  for (const auto& name : names) {
    SCOPED_TRACE(name);
    Bytes data = SuitVector(name);
    ASSERT_OK_AND_ASSIGN(Envelope env, DecodeEnvelope(data));
    EXPECT_TRUE(env.tagged);
    EXPECT_EQ(env.auth_blocks.size(), 1u);
    std::vector<crypto::PublicKey> keys{key};
    ASSERT_OK_AND_ASSIGN(Authenticated a, Authenticate(env, keys));
    EXPECT_EQ(a.digest.alg, kDigestSha256);
    EXPECT_EQ(a.block_index, 0u);
    EXPECT_EQ(a.key_index, std::optional<size_t>(0));
    EXPECT_EQ(a.manifest.version, 1u);
  }
}

TEST(SuitAuthenticate, ReportsWhichAnchorVerified) {
  Bytes data = SuitVector("suit-example0-signed");
  ASSERT_OK_AND_ASSIGN(Envelope env, DecodeEnvelope(data));
  std::vector<crypto::PublicKey> keys{NewP256().Public(), NewP256().Public(), SpecKey()};
  ASSERT_OK_AND_ASSIGN(Authenticated a, Authenticate(env, keys));
  EXPECT_EQ(a.key_index, std::optional<size_t>(2));
}

TEST(SuitAuthenticate, EveryUnsignedExampleIsUnauthorised) {
  auto key = SpecKey();
  for (const auto& e : kExamples) {
    SCOPED_TRACE(e);
    Bytes data = SuitVector(e + "-unsigned");
    ASSERT_OK_AND_ASSIGN(Envelope env, DecodeEnvelope(data));
    EXPECT_TRUE(env.auth_blocks.empty());
    std::string message;
    EXPECT_EQ(ReasonOf(data, key, &message), ReportReason::kUnauthorised);
    EXPECT_NE(message.find("no COSE authentication block"), std::string::npos) << message;
  }
}

TEST(SuitAuthenticate, TeepAppendixEAuthenticates) {
  auto key = TeepKey();
  for (const std::string name : {"e1-suit-uri", "e2-suit-integrated", "e3-suit-personalization"}) {
    SCOPED_TRACE(name);
    Bytes data = TeepVector(name);
    ASSERT_OK_AND_ASSIGN(Envelope env, DecodeEnvelope(data));
    EXPECT_FALSE(env.tagged);  // TEEP examples are untagged
    std::vector<crypto::PublicKey> keys{key};
    ASSERT_OK_AND_ASSIGN(Authenticated a, Authenticate(env, keys));
    EXPECT_EQ(a.manifest.sequence_number, 3u);
    ASSERT_TRUE(a.manifest.manifest_component_id.has_value());
    const ComponentId& id = *a.manifest.manifest_component_id;
    // e1/e2: ['TEEP-Device', 'SecureFS', tc-uuid, 'suit']; e3: [..., 'config.suit'].
    ASSERT_GE(id.size(), 3u);
    EXPECT_EQ(AsChars(id[0]), "TEEP-Device");
    EXPECT_EQ(AsChars(id.back()), name[1] == '3' ? "config.suit" : "suit");
  }
}

TEST(SuitAuthenticate, WrongKeyIsUnauthorised) {
  auto other = NewP256().Public();
  EXPECT_EQ(ReasonOf(SuitVector("suit-example0-signed"), other), ReportReason::kUnauthorised);
  EXPECT_EQ(ReasonOf(TeepVector("e1-suit-uri"), other), ReportReason::kUnauthorised);
  EXPECT_EQ(ReasonOf(TeepVector("e2-suit-integrated"), other), ReportReason::kUnauthorised);
}

TEST(SuitAuthenticate, NoTrustAnchorIsUnauthorised) {
  Bytes data = SuitVector("suit-example0-signed");
  ASSERT_OK_AND_ASSIGN(Envelope env, DecodeEnvelope(data));
  auto r = Authenticate(env, std::span<const crypto::PublicKey>{});
  EXPECT_EQ(ReasonFor(r.status()), ReportReason::kUnauthorised);
}

// ---- tampering -----------------------------------------------------------------

TEST(SuitTamper, FlippedSignatureBit) {
  Bytes data = SuitVector("suit-example0-signed");
  ASSERT_OK_AND_ASSIGN(Envelope env, DecodeEnvelope(data));
  size_t last = OffsetIn(data, env.auth_blocks[0]) + env.auth_blocks[0].size() - 1;
  data[last] ^= 0x01;
  EXPECT_EQ(ReasonOf(data, SpecKey()), ReportReason::kUnauthorised);
}

TEST(SuitTamper, StaleDigest) {
  Bytes data = SuitVector("suit-example1-signed");
  ASSERT_OK_AND_ASSIGN(Envelope env, DecodeEnvelope(data));
  // The last byte of the manifest (inside the install sequence's reporting policy).
  size_t last = OffsetIn(data, env.manifest.content) + env.manifest.content.size() - 1;
  data[last] ^= 0x01;
  std::string message;
  EXPECT_EQ(ReasonOf(data, SpecKey(), &message), ReportReason::kUnauthorised);
  EXPECT_NE(message.find("SUIT_Digest does not match"), std::string::npos) << message;
}

TEST(SuitTamper, RebuiltManifestVersion2IsRejectedAfterAuthentication) {
  Bytes manifest = ToBytes(ManifestContent(SuitVector("suit-example0-signed")));
  ASSERT_EQ(manifest[1], 0x01);  // key 1 (manifest-version)
  ASSERT_EQ(manifest[2], 0x01);  // value 1
  auto key = NewP256();
  // Control: the same builder with version 1 authenticates.
  EXPECT_EQ(ReasonOf(SignedEnvelope(key, manifest), key.Public()), ReportReason::kOk);
  manifest[2] = 0x02;
  std::string message;
  EXPECT_EQ(ReasonOf(SignedEnvelope(key, manifest), key.Public(), &message),
            ReportReason::kCborParse);
  EXPECT_NE(message.find("unsupported manifest version 2"), std::string::npos) << message;
}

TEST(SuitTamper, DerSignatureIsUnauthorised) {
  Bytes data = SuitVector("suit-example0-signed");
  ASSERT_OK_AND_ASSIGN(Envelope env, DecodeEnvelope(data));
  ASSERT_OK_AND_ASSIGN(cose::Sign1Message msg,
                       cose::DecodeSign1(env.auth_blocks[0], cose::TagPolicy::kRequireTagged));
  ASSERT_EQ(msg.signature.size(), 64u);
  auto der_int = [](ByteView v) {
    Bytes i(v.begin(), v.end());
    while (i.size() > 1 && i[0] == 0 && !(i[1] & 0x80)) i.erase(i.begin());
    if (i[0] & 0x80) i.insert(i.begin(), 0);
    Bytes out{0x02, static_cast<uint8_t>(i.size())};
    out.insert(out.end(), i.begin(), i.end());
    return out;
  };
  Bytes r = der_int(msg.signature.subspan(0, 32)), s = der_int(msg.signature.subspan(32));
  Bytes der{0x30, static_cast<uint8_t>(r.size() + s.size())};
  der.insert(der.end(), r.begin(), r.end());
  der.insert(der.end(), s.begin(), s.end());
  cbor::Writer w;
  w.WriteTag(cose::kTagSign1);
  w.BeginArray(4);
  w.WriteBytes(msg.headers.protected_bytes);
  w.BeginMap(0);
  w.WriteNull();
  w.WriteBytes(der);
  Bytes block = w.bytes();
  Bytes rebuilt = EncodeEnvelope(env.digest, {block}, env.manifest.content);
  // Control: rebuilding with the original block still authenticates.
  EXPECT_EQ(ReasonOf(EncodeEnvelope(env.digest, {ToBytes(env.auth_blocks[0])},
                                    env.manifest.content),
                     SpecKey()),
            ReportReason::kOk);
  EXPECT_EQ(ReasonOf(rebuilt, SpecKey()), ReportReason::kUnauthorised);
}

TEST(SuitTamper, TrailingBytes) {
  Bytes data = SuitVector("suit-example0-signed");
  data.push_back(0x00);
  std::string message;
  EXPECT_EQ(ReasonOf(data, SpecKey(), &message), ReportReason::kCborParse);
  EXPECT_NE(message.find("SUIT_Envelope"), std::string::npos) << message;
}

TEST(SuitTamper, UnknownEnvelopeKey) {
  Bytes data = SuitVector("suit-example0-signed");
  ASSERT_EQ(data[2], 0xa2);
  data[2] = 0xa3;
  for (uint8_t b : H("186340")) data.push_back(b);  // 99: h''
  std::string message;
  EXPECT_EQ(ReasonOf(data, SpecKey(), &message), ReportReason::kCborParse);
  EXPECT_NE(message.find("unknown envelope key 99"), std::string::npos) << message;
}

TEST(SuitTamper, DuplicateEnvelopeKey) {
  Bytes data = SuitVector("suit-example0-signed");
  data[2] = 0xa3;
  for (uint8_t b : H("0340")) data.push_back(b);  // 3: h'' again
  EXPECT_EQ(ReasonOf(data, SpecKey()), ReportReason::kCborParse);
}

TEST(SuitTamper, UnsupportedDigestAlgorithm) {
  Bytes manifest = ToBytes(ManifestContent(SuitVector("suit-example0-signed")));
  Bytes digest = DigestOfManifest(manifest, /*SHA-384*/ -43);
  auto key = NewP256();
  cose::SignOptions o;
  o.detached = true;
  ASSERT_OK_AND_ASSIGN(Bytes sign1, cose::CreateSign1(key, digest, o));
  EXPECT_EQ(ReasonOf(EncodeEnvelope(digest, {sign1}, manifest), key.Public()),
            ReportReason::kAlgorithmUnsupported);
}

TEST(SuitTamper, UntaggedSign1DoesNotCount) {
  Bytes manifest = ToBytes(ManifestContent(SuitVector("suit-example0-signed")));
  Bytes digest = DigestOfManifest(manifest);
  auto key = NewP256();
  cose::SignOptions o;
  o.detached = true;
  o.tagged = false;
  ASSERT_OK_AND_ASSIGN(Bytes sign1, cose::CreateSign1(key, digest, o));
  EXPECT_EQ(ReasonOf(EncodeEnvelope(digest, {sign1}, manifest), key.Public()),
            ReportReason::kUnauthorised);
}

TEST(SuitTamper, AttachedPayloadDoesNotCount) {
  Bytes manifest = ToBytes(ManifestContent(SuitVector("suit-example0-signed")));
  Bytes digest = DigestOfManifest(manifest);
  auto key = NewP256();
  ASSERT_OK_AND_ASSIGN(Bytes sign1, cose::CreateSign1(key, digest, {}));
  EXPECT_EQ(ReasonOf(EncodeEnvelope(digest, {sign1}, manifest), key.Public()),
            ReportReason::kUnauthorised);
}

TEST(SuitTamper, SecondBlockMayVerify) {
  Bytes data = SuitVector("suit-example0-signed");
  ASSERT_OK_AND_ASSIGN(Envelope env, DecodeEnvelope(data));
  auto key = NewP256();
  cose::SignOptions o;
  o.detached = true;
  ASSERT_OK_AND_ASSIGN(Bytes mine, cose::CreateSign1(key, env.digest, o));
  Bytes two = EncodeEnvelope(env.digest, {ToBytes(env.auth_blocks[0]), mine},
                             env.manifest.content);
  ASSERT_OK_AND_ASSIGN(Envelope env2, DecodeEnvelope(two));
  std::vector<crypto::PublicKey> keys{key.Public()};
  ASSERT_OK_AND_ASSIGN(Authenticated a, Authenticate(env2, keys));
  EXPECT_EQ(a.block_index, 1u);
}

TEST(SuitAuthenticate, Mac0WithSymmetricKey) {
  Bytes manifest = ToBytes(ManifestContent(SuitVector("suit-example0-signed")));
  Bytes digest = DigestOfManifest(manifest);
  Bytes mac_key(32, 0x5a);
  cose::MacOptions o;
  o.detached = true;
  ASSERT_OK_AND_ASSIGN(Bytes mac0, cose::CreateMac0(mac_key, digest, o));
  Bytes data = EncodeEnvelope(digest, {mac0}, manifest);
  ASSERT_OK_AND_ASSIGN(Envelope env, DecodeEnvelope(data));
  TrustAnchors anchors;
  anchors.mac_key = ByteView(mac_key);
  ASSERT_OK_AND_ASSIGN(Authenticated a, Authenticate(env, anchors));
  EXPECT_FALSE(a.key_index.has_value());
  Bytes wrong(32, 0x5b);
  anchors.mac_key = ByteView(wrong);
  EXPECT_EQ(ReasonFor(Authenticate(env, anchors).status()), ReportReason::kUnauthorised);
}

// ---- envelope shape errors ----------------------------------------------------

TEST(SuitEnvelope, PathNamedTypeError) {
  // Auth wrapper [<<digest>>, {}]: element 1 must be a bstr.
  Bytes auth = H("82" "4400010203" "a0");
  cbor::Writer w;
  w.BeginMap(2);
  w.WriteInt(2);
  w.WriteBytes(auth);
  w.WriteInt(3);
  w.WriteBytes(H("a0"));
  auto r = DecodeEnvelope(w.bytes());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kMalformed);
  EXPECT_EQ(r.status().message(), "SUIT_Envelope.authentication-wrapper[1]: expected bstr, got map");
}

TEST(SuitEnvelope, MissingManifestAndWrongTag) {
  EXPECT_FALSE(DecodeEnvelope(H("a1024181")).ok());          // {2: <<[]>>}: no digest, no manifest
  EXPECT_FALSE(DecodeEnvelope(H("a102428080")).ok());        // trailing
  auto tagged_manifest = DecodeEnvelope(H("d9042ea0"));      // 1070({})
  ASSERT_FALSE(tagged_manifest.ok());
  EXPECT_NE(tagged_manifest.status().message().find("tag 1070"), std::string::npos);
  EXPECT_FALSE(DecodeEnvelope(H("a202418003a0")).ok());      // 3: map, not bstr
}

TEST(SuitEnvelope, IntegratedPayloadOfE2) {
  Bytes data = TeepVector("e2-suit-integrated");
  ASSERT_OK_AND_ASSIGN(Envelope env, DecodeEnvelope(data));
  ASSERT_EQ(env.integrated_payloads.size(), 1u);
  const IntegratedPayload* p = env.FindPayload("#tc");
  ASSERT_NE(p, nullptr);
  Bytes expected = TeepVector("tc-binary-hello");
  EXPECT_EQ(ToBytes(p->bytes), expected);
  EXPECT_EQ(env.FindPayload("#other"), nullptr);
}

// ---- manifests --------------------------------------------------------------

// The result holds views into `data`: a non-const reference keeps callers
// from passing a temporary that would die before the views are used.
Authenticated AuthOk(Bytes& data, const crypto::PublicKey& key) {
  auto env = DecodeEnvelope(data);
  EXPECT_TRUE(env.ok()) << env.status().ToString();
  std::vector<crypto::PublicKey> keys{key};
  auto a = Authenticate(*env, keys);
  EXPECT_TRUE(a.ok()) << a.status().ToString();
  return std::move(a).value();
}

TEST(SuitManifest, SequenceNumbersAndComponents) {
  auto key = SpecKey();
  const std::vector<std::pair<std::string, uint64_t>> cases = {
      {"suit-example0-signed", 0}, {"suit-example1-signed", 1},
      {"suit-example2-severed-signed", 2}, {"suit-example2-full-signed", 2},
      {"suit-example3-signed", 3}, {"suit-example4-signed", 4}, {"suit-example5-signed", 5}};
  for (const auto& [name, seq] : cases) {
    SCOPED_TRACE(name);
    Bytes data = SuitVector(name);
    Authenticated a = AuthOk(data, key);
    EXPECT_EQ(a.manifest.version, 1u);
    EXPECT_EQ(a.manifest.sequence_number, seq);
    ASSERT_TRUE(a.manifest.common.shared_sequence.has_value());
    std::vector<Bytes> first_parts;
    for (const auto& id : a.manifest.common.components) {
      ASSERT_EQ(id.size(), 1u);
      first_parts.push_back(ToBytes(id[0]));
    }
    if (seq == 4) {
      EXPECT_EQ(first_parts, (std::vector<Bytes>{H("00"), H("02"), H("01")}));
    } else if (seq == 5) {
      EXPECT_EQ(first_parts, (std::vector<Bytes>{H("00"), H("01")}));
    } else {
      EXPECT_EQ(first_parts, (std::vector<Bytes>{H("00")}));
    }
  }
}

TEST(SuitManifest, ReferenceUriOfExample2) {
  Bytes example2 = SuitVector("suit-example2-severed-signed");
  Authenticated a = AuthOk(example2, SpecKey());
  ASSERT_TRUE(a.manifest.reference_uri.has_value());
  EXPECT_EQ(*a.manifest.reference_uri, "https://git.io/JJYoj");
  Bytes example0 = SuitVector("suit-example0-signed");
  Authenticated b = AuthOk(example0, SpecKey());
  EXPECT_FALSE(b.manifest.reference_uri.has_value());
}

TEST(SuitManifest, TeepE3HasDependencies) {
  Bytes e3 = TeepVector("e3-suit-personalization");
  Authenticated a = AuthOk(e3, TeepKey());
  EXPECT_TRUE(a.manifest.common.dependencies.has_value());
  Bytes e1_bytes = TeepVector("e1-suit-uri");
  Authenticated e1 = AuthOk(e1_bytes, TeepKey());
  EXPECT_FALSE(e1.manifest.common.dependencies.has_value());
  EXPECT_NE(e1.manifest.FindSection(kManifestUninstall), nullptr);
}

TEST(SuitManifest, RejectsBadShapes) {
  // {1:1, 2:0, 3:<<{}>>} is the minimal valid manifest.
  ASSERT_OK(DecodeManifest(H("a3010102000341a0")).status());
  // version 2
  EXPECT_EQ(DecodeManifest(H("a3010202000341a0")).status().code(), StatusCode::kMalformed);
  // missing common
  EXPECT_FALSE(DecodeManifest(H("a201010200")).ok());
  // unknown key 6
  auto unknown = DecodeManifest(H("a4010102000341a0064180"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("unknown manifest key 6"), std::string::npos);
  // validate (7) given as a SUIT_Digest: never severable
  auto severed7 = DecodeManifest(H("a4010102000341a007823041" "00"));
  ASSERT_FALSE(severed7.ok());
  EXPECT_NE(severed7.status().message().find("may not be severed"), std::string::npos)
      << severed7.status().message();
  // install (20) as a SUIT_Digest is fine
  ASSERT_OK(DecodeManifest(H("a4010102000341a014823041" "00")).status());
  // sequence number must be uint
  EXPECT_FALSE(DecodeManifest(H("a3010102200341a0")).ok());
  // tagged manifest inside an envelope
  EXPECT_FALSE(DecodeManifest(H("d9042ea3010102000341a0")).ok());
  // empty component list
  EXPECT_FALSE(DecodeManifest(H("a30101020003430280a0")).ok());
  // common: unknown key 3
  EXPECT_FALSE(DecodeManifest(H("a3010102000343a10300")).ok());
}

// ---- severable members --------------------------------------------------------

TEST(SuitSeverable, FullEnvelopeResolvesInstallAndText) {
  Bytes data = SuitVector("suit-example2-full-signed");
  ASSERT_OK_AND_ASSIGN(Envelope env, DecodeEnvelope(data));
  ASSERT_EQ(env.severed.size(), 2u);
  std::vector<crypto::PublicKey> keys{SpecKey()};
  ASSERT_OK_AND_ASSIGN(Authenticated a, Authenticate(env, keys));
  ASSERT_TRUE(a.manifest.FindSection(kManifestInstall)->severed);
  ASSERT_TRUE(a.manifest.FindSection(kManifestText)->severed);
  ASSERT_OK_AND_ASSIGN(ByteView install, Section(a.manifest, env, kManifestInstall));
  EXPECT_EQ(install.data(), env.FindSevered(kEnvelopeInstall)->value.content.data());
  ASSERT_OK_AND_ASSIGN(std::vector<Command> cmds, DecodeCommandSequence(install));
  ASSERT_EQ(cmds.size(), 3u);
  EXPECT_EQ(cmds[0].code, 20);  // override-parameters{uri}
  EXPECT_NE(AsChars(cmds[0].argument).find("http://example.com/very/long/path/to/file/file.bin"),
            std::string_view::npos);
  EXPECT_EQ(cmds[1].code, 21);  // fetch
  EXPECT_EQ(cmds[2].code, 3);   // image-match
  ASSERT_OK_AND_ASSIGN(ByteView text, Section(a.manifest, env, kManifestText));
  EXPECT_NE(AsChars(text).find("en-US"), std::string_view::npos);
  EXPECT_NE(AsChars(text).find("arm.com"), std::string_view::npos);
}

TEST(SuitSeverable, SeveredInstallAbsentButInvocationWorks) {
  Bytes data = SuitVector("suit-example2-severed-signed");
  ASSERT_OK_AND_ASSIGN(Envelope env, DecodeEnvelope(data));
  std::vector<crypto::PublicKey> keys{SpecKey()};
  ASSERT_OK_AND_ASSIGN(Authenticated a, Authenticate(env, keys));
  auto install = Section(a.manifest, env, kManifestInstall);
  ASSERT_FALSE(install.ok());
  EXPECT_EQ(install.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(install.status().message(), "severed install (20) is not in the envelope");
  EXPECT_EQ(ReasonFor(install.status()), ReportReason::kSeveringUnsupported);
  EXPECT_FALSE(Section(a.manifest, env, kManifestText).ok());
  ASSERT_OK_AND_ASSIGN(ByteView validate, Section(a.manifest, env, kManifestValidate));
  ASSERT_OK_AND_ASSIGN(ByteView invoke, Section(a.manifest, env, kManifestInvoke));
  ASSERT_OK_AND_ASSIGN(auto v, DecodeCommandSequence(validate));
  ASSERT_OK_AND_ASSIGN(auto i, DecodeCommandSequence(invoke));
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].code, 3);
  EXPECT_EQ(ToBytes(v[0].argument), H("0f"));
  ASSERT_EQ(i.size(), 1u);
  EXPECT_EQ(i[0].code, 23);
  EXPECT_EQ(ToBytes(i[0].argument), H("02"));
  // A section the manifest does not have at all.
  auto load = Section(a.manifest, env, kManifestLoad);
  EXPECT_EQ(load.status().code(), StatusCode::kNotFound);
}

TEST(SuitSeverable, SameDigestFullAndSevered) {
  Bytes full_bytes = SuitVector("suit-example2-full-signed");
  Bytes severed_bytes = SuitVector("suit-example2-severed-signed");
  ASSERT_OK_AND_ASSIGN(Envelope full, DecodeEnvelope(full_bytes));
  ASSERT_OK_AND_ASSIGN(Envelope sev, DecodeEnvelope(severed_bytes));
  EXPECT_EQ(ToBytes(full.digest), ToBytes(sev.digest));
}

TEST(SuitSeverable, TamperedSeveredMemberFailsDigest) {
  Bytes data = SuitVector("suit-example2-full-signed");
  {
    ASSERT_OK_AND_ASSIGN(Envelope env, DecodeEnvelope(data));
    ByteView content = env.FindSevered(kEnvelopeInstall)->value.content;
    data[OffsetIn(data, content) + content.size() - 1] ^= 0x01;
  }
  ASSERT_OK_AND_ASSIGN(Envelope env, DecodeEnvelope(data));
  std::vector<crypto::PublicKey> keys{SpecKey()};
  ASSERT_OK_AND_ASSIGN(Authenticated a, Authenticate(env, keys));
  auto install = Section(a.manifest, env, kManifestInstall);
  ASSERT_FALSE(install.ok());
  EXPECT_EQ(install.status().code(), StatusCode::kVerificationFailed);
  EXPECT_EQ(ReasonFor(install.status()), ReportReason::kUnauthorised);
  ASSERT_OK(Section(a.manifest, env, kManifestText).status());
}

TEST(SuitSeverable, EnvelopeMemberNotDeclaredSeveredIsRejected) {
  // Example 0 (validate/invoke inline, no install) with an extra envelope key 20.
  Bytes data = SuitVector("suit-example0-signed");
  ASSERT_OK_AND_ASSIGN(Envelope env, DecodeEnvelope(data));
  Bytes extra = EncodeEnvelope(env.digest, {ToBytes(env.auth_blocks[0])}, env.manifest.content,
                               {{20, H("820302")}});
  EXPECT_EQ(ReasonOf(extra, SpecKey()), ReportReason::kCborParse);
}

// ---- command sequences ----------------------------------------------------------

std::vector<int64_t> Codes(ByteView seq) {
  auto cmds = DecodeCommandSequence(seq);
  EXPECT_TRUE(cmds.ok()) << cmds.status().ToString();
  std::vector<int64_t> out;
  if (cmds.ok()) {
    for (const auto& c : *cmds) out.push_back(c.code);
  }
  return out;
}

TEST(SuitCommands, ExampleSequencesMatchIndexSummaries) {
  auto key = SpecKey();
  using V = std::vector<int64_t>;
  {
    Bytes d = SuitVector("suit-example0-signed");
    auto env = *DecodeEnvelope(d);
    Authenticated a = AuthOk(d, key);
    EXPECT_EQ(Codes(*a.manifest.common.shared_sequence), (V{20, 1, 2}));
    EXPECT_EQ(Codes(*Section(a.manifest, env, kManifestValidate)), (V{3}));
    EXPECT_EQ(Codes(*Section(a.manifest, env, kManifestInvoke)), (V{23}));
  }
  {
    Bytes d = SuitVector("suit-example1-signed");
    auto env = *DecodeEnvelope(d);
    Authenticated a = AuthOk(d, key);
    EXPECT_EQ(Codes(*Section(a.manifest, env, kManifestInstall)), (V{20, 21, 3}));
  }
  {
    Bytes d = SuitVector("suit-example3-signed");
    auto env = *DecodeEnvelope(d);
    Authenticated a = AuthOk(d, key);
    EXPECT_EQ(Codes(*a.manifest.common.shared_sequence), (V{20, 15, 1, 2}));
    EXPECT_EQ(Codes(*Section(a.manifest, env, kManifestInstall)), (V{15, 21, 3}));
  }
  {
    Bytes d = SuitVector("suit-example4-signed");
    auto env = *DecodeEnvelope(d);
    Authenticated a = AuthOk(d, key);
    EXPECT_EQ(Codes(*a.manifest.common.shared_sequence), (V{12, 20, 1, 2}));
    EXPECT_EQ(Codes(*Section(a.manifest, env, kManifestValidate)), (V{12, 3}));
    EXPECT_EQ(Codes(*Section(a.manifest, env, kManifestLoad)), (V{12, 20, 22, 3}));
    EXPECT_EQ(Codes(*Section(a.manifest, env, kManifestInvoke)), (V{12, 23}));
    EXPECT_EQ(Codes(*Section(a.manifest, env, kManifestPayloadFetch)), (V{12, 20, 21, 3}));
    EXPECT_EQ(Codes(*Section(a.manifest, env, kManifestInstall)), (V{12, 20, 22, 3}));
    auto load = *DecodeCommandSequence(*Section(a.manifest, env, kManifestLoad));
    EXPECT_EQ(ToBytes(load[0].argument), H("02"));  // set-index 2
  }
  {
    Bytes d = SuitVector("suit-example5-signed");
    auto env = *DecodeEnvelope(d);
    Authenticated a = AuthOk(d, key);
    EXPECT_EQ(Codes(*a.manifest.common.shared_sequence), (V{12, 20, 1, 2, 12, 20}));
    EXPECT_EQ(Codes(*Section(a.manifest, env, kManifestValidate)), (V{12, 3, 12, 3}));
    EXPECT_EQ(Codes(*Section(a.manifest, env, kManifestInstall)),
              (V{12, 20, 21, 3, 12, 20, 21, 3}));
  }
}

TEST(SuitCommands, RejectsBadShapes) {
  EXPECT_FALSE(DecodeCommandSequence(H("80")).ok());        // empty
  EXPECT_FALSE(DecodeCommandSequence(H("830302")).ok() );   // truncated / not one item
  auto odd = DecodeCommandSequence(H("83030f17"));
  ASSERT_FALSE(odd.ok());
  EXPECT_NE(odd.status().message().find("odd length 3"), std::string::npos);
  auto text_code = DecodeCommandSequence(H("826178" "0f"));
  ASSERT_FALSE(text_code.ok());
  EXPECT_EQ(text_code.status().message(), "SUIT_Command_Sequence[0]: expected int, got text");
  EXPECT_FALSE(DecodeCommandSequence(H("a10102")).ok());    // map
  ASSERT_OK(DecodeCommandSequence(H("84030f1702")).status());
}

// ---- digests and reasons --------------------------------------------------------

TEST(SuitDigest, ComputeAndCheck) {
  Bytes data = H("00010203");
  ASSERT_OK_AND_ASSIGN(Bytes d, ComputeDigest(kDigestSha256, data));
  ASSERT_OK_AND_ASSIGN(Bytes enc, EncodeDigest(kDigestSha256, d));
  ASSERT_OK_AND_ASSIGN(Digest dec, DecodeDigest(enc));
  ASSERT_OK(CheckDigest(dec, data));
  data[0] ^= 1;
  EXPECT_EQ(CheckDigest(dec, data).code(), StatusCode::kVerificationFailed);
  dec.bytes = dec.bytes.subspan(1);
  EXPECT_EQ(CheckDigest(dec, H("00010203")).code(), StatusCode::kVerificationFailed);
  EXPECT_EQ(ComputeDigest(-44, data).status().code(), StatusCode::kUnsupported);
  EXPECT_FALSE(DecodeDigest(H("8130")).ok());        // [alg] only
  EXPECT_FALSE(DecodeDigest(H("824130" "40")).ok());  // alg as bstr
  ASSERT_OK(DecodeDigest(H("83304000")).status());   // extension accepted
}

TEST(SuitReason, MappingIsTotal) {
  EXPECT_EQ(ReasonFor(OkStatus()), ReportReason::kOk);
  EXPECT_EQ(ReasonFor(Status(StatusCode::kMalformed, "x")), ReportReason::kCborParse);
  EXPECT_EQ(ReasonFor(Status(StatusCode::kUnsupported, "x")), ReportReason::kAlgorithmUnsupported);
  EXPECT_EQ(ReasonFor(Status(StatusCode::kVerificationFailed, "x")), ReportReason::kUnauthorised);
  EXPECT_EQ(ReasonFor(Status(StatusCode::kNotFound, "x")), ReportReason::kSeveringUnsupported);
  EXPECT_EQ(ReasonFor(Status(StatusCode::kInternal, "x")), ReportReason::kOperationFailed);
  EXPECT_EQ(static_cast<int>(ReportReason::kInvocationPending), 12);
  EXPECT_EQ(ReportReasonName(ReportReason::kUnauthorised), "suit-report-reason-unauthorised");
}

}  // namespace
}  // namespace teep::suit
