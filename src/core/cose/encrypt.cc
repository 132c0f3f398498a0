#include "core/cose/encrypt.h"

#include <algorithm>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/cbor/reader.h"
#include "core/cbor/writer.h"
#include "core/cose/algorithms.h"
#include "core/cose/cose_internal.h"
#include "core/cose/key.h"

namespace teep::cose {
namespace {

constexpr std::string_view kEncrypt0 = "COSE_Encrypt0";
constexpr std::string_view kEncrypt = "COSE_Encrypt";
constexpr std::string_view kCreateEncrypt0 = "CreateEncrypt0";
constexpr std::string_view kCreateEncrypt = "CreateEncrypt";

// RFC 9052 §5.3: the context string of the Enc_structure.
constexpr std::string_view kEncrypt0Context = "Encrypt0";
constexpr std::string_view kEncryptContext = "Encrypt";

// RFC 9053 §4.1 (AES-GCM) and §4.3 (ChaCha20/Poly1305): 96-bit nonce.
constexpr size_t kAeadIvSize = 12;
// RFC 9459 §4: the IV of AES-CTR is the full 16-byte initial counter block.
constexpr size_t kCtrIvSize = 16;
// RFC 3394: the wrapped key is the key plus one 64-bit integrity block.
constexpr size_t kKeyWrapOverhead = 8;

Status Error(StatusCode code, std::string_view where, std::string_view what) {
  std::string message(where);
  message += ": ";
  message += what;
  return Status(code, std::move(message));
}

// "where: context: inner message", keeping the inner code unless told.
Status Wrap(const Status& inner, std::string_view where, std::string_view context) {
  std::string message(where);
  message += ": ";
  message += context;
  message += ": ";
  message += inner.message();
  return Status(inner.code(), std::move(message));
}

bool IsCtrContentAlg(int64_t alg) {
  return alg == kAlgA128Ctr || alg == kAlgA192Ctr || alg == kAlgA256Ctr;
}

bool IsKeyWrapAlg(int64_t alg) {
  return alg == kAlgA128Kw || alg == kAlgA192Kw || alg == kAlgA256Kw;
}

std::string RecipientWhere(std::string_view where, size_t index) {
  std::string s(where);
  s += ".recipients[";
  s += std::to_string(index);
  s += ']';
  return s;
}

// ---- content layer -----------------------------------------------------

// The content-encryption parameters of a decoded COSE_Encrypt0 / COSE_Encrypt,
// checked against our policy before any key is touched.
struct ContentParams {
  int64_t alg = 0;
  size_t key_size = 0;
  ByteView iv;
};

Result<ContentParams> CheckContentHeaders(const Headers& headers, std::string_view where) {
  std::optional<int64_t> alg = headers.alg();
  if (!alg) return internal::Malformed(where, "alg (1) missing");
  std::optional<size_t> key_size = ContentKeySize(*alg);
  if (!key_size) {
    return Error(StatusCode::kUnsupported, where,
                 "content encryption alg " + internal::AlgDescription(*alg) + " is not supported");
  }
  if (IsAeadContentAlg(*alg)) {
    // Our policy (as for signatures): the AEAD algorithm is authenticated
    // through the Enc_structure only when it sits in the protected bucket.
    if (!headers.protected_params.alg) {
      return internal::Malformed(where, "alg (1) " + internal::AlgDescription(*alg) +
                                            " must be in the protected bucket");
    }
  } else if (!headers.protected_bytes.empty()) {
    // RFC 9459 §4: AES-CTR provides no integrity, so nothing can be
    // "protected": the protected bucket MUST be a zero-length byte string.
    return internal::Malformed(where, "protected bucket must be a zero-length byte string for " +
                                          internal::AlgDescription(*alg) + " (RFC 9459 §4)");
  }
  if (headers.partial_iv()) {
    return Error(StatusCode::kUnsupported, where, "partial IV (6) is not supported");
  }
  std::optional<ByteView> iv = headers.iv();
  if (!iv) return internal::Malformed(where, "IV (5) missing");
  const size_t iv_size = IsCtrContentAlg(*alg) ? kCtrIvSize : kAeadIvSize;
  if (iv->size() != iv_size) {
    return internal::Malformed(where, "IV (5) must be " + std::to_string(iv_size) + " bytes for " +
                                          internal::AlgDescription(*alg) + ", got " +
                                          std::to_string(iv->size()));
  }
  return ContentParams{*alg, *key_size, *iv};
}

// RFC 9459 §4: a library that takes external AAD must refuse it with a
// non-AEAD algorithm, since nothing would authenticate it.
Status CheckExternalAad(int64_t alg, ByteView external_aad, std::string_view where) {
  if (IsCtrContentAlg(alg) && !external_aad.empty()) {
    return Error(StatusCode::kInvalidArgument, where,
                 "external AAD cannot be used with " + internal::AlgDescription(alg) +
                     ", which does not authenticate (RFC 9459 §4)");
  }
  return OkStatus();
}

Result<crypto::SecretBytes> DecryptContent(const ContentParams& params, ByteView cek,
                                           ByteView protected_bytes, std::string_view context,
                                           ByteView external_aad, ByteView ciphertext,
                                           std::string_view where) {
  if (cek.size() != params.key_size) {
    return Error(StatusCode::kInvalidArgument, where,
                 "content key is " + std::to_string(cek.size()) + " bytes, " +
                     internal::AlgDescription(params.alg) + " needs " +
                     std::to_string(params.key_size));
  }
  TEEP_RETURN_IF_ERROR(CheckExternalAad(params.alg, external_aad, where));
  if (IsCtrContentAlg(params.alg)) {
    crypto::SecretBytes plaintext(ciphertext.size());
    Status s = crypto::AesCtrXor(cek, params.iv, ciphertext,
                                 std::span<uint8_t>(plaintext.data(), plaintext.size()));
    if (!s.ok()) return Wrap(s, where, "content decryption");
    return plaintext;
  }
  // RFC 9052 §5.3: AAD = Enc_structure [context, protected bstr as
  // received, external_aad].
  TEEP_ASSIGN_OR_RETURN(Bytes aad,
                        internal::BuildContextStructure(context, {protected_bytes, external_aad}));
  Result<crypto::SecretBytes> plaintext =
      params.alg == kAlgChaCha20Poly1305
          ? crypto::ChaCha20Poly1305Open(cek, params.iv, aad, ciphertext)
          : crypto::AesGcmOpen(cek, params.iv, aad, ciphertext);
  if (!plaintext.ok()) return Wrap(plaintext.status(), where, "content decryption");
  return plaintext;
}

// The content layer of a structure being created.
struct ContentLayer {
  Bytes protected_bucket;  // bstr content: empty or an encoded map
  Bytes unprotected_map;   // encoded map
  Bytes ciphertext;
};

Result<ContentLayer> EncryptContent(int64_t alg, ByteView cek, ByteView plaintext,
                                    ByteView external_aad, std::string_view context,
                                    std::string_view where) {
  std::optional<size_t> key_size = ContentKeySize(alg);
  if (!key_size) {
    return Error(StatusCode::kUnsupported, where,
                 "content encryption alg " + internal::AlgDescription(alg) + " is not supported");
  }
  if (cek.size() != *key_size) {
    return Error(StatusCode::kInvalidArgument, where,
                 "content key is " + std::to_string(cek.size()) + " bytes, " +
                     internal::AlgDescription(alg) + " needs " + std::to_string(*key_size));
  }
  TEEP_RETURN_IF_ERROR(CheckExternalAad(alg, external_aad, where));

  const bool ctr = IsCtrContentAlg(alg);
  Bytes iv(ctr ? kCtrIvSize : kAeadIvSize);
  TEEP_RETURN_IF_ERROR(crypto::RandomBytes(iv));

  ContentLayer out;
  if (ctr) {
    // RFC 9459 §4: empty protected bucket, alg unprotected.
    TEEP_ASSIGN_OR_RETURN(out.unprotected_map,
                          EncodeHeaderMap({{kHeaderAlg, EncodeIntItem(alg)},
                                           {kHeaderIv, EncodeBytesItem(iv)}}));
    out.ciphertext.resize(plaintext.size());
    Status s = crypto::AesCtrXor(cek, iv, plaintext, out.ciphertext);
    if (!s.ok()) return Wrap(s, where, "content encryption");
    return out;
  }
  TEEP_ASSIGN_OR_RETURN(out.protected_bucket, internal::EncodeAlgProtected(alg));
  TEEP_ASSIGN_OR_RETURN(out.unprotected_map, EncodeHeaderMap({{kHeaderIv, EncodeBytesItem(iv)}}));
  TEEP_ASSIGN_OR_RETURN(Bytes aad, internal::BuildContextStructure(
                                       context, {out.protected_bucket, external_aad}));
  Result<Bytes> sealed = alg == kAlgChaCha20Poly1305
                             ? crypto::ChaCha20Poly1305Seal(cek, iv, aad, plaintext)
                             : crypto::AesGcmSeal(cek, iv, aad, plaintext);
  if (!sealed.ok()) return Wrap(sealed.status(), where, "content encryption");
  out.ciphertext = std::move(sealed).value();
  return out;
}

// ---- recipients ----------------------------------------------------------

struct RecipientLayer {
  Bytes protected_bucket;
  Bytes unprotected_map;
  Bytes encrypted_key;
};

// ECDH-ES + A128KW (RFC 9053 §6.4, profiled by draft-ietf-suit-firmware-
// encryption §5.2.4): KEK = HKDF-SHA-256(shared secret, no salt,
// COSE_KDF_Context, 16 bytes).
Result<crypto::SecretBytes> DeriveKek(ByteView shared_secret, ByteView recipient_protected,
                                      std::string_view kdf_other) {
  constexpr size_t kKekSize = 16;  // A128KW
  TEEP_ASSIGN_OR_RETURN(Bytes context, EncodeKdfContext(kAlgA128Kw, kKekSize * 8,
                                                        recipient_protected, kdf_other));
  return crypto::Hkdf(crypto::HashAlg::kSha256, shared_secret, {}, context, kKekSize);
}

Result<RecipientLayer> MakeRecipient(const KeyWrapRecipient& spec, const crypto::SecretBytes& cek,
                                     std::string_view where) {
  if (!IsKeyWrapAlg(spec.alg)) {
    return Error(StatusCode::kUnsupported, where,
                 "alg " + internal::AlgDescription(spec.alg) + " is not an AES key wrap algorithm");
  }
  const size_t kek_size = *KeyWrapKeySize(spec.alg);
  if (spec.kek.size() != kek_size) {
    return Error(StatusCode::kInvalidArgument, where,
                 "KEK is " + std::to_string(spec.kek.size()) + " bytes, " +
                     internal::AlgDescription(spec.alg) + " needs " + std::to_string(kek_size));
  }
  RecipientLayer out;
  // draft-ietf-suit-firmware-encryption §5.1.3: AES-KW has no per-message
  // parameters, so the protected bucket is the zero-length byte string.
  std::vector<std::pair<int64_t, Bytes>> unprotected = {{kHeaderAlg, EncodeIntItem(spec.alg)}};
  if (!spec.kid.empty()) unprotected.emplace_back(kHeaderKid, EncodeBytesItem(spec.kid));
  TEEP_ASSIGN_OR_RETURN(out.unprotected_map, EncodeHeaderMap(std::move(unprotected)));
  Result<Bytes> wrapped = crypto::AesKeyWrap(spec.kek, cek.view());
  if (!wrapped.ok()) return Wrap(wrapped.status(), where, "key wrap");
  out.encrypted_key = std::move(wrapped).value();
  return out;
}

// ECDH-ES + A128KW over P-256 (the ESP256 SUIT profiles) or X25519 (the
// Ed25519 ones, draft-ietf-suit-mti §3).
bool IsEcdhKeyType(crypto::KeyType type) {
  return type == crypto::KeyType::kP256 || type == crypto::KeyType::kX25519;
}

Result<RecipientLayer> MakeRecipient(const EcdhRecipient& spec, const crypto::SecretBytes& cek,
                                     std::string_view where) {
  if (spec.alg != kAlgEcdhEsA128Kw) {
    return Error(StatusCode::kUnsupported, where,
                 "alg " + internal::AlgDescription(spec.alg) +
                     " is not supported for an EC recipient (only ECDH-ES + A128KW, -29)");
  }
  if (spec.public_key == nullptr) {
    return Error(StatusCode::kInvalidArgument, where, "no recipient public key given");
  }
  if (!IsEcdhKeyType(spec.public_key->type())) {
    return Error(StatusCode::kInvalidArgument, where,
                 "ECDH-ES + A128KW needs a P-256 or X25519 recipient key, got " +
                     std::string(crypto::KeyTypeName(spec.public_key->type())));
  }
  // A fresh ephemeral key per message (RFC 9053 §6.3.1, ECDH-ES), of the
  // recipient's type; it goes out of scope, and is freed and wiped by the
  // backend, on return.
  TEEP_ASSIGN_OR_RETURN(crypto::PrivateKey ephemeral,
                        crypto::PrivateKey::Generate(spec.public_key->type()));
  Result<crypto::SecretBytes> shared = ephemeral.Agree(*spec.public_key);
  if (!shared.ok()) return Wrap(shared.status(), where, "ECDH");

  RecipientLayer out;
  TEEP_ASSIGN_OR_RETURN(out.protected_bucket, internal::EncodeAlgProtected(spec.alg));
  Result<crypto::SecretBytes> kek = DeriveKek(shared->view(), out.protected_bucket, spec.kdf_other);
  if (!kek.ok()) return Wrap(kek.status(), where, "key derivation");
  Result<Bytes> wrapped = crypto::AesKeyWrap(kek->view(), cek.view());
  if (!wrapped.ok()) return Wrap(wrapped.status(), where, "key wrap");
  out.encrypted_key = std::move(wrapped).value();

  // The ephemeral public key as a COSE_Key: {1: 2, -1: 1, -2: x, -3: y}
  // for P-256, {1: 1, -1: 4, -2: x} for X25519.
  TEEP_ASSIGN_OR_RETURN(CoseKey ephemeral_cose, CoseKey::FromPublicKey(ephemeral.Public()));
  TEEP_ASSIGN_OR_RETURN(Bytes ephemeral_encoded, EncodeKey(ephemeral_cose, false));
  std::vector<std::pair<int64_t, Bytes>> unprotected = {
      {kHeaderEphemeralKey, std::move(ephemeral_encoded)}};
  if (!spec.kid.empty()) unprotected.emplace_back(kHeaderKid, EncodeBytesItem(spec.kid));
  TEEP_ASSIGN_OR_RETURN(out.unprotected_map, EncodeHeaderMap(std::move(unprotected)));
  return out;
}

// Outcome of trying one recipient with the caller's key.
enum class Attempt { kSkipped, kFailed, kUnwrapped };

// The KEK-unwrap of one recipient. Returns kSkipped when the recipient is not
// meant for this kind of key (or this kid); kFailed with *error set when the
// recipient is malformed or does not unwrap; kUnwrapped with *cek set.
Attempt UnwrapWithKeyWrap(const RecipientEntry& recipient, const KeyWrapKey& key,
                          size_t cek_size, std::string_view where, crypto::SecretBytes* cek,
                          Status* error) {
  std::optional<int64_t> alg = recipient.headers.alg();
  if (!alg || !IsKeyWrapAlg(*alg)) return Attempt::kSkipped;
  if (!key.kid.empty()) {
    std::optional<ByteView> kid = recipient.headers.kid();
    if (!kid || !std::equal(kid->begin(), kid->end(), key.kid.begin(), key.kid.end())) {
      return Attempt::kSkipped;
    }
  }
  // A KEK of another size cannot be the one this recipient was wrapped for.
  if (key.kek.size() != *KeyWrapKeySize(*alg)) return Attempt::kSkipped;
  // draft-ietf-suit-firmware-encryption §5.1.3: AES-KW has no per-message
  // parameters, so the recipient's protected bucket is empty (and AES-KW
  // could not authenticate anything put there). The CDDL allows both the
  // zero-length form and an encoded empty map (bstr .cbor empty_map).
  const ByteView prot = recipient.headers.protected_bytes;
  if (!prot.empty() && !(prot.size() == 1 && prot[0] == 0xa0)) {
    *error = internal::Malformed(where, "protected bucket must be empty for " +
                                            internal::AlgDescription(*alg));
    return Attempt::kFailed;
  }
  if (recipient.encrypted_key.size() != cek_size + kKeyWrapOverhead) {
    *error = internal::Malformed(
        where, "encrypted key must be " + std::to_string(cek_size + kKeyWrapOverhead) +
                   " bytes (a wrapped " + std::to_string(cek_size) + "-byte content key), got " +
                   std::to_string(recipient.encrypted_key.size()));
    return Attempt::kFailed;
  }
  Result<crypto::SecretBytes> unwrapped = crypto::AesKeyUnwrap(key.kek, recipient.encrypted_key);
  if (!unwrapped.ok()) {
    *error = Wrap(unwrapped.status(), where, "key unwrap");
    return Attempt::kFailed;
  }
  *cek = std::move(unwrapped).value();
  return Attempt::kUnwrapped;
}

// Decodes and checks the sender's ephemeral key (label -1) for a recipient
// key of type `expected` (P-256 or X25519). nullopt when it is a well-formed
// key of the other ECDH type: that recipient is meant for another key.
Result<std::optional<crypto::PublicKey>> EphemeralKey(const Headers& headers,
                                                      crypto::KeyType expected,
                                                      std::string_view where) {
  ByteView encoded = headers.ephemeral_key();
  if (encoded.empty()) return internal::Malformed(where, "ephemeral key (-1) missing");
  Result<CoseKey> key = DecodeKey(encoded);
  if (!key.ok()) return Wrap(key.status(), where, "ephemeral key (-1)");
  const bool is_p256 = key->kty == kKtyEc2 && key->crv == kCrvP256;
  const bool is_x25519 = key->kty == kKtyOkp && key->crv == kCrvX25519;
  const bool p256 = expected == crypto::KeyType::kP256;
  if (p256 ? is_x25519 : is_p256) return std::optional<crypto::PublicKey>();
  if (p256 ? !is_p256 : !is_x25519) {
    return internal::Malformed(
        where, "ephemeral key (-1) must be " +
                   std::string(p256 ? "EC2 (kty 2) on P-256 (crv 1)" : "OKP (kty 1) X25519 (crv 4)") +
                   " like the recipient's key, got kty " + std::to_string(key->kty) + " crv " +
                   std::to_string(key->crv.value_or(0)));
  }
  if (!key->d.empty()) {
    return internal::Malformed(where, "ephemeral key (-1) must not carry a private key (d)");
  }
  // FromCoordinates checks that a P-256 point is on the curve: an off-curve
  // point would leak bits of our private key (invalid-curve attack). X25519
  // has no such check to make; a low-order point makes Agree fail (all-zero
  // shared secret, RFC 7748 §6.1).
  Result<crypto::PublicKey> pub = crypto::PublicKey::FromCoordinates(expected, key->x, key->y);
  if (!pub.ok()) {
    return internal::Malformed(where, "ephemeral key (-1) is not a valid " +
                                          std::string(crypto::KeyTypeName(expected)) +
                                          " public key: " + pub.status().message());
  }
  return std::optional<crypto::PublicKey>(std::move(pub).value());
}

Attempt UnwrapWithEcdh(const RecipientEntry& recipient, const EcdhKey& key, size_t cek_size,
                       std::string_view where, crypto::SecretBytes* cek, Status* error) {
  std::optional<int64_t> alg = recipient.headers.alg();
  if (alg != kAlgEcdhEsA128Kw) return Attempt::kSkipped;
  if (!key.kid.empty()) {
    std::optional<ByteView> kid = recipient.headers.kid();
    if (!kid || !std::equal(kid->begin(), kid->end(), key.kid.begin(), key.kid.end())) {
      return Attempt::kSkipped;
    }
  }
  // draft-ietf-suit-firmware-encryption §5.2.3: alg sits in the protected
  // bucket, which the KDF context binds into the derived key.
  if (!recipient.headers.protected_params.alg) {
    *error = internal::Malformed(where, "alg (1) " + internal::AlgDescription(*alg) +
                                            " must be in the protected bucket");
    return Attempt::kFailed;
  }
  Result<std::optional<crypto::PublicKey>> ephemeral =
      EphemeralKey(recipient.headers, key.private_key->type(), where);
  if (!ephemeral.ok()) {
    *error = ephemeral.status();
    return Attempt::kFailed;
  }
  // The other ECDH type (P-256 vs X25519): skip, as for a kid that differs.
  if (!*ephemeral) return Attempt::kSkipped;
  if (recipient.encrypted_key.size() != cek_size + kKeyWrapOverhead) {
    *error = internal::Malformed(
        where, "encrypted key must be " + std::to_string(cek_size + kKeyWrapOverhead) +
                   " bytes (a wrapped " + std::to_string(cek_size) + "-byte content key), got " +
                   std::to_string(recipient.encrypted_key.size()));
    return Attempt::kFailed;
  }
  Result<crypto::SecretBytes> shared = key.private_key->Agree(**ephemeral);
  if (!shared.ok()) {
    *error = Wrap(shared.status(), where, "ECDH");
    return Attempt::kFailed;
  }
  Result<crypto::SecretBytes> kek =
      DeriveKek(shared->view(), recipient.headers.protected_bytes, key.kdf_other);
  if (!kek.ok()) {
    *error = Wrap(kek.status(), where, "key derivation");
    return Attempt::kFailed;
  }
  Result<crypto::SecretBytes> unwrapped = crypto::AesKeyUnwrap(kek->view(), recipient.encrypted_key);
  if (!unwrapped.ok()) {
    *error = Wrap(unwrapped.status(), where, "key unwrap");
    return Attempt::kFailed;
  }
  *cek = std::move(unwrapped).value();
  return Attempt::kUnwrapped;
}

Status CheckDecryptionKey(const DecryptionKey& key) {
  if (const auto* kw = std::get_if<KeyWrapKey>(&key)) {
    if (kw->kek.size() != 16 && kw->kek.size() != 24 && kw->kek.size() != 32) {
      return Error(StatusCode::kInvalidArgument, kEncrypt,
                   "KEK must be 16, 24 or 32 bytes, got " + std::to_string(kw->kek.size()));
    }
    return OkStatus();
  }
  const auto& ecdh = std::get<EcdhKey>(key);
  if (ecdh.private_key == nullptr) {
    return Error(StatusCode::kInvalidArgument, kEncrypt, "no private key given");
  }
  if (!IsEcdhKeyType(ecdh.private_key->type())) {
    return Error(StatusCode::kInvalidArgument, kEncrypt,
                 "ECDH-ES + A128KW needs a P-256 or X25519 private key, got " +
                     std::string(crypto::KeyTypeName(ecdh.private_key->type())));
  }
  return OkStatus();
}

// Writes the body shared by COSE_Encrypt0 and COSE_Encrypt: tag, array
// header, both buckets and the (possibly detached) ciphertext.
void WriteBody(cbor::Writer& w, uint64_t tag, const EncryptOptions& options, uint64_t items,
               const ContentLayer& content) {
  if (options.tagged) w.WriteTag(tag);
  w.BeginArray(items);
  internal::WriteHeaderBuckets(w, content.protected_bucket, content.unprotected_map);
  if (options.detached) {
    w.WriteNull();
  } else {
    w.WriteBytes(content.ciphertext);
  }
}

}  // namespace

// ---- COSE_Encrypt0 ---------------------------------------------------------

Result<EncryptResult> CreateEncrypt0(ByteView cek, ByteView plaintext,
                                     const EncryptOptions& options) {
  TEEP_ASSIGN_OR_RETURN(ContentLayer content,
                        EncryptContent(options.content_alg, cek, plaintext, options.external_aad,
                                       kEncrypt0Context, kCreateEncrypt0));
  cbor::Writer w;
  WriteBody(w, kTagEncrypt0, options, 3, content);
  Result<Bytes> message = std::move(w).Finish();
  if (!message.ok()) return message.status().WithContext(kCreateEncrypt0);
  EncryptResult result;
  result.message = std::move(message).value();
  if (options.detached) result.detached_ciphertext = std::move(content.ciphertext);
  return result;
}

Result<Encrypt0Message> DecodeEncrypt0(ByteView data, TagPolicy tags) {
  cbor::Reader r = internal::OpenRelaxed(data);
  Encrypt0Message m;
  // RFC 9052 §5.2: COSE_Encrypt0 = [protected, unprotected, ciphertext].
  TEEP_RETURN_IF_ERROR(internal::BeginStructure(r, kTagEncrypt0, tags, 3, kEncrypt0, &m.tagged));
  TEEP_RETURN_IF_ERROR(internal::ReadHeaderBuckets(r, kEncrypt0, &m.headers));
  TEEP_RETURN_IF_ERROR(internal::ReadBytesOrNil(r, kEncrypt0, "ciphertext", &m.ciphertext));
  TEEP_RETURN_IF_ERROR(internal::FinishStructure(r, kEncrypt0));
  return m;
}

Result<crypto::SecretBytes> DecryptEncrypt0(const Encrypt0Message& message, ByteView cek,
                                            ByteView external_aad,
                                            std::optional<ByteView> detached_ciphertext) {
  TEEP_ASSIGN_OR_RETURN(ContentParams params, CheckContentHeaders(message.headers, kEncrypt0));
  TEEP_ASSIGN_OR_RETURN(ByteView ciphertext,
                        internal::ResolvePayload(message.ciphertext, detached_ciphertext,
                                                 kEncrypt0, "ciphertext"));
  return DecryptContent(params, cek, message.headers.protected_bytes, kEncrypt0Context,
                        external_aad, ciphertext, kEncrypt0);
}

// ---- COSE_Encrypt ------------------------------------------------------------

Result<EncryptResult> CreateEncrypt(std::span<const RecipientSpec> recipients, ByteView plaintext,
                                    const EncryptOptions& options) {
  if (recipients.empty()) {
    return Error(StatusCode::kInvalidArgument, kCreateEncrypt, "at least one recipient is required");
  }
  std::optional<size_t> key_size = ContentKeySize(options.content_alg);
  if (!key_size) {
    return Error(StatusCode::kUnsupported, kCreateEncrypt,
                 "content encryption alg " + internal::AlgDescription(options.content_alg) +
                     " is not supported");
  }
  // A fresh random content key for every message (RFC 8937 guidance cited by
  // draft-ietf-suit-firmware-encryption §5).
  crypto::SecretBytes cek(*key_size);
  TEEP_RETURN_IF_ERROR(crypto::RandomBytes(std::span<uint8_t>(cek.data(), cek.size())));

  std::vector<RecipientLayer> layers;
  layers.reserve(recipients.size());
  for (size_t i = 0; i < recipients.size(); ++i) {
    const std::string where = RecipientWhere(kCreateEncrypt, i);
    Result<RecipientLayer> layer = std::visit(
        [&](const auto& spec) { return MakeRecipient(spec, cek, where); }, recipients[i]);
    if (!layer.ok()) return layer.status();
    layers.push_back(std::move(layer).value());
  }
  TEEP_ASSIGN_OR_RETURN(ContentLayer content,
                        EncryptContent(options.content_alg, cek.view(), plaintext,
                                       options.external_aad, kEncryptContext, kCreateEncrypt));
  cbor::Writer w;
  WriteBody(w, kTagEncrypt, options, 4, content);
  w.BeginArray(layers.size());
  for (const RecipientLayer& layer : layers) {
    // COSE_recipient = [protected, unprotected, ciphertext] (RFC 9052 §5.1).
    w.BeginArray(3);
    internal::WriteHeaderBuckets(w, layer.protected_bucket, layer.unprotected_map);
    w.WriteBytes(layer.encrypted_key);
  }
  Result<Bytes> message = std::move(w).Finish();
  if (!message.ok()) return message.status().WithContext(kCreateEncrypt);
  EncryptResult result;
  result.message = std::move(message).value();
  if (options.detached) result.detached_ciphertext = std::move(content.ciphertext);
  return result;
}

Result<EncryptMessage> DecodeEncrypt(ByteView data, TagPolicy tags) {
  cbor::Reader r = internal::OpenRelaxed(data);
  EncryptMessage m;
  // RFC 9052 §5.1: COSE_Encrypt = [protected, unprotected, ciphertext,
  // recipients: [+ COSE_recipient]].
  TEEP_RETURN_IF_ERROR(internal::BeginStructure(r, kTagEncrypt, tags, 4, kEncrypt, &m.tagged));
  TEEP_RETURN_IF_ERROR(internal::ReadHeaderBuckets(r, kEncrypt, &m.headers));
  TEEP_RETURN_IF_ERROR(internal::ReadBytesOrNil(r, kEncrypt, "ciphertext", &m.ciphertext));
  uint64_t count = 0;
  TEEP_RETURN_IF_ERROR(internal::ReadArrayOf(r, kEncrypt, "recipients", 0, &count));
  for (uint64_t i = 0; i < count; ++i) {
    const std::string where = RecipientWhere(kEncrypt, i);
    uint64_t items = 0;
    TEEP_RETURN_IF_ERROR(internal::ReadArrayOf(r, where, "recipient", 0, &items));
    if (items == 4) {
      // A COSE_recipient may carry its own recipients (RFC 9052 §5.1); no
      // algorithm we implement uses that layering.
      return Error(StatusCode::kUnsupported, where,
                   "nested recipients (a COSE_recipient with 4 items) are not supported");
    }
    if (items != 3) {
      return internal::Malformed(where, "recipient must be an array of 3 items, got " +
                                            std::to_string(items));
    }
    RecipientEntry entry;
    TEEP_RETURN_IF_ERROR(internal::ReadHeaderBuckets(r, where, &entry.headers));
    TEEP_RETURN_IF_ERROR(internal::ReadBytesField(r, where, "ciphertext", &entry.encrypted_key));
    m.recipients.push_back(entry);
  }
  TEEP_RETURN_IF_ERROR(internal::FinishStructure(r, kEncrypt));
  return m;
}

Result<crypto::SecretBytes> DecryptEncrypt(const EncryptMessage& message, const DecryptionKey& key,
                                           ByteView external_aad,
                                           std::optional<ByteView> detached_ciphertext) {
  TEEP_RETURN_IF_ERROR(CheckDecryptionKey(key));
  TEEP_ASSIGN_OR_RETURN(ContentParams params, CheckContentHeaders(message.headers, kEncrypt));
  TEEP_RETURN_IF_ERROR(CheckExternalAad(params.alg, external_aad, kEncrypt));
  TEEP_ASSIGN_OR_RETURN(ByteView ciphertext,
                        internal::ResolvePayload(message.ciphertext, detached_ciphertext, kEncrypt,
                                                 "ciphertext"));
  if (message.recipients.empty()) {
    return internal::Malformed(kEncrypt, "recipients must not be empty");
  }

  // Try every recipient meant for this kind of key. A recipient that does not
  // unwrap is normal when a message is addressed to several parties; a
  // malformed one is remembered so that, if nothing unwraps, the caller
  // learns why instead of a bare "no recipient".
  std::optional<Status> first_problem;
  for (size_t i = 0; i < message.recipients.size(); ++i) {
    const std::string where = RecipientWhere(kEncrypt, i);
    crypto::SecretBytes cek;
    Status error;
    Attempt attempt =
        std::holds_alternative<KeyWrapKey>(key)
            ? UnwrapWithKeyWrap(message.recipients[i], std::get<KeyWrapKey>(key),
                                params.key_size, where, &cek, &error)
            : UnwrapWithEcdh(message.recipients[i], std::get<EcdhKey>(key), params.key_size,
                             where, &cek, &error);
    if (attempt == Attempt::kSkipped) continue;
    if (attempt == Attempt::kFailed) {
      if (error.code() != StatusCode::kVerificationFailed && !first_problem) first_problem = error;
      continue;
    }
    // The unwrapped key must fit the content algorithm (RFC 9459 §4 for
    // CTR; for AEAD a mismatched key could only fail later, less clearly).
    if (cek.size() != params.key_size) {
      if (!first_problem) {
        first_problem = internal::Malformed(
            where, "unwrapped content key is " + std::to_string(cek.size()) + " bytes, " +
                       internal::AlgDescription(params.alg) + " needs " +
                       std::to_string(params.key_size));
      }
      continue;
    }
    return DecryptContent(params, cek.view(), message.headers.protected_bytes, kEncryptContext,
                          external_aad, ciphertext, kEncrypt);
  }
  if (first_problem) return *first_problem;
  return Error(StatusCode::kVerificationFailed, kEncrypt,
               "no recipient could be decrypted with the given key");
}

Result<Bytes> EncodeKdfContext(int64_t wrap_alg, size_t key_bits, ByteView recipient_protected,
                               std::string_view other) {
  // RFC 9053 §5.2 COSE_KDF_Context, with the identities and nonces of
  // PartyUInfo / PartyVInfo left nil (draft-ietf-suit-firmware-encryption
  // §5.2.4) and SuppPubInfo.other as a byte string. RFC 9053 makes `other`
  // optional ("? other : bstr"): an empty one is left out, as a peer
  // following the RFC's CDDL would do.
  cbor::Writer w;
  w.BeginArray(4);
  w.WriteInt(wrap_alg);
  for (int party = 0; party < 2; ++party) {
    w.BeginArray(3);
    w.WriteNull();
    w.WriteNull();
    w.WriteNull();
  }
  w.BeginArray(other.empty() ? 2 : 3);
  w.WriteUint(key_bits);
  w.WriteBytes(recipient_protected);
  if (!other.empty()) w.WriteBytes(AsBytes(other));
  Result<Bytes> encoded = std::move(w).Finish();
  if (!encoded.ok()) return encoded.status().WithContext("COSE_KDF_Context");
  return encoded;
}

}  // namespace teep::cose
