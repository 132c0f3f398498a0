// Tests for COSE_Encrypt0 / COSE_Encrypt. Published vectors first (TEEP
// Appendix E.3, cose-wg/Examples, SUIT firmware-encryption examples), then
// round trips over every content algorithm and recipient type, then one test
// per rejection rule; each rejection test builds a message whose only defect
// is the rule under test, so that dropping the rule makes the test fail.
#include "core/cose/encrypt.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/cbor/reader.h"
#include "core/cbor/writer.h"
#include "core/cose/algorithms.h"
#include "core/cose/headers.h"
#include "core/cose/key.h"
#include "core/crypto/crypto.h"
#include "test_util.h"
#include "vector_files.h"

namespace teep::cose {
namespace {

// ---- helpers -----------------------------------------------------------------

using test::H;

Bytes SpecHex(std::string_view relative) { return H(test::ReadSpecText(std::string(relative))); }

// Expects a failed Result / Status with `code` whose message contains `text`.
#define EXPECT_ERROR(expr, expected_code, text)                                      \
  do {                                                                               \
    const ::teep::Status TEEP_TEST_CONCAT(e_, __LINE__) = StatusOf(expr);                 \
    EXPECT_EQ(TEEP_TEST_CONCAT(e_, __LINE__).code(), expected_code)                       \
        << TEEP_TEST_CONCAT(e_, __LINE__).ToString();                                     \
    EXPECT_NE(TEEP_TEST_CONCAT(e_, __LINE__).message().find(text), std::string::npos)     \
        << "message: " << TEEP_TEST_CONCAT(e_, __LINE__).message() << "\nwanted: " << text; \
  } while (0)

template <typename T>
Status StatusOf(const Result<T>& r) {
  return r.status();
}
[[maybe_unused]] Status StatusOf(const Status& s) { return s; }

std::string Str(const crypto::SecretBytes& s) { return std::string(AsChars(s.view())); }

bool Contains(ByteView haystack, ByteView needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) !=
         haystack.end();
}

// ---- walking CBOR with the reader (for the SUIT envelope) ----------------------

// The encoded value of integer key `key` in the encoded map `map`.
std::optional<ByteView> MapValue(ByteView map, int64_t key) {
  cbor::Reader r = cbor::Reader::Open(map, cbor::RelaxedOptions());
  uint64_t pairs = 0;
  if (!r.ReadMapHeader(&pairs)) return std::nullopt;
  for (uint64_t i = 0; i < pairs; ++i) {
    auto type = r.PeekType();
    int64_t k = 0;
    if ((type == cbor::MajorType::kUnsigned || type == cbor::MajorType::kNegative) &&
        r.ReadInt(&k) && k == key) {
      ByteView value;
      if (!r.ReadRaw(&value)) return std::nullopt;
      return value;
    }
    if (type != cbor::MajorType::kUnsigned && type != cbor::MajorType::kNegative) r.Skip();
    r.Skip();
  }
  return std::nullopt;
}

// The content of an encoded byte string (the bstr-wrapped layers of SUIT).
std::optional<ByteView> BstrContent(std::optional<ByteView> item) {
  if (!item) return std::nullopt;
  cbor::Reader r = cbor::Reader::Open(*item, cbor::RelaxedOptions());
  ByteView content;
  if (!r.ReadBytes(&content)) return std::nullopt;
  return content;
}

// In a SUIT command sequence [cmd, arg, cmd, arg, ...], the encoded argument
// of the first `command`.
std::optional<ByteView> CommandArgument(std::optional<ByteView> sequence, uint64_t command) {
  if (!sequence) return std::nullopt;
  cbor::Reader r = cbor::Reader::Open(*sequence, cbor::RelaxedOptions());
  uint64_t n = 0;
  if (!r.ReadArrayHeader(&n) || n % 2 != 0) return std::nullopt;
  for (uint64_t i = 0; i < n; i += 2) {
    uint64_t c = 0;
    if (!r.ReadUint(&c)) return std::nullopt;
    ByteView argument;
    if (!r.ReadRaw(&argument)) return std::nullopt;
    if (c == command) return argument;
  }
  return std::nullopt;
}

std::optional<ByteView> Lookup(std::optional<ByteView> map, int64_t key) {
  if (!map) return std::nullopt;
  return MapValue(*map, key);
}

// ---- building messages by hand (independently of encrypt.cc) -----------------

Bytes Item(int64_t v) { return EncodeIntItem(v); }
Bytes Item(ByteView b) { return EncodeBytesItem(b); }

Bytes Map(std::vector<std::pair<int64_t, Bytes>> entries) {
  Result<Bytes> m = EncodeHeaderMap(std::move(entries));
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return m.ok() ? *m : Bytes{};
}

struct RawRecipient {
  Bytes protected_bucket;
  Bytes unprotected_map;
  Bytes encrypted_key;
  int extra_items = 0;  // > 0: append that many nil items (nested recipients)
};

Bytes BuildEncrypt(ByteView protected_bucket, ByteView unprotected_map,
                   std::optional<ByteView> ciphertext, const std::vector<RawRecipient>& recipients,
                   std::optional<uint64_t> tag = kTagEncrypt) {
  cbor::Writer w;
  if (tag) w.WriteTag(*tag);
  w.BeginArray(4);
  w.WriteBytes(protected_bucket);
  w.WriteRaw(unprotected_map);
  if (ciphertext) {
    w.WriteBytes(*ciphertext);
  } else {
    w.WriteNull();
  }
  w.BeginArray(recipients.size());
  for (const RawRecipient& rr : recipients) {
    w.BeginArray(3 + rr.extra_items);
    w.WriteBytes(rr.protected_bucket);
    w.WriteRaw(rr.unprotected_map);
    w.WriteBytes(rr.encrypted_key);
    for (int i = 0; i < rr.extra_items; ++i) w.WriteNull();
  }
  Result<Bytes> out = std::move(w).Finish();
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  return out.ok() ? *out : Bytes{};
}

// Fixed test keys.
const Bytes kKek128 = H("000102030405060708090a0b0c0d0e0f");
const Bytes kKek192 = H("000102030405060708090a0b0c0d0e0f1011121314151617");
const Bytes kKek256 = H("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
const Bytes kOtherKek128 = H("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
constexpr std::string_view kPlain = "The quick brown fox jumps over the lazy dog.";
constexpr std::string_view kSuitOther = "SUIT Payload Encryption";

// A valid A128KW recipient for kKek128 wrapping `cek`.
RawRecipient KwRecipient(ByteView cek, ByteView kid = {}) {
  RawRecipient r;
  std::vector<std::pair<int64_t, Bytes>> u = {{kHeaderAlg, Item(kAlgA128Kw)}};
  if (!kid.empty()) u.emplace_back(kHeaderKid, Item(kid));
  r.unprotected_map = Map(std::move(u));
  Result<Bytes> wrapped = crypto::AesKeyWrap(kKek128, cek);
  EXPECT_TRUE(wrapped.ok());
  if (wrapped.ok()) r.encrypted_key = *wrapped;
  return r;
}

// Enc_structure of RFC 9052 §5.3, written out independently.
Bytes EncStructure(std::string_view context, ByteView protected_bucket, ByteView aad) {
  cbor::Writer w;
  w.BeginArray(3);
  w.WriteText(context);
  w.WriteBytes(protected_bucket);
  w.WriteBytes(aad);
  return *std::move(w).Finish();
}

// A correct hand-built A128GCM COSE_Encrypt with one A128KW recipient.
struct GcmParts {
  Bytes cek = H("11111111111111111111111111111111");
  Bytes iv = H("0102030405060708090a0b0c");
  Bytes protected_bucket = Map({{kHeaderAlg, Item(kAlgA128Gcm)}});
  Bytes ciphertext;
  GcmParts() {
    Result<Bytes> ct = crypto::AesGcmSeal(cek, iv, EncStructure("Encrypt", protected_bucket, {}),
                                          AsBytes(kPlain));
    EXPECT_TRUE(ct.ok());
    if (ct.ok()) ciphertext = *ct;
  }
  Bytes Message() const {
    return BuildEncrypt(protected_bucket, Map({{kHeaderIv, Item(iv)}}), ciphertext,
                        {KwRecipient(cek)});
  }
};

// A correct hand-built A128CTR COSE_Encrypt with one A128KW recipient.
struct CtrParts {
  Bytes cek = H("22222222222222222222222222222222");
  Bytes iv = H("000102030405060708090a0b0c0d0e0f");
  Bytes ciphertext;
  CtrParts() {
    ciphertext.resize(kPlain.size());
    EXPECT_TRUE(crypto::AesCtrXor(cek, iv, AsBytes(kPlain), ciphertext).ok());
  }
  Bytes Message() const {
    return BuildEncrypt({}, Map({{kHeaderAlg, Item(kAlgA128Ctr)}, {kHeaderIv, Item(iv)}}),
                        ciphertext, {KwRecipient(cek)});
  }
};

Result<crypto::SecretBytes> DecodeAndDecrypt(ByteView message, const DecryptionKey& key,
                                             ByteView aad = {},
                                             std::optional<ByteView> detached = std::nullopt) {
  TEEP_ASSIGN_OR_RETURN(EncryptMessage m, DecodeEncrypt(message));
  return DecryptEncrypt(m, key, aad, detached);
}

KeyWrapKey Kw(ByteView kek, ByteView kid = {}) { return KeyWrapKey{kek, kid}; }

// The P-256 recipient key of TEEP Appendix E.3 (and of the SUIT
// firmware-encryption ES-DH examples: the same x, y, d).
crypto::PrivateKey AppE3Key() {
  Result<CoseKey> k = DecodeKey(SpecHex("teep/vectors/keys/appE3-kek-p256.cose_key.hex"));
  EXPECT_TRUE(k.ok()) << k.status().ToString();
  Result<crypto::PrivateKey> p = k->ToPrivateKey();
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return std::move(p).value();
}

// ---- published vectors ---------------------------------------------------------

constexpr std::string_view kE3Plaintext =
    R"({"name":"FOO Bar","secret":"0123456789abfcdef0123456789abcd"})";

// draft-ietf-teep-protocol-26 Appendix E, Example 3: A128CTR content with an
// ECDH-ES + A128KW recipient, detached ciphertext in suit-parameter-content.
TEST(EncryptVectorTest, TeepE3PersonalizationDataDecrypts) {
  const Bytes envelope = SpecHex("teep/vectors/e3-suit-personalization.hex");
  ASSERT_EQ(envelope.size(), 701u);
  // Envelope key 3: bstr-wrapped manifest.
  std::optional<ByteView> manifest = BstrContent(MapValue(envelope, 3));
  ASSERT_TRUE(manifest);
  // Manifest key 20 (install): bstr-wrapped command sequence; its
  // override-parameters (20) carry content (18) and encryption-info (19).
  std::optional<ByteView> install_params =
      CommandArgument(BstrContent(MapValue(*manifest, 20)), 20);
  ASSERT_TRUE(install_params);
  std::optional<ByteView> ciphertext = BstrContent(Lookup(install_params, 18));
  std::optional<ByteView> encryption_info = BstrContent(Lookup(install_params, 19));
  ASSERT_TRUE(ciphertext);
  ASSERT_TRUE(encryption_info);
  // Manifest key 7 (validate): image digest (3) and size (14) of the plaintext.
  std::optional<ByteView> validate_params =
      CommandArgument(BstrContent(MapValue(*manifest, 7)), 20);
  ASSERT_TRUE(validate_params);
  std::optional<ByteView> digest_item = BstrContent(Lookup(validate_params, 3));
  ASSERT_TRUE(digest_item);
  cbor::Reader dr = cbor::Reader::Open(*digest_item, cbor::RelaxedOptions());
  uint64_t digest_items = 0;
  int64_t digest_alg = 0;
  ByteView digest;
  ASSERT_TRUE(dr.ReadArrayHeader(&digest_items) && dr.ReadInt(&digest_alg) &&
              dr.ReadBytes(&digest));
  ASSERT_EQ(digest_items, 2u);
  ASSERT_EQ(digest_alg, kAlgSha256);
  std::optional<ByteView> size_item = Lookup(validate_params, 14);
  ASSERT_TRUE(size_item);
  uint64_t image_size = 0;
  cbor::Reader sr = cbor::Reader::Open(*size_item, cbor::RelaxedOptions());
  ASSERT_TRUE(sr.ReadUint(&image_size));

  // SUIT parameter 19 is SUIT_Encryption_Info = #6.96(COSE_Encrypt).
  ASSERT_OK_AND_ASSIGN(EncryptMessage m, DecodeEncrypt(*encryption_info, TagPolicy::kRequireTagged));
  EXPECT_TRUE(m.tagged);
  EXPECT_FALSE(m.ciphertext.has_value());
  EXPECT_TRUE(m.headers.protected_bytes.empty());
  EXPECT_EQ(m.headers.unprotected_params.alg, kAlgA128Ctr);
  ASSERT_EQ(m.recipients.size(), 1u);
  EXPECT_EQ(m.recipients[0].headers.protected_params.alg, kAlgEcdhEsA128Kw);

  const crypto::PrivateKey key = AppE3Key();
  ASSERT_OK_AND_ASSIGN(crypto::SecretBytes plaintext,
                       DecryptEncrypt(m, EcdhKey{&key, kSuitOther, {}}, {}, *ciphertext));
  EXPECT_EQ(Str(plaintext), kE3Plaintext);
  EXPECT_EQ(plaintext.size(), 61u);
  EXPECT_EQ(plaintext.size(), image_size);
  const std::array<uint8_t, 32> sha = crypto::Sha256(plaintext.view());
  EXPECT_EQ(HexEncode(sha), HexEncode(digest));

  // The KDF context binds the protocol string: TEEP's "SUIT Report
  // Encryption" does not derive the same KEK.
  EXPECT_ERROR(DecryptEncrypt(m, EcdhKey{&key, "SUIT Report Encryption", {}}, {}, *ciphertext),
               StatusCode::kVerificationFailed, "no recipient could be decrypted");
  // The ciphertext is detached: it must be supplied.
  EXPECT_ERROR(DecryptEncrypt(m, EcdhKey{&key, kSuitOther, {}}), StatusCode::kInvalidArgument,
               "ciphertext is detached");
}

// draft-ietf-suit-firmware-encryption §5.2.4 / examples/a128kw_kdf_context.diag.
TEST(EncryptVectorTest, KdfContextMatchesSuitExample) {
  ASSERT_OK_AND_ASSIGN(Bytes context, EncodeKdfContext(kAlgA128Kw, 128, H("A101381C"), kSuitOther));
  EXPECT_EQ(HexEncode(context),
            HexEncode(H("842283F6F6F683F6F6F683188044A101381C5753554954205061796C6F616420456E6372"
                        "797074696F6E")));
}

// SUIT firmware-encryption AES-KW and ES-DH examples with A128GCM and a
// 12-byte IV ("This is a real firmware image.", KEK 'aaaaaaaaaaaaaaaa' with
// kid 'kid-1'; ES-DH to the appE3 key with kid 'kid-2'). Bytes as carried in
// the libcsuit test files (suit_manifest_expAW / ES-DH write examples, by a
// co-author of the draft); both share one CEK and so one ciphertext.
constexpr std::string_view kFeFirmware = "This is a real firmware image.";
constexpr std::string_view kFeCiphertext =
    "758C4B7BBAE2C4C1D462423E0F0DC3164FFA7B85BB94D4BD6D7ED26AB32FEB063385D4D3465927EC82CB5E198A59";

TEST(EncryptVectorTest, SuitFirmwareEncryptionAesKwExample) {
  const Bytes message = H(
      "D8608443A10101A1054CF14AAB9D81D51F7AD943FE87F6818340A2012204456B69642D31581875603FFC9518D7"
      "94713C8CA8A115A7FB32565A6D59534D62");
  const Bytes ciphertext = H(kFeCiphertext);
  const Bytes kek(16, 'a');
  ASSERT_OK_AND_ASSIGN(crypto::SecretBytes pt,
                       DecodeAndDecrypt(message, Kw(kek, AsBytes("kid-1")), {}, ciphertext));
  EXPECT_EQ(Str(pt), kFeFirmware);
  // Without a kid every AES-KW recipient is tried.
  ASSERT_OK_AND_ASSIGN(crypto::SecretBytes pt2, DecodeAndDecrypt(message, Kw(kek), {}, ciphertext));
  EXPECT_EQ(Str(pt2), kFeFirmware);
  // A kid that names no recipient.
  EXPECT_ERROR(DecodeAndDecrypt(message, Kw(kek, AsBytes("kid-2")), {}, ciphertext),
               StatusCode::kVerificationFailed, "no recipient could be decrypted");
}

TEST(EncryptVectorTest, SuitFirmwareEncryptionEsDhExample) {
  const Bytes message = H(
      "D8608443A10101A1054CF14AAB9D81D51F7AD943FE87F6818344A101381CA220A401022001215820"
      "73024F415AA51529A66CCEFD88F3F62A734492FF45F6AD37FD2888E73EAF19DA225820"
      "4005B48A6FD091AA6ABFE3CFBEEDE88B347E521D43405FDBD7D2CFF0EBC21B2604456B69642D325818"
      "A06B8E6550F308712B1DF044B21B7D11D9B22792F1DE0997");
  const Bytes ciphertext = H(kFeCiphertext);
  const crypto::PrivateKey key = AppE3Key();
  ASSERT_OK_AND_ASSIGN(crypto::SecretBytes pt,
                       DecodeAndDecrypt(message, EcdhKey{&key, kSuitOther, AsBytes("kid-2")}, {},
                                        ciphertext));
  EXPECT_EQ(Str(pt), kFeFirmware);
}

// draft-ietf-suit-firmware-encryption-19 §7.2.1 (AES-KW + AES-CTR): a
// message that decrypts with a lax implementation (checked offline), but puts
// A128CTR in the protected bucket, which RFC 9459 §4 forbids.
TEST(EncryptVectorTest, SuitDraft19CtrExampleWithProtectedAlgIsRejected) {
  const Bytes message = H(
      "D8608445A10139FFFDA1055093702C81590F845D9EC866CCAC767BD1F6818341A0A2012204456B69642D3158"
      "18CE34035CE5C2E2666E46D4C131FC561DD190A6D26CFA1990");
  const Bytes ciphertext = H("B74188DE68CD904873C7D4AB265A7F5608AC63F68DBBCE7773ADCB38DA07");
  EXPECT_ERROR(DecodeAndDecrypt(message, Kw(Bytes(16, 'a')), {}, ciphertext),
               StatusCode::kMalformed, "protected bucket must be a zero-length byte string");
}

// draft-ietf-suit-firmware-encryption-19 §6.2.5 (ES-DH + A128GCM) uses a
// 16-byte IV with AES-GCM; COSE requires 96 bits (RFC 9053 §4.1).
TEST(EncryptVectorTest, SuitDraft19GcmExampleWith16ByteIvIsRejected) {
  const Bytes message = H(
      "D8608443A10101A10550DAE613B2E0DC55F4322BE38BDBA9DC68F6818344A101381CA220A401022001215820"
      "FF6E266DABAF51B7207569E31CF72646183E94CEE64FCDC8695AD9A505AEFDEA2258205FBC4A29844450B3AC"
      "22AB30C7F7004BB59D8BD60D7997734A9FA0124B65089504456B69642D325818B0E21628283F3E409F8158D8"
      "FFCA567F340E379AC39E49C9");
  const Bytes ciphertext =
      H("344FA2D5AD2F43F6F363DA6FF2C337FE69E33E3D63714D23985BF02499EB0E8B231D45C378245DA3611C160C"
        "C511");
  const crypto::PrivateKey key = AppE3Key();
  EXPECT_ERROR(DecodeAndDecrypt(message, EcdhKey{&key, kSuitOther, {}}, {}, ciphertext),
               StatusCode::kMalformed, "IV (5) must be 12 bytes for 1 (A128GCM), got 16");
}

// cose-wg/Examples: key "our-secret" (k = hJtXIZ2uSN5kbQfbtTNWbg), plaintext
// "This is the content.".
const Bytes kOurSecret = H("849B57219DAE48DE646D07DBB533566E");
constexpr std::string_view kCoseWgContent = "This is the content.";

TEST(EncryptVectorTest, CoseWgAesGcmEnc01Encrypt0) {
  // aes-gcm-examples/aes-gcm-enc-01.json
  const Bytes message = H(
      "D08343A10101A1054C02D1F7E6F26C43D4868D87CE582460973A94BB2898009EE52ECFD9AB1DD25867374B162E"
      "2C03568B41F57C3CC16F9166250A");
  ASSERT_OK_AND_ASSIGN(Encrypt0Message m, DecodeEncrypt0(message, TagPolicy::kRequireTagged));
  ASSERT_OK_AND_ASSIGN(crypto::SecretBytes pt, DecryptEncrypt0(m, kOurSecret));
  EXPECT_EQ(Str(pt), kCoseWgContent);
  // The tag covers the Enc_structure: a different external AAD fails.
  EXPECT_ERROR(DecryptEncrypt0(m, kOurSecret, AsBytes("x")), StatusCode::kVerificationFailed, "");
}

TEST(EncryptVectorTest, CoseWgEncPass02Encrypt0WithExternalAad) {
  // encrypted-tests/enc-pass-02.json: external AAD h'0011bbcc22dd4455dd220099'.
  const Bytes message = H(
      "D08343A10101A1054C02D1F7E6F26C43D4868D87CE582460973A94BB2898009EE52ECFD9AB1DD25867374B1DC3"
      "A143880CA2883A5630DA08AE1E6E");
  const Bytes aad = H("0011bbcc22dd4455dd220099");
  ASSERT_OK_AND_ASSIGN(Encrypt0Message m, DecodeEncrypt0(message));
  ASSERT_OK_AND_ASSIGN(crypto::SecretBytes pt, DecryptEncrypt0(m, kOurSecret, aad));
  EXPECT_EQ(Str(pt), kCoseWgContent);
  EXPECT_ERROR(DecryptEncrypt0(m, kOurSecret), StatusCode::kVerificationFailed, "");
}

TEST(EncryptVectorTest, CoseWgAesGcmEnc02A192Gcm) {
  // aes-gcm-examples/aes-gcm-enc-02.json (A192GCM, key "sec-192").
  const Bytes message = H(
      "D08343A10102A1054C02D1F7E6F26C43D4868D87CE5824134D3B9223A00C1552C77585C157F467F295919D530F"
      "BE21F7689AB3CD4D18FFE8E17CEB");
  ASSERT_OK_AND_ASSIGN(Encrypt0Message m, DecodeEncrypt0(message));
  ASSERT_OK_AND_ASSIGN(crypto::SecretBytes pt,
                       DecryptEncrypt0(m, H("0F1E2D3C4B5A69788796A5B4C3D2E1F01F2E3D4C5B6A7988")));
  EXPECT_EQ(Str(pt), kCoseWgContent);
}

TEST(EncryptVectorTest, CoseWgAesWrap128_04) {
  // aes-wrap-examples/aes-wrap-128-04.json: A128GCM content, A128KW recipient.
  const Bytes message = H(
      "D8608443A10101A1054CDDDC08972DF9BE62855291A158246F5556D71834CD1BD3FDCBFFF28CFA0F7D598C138D"
      "23B40C225AF5E3F2096A46C766813D818340A20122044A6F75722D7365637265745818112872F405A5AC48A2ED"
      "E46AC20E93E3D3A38B9762D0A3E8");
  ASSERT_OK_AND_ASSIGN(crypto::SecretBytes pt,
                       DecodeAndDecrypt(message, Kw(kOurSecret, AsBytes("our-secret"))));
  EXPECT_EQ(Str(pt), kCoseWgContent);
  EXPECT_ERROR(DecodeAndDecrypt(message, Kw(kOtherKek128)), StatusCode::kVerificationFailed,
               "no recipient could be decrypted with the given key");
}

// Our own Enc_structure and placement against a message built by hand.
TEST(EncryptVectorTest, HandBuiltMessagesDecrypt) {
  GcmParts gcm;
  ASSERT_OK_AND_ASSIGN(crypto::SecretBytes a, DecodeAndDecrypt(gcm.Message(), Kw(kKek128)));
  EXPECT_EQ(Str(a), kPlain);
  CtrParts ctr;
  ASSERT_OK_AND_ASSIGN(crypto::SecretBytes b, DecodeAndDecrypt(ctr.Message(), Kw(kKek128)));
  EXPECT_EQ(Str(b), kPlain);
}

// ---- round trips -----------------------------------------------------------------

enum class RecipientKind { kA128Kw, kA192Kw, kA256Kw, kEcdh, kEcdhX25519 };

std::string KindName(RecipientKind k) {
  switch (k) {
    case RecipientKind::kA128Kw: return "A128KW";
    case RecipientKind::kA192Kw: return "A192KW";
    case RecipientKind::kA256Kw: return "A256KW";
    case RecipientKind::kEcdh: return "EcdhEsA128KW";
    case RecipientKind::kEcdhX25519: return "EcdhEsA128KW_X25519";
  }
  return "?";
}

const int64_t kContentAlgs[] = {kAlgA128Gcm, kAlgA192Gcm,  kAlgA256Gcm, kAlgChaCha20Poly1305,
                                kAlgA128Ctr, kAlgA192Ctr, kAlgA256Ctr};

using RoundTripParam = std::tuple<int64_t, RecipientKind, bool /*detached*/, bool /*tagged*/>;

class EncryptRoundTripTest : public testing::TestWithParam<RoundTripParam> {};

TEST_P(EncryptRoundTripTest, EncryptsAndDecrypts) {
  const auto [alg, kind, detached, tagged] = GetParam();
  const bool aead = IsAeadContentAlg(alg);
  const Bytes aad = aead ? Bytes{'h', 'd', 'r'} : Bytes{};

  // ECDH over P-256 (ESP256 SUIT profiles) or X25519 (the Ed25519 ones).
  const crypto::KeyType ecdh_type =
      kind == RecipientKind::kEcdhX25519 ? crypto::KeyType::kX25519 : crypto::KeyType::kP256;
  ASSERT_OK_AND_ASSIGN(crypto::PrivateKey recipient_key, crypto::PrivateKey::Generate(ecdh_type));
  ASSERT_OK_AND_ASSIGN(crypto::PrivateKey other_key, crypto::PrivateKey::Generate(ecdh_type));
  const crypto::PublicKey recipient_pub = recipient_key.Public();

  RecipientSpec spec;
  DecryptionKey good;
  DecryptionKey wrong;
  const Bytes kid = {'k', '1'};
  switch (kind) {
    case RecipientKind::kA128Kw:
      spec = KeyWrapRecipient{kKek128, kid, kAlgA128Kw};
      good = Kw(kKek128);
      wrong = Kw(kOtherKek128);
      break;
    case RecipientKind::kA192Kw:
      spec = KeyWrapRecipient{kKek192, kid, kAlgA192Kw};
      good = Kw(kKek192);
      wrong = Kw(H("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff0001020304050607"));
      break;
    case RecipientKind::kA256Kw:
      spec = KeyWrapRecipient{kKek256, kid, kAlgA256Kw};
      good = Kw(kKek256);
      wrong = Kw(H("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f"));
      break;
    case RecipientKind::kEcdh:
    case RecipientKind::kEcdhX25519:
      spec = EcdhRecipient{&recipient_pub, kid, kSuitOther};
      good = EcdhKey{&recipient_key, kSuitOther, {}};
      wrong = EcdhKey{&other_key, kSuitOther, {}};
      break;
  }

  EncryptOptions options;
  options.content_alg = alg;
  options.tagged = tagged;
  options.detached = detached;
  options.external_aad = aad;
  ASSERT_OK_AND_ASSIGN(EncryptResult created,
                       CreateEncrypt(std::span<const RecipientSpec>(&spec, 1), AsBytes(kPlain),
                                     options));
  // Deterministic encoding: the output passes the strict checker.
  EXPECT_FALSE(cbor::Check(created.message).has_value());
  EXPECT_FALSE(Contains(created.message, AsBytes("quick brown")));

  ASSERT_OK_AND_ASSIGN(EncryptMessage m, DecodeEncrypt(created.message));
  EXPECT_EQ(m.tagged, tagged);
  EXPECT_EQ(m.ciphertext.has_value(), !detached);
  EXPECT_EQ(created.detached_ciphertext.empty(), !detached);
  if (aead) {
    // The AEAD algorithm is authenticated: protected bucket {1: alg}.
    EXPECT_EQ(m.headers.protected_params.alg, alg);
    EXPECT_FALSE(m.headers.unprotected_params.alg.has_value());
    ASSERT_TRUE(m.headers.unprotected_params.iv.has_value());
    EXPECT_EQ(m.headers.unprotected_params.iv->size(), 12u);
    EXPECT_EQ(m.ciphertext ? m.ciphertext->size() : created.detached_ciphertext.size(),
              kPlain.size() + 16);
  } else {
    // RFC 9459 §4: zero-length protected bucket, alg unprotected.
    EXPECT_TRUE(m.headers.protected_bytes.empty());
    EXPECT_EQ(m.headers.unprotected_params.alg, alg);
    ASSERT_TRUE(m.headers.unprotected_params.iv.has_value());
    EXPECT_EQ(m.headers.unprotected_params.iv->size(), 16u);
  }
  ASSERT_EQ(m.recipients.size(), 1u);
  const Headers& rh = m.recipients[0].headers;
  EXPECT_EQ(rh.kid().has_value() ? ToBytes(*rh.kid()) : Bytes{}, kid);
  if (kind == RecipientKind::kEcdh || kind == RecipientKind::kEcdhX25519) {
    EXPECT_EQ(HexEncode(rh.protected_bytes), "a101381c");
    ASSERT_OK_AND_ASSIGN(CoseKey ephemeral, DecodeKey(rh.ephemeral_key()));
    EXPECT_EQ(ephemeral.kty, kind == RecipientKind::kEcdh ? kKtyEc2 : kKtyOkp);
    EXPECT_EQ(ephemeral.crv, kind == RecipientKind::kEcdh ? kCrvP256 : kCrvX25519);
  } else {
    EXPECT_TRUE(rh.protected_bytes.empty());
  }
  EXPECT_EQ(m.recipients[0].encrypted_key.size(), *ContentKeySize(alg) + 8);

  std::optional<ByteView> detached_ct;
  if (detached) detached_ct = created.detached_ciphertext;
  ASSERT_OK_AND_ASSIGN(crypto::SecretBytes pt, DecryptEncrypt(m, good, aad, detached_ct));
  EXPECT_EQ(Str(pt), kPlain);

  EXPECT_ERROR(DecryptEncrypt(m, wrong, aad, detached_ct), StatusCode::kVerificationFailed,
               "no recipient could be decrypted with the given key");
  if (aead) {
    EXPECT_ERROR(DecryptEncrypt(m, good, AsBytes("other"), detached_ct),
                 StatusCode::kVerificationFailed, "content decryption");
  } else {
    // RFC 9459 §4: external AAD is refused with CTR.
    EXPECT_ERROR(DecryptEncrypt(m, good, AsBytes("other"), detached_ct),
                 StatusCode::kInvalidArgument, "external AAD");
  }
  // Tag policy.
  EXPECT_EQ(DecodeEncrypt(created.message, tagged ? TagPolicy::kRequireUntagged
                                                  : TagPolicy::kRequireTagged)
                .status()
                .code(),
            StatusCode::kMalformed);
}

INSTANTIATE_TEST_SUITE_P(
    AllAlgorithms, EncryptRoundTripTest,
    testing::Combine(testing::ValuesIn(kContentAlgs),
                     testing::Values(RecipientKind::kA128Kw, RecipientKind::kA192Kw,
                                     RecipientKind::kA256Kw, RecipientKind::kEcdh,
                                     RecipientKind::kEcdhX25519),
                     testing::Bool(), testing::Bool()),
    [](const testing::TestParamInfo<RoundTripParam>& param_info) {
      const RoundTripParam& p = param_info.param;
      std::string name(*AlgorithmName(std::get<0>(p)));
      name.erase(std::remove_if(name.begin(), name.end(),
                                [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }),
                 name.end());
      name += "_" + KindName(std::get<1>(p));
      name += std::get<2>(p) ? "_Detached" : "_Attached";
      name += std::get<3>(p) ? "_Tagged" : "_Untagged";
      return name;
    });

class Encrypt0RoundTripTest : public testing::TestWithParam<int64_t> {};

TEST_P(Encrypt0RoundTripTest, EncryptsAndDecrypts) {
  const int64_t alg = GetParam();
  const bool aead = IsAeadContentAlg(alg);
  Bytes cek(*ContentKeySize(alg));
  ASSERT_OK(crypto::RandomBytes(cek));
  const Bytes aad = aead ? Bytes{1, 2, 3} : Bytes{};
  for (bool detached : {false, true}) {
    EncryptOptions options;
    options.content_alg = alg;
    options.detached = detached;
    options.external_aad = aad;
    ASSERT_OK_AND_ASSIGN(EncryptResult created, CreateEncrypt0(cek, AsBytes(kPlain), options));
    EXPECT_FALSE(cbor::Check(created.message).has_value());
    EXPECT_FALSE(Contains(created.message, cek));  // nothing secret on the wire
    ASSERT_OK_AND_ASSIGN(Encrypt0Message m, DecodeEncrypt0(created.message, TagPolicy::kRequireTagged));
    std::optional<ByteView> detached_ct;
    if (detached) detached_ct = created.detached_ciphertext;
    ASSERT_OK_AND_ASSIGN(crypto::SecretBytes pt, DecryptEncrypt0(m, cek, aad, detached_ct));
    EXPECT_EQ(Str(pt), kPlain);
    Bytes wrong_cek = cek;
    wrong_cek[0] ^= 1;
    if (aead) {
      EXPECT_ERROR(DecryptEncrypt0(m, wrong_cek, aad, detached_ct), StatusCode::kVerificationFailed,
                   "");
      EXPECT_ERROR(DecryptEncrypt0(m, cek, {}, detached_ct), StatusCode::kVerificationFailed, "");
    } else {
      // CTR has no integrity: a wrong key yields garbage, never the plaintext.
      ASSERT_OK_AND_ASSIGN(crypto::SecretBytes garbage,
                           DecryptEncrypt0(m, wrong_cek, aad, detached_ct));
      EXPECT_NE(Str(garbage), kPlain);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllAlgorithms, Encrypt0RoundTripTest, testing::ValuesIn(kContentAlgs));

TEST(Encrypt0Test, A128GcmRoundTripUntaggedAndEmptyPlaintext) {
  const Bytes cek = H("000102030405060708090a0b0c0d0e0f");
  EncryptOptions options;
  options.tagged = false;
  ASSERT_OK_AND_ASSIGN(EncryptResult created, CreateEncrypt0(cek, {}, options));
  EXPECT_EQ(created.message[0], 0x83);  // untagged array of 3
  ASSERT_OK_AND_ASSIGN(Encrypt0Message m, DecodeEncrypt0(created.message, TagPolicy::kRequireUntagged));
  EXPECT_FALSE(m.tagged);
  EXPECT_EQ(m.headers.protected_params.alg, kAlgA128Gcm);
  ASSERT_OK_AND_ASSIGN(crypto::SecretBytes pt, DecryptEncrypt0(m, cek));
  EXPECT_TRUE(pt.empty());
  EXPECT_ERROR(DecodeEncrypt0(created.message, TagPolicy::kRequireTagged), StatusCode::kMalformed,
               "tag 16 required");
}

TEST(Encrypt0Test, FreshIvPerMessage) {
  const Bytes cek = H("000102030405060708090a0b0c0d0e0f");
  ASSERT_OK_AND_ASSIGN(EncryptResult a, CreateEncrypt0(cek, AsBytes(kPlain)));
  ASSERT_OK_AND_ASSIGN(EncryptResult b, CreateEncrypt0(cek, AsBytes(kPlain)));
  ASSERT_OK_AND_ASSIGN(Encrypt0Message ma, DecodeEncrypt0(a.message));
  ASSERT_OK_AND_ASSIGN(Encrypt0Message mb, DecodeEncrypt0(b.message));
  EXPECT_NE(HexEncode(*ma.headers.iv()), HexEncode(*mb.headers.iv()));
}

TEST(Encrypt0Test, RejectsWrongCekSizeAndUnknownAlg) {
  EXPECT_ERROR(CreateEncrypt0(kKek256, AsBytes(kPlain)), StatusCode::kInvalidArgument,
               "content key is 32 bytes, 1 (A128GCM) needs 16");
  EncryptOptions options;
  options.content_alg = 10;  // AES-CCM-16-64-128: not implemented
  EXPECT_ERROR(CreateEncrypt0(kKek128, AsBytes(kPlain), options), StatusCode::kUnsupported,
               "content encryption alg 10 is not supported");
  ASSERT_OK_AND_ASSIGN(EncryptResult created, CreateEncrypt0(kKek128, AsBytes(kPlain)));
  ASSERT_OK_AND_ASSIGN(Encrypt0Message m, DecodeEncrypt0(created.message));
  EXPECT_ERROR(DecryptEncrypt0(m, kKek256), StatusCode::kInvalidArgument, "content key is 32 bytes");
}

TEST(Encrypt0Test, RejectsStructureErrors) {
  // Wrong tag (96 instead of 16), wrong length, trailing bytes.
  ASSERT_OK_AND_ASSIGN(EncryptResult created, CreateEncrypt0(kKek128, AsBytes(kPlain)));
  Bytes retagged = created.message;
  ASSERT_EQ(retagged[0], 0xd0);
  retagged[0] = 0xd8;
  retagged.insert(retagged.begin() + 1, 0x60);
  EXPECT_ERROR(DecodeEncrypt0(retagged), StatusCode::kMalformed, "got tag 96");
  Bytes trailing = created.message;
  trailing.push_back(0x00);
  EXPECT_ERROR(DecodeEncrypt0(trailing), StatusCode::kMalformed, "COSE_Encrypt0");
  EXPECT_ERROR(DecodeEncrypt0(H("d0824040")), StatusCode::kMalformed, "array of 3 items, got 2");
  EXPECT_ERROR(DecodeEncrypt0(H("d08340a001")), StatusCode::kMalformed,
               "ciphertext must be a byte string or nil");
}

// ---- COSE_Encrypt behaviour -----------------------------------------------------------

TEST(EncryptTest, SeveralRecipientsAndKidSelection) {
  ASSERT_OK_AND_ASSIGN(crypto::PrivateKey ec_key,
                       crypto::PrivateKey::Generate(crypto::KeyType::kP256));
  const crypto::PublicKey ec_pub = ec_key.Public();
  const std::vector<RecipientSpec> specs = {
      KeyWrapRecipient{kOtherKek128, Bytes{'a'}, kAlgA128Kw},
      EcdhRecipient{&ec_pub, Bytes{'e'}, kSuitOther},
      KeyWrapRecipient{kKek128, Bytes{'b'}, kAlgA128Kw},
  };
  ASSERT_OK_AND_ASSIGN(EncryptResult created, CreateEncrypt(specs, AsBytes(kPlain)));
  ASSERT_OK_AND_ASSIGN(EncryptMessage m, DecodeEncrypt(created.message));
  ASSERT_EQ(m.recipients.size(), 3u);
  // Each holder finds its own recipient; the one CEK serves all of them.
  for (const DecryptionKey& key :
       {DecryptionKey(Kw(kKek128)), DecryptionKey(Kw(kOtherKek128)),
        DecryptionKey(Kw(kKek128, AsBytes("b"))), DecryptionKey(EcdhKey{&ec_key, kSuitOther, {}}),
        DecryptionKey(EcdhKey{&ec_key, kSuitOther, AsBytes("e")})}) {
    ASSERT_OK_AND_ASSIGN(crypto::SecretBytes pt, DecryptEncrypt(m, key));
    EXPECT_EQ(Str(pt), kPlain);
  }
  // A kid selects one recipient only: the right KEK under the wrong kid fails.
  EXPECT_ERROR(DecryptEncrypt(m, Kw(kKek128, AsBytes("a"))), StatusCode::kVerificationFailed,
               "no recipient could be decrypted");
  EXPECT_ERROR(DecryptEncrypt(m, EcdhKey{&ec_key, kSuitOther, AsBytes("x")}),
               StatusCode::kVerificationFailed, "no recipient could be decrypted");
}

TEST(EncryptTest, FreshEphemeralKeyAndCekPerMessage) {
  ASSERT_OK_AND_ASSIGN(crypto::PrivateKey ec_key,
                       crypto::PrivateKey::Generate(crypto::KeyType::kP256));
  const crypto::PublicKey ec_pub = ec_key.Public();
  const RecipientSpec spec = EcdhRecipient{&ec_pub, {}, kSuitOther};
  ASSERT_OK_AND_ASSIGN(EncryptResult a, CreateEncrypt(std::span(&spec, 1), AsBytes(kPlain)));
  ASSERT_OK_AND_ASSIGN(EncryptResult b, CreateEncrypt(std::span(&spec, 1), AsBytes(kPlain)));
  ASSERT_OK_AND_ASSIGN(EncryptMessage ma, DecodeEncrypt(a.message));
  ASSERT_OK_AND_ASSIGN(EncryptMessage mb, DecodeEncrypt(b.message));
  EXPECT_NE(HexEncode(ma.recipients[0].headers.ephemeral_key()),
            HexEncode(mb.recipients[0].headers.ephemeral_key()));
  EXPECT_NE(HexEncode(ma.recipients[0].encrypted_key), HexEncode(mb.recipients[0].encrypted_key));
  // The ephemeral key is a public EC2 P-256 COSE_Key {1: 2, -1: 1, -2: x, -3: y}.
  ASSERT_OK_AND_ASSIGN(CoseKey eph, DecodeKey(ma.recipients[0].headers.ephemeral_key()));
  EXPECT_EQ(eph.kty, kKtyEc2);
  EXPECT_EQ(eph.crv, kCrvP256);
  EXPECT_FALSE(eph.has_private());
  EXPECT_EQ(ma.recipients[0].headers.ephemeral_key().size(), 75u);
}

TEST(EncryptTest, CreateRejectsBadArguments) {
  const std::vector<RecipientSpec> none;
  EXPECT_ERROR(CreateEncrypt(none, AsBytes(kPlain)), StatusCode::kInvalidArgument,
               "at least one recipient");
  const RecipientSpec short_kek = KeyWrapRecipient{kKek128, {}, kAlgA256Kw};
  EXPECT_ERROR(CreateEncrypt(std::span(&short_kek, 1), AsBytes(kPlain)),
               StatusCode::kInvalidArgument, "recipients[0]: KEK is 16 bytes, -5 (A256KW) needs 32");
  const RecipientSpec not_kw = KeyWrapRecipient{kKek128, {}, kAlgA128Gcm};
  EXPECT_ERROR(CreateEncrypt(std::span(&not_kw, 1), AsBytes(kPlain)), StatusCode::kUnsupported,
               "not an AES key wrap algorithm");
  ASSERT_OK_AND_ASSIGN(crypto::PrivateKey p384,
                       crypto::PrivateKey::Generate(crypto::KeyType::kP384));
  const crypto::PublicKey p384_pub = p384.Public();
  const RecipientSpec wrong_curve = EcdhRecipient{&p384_pub, {}, kSuitOther};
  EXPECT_ERROR(CreateEncrypt(std::span(&wrong_curve, 1), AsBytes(kPlain)),
               StatusCode::kInvalidArgument, "needs a P-256 or X25519 recipient key");
  const RecipientSpec ok = KeyWrapRecipient{kKek128, {}, kAlgA128Kw};
  EncryptOptions ctr_with_aad;
  ctr_with_aad.content_alg = kAlgA128Ctr;
  ctr_with_aad.external_aad = AsBytes("aad");
  EXPECT_ERROR(CreateEncrypt(std::span(&ok, 1), AsBytes(kPlain), ctr_with_aad),
               StatusCode::kInvalidArgument, "external AAD cannot be used with -65534 (A128CTR)");
  EncryptOptions unknown;
  unknown.content_alg = -65531;  // A128CBC: not implemented
  EXPECT_ERROR(CreateEncrypt(std::span(&ok, 1), AsBytes(kPlain), unknown), StatusCode::kUnsupported,
               "not supported");
}

TEST(EncryptTest, DecryptRejectsBadKeys) {
  GcmParts gcm;
  ASSERT_OK_AND_ASSIGN(EncryptMessage m, DecodeEncrypt(gcm.Message()));
  EXPECT_ERROR(DecryptEncrypt(m, Kw(H("0001"))), StatusCode::kInvalidArgument,
               "KEK must be 16, 24 or 32 bytes");
  EXPECT_ERROR(DecryptEncrypt(m, EcdhKey{nullptr, kSuitOther, {}}), StatusCode::kInvalidArgument,
               "no private key");
  ASSERT_OK_AND_ASSIGN(crypto::PrivateKey ed, crypto::PrivateKey::Generate(crypto::KeyType::kEd25519));
  EXPECT_ERROR(DecryptEncrypt(m, EcdhKey{&ed, kSuitOther, {}}), StatusCode::kInvalidArgument,
               "needs a P-256 or X25519 private key");
  // A KEK of another size than the recipient's alg never matches it.
  EXPECT_ERROR(DecryptEncrypt(m, Kw(kKek256)), StatusCode::kVerificationFailed,
               "no recipient could be decrypted");
  // An ECDH key does not match an AES-KW recipient.
  ASSERT_OK_AND_ASSIGN(crypto::PrivateKey ec, crypto::PrivateKey::Generate(crypto::KeyType::kP256));
  EXPECT_ERROR(DecryptEncrypt(m, EcdhKey{&ec, kSuitOther, {}}), StatusCode::kVerificationFailed,
               "no recipient could be decrypted");
}

TEST(EncryptTest, EcdhKeyTypesMustMatch) {
  // A message to a P-256 recipient carries a P-256 ephemeral key: an X25519
  // private key does not go with it (and the reverse), whatever the kid says.
  ASSERT_OK_AND_ASSIGN(crypto::PrivateKey p256, crypto::PrivateKey::Generate(crypto::KeyType::kP256));
  ASSERT_OK_AND_ASSIGN(crypto::PrivateKey x25519,
                       crypto::PrivateKey::Generate(crypto::KeyType::kX25519));
  const crypto::PublicKey p256_pub = p256.Public();
  const crypto::PublicKey x25519_pub = x25519.Public();
  const RecipientSpec to_p256 = EcdhRecipient{&p256_pub, {}, kSuitOther};
  const RecipientSpec to_x25519 = EcdhRecipient{&x25519_pub, {}, kSuitOther};
  ASSERT_OK_AND_ASSIGN(EncryptResult a, CreateEncrypt(std::span(&to_p256, 1), AsBytes(kPlain)));
  ASSERT_OK_AND_ASSIGN(EncryptResult b, CreateEncrypt(std::span(&to_x25519, 1), AsBytes(kPlain)));
  ASSERT_OK_AND_ASSIGN(EncryptMessage ma, DecodeEncrypt(a.message));
  ASSERT_OK_AND_ASSIGN(EncryptMessage mb, DecodeEncrypt(b.message));
  EXPECT_ERROR(DecryptEncrypt(ma, EcdhKey{&x25519, kSuitOther, {}}), StatusCode::kVerificationFailed,
               "no recipient could be decrypted");
  EXPECT_ERROR(DecryptEncrypt(mb, EcdhKey{&p256, kSuitOther, {}}), StatusCode::kVerificationFailed,
               "no recipient could be decrypted");
  // With a recipient for each, each key finds its own.
  const RecipientSpec both[] = {to_p256, to_x25519};
  ASSERT_OK_AND_ASSIGN(EncryptResult c, CreateEncrypt(both, AsBytes(kPlain)));
  ASSERT_OK_AND_ASSIGN(EncryptMessage mc, DecodeEncrypt(c.message));
  ASSERT_OK_AND_ASSIGN(crypto::SecretBytes by_x25519, DecryptEncrypt(mc, EcdhKey{&x25519, kSuitOther, {}}));
  ASSERT_OK_AND_ASSIGN(crypto::SecretBytes by_p256, DecryptEncrypt(mc, EcdhKey{&p256, kSuitOther, {}}));
  EXPECT_EQ(Str(by_x25519), kPlain);
  EXPECT_EQ(Str(by_p256), kPlain);
}

TEST(EncryptTest, DetachedAndAttachedCiphertextMustNotBeMixed) {
  GcmParts gcm;
  ASSERT_OK_AND_ASSIGN(EncryptMessage m, DecodeEncrypt(gcm.Message()));
  EXPECT_ERROR(DecryptEncrypt(m, Kw(kKek128), {}, gcm.ciphertext), StatusCode::kInvalidArgument,
               "was also given");
}

// ---- rejection rules, one defect each -----------------------------------------------------

TEST(EncryptRejectTest, FlippedGcmCiphertextBitFails) {
  GcmParts gcm;
  for (size_t index : {size_t{0}, gcm.ciphertext.size() - 1}) {  // body and tag
    Bytes flipped = gcm.ciphertext;
    flipped[index] ^= 0x01;
    const Bytes message = BuildEncrypt(gcm.protected_bucket, Map({{kHeaderIv, Item(gcm.iv)}}),
                                       flipped, {KwRecipient(gcm.cek)});
    EXPECT_ERROR(DecodeAndDecrypt(message, Kw(kKek128)), StatusCode::kVerificationFailed,
                 "COSE_Encrypt: content decryption");
  }
}

TEST(EncryptRejectTest, WrongKekAndWrongEcdhKeyFail) {
  GcmParts gcm;
  EXPECT_ERROR(DecodeAndDecrypt(gcm.Message(), Kw(kOtherKek128)), StatusCode::kVerificationFailed,
               "COSE_Encrypt: no recipient could be decrypted with the given key");
  // ECDH: recipient for one key, decrypted with another.
  ASSERT_OK_AND_ASSIGN(crypto::PrivateKey a, crypto::PrivateKey::Generate(crypto::KeyType::kP256));
  ASSERT_OK_AND_ASSIGN(crypto::PrivateKey b, crypto::PrivateKey::Generate(crypto::KeyType::kP256));
  const crypto::PublicKey a_pub = a.Public();
  const RecipientSpec spec = EcdhRecipient{&a_pub, {}, kSuitOther};
  ASSERT_OK_AND_ASSIGN(EncryptResult created, CreateEncrypt(std::span(&spec, 1), AsBytes(kPlain)));
  EXPECT_ERROR(DecodeAndDecrypt(created.message, EcdhKey{&b, kSuitOther, {}}),
               StatusCode::kVerificationFailed, "no recipient could be decrypted");
}

TEST(EncryptRejectTest, CtrWithNonEmptyProtectedBucket) {
  CtrParts ctr;
  // Same content, but alg moved into the protected bucket (the draft-19 layout).
  const Bytes moved = BuildEncrypt(Map({{kHeaderAlg, Item(kAlgA128Ctr)}}),
                                   Map({{kHeaderIv, Item(ctr.iv)}}), ctr.ciphertext,
                                   {KwRecipient(ctr.cek)});
  EXPECT_ERROR(DecodeAndDecrypt(moved, Kw(kKek128)), StatusCode::kMalformed,
               "COSE_Encrypt: protected bucket must be a zero-length byte string for -65534 "
               "(A128CTR) (RFC 9459 §4)");
  // Even an encoded empty map (h'A0') is not zero-length.
  const Bytes empty_map = BuildEncrypt(
      H("a0"), Map({{kHeaderAlg, Item(kAlgA128Ctr)}, {kHeaderIv, Item(ctr.iv)}}), ctr.ciphertext,
      {KwRecipient(ctr.cek)});
  EXPECT_ERROR(DecodeAndDecrypt(empty_map, Kw(kKek128)), StatusCode::kMalformed,
               "zero-length byte string");
}

TEST(EncryptRejectTest, CtrRefusesExternalAad) {
  CtrParts ctr;
  EXPECT_ERROR(DecodeAndDecrypt(ctr.Message(), Kw(kKek128), AsBytes("aad")),
               StatusCode::kInvalidArgument, "external AAD cannot be used");
}

TEST(EncryptRejectTest, AeadAlgOnlyInUnprotectedBucket) {
  GcmParts gcm;
  // Content sealed with an empty protected bucket so that only the rule fails.
  Result<Bytes> ct = crypto::AesGcmSeal(gcm.cek, gcm.iv, EncStructure("Encrypt", {}, {}),
                                        AsBytes(kPlain));
  ASSERT_TRUE(ct.ok());
  const Bytes message = BuildEncrypt(
      {}, Map({{kHeaderAlg, Item(kAlgA128Gcm)}, {kHeaderIv, Item(gcm.iv)}}), *ct,
      {KwRecipient(gcm.cek)});
  EXPECT_ERROR(DecodeAndDecrypt(message, Kw(kKek128)), StatusCode::kMalformed,
               "COSE_Encrypt: alg (1) 1 (A128GCM) must be in the protected bucket");
}

TEST(EncryptRejectTest, IvOfWrongLength) {
  GcmParts gcm;
  const Bytes long_iv = BuildEncrypt(gcm.protected_bucket,
                                     Map({{kHeaderIv, Item(H("0102030405060708090a0b0c0d0e0f10"))}}),
                                     gcm.ciphertext, {KwRecipient(gcm.cek)});
  EXPECT_ERROR(DecodeAndDecrypt(long_iv, Kw(kKek128)), StatusCode::kMalformed,
               "IV (5) must be 12 bytes for 1 (A128GCM), got 16");
  CtrParts ctr;
  const Bytes short_iv = BuildEncrypt(
      {}, Map({{kHeaderAlg, Item(kAlgA128Ctr)}, {kHeaderIv, Item(H("0102030405060708090a0b0c"))}}),
      ctr.ciphertext, {KwRecipient(ctr.cek)});
  EXPECT_ERROR(DecodeAndDecrypt(short_iv, Kw(kKek128)), StatusCode::kMalformed,
               "IV (5) must be 16 bytes for -65534 (A128CTR), got 12");
  const Bytes no_iv =
      BuildEncrypt(gcm.protected_bucket, Map({}), gcm.ciphertext, {KwRecipient(gcm.cek)});
  EXPECT_ERROR(DecodeAndDecrypt(no_iv, Kw(kKek128)), StatusCode::kMalformed, "IV (5) missing");
}

TEST(EncryptRejectTest, PartialIvIsUnsupported) {
  GcmParts gcm;
  const Bytes message = BuildEncrypt(gcm.protected_bucket, Map({{kHeaderPartialIv, Item(H("01"))}}),
                                     gcm.ciphertext, {KwRecipient(gcm.cek)});
  EXPECT_ERROR(DecodeAndDecrypt(message, Kw(kKek128)), StatusCode::kUnsupported,
               "partial IV (6) is not supported");
}

TEST(EncryptRejectTest, UnknownOrMissingContentAlg) {
  GcmParts gcm;
  const Bytes ccm = BuildEncrypt(Map({{kHeaderAlg, Item(10)}}), Map({{kHeaderIv, Item(gcm.iv)}}),
                                 gcm.ciphertext, {KwRecipient(gcm.cek)});
  EXPECT_ERROR(DecodeAndDecrypt(ccm, Kw(kKek128)), StatusCode::kUnsupported,
               "content encryption alg 10 is not supported");
  const Bytes none =
      BuildEncrypt({}, Map({{kHeaderIv, Item(gcm.iv)}}), gcm.ciphertext, {KwRecipient(gcm.cek)});
  EXPECT_ERROR(DecodeAndDecrypt(none, Kw(kKek128)), StatusCode::kMalformed, "alg (1) missing");
}

TEST(EncryptRejectTest, RecipientsEmptyNestedOrShort) {
  GcmParts gcm;
  const Bytes unprotected = Map({{kHeaderIv, Item(gcm.iv)}});
  EXPECT_ERROR(DecodeEncrypt(BuildEncrypt(gcm.protected_bucket, unprotected, gcm.ciphertext, {})),
               StatusCode::kMalformed, "COSE_Encrypt: recipients must not be empty");
  RawRecipient nested = KwRecipient(gcm.cek);
  nested.extra_items = 1;
  EXPECT_ERROR(
      DecodeEncrypt(BuildEncrypt(gcm.protected_bucket, unprotected, gcm.ciphertext, {nested})),
      StatusCode::kUnsupported, "recipients[0]: nested recipients");
  RawRecipient good = KwRecipient(gcm.cek);
  cbor::Writer w;
  w.WriteTag(kTagEncrypt);
  w.BeginArray(4);
  w.WriteBytes(gcm.protected_bucket);
  w.WriteRaw(unprotected);
  w.WriteBytes(gcm.ciphertext);
  w.BeginArray(2);
  w.BeginArray(3);
  w.WriteBytes(good.protected_bucket);
  w.WriteRaw(good.unprotected_map);
  w.WriteBytes(good.encrypted_key);
  w.BeginArray(2);
  w.WriteBytes({});
  w.WriteRaw(good.unprotected_map);
  ASSERT_OK_AND_ASSIGN(Bytes two_items, std::move(w).Finish());
  EXPECT_ERROR(DecodeEncrypt(two_items), StatusCode::kMalformed,
               "COSE_Encrypt.recipients[1]: recipient must be an array of 3 items, got 2");
}

TEST(EncryptRejectTest, TrailingBytesWrongTagAndShape) {
  GcmParts gcm;
  const Bytes message = gcm.Message();
  ASSERT_OK(DecodeEncrypt(message).status());
  Bytes trailing = message;
  trailing.push_back(0xf6);
  EXPECT_ERROR(DecodeEncrypt(trailing), StatusCode::kMalformed, "COSE_Encrypt");
  const Bytes sign_tag = BuildEncrypt(gcm.protected_bucket, Map({{kHeaderIv, Item(gcm.iv)}}),
                                      gcm.ciphertext, {KwRecipient(gcm.cek)}, kTagSign);
  EXPECT_ERROR(DecodeEncrypt(sign_tag), StatusCode::kMalformed, "got tag 98");
  const Bytes encrypt0_tag = BuildEncrypt(gcm.protected_bucket, Map({{kHeaderIv, Item(gcm.iv)}}),
                                          gcm.ciphertext, {KwRecipient(gcm.cek)}, kTagEncrypt0);
  EXPECT_ERROR(DecodeEncrypt(encrypt0_tag), StatusCode::kMalformed, "got tag 16");
  const Bytes untagged = BuildEncrypt(gcm.protected_bucket, Map({{kHeaderIv, Item(gcm.iv)}}),
                                      gcm.ciphertext, {KwRecipient(gcm.cek)}, std::nullopt);
  ASSERT_OK(DecodeEncrypt(untagged).status());
  EXPECT_ERROR(DecodeEncrypt(untagged, TagPolicy::kRequireTagged), StatusCode::kMalformed,
               "tag 96 required");
  // A COSE_Encrypt0-shaped array is not a COSE_Encrypt.
  EXPECT_ERROR(DecodeEncrypt(H("d8608340a0f6")), StatusCode::kMalformed, "array of 4 items, got 3");
  // Recipient ciphertext must be a byte string.
  EXPECT_ERROR(DecodeEncrypt(H("d8608440a0f681" "8340a0f6")), StatusCode::kMalformed,
               "recipients[0]: ciphertext must be a byte string");
}

TEST(EncryptRejectTest, KeyWrapRecipientRules) {
  GcmParts gcm;
  const Bytes unprotected = Map({{kHeaderIv, Item(gcm.iv)}});
  // Protected parameters on an AES-KW recipient.
  RawRecipient protected_kid = KwRecipient(gcm.cek);
  protected_kid.protected_bucket = Map({{kHeaderKid, Item(AsBytes("k"))}});
  EXPECT_ERROR(DecodeAndDecrypt(BuildEncrypt(gcm.protected_bucket, unprotected, gcm.ciphertext,
                                             {protected_kid}),
                                Kw(kKek128)),
               StatusCode::kMalformed, "recipients[0]: protected bucket must be empty for -3");
  // An encoded empty map is accepted (SUIT CDDL: bstr .cbor empty_map).
  RawRecipient empty_map = KwRecipient(gcm.cek);
  empty_map.protected_bucket = H("a0");
  ASSERT_OK(DecodeAndDecrypt(
                BuildEncrypt(gcm.protected_bucket, unprotected, gcm.ciphertext, {empty_map}),
                Kw(kKek128))
                .status());
  // The wrapped key must be a wrapped key of the content algorithm's size
  // (here a 32-byte key under an A128GCM body).
  RawRecipient big = KwRecipient(kKek256);
  EXPECT_ERROR(
      DecodeAndDecrypt(BuildEncrypt(gcm.protected_bucket, unprotected, gcm.ciphertext, {big}),
                       Kw(kKek128)),
      StatusCode::kMalformed, "recipients[0]: encrypted key must be 24 bytes");
  // A malformed recipient does not hide a good one after it.
  ASSERT_OK_AND_ASSIGN(
      crypto::SecretBytes pt,
      DecodeAndDecrypt(
          BuildEncrypt(gcm.protected_bucket, unprotected, gcm.ciphertext, {big, KwRecipient(gcm.cek)}),
          Kw(kKek128)));
  EXPECT_EQ(Str(pt), kPlain);
}

// ECDH-ES recipient rules. The recipient is built by hand; only the tested
// field is wrong.
class EncryptEcdhRejectTest : public testing::Test {
 protected:
  void SetUp() override {
    Result<crypto::PrivateKey> k = crypto::PrivateKey::Generate(crypto::KeyType::kP256);
    ASSERT_TRUE(k.ok());
    key_.emplace(std::move(k).value());
    Result<crypto::PrivateKey> e = crypto::PrivateKey::Generate(crypto::KeyType::kP256);
    ASSERT_TRUE(e.ok());
    ephemeral_.emplace(std::move(e).value());
    const crypto::PublicKey pub = ephemeral_->Public();
    x_ = pub.x();
    y_ = pub.y();
  }

  // A COSE_Key map for the ephemeral key.
  static Bytes KeyMap(std::vector<std::pair<int64_t, Bytes>> entries) { return Map(std::move(entries)); }
  Bytes GoodEphemeral() const {
    return KeyMap({{1, Item(kKtyEc2)}, {-1, Item(kCrvP256)}, {-2, Item(x_)}, {-3, Item(y_)}});
  }

  // A message whose recipient is correct except for what the caller changes.
  // `derive_protected` (default: the one sent) is what the sender's KDF
  // context used.
  Bytes Message(std::optional<Bytes> ephemeral, Bytes recipient_protected = H("a101381c"),
                bool alg_unprotected = false, std::optional<Bytes> derive_protected = std::nullopt) {
    // Derive the KEK as the sender would (independently of encrypt.cc's
    // helpers, except EncodeKdfContext which has its own vector test).
    Result<crypto::SecretBytes> shared = ephemeral_->Agree(key_->Public());
    EXPECT_TRUE(shared.ok());
    Result<Bytes> context = EncodeKdfContext(
        kAlgA128Kw, 128, derive_protected.value_or(recipient_protected), kSuitOther);
    EXPECT_TRUE(context.ok());
    Result<crypto::SecretBytes> kek =
        crypto::Hkdf(crypto::HashAlg::kSha256, shared->view(), {}, *context, 16);
    EXPECT_TRUE(kek.ok());
    Result<Bytes> w = crypto::AesKeyWrap(kek->view(), wrap_cek_.empty() ? gcm_.cek : wrap_cek_);
    EXPECT_TRUE(w.ok());
    RawRecipient r;
    r.protected_bucket = recipient_protected;
    std::vector<std::pair<int64_t, Bytes>> u;
    if (ephemeral) u.emplace_back(kHeaderEphemeralKey, *ephemeral);
    if (alg_unprotected) u.emplace_back(kHeaderAlg, Item(kAlgEcdhEsA128Kw));
    r.unprotected_map = Map(std::move(u));
    r.encrypted_key = *w;
    return BuildEncrypt(gcm_.protected_bucket, Map({{kHeaderIv, Item(gcm_.iv)}}), gcm_.ciphertext,
                        {r});
  }

  Result<crypto::SecretBytes> Decrypt(ByteView message) {
    return DecodeAndDecrypt(message, EcdhKey{&*key_, kSuitOther, {}});
  }

  GcmParts gcm_;
  Bytes wrap_cek_;  // the key the recipient wraps; empty: gcm_.cek
  std::optional<crypto::PrivateKey> key_;
  std::optional<crypto::PrivateKey> ephemeral_;
  Bytes x_, y_;
};

TEST_F(EncryptEcdhRejectTest, ControlMessageDecrypts) {
  ASSERT_OK_AND_ASSIGN(crypto::SecretBytes pt, Decrypt(Message(GoodEphemeral())));
  EXPECT_EQ(Str(pt), kPlain);
}

TEST_F(EncryptEcdhRejectTest, EphemeralKeyMissing) {
  EXPECT_ERROR(Decrypt(Message(std::nullopt)), StatusCode::kMalformed,
               "COSE_Encrypt.recipients[0]: ephemeral key (-1) missing");
}

TEST_F(EncryptEcdhRejectTest, EphemeralKeyNotOnCurve) {
  Bytes bad_y = y_;
  bad_y.back() ^= 0x01;
  EXPECT_ERROR(Decrypt(Message(KeyMap(
                   {{1, Item(kKtyEc2)}, {-1, Item(kCrvP256)}, {-2, Item(x_)}, {-3, Item(bad_y)}}))),
               StatusCode::kMalformed,
               "COSE_Encrypt.recipients[0]: ephemeral key (-1) is not a valid P-256 public key");
}

TEST_F(EncryptEcdhRejectTest, EphemeralKeyWrongKtyOrCurve) {
  // An X25519 ephemeral key is for an X25519 recipient: a P-256 key skips it.
  EXPECT_ERROR(Decrypt(Message(KeyMap({{1, Item(kKtyOkp)}, {-1, Item(kCrvX25519)}, {-2, Item(x_)}}))),
               StatusCode::kVerificationFailed, "no recipient could be decrypted");
  EXPECT_ERROR(Decrypt(Message(KeyMap({{1, Item(kKtySymmetric)}, {-1, Item(x_)}}))),
               StatusCode::kMalformed,
               "ephemeral key (-1) must be EC2 (kty 2) on P-256 (crv 1) like the recipient's key, got kty 4");
  const Bytes x48(48, 1), y48(48, 2);
  EXPECT_ERROR(Decrypt(Message(KeyMap(
                   {{1, Item(kKtyEc2)}, {-1, Item(kCrvP384)}, {-2, Item(x48)}, {-3, Item(y48)}}))),
               StatusCode::kMalformed, "like the recipient's key, got kty 2 crv 2");
  // Not a COSE_Key at all (kty missing): DecodeKey's reason is passed on.
  EXPECT_ERROR(Decrypt(Message(KeyMap({{-1, Item(kCrvP256)}, {-2, Item(x_)}, {-3, Item(y_)}}))),
               StatusCode::kMalformed, "recipients[0]: ephemeral key (-1): COSE_Key: kty (1) is required");
}

TEST_F(EncryptEcdhRejectTest, EphemeralKeyWithPrivatePart) {
  Result<crypto::SecretBytes> d = ephemeral_->RawPrivate();
  ASSERT_TRUE(d.ok());
  EXPECT_ERROR(Decrypt(Message(KeyMap({{1, Item(kKtyEc2)},
                                       {-1, Item(kCrvP256)},
                                       {-2, Item(x_)},
                                       {-3, Item(y_)},
                                       {-4, Item(d->view())}}))),
               StatusCode::kMalformed, "must not carry a private key");
}

TEST_F(EncryptEcdhRejectTest, WrappedKeyOfWrongSize) {
  wrap_cek_ = kKek256;  // a 32-byte key under an A128GCM body
  EXPECT_ERROR(Decrypt(Message(GoodEphemeral())), StatusCode::kMalformed,
               "recipients[0]: encrypted key must be 24 bytes (a wrapped 16-byte content key), got 40");
}

TEST_F(EncryptEcdhRejectTest, AlgMustBeProtected) {
  EXPECT_ERROR(Decrypt(Message(GoodEphemeral(), {}, /*alg_unprotected=*/true)),
               StatusCode::kMalformed, "alg (1) -29 (ECDH-ES + A128KW) must be in the protected bucket");
}

TEST_F(EncryptEcdhRejectTest, KdfContextUsesRecipientProtectedBytesAsReceived) {
  // {1: -29} with an overlong argument for -29 (0x39 0x001c): the same map,
  // other bytes. The KDF context must use the bytes as received.
  const Bytes overlong = H("a10139001c");
  ASSERT_OK_AND_ASSIGN(crypto::SecretBytes pt, Decrypt(Message(GoodEphemeral(), overlong)));
  EXPECT_EQ(Str(pt), kPlain);
  // Derived over the preferred encoding, sent with the overlong one.
  EXPECT_ERROR(Decrypt(Message(GoodEphemeral(), overlong, false, H("a101381c"))),
               StatusCode::kVerificationFailed, "no recipient could be decrypted");
}

}  // namespace
}  // namespace teep::cose
