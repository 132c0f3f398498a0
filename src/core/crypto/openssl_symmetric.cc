// OpenSSL 3.0 backend for crypto.h: AES key wrap, AES-GCM, ChaCha20/Poly1305
// and AES-CTR. Every cipher comes from the table fetched once in
// openssl_backend.cc.
#include "core/crypto/openssl_handles.h"  // first: pins the OpenSSL API level

#include <openssl/core_names.h>

#include <climits>
#include <string>

#include "core/crypto/crypto.h"

namespace teep::crypto {

using internal::CipherCtxPtr;
using internal::ClearOpensslErrors;
using internal::NonNullData;
using internal::OpensslFailure;

namespace {

constexpr size_t kAeadTagSize = 16;
constexpr size_t kAeadNonceSize = 12;
constexpr size_t kAesBlockSize = 16;
constexpr size_t kKeyWrapBlock = 8;

std::string Str(size_t n) { return std::to_string(n); }

Status BadAesKey(const char* caller, size_t got) {
  return Status(StatusCode::kInvalidArgument,
                std::string(caller) + ": key must be 16, 24 or 32 bytes, got " + Str(got));
}

// EVP_CipherUpdate takes an int length: feed longer inputs in pieces. Only for
// stream-like modes (GCM, CTR, ChaCha20/Poly1305), where the output of a piece
// is exactly as long as the piece. A null `out` feeds AEAD associated data.
bool CipherUpdateAll(EVP_CIPHER_CTX* ctx, uint8_t* out, const uint8_t* in, size_t len) {
  constexpr size_t kChunk = static_cast<size_t>(INT_MAX) & ~size_t{15};
  while (len > 0) {
    size_t piece = len < kChunk ? len : kChunk;
    int out_len = 0;
    if (EVP_CipherUpdate(ctx, out, &out_len, in, static_cast<int>(piece)) != 1) return false;
    if (out != nullptr) {
      if (static_cast<size_t>(out_len) != piece) return false;
      out += piece;
    }
    in += piece;
    len -= piece;
  }
  return true;
}

// Shared AEAD seal for AES-GCM and ChaCha20/Poly1305, which both use a 12-byte
// nonce (the provider default, so no IV-length parameter is needed) and a
// 16-byte tag appended to the ciphertext (RFC 9053 §4.1, RFC 8439 §2.8).
Result<Bytes> AeadSeal(const char* caller, const EVP_CIPHER* cipher, ByteView key, ByteView iv,
                       ByteView aad, ByteView plaintext) {
  if (cipher == nullptr) {
    return Status(StatusCode::kUnsupported, std::string(caller) + ": cipher is not available");
  }
  if (plaintext.size() > SIZE_MAX - kAeadTagSize) {
    return Status(StatusCode::kLimitExceeded, std::string(caller) + ": plaintext too long");
  }
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return OpensslFailure(StatusCode::kCryptoError, std::string(caller) + ": EVP_CIPHER_CTX_new failed");
  if (EVP_EncryptInit_ex2(ctx.get(), cipher, key.data(), iv.data(), nullptr) != 1) {
    return OpensslFailure(StatusCode::kCryptoError, std::string(caller) + ": EVP_EncryptInit_ex2 failed");
  }
  // AAD is passed as an update with a null output buffer.
  if (!aad.empty() && !CipherUpdateAll(ctx.get(), nullptr, aad.data(), aad.size())) {
    return OpensslFailure(StatusCode::kCryptoError, std::string(caller) + ": AAD update failed");
  }
  Bytes out(plaintext.size() + kAeadTagSize);
  if (!plaintext.empty() &&
      !CipherUpdateAll(ctx.get(), out.data(), plaintext.data(), plaintext.size())) {
    return OpensslFailure(StatusCode::kCryptoError, std::string(caller) + ": encryption failed");
  }
  int final_len = 0;
  if (EVP_EncryptFinal_ex(ctx.get(), out.data() + plaintext.size(), &final_len) != 1 ||
      final_len != 0) {
    return OpensslFailure(StatusCode::kCryptoError, std::string(caller) + ": EVP_EncryptFinal_ex failed");
  }
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG,
                                        out.data() + plaintext.size(), kAeadTagSize),
      OSSL_PARAM_construct_end(),
  };
  if (EVP_CIPHER_CTX_get_params(ctx.get(), params) != 1) {
    return OpensslFailure(StatusCode::kCryptoError, std::string(caller) + ": reading the tag failed");
  }
  return out;
}

