// Tests for the crypto backend. Every expected value is a published known-answer
// vector (cited next to it), never a value computed with this code; the
// negative tests each check the exact StatusCode a caller relies on.
#include "core/crypto/crypto.h"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "test_util.h"

namespace teep::crypto {
namespace {

// ---- helpers ---------------------------------------------------------------------

using test::H;

std::string Hex(ByteView b) { return HexEncode(b); }

template <typename T>
StatusCode CodeOf(const Result<T>& r) {
  return r.status().code();
}
StatusCode CodeOf(const Status& s) { return s.code(); }

// OpenSSL handles used directly by the tests (to build inputs the API under
// test must refuse: DER signatures, RSA keys, encrypted PEM).
struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};
struct EcdsaSigFree {
  void operator()(ECDSA_SIG* p) const { ECDSA_SIG_free(p); }
};
using TestPkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using TestBio = std::unique_ptr<BIO, BioFree>;

std::string BioString(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(len));
}

std::string PublicPemOf(EVP_PKEY* pkey) {
  TestBio bio(BIO_new(BIO_s_mem()));
  EXPECT_EQ(PEM_write_bio_PUBKEY(bio.get(), pkey), 1);
  return BioString(bio.get());
}

std::string PrivatePemOf(EVP_PKEY* pkey) {
  TestBio bio(BIO_new(BIO_s_mem()));
  EXPECT_EQ(PEM_write_bio_PKCS8PrivateKey(bio.get(), pkey, nullptr, nullptr, 0, nullptr, nullptr),
            1);
  return BioString(bio.get());
}

// Raw r||s -> DER ECDSA-Sig-Value, done with OpenSSL directly.
Bytes RawToDer(ByteView raw) {
  const size_t n = raw.size() / 2;
  std::unique_ptr<ECDSA_SIG, EcdsaSigFree> sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(raw.data(), static_cast<int>(n), nullptr);
  BIGNUM* s = BN_bin2bn(raw.data() + n, static_cast<int>(n), nullptr);
  EXPECT_EQ(ECDSA_SIG_set0(sig.get(), r, s), 1);
  int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  EXPECT_GT(len, 0);
  Bytes der(static_cast<size_t>(len));
  unsigned char* p = der.data();
  EXPECT_EQ(i2d_ECDSA_SIG(sig.get(), &p), len);
  return der;
}

const KeyType kAllTypes[] = {KeyType::kP256, KeyType::kP384, KeyType::kEd25519,
                             KeyType::kX25519};
const KeyType kSigningTypes[] = {KeyType::kP256, KeyType::kP384, KeyType::kEd25519};

// ---- memory hygiene ------------------------------------------------------------------

TEST(WipeTest, ZeroesTheBuffer) {
  uint8_t buf[5] = {1, 2, 3, 4, 5};
  Wipe(buf, sizeof(buf));
  for (uint8_t b : buf) EXPECT_EQ(b, 0);
  Wipe(nullptr, 0);  // allowed
}

TEST(ConstantTimeEqualTest, ComparesContentsAndLength) {
  const Bytes a = H("00112233");
  EXPECT_TRUE(ConstantTimeEqual(a, H("00112233")));
  EXPECT_FALSE(ConstantTimeEqual(a, H("00112234")));  // last byte differs
  EXPECT_FALSE(ConstantTimeEqual(a, H("80112233")));  // first byte differs
  EXPECT_FALSE(ConstantTimeEqual(a, H("001122")));    // prefix, shorter
  EXPECT_FALSE(ConstantTimeEqual(a, H("0011223300")));
  EXPECT_TRUE(ConstantTimeEqual({}, {}));
  EXPECT_FALSE(ConstantTimeEqual({}, a));
}

TEST(SecretBytesTest, ConstructionAndClone) {
  SecretBytes s(H("a1b2c3"));
  EXPECT_EQ(s.size(), 3u);
  EXPECT_EQ(Hex(s.view()), "a1b2c3");
  SecretBytes c = s.Clone();
  EXPECT_EQ(Hex(c.view()), "a1b2c3");
  EXPECT_NE(c.data(), s.data());
  SecretBytes z(4);
  EXPECT_EQ(Hex(z.view()), "00000000");
  EXPECT_TRUE(SecretBytes().empty());
}

TEST(SecretBytesTest, MoveConstructionEmptiesSource) {
  SecretBytes a(H("0102030405"));
  SecretBytes b(std::move(a));
  EXPECT_EQ(a.size(), 0u);  // NOLINT(bugprone-use-after-move): that is the point
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(Hex(b.view()), "0102030405");
}

TEST(SecretBytesTest, MoveAssignmentEmptiesSourceAndReplacesTarget) {
  SecretBytes a(H("0102030405"));
  SecretBytes b(H("ffeeddccbbaa9988"));
  b = std::move(a);
  EXPECT_EQ(a.size(), 0u);  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(Hex(b.view()), "0102030405");
  SecretBytes& self = b;
  b = std::move(self);  // self-move keeps the contents
  EXPECT_EQ(Hex(b.view()), "0102030405");
}

TEST(RandomBytesTest, FillsAndDiffers) {
  std::vector<uint8_t> a(32, 0), b(32, 0);
  ASSERT_OK(RandomBytes(a));
  ASSERT_OK(RandomBytes(b));
  EXPECT_NE(a, std::vector<uint8_t>(32, 0));  // 2^-256 chance of a false failure
  EXPECT_NE(a, b);
  ASSERT_OK(RandomBytes({}));
}

// ---- hashing ---------------------------------------------------------------------------

