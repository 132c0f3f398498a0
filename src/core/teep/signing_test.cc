// COSE_Sign1 / COSE_Sign wrapping of TEEP messages (P §4.1, §8.1).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/cose/key.h"
#include "core/cose/sign.h"
#include "core/teep/codec.h"
#include "core/teep/signing.h"
#include "vector_files.h"

namespace teep::msg {
namespace {

using ::testing::HasSubstr;

Bytes Vector(const std::string& name) { return test::ReadVector("teep/vectors/" + name + ".hex"); }

crypto::PrivateKey Key(crypto::KeyType type) {
  auto k = crypto::PrivateKey::Generate(type);
  EXPECT_TRUE(k.ok());
  return std::move(k).value();
}

TrustAnchor Anchor(const std::string& name, const crypto::PrivateKey& key) {
  auto a = TrustAnchor::Make(name, key.Public());
  EXPECT_TRUE(a.ok());
  return std::move(a).value();
}

class TeepSigning : public ::testing::Test {
 protected:
  crypto::PrivateKey tam_p256_ = Key(crypto::KeyType::kP256);
  crypto::PrivateKey tam_ed_ = Key(crypto::KeyType::kEd25519);
  crypto::PrivateKey other_p256_ = Key(crypto::KeyType::kP256);
  crypto::PrivateKey other_ed_ = Key(crypto::KeyType::kEd25519);
};

TEST_F(TeepSigning, SuiteMapping) {
  EXPECT_EQ(*SuiteSignatureAlg(SuiteSign1Esp256()), -9);
  EXPECT_EQ(*SuiteSignatureAlg(SuiteSign1Ed25519()), -19);
  auto legacy = SuiteSignatureAlg(CipherSuite{{18, -7}});
  ASSERT_FALSE(legacy.ok());
  EXPECT_EQ(legacy.status().code(), StatusCode::kUnsupported);
  EXPECT_FALSE(SuiteSignatureAlg(CipherSuite{{98, -9}}).ok());
  EXPECT_FALSE(SuiteSignatureAlg(CipherSuite{{18, -9}, {18, -19}}).ok());
  EXPECT_EQ(SuiteForKeyType(crypto::KeyType::kP256), SuiteSign1Esp256());
  EXPECT_EQ(SuiteForKeyType(crypto::KeyType::kEd25519), SuiteSign1Ed25519());
  EXPECT_FALSE(SuiteForKeyType(crypto::KeyType::kX25519));
}

TEST_F(TeepSigning, Sign1BothSuites) {
  const Bytes message = Vector("d1-query-request");
  struct Case {
    const crypto::PrivateKey* key;
    CipherSuite suite;
  } cases[] = {{&tam_p256_, SuiteSign1Esp256()}, {&tam_ed_, SuiteSign1Ed25519()}};
  for (const Case& c : cases) {
    auto signed_bytes = SignMessage(message, *c.key, c.suite);
    ASSERT_TRUE(signed_bytes.ok()) << signed_bytes.status().ToString();
    EXPECT_EQ((*signed_bytes)[0], 0xd2);  // tag 18, COSE_Sign1 (README §4.6: emit tagged)
    // kid = RFC 9679 thumbprint of the signing key.
    auto decoded = cose::DecodeSign1(*signed_bytes);
    ASSERT_TRUE(decoded.ok());
    auto thumbprint = cose::Thumbprint(c.key->Public());
    ASSERT_TRUE(thumbprint.ok());
    ASSERT_TRUE(decoded->headers.kid());
    EXPECT_EQ(ToBytes(*decoded->headers.kid()), Bytes(thumbprint->begin(), thumbprint->end()));

    std::vector<TrustAnchor> anchors;
    anchors.push_back(Anchor("other-p256", other_p256_));
    anchors.push_back(Anchor("other-ed", other_ed_));
    anchors.push_back(Anchor("tam", *c.key));
    auto v = VerifyMessage(*signed_bytes, anchors);
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    EXPECT_EQ(v->anchor_index, 2u);
    EXPECT_EQ(v->anchor_name, "tam");
    EXPECT_EQ(v->suite, c.suite);
    EXPECT_EQ(v->structure, CoseStructure::kSign1);
    EXPECT_TRUE(v->tagged);
    EXPECT_EQ(ToBytes(v->payload), message);

    // Untagged is accepted too (README §4.6: accept both).
    Bytes untagged(signed_bytes->begin() + 1, signed_bytes->end());
    auto u = VerifyMessage(untagged, anchors);
    ASSERT_TRUE(u.ok()) << u.status().ToString();
    EXPECT_FALSE(u->tagged);

    // Not among the anchors: verification fails.
    auto none = VerifyMessage(*signed_bytes, std::span(anchors).first(2));
    ASSERT_FALSE(none.ok());
    EXPECT_EQ(none.status().code(), StatusCode::kVerificationFailed);
    EXPECT_EQ(none.status().message(),
              "TEEP COSE: no trust anchor verified the COSE_Sign1 (2 anchors)");

    // A flipped signature bit fails.
    Bytes tampered = *signed_bytes;
    tampered.back() ^= 1;
    EXPECT_EQ(VerifyMessage(tampered, anchors).status().code(), StatusCode::kVerificationFailed);
  }
}

TEST_F(TeepSigning, KeyMustFitSuite) {
  auto s = SignMessage(Vector("d5-success"), tam_p256_, SuiteSign1Ed25519());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SignMessage(Vector("d5-success"), tam_p256_, CipherSuite{{18, -35}}).status().code(),
            StatusCode::kUnsupported);
}

TEST_F(TeepSigning, MultiSignerQueryRequest) {
  // P §8.1: the first QueryRequest uses COSE_Sign with one signature per
  // suite; an Agent that supports either verifies it.
  const Bytes message = Vector("d1-query-request");
  const Signer signers[] = {{&tam_p256_, SuiteSign1Esp256()}, {&tam_ed_, SuiteSign1Ed25519()}};
  auto signed_bytes = SignMessageMulti(message, signers);
  ASSERT_TRUE(signed_bytes.ok()) << signed_bytes.status().ToString();
  EXPECT_EQ(HexEncode(ByteView(*signed_bytes).first(2)), "d862");  // tag 98

  std::vector<TrustAnchor> ed_only;
  ed_only.push_back(Anchor("agent-store-ed", tam_ed_));
  auto v = VerifyMessage(*signed_bytes, ed_only);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->structure, CoseStructure::kSign);
  EXPECT_EQ(v->signature_index, 1u);
  EXPECT_EQ(v->suite, SuiteSign1Ed25519());
  EXPECT_EQ(ToBytes(v->payload), message);