Result<SecretBytes> AeadOpen(const char* caller, const EVP_CIPHER* cipher, ByteView key,
                             ByteView iv, ByteView aad, ByteView ciphertext_and_tag) {
  if (cipher == nullptr) {
    return Status(StatusCode::kUnsupported, std::string(caller) + ": cipher is not available");
  }
  if (ciphertext_and_tag.size() < kAeadTagSize) {
    // Cannot be authentic: report it like any other wrong tag.
    return Status(StatusCode::kVerificationFailed,
                  std::string(caller) + ": input is " + Str(ciphertext_and_tag.size()) +
                      " bytes, shorter than the 16-byte tag");
  }
  const size_t ct_len = ciphertext_and_tag.size() - kAeadTagSize;
  ByteView ciphertext = ciphertext_and_tag.first(ct_len);
  ByteView tag = ciphertext_and_tag.subspan(ct_len);

  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return OpensslFailure(StatusCode::kCryptoError, std::string(caller) + ": EVP_CIPHER_CTX_new failed");
  if (EVP_DecryptInit_ex2(ctx.get(), cipher, key.data(), iv.data(), nullptr) != 1) {
    return OpensslFailure(StatusCode::kCryptoError, std::string(caller) + ": EVP_DecryptInit_ex2 failed");
  }
  if (!aad.empty() && !CipherUpdateAll(ctx.get(), nullptr, aad.data(), aad.size())) {
    return OpensslFailure(StatusCode::kCryptoError, std::string(caller) + ": AAD update failed");
  }
  // Decrypt into a wiping buffer: if the tag is wrong, the unauthenticated
  // plaintext is wiped with it and never reaches the caller.
  SecretBytes out(ct_len);
  if (!ciphertext.empty() &&
      !CipherUpdateAll(ctx.get(), out.data(), ciphertext.data(), ciphertext.size())) {
    return OpensslFailure(StatusCode::kCryptoError, std::string(caller) + ": decryption failed");
  }
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG,
                                        const_cast<uint8_t*>(tag.data()), tag.size()),
      OSSL_PARAM_construct_end(),
  };
  if (EVP_CIPHER_CTX_set_params(ctx.get(), params) != 1) {
    return OpensslFailure(StatusCode::kCryptoError, std::string(caller) + ": setting the tag failed");
  }
  uint8_t final_block[kAesBlockSize];
  int final_len = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), final_block, &final_len) != 1) {
    ClearOpensslErrors();
    return Status(StatusCode::kVerificationFailed,
                  std::string(caller) + ": authentication tag does not match");
  }
  return out;
}

const EVP_CIPHER* AesCipher(const internal::CipherPtr (&table)[3], size_t key_size) {
  int index = internal::AesKeySizeIndex(key_size);
  return index < 0 ? nullptr : table[index].get();
}

}  // namespace

// ---- AES key wrap (RFC 3394) ----------------------------------------------------

// The fetched "AES-*-WRAP" ciphers need no EVP_CIPHER_CTX_FLAG_WRAP_ALLOW:
// OpenSSL 3.0 checks that flag only on the legacy EVP_aes_*_wrap() path.
// Wrapping is a single EVP_CipherUpdate over the whole input (the provider
// does not stream); EVP_CipherFinal_ex then produces nothing.
namespace {

Status CheckWrapKek(const char* caller, ByteView kek) {
  if (internal::AesKeySizeIndex(kek.size()) < 0) {
    return Status(StatusCode::kInvalidArgument,
                  std::string(caller) + ": KEK must be 16, 24 or 32 bytes, got " + Str(kek.size()));
  }
  return OkStatus();
}

}  // namespace