// FIPS 180-2 Appendix B.1 / C.1 / D.1: the one-block message "abc".
constexpr char kSha256Abc[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr char kSha384Abc[] =
    "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
    "8086072ba1e7cc2358baeca134c825a7";
constexpr char kSha512Abc[] =
    "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
    "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";

TEST(HashTest, Sha256Abc) {
  EXPECT_EQ(Hex(Sha256(AsBytes("abc"))), kSha256Abc);
  ASSERT_OK_AND_ASSIGN(Bytes d, Hash(HashAlg::kSha256, AsBytes("abc")));
  EXPECT_EQ(Hex(d), kSha256Abc);
}

TEST(HashTest, Sha256TwoBlockMessage) {
  // FIPS 180-2 Appendix B.2.
  EXPECT_EQ(Hex(Sha256(AsBytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(HashTest, Sha384AndSha512Abc) {
  ASSERT_OK_AND_ASSIGN(Bytes d384, Hash(HashAlg::kSha384, AsBytes("abc")));
  EXPECT_EQ(Hex(d384), kSha384Abc);
  ASSERT_OK_AND_ASSIGN(Bytes d512, Hash(HashAlg::kSha512, AsBytes("abc")));
  EXPECT_EQ(Hex(d512), kSha512Abc);
}

TEST(HashTest, EmptyInput) {
  // FIPS 180-2 SHA-256 of the empty string (well-known value).
  EXPECT_EQ(Hex(Sha256({})), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(HashTest, Sizes) {
  EXPECT_EQ(HashSize(HashAlg::kSha256), 32u);
  EXPECT_EQ(HashSize(HashAlg::kSha384), 48u);
  EXPECT_EQ(HashSize(HashAlg::kSha512), 64u);
}

TEST(HasherTest, IncrementalEqualsPublishedDigest) {
  struct Case {
    HashAlg alg;
    const char* expected;
  } cases[] = {{HashAlg::kSha256, kSha256Abc},
               {HashAlg::kSha384, kSha384Abc},
               {HashAlg::kSha512, kSha512Abc}};
  for (const Case& c : cases) {
    ASSERT_OK_AND_ASSIGN(Hasher h, Hasher::Create(c.alg));
    ASSERT_OK(h.Update(AsBytes("a")));
    ASSERT_OK(h.Update({}));
    ASSERT_OK(h.Update(AsBytes("bc")));
    ASSERT_OK_AND_ASSIGN(Bytes d, h.Finish());
    EXPECT_EQ(Hex(d), c.expected);
  }
}

TEST(HasherTest, IncrementalEqualsOneShotOnLongInput) {
  Bytes data(10000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 31 + 7);
  ASSERT_OK_AND_ASSIGN(Bytes one_shot, Hash(HashAlg::kSha384, data));
  ASSERT_OK_AND_ASSIGN(Hasher h, Hasher::Create(HashAlg::kSha384));
  size_t pos = 0;
  for (size_t step = 1; pos < data.size(); step = step * 3 + 1) {
    size_t n = std::min(step, data.size() - pos);
    ASSERT_OK(h.Update(ByteView(data).subspan(pos, n)));
    pos += n;
  }
  // Moving the hasher keeps its state.
  Hasher moved = std::move(h);
  ASSERT_OK_AND_ASSIGN(Bytes incremental, moved.Finish());
  EXPECT_EQ(incremental, one_shot);
}

TEST(HasherTest, RefusesUseAfterFinish) {
  ASSERT_OK_AND_ASSIGN(Hasher h, Hasher::Create(HashAlg::kSha256));
  ASSERT_OK(h.Update(AsBytes("abc")));
  ASSERT_OK_AND_ASSIGN(Bytes d, h.Finish());
  EXPECT_EQ(Hex(d), kSha256Abc);
  EXPECT_EQ(CodeOf(h.Update(AsBytes("x"))), StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(h.Finish()), StatusCode::kInvalidArgument);
}

// ---- HMAC and HKDF ------------------------------------------------------------------------

TEST(HmacTest, Rfc4231TestCase2) {
  // RFC 4231 §4.3: key "Jefe", data "what do ya want for nothing?".
  const ByteView key = AsBytes("Jefe");
  const ByteView data = AsBytes("what do ya want for nothing?");
  ASSERT_OK_AND_ASSIGN(Bytes sha256, Hmac(HashAlg::kSha256, key, data));
  EXPECT_EQ(Hex(sha256), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  ASSERT_OK_AND_ASSIGN(Bytes sha384, Hmac(HashAlg::kSha384, key, data));
  EXPECT_EQ(Hex(sha384),
            "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
            "8e2240ca5e69e2c78b3239ecfab21649");
  ASSERT_OK_AND_ASSIGN(Bytes sha512, Hmac(HashAlg::kSha512, key, data));
  EXPECT_EQ(Hex(sha512),
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
            "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737");
}

TEST(HmacTest, EmptyKeyEqualsZeroKey) {
  // HMAC pads the key with zeros to the block size (RFC 2104 §2), so an
  // empty key and a 32-byte zero key are the same key.
  ASSERT_OK_AND_ASSIGN(Bytes empty_key, Hmac(HashAlg::kSha256, {}, AsBytes("m")));
  ASSERT_OK_AND_ASSIGN(Bytes zero_key, Hmac(HashAlg::kSha256, Bytes(32, 0), AsBytes("m")));
  EXPECT_EQ(empty_key, zero_key);
  ASSERT_OK_AND_ASSIGN(Bytes other, Hmac(HashAlg::kSha256, Bytes(32, 1), AsBytes("m")));
  EXPECT_NE(empty_key, other);
}

TEST(HkdfTest, Rfc5869TestCase1) {
  // RFC 5869 Appendix A.1.
  ASSERT_OK_AND_ASSIGN(SecretBytes okm,
                       Hkdf(HashAlg::kSha256, H("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"),
                            H("000102030405060708090a0b0c"), H("f0f1f2f3f4f5f6f7f8f9"), 42));
  EXPECT_EQ(Hex(okm.view()),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
            "34007208d5b887185865");
}

TEST(HkdfTest, Rfc5869TestCase3EmptySaltAndInfo) {
  // RFC 5869 Appendix A.3: salt and info are empty.
  ASSERT_OK_AND_ASSIGN(
      SecretBytes okm,
      Hkdf(HashAlg::kSha256, H("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"), {}, {}, 42));
  EXPECT_EQ(Hex(okm.view()),
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
            "9d201395faa4b61a96c8");
}

TEST(HkdfTest, RejectsBadOutputLength) {
  const Bytes ikm(32, 7);
  EXPECT_EQ(CodeOf(Hkdf(HashAlg::kSha256, ikm, {}, {}, 0)), StatusCode::kInvalidArgument);
  // RFC 5869 §2.3: L <= 255*HashLen.
  EXPECT_TRUE(Hkdf(HashAlg::kSha256, ikm, {}, {}, 255 * 32).ok());
  EXPECT_EQ(CodeOf(Hkdf(HashAlg::kSha256, ikm, {}, {}, 255 * 32 + 1)),
            StatusCode::kInvalidArgument);
}

// ---- AES key wrap ----------------------------------------------------------------------------

TEST(AesKeyWrapTest, Rfc3394Section4_1) {
  // 128 bits of key data with a 128-bit KEK.
  const Bytes kek = H("000102030405060708090A0B0C0D0E0F");
  const Bytes key = H("00112233445566778899AABBCCDDEEFF");
  const Bytes wrapped = H("1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5");
  ASSERT_OK_AND_ASSIGN(Bytes out, AesKeyWrap(kek, key));
  EXPECT_EQ(out, wrapped);
  ASSERT_OK_AND_ASSIGN(SecretBytes unwrapped, AesKeyUnwrap(kek, wrapped));
  EXPECT_EQ(Hex(unwrapped.view()), Hex(key));
}

TEST(AesKeyWrapTest, Rfc3394Section4_6) {
  // 256 bits of key data with a 256-bit KEK.
  const Bytes kek = H("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F");
  const Bytes key = H("00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F");
  const Bytes wrapped = H(
      "28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21");
  ASSERT_OK_AND_ASSIGN(Bytes out, AesKeyWrap(kek, key));
  EXPECT_EQ(out, wrapped);
  ASSERT_OK_AND_ASSIGN(SecretBytes unwrapped, AesKeyUnwrap(kek, wrapped));
  EXPECT_EQ(Hex(unwrapped.view()), Hex(key));
}

TEST(AesKeyWrapTest, TamperedInputFailsVerification) {
  const Bytes kek = H("000102030405060708090A0B0C0D0E0F");
  Bytes wrapped = H("1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5");
  for (size_t i : {size_t{0}, size_t{12}, size_t{23}}) {
    Bytes tampered = wrapped;
    tampered[i] ^= 0x01;
    EXPECT_EQ(CodeOf(AesKeyUnwrap(kek, tampered)), StatusCode::kVerificationFailed) << i;
  }
  Bytes wrong_kek = kek;
  wrong_kek[15] ^= 0x80;
  EXPECT_EQ(CodeOf(AesKeyUnwrap(wrong_kek, wrapped)), StatusCode::kVerificationFailed);
}

TEST(AesKeyWrapTest, RejectsBadLengths) {
  const Bytes kek(16, 1);
  auto r = AesKeyWrap(Bytes(15, 1), Bytes(16, 2));
  EXPECT_EQ(CodeOf(r), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("got 15"), std::string::npos) << r.status().message();
  EXPECT_EQ(CodeOf(AesKeyWrap(kek, Bytes(8, 2))), StatusCode::kInvalidArgument);   // < 2 blocks
  EXPECT_EQ(CodeOf(AesKeyWrap(kek, Bytes(20, 2))), StatusCode::kInvalidArgument);  // not 8k
  EXPECT_EQ(CodeOf(AesKeyUnwrap(kek, Bytes(16, 2))), StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(AesKeyUnwrap(kek, Bytes(25, 2))), StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(AesKeyUnwrap(Bytes(33, 1), Bytes(24, 2))), StatusCode::kInvalidArgument);
}

// ---- AES-GCM ------------------------------------------------------------------------------------

// McGrew & Viega, "The Galois/Counter Mode of Operation", Appendix B.
constexpr char kGcmKey[] = "feffe9928665731c6d6a8f9467308308";
constexpr char kGcmIv[] = "cafebabefacedbaddecaf888";
constexpr char kGcmPlain3[] =
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255";
constexpr char kGcmCipher3[] =
    "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
    "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985";
constexpr char kGcmTag3[] = "4d5c2af327cd64a62cf35abd2ba6fab4";
constexpr char kGcmAad4[] = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
constexpr char kGcmTag4[] = "5bc94fbc3221a5db94fae95ae7121a47";

TEST(AesGcmTest, TestCase1EmptyPlaintext) {
  const Bytes key(16, 0), iv(12, 0);
  ASSERT_OK_AND_ASSIGN(Bytes out, AesGcmSeal(key, iv, {}, {}));
  EXPECT_EQ(Hex(out), "58e2fccefa7e3061367f1d57a4e7455a");
  ASSERT_OK_AND_ASSIGN(SecretBytes plain, AesGcmOpen(key, iv, {}, out));
  EXPECT_TRUE(plain.empty());
}

TEST(AesGcmTest, TestCase3) {
  ASSERT_OK_AND_ASSIGN(Bytes out, AesGcmSeal(H(kGcmKey), H(kGcmIv), {}, H(kGcmPlain3)));
  EXPECT_EQ(Hex(out), std::string(kGcmCipher3) + kGcmTag3);
  ASSERT_OK_AND_ASSIGN(SecretBytes plain, AesGcmOpen(H(kGcmKey), H(kGcmIv), {}, out));
  EXPECT_EQ(Hex(plain.view()), kGcmPlain3);
}

TEST(AesGcmTest, TestCase4WithAad) {
  // Test Case 4: the Test Case 3 plaintext less its last 4 bytes, with AAD.
  const std::string plain4 = std::string(kGcmPlain3).substr(0, 120);
  const std::string expected = std::string(kGcmCipher3).substr(0, 120) + kGcmTag4;
  ASSERT_OK_AND_ASSIGN(Bytes out, AesGcmSeal(H(kGcmKey), H(kGcmIv), H(kGcmAad4), H(plain4)));
  EXPECT_EQ(Hex(out), expected);
  ASSERT_OK_AND_ASSIGN(SecretBytes plain, AesGcmOpen(H(kGcmKey), H(kGcmIv), H(kGcmAad4), out));
  EXPECT_EQ(Hex(plain.view()), plain4);
}

TEST(AesGcmTest, TamperingFailsVerification) {
  const Bytes sealed = H(std::string(kGcmCipher3).substr(0, 120) + kGcmTag4);
  Bytes bad_tag = sealed;
  bad_tag.back() ^= 0x01;
  auto r = AesGcmOpen(H(kGcmKey), H(kGcmIv), H(kGcmAad4), bad_tag);
  EXPECT_EQ(CodeOf(r), StatusCode::kVerificationFailed);
  Bytes bad_ct = sealed;
  bad_ct[0] ^= 0x01;
  EXPECT_EQ(CodeOf(AesGcmOpen(H(kGcmKey), H(kGcmIv), H(kGcmAad4), bad_ct)),
            StatusCode::kVerificationFailed);
  Bytes bad_aad = H(kGcmAad4);
  bad_aad[3] ^= 0x01;
  EXPECT_EQ(CodeOf(AesGcmOpen(H(kGcmKey), H(kGcmIv), bad_aad, sealed)),
            StatusCode::kVerificationFailed);
  EXPECT_EQ(CodeOf(AesGcmOpen(H(kGcmKey), H(kGcmIv), {}, sealed)),  // AAD dropped
            StatusCode::kVerificationFailed);
  EXPECT_EQ(CodeOf(AesGcmOpen(H(kGcmKey), H(kGcmIv), H(kGcmAad4), ByteView(sealed).first(15))),
            StatusCode::kVerificationFailed);  // shorter than a tag
}

TEST(AesGcmTest, RejectsBadKeyAndIvLengths) {
  const Bytes plain = H(kGcmPlain3);
  EXPECT_EQ(CodeOf(AesGcmSeal(H(kGcmKey), Bytes(16, 0), {}, plain)), StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(AesGcmSeal(H(kGcmKey), Bytes(8, 0), {}, plain)), StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(AesGcmOpen(H(kGcmKey), Bytes(13, 0), {}, Bytes(32, 0))),
            StatusCode::kInvalidArgument);
  auto r = AesGcmOpen(Bytes(15, 0), H(kGcmIv), {}, Bytes(32, 0));
  EXPECT_EQ(CodeOf(r), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "AesGcmOpen: key must be 16, 24 or 32 bytes, got 15");
}

TEST(AesGcmTest, AllKeySizesRoundTrip) {
  for (size_t key_size : {16u, 24u, 32u}) {
    const Bytes key(key_size, 0x42), iv(12, 0x24);
    ASSERT_OK_AND_ASSIGN(Bytes sealed, AesGcmSeal(key, iv, AsBytes("aad"), AsBytes("hello")));
    EXPECT_EQ(sealed.size(), 5u + 16u);
    ASSERT_OK_AND_ASSIGN(SecretBytes plain, AesGcmOpen(key, iv, AsBytes("aad"), sealed));
    EXPECT_EQ(AsChars(plain.view()), "hello");
  }
}

// ---- AES-CTR ------------------------------------------------------------------------------------

// NIST SP 800-38A F.5.1 CTR-AES128.Encrypt.
constexpr char kCtrKey[] = "2b7e151628aed2a6abf7158809cf4f3c";
constexpr char kCtrIv[] = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";
constexpr char kCtrPlain[] =
    "6bc1bee22e409f96e93d7e117393172a"
    "ae2d8a571e03ac9c9eb76fac45af8e51"
    "30c81c46a35ce411e5fbc1191a0a52ef"
    "f69f2445df4f9b17ad2b417be66c3710";
constexpr char kCtrCipher[] =
    "874d6191b620e3261bef6864990db6ce"
    "9806f66b7970fdff8617187bb9fffdff"
    "5ae4df3edbd5d35e5b4f09020db03eab"
    "1e031dda2fbe03d1792170a0f3009cee";

TEST(AesCtrTest, Sp800_38aF51) {
  const Bytes plain = H(kCtrPlain);
  Bytes out(plain.size());
  ASSERT_OK(AesCtrXor(H(kCtrKey), H(kCtrIv), plain, out));
  EXPECT_EQ(Hex(out), kCtrCipher);
  // Decryption is the same operation.
  Bytes back(out.size());
  ASSERT_OK(AesCtrXor(H(kCtrKey), H(kCtrIv), out, back));
  EXPECT_EQ(Hex(back), kCtrPlain);
}

TEST(AesCtrTest, InPlace) {
  Bytes buf = H(kCtrPlain);
  ASSERT_OK(AesCtrXor(H(kCtrKey), H(kCtrIv), buf, buf));
  EXPECT_EQ(Hex(buf), kCtrCipher);
}

TEST(AesCtrTest, PartialBlockMatchesPrefix) {
  const Bytes plain = H(kCtrPlain);
  Bytes out(20);
  ASSERT_OK(AesCtrXor(H(kCtrKey), H(kCtrIv), ByteView(plain).first(20), out));
  EXPECT_EQ(Hex(out), std::string(kCtrCipher).substr(0, 40));
}

TEST(AesCtrTest, RejectsBadArguments) {
  const Bytes plain = H(kCtrPlain);
  Bytes out(plain.size());
  Bytes short_out(plain.size() - 1);
  EXPECT_EQ(CodeOf(AesCtrXor(H(kCtrKey), H(kCtrIv), plain, short_out)),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(AesCtrXor(H(kCtrKey), Bytes(12, 0), plain, out)), StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(AesCtrXor(Bytes(17, 0), H(kCtrIv), plain, out)), StatusCode::kInvalidArgument);
  // Overlapping but not identical buffers.
  Bytes buf(80, 0);
  EXPECT_EQ(CodeOf(AesCtrXor(H(kCtrKey), H(kCtrIv), ByteView(buf).first(64),
                             std::span<uint8_t>(buf).subspan(8, 64))),
            StatusCode::kInvalidArgument);
}

// ---- ChaCha20/Poly1305 ------------------------------------------------------------------------------

// RFC 8439 §2.8.2.
constexpr char kChachaKey[] =
    "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f";
constexpr char kChachaNonce[] = "070000004041424344454647";
constexpr char kChachaAad[] = "50515253c0c1c2c3c4c5c6c7";
constexpr char kChachaPlain[] =
    "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for "
    "the future, sunscreen would be it.";
constexpr char kChachaCipher[] =
    "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
    "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
    "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
    "3ff4def08e4b7a9de576d26586cec64b6116";
constexpr char kChachaTag[] = "1ae10b594f09e26a7e902ecbd0600691";

TEST(ChaCha20Poly1305Test, Rfc8439Section2_8_2) {
  ASSERT_OK_AND_ASSIGN(Bytes out, ChaCha20Poly1305Seal(H(kChachaKey), H(kChachaNonce),
                                                       H(kChachaAad), AsBytes(kChachaPlain)));
  EXPECT_EQ(Hex(out), std::string(kChachaCipher) + kChachaTag);
  ASSERT_OK_AND_ASSIGN(SecretBytes plain, ChaCha20Poly1305Open(H(kChachaKey), H(kChachaNonce),
                                                               H(kChachaAad), out));
  EXPECT_EQ(AsChars(plain.view()), kChachaPlain);
}

TEST(ChaCha20Poly1305Test, TamperingAndBadLengths) {
  Bytes sealed = H(std::string(kChachaCipher) + kChachaTag);
  sealed[5] ^= 0x10;
  EXPECT_EQ(CodeOf(ChaCha20Poly1305Open(H(kChachaKey), H(kChachaNonce), H(kChachaAad), sealed)),
            StatusCode::kVerificationFailed);
  EXPECT_EQ(CodeOf(ChaCha20Poly1305Seal(Bytes(16, 0), H(kChachaNonce), {}, {})),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(ChaCha20Poly1305Seal(H(kChachaKey), Bytes(8, 0), {}, {})),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(ChaCha20Poly1305Open(H(kChachaKey), Bytes(24, 0), {}, Bytes(16, 0))),
            StatusCode::kInvalidArgument);
}

// ---- key type facts ---------------------------------------------------------------------------------

TEST(KeyTypeTest, NamesSizesAndCapabilities) {
  EXPECT_EQ(KeyTypeName(KeyType::kP256), "P-256");
  EXPECT_EQ(KeyTypeName(KeyType::kP384), "P-384");
  EXPECT_EQ(KeyTypeName(KeyType::kEd25519), "Ed25519");
  EXPECT_EQ(KeyTypeName(KeyType::kX25519), "X25519");
  EXPECT_EQ(KeyCoordinateSize(KeyType::kP256), 32u);
  EXPECT_EQ(KeyCoordinateSize(KeyType::kP384), 48u);
  EXPECT_EQ(KeyCoordinateSize(KeyType::kEd25519), 32u);
  EXPECT_EQ(KeyCoordinateSize(KeyType::kX25519), 32u);
  EXPECT_TRUE(KeyTypeCanSign(KeyType::kP256));
  EXPECT_TRUE(KeyTypeCanSign(KeyType::kP384));
  EXPECT_TRUE(KeyTypeCanSign(KeyType::kEd25519));
  EXPECT_FALSE(KeyTypeCanSign(KeyType::kX25519));
  EXPECT_TRUE(KeyTypeCanAgree(KeyType::kP256));
  EXPECT_TRUE(KeyTypeCanAgree(KeyType::kP384));
  EXPECT_FALSE(KeyTypeCanAgree(KeyType::kEd25519));
  EXPECT_TRUE(KeyTypeCanAgree(KeyType::kX25519));
}

// ---- ECDSA ---------------------------------------------------------------------------------------------

TEST(EcdsaTest, SignVerifyRoundTripAndRejections) {
  for (KeyType type : {KeyType::kP256, KeyType::kP384}) {
    SCOPED_TRACE(std::string(KeyTypeName(type)));
    const size_t sig_size = 2 * KeyCoordinateSize(type);
    ASSERT_OK_AND_ASSIGN(PrivateKey priv, PrivateKey::Generate(type));
    EXPECT_EQ(priv.type(), type);
    PublicKey pub = priv.Public();
    EXPECT_EQ(pub.type(), type);
    const ByteView msg = AsBytes("COSE Sig_structure bytes");
    ASSERT_OK_AND_ASSIGN(Bytes sig, priv.Sign(msg));
    ASSERT_EQ(sig.size(), sig_size);
    ASSERT_OK(pub.Verify(msg, sig));

    EXPECT_EQ(CodeOf(pub.Verify(AsBytes("another message"), sig)), StatusCode::kVerificationFailed);
    for (size_t bit : {size_t{0}, sig_size * 4 - 1, sig_size * 8 - 1}) {
      Bytes flipped = sig;
      flipped[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
      EXPECT_EQ(CodeOf(pub.Verify(msg, flipped)), StatusCode::kVerificationFailed) << bit;
    }
    EXPECT_EQ(CodeOf(pub.Verify(msg, ByteView(sig).first(sig_size - 1))),
              StatusCode::kVerificationFailed);
    Bytes extended = sig;
    extended.push_back(0);
    EXPECT_EQ(CodeOf(pub.Verify(msg, extended)), StatusCode::kVerificationFailed);
    EXPECT_EQ(CodeOf(pub.Verify(msg, {})), StatusCode::kVerificationFailed);
    // The very same signature in DER form (as OpenSSL itself would accept) is
    // refused: COSE carries raw r||s only.
    const Bytes der = RawToDer(sig);
    ASSERT_NE(der.size(), sig.size());
    EXPECT_EQ(CodeOf(pub.Verify(msg, der)), StatusCode::kVerificationFailed);

    // A signature from another key does not verify.
    ASSERT_OK_AND_ASSIGN(PrivateKey other, PrivateKey::Generate(type));
    EXPECT_EQ(CodeOf(other.Public().Verify(msg, sig)), StatusCode::kVerificationFailed);
  }
}

TEST(EcdsaTest, Rfc6979P256Sha256Sample) {
  // RFC 6979 Appendix A.2.5, ECDSA P-256 with SHA-256, message "sample".
  const Bytes ux = H("60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6");
  const Bytes uy = H("7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299");
  const Bytes rs = H(
      "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716"
      "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8");
  ASSERT_OK_AND_ASSIGN(PublicKey pub, PublicKey::FromCoordinates(KeyType::kP256, ux, uy));
  EXPECT_EQ(pub.x(), ux);
  EXPECT_EQ(pub.y(), uy);
  ASSERT_OK(pub.Verify(AsBytes("sample"), rs));
  EXPECT_EQ(CodeOf(pub.Verify(AsBytes("test"), rs)), StatusCode::kVerificationFailed);
  EXPECT_EQ(CodeOf(pub.Verify(AsBytes("sample"), RawToDer(rs))), StatusCode::kVerificationFailed);

  // The RFC's private key x yields the RFC's public key (FromRaw computes the
  // public point itself), and its signatures verify under it.
  ASSERT_OK_AND_ASSIGN(
      PrivateKey priv,
      PrivateKey::FromRaw(KeyType::kP256,
                          H("C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721")));
  EXPECT_EQ(priv.Public().x(), ux);
  EXPECT_EQ(priv.Public().y(), uy);
  ASSERT_OK_AND_ASSIGN(Bytes sig, priv.Sign(AsBytes("sample")));
  ASSERT_OK(pub.Verify(AsBytes("sample"), sig));
}

TEST(EcdsaTest, Rfc6979P384Sha384Sample) {
  // RFC 6979 Appendix A.2.6, ECDSA P-384 with SHA-384, message "sample".
  const Bytes ux = H(
      "EC3A4E415B4E19A4568618029F427FA5DA9A8BC4AE92E02E06AAE5286B300C64"
      "DEF8F0EA9055866064A254515480BC13");
  const Bytes uy = H(
      "8015D9B72D7D57244EA8EF9AC0C621896708A59367F9DFB9F54CA84B3F1C9DB1"
      "288B231C3AE0D4FE7344FD2533264720");
  const Bytes rs = H(
      "94EDBB92A5ECB8AAD4736E56C691916B3F88140666CE9FA73D64C4EA95AD133C"
      "81A648152E44ACF96E36DD1E80FABE46"
      "99EF4AEB15F178CEA1FE40DB2603138F130E740A19624526203B6351D0A3A94F"
      "A329C145786E679E7B82C71A38628AC8");
  ASSERT_OK_AND_ASSIGN(PublicKey pub, PublicKey::FromCoordinates(KeyType::kP384, ux, uy));
  ASSERT_OK(pub.Verify(AsBytes("sample"), rs));
  EXPECT_EQ(CodeOf(pub.Verify(AsBytes("sample"), ByteView(rs).first(95))),
            StatusCode::kVerificationFailed);
  ASSERT_OK_AND_ASSIGN(
      PrivateKey priv,
      PrivateKey::FromRaw(KeyType::kP384, H("6B9D3DAD2E1B8C1C05B19875B6659F4DE23C3B667BF297BA9AA4"
                                            "7740787137D896D5724E4C70A825F872C9EA60D2EDF5")));
  EXPECT_EQ(priv.Public().x(), ux);
  EXPECT_EQ(priv.Public().y(), uy);
}

TEST(EcdsaTest, ShortScalarsArePadded) {
  // About 1 in 256 signatures has r (and independently s) below 2^(8n-8), so
  // its DER integer is shorter than n bytes. Sign until both halves have been
  // short at least once (expected a few hundred rounds; the cap makes a false
  // failure a 1-in-10^30 event), checking every signature verifies.
  ASSERT_OK_AND_ASSIGN(PrivateKey priv, PrivateKey::Generate(KeyType::kP256));
  PublicKey pub = priv.Public();
  bool short_r = false, short_s = false;
  for (int i = 0; i < 20000 && !(short_r && short_s); ++i) {
    const std::string msg = "message " + std::to_string(i);
    ASSERT_OK_AND_ASSIGN(Bytes sig, priv.Sign(AsBytes(msg)));
    ASSERT_EQ(sig.size(), 64u);
    ASSERT_OK(pub.Verify(AsBytes(msg), sig));
    short_r = short_r || sig[0] == 0;
    short_s = short_s || sig[32] == 0;
  }
  EXPECT_TRUE(short_r);
  EXPECT_TRUE(short_s);
}

// ---- Ed25519 ----------------------------------------------------------------------------------------------

// RFC 8032 §7.1 TEST 1 (empty message) and TEST 2 (one byte 0x72).
constexpr char kEdSecret1[] = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
constexpr char kEdPublic1[] = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
constexpr char kEdSig1[] =
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
    "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
constexpr char kEdSecret2[] = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb";
constexpr char kEdPublic2[] = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";
constexpr char kEdSig2[] =
    "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
    "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00";

TEST(Ed25519Test, Rfc8032Test1) {
  ASSERT_OK_AND_ASSIGN(PublicKey pub,
                       PublicKey::FromCoordinates(KeyType::kEd25519, H(kEdPublic1), {}));
  EXPECT_EQ(Hex(pub.x()), kEdPublic1);
  EXPECT_TRUE(pub.y().empty());
  ASSERT_OK(pub.Verify({}, H(kEdSig1)));

  ASSERT_OK_AND_ASSIGN(PrivateKey priv, PrivateKey::FromRaw(KeyType::kEd25519, H(kEdSecret1)));
  EXPECT_EQ(Hex(priv.Public().x()), kEdPublic1);
  ASSERT_OK_AND_ASSIGN(Bytes sig, priv.Sign({}));
  EXPECT_EQ(Hex(sig), kEdSig1);  // Ed25519 is deterministic: byte-exact
}

TEST(Ed25519Test, Rfc8032Test2) {
  const Bytes msg = H("72");
  ASSERT_OK_AND_ASSIGN(PrivateKey priv, PrivateKey::FromRaw(KeyType::kEd25519, H(kEdSecret2)));
  EXPECT_EQ(Hex(priv.Public().x()), kEdPublic2);
  ASSERT_OK_AND_ASSIGN(Bytes sig, priv.Sign(msg));
  EXPECT_EQ(Hex(sig), kEdSig2);
  ASSERT_OK_AND_ASSIGN(PublicKey pub,
                       PublicKey::FromCoordinates(KeyType::kEd25519, H(kEdPublic2), {}));
  ASSERT_OK(pub.Verify(msg, sig));
}

TEST(Ed25519Test, Rejections) {
  ASSERT_OK_AND_ASSIGN(PublicKey pub,
                       PublicKey::FromCoordinates(KeyType::kEd25519, H(kEdPublic1), {}));
  Bytes sig = H(kEdSig1);
  EXPECT_EQ(CodeOf(pub.Verify(AsBytes("x"), sig)), StatusCode::kVerificationFailed);
  Bytes flipped = sig;
  flipped[10] ^= 0x04;
  EXPECT_EQ(CodeOf(pub.Verify({}, flipped)), StatusCode::kVerificationFailed);
  EXPECT_EQ(CodeOf(pub.Verify({}, ByteView(sig).first(63))), StatusCode::kVerificationFailed);
  // Signed by TEST 2's key, checked against TEST 1's.
  EXPECT_EQ(CodeOf(pub.Verify(H("72"), H(kEdSig2))), StatusCode::kVerificationFailed);
}

TEST(Ed25519Test, GenerateSignVerify) {
  ASSERT_OK_AND_ASSIGN(PrivateKey priv, PrivateKey::Generate(KeyType::kEd25519));
  ASSERT_OK_AND_ASSIGN(Bytes sig, priv.Sign(AsBytes("hello")));
  EXPECT_EQ(sig.size(), 64u);
  ASSERT_OK(priv.Public().Verify(AsBytes("hello"), sig));
}

// ---- public key construction ---------------------------------------------------------------------------------

TEST(FromCoordinatesTest, RejectsPointNotOnCurve) {
  Bytes ux = H("60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6");
  Bytes uy = H("7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299");
  uy.back() ^= 0x01;
  auto r = PublicKey::FromCoordinates(KeyType::kP256, ux, uy);
  EXPECT_EQ(CodeOf(r), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("P-256"), std::string::npos) << r.status().message();
  // (0, 0) is not on P-256 either.
  EXPECT_EQ(CodeOf(PublicKey::FromCoordinates(KeyType::kP256, Bytes(32, 0), Bytes(32, 0))),
            StatusCode::kInvalidArgument);
  // A valid P-256 point is not a P-384 point (and has the wrong length).
  EXPECT_FALSE(PublicKey::FromCoordinates(KeyType::kP384, ux, uy).ok());
}

TEST(FromCoordinatesTest, RejectsWrongLengths) {
  const Bytes ux = H("60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6");
  const Bytes uy = H("7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299");
  // Exact lengths only: a leading zero byte is not stripped or added.
  Bytes x33 = ux;
  x33.insert(x33.begin(), 0);
  EXPECT_EQ(CodeOf(PublicKey::FromCoordinates(KeyType::kP256, x33, uy)),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(PublicKey::FromCoordinates(KeyType::kP256, ByteView(ux).subspan(1), uy)),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(PublicKey::FromCoordinates(KeyType::kP256, ux, ByteView(uy).first(31))),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(PublicKey::FromCoordinates(KeyType::kP256, ux, {})),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(PublicKey::FromCoordinates(KeyType::kEd25519, H(kEdPublic1), uy)),
            StatusCode::kInvalidArgument);  // OKP has no y
  EXPECT_EQ(CodeOf(PublicKey::FromCoordinates(KeyType::kX25519, Bytes(31, 9), {})),
            StatusCode::kInvalidArgument);
}

TEST(PublicKeyTest, CopyAndMove) {
  ASSERT_OK_AND_ASSIGN(PrivateKey priv, PrivateKey::Generate(KeyType::kP256));
  ASSERT_OK_AND_ASSIGN(Bytes sig, priv.Sign(AsBytes("m")));
  PublicKey a = priv.Public();
  PublicKey b = a;  // copy shares the key
  ASSERT_OK(b.Verify(AsBytes("m"), sig));
  ASSERT_OK_AND_ASSIGN(PrivateKey other, PrivateKey::Generate(KeyType::kEd25519));
  PublicKey c = other.Public();
  c = a;  // copy assignment replaces type and key
  EXPECT_EQ(c.type(), KeyType::kP256);
  ASSERT_OK(c.Verify(AsBytes("m"), sig));
  PublicKey d = std::move(a);
  ASSERT_OK(d.Verify(AsBytes("m"), sig));
  EXPECT_EQ(d.x(), b.x());
  EXPECT_EQ(d.y(), b.y());
}

// ---- PEM ---------------------------------------------------------------------------------------------------------

TEST(PemTest, RoundTripEveryKeyType) {
  for (KeyType type : kAllTypes) {
    SCOPED_TRACE(std::string(KeyTypeName(type)));
    ASSERT_OK_AND_ASSIGN(PrivateKey priv, PrivateKey::Generate(type));
    ASSERT_OK_AND_ASSIGN(std::string priv_pem, priv.ToPem());
    EXPECT_EQ(priv_pem.rfind("-----BEGIN PRIVATE KEY-----", 0), 0u) << priv_pem;
    ASSERT_OK_AND_ASSIGN(PrivateKey priv2, PrivateKey::FromPem(priv_pem));
    EXPECT_EQ(priv2.type(), type);
    ASSERT_OK_AND_ASSIGN(SecretBytes raw1, priv.RawPrivate());
    ASSERT_OK_AND_ASSIGN(SecretBytes raw2, priv2.RawPrivate());
    EXPECT_TRUE(ConstantTimeEqual(raw1.view(), raw2.view()));
    Wipe(priv_pem.data(), priv_pem.size());

    ASSERT_OK_AND_ASSIGN(std::string pub_pem, priv.Public().ToPem());
    EXPECT_EQ(pub_pem.rfind("-----BEGIN PUBLIC KEY-----", 0), 0u) << pub_pem;
    ASSERT_OK_AND_ASSIGN(PublicKey pub2, PublicKey::FromPem(pub_pem));
    EXPECT_EQ(pub2.type(), type);
    EXPECT_EQ(pub2.x(), priv.Public().x());
    EXPECT_EQ(pub2.y(), priv.Public().y());
    EXPECT_EQ(pub2.x().size(), KeyCoordinateSize(type));

    if (KeyTypeCanSign(type)) {
      ASSERT_OK_AND_ASSIGN(Bytes sig, priv2.Sign(AsBytes("pem")));
      ASSERT_OK(pub2.Verify(AsBytes("pem"), sig));
    }
  }
}

TEST(PemTest, PublicPemOfPrivateKeyHasNoSecret) {
  ASSERT_OK_AND_ASSIGN(PrivateKey priv, PrivateKey::Generate(KeyType::kP256));
  ASSERT_OK_AND_ASSIGN(std::string pub_pem, priv.Public().ToPem());
  // A PUBLIC KEY block cannot be loaded as a private key.
  EXPECT_FALSE(PrivateKey::FromPem(pub_pem).ok());
}

TEST(PemTest, AcceptsTraditionalEcPrivateKey) {
  TestPkey pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
  ASSERT_NE(pkey, nullptr);
  TestBio bio(BIO_new(BIO_s_mem()));
  ASSERT_EQ(PEM_write_bio_PrivateKey_traditional(bio.get(), pkey.get(), nullptr, nullptr, 0,
                                                 nullptr, nullptr),
            1);
  const std::string pem = BioString(bio.get());
  ASSERT_NE(pem.find("-----BEGIN EC PRIVATE KEY-----"), std::string::npos) << pem;
  ASSERT_OK_AND_ASSIGN(PrivateKey priv, PrivateKey::FromPem(pem));
  EXPECT_EQ(priv.type(), KeyType::kP384);
  ASSERT_OK_AND_ASSIGN(PublicKey pub, PublicKey::FromPem(PublicPemOf(pkey.get())));
  EXPECT_EQ(priv.Public().x(), pub.x());
}

TEST(PemTest, RejectsEncryptedPem) {
  TestPkey pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  ASSERT_NE(pkey, nullptr);
  char password[] = "correct horse";
  {
    TestBio bio(BIO_new(BIO_s_mem()));
    ASSERT_EQ(PEM_write_bio_PKCS8PrivateKey(bio.get(), pkey.get(), EVP_aes_256_cbc(), password,
                                            static_cast<int>(strlen(password)), nullptr, nullptr),
              1);
    const std::string pem = BioString(bio.get());
    ASSERT_NE(pem.find("ENCRYPTED PRIVATE KEY"), std::string::npos);
    auto r = PrivateKey::FromPem(pem);
    EXPECT_EQ(CodeOf(r), StatusCode::kUnsupported);
    EXPECT_NE(r.status().message().find("encrypted"), std::string::npos) << r.status().message();
  }
  {
    TestBio bio(BIO_new(BIO_s_mem()));
    ASSERT_EQ(PEM_write_bio_PrivateKey_traditional(
                  bio.get(), pkey.get(), EVP_aes_128_cbc(),
                  reinterpret_cast<unsigned char*>(password), static_cast<int>(strlen(password)),
                  nullptr, nullptr),
              1);
    const std::string pem = BioString(bio.get());
    ASSERT_NE(pem.find("Proc-Type: 4,ENCRYPTED"), std::string::npos);
    EXPECT_EQ(CodeOf(PrivateKey::FromPem(pem)), StatusCode::kUnsupported);
  }
}

TEST(PemTest, RsaIsUnsupported) {
  TestPkey rsa(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{1024}));
  ASSERT_NE(rsa, nullptr);
  auto pub = PublicKey::FromPem(PublicPemOf(rsa.get()));
  EXPECT_EQ(CodeOf(pub), StatusCode::kUnsupported);
  EXPECT_NE(pub.status().message().find("RSA"), std::string::npos) << pub.status().message();
  auto priv = PrivateKey::FromPem(PrivatePemOf(rsa.get()));
  EXPECT_EQ(CodeOf(priv), StatusCode::kUnsupported);
  EXPECT_NE(priv.status().message().find("RSA"), std::string::npos) << priv.status().message();
}

TEST(PemTest, OtherCurvesAreUnsupported) {
  TestPkey p521(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-521"));
  ASSERT_NE(p521, nullptr);
  auto pub = PublicKey::FromPem(PublicPemOf(p521.get()));
  EXPECT_EQ(CodeOf(pub), StatusCode::kUnsupported);
  EXPECT_NE(pub.status().message().find("secp521r1"), std::string::npos)
      << pub.status().message();
  EXPECT_EQ(CodeOf(PrivateKey::FromPem(PrivatePemOf(p521.get()))), StatusCode::kUnsupported);
}

TEST(PemTest, RejectsGarbage) {
  EXPECT_EQ(CodeOf(PublicKey::FromPem("")), StatusCode::kMalformed);
  EXPECT_EQ(CodeOf(PublicKey::FromPem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")),
            StatusCode::kMalformed);
  EXPECT_EQ(CodeOf(PrivateKey::FromPem("not a pem")), StatusCode::kMalformed);
}

// ---- key agreement ---------------------------------------------------------------------------------------------------

TEST(AgreeTest, EcdhIsSymmetric) {
  for (KeyType type : {KeyType::kP256, KeyType::kP384, KeyType::kX25519}) {
    SCOPED_TRACE(std::string(KeyTypeName(type)));
    ASSERT_OK_AND_ASSIGN(PrivateKey a, PrivateKey::Generate(type));
    ASSERT_OK_AND_ASSIGN(PrivateKey b, PrivateKey::Generate(type));
    ASSERT_OK_AND_ASSIGN(SecretBytes ab, a.Agree(b.Public()));
    ASSERT_OK_AND_ASSIGN(SecretBytes ba, b.Agree(a.Public()));
    EXPECT_EQ(ab.size(), KeyCoordinateSize(type));
    EXPECT_TRUE(ConstantTimeEqual(ab.view(), ba.view()));
    ASSERT_OK_AND_ASSIGN(PrivateKey c, PrivateKey::Generate(type));
    ASSERT_OK_AND_ASSIGN(SecretBytes ac, a.Agree(c.Public()));
    EXPECT_FALSE(ConstantTimeEqual(ab.view(), ac.view()));
  }
}

TEST(AgreeTest, X25519Rfc7748Section6_1) {
  const Bytes alice_priv = H("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
  const Bytes alice_pub = H("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  const Bytes bob_priv = H("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
  const Bytes bob_pub = H("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
  const char* shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";

  ASSERT_OK_AND_ASSIGN(PrivateKey alice, PrivateKey::FromRaw(KeyType::kX25519, alice_priv));
  ASSERT_OK_AND_ASSIGN(PrivateKey bob, PrivateKey::FromRaw(KeyType::kX25519, bob_priv));
  EXPECT_EQ(alice.Public().x(), alice_pub);
  EXPECT_EQ(bob.Public().x(), bob_pub);
  ASSERT_OK_AND_ASSIGN(PublicKey bob_public,
                       PublicKey::FromCoordinates(KeyType::kX25519, bob_pub, {}));
  ASSERT_OK_AND_ASSIGN(PublicKey alice_public,
                       PublicKey::FromCoordinates(KeyType::kX25519, alice_pub, {}));
  ASSERT_OK_AND_ASSIGN(SecretBytes k1, alice.Agree(bob_public));
  ASSERT_OK_AND_ASSIGN(SecretBytes k2, bob.Agree(alice_public));
  EXPECT_EQ(Hex(k1.view()), shared);
  EXPECT_EQ(Hex(k2.view()), shared);
}

TEST(AgreeTest, X25519RejectsSmallOrderPeer) {
  // u = 0 is a point of small order; the output would be all zeros (RFC 7748 §6.1).
  ASSERT_OK_AND_ASSIGN(PrivateKey a, PrivateKey::Generate(KeyType::kX25519));
  ASSERT_OK_AND_ASSIGN(PublicKey zero, PublicKey::FromCoordinates(KeyType::kX25519, Bytes(32, 0), {}));
  EXPECT_FALSE(a.Agree(zero).ok());
}

TEST(AgreeTest, RefusesMismatchedAndNonAgreeingTypes) {
  ASSERT_OK_AND_ASSIGN(PrivateKey p256, PrivateKey::Generate(KeyType::kP256));
  ASSERT_OK_AND_ASSIGN(PrivateKey p384, PrivateKey::Generate(KeyType::kP384));
  ASSERT_OK_AND_ASSIGN(PrivateKey x25519, PrivateKey::Generate(KeyType::kX25519));
  ASSERT_OK_AND_ASSIGN(PrivateKey ed25519, PrivateKey::Generate(KeyType::kEd25519));
  auto r = p256.Agree(p384.Public());
  EXPECT_EQ(CodeOf(r), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("P-384"), std::string::npos) << r.status().message();
  EXPECT_EQ(CodeOf(x25519.Agree(p256.Public())), StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(ed25519.Agree(ed25519.Public())), StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(x25519.Agree(ed25519.Public())), StatusCode::kInvalidArgument);
}

TEST(AgreeTest, X25519CannotSign) {
  ASSERT_OK_AND_ASSIGN(PrivateKey x25519, PrivateKey::Generate(KeyType::kX25519));
  auto r = x25519.Sign(AsBytes("m"));
  EXPECT_EQ(CodeOf(r), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("X25519"), std::string::npos) << r.status().message();
  EXPECT_EQ(CodeOf(x25519.Public().Verify(AsBytes("m"), Bytes(64, 0))),
            StatusCode::kInvalidArgument);
}

// ---- raw private keys -------------------------------------------------------------------------------------------------------

TEST(RawPrivateTest, RoundTripEveryKeyType) {
  for (KeyType type : kAllTypes) {
    SCOPED_TRACE(std::string(KeyTypeName(type)));
    ASSERT_OK_AND_ASSIGN(PrivateKey priv, PrivateKey::Generate(type));
    ASSERT_OK_AND_ASSIGN(SecretBytes raw, priv.RawPrivate());
    EXPECT_EQ(raw.size(), KeyCoordinateSize(type));
    ASSERT_OK_AND_ASSIGN(PrivateKey again, PrivateKey::FromRaw(type, raw.view()));
    ASSERT_OK_AND_ASSIGN(SecretBytes raw2, again.RawPrivate());
    EXPECT_TRUE(ConstantTimeEqual(raw.view(), raw2.view()));
    EXPECT_EQ(again.Public().x(), priv.Public().x());
    EXPECT_EQ(again.Public().y(), priv.Public().y());
    for (KeyType sign_type : kSigningTypes) {
      if (sign_type != type) continue;
      ASSERT_OK_AND_ASSIGN(Bytes sig, again.Sign(AsBytes("raw")));
      ASSERT_OK(priv.Public().Verify(AsBytes("raw"), sig));
    }
  }
}

TEST(RawPrivateTest, EcScalarWithLeadingZeroBytes) {
  // d = 1: the public key is the generator G (SEC 2 §2.4.2 for P-256).
  Bytes one(32, 0);
  one.back() = 1;
  ASSERT_OK_AND_ASSIGN(PrivateKey priv, PrivateKey::FromRaw(KeyType::kP256, one));
  EXPECT_EQ(Hex(priv.Public().x()),
            "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296");
  EXPECT_EQ(Hex(priv.Public().y()),
            "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5");
  ASSERT_OK_AND_ASSIGN(SecretBytes raw, priv.RawPrivate());
  EXPECT_EQ(Hex(raw.view()), Hex(one));  // left-padded back to 32 bytes
}

TEST(RawPrivateTest, RejectsBadScalars) {
  EXPECT_EQ(CodeOf(PrivateKey::FromRaw(KeyType::kP256, Bytes(32, 0))),
            StatusCode::kInvalidArgument);  // zero
  // The P-256 group order n (SEC 2 §2.4.2) is out of range.
  EXPECT_EQ(CodeOf(PrivateKey::FromRaw(
                KeyType::kP256,
                H("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"))),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(PrivateKey::FromRaw(KeyType::kP256, Bytes(31, 1))),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(PrivateKey::FromRaw(KeyType::kP384, Bytes(32, 1))),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(PrivateKey::FromRaw(KeyType::kEd25519, Bytes(33, 1))),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(PrivateKey::FromRaw(KeyType::kX25519, {})), StatusCode::kInvalidArgument);
}

TEST(PrivateKeyTest, MoveKeepsTheKey) {
  ASSERT_OK_AND_ASSIGN(PrivateKey a, PrivateKey::Generate(KeyType::kEd25519));
  PublicKey pub = a.Public();
  PrivateKey b = std::move(a);
  ASSERT_OK_AND_ASSIGN(Bytes sig, b.Sign(AsBytes("m")));
  ASSERT_OK(pub.Verify(AsBytes("m"), sig));
  // A moved-from key fails cleanly instead of crashing.
  EXPECT_EQ(CodeOf(a.Sign(AsBytes("m"))), StatusCode::kInvalidArgument);  // NOLINT
  EXPECT_EQ(CodeOf(a.RawPrivate()), StatusCode::kInvalidArgument);        // NOLINT
  PublicKey empty = a.Public();                                           // NOLINT
  EXPECT_TRUE(empty.x().empty());
  EXPECT_EQ(CodeOf(empty.Verify(AsBytes("m"), sig)), StatusCode::kInvalidArgument);
  ASSERT_OK_AND_ASSIGN(PrivateKey x, PrivateKey::Generate(KeyType::kX25519));
  PublicKey peer = x.Public();
  PublicKey taken = std::move(peer);
  EXPECT_EQ(CodeOf(x.Agree(peer)), StatusCode::kInvalidArgument);  // NOLINT: moved-from peer
  ASSERT_OK(x.Agree(taken).status());
}

}  // namespace
}  // namespace teep::crypto
