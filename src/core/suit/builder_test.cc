// SUIT envelope builder: signatures verify with Authenticate, severed members
// match what Section() checks, the published TEEP Appendix E envelopes are
// reproduced (E.2 byte-exact up to the randomised ECDSA signature, E.1's
// manifest apart from the validate section the builder adds), encrypted
// payloads decrypt, dependencies get their map and sections, bad specs fail.
#include "core/suit/builder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "core/cbor/reader.h"
#include "core/cbor/writer.h"
#include "core/cose/algorithms.h"
#include "core/cose/encrypt.h"
#include "core/cose/sign.h"
#include "core/crypto/crypto.h"
#include "core/suit/authenticate.h"
#include "core/suit/component_id.h"
#include "core/suit/digest.h"
#include "core/suit/envelope.h"
#include "core/suit/manifest.h"
#include "test_util.h"
#include "vector_files.h"

namespace teep::suit {
namespace {

using test::H;

Bytes TeepVector(const std::string& name) {
  return test::ReadVector("teep/vectors/" + name + ".hex");
}

crypto::PrivateKey TeepSigner() {
  auto key = crypto::PrivateKey::FromPem(
      test::ReadSpecText("teep/vectors/keys/appE-suit-signer-p256.priv.pem"));
  EXPECT_TRUE(key.ok()) << key.status().ToString();
  if (!key.ok()) std::abort();
  return std::move(key).value();
}

crypto::PrivateKey NewKey(crypto::KeyType type) {
  auto key = crypto::PrivateKey::Generate(type);
  EXPECT_TRUE(key.ok()) << key.status().ToString();
  if (!key.ok()) std::abort();
  return std::move(key).value();
}

Bytes Text(std::string_view s) { return ToBytes(AsBytes(s)); }

Bytes Wrap(ByteView content) {
  cbor::Writer w;
  w.WriteBytes(content);
  return w.bytes();
}

// A minimal valid manifest: {1: 1, 2: seq, 3: << {2: [[h'00']]} >>} plus
// `extra` (keys above 3, ascending, values already encoded).
Bytes MinimalManifest(uint64_t seq, const std::vector<std::pair<int64_t, Bytes>>& extra = {}) {
  cbor::Writer common;
  common.BeginMap(1);
  common.WriteUint(2);
  common.BeginArray(1);
  common.BeginArray(1);
  common.WriteBytes(H("00"));
  cbor::Writer w;
  w.BeginMap(3 + extra.size());
  w.WriteUint(1);
  w.WriteUint(1);
  w.WriteUint(2);
  w.WriteUint(seq);
  w.WriteUint(3);
  w.WriteBytes(common.bytes());
  for (const auto& [k, v] : extra) {
    w.WriteInt(k);
    w.WriteRaw(v);
  }
  auto out = std::move(w).Finish();
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  return out.ok() ? *out : Bytes{};
}

// Decode + authenticate with one key.
Result<Authenticated> DecodeAndAuthenticate(const Envelope& env, const crypto::PublicKey& key) {
  std::vector<crypto::PublicKey> keys{key};
  return Authenticate(env, keys);
}

// The (key, raw value) entries of an encoded map with integer keys.
std::vector<std::pair<int64_t, Bytes>> IntMapEntries(ByteView encoded) {
  std::vector<std::pair<int64_t, Bytes>> out;
  cbor::Reader r = cbor::Reader::Open(encoded);
  uint64_t pairs = 0;
  EXPECT_TRUE(r.ReadMapHeader(&pairs)) << r.status().ToString();
  for (uint64_t i = 0; i < pairs && r.ok(); ++i) {
    int64_t key = 0;
    ByteView value;
    r.ReadInt(&key);
    r.ReadRaw(&value);
    out.emplace_back(key, ToBytes(value));
  }
  EXPECT_TRUE(r.ok() && r.AtEnd()) << r.status().ToString();
  return out;
}

Bytes FindEntry(const std::vector<std::pair<int64_t, Bytes>>& entries, int64_t key) {
  for (const auto& [k, v] : entries) {
    if (k == key) return v;
  }
  ADD_FAILURE() << "no key " << key;
  return {};
}

// The content of an encoded bstr item.
Bytes Unwrap(ByteView item) {
  cbor::Reader r = cbor::Reader::Open(item);
  ByteView content;
  EXPECT_TRUE(r.ReadBytes(&content)) << r.status().ToString();
  return ToBytes(content);
}

uint64_t UintOf(ByteView item) {
  cbor::Reader r = cbor::Reader::Open(item);
  uint64_t v = 0;
  EXPECT_TRUE(r.ReadUint(&v)) << r.status().ToString();
  return v;
}

// "12:0 20:{...} 21:15" style summary of a command sequence: the code and,
// for uint arguments, the value (maps and others as "{}").
std::string Summary(ByteView sequence) {
  auto commands = DecodeCommandSequence(sequence);
  EXPECT_TRUE(commands.ok()) << commands.status().ToString();
  if (!commands.ok()) return "";
  std::string out;
  for (const Command& c : *commands) {
    if (!out.empty()) out += " ";
    out += std::to_string(c.code) + ":";
    if (!c.argument.empty() && (c.argument[0] >> 5) == 0) {
      out += std::to_string(UintOf(c.argument));
    } else {
      out += "{}";
    }
  }
  return out;
}

// The argument of the n-th command with `code` (0-based), raw.
Bytes Argument(ByteView sequence, int64_t code, size_t n = 0) {
  auto commands = DecodeCommandSequence(sequence);
  EXPECT_TRUE(commands.ok()) << commands.status().ToString();
  if (commands.ok()) {
    for (const Command& c : *commands) {
      if (c.code == code && n-- == 0) return ToBytes(c.argument);
    }
  }
  ADD_FAILURE() << "no command " << code;
  return {};
}

// ---- SignEnvelope --------------------------------------------------------------

struct SignCase {
  crypto::KeyType type;
  int64_t alg;       // passed to SignEnvelope
  int64_t expected;  // alg in the COSE protected header
};

class SignEnvelopeTest : public ::testing::TestWithParam<SignCase> {};

TEST_P(SignEnvelopeTest, VerifiesWithItsKeyOnly) {
  const SignCase& c = GetParam();
  crypto::PrivateKey signer = NewKey(c.type);
  EnvelopeParts parts;
  parts.manifest = MinimalManifest(7);
  parts.integrated = {{"#tc", Text("payload")}};
  ASSERT_OK_AND_ASSIGN(Bytes envelope, SignEnvelope(parts, signer, c.alg));

  ASSERT_OK_AND_ASSIGN(Envelope env, DecodeEnvelope(envelope));
  EXPECT_FALSE(env.tagged);
  ASSERT_EQ(env.auth_blocks.size(), 1u);
  ASSERT_OK_AND_ASSIGN(cose::Sign1Message sign1,
                       cose::DecodeSign1(env.auth_blocks[0], cose::TagPolicy::kRequireTagged));
  EXPECT_EQ(sign1.headers.protected_params.alg, c.expected);
  EXPECT_FALSE(sign1.payload.has_value()) << "the payload must be detached (nil)";
  // manifest-37 §8.3: nothing but the algorithm; unprotected bucket empty.
  EXPECT_EQ(HexEncode(sign1.headers.protected_bytes),
            HexEncode(cose::EncodeHeaderMap({{1, cose::EncodeIntItem(c.expected)}}).value()));
  ASSERT_NE(env.FindPayload("#tc"), nullptr);

  ASSERT_OK_AND_ASSIGN(Authenticated auth, DecodeAndAuthenticate(env, signer.Public()));
  EXPECT_EQ(auth.manifest.sequence_number, 7u);
  EXPECT_EQ(auth.digest.alg, kDigestSha256);
  // The digest covers the bstr-wrapped manifest, head included.
  auto expected_digest = crypto::Sha256(Wrap(parts.manifest));
  EXPECT_EQ(HexEncode(auth.digest.bytes), HexEncode(expected_digest));

  crypto::PrivateKey other = NewKey(c.type);
  auto wrong = DecodeAndAuthenticate(env, other.Public());
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), StatusCode::kVerificationFailed);
}

