// OpenSSL 3.0 backend for crypto.h: the shared algorithm table, memory
// hygiene, randomness, hashing, HMAC and HKDF.
//
// Symmetric ciphers are in openssl_symmetric.cc, keys and signatures in
// openssl_keys.cc.
#include "core/crypto/openssl_handles.h"  // first: pins the OpenSSL API level

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>

#include <climits>
#include <cstdlib>
#include <cstring>

#include "core/crypto/crypto.h"

namespace teep::crypto {
namespace internal {

namespace {

Algorithms FetchAlgorithms() {
  Algorithms a;
  a.sha256.reset(EVP_MD_fetch(nullptr, "SHA2-256", nullptr));
  a.sha384.reset(EVP_MD_fetch(nullptr, "SHA2-384", nullptr));
  a.sha512.reset(EVP_MD_fetch(nullptr, "SHA2-512", nullptr));
  static constexpr const char* kGcm[3] = {"AES-128-GCM", "AES-192-GCM", "AES-256-GCM"};
  static constexpr const char* kCtr[3] = {"AES-128-CTR", "AES-192-CTR", "AES-256-CTR"};
  // "AES-*-WRAP" is RFC 3394 with the default IV A6A6A6A6A6A6A6A6 (the
  // "-WRAP-PAD" variants are RFC 5649, which COSE does not use).
  static constexpr const char* kWrap[3] = {"AES-128-WRAP", "AES-192-WRAP", "AES-256-WRAP"};
  for (int i = 0; i < 3; ++i) {
    a.aes_gcm[i].reset(EVP_CIPHER_fetch(nullptr, kGcm[i], nullptr));
    a.aes_ctr[i].reset(EVP_CIPHER_fetch(nullptr, kCtr[i], nullptr));
    a.aes_wrap[i].reset(EVP_CIPHER_fetch(nullptr, kWrap[i], nullptr));
  }
  a.chacha20_poly1305.reset(EVP_CIPHER_fetch(nullptr, "ChaCha20-Poly1305", nullptr));
  a.hmac.reset(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  a.hkdf.reset(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
  // A failed fetch leaves an error on this thread's queue; it is reported by
  // the operation that needs the algorithm, not by whoever came first.
  ERR_clear_error();
  return a;
}

}  // namespace

const Algorithms& Algs() {
  // Thread-safe one-time initialisation (function-local static). The table is
  // destroyed at exit before OpenSSL's own atexit cleanup, which was
  // registered earlier (by the first fetch initialising the library).
  static const Algorithms algorithms = FetchAlgorithms();
  return algorithms;
}

const EVP_MD* MdFor(HashAlg alg) {
  const Algorithms& a = Algs();
  switch (alg) {
    case HashAlg::kSha256: return a.sha256.get();
    case HashAlg::kSha384: return a.sha384.get();
    case HashAlg::kSha512: return a.sha512.get();
  }
  return nullptr;
}

const char* MdName(HashAlg alg) {
  switch (alg) {
    case HashAlg::kSha256: return "SHA2-256";
    case HashAlg::kSha384: return "SHA2-384";
    case HashAlg::kSha512: return "SHA2-512";
  }
  return "";
}

Status OpensslFailure(StatusCode code, std::string_view what) {
  std::string message(what);
  // The earliest error is usually the root cause; later ones are context.
  unsigned long err = ERR_get_error();
  if (err != 0) {
    char reason[256];
    ERR_error_string_n(err, reason, sizeof(reason));
    message += " (";
    message += reason;
    message += ")";
  }
  ERR_clear_error();
  return Status(code, std::move(message));
}

void ClearOpensslErrors() { ERR_clear_error(); }

const uint8_t* NonNullData(ByteView b) {
  static const uint8_t kEmpty = 0;
  return b.data() != nullptr ? b.data() : &kEmpty;
}

}  // namespace internal

using internal::MdCtxPtr;
using internal::MacCtxPtr;
using internal::KdfCtxPtr;
using internal::NonNullData;
using internal::OpensslFailure;

// ---- memory hygiene ----------------------------------------------------------

void Wipe(void* data, size_t size) {
  if (data != nullptr && size != 0) OPENSSL_cleanse(data, size);
}

bool ConstantTimeEqual(ByteView a, ByteView b) {
  if (a.size() != b.size()) return false;  // the length is not secret
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    Wipe(bytes_.data(), bytes_.size());
    // Move *construction* is guaranteed to leave `other.bytes_` empty (move
    // assignment only promises "valid but unspecified"), so the secret now
    // has exactly one owner.
    Bytes taken(std::move(other.bytes_));
    bytes_.swap(taken);
  }  // `taken` now holds our old, wiped buffer and frees it
  return *this;
}

SecretBytes::~SecretBytes() { Wipe(bytes_.data(), bytes_.size()); }

// ---- randomness --------------------------------------------------------------

Status RandomBytes(std::span<uint8_t> out) {
  // RAND_bytes takes an int length: fill larger buffers in INT_MAX pieces.
  uint8_t* p = out.data();
  size_t left = out.size();
  while (left > 0) {
    size_t chunk = left < static_cast<size_t>(INT_MAX) ? left : static_cast<size_t>(INT_MAX);
    if (RAND_bytes(p, static_cast<int>(chunk)) != 1) {
      return OpensslFailure(StatusCode::kCryptoError, "RandomBytes: RAND_bytes failed");
    }
    p += chunk;
    left -= chunk;
  }
  return OkStatus();
}

// ---- hashing ------------------------------------------------------------------

size_t HashSize(HashAlg alg) {
  switch (alg) {
    case HashAlg::kSha256: return 32;
    case HashAlg::kSha384: return 48;
    case HashAlg::kSha512: return 64;
  }
  return 0;
}

namespace {

Status HashInto(const char* caller, HashAlg alg, ByteView data, uint8_t* out) {
  const EVP_MD* md = internal::MdFor(alg);
  if (md == nullptr) {
    return Status(StatusCode::kUnsupported,
                  std::string(caller) + ": digest " + internal::MdName(alg) + " is not available");
  }
  unsigned int len = 0;
  if (EVP_Digest(NonNullData(data), data.size(), out, &len, md, nullptr) != 1 ||
      len != HashSize(alg)) {
    return OpensslFailure(StatusCode::kCryptoError, std::string(caller) + ": EVP_Digest failed");
  }
  return OkStatus();
}

}  // namespace

Result<Bytes> Hash(HashAlg alg, ByteView data) {
  Bytes out(HashSize(alg));
  TEEP_RETURN_IF_ERROR(HashInto("Hash", alg, data, out.data()));
  return out;
}

std::array<uint8_t, 32> Sha256(ByteView data) {
  std::array<uint8_t, 32> out{};
  // The signature has no error channel. SHA-256 in the default provider fails
  // only if the library itself is broken (no provider, out of memory), and a
  // made-up digest would be far more dangerous than stopping.
  if (!HashInto("Sha256", HashAlg::kSha256, data, out.data()).ok()) std::abort();
  return out;
}

struct Hasher::State {
  MdCtxPtr ctx;
  HashAlg alg;
  bool finished = false;
};

Hasher::Hasher(std::unique_ptr<State> state) : state_(std::move(state)) {}
Hasher::Hasher(Hasher&&) noexcept = default;
Hasher& Hasher::operator=(Hasher&&) noexcept = default;
Hasher::~Hasher() = default;

Result<Hasher> Hasher::Create(HashAlg alg) {
  const EVP_MD* md = internal::MdFor(alg);
  if (md == nullptr) {
    return Status(StatusCode::kUnsupported,
                  std::string("Hasher::Create: digest ") + internal::MdName(alg) +
                      " is not available");
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) return OpensslFailure(StatusCode::kCryptoError, "Hasher::Create: EVP_MD_CTX_new failed");
  if (EVP_DigestInit_ex2(ctx.get(), md, nullptr) != 1) {
    return OpensslFailure(StatusCode::kCryptoError, "Hasher::Create: EVP_DigestInit_ex2 failed");
  }
  auto state = std::make_unique<State>();
  state->ctx = std::move(ctx);
  state->alg = alg;
  return Hasher(std::move(state));
}

Status Hasher::Update(ByteView data) {
  if (!state_) return Status(StatusCode::kInvalidArgument, "Hasher::Update: moved-from Hasher");
  if (state_->finished) {
    return Status(StatusCode::kInvalidArgument, "Hasher::Update: called after Finish");
  }
  if (data.empty()) return OkStatus();
  if (EVP_DigestUpdate(state_->ctx.get(), data.data(), data.size()) != 1) {
    return OpensslFailure(StatusCode::kCryptoError, "Hasher::Update: EVP_DigestUpdate failed");
  }
  return OkStatus();
}

Result<Bytes> Hasher::Finish() {
  if (!state_) return Status(StatusCode::kInvalidArgument, "Hasher::Finish: moved-from Hasher");
  if (state_->finished) {
    return Status(StatusCode::kInvalidArgument, "Hasher::Finish: called twice");
  }
  state_->finished = true;
  Bytes out(HashSize(state_->alg));
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(state_->ctx.get(), out.data(), &len) != 1 || len != out.size()) {
    return OpensslFailure(StatusCode::kCryptoError, "Hasher::Finish: EVP_DigestFinal_ex failed");
  }
  return out;
}

// ---- HMAC and HKDF ------------------------------------------------------------

Result<Bytes> Hmac(HashAlg alg, ByteView key, ByteView data) {
  EVP_MAC* mac = internal::Algs().hmac.get();
  if (mac == nullptr) return Status(StatusCode::kUnsupported, "Hmac: HMAC is not available");
  MacCtxPtr ctx(EVP_MAC_CTX_new(mac));
  if (!ctx) return OpensslFailure(StatusCode::kCryptoError, "Hmac: EVP_MAC_CTX_new failed");
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                       const_cast<char*>(internal::MdName(alg)), 0),
      OSSL_PARAM_construct_end(),
  };
  // A null key means "reuse the previous key" to EVP_MAC_init; an empty key
  // is legal HMAC, so pass a valid pointer with length 0.
  if (EVP_MAC_init(ctx.get(), NonNullData(key), key.size(), params) != 1) {
    return OpensslFailure(StatusCode::kCryptoError, "Hmac: EVP_MAC_init failed");
  }
  if (!data.empty() && EVP_MAC_update(ctx.get(), data.data(), data.size()) != 1) {
    return OpensslFailure(StatusCode::kCryptoError, "Hmac: EVP_MAC_update failed");
  }
  Bytes out(HashSize(alg));
  size_t len = 0;
  if (EVP_MAC_final(ctx.get(), out.data(), &len, out.size()) != 1 || len != out.size()) {
    return OpensslFailure(StatusCode::kCryptoError, "Hmac: EVP_MAC_final failed");
  }
  return out;
}

