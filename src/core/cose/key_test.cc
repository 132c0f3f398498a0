#include "core/cose/key.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_util.h"
#include "vector_files.h"

#include <string>

#include "core/cose/algorithms.h"

namespace teep::cose {
namespace {

using ::testing::HasSubstr;

using test::H;


// RFC 9679 §6 example: the EC2 P-256 key of RFC 9052 Appendix C.7.1
// ("meriadoc.brandybuck@buckland.example").
constexpr std::string_view kRfcX = "65eda5a12577c2bae829437fe338701a10aaa375e1bb5b5de108de439c08551d";
constexpr std::string_view kRfcY = "1e52ed75701163f7f9e40ddf9f341b3dc9ba860af7e0ca7ca7e9eecd0084d19c";
constexpr std::string_view kRfcKid =
    "6d65726961646f632e6272616e64796275636b406275636b6c616e642e6578616d706c65";
constexpr std::string_view kRfcThumbprint =
    "496bd8afadf307e5b08c64b0421bf9dc01528a344a43bda88fadd1669da253ec";

// The example key as printed in RFC 9679 §6 (kty, crv, y, x, kid: not in
// deterministic order, so this also exercises relaxed decoding).
Bytes RfcExampleKey() {
  return H(std::string("a5 0102 2001 225820") + std::string(kRfcY) + "215820" + std::string(kRfcX) +
           "025824" + std::string(kRfcKid));
}

void ExpectDecodeError(std::string_view hex, StatusCode code, std::string_view part) {
  auto k = DecodeKey(H(hex));
  ASSERT_FALSE(k.ok()) << hex << " was accepted";
  EXPECT_EQ(k.status().code(), code) << k.status().ToString();
  EXPECT_THAT(k.status().message(), HasSubstr(part));
  EXPECT_THAT(k.status().message(), HasSubstr("COSE_Key"));
}

TEST(CoseKey, Rfc9679ExampleThumbprint) {
  auto key = DecodeKey(RfcExampleKey());
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->kty, kKtyEc2);
  EXPECT_EQ(key->crv, kCrvP256);
  EXPECT_EQ(key->kid, H(kRfcKid));
  auto tp = Thumbprint(*key);
  ASSERT_TRUE(tp.ok()) << tp.status().ToString();
  EXPECT_EQ(HexEncode(*tp), kRfcThumbprint);
}

TEST(CoseKey, ThumbprintCoversRequiredMembersOnly) {
  // RFC 9679 §3: kid, alg and the private part do not change the thumbprint.
  auto key = DecodeKey(RfcExampleKey());
  ASSERT_TRUE(key.ok());
  CoseKey bare = key->PublicOnly();
  bare.kid.clear();
  bare.alg = kAlgES256;
  auto tp = Thumbprint(bare);
  ASSERT_TRUE(tp.ok());
  EXPECT_EQ(HexEncode(*tp), kRfcThumbprint);
  // ... but the key itself does.
  bare.x[0] ^= 1;
  auto other = Thumbprint(bare);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(HexEncode(*other), kRfcThumbprint);
}

TEST(CoseKey, ThumbprintOfCryptoKeyMatches) {
  auto key = DecodeKey(RfcExampleKey());
  ASSERT_TRUE(key.ok());
  auto pub = key->ToPublicKey();  // also checks the point is on the curve
  ASSERT_TRUE(pub.ok()) << pub.status().ToString();
  auto tp = Thumbprint(*pub);
  ASSERT_TRUE(tp.ok()) << tp.status().ToString();
  EXPECT_EQ(HexEncode(*tp), kRfcThumbprint);
}

TEST(CoseKey, EncodeIsDeterministic) {
  auto key = DecodeKey(RfcExampleKey());
  ASSERT_TRUE(key.ok());
  auto enc = EncodeKey(*key, /*include_private=*/false);
  ASSERT_TRUE(enc.ok()) << enc.status().ToString();
  // Order 1, 2, -1, -2, -3 (RFC 8949 §4.2.1 bytewise order of the labels).
  EXPECT_EQ(HexEncode(*enc), std::string("a5010202582") + "4" + std::string(kRfcKid) + "2001215820" +
                                 std::string(kRfcX) + "225820" + std::string(kRfcY));
}

TEST(CoseKey, PublishedKekKeyDecodesAndIsConsistent) {
  // draft-ietf-teep-protocol-26 App. E Example 3: EC2 P-256 key with d. The
  // published x, y must be the public key of the published d.
  const std::string hex = test::ReadSpecText("teep/vectors/keys/appE3-kek-p256.cose_key.hex");
  Bytes bytes = H(hex);
  auto key = DecodeKey(bytes);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_TRUE(key->has_private());
  EXPECT_EQ(key->d.size(), 32u);
  auto priv = key->ToPrivateKey();
  ASSERT_TRUE(priv.ok()) << priv.status().ToString();
  EXPECT_EQ(priv->type(), crypto::KeyType::kP256);
  // Re-encoding with the private part reproduces the published bytes.
  auto enc = EncodeKey(*key, /*include_private=*/true);
  ASSERT_TRUE(enc.ok());
  EXPECT_EQ(*enc, bytes);
  // Without it, d (-4) is gone.
  auto pub = EncodeKey(*key, /*include_private=*/false);
  ASSERT_TRUE(pub.ok());
  EXPECT_EQ(pub->size(), bytes.size() - 35);
  auto back = DecodeKey(*pub);
  ASSERT_TRUE(back.ok());
  EXPECT_FALSE(back->has_private());
}

TEST(CoseKey, Ed25519Rfc8032PublicMatchesSeed) {
  // RFC 8032 §7.1 TEST 1: secret key and public key.
  const Bytes seed = H("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  const Bytes pub = H("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  CoseKey key;
  key.kty = kKtyOkp;
  key.crv = kCrvEd25519;
  key.x = pub;
  key.d = crypto::SecretBytes(seed);
  auto priv = key.ToPrivateKey();
  ASSERT_TRUE(priv.ok()) << priv.status().ToString();
  // A wrong public part is refused: the key would advertise another identity.
  key.x[31] ^= 1;
  auto bad = key.ToPrivateKey();
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("do not match"));
}

TEST(CoseKey, RoundTripsGeneratedKeysOfEveryType) {
  for (crypto::KeyType type : {crypto::KeyType::kP256, crypto::KeyType::kP384,
                               crypto::KeyType::kEd25519, crypto::KeyType::kX25519}) {
    SCOPED_TRACE(std::string(crypto::KeyTypeName(type)));
    auto priv = crypto::PrivateKey::Generate(type);
    ASSERT_TRUE(priv.ok()) << priv.status().ToString();
    auto ck = CoseKey::FromPrivateKey(*priv);
    ASSERT_TRUE(ck.ok()) << ck.status().ToString();
    auto ct = ck->CryptoType();
    ASSERT_TRUE(ct.ok());
    EXPECT_EQ(*ct, type);
    EXPECT_EQ(ck->x.size(), crypto::KeyCoordinateSize(type));
    EXPECT_EQ(ck->d.size(), crypto::KeyCoordinateSize(type));
    auto enc = EncodeKey(*ck, true);
    ASSERT_TRUE(enc.ok()) << enc.status().ToString();
    auto dec = DecodeKey(*enc);
    ASSERT_TRUE(dec.ok()) << dec.status().ToString();
    auto priv2 = dec->ToPrivateKey();
    ASSERT_TRUE(priv2.ok()) << priv2.status().ToString();
    EXPECT_EQ(priv2->Public().x(), priv->Public().x());
    EXPECT_EQ(priv2->Public().y(), priv->Public().y());
    // Public-only form and thumbprints agree.
    CoseKey pub = ck->PublicOnly();
    EXPECT_FALSE(pub.has_private());
    auto t1 = Thumbprint(pub);
    auto t2 = Thumbprint(priv->Public());
    ASSERT_TRUE(t1.ok() && t2.ok());
    EXPECT_EQ(*t1, *t2);
    auto no_d = pub.ToPrivateKey();
    EXPECT_FALSE(no_d.ok());
    CoseKey copy = ck->Clone();
    EXPECT_EQ(HexEncode(copy.d.view()), HexEncode(ck->d.view()));
  }
}

TEST(CoseKey, SymmetricKeyEncodingAndThumbprint) {
  const Bytes k = H("849b57219dae48de646d07dbb533566e976686457c1491be3a76dcea6c427188");
  CoseKey key = CoseKey::Symmetric(k);
  EXPECT_TRUE(key.has_private());
  auto enc = EncodeKey(key, true);
  ASSERT_TRUE(enc.ok()) << enc.status().ToString();
  EXPECT_EQ(HexEncode(*enc), "a20104205820" + HexEncode(k));
  EXPECT_FALSE(EncodeKey(key, false).ok());
  auto dec = DecodeKey(*enc);
  ASSERT_TRUE(dec.ok()) << dec.status().ToString();
  EXPECT_EQ(HexEncode(dec->k.view()), HexEncode(k));
  // RFC 9679 §3 symmetric: SHA-256 of {1: 4, -1: k}.
  auto tp = Thumbprint(key);
  ASSERT_TRUE(tp.ok());
  auto expected = crypto::Sha256(H("a20104205820" + HexEncode(k)));
  EXPECT_EQ(*tp, expected);
  EXPECT_FALSE(key.CryptoType().ok());
}

TEST(CoseKey, RejectsCompressedPoint) {
  // RFC 9053 §7.1.1 allows y as a bool (point compression); not supported.
  ExpectDecodeError(std::string("a4 0102 2001 215820") + std::string(kRfcX) + "22f5",
                    StatusCode::kUnsupported, "compressed");
}

TEST(CoseKey, ChecksLengthsAgainstCurve) {
  // x of 31 bytes on P-256.
  ExpectDecodeError("a4 0102 2001 21581f" + std::string(kRfcX).substr(2) + "225820" +
                        std::string(kRfcY),
                    StatusCode::kMalformed, "x (-2) must be 32 bytes");
  // y of 48 bytes on P-256.
  ExpectDecodeError("a4 0102 2001 215820" + std::string(kRfcX) + "225830" + std::string(kRfcY) +
                        std::string(32, '0'),
                    StatusCode::kMalformed, "y (-3) must be 32 bytes");
  // d of 31 bytes.
  ExpectDecodeError("a5 0102 2001 215820" + std::string(kRfcX) + "225820" + std::string(kRfcY) +
                        "23581f" + std::string(62, '1'),
                    StatusCode::kMalformed, "d (-4) must be 32 bytes");
  // OKP x of 33 bytes.
  ExpectDecodeError("a3 0101 2006 215821" + std::string(66, '2'), StatusCode::kMalformed,
                    "x (-2) must be 32 bytes");
}

TEST(CoseKey, RequiresMembers) {
  ExpectDecodeError("a1 2001", StatusCode::kMalformed, "kty (1) is required");
  ExpectDecodeError("a2 0102 2001", StatusCode::kMalformed, "x (-2) is required");
  ExpectDecodeError("a3 0102 2001 215820" + std::string(kRfcX), StatusCode::kMalformed,
                    "y (-3) is required");
  ExpectDecodeError("a3 0102 215820" + std::string(kRfcX) + "225820" + std::string(kRfcY),
                    StatusCode::kMalformed, "crv (-1) is required");
  ExpectDecodeError("a1 0104", StatusCode::kMalformed, "k (-1) is required");
  ExpectDecodeError("80", StatusCode::kMalformed, "must be a map");
}

TEST(CoseKey, ChecksKtyAndCurve) {
  ExpectDecodeError("a1 0103", StatusCode::kUnsupported, "kty 3");          // RSA
  ExpectDecodeError("a1 0163454332", StatusCode::kUnsupported, "kty (1) as text");
  ExpectDecodeError("a3 0102 2003 215820" + std::string(kRfcX), StatusCode::kUnsupported,
                    "EC2 curve 3");  // P-521
  ExpectDecodeError("a3 0101 2001 215820" + std::string(kRfcX), StatusCode::kMalformed,
                    "is an EC2 curve, but kty is OKP");
  ExpectDecodeError("a4 0102 2006 215820" + std::string(kRfcX) + "225820" + std::string(kRfcY),
                    StatusCode::kMalformed, "is an OKP curve, but kty is EC2");
  ExpectDecodeError("a4 0101 2006 215820" + std::string(kRfcX) + "225820" + std::string(kRfcY),
                    StatusCode::kMalformed, "y (-3) is not allowed for an OKP key");
}

TEST(CoseKey, ChecksCommonParameterTypes) {
  const std::string okp = "0101 2006 215820" + std::string(kRfcX);
  ExpectDecodeError("a4 " + okp + " 02 01", StatusCode::kMalformed, "kid (2) must be a byte string");
  ExpectDecodeError("a4 " + okp + " 03 40", StatusCode::kMalformed, "alg (3) must be an integer");
  ExpectDecodeError("a4 " + okp + " 04 01", StatusCode::kMalformed, "key_ops (4) must be an array");
  ExpectDecodeError("a4 " + okp + " 04 8140", StatusCode::kMalformed, "key_ops (4) entries");
  ExpectDecodeError("a4 " + okp + " 05 01", StatusCode::kMalformed, "Base IV (5) must be a byte string");
  ExpectDecodeError("a3 0101 2006 2101", StatusCode::kMalformed, "x (-2) must be a byte string");
  // Unknown labels (int and text) are ignored; key_ops of ints is fine.
  auto ok = DecodeKey(H("a6 " + okp + " 0482 0102 1863 f6 63666f6f 01"));
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->crv, kCrvEd25519);
}

TEST(CoseKey, RejectsTrailingBytesAndDuplicates) {
  ExpectDecodeError("a1 0104 00", StatusCode::kMalformed, "trailing");
  ExpectDecodeError("a2 0101 0101", StatusCode::kMalformed, "duplicate");
}

}  // namespace
}  // namespace teep::cose