  std::vector<TrustAnchor> p256_only;
  p256_only.push_back(Anchor("unrelated", other_p256_));
  p256_only.push_back(Anchor("agent-store-p256", tam_p256_));
  auto w = VerifyMessage(*signed_bytes, p256_only);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->signature_index, 0u);
  EXPECT_EQ(w->anchor_index, 1u);
  EXPECT_EQ(w->suite, SuiteSign1Esp256());

  // Untagged COSE_Sign accepted.
  Bytes untagged(signed_bytes->begin() + 2, signed_bytes->end());
  auto u = VerifyMessage(untagged, p256_only);
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_FALSE(u->tagged);

  std::vector<TrustAnchor> wrong;
  wrong.push_back(Anchor("x", other_ed_));
  EXPECT_EQ(VerifyMessage(*signed_bytes, wrong).status().message(),
            "TEEP COSE: no trust anchor verified any COSE_Sign signature (1 anchors)");

  const Signer twice[] = {{&tam_p256_, SuiteSign1Esp256()}, {&other_p256_, SuiteSign1Esp256()}};
  EXPECT_EQ(SignMessageMulti(message, twice).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(TeepSigning, RejectsOtherStructures) {
  std::vector<TrustAnchor> anchors;
  anchors.push_back(Anchor("tam", tam_p256_));
  // A bare TEEP message is not signed.
  EXPECT_EQ(VerifyMessage(Vector("d5-success"), anchors).status().message(),
            "TEEP COSE: expected COSE_Sign1 or COSE_Sign (an array of 4)");
  // COSE_Mac0 (tag 17) and other tags.
  auto signed_bytes = SignMessage(Vector("d5-success"), tam_p256_, SuiteSign1Esp256());
  ASSERT_TRUE(signed_bytes.ok());
  Bytes mac0 = *signed_bytes;
  mac0[0] = 0xd1;
  EXPECT_EQ(VerifyMessage(mac0, anchors).status().message(),
            "TEEP COSE: tag 17 is not COSE_Sign1 (18) or COSE_Sign (98); TEEP messages are signed");
  // Trailing bytes / not CBOR.
  Bytes trailing = *signed_bytes;
  trailing.push_back(0);
  EXPECT_THAT(VerifyMessage(trailing, anchors).status().message(), HasSubstr("trailing bytes"));
  // Detached payload.
  cose::SignOptions detached;
  detached.detached = true;
  detached.alg = -9;
  auto d = cose::CreateSign1(tam_p256_, Vector("d5-success"), detached);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(VerifyMessage(*d, anchors).status().message(),
            "TEEP COSE: COSE_Sign1 payload is detached; a TEEP message must be carried");
}

TEST_F(TeepSigning, LegacyAlgorithmsOnlyWhenEnabled) {
  cose::SignOptions es256;
  es256.alg = -7;  // ES256, as drafts <= -20 and libteep send
  auto s = cose::CreateSign1(tam_p256_, Vector("d5-success"), es256);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  std::vector<TrustAnchor> anchors;
  anchors.push_back(Anchor("tam", tam_p256_));
  auto strict = VerifyMessage(*s, anchors);
  ASSERT_FALSE(strict.ok());
  EXPECT_EQ(strict.status().code(), StatusCode::kUnsupported);
  EXPECT_EQ(strict.status().message(),
            "TEEP COSE: COSE_Sign1 alg -7 (ES256) is not an accepted TEEP cipher suite (P §8.1)");
  VerifyOptions legacy;
  legacy.accept_legacy_algs = true;
  auto v = VerifyMessage(*s, anchors, legacy);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->suite, SuiteSign1Esp256());
  EXPECT_EQ(v->alg, -7);

  cose::SignOptions eddsa;
  eddsa.alg = -8;
  auto e = cose::CreateSign1(tam_ed_, Vector("d5-success"), eddsa);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  std::vector<TrustAnchor> ed;
  ed.push_back(Anchor("tam-ed", tam_ed_));
  EXPECT_FALSE(VerifyMessage(*e, ed).ok());
  auto ve = VerifyMessage(*e, ed, legacy);
  ASSERT_TRUE(ve.ok()) << ve.status().ToString();
  EXPECT_EQ(ve->suite, SuiteSign1Ed25519());
}