Result<Bytes> AesKeyWrap(ByteView kek, ByteView key_to_wrap) {
  TEEP_RETURN_IF_ERROR(CheckWrapKek("AesKeyWrap", kek));
  // RFC 3394 §2: n >= 2 64-bit blocks of key data.
  if (key_to_wrap.size() < 2 * kKeyWrapBlock || key_to_wrap.size() % kKeyWrapBlock != 0 ||
      key_to_wrap.size() > static_cast<size_t>(INT_MAX) - kKeyWrapBlock) {
    return Status(StatusCode::kInvalidArgument,
                  "AesKeyWrap: key data must be a multiple of 8 bytes, at least 16, got " +
                      Str(key_to_wrap.size()));
  }
  const EVP_CIPHER* cipher = AesCipher(internal::Algs().aes_wrap, kek.size());
  if (cipher == nullptr) return Status(StatusCode::kUnsupported, "AesKeyWrap: AES-WRAP is not available");
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return OpensslFailure(StatusCode::kCryptoError, "AesKeyWrap: EVP_CIPHER_CTX_new failed");
  // A null IV selects the RFC 3394 default IV.
  if (EVP_EncryptInit_ex2(ctx.get(), cipher, kek.data(), nullptr, nullptr) != 1) {
    return OpensslFailure(StatusCode::kCryptoError, "AesKeyWrap: EVP_EncryptInit_ex2 failed");
  }
  Bytes out(key_to_wrap.size() + kKeyWrapBlock);
  int len = 0;
  if (EVP_EncryptUpdate(ctx.get(), out.data(), &len, key_to_wrap.data(),
                        static_cast<int>(key_to_wrap.size())) != 1 ||
      static_cast<size_t>(len) != out.size()) {
    return OpensslFailure(StatusCode::kCryptoError, "AesKeyWrap: wrapping failed");
  }
  int final_len = 0;
  if (EVP_EncryptFinal_ex(ctx.get(), out.data() + len, &final_len) != 1 || final_len != 0) {
    return OpensslFailure(StatusCode::kCryptoError, "AesKeyWrap: EVP_EncryptFinal_ex failed");
  }
  return out;
}

Result<SecretBytes> AesKeyUnwrap(ByteView kek, ByteView wrapped) {
  TEEP_RETURN_IF_ERROR(CheckWrapKek("AesKeyUnwrap", kek));
  // The wrapped form of n >= 2 blocks is n+1 >= 3 blocks.
  if (wrapped.size() < 3 * kKeyWrapBlock || wrapped.size() % kKeyWrapBlock != 0 ||
      wrapped.size() > static_cast<size_t>(INT_MAX) - kKeyWrapBlock) {
    return Status(StatusCode::kInvalidArgument,
                  "AesKeyUnwrap: wrapped key must be a multiple of 8 bytes, at least 24, got " +
                      Str(wrapped.size()));
  }
  const EVP_CIPHER* cipher = AesCipher(internal::Algs().aes_wrap, kek.size());
  if (cipher == nullptr) return Status(StatusCode::kUnsupported, "AesKeyUnwrap: AES-WRAP is not available");
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return OpensslFailure(StatusCode::kCryptoError, "AesKeyUnwrap: EVP_CIPHER_CTX_new failed");
  if (EVP_DecryptInit_ex2(ctx.get(), cipher, kek.data(), nullptr, nullptr) != 1) {
    return OpensslFailure(StatusCode::kCryptoError, "AesKeyUnwrap: EVP_DecryptInit_ex2 failed");
  }
  // OpenSSL's EVP layer assumes the output may be up to one block longer than
  // the input, so give it room for that; only the first size()-8 bytes are
  // the key. The buffer wipes itself on every path.
  SecretBytes buffer(wrapped.size() + kKeyWrapBlock);
  int len = 0;
  if (EVP_DecryptUpdate(ctx.get(), buffer.data(), &len, wrapped.data(),
                        static_cast<int>(wrapped.size())) != 1) {
    // Lengths were checked above, so the only way to fail here is the RFC
    // 3394 §2.2.3 integrity check.
    ClearOpensslErrors();
    return Status(StatusCode::kVerificationFailed,
                  "AesKeyUnwrap: integrity check failed (wrong KEK or corrupted data)");
  }
  if (static_cast<size_t>(len) != wrapped.size() - kKeyWrapBlock) {
    return Status(StatusCode::kCryptoError, "AesKeyUnwrap: unexpected output length " + Str(len));
  }
  int final_len = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), buffer.data() + len, &final_len) != 1 || final_len != 0) {
    return OpensslFailure(StatusCode::kCryptoError, "AesKeyUnwrap: EVP_DecryptFinal_ex failed");
  }
  return SecretBytes(buffer.view().first(static_cast<size_t>(len)));
}

// ---- AES-GCM ------------------------------------------------------------------------

namespace {

Status CheckAeadArgs(const char* caller, ByteView key, ByteView iv, bool aes) {
  if (aes) {
    if (internal::AesKeySizeIndex(key.size()) < 0) return BadAesKey(caller, key.size());
  } else if (key.size() != 32) {
    return Status(StatusCode::kInvalidArgument,
                  std::string(caller) + ": key must be 32 bytes, got " + Str(key.size()));
  }
  if (iv.size() != kAeadNonceSize) {
    return Status(StatusCode::kInvalidArgument,
                  std::string(caller) + (aes ? ": IV" : ": nonce") + " must be 12 bytes, got " +
                      Str(iv.size()));
  }
  return OkStatus();
}

}  // namespace