INSTANTIATE_TEST_SUITE_P(
    Algorithms, SignEnvelopeTest,
    ::testing::Values(SignCase{crypto::KeyType::kP256, 0, cose::kAlgESP256},
                      SignCase{crypto::KeyType::kP256, cose::kAlgESP256, cose::kAlgESP256},
                      SignCase{crypto::KeyType::kP256, cose::kAlgES256, cose::kAlgES256},
                      SignCase{crypto::KeyType::kEd25519, 0, cose::kAlgEd25519},
                      SignCase{crypto::KeyType::kEd25519, cose::kAlgEdDSA, cose::kAlgEdDSA}));

TEST(SignEnvelope, TaggedAndMembersInDeterministicOrder) {
  crypto::PrivateKey signer = NewKey(crypto::KeyType::kP256);
  EnvelopeParts parts;
  parts.tagged = true;
  Bytes text_member = H("a0");
  Bytes install_member = H("820f0f");
  ASSERT_OK_AND_ASSIGN(Bytes text_digest, SeveredMemberDigest(text_member));
  ASSERT_OK_AND_ASSIGN(Bytes install_digest, SeveredMemberDigest(install_member));
  parts.manifest = MinimalManifest(1, {{20, install_digest}, {23, text_digest}});
  // Given out of order on purpose: the builder sorts.
  parts.severed = {{23, text_member}, {20, install_member}};
  parts.integrated = {{"#long-key", Text("b")}, {"#z", Text("a")}, {"#a", Text("c")}};
  ASSERT_OK_AND_ASSIGN(Bytes envelope, SignEnvelope(parts, signer));
  // The deterministic writer refused nothing, and the strict reader agrees.
  ASSERT_OK_AND_ASSIGN(Envelope env, DecodeEnvelope(envelope));
  EXPECT_TRUE(env.tagged);
  ASSERT_EQ(env.severed.size(), 2u);
  EXPECT_EQ(env.severed[0].key, 20);
  EXPECT_EQ(env.severed[1].key, 23);
  ASSERT_EQ(env.integrated_payloads.size(), 3u);
  EXPECT_EQ(env.integrated_payloads[0].key, "#a");
  EXPECT_EQ(env.integrated_payloads[1].key, "#z");
  EXPECT_EQ(env.integrated_payloads[2].key, "#long-key");
  ASSERT_OK(DecodeAndAuthenticate(env, signer.Public()).status());
}