TEST_F(TeepSigning, VerifyAndDecode) {
  std::vector<TrustAnchor> anchors;
  anchors.push_back(Anchor("agent", tam_ed_));
  auto s = SignMessage(Vector("d6-error"), tam_ed_, SuiteSign1Ed25519());
  ASSERT_TRUE(s.ok());
  auto vm = VerifyAndDecode(*s, anchors);
  ASSERT_TRUE(vm.ok()) << vm.status().ToString();
  EXPECT_EQ(std::get<Error>(vm->message).err_code, ErrCode(ErrorCode::kManifestProcessingFailed));
  EXPECT_EQ(vm->verified.anchor_name, "agent");
  // Under the legacy profile the same bytes read as a malformed Success
  // (type 5 there): README §8.1, and why the profile is never guessed.
  auto legacy = VerifyAndDecode(*s, anchors, Draft25());
  ASSERT_FALSE(legacy.ok());
  EXPECT_EQ(legacy.status().message(), "Success: expected array of 2 elements [type, options], got 3");
  // A validly signed payload that is not a TEEP message is still rejected
  // (P §4.1.2 last step).
  auto junk = SignMessage(*HexDecode("a0"), tam_ed_, SuiteSign1Ed25519());
  ASSERT_TRUE(junk.ok());
  EXPECT_EQ(VerifyAndDecode(*junk, anchors).status().message(),
            "TEEP message: expected array, got map");
}

TEST_F(TeepSigning, PublishedP256KeySignsAndVerifies) {
  auto key = crypto::PrivateKey::FromPem(
      test::ReadSpecText("teep/vectors/keys/appE-suit-signer-p256.priv.pem"));
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  auto pub = crypto::PublicKey::FromPem(
      test::ReadSpecText("teep/vectors/keys/appE-suit-signer-p256.pub.pem"));
  ASSERT_TRUE(pub.ok());
  auto anchor = TrustAnchor::Make("appE", *pub);
  ASSERT_TRUE(anchor.ok());
  std::vector<TrustAnchor> anchors;
  anchors.push_back(std::move(anchor).value());
  auto s = SignMessage(Vector("d4-update"), *key, SuiteSign1Esp256());
  ASSERT_TRUE(s.ok());
  auto vm = VerifyAndDecode(*s, anchors);
  ASSERT_TRUE(vm.ok()) << vm.status().ToString();
  EXPECT_TRUE(std::holds_alternative<Update>(vm->message));
}

}  // namespace
}  // namespace teep::msg