Result<SecretBytes> Hkdf(HashAlg alg, ByteView ikm, ByteView salt, ByteView info,
                         size_t out_len) {
  // RFC 5869 §2.3: L <= 255*HashLen.
  const size_t max_len = 255 * HashSize(alg);
  if (out_len == 0 || out_len > max_len) {
    return Status(StatusCode::kInvalidArgument,
                  "Hkdf: output length must be 1.." + std::to_string(max_len) + " bytes, got " +
                      std::to_string(out_len));
  }
  EVP_KDF* kdf = internal::Algs().hkdf.get();
  if (kdf == nullptr) return Status(StatusCode::kUnsupported, "Hkdf: HKDF is not available");
  KdfCtxPtr ctx(EVP_KDF_CTX_new(kdf));
  if (!ctx) return OpensslFailure(StatusCode::kCryptoError, "Hkdf: EVP_KDF_CTX_new failed");

  int mode = EVP_KDF_HKDF_MODE_EXTRACT_AND_EXPAND;
  OSSL_PARAM params[6];
  size_t n = 0;
  params[n++] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
                                                 const_cast<char*>(internal::MdName(alg)), 0);
  // An octet-string param with a null pointer is "missing key"; an empty IKM
  // is legal, so give it a valid pointer.
  params[n++] = OSSL_PARAM_construct_octet_string(
      OSSL_KDF_PARAM_KEY, const_cast<uint8_t*>(NonNullData(ikm)), ikm.size());
  // RFC 5869 §2.2: no salt means HashLen zero bytes. Leaving the parameter
  // unset makes OpenSSL key HMAC with an empty key, which HMAC pads with zeros
  // to the same thing.
  if (!salt.empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(
        OSSL_KDF_PARAM_SALT, const_cast<uint8_t*>(salt.data()), salt.size());
  }
  if (!info.empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(
        OSSL_KDF_PARAM_INFO, const_cast<uint8_t*>(info.data()), info.size());
  }
  params[n] = OSSL_PARAM_construct_end();

  SecretBytes out(out_len);
  if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1) {
    return OpensslFailure(StatusCode::kCryptoError, "Hkdf: EVP_KDF_derive failed");
  }
  return out;
}

}  // namespace teep::crypto