TEST(SignEnvelope, RejectsBadInput) {
  crypto::PrivateKey p256 = NewKey(crypto::KeyType::kP256);
  crypto::PrivateKey ed = NewKey(crypto::KeyType::kEd25519);
  crypto::PrivateKey x25519 = NewKey(crypto::KeyType::kX25519);
  EnvelopeParts parts;
  parts.manifest = MinimalManifest(1);

  auto mismatch = SignEnvelope(parts, ed, cose::kAlgESP256);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(mismatch.status().message().find("is for P-256 keys"), std::string::npos)
      << mismatch.status().message();
  EXPECT_EQ(SignEnvelope(parts, p256, cose::kAlgA128Gcm).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(SignEnvelope(parts, x25519).status().code(), StatusCode::kInvalidArgument);

  EnvelopeParts bad_key = parts;
  bad_key.severed = {{7, H("80")}};  // validate may never be severed
  EXPECT_EQ(SignEnvelope(bad_key, p256).status().code(), StatusCode::kInvalidArgument);
  EnvelopeParts twice = parts;
  twice.integrated = {{"#tc", H("00")}, {"#tc", H("01")}};
  EXPECT_EQ(SignEnvelope(twice, p256).status().code(), StatusCode::kInvalidArgument);
  EnvelopeParts empty;
  EXPECT_EQ(SignEnvelope(empty, p256).status().code(), StatusCode::kInvalidArgument);
}

// ---- SeveredMemberDigest ---------------------------------------------------------

TEST(SeveredMemberDigest, MatchesWhatSectionChecks) {
  crypto::PrivateKey signer = NewKey(crypto::KeyType::kP256);
  Bytes install = H("8614a1157823232323232323232323232323232323232323232323232323232323230f0f");
  ASSERT_OK_AND_ASSIGN(Bytes digest, SeveredMemberDigest(install));
  // [-16, h'<32 bytes>'] over the bstr-wrapped member.
  auto expected = crypto::Sha256(Wrap(install));
  EXPECT_EQ(HexEncode(digest), "822f5820" + HexEncode(expected));

  EnvelopeParts parts;
  parts.manifest = MinimalManifest(1, {{20, digest}});
  parts.severed = {{20, install}};
  ASSERT_OK_AND_ASSIGN(Bytes envelope, SignEnvelope(parts, signer));
  ASSERT_OK_AND_ASSIGN(Envelope env, DecodeEnvelope(envelope));
  ASSERT_OK_AND_ASSIGN(Authenticated auth, DecodeAndAuthenticate(env, signer.Public()));
  ASSERT_OK_AND_ASSIGN(ByteView section, Section(auth.manifest, env, 20));
  EXPECT_EQ(HexEncode(section), HexEncode(install));

  // A member that does not match the digest in the (signed) manifest.
  EnvelopeParts tampered = parts;
  tampered.severed = {{20, H("820f0f")}};
  ASSERT_OK_AND_ASSIGN(Bytes bad_envelope, SignEnvelope(tampered, signer));
  ASSERT_OK_AND_ASSIGN(Envelope bad_env, DecodeEnvelope(bad_envelope));
  ASSERT_OK_AND_ASSIGN(Authenticated bad_auth, DecodeAndAuthenticate(bad_env, signer.Public()));
  EXPECT_EQ(Section(bad_auth.manifest, bad_env, 20).status().code(),
            StatusCode::kVerificationFailed);
}

// ---- the published TEEP Appendix E envelopes ------------------------------------------

TEST(SignEnvelope, ReproducesTeepE2ExceptTheSignature) {
  Bytes published = TeepVector("e2-suit-integrated");
  ASSERT_OK_AND_ASSIGN(Envelope original, DecodeEnvelope(published));
  const IntegratedPayload* tc = original.FindPayload("#tc");
  ASSERT_NE(tc, nullptr);

  EnvelopeParts parts;
  parts.manifest = ToBytes(original.manifest.content);
  parts.integrated = {{"#tc", ToBytes(tc->bytes)}};
  crypto::PrivateKey signer = TeepSigner();
  ASSERT_OK_AND_ASSIGN(Bytes rebuilt, SignEnvelope(parts, signer));

  // ECDSA signatures are randomised: everything but the 64 signature bytes
  // must be identical.
  ASSERT_EQ(rebuilt.size(), published.size());
  ASSERT_OK_AND_ASSIGN(cose::Sign1Message sign1, cose::DecodeSign1(original.auth_blocks[0]));
  ASSERT_EQ(sign1.signature.size(), 64u);
  size_t sig_at = static_cast<size_t>(sign1.signature.data() - published.data());
  EXPECT_EQ(HexEncode(ByteView(rebuilt).first(sig_at)), HexEncode(ByteView(published).first(sig_at)));
  EXPECT_EQ(HexEncode(ByteView(rebuilt).subspan(sig_at + 64)),
            HexEncode(ByteView(published).subspan(sig_at + 64)));
  EXPECT_NE(HexEncode(ByteView(rebuilt).subspan(sig_at, 64)),
            HexEncode(ByteView(published).subspan(sig_at, 64)));

  ASSERT_OK_AND_ASSIGN(Envelope env, DecodeEnvelope(rebuilt));
  ASSERT_OK_AND_ASSIGN(Authenticated auth, DecodeAndAuthenticate(env, signer.Public()));
  EXPECT_EQ(auth.manifest.sequence_number, 3u);
}

ManifestSpec E1Spec() {
  ManifestSpec spec;
  spec.sequence_number = 3;
  spec.component_id = {Text("TEEP-Device"), Text("SecureFS"), H("8D82573A926D4754935332DC29997F74"),
                       Text("ta")};
  spec.manifest_component_id = std::vector<Bytes>{
      Text("TEEP-Device"), Text("SecureFS"), H("8D82573A926D4754935332DC29997F74"), Text("suit")};
  spec.vendor_id = H("C0DDD5F15243566087DB4F5B0AA26C2F");
  spec.class_id = H("DB42F7093D8C55BAA8C5265FC5820F4E");
  spec.payload = TeepVector("tc-binary-hello");
  spec.payload_uri = "https://example.org/8d82573a-926d-4754-9353-32dc29997f74.ta";
  spec.uninstall = true;
  return spec;
}

// TEEP E.1 has no validate section; BuildEnvelope always emits one
// (validate = [condition-image-match 15], so that the invocation procedure
// re-checks the installed image). Every other member of the manifest, and the
// map order, must be byte-identical to the published manifest.
TEST(BuildEnvelope, ReproducesTeepE1ManifestPlusValidate) {
  Bytes published = TeepVector("e1-suit-uri");
  ASSERT_OK_AND_ASSIGN(Envelope original, DecodeEnvelope(published));
  crypto::PrivateKey signer = TeepSigner();
  ASSERT_OK_AND_ASSIGN(Bytes built, BuildEnvelope(E1Spec(), signer));
  ASSERT_OK_AND_ASSIGN(Envelope env, DecodeEnvelope(built));
  ASSERT_OK_AND_ASSIGN(Authenticated auth, DecodeAndAuthenticate(env, signer.Public()));
  EXPECT_TRUE(env.integrated_payloads.empty());
  EXPECT_TRUE(env.severed.empty());

  auto ours = IntMapEntries(env.manifest.content);
  auto theirs = IntMapEntries(original.manifest.content);
  // The one difference in shape: validate (7) = << [3, 15] >>.
  EXPECT_EQ(HexEncode(FindEntry(ours, kManifestValidate)), "4382030f");
  ours.erase(std::remove_if(ours.begin(), ours.end(),
                            [](const auto& e) { return e.first == kManifestValidate; }),
             ours.end());
  ASSERT_EQ(ours.size(), theirs.size());
  for (size_t i = 0; i < ours.size(); ++i) {
    EXPECT_EQ(ours[i].first, theirs[i].first);
    EXPECT_EQ(HexEncode(ours[i].second), HexEncode(theirs[i].second)) << "manifest key " << ours[i].first;
  }

  // Splicing validate into the published manifest gives our bytes exactly.
  Bytes expected;
  expected.push_back(0xa7);  // map(7) instead of map(6)
  cbor::Reader r = cbor::Reader::Open(original.manifest.content);
  uint64_t pairs = 0;
  ASSERT_TRUE(r.ReadMapHeader(&pairs));
  for (uint64_t i = 0; i < pairs; ++i) {
    int64_t key = 0;
    size_t start = r.offset();
    r.ReadInt(&key);
    ByteView value;
    r.ReadRaw(&value);
    if (key == kManifestInstall) {
      for (uint8_t b : H("074382030f")) expected.push_back(b);
    }
    ByteView pair = ByteView(original.manifest.content).subspan(start, r.offset() - start);
    expected.insert(expected.end(), pair.begin(), pair.end());
  }
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(HexEncode(env.manifest.content), HexEncode(expected));
  EXPECT_EQ(auth.manifest.sequence_number, 3u);
}

TEST(BuildEnvelope, IntegratedPayloadLikeTeepE2) {
  ManifestSpec spec = E1Spec();
  spec.payload_uri.reset();
  crypto::PrivateKey signer = TeepSigner();
  ASSERT_OK_AND_ASSIGN(Bytes built, BuildEnvelope(spec, signer));
  ASSERT_OK_AND_ASSIGN(Envelope env, DecodeEnvelope(built));
  ASSERT_OK(DecodeAndAuthenticate(env, signer.Public()).status());
  const IntegratedPayload* tc = env.FindPayload("#tc");
  ASSERT_NE(tc, nullptr);
  EXPECT_EQ(AsChars(tc->bytes), "Hello, Secure World!");

  // The E.2 install section exactly.
  Bytes published = TeepVector("e2-suit-integrated");
  ASSERT_OK_AND_ASSIGN(Envelope e2, DecodeEnvelope(published));
  auto ours = IntMapEntries(env.manifest.content);
  auto theirs = IntMapEntries(e2.manifest.content);
  EXPECT_EQ(HexEncode(FindEntry(ours, kManifestInstall)), HexEncode(FindEntry(theirs, kManifestInstall)));
  EXPECT_EQ(HexEncode(FindEntry(ours, kManifestCommon)), HexEncode(FindEntry(theirs, kManifestCommon)));
}

TEST(BuildEnvelope, OptionalSectionsAndMembers) {
  ManifestSpec spec = E1Spec();
  spec.invoke = true;
  spec.uninstall = false;
  spec.tagged = true;
  spec.reference_uri = "https://example.org/tc.suit";
  spec.vendor_id.reset();
  spec.class_id.reset();
  spec.manifest_component_id.reset();
  crypto::PrivateKey signer = NewKey(crypto::KeyType::kEd25519);
  ASSERT_OK_AND_ASSIGN(Bytes built, BuildEnvelope(spec, signer));
  ASSERT_OK_AND_ASSIGN(Envelope env, DecodeEnvelope(built));
  EXPECT_TRUE(env.tagged);
  ASSERT_OK_AND_ASSIGN(Authenticated auth, DecodeAndAuthenticate(env, signer.Public()));
  const Manifest& m = auth.manifest;
  EXPECT_EQ(m.reference_uri, std::optional<std::string_view>("https://example.org/tc.suit"));
  EXPECT_FALSE(m.manifest_component_id.has_value());
  EXPECT_EQ(m.FindSection(kManifestUninstall), nullptr);
  ASSERT_OK_AND_ASSIGN(ByteView invoke, Section(m, env, kManifestInvoke));
  EXPECT_EQ(Summary(invoke), "23:15");
  ASSERT_TRUE(m.common.shared_sequence.has_value());
  // No vendor/class: only the digest and size, and no conditions on them.
  EXPECT_EQ(Summary(*m.common.shared_sequence), "20:{}");
  auto params = IntMapEntries(Argument(*m.common.shared_sequence, 20));
  ASSERT_EQ(params.size(), 2u);
  EXPECT_EQ(params[0].first, 3);
  EXPECT_EQ(params[1].first, 14);
  EXPECT_EQ(UintOf(params[1].second), 20u);
}

// ---- encryption ---------------------------------------------------------------------

class EncryptedBuildTest : public ::testing::TestWithParam<int64_t> {};

TEST_P(EncryptedBuildTest, DecryptsBackToThePayload) {
  const int64_t content_alg = GetParam();
  crypto::PrivateKey device = NewKey(crypto::KeyType::kP256);
  crypto::PublicKey device_pub = device.Public();
  crypto::PrivateKey signer = NewKey(crypto::KeyType::kP256);
  ManifestSpec spec = E1Spec();
  spec.payload_uri.reset();
  spec.payload = Text(R"({"name":"FOO Bar","secret":"0123456789abfcdef0123456789abcd"})");
  spec.encryption = PayloadEncryption{&device_pub, Text("device-kid"), content_alg};
  ASSERT_OK_AND_ASSIGN(Bytes built, BuildEnvelope(spec, signer));

  ASSERT_OK_AND_ASSIGN(Envelope env, DecodeEnvelope(built));
  ASSERT_OK_AND_ASSIGN(Authenticated auth, DecodeAndAuthenticate(env, signer.Public()));
  EXPECT_TRUE(env.integrated_payloads.empty()) << "the ciphertext travels in the manifest";
  ASSERT_OK_AND_ASSIGN(ByteView install, Section(auth.manifest, env, kManifestInstall));
  EXPECT_EQ(Summary(install), "20:{} 18:15 3:15");
  auto params = IntMapEntries(Argument(install, 20));
  ASSERT_EQ(params.size(), 2u);
  EXPECT_EQ(params[0].first, 18);
  EXPECT_EQ(params[1].first, 19);
  Bytes ciphertext = Unwrap(params[0].second);
  Bytes info = Unwrap(params[1].second);
  ASSERT_FALSE(info.empty());
  EXPECT_EQ(info[0], 0xd8);  // tag 96
  EXPECT_EQ(info[1], 0x60);

  ASSERT_OK_AND_ASSIGN(cose::EncryptMessage message,
                       cose::DecodeEncrypt(info, cose::TagPolicy::kRequireTagged));
  EXPECT_FALSE(message.ciphertext.has_value()) << "ciphertext must be detached";
  EXPECT_EQ(message.headers.alg(), content_alg);
  if (content_alg == cose::kAlgA128Ctr) {
    EXPECT_TRUE(message.headers.protected_bytes.empty());
  }
  ASSERT_EQ(message.recipients.size(), 1u);
  EXPECT_EQ(message.recipients[0].headers.alg(), cose::kAlgEcdhEsA128Kw);
  ASSERT_TRUE(message.recipients[0].headers.kid().has_value());
  EXPECT_EQ(AsChars(*message.recipients[0].headers.kid()), "device-kid");

  cose::EcdhKey key{&device, "SUIT Payload Encryption", {}};
  ASSERT_OK_AND_ASSIGN(crypto::SecretBytes plain,
                       cose::DecryptEncrypt(message, key, {}, ByteView(ciphertext)));
  EXPECT_EQ(HexEncode(plain.view()), HexEncode(*spec.payload));

  // image-match checks the plaintext: the shared sequence carries its digest.
  auto shared = IntMapEntries(Argument(*auth.manifest.common.shared_sequence, 20));
  Bytes digest = Unwrap(FindEntry(shared, 3));  // image digest
  auto expected = crypto::Sha256(*spec.payload);
  EXPECT_EQ(HexEncode(digest), "822f5820" + HexEncode(expected));
  EXPECT_EQ(UintOf(FindEntry(shared, 14)), spec.payload->size());

  // Another device cannot decrypt.
  crypto::PrivateKey other = NewKey(crypto::KeyType::kP256);
  cose::EcdhKey other_key{&other, "SUIT Payload Encryption", {}};
  EXPECT_FALSE(cose::DecryptEncrypt(message, other_key, {}, ByteView(ciphertext)).ok());
}

INSTANTIATE_TEST_SUITE_P(ContentAlgs, EncryptedBuildTest,
                         ::testing::Values(cose::kAlgA128Gcm, cose::kAlgA128Ctr));

// ---- dependencies ----------------------------------------------------------------------

TEST(BuildEnvelope, DependenciesGetTheMapAndSections) {
  Bytes e1 = TeepVector("e1-suit-uri");
  crypto::PrivateKey signer = NewKey(crypto::KeyType::kP256);
  // A second dependency, built here, carried integrated.
  ManifestSpec dep_spec = E1Spec();
  dep_spec.manifest_component_id = std::vector<Bytes>{Text("TEEP-Device"), Text("lib")};
  ASSERT_OK_AND_ASSIGN(Bytes dep2, BuildEnvelope(dep_spec, signer));

  ManifestSpec spec;
  spec.sequence_number = 4;
  spec.component_id = {Text("TEEP-Device"), Text("SecureFS"), Text("config.json")};
  spec.manifest_component_id = std::vector<Bytes>{Text("TEEP-Device"), Text("SecureFS"), Text("config.suit")};
  spec.vendor_id = H("C0DDD5F15243566087DB4F5B0AA26C2F");
  spec.payload = Text("{}");
  spec.dependencies = {
      DependencySpec{e1, std::string("https://example.org/8d82573a-926d-4754-9353-32dc29997f74.suit")},
      DependencySpec{dep2, std::nullopt}};
  ASSERT_OK_AND_ASSIGN(Bytes built, BuildEnvelope(spec, signer));
  ASSERT_OK_AND_ASSIGN(Envelope env, DecodeEnvelope(built));
  ASSERT_OK_AND_ASSIGN(Authenticated auth, DecodeAndAuthenticate(env, signer.Public()));
  const Manifest& m = auth.manifest;

  // Integrated members: "#tc" (3 chars) sorts before "#dep2" (5 chars).
  ASSERT_EQ(env.integrated_payloads.size(), 2u);
  EXPECT_EQ(env.integrated_payloads[0].key, "#tc");
  EXPECT_EQ(env.integrated_payloads[1].key, "#dep2");
  EXPECT_EQ(HexEncode(env.integrated_payloads[1].bytes), HexEncode(dep2));

  // trust-domains §6.1: {1: {1: e1's manifest-component-id}, 2: {1: ['TEEP-Device', 'lib']}}.
  ASSERT_TRUE(m.common.dependencies.has_value());
  ASSERT_OK_AND_ASSIGN(Envelope e1_env, DecodeEnvelope(e1));
  ASSERT_OK_AND_ASSIGN(Manifest e1_manifest, DecodeManifest(e1_env.manifest.content));
  Bytes e1_id = EncodeComponentId(*e1_manifest.manifest_component_id);
  cbor::Writer deps;
  deps.BeginMap(2);
  deps.WriteUint(1);
  deps.BeginMap(1);
  deps.WriteUint(1);
  deps.WriteRaw(e1_id);
  deps.WriteUint(2);
  deps.BeginMap(1);
  deps.WriteUint(1);
  deps.WriteRaw(EncodeComponentId({AsBytes("TEEP-Device"), AsBytes("lib")}));
  EXPECT_EQ(HexEncode(*m.common.dependencies), HexEncode(deps.bytes()));
  ASSERT_EQ(m.common.components.size(), 1u);
  EXPECT_EQ(DescribeComponentId(m.common.components[0]), "['TEEP-Device', 'SecureFS', 'config.json']");
  EXPECT_EQ(Summary(*m.common.shared_sequence), "12:0 20:{} 1:15");

  ASSERT_OK_AND_ASSIGN(ByteView resolution, Section(m, env, kManifestDependencyResolution));
  EXPECT_EQ(Summary(resolution), "12:1 20:{} 21:15 7:15 12:2 20:{} 21:15 7:15");
  auto p1 = IntMapEntries(Argument(resolution, 20, 0));
  ASSERT_EQ(p1.size(), 3u);
  // The dependency's image digest is its authentication digest (e1: B39B52B0...).
  EXPECT_EQ(HexEncode(Unwrap(FindEntry(p1, 3))), HexEncode(e1_env.digest));
  EXPECT_EQ(HexEncode(e1_env.digest),
            "822f5820b39b52b0b747ea79588c190f567bfc2c8437ba8a73f7ea983182e79f0148d59b");
  EXPECT_EQ(UintOf(FindEntry(p1, 14)), e1.size());
  auto p2 = IntMapEntries(Argument(resolution, 20, 1));
  EXPECT_EQ(UintOf(FindEntry(p2, 14)), dep2.size());
  cbor::Writer uri2;
  uri2.WriteText("#dep2");
  EXPECT_EQ(HexEncode(FindEntry(p2, 21)), HexEncode(uri2.bytes()));

  ASSERT_OK_AND_ASSIGN(ByteView install, Section(m, env, kManifestInstall));
  EXPECT_EQ(Summary(install), "12:1 11:15 12:2 11:15 12:0 20:{} 21:15 3:15");
  ASSERT_OK_AND_ASSIGN(ByteView validate, Section(m, env, kManifestValidate));
  EXPECT_EQ(Summary(validate), "12:0 3:15");
  ASSERT_OK_AND_ASSIGN(ByteView uninstall, Section(m, env, kManifestUninstall));
  EXPECT_EQ(Summary(uninstall), "12:1 11:15 12:2 11:15 12:0 33:15");

  // Manifest member order: 1 2 3 5 7 15 20 24.
  std::string keys;
  for (const auto& [k, v] : IntMapEntries(env.manifest.content)) keys += std::to_string(k) + " ";
  EXPECT_EQ(keys, "1 2 3 5 7 15 20 24 ");
}

TEST(BuildEnvelope, BadDependenciesAreRejected) {
  crypto::PrivateKey signer = NewKey(crypto::KeyType::kP256);
  ManifestSpec dep_spec = E1Spec();
  dep_spec.manifest_component_id.reset();
  ASSERT_OK_AND_ASSIGN(Bytes dep, BuildEnvelope(dep_spec, signer));
  ManifestSpec spec = E1Spec();
  spec.dependencies = {DependencySpec{dep, std::nullopt}};
  auto r = BuildEnvelope(spec, signer);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("dependencies[0]"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("manifest-component-id"), std::string::npos)
      << r.status().message();

  Bytes e1 = TeepVector("e1-suit-uri");
  spec.dependencies = {DependencySpec{e1, std::nullopt}, DependencySpec{e1, std::nullopt}};
  auto twice = BuildEnvelope(spec, signer);
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().message().find("same manifest-component-id"), std::string::npos)
      << twice.status().message();

  // A dependency whose authentication digest does not match its manifest
  // could never pass condition-dependency-integrity.
  Bytes tampered = e1;
  std::string hex = HexEncode(tampered);
  size_t at = hex.find("b39b52b0");
  ASSERT_NE(at, std::string::npos);
  tampered[at / 2] ^= 0x01;
  spec.dependencies = {DependencySpec{tampered, std::nullopt}};
  auto mismatch = BuildEnvelope(spec, signer);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_NE(mismatch.status().message().find("authentication digest does not match"),
            std::string::npos)
      << mismatch.status().message();

  spec.dependencies = {DependencySpec{H("a0"), std::nullopt}};
  auto junk = BuildEnvelope(spec, signer);
  ASSERT_FALSE(junk.ok());
  EXPECT_EQ(junk.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(junk.status().message().find("not a SUIT envelope"), std::string::npos)
      << junk.status().message();
}

// ---- invalid specs ------------------------------------------------------------------------

TEST(BuildEnvelope, RejectsInvalidSpecs) {
  crypto::PrivateKey signer = NewKey(crypto::KeyType::kP256);
  crypto::PrivateKey ed = NewKey(crypto::KeyType::kEd25519);
  crypto::PublicKey ed_pub = ed.Public();
  crypto::PublicKey p256_pub = signer.Public();

  auto expect_invalid = [&](const ManifestSpec& spec, std::string_view needle,
                            const crypto::PrivateKey& key, int64_t alg = 0) {
    auto r = BuildEnvelope(spec, key, alg);
    ASSERT_FALSE(r.ok()) << needle;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
    EXPECT_NE(r.status().message().find(needle), std::string::npos) << r.status().message();
  };

  ASSERT_OK(BuildEnvelope(E1Spec(), signer).status());
  {
    ManifestSpec s = E1Spec();
    s.vendor_id = H("00112233445566778899aabbccddee");
    expect_invalid(s, "vendor_id must be a 16-byte UUID", signer);
  }
  {
    ManifestSpec s = E1Spec();
    s.class_id = Bytes(17, 0);
    expect_invalid(s, "class_id must be a 16-byte UUID", signer);
  }
  {
    ManifestSpec s = E1Spec();
    s.component_id.clear();
    expect_invalid(s, "component_id", signer);
  }
  {
    ManifestSpec s = E1Spec();
    s.payload.reset();
    expect_invalid(s, "payload is required", signer);
  }
  {
    ManifestSpec s = E1Spec();
    s.payload_uri.reset();
    s.integrated_key = "tc";
    expect_invalid(s, "integrated_key", signer);
  }
  {
    ManifestSpec s = E1Spec();
    s.payload_uri.reset();
    s.encryption = PayloadEncryption{&ed_pub, {}, cose::kAlgA128Gcm};
    expect_invalid(s, "must be a P-256 or X25519 key", signer);
  }
  {
    ManifestSpec s = E1Spec();
    s.payload_uri.reset();
    s.encryption = PayloadEncryption{};
    expect_invalid(s, "recipient is not set", signer);
  }
  {
    ManifestSpec s = E1Spec();
    s.payload_uri.reset();
    s.encryption = PayloadEncryption{&p256_pub, {}, cose::kAlgA256Gcm};
    expect_invalid(s, "content_alg", signer);
  }
  {
    ManifestSpec s = E1Spec();
    s.encryption = PayloadEncryption{&p256_pub, {}, cose::kAlgA128Gcm};
    expect_invalid(s, "payload_uri cannot be combined", signer);
  }
  expect_invalid(E1Spec(), "is for P-256 keys", ed, cose::kAlgESP256);
  expect_invalid(E1Spec(), "is for Ed25519 keys", signer, cose::kAlgEd25519);
}

}  // namespace
}  // namespace teep::suit