Result<Bytes> AesGcmSeal(ByteView key, ByteView iv, ByteView aad, ByteView plaintext) {
  TEEP_RETURN_IF_ERROR(CheckAeadArgs("AesGcmSeal", key, iv, /*aes=*/true));
  return AeadSeal("AesGcmSeal", AesCipher(internal::Algs().aes_gcm, key.size()), key, iv, aad,
                  plaintext);
}

Result<SecretBytes> AesGcmOpen(ByteView key, ByteView iv, ByteView aad,
                               ByteView ciphertext_and_tag) {
  TEEP_RETURN_IF_ERROR(CheckAeadArgs("AesGcmOpen", key, iv, /*aes=*/true));
  return AeadOpen("AesGcmOpen", AesCipher(internal::Algs().aes_gcm, key.size()), key, iv, aad,
                  ciphertext_and_tag);
}

// ---- ChaCha20/Poly1305 ----------------------------------------------------------------

Result<Bytes> ChaCha20Poly1305Seal(ByteView key, ByteView nonce, ByteView aad,
                                   ByteView plaintext) {
  TEEP_RETURN_IF_ERROR(CheckAeadArgs("ChaCha20Poly1305Seal", key, nonce, /*aes=*/false));
  return AeadSeal("ChaCha20Poly1305Seal", internal::Algs().chacha20_poly1305.get(), key, nonce,
                  aad, plaintext);
}

Result<SecretBytes> ChaCha20Poly1305Open(ByteView key, ByteView nonce, ByteView aad,
                                         ByteView ciphertext_and_tag) {
  TEEP_RETURN_IF_ERROR(CheckAeadArgs("ChaCha20Poly1305Open", key, nonce, /*aes=*/false));
  return AeadOpen("ChaCha20Poly1305Open", internal::Algs().chacha20_poly1305.get(), key, nonce,
                  aad, ciphertext_and_tag);
}

// ---- AES-CTR ------------------------------------------------------------------------------

Status AesCtrXor(ByteView key, ByteView iv, ByteView in, std::span<uint8_t> out) {
  if (internal::AesKeySizeIndex(key.size()) < 0) return BadAesKey("AesCtrXor", key.size());
  if (iv.size() != kAesBlockSize) {
    return Status(StatusCode::kInvalidArgument,
                  "AesCtrXor: IV must be 16 bytes, got " + Str(iv.size()));
  }
  if (out.size() != in.size()) {
    return Status(StatusCode::kInvalidArgument, "AesCtrXor: output is " + Str(out.size()) +
                                                    " bytes, input is " + Str(in.size()));
  }
  if (in.empty()) return OkStatus();
  // Exactly in place is fine (CTR reads each byte before writing it); a
  // partial overlap would read bytes already overwritten.
  const auto in_addr = reinterpret_cast<uintptr_t>(in.data());
  const auto out_addr = reinterpret_cast<uintptr_t>(out.data());
  if (in_addr != out_addr && in_addr < out_addr + out.size() && out_addr < in_addr + in.size()) {
    return Status(StatusCode::kInvalidArgument,
                  "AesCtrXor: input and output overlap without being the same buffer");
  }
  const EVP_CIPHER* cipher = AesCipher(internal::Algs().aes_ctr, key.size());
  if (cipher == nullptr) return Status(StatusCode::kUnsupported, "AesCtrXor: AES-CTR is not available");
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return OpensslFailure(StatusCode::kCryptoError, "AesCtrXor: EVP_CIPHER_CTX_new failed");
  if (EVP_EncryptInit_ex2(ctx.get(), cipher, key.data(), iv.data(), nullptr) != 1) {
    return OpensslFailure(StatusCode::kCryptoError, "AesCtrXor: EVP_EncryptInit_ex2 failed");
  }
  if (!CipherUpdateAll(ctx.get(), out.data(), in.data(), in.size())) {
    return OpensslFailure(StatusCode::kCryptoError, "AesCtrXor: EVP_CipherUpdate failed");
  }
  uint8_t final_block[kAesBlockSize];
  int final_len = 0;
  if (EVP_EncryptFinal_ex(ctx.get(), final_block, &final_len) != 1 || final_len != 0) {
    return OpensslFailure(StatusCode::kCryptoError, "AesCtrXor: EVP_EncryptFinal_ex failed");
  }
  return OkStatus();
}

}  // namespace teep::crypto
