#include "core/cose/sign.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_util.h"
#include "vector_files.h"

#include <algorithm>
#include <string>
#include <vector>

#include "core/cbor/reader.h"
#include "core/cbor/writer.h"
#include "core/cose/algorithms.h"
#include "core/cose/headers.h"
#include "core/cose/key.h"

namespace teep::cose {
namespace {

using ::testing::HasSubstr;

using test::H;


crypto::PrivateKey Generate(crypto::KeyType type) {
  auto k = crypto::PrivateKey::Generate(type);
  EXPECT_TRUE(k.ok()) << k.status().ToString();
  return std::move(k).value();
}

void ExpectStatus(const Status& st, StatusCode code, std::string_view part) {
  EXPECT_EQ(st.code(), code) << st.ToString();
  EXPECT_THAT(st.message(), HasSubstr(part)) << st.ToString();
}

// Builds a Sig_structure by hand (RFC 9052 §4.4), independently of sign.cc.
Bytes SigStructure1(ByteView prot, ByteView aad, ByteView payload) {
  cbor::Writer w;
  w.BeginArray(4);
  w.WriteText("Signature1");
  w.WriteBytes(prot);
  w.WriteBytes(aad);
  w.WriteBytes(payload);
  return std::move(w).Finish().value();
}

// A COSE_Sign1 assembled field by field, for malformed-input tests. Each
// field is an already-encoded CBOR item.
Bytes Sign1Raw(std::optional<uint64_t> tag, const std::vector<Bytes>& items) {
  cbor::Writer w;
  if (tag) w.WriteTag(*tag);
  w.BeginArray(items.size());
  for (const Bytes& item : items) w.WriteRaw(item);
  return std::move(w).Finish().value();
}

// ---- published vectors -------------------------------------------------

struct SuitAuth {
  Bytes digest;                 // the SUIT_Digest bytes (detached payload)
  std::vector<Bytes> sign1s;    // the COSE_Sign1 blocks
};

// SUIT_Envelope (tag 107 optional) = {2: bstr .cbor [bstr digest, + bstr
// COSE_Sign1], 3: manifest, ...}: extracts the authentication wrapper.
SuitAuth ParseEnvelope(ByteView envelope) {
  SuitAuth out;
  cbor::Reader r = cbor::Reader::Open(envelope, cbor::RelaxedOptions());
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  r.ConsumeTag(107);
  uint64_t pairs = 0;
  EXPECT_TRUE(r.ReadMapHeader(&pairs));
  ByteView auth;
  bool have_auth = false;
  for (uint64_t i = 0; i < pairs; ++i) {
    int64_t key = 0;
    if (r.PeekType() == cbor::MajorType::kText) {
      r.Skip();
      r.Skip();
      continue;
    }
    EXPECT_TRUE(r.ReadInt(&key));
    if (key == 2) {
      EXPECT_TRUE(r.ReadBytes(&auth));
      have_auth = true;
    } else {
      r.Skip();
    }
  }
  EXPECT_TRUE(r.ok() && r.AtEnd());
  EXPECT_TRUE(have_auth);
  cbor::Reader a = cbor::Reader::Open(auth, cbor::RelaxedOptions());
  uint64_t n = 0;
  EXPECT_TRUE(a.ReadArrayHeader(&n));
  EXPECT_GE(n, 2u);
  ByteView digest;
  EXPECT_TRUE(a.ReadBytes(&digest));
  out.digest = ToBytes(digest);
  for (uint64_t i = 1; i < n; ++i) {
    ByteView block;
    EXPECT_TRUE(a.ReadBytes(&block));
    out.sign1s.push_back(ToBytes(block));
  }
  EXPECT_TRUE(a.ok() && a.AtEnd());
  return out;
}

struct VectorCase {
  const char* file;
  const char* pem;
  int64_t alg;
};

class PublishedSuitVectors : public ::testing::TestWithParam<VectorCase> {};

TEST_P(PublishedSuitVectors, SignatureVerifiesWithDetachedDigest) {
  const VectorCase& c = GetParam();
  Bytes envelope = H(test::ReadSpecText(c.file));
  ASSERT_FALSE(envelope.empty());
  auto pub = crypto::PublicKey::FromPem(test::ReadSpecText(c.pem));
  ASSERT_TRUE(pub.ok()) << pub.status().ToString();

  SuitAuth auth = ParseEnvelope(envelope);
  ASSERT_EQ(auth.sign1s.size(), 1u);
  auto m = DecodeSign1(auth.sign1s[0], TagPolicy::kAny);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_TRUE(m->tagged);
  EXPECT_EQ(m->headers.protected_params.alg, c.alg);
  EXPECT_FALSE(m->payload.has_value()) << "SUIT signatures are detached";
  EXPECT_EQ(m->signature.size(), 64u);

  Status st = VerifySign1(*m, *pub, {}, ByteView(auth.digest));
  EXPECT_TRUE(st.ok()) << st.ToString();

  // Against a set of trust anchors, the right one is reported.
  std::vector<crypto::PublicKey> keys;
  keys.push_back(Generate(crypto::KeyType::kP256).Public());
  keys.push_back(Generate(crypto::KeyType::kEd25519).Public());
  keys.push_back(*pub);
  auto by = VerifyWithAnyKey(*m, keys, {}, ByteView(auth.digest));
  ASSERT_TRUE(by.ok()) << by.status().ToString();
  EXPECT_EQ(by->signature_index, 0u);
  EXPECT_EQ(by->key_index, 2u);

  // A flipped bit in the digest (the signed payload) fails.
  Bytes digest = auth.digest;
  digest[digest.size() - 1] ^= 0x01;
  ExpectStatus(VerifySign1(*m, *pub, {}, ByteView(digest)), StatusCode::kVerificationFailed, "");

  // A flipped bit in the signature fails.
  Bytes sign1 = auth.sign1s[0];
  sign1[sign1.size() - 1] ^= 0x80;
  auto tampered = DecodeSign1(sign1);
  ASSERT_TRUE(tampered.ok());
  ExpectStatus(VerifySign1(*tampered, *pub, {}, ByteView(auth.digest)),
               StatusCode::kVerificationFailed, "COSE_Sign1");
  // ... and also with every key of the set.
  auto none = VerifyWithAnyKey(*tampered, keys, {}, ByteView(auth.digest));
  ASSERT_FALSE(none.ok());
  ExpectStatus(none.status(), StatusCode::kVerificationFailed,
               "no key verified the signature (3 keys tried)");

  // External AAD is part of the signed structure: a non-empty one fails.
  const uint8_t aad[] = {0};
  EXPECT_FALSE(VerifySign1(*m, *pub, ByteView(aad), ByteView(auth.digest)).ok());
}

INSTANTIATE_TEST_SUITE_P(
    Cose, PublishedSuitVectors,
    ::testing::Values(
        VectorCase{"suit/vectors/suit-example0-signed.hex", "suit/vectors/suit-spec-example-p256-pub.pem", kAlgES256},
        VectorCase{"suit/vectors/suit-example1-signed.hex", "suit/vectors/suit-spec-example-p256-pub.pem", kAlgES256},
        VectorCase{"suit/vectors/suit-example2-full-signed.hex", "suit/vectors/suit-spec-example-p256-pub.pem", kAlgES256},
        VectorCase{"suit/vectors/suit-example2-severed-signed.hex", "suit/vectors/suit-spec-example-p256-pub.pem", kAlgES256},
        VectorCase{"suit/vectors/suit-example3-signed.hex", "suit/vectors/suit-spec-example-p256-pub.pem", kAlgES256},
        VectorCase{"suit/vectors/suit-example4-signed.hex", "suit/vectors/suit-spec-example-p256-pub.pem", kAlgES256},
        VectorCase{"suit/vectors/suit-example5-signed.hex", "suit/vectors/suit-spec-example-p256-pub.pem", kAlgES256},
        VectorCase{"teep/vectors/e1-suit-uri.hex", "teep/vectors/keys/appE-suit-signer-p256.pub.pem", kAlgESP256},
        VectorCase{"teep/vectors/e2-suit-integrated.hex", "teep/vectors/keys/appE-suit-signer-p256.pub.pem", kAlgESP256},
        VectorCase{"teep/vectors/e3-suit-personalization.hex", "teep/vectors/keys/appE-suit-signer-p256.pub.pem", kAlgESP256}));

// Re-encodes a raw r||s ECDSA signature as DER (SEQUENCE of two INTEGERs).
Bytes RawToDer(ByteView raw) {
  auto integer = [](ByteView v) {
    size_t i = 0;
    while (i + 1 < v.size() && v[i] == 0) ++i;
    Bytes out;
    if (v[i] & 0x80) out.push_back(0);
    out.insert(out.end(), v.begin() + i, v.end());
    Bytes tlv = {0x02, static_cast<uint8_t>(out.size())};
    tlv.insert(tlv.end(), out.begin(), out.end());
    return tlv;
  };
  const size_t half = raw.size() / 2;
  Bytes r = integer(raw.first(half)), s = integer(raw.subspan(half));
  Bytes der = {0x30, static_cast<uint8_t>(r.size() + s.size())};
  der.insert(der.end(), r.begin(), r.end());
  der.insert(der.end(), s.begin(), s.end());
  return der;
}

TEST(CoseSign1, DerEncodedSignatureIsRejected) {
  // Same r and s as the published, verifying signature of SUIT Example 0,
  // but in DER: COSE requires raw r||s (RFC 9053 §2.1), so it must fail.
  SuitAuth auth = ParseEnvelope(H(test::ReadSpecText("suit/vectors/suit-example0-signed.hex")));
  ASSERT_EQ(auth.sign1s.size(), 1u);
  auto pub = crypto::PublicKey::FromPem(test::ReadSpecText("suit/vectors/suit-spec-example-p256-pub.pem"));
  ASSERT_TRUE(pub.ok());
  auto m = DecodeSign1(auth.sign1s[0]);
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(VerifySign1(*m, *pub, {}, ByteView(auth.digest)).ok());

  Bytes der = RawToDer(m->signature);
  ASSERT_EQ(der[0], 0x30);
  Bytes msg = Sign1Raw(kTagSign1, {EncodeBytesItem(m->headers.protected_bytes), H("a0"), H("f6"),
                                   EncodeBytesItem(der)});
  auto dm = DecodeSign1(msg);
  ASSERT_TRUE(dm.ok()) << dm.status().ToString();
  ExpectStatus(VerifySign1(*dm, *pub, {}, ByteView(auth.digest)), StatusCode::kVerificationFailed,
               "COSE_Sign1");
}

// ---- create / verify round trips ---------------------------------------

struct AlgCase {
  crypto::KeyType type;
  int64_t alg;  // 0 = default
  int64_t expected_alg;
};

class CoseSign1RoundTrip : public ::testing::TestWithParam<AlgCase> {};

TEST_P(CoseSign1RoundTrip, TaggedUntaggedAttachedDetachedWithAad) {
  const AlgCase& c = GetParam();
  crypto::PrivateKey key = Generate(c.type);
  crypto::PublicKey pub = key.Public();
  const Bytes payload = {'h', 'e', 'l', 'l', 'o'};
  const Bytes aad = {0xaa, 0xbb};
  const Bytes wrong_aad = {0xaa, 0xbc};

  for (bool tagged : {true, false}) {
    for (bool detached : {false, true}) {
      SCOPED_TRACE(std::string(tagged ? "tagged" : "untagged") + (detached ? " detached" : " attached"));
      SignOptions o;
      o.tagged = tagged;
      o.detached = detached;
      o.external_aad = aad;
      o.alg = c.alg;
      o.kid = {1, 2, 3};
      auto bytes = CreateSign1(key, payload, o);
      ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
      EXPECT_EQ((*bytes)[0] == 0xd2, tagged);

      auto m = DecodeSign1(*bytes);
      ASSERT_TRUE(m.ok()) << m.status().ToString();
      EXPECT_EQ(m->tagged, tagged);
      EXPECT_EQ(m->headers.protected_params.alg, c.expected_alg);
      EXPECT_EQ(m->headers.protected_bytes.size(), c.expected_alg < -24 ? 4u : 3u);
      ASSERT_TRUE(m->headers.unprotected_params.kid.has_value());
      EXPECT_EQ(ToBytes(*m->headers.unprotected_params.kid), (Bytes{1, 2, 3}));
      EXPECT_EQ(m->payload.has_value(), !detached);
      std::optional<ByteView> detached_payload;
      if (detached) detached_payload = ByteView(payload);

      EXPECT_TRUE(VerifySign1(*m, pub, aad, detached_payload).ok());
      ExpectStatus(VerifySign1(*m, pub, wrong_aad, detached_payload),
                   StatusCode::kVerificationFailed, "COSE_Sign1");
      ExpectStatus(VerifySign1(*m, pub, {}, detached_payload), StatusCode::kVerificationFailed, "");
      // A different key of the same type fails.
      crypto::PublicKey other = Generate(c.type).Public();
      EXPECT_EQ(VerifySign1(*m, other, aad, detached_payload).code(), StatusCode::kVerificationFailed);

      // The signature is over the RFC 9052 §4.4 Sig_structure, built here by hand.
      Bytes tbs = SigStructure1(m->headers.protected_bytes, aad, payload);
      EXPECT_TRUE(pub.Verify(tbs, m->signature).ok());

      if (detached) {
        // Exactly one of message payload / detached payload.
        ExpectStatus(VerifySign1(*m, pub, aad, std::nullopt), StatusCode::kInvalidArgument,
                     "no detached payload");
      } else {
        ExpectStatus(VerifySign1(*m, pub, aad, ByteView(payload)), StatusCode::kInvalidArgument,
                     "also given");
        // Tampered payload fails.
        Bytes tampered = *bytes;
        auto pos = std::search(tampered.begin(), tampered.end(), payload.begin(), payload.end());
        ASSERT_NE(pos, tampered.end());
        *pos ^= 1;
        auto tm = DecodeSign1(tampered);
        ASSERT_TRUE(tm.ok());
        EXPECT_EQ(VerifySign1(*tm, pub, aad).code(), StatusCode::kVerificationFailed);
      }

      // Tag policy.
      EXPECT_EQ(DecodeSign1(*bytes, TagPolicy::kRequireTagged).ok(), tagged);
      EXPECT_EQ(DecodeSign1(*bytes, TagPolicy::kRequireUntagged).ok(), !tagged);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cose, CoseSign1RoundTrip,
    ::testing::Values(AlgCase{crypto::KeyType::kP256, 0, kAlgESP256},
                      AlgCase{crypto::KeyType::kP256, kAlgESP256, kAlgESP256},
                      AlgCase{crypto::KeyType::kP256, kAlgES256, kAlgES256},
                      AlgCase{crypto::KeyType::kP384, 0, kAlgESP384},
                      AlgCase{crypto::KeyType::kP384, kAlgES384, kAlgES384},
                      AlgCase{crypto::KeyType::kEd25519, 0, kAlgEd25519},
                      AlgCase{crypto::KeyType::kEd25519, kAlgEdDSA, kAlgEdDSA}));

TEST(CoseSign1, DeterministicEd25519Output) {
  // RFC 8032 §7.1 TEST 1 key: Ed25519 is deterministic, and so is our CBOR.
  auto key = crypto::PrivateKey::FromRaw(
      crypto::KeyType::kEd25519, H("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  const Bytes payload = {'T', 'E', 'E', 'P'};
  SignOptions o;
  o.kid = {0x11};
  auto a = CreateSign1(*key, payload, o);
  auto b = CreateSign1(*key, payload, o);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  // 18([h'a10132' / {1: -19} /, {4: h'11'}, h'54454550', h'<64 bytes>'])
  EXPECT_EQ(HexEncode(ByteView(*a).first(17)), "d28443a10132a104411144544545505840");
  EXPECT_EQ(a->size(), 17u + 64u);
  // Without kid the unprotected bucket is {}.
  auto c = CreateSign1(*key, payload, {});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(HexEncode(ByteView(*c).first(14)), "d28443a10132a044544545505840");
}

TEST(CoseSign1, ProtectedBytesUsedAsReceived) {
  // A peer's protected bucket in non-deterministic form: {4: h'01', 1: -7}
  // (unsorted) with an overlong alg head. The signature covers these exact
  // bytes; re-encoding them would break verification.
  crypto::PrivateKey key = Generate(crypto::KeyType::kP256);
  const Bytes prot = H("a2044101 01 3806");
  const Bytes payload = {1, 2, 3};
  auto sig = key.Sign(SigStructure1(prot, {}, payload));
  ASSERT_TRUE(sig.ok());
  Bytes msg = Sign1Raw(kTagSign1, {EncodeBytesItem(prot), H("a0"), EncodeBytesItem(payload), EncodeBytesItem(*sig)});
  auto m = DecodeSign1(msg);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->headers.alg(), kAlgES256);
  EXPECT_TRUE(VerifySign1(*m, key.Public()).ok());
}

TEST(CoseSign1, AcceptsNonDeterministicOuterEncoding) {
  // Overlong heads outside the protected bucket are fine (relaxed decoding).
  crypto::PrivateKey key = Generate(crypto::KeyType::kEd25519);
  const Bytes payload = {9};
  auto bytes = CreateSign1(key, payload, {});
  ASSERT_TRUE(bytes.ok());
  auto m = DecodeSign1(*bytes);
  ASSERT_TRUE(m.ok());
  // Signature with a two-byte length head (59 0040) instead of 58 40.
  Bytes sig_item = {0x59, 0x00, 0x40};
  sig_item.insert(sig_item.end(), m->signature.begin(), m->signature.end());
  // (cbor::Writer refuses non-preferred items, so the array is put together
  // by hand.)
  Bytes msg = {0x84};
  for (const Bytes& item : {EncodeBytesItem(m->headers.protected_bytes), H("a0"), EncodeBytesItem(payload), sig_item}) {
    msg.insert(msg.end(), item.begin(), item.end());
  }
  auto m2 = DecodeSign1(msg);
  ASSERT_TRUE(m2.ok()) << m2.status().ToString();
  EXPECT_TRUE(VerifySign1(*m2, key.Public()).ok());
}

TEST(CoseSign1, AlgOnlyInUnprotectedBucketRejected) {
  // A valid signature over a Sig_structure with an empty protected bucket,
  // alg only in the unprotected bucket: refused by policy (sign.h).
  crypto::PrivateKey key = Generate(crypto::KeyType::kP256);
  const Bytes payload = {1};
  auto sig = key.Sign(SigStructure1({}, {}, payload));
  ASSERT_TRUE(sig.ok());
  Bytes msg = Sign1Raw(kTagSign1, {EncodeBytesItem({}), H("a10128"), EncodeBytesItem(payload), EncodeBytesItem(*sig)});
  auto m = DecodeSign1(msg);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  Status st = VerifySign1(*m, key.Public());
  ExpectStatus(st, StatusCode::kUnsupported, "alg (1) must be in the protected bucket");
  std::vector<crypto::PublicKey> keys = {key.Public()};
  auto by = VerifyWithAnyKey(*m, keys);
  ASSERT_FALSE(by.ok());
  ExpectStatus(by.status(), StatusCode::kUnsupported, "protected bucket");
}

TEST(CoseSign1, AbsentAlgRejected) {
  crypto::PrivateKey key = Generate(crypto::KeyType::kP256);
  const Bytes payload = {1};
  auto sig = key.Sign(SigStructure1({}, {}, payload));
  ASSERT_TRUE(sig.ok());
  Bytes msg = Sign1Raw(kTagSign1, {EncodeBytesItem({}), H("a0"), EncodeBytesItem(payload), EncodeBytesItem(*sig)});
  auto m = DecodeSign1(msg);
  ASSERT_TRUE(m.ok());
  ExpectStatus(VerifySign1(*m, key.Public()), StatusCode::kMalformed,
               "COSE_Sign1: alg (1) is missing from the protected bucket");
}

TEST(CoseSign1, UnknownAlgIsUnsupportedAndNamed) {
  crypto::PrivateKey key = Generate(crypto::KeyType::kP256);
  // protected {1: -260}
  const Bytes prot = H("a101390103");
  auto sig = key.Sign(SigStructure1(prot, {}, {}));
  ASSERT_TRUE(sig.ok());
  Bytes msg = Sign1Raw(kTagSign1, {EncodeBytesItem(prot), H("a0"), EncodeBytesItem({}), EncodeBytesItem(*sig)});
  auto m = DecodeSign1(msg);
  ASSERT_TRUE(m.ok());
  ExpectStatus(VerifySign1(*m, key.Public()), StatusCode::kUnsupported, "alg -260");
  // A known, non-signature alg (HMAC 256/256) is refused too.
  Bytes msg5 = Sign1Raw(kTagSign1, {EncodeBytesItem(H("a10105")), H("a0"), EncodeBytesItem({}), EncodeBytesItem(*sig)});
  auto m5 = DecodeSign1(msg5);
  ASSERT_TRUE(m5.ok());
  ExpectStatus(VerifySign1(*m5, key.Public()), StatusCode::kUnsupported, "alg 5 (HMAC 256/256)");
  // Creating with an unknown alg fails as well.
  SignOptions o;
  o.alg = -260;
  ExpectStatus(CreateSign1(key, {}, o).status(), StatusCode::kUnsupported, "alg -260");
}

TEST(CoseSign1, AlgKeyMismatchRejected) {
  crypto::PrivateKey p256 = Generate(crypto::KeyType::kP256);
  crypto::PrivateKey p384 = Generate(crypto::KeyType::kP384);
  crypto::PrivateKey ed = Generate(crypto::KeyType::kEd25519);
  auto bytes = CreateSign1(p256, {}, {});
  ASSERT_TRUE(bytes.ok());
  auto m = DecodeSign1(*bytes);
  ASSERT_TRUE(m.ok());
  ExpectStatus(VerifySign1(*m, ed.Public()), StatusCode::kInvalidArgument,
               "COSE_Sign1: alg ESP256 needs a P-256 key, got Ed25519");
  ExpectStatus(VerifySign1(*m, p384.Public()), StatusCode::kInvalidArgument,
               "alg ESP256 needs a P-256 key, got P-384");
  // ES256 is accepted with P-256 only, so a P-384 signer may not use it.
  SignOptions o;
  o.alg = kAlgES256;
  ExpectStatus(CreateSign1(p384, {}, o).status(), StatusCode::kInvalidArgument,
               "alg ES256 needs a P-256 key, got P-384");
  o.alg = kAlgEdDSA;
  ExpectStatus(CreateSign1(p256, {}, o).status(), StatusCode::kInvalidArgument,
               "alg EdDSA needs a Ed25519 key, got P-256");
  // X25519 cannot sign at all.
  crypto::PrivateKey x = Generate(crypto::KeyType::kX25519);
  ExpectStatus(CreateSign1(x, {}, {}).status(), StatusCode::kInvalidArgument, "cannot sign");
}

TEST(CoseSign1, StructureErrorsNameTheReason) {
  crypto::PrivateKey key = Generate(crypto::KeyType::kEd25519);
  const Bytes prot = H("a10132");
  const Bytes sig(64, 0x11);
  auto expect = [](const Bytes& msg, std::string_view part) {
    auto m = DecodeSign1(msg);
    ASSERT_FALSE(m.ok()) << HexEncode(msg) << " was accepted";
    EXPECT_EQ(m.status().code(), StatusCode::kMalformed) << m.status().ToString();
    EXPECT_THAT(m.status().message(), HasSubstr("COSE_Sign1"));
    EXPECT_THAT(m.status().message(), HasSubstr(part)) << m.status().ToString();
  };
  const Bytes good = Sign1Raw(kTagSign1, {EncodeBytesItem(prot), H("a0"), EncodeBytesItem({}), EncodeBytesItem(sig)});
  ASSERT_TRUE(DecodeSign1(good).ok());

  // Wrong tag: COSE_Sign (98) where a COSE_Sign1 is expected, and vice versa.
  expect(Sign1Raw(kTagSign, {EncodeBytesItem(prot), H("a0"), EncodeBytesItem({}), EncodeBytesItem(sig)}),
         "expected tag 18 or no tag, got tag 98");
  auto strict = DecodeSign1(Sign1Raw(kTagSign, {EncodeBytesItem(prot), H("a0"), EncodeBytesItem({}), EncodeBytesItem(sig)}),
                            TagPolicy::kRequireTagged);
  ASSERT_FALSE(strict.ok());
  EXPECT_THAT(strict.status().message(), HasSubstr("COSE_Sign1: expected tag 18, got tag 98"));
  auto as_sign = DecodeSign(good);
  ASSERT_FALSE(as_sign.ok());
  EXPECT_THAT(as_sign.status().message(), HasSubstr("COSE_Sign: expected tag 98 or no tag, got tag 18"));
  // Tag policy messages.
  auto untagged = DecodeSign1(Sign1Raw(std::nullopt, {EncodeBytesItem(prot), H("a0"), EncodeBytesItem({}), EncodeBytesItem(sig)}),
                              TagPolicy::kRequireTagged);
  ASSERT_FALSE(untagged.ok());
  EXPECT_THAT(untagged.status().message(), HasSubstr("tag 18 required"));
  auto tagged = DecodeSign1(good, TagPolicy::kRequireUntagged);
  ASSERT_FALSE(tagged.ok());
  EXPECT_THAT(tagged.status().message(), HasSubstr("untagged message is required"));

  // Array length.
  expect(Sign1Raw(kTagSign1, {EncodeBytesItem(prot), H("a0"), EncodeBytesItem({})}), "array of 4 items, got 3");
  expect(Sign1Raw(kTagSign1, {EncodeBytesItem(prot), H("a0"), EncodeBytesItem({}), EncodeBytesItem(sig), H("00")}),
         "array of 4 items, got 5");
  expect(H("d2a0"), "must be an array, got map");
  // Trailing bytes.
  Bytes trailing = good;
  trailing.push_back(0x00);
  expect(trailing, "trailing");
  // Field types.
  expect(Sign1Raw(kTagSign1, {EncodeBytesItem(prot), H("a0"), H("6161"), EncodeBytesItem(sig)}),
         "payload must be a byte string or nil, got text");
  expect(Sign1Raw(kTagSign1, {EncodeBytesItem(prot), H("a0"), EncodeBytesItem({}), H("f6")}),
         "signature must be a byte string, got nil");
  expect(Sign1Raw(kTagSign1, {EncodeBytesItem(prot), H("a0"), EncodeBytesItem({}), H("6161")}),
         "signature must be a byte string, got text");
  expect(Sign1Raw(kTagSign1, {prot, H("a0"), EncodeBytesItem({}), EncodeBytesItem(sig)}),
         "protected must be a byte string, got map");
  expect(Sign1Raw(kTagSign1, {EncodeBytesItem(prot), H("80"), EncodeBytesItem({}), EncodeBytesItem(sig)}),
         "unprotected must be a map, got array");
  // Header rules apply (label in both buckets).
  expect(Sign1Raw(kTagSign1, {EncodeBytesItem(prot), H("a10132"), EncodeBytesItem({}), EncodeBytesItem(sig)}),
         "both protected and unprotected");
  // Not CBOR at all / truncated.
  expect(H("d28443a10132a0"), "truncated");
}

// ---- COSE_Sign -----------------------------------------------------------

Bytes SigStructureMulti(ByteView body_prot, ByteView sign_prot, ByteView aad, ByteView payload) {
  cbor::Writer w;
  w.BeginArray(5);
  w.WriteText("Signature");
  w.WriteBytes(body_prot);
  w.WriteBytes(sign_prot);
  w.WriteBytes(aad);
  w.WriteBytes(payload);
  return std::move(w).Finish().value();
}

TEST(CoseSign, TwoSignersEachVerify) {
  crypto::PrivateKey p256 = Generate(crypto::KeyType::kP256);
  crypto::PrivateKey ed = Generate(crypto::KeyType::kEd25519);
  const Bytes payload = {'m', 'u', 'l', 't', 'i'};
  const Bytes aad = {7};
  std::vector<SignerSpec> signers = {{&p256, 0, {0xa1}}, {&ed, 0, {}}};
  MultiSignOptions o;
  o.external_aad = aad;
  auto bytes = CreateSign(signers, payload, o);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  EXPECT_EQ((*bytes)[0], 0xd8);  // tag 98 needs a one-byte argument
  EXPECT_EQ((*bytes)[1], 98);

  auto m = DecodeSign(*bytes);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_TRUE(m->tagged);
  EXPECT_TRUE(m->headers.protected_bytes.empty());  // body protected is h''
  ASSERT_EQ(m->signatures.size(), 2u);
  EXPECT_EQ(m->signatures[0].headers.protected_params.alg, kAlgESP256);
  EXPECT_EQ(m->signatures[1].headers.protected_params.alg, kAlgEd25519);
  ASSERT_TRUE(m->signatures[0].headers.kid().has_value());
  EXPECT_FALSE(m->signatures[1].headers.kid().has_value());

  EXPECT_TRUE(VerifySignature(*m, 0, p256.Public(), aad).ok());
  EXPECT_TRUE(VerifySignature(*m, 1, ed.Public(), aad).ok());
  EXPECT_EQ(VerifySignature(*m, 0, ed.Public(), aad).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifySignature(*m, 1, ed.Public(), {}).code(), StatusCode::kVerificationFailed);
  ExpectStatus(VerifySignature(*m, 2, ed.Public(), aad), StatusCode::kInvalidArgument, "no signature 2");

  // RFC 9052 §4.4 "Signature" structure, built by hand.
  Bytes tbs = SigStructureMulti(m->headers.protected_bytes, m->signatures[1].headers.protected_bytes,
                                aad, payload);
  EXPECT_TRUE(ed.Public().Verify(tbs, m->signatures[1].signature).ok());

  // Trust anchors report which signature and which key.
  std::vector<crypto::PublicKey> both = {ed.Public(), p256.Public()};
  auto by = VerifyWithAnyKey(*m, both, aad);
  ASSERT_TRUE(by.ok()) << by.status().ToString();
  EXPECT_EQ(by->signature_index, 0u);
  EXPECT_EQ(by->key_index, 1u);
  std::vector<crypto::PublicKey> only_ed = {Generate(crypto::KeyType::kP256).Public(), ed.Public()};
  by = VerifyWithAnyKey(*m, only_ed, aad);
  ASSERT_TRUE(by.ok()) << by.status().ToString();
  EXPECT_EQ(by->signature_index, 1u);
  EXPECT_EQ(by->key_index, 1u);
  std::vector<crypto::PublicKey> strangers = {Generate(crypto::KeyType::kP256).Public(),
                                              Generate(crypto::KeyType::kEd25519).Public()};
  auto none = VerifyWithAnyKey(*m, strangers, aad);
  ASSERT_FALSE(none.ok());
  ExpectStatus(none.status(), StatusCode::kVerificationFailed,
               "no key verified the signature (2 keys tried)");
}

TEST(CoseSign, TamperedSecondSignature) {
  crypto::PrivateKey p256 = Generate(crypto::KeyType::kP256);
  crypto::PrivateKey ed = Generate(crypto::KeyType::kEd25519);
  const Bytes payload = {1, 2, 3, 4};
  std::vector<SignerSpec> signers = {{&p256, 0, {}}, {&ed, 0, {}}};
  auto bytes = CreateSign(signers, payload);
  ASSERT_TRUE(bytes.ok());
  Bytes tampered = *bytes;
  tampered[tampered.size() - 1] ^= 0x01;  // last byte of signature 1
  auto m = DecodeSign(tampered);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_TRUE(VerifySignature(*m, 0, p256.Public()).ok());
  ExpectStatus(VerifySignature(*m, 1, ed.Public()), StatusCode::kVerificationFailed,
               "COSE_Sign.signatures[1]");
  std::vector<crypto::PublicKey> keys = {ed.Public(), p256.Public()};
  auto by = VerifyWithAnyKey(*m, keys);
  ASSERT_TRUE(by.ok());
  EXPECT_EQ(by->signature_index, 0u);
  EXPECT_EQ(by->key_index, 1u);
  std::vector<crypto::PublicKey> ed_only = {ed.Public()};
  auto none = VerifyWithAnyKey(*m, ed_only);
  ASSERT_FALSE(none.ok());
  ExpectStatus(none.status(), StatusCode::kVerificationFailed,
               "no key verified the signature (1 keys tried)");
}

TEST(CoseSign, DetachedUntaggedAndExplicitAlgs) {
  crypto::PrivateKey p384 = Generate(crypto::KeyType::kP384);
  crypto::PrivateKey p256 = Generate(crypto::KeyType::kP256);
  const Bytes payload = {5};
  std::vector<SignerSpec> signers = {{&p384, kAlgES384, {}}, {&p256, kAlgES256, {}}};
  MultiSignOptions o;
  o.tagged = false;
  o.detached = true;
  auto bytes = CreateSign(signers, payload, o);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  EXPECT_EQ((*bytes)[0], 0x84);
  auto m = DecodeSign(*bytes, TagPolicy::kRequireUntagged);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_FALSE(m->payload.has_value());
  EXPECT_EQ(m->signatures[0].headers.protected_params.alg, kAlgES384);
  EXPECT_EQ(m->signatures[1].headers.protected_params.alg, kAlgES256);
  EXPECT_TRUE(VerifySignature(*m, 0, p384.Public(), {}, ByteView(payload)).ok());
  EXPECT_TRUE(VerifySignature(*m, 1, p256.Public(), {}, ByteView(payload)).ok());
  ExpectStatus(VerifySignature(*m, 1, p256.Public()), StatusCode::kInvalidArgument, "detached");
  EXPECT_FALSE(DecodeSign(*bytes, TagPolicy::kRequireTagged).ok());
  // Empty signer list and a missing key are refused.
  EXPECT_EQ(CreateSign({}, payload).status().code(), StatusCode::kInvalidArgument);
  std::vector<SignerSpec> no_key = {{nullptr, 0, {}}};
  EXPECT_EQ(CreateSign(no_key, payload).status().code(), StatusCode::kInvalidArgument);
}

TEST(CoseSign, StructureErrors) {
  auto expect = [](std::string_view hex, std::string_view part) {
    auto m = DecodeSign(H(hex));
    ASSERT_FALSE(m.ok()) << hex << " was accepted";
    EXPECT_EQ(m.status().code(), StatusCode::kMalformed);
    EXPECT_THAT(m.status().message(), HasSubstr(part)) << m.status().ToString();
  };
  // [h'', {}, h'', []]: at least one signature.
  expect("d862 84 40 a0 40 80", "signatures must not be empty");
  // signatures not an array.
  expect("d862 84 40 a0 40 a0", "COSE_Sign: signatures must be an array, got map");
  // A COSE_Signature with 2 items.
  expect("d862 84 40 a0 40 81 82 43a10126 a0", "COSE_Sign.signatures[0]: COSE_Signature must be an array of 3 items, got 2");
  // A signature that is not a byte string.
  expect("d862 84 40 a0 40 81 83 43a10126 a0 01",
         "COSE_Sign.signatures[0]: signature must be a byte string, got unsigned integer");
  // Header rules inside a COSE_Signature.
  expect("d862 84 40 a0 40 81 83 43a10126 a10126 40", "COSE_Sign.signatures[0]");
}

// ---- kid hints ------------------------------------------------------------

TEST(CoseSign1, KidIsAHintNotTrusted) {
  crypto::PrivateKey a = Generate(crypto::KeyType::kP256);
  crypto::PrivateKey b = Generate(crypto::KeyType::kP256);
  auto tp_a = Thumbprint(a.Public());
  auto tp_b = Thumbprint(b.Public());
  ASSERT_TRUE(tp_a.ok() && tp_b.ok());
  std::vector<crypto::PublicKey> keys = {a.Public(), b.Public()};

  // kid names b (its RFC 9679 thumbprint): b verifies.
  SignOptions o;
  o.kid = Bytes(tp_b->begin(), tp_b->end());
  auto right = CreateSign1(b, {}, o);
  ASSERT_TRUE(right.ok());
  auto m1 = DecodeSign1(*right);
  ASSERT_TRUE(m1.ok());
  auto by = VerifyWithAnyKey(*m1, keys);
  ASSERT_TRUE(by.ok()) << by.status().ToString();
  EXPECT_EQ(by->key_index, 1u);

  // kid names a, but b signed: the kid is unauthenticated, fall back to b.
  o.kid = Bytes(tp_a->begin(), tp_a->end());
  auto wrong = CreateSign1(b, {}, o);
  ASSERT_TRUE(wrong.ok());
  auto m2 = DecodeSign1(*wrong);
  ASSERT_TRUE(m2.ok());
  by = VerifyWithAnyKey(*m2, keys);
  ASSERT_TRUE(by.ok()) << by.status().ToString();
  EXPECT_EQ(by->key_index, 1u);

  // No keys at all.
  auto none = VerifyWithAnyKey(*m2, std::span<const crypto::PublicKey>());
  ASSERT_FALSE(none.ok());
  ExpectStatus(none.status(), StatusCode::kVerificationFailed, "(0 keys tried)");
}

}  // namespace
}  // namespace teep::cose
