// Internal to the OpenSSL backend: owning handles for OpenSSL objects, the
// table of algorithms fetched once, and small helpers shared by the backend's
// .cc files. Nothing outside src/core/crypto/openssl_*.cc includes this.
//
// Include this header before any other OpenSSL header: it pins the API level
// so that a call to anything deprecated in OpenSSL 3.0 (EC_KEY, ECDSA_do_sign,
// SHA256(), ...) fails to compile instead of merely warning.
#pragma once

#ifdef OPENSSL_MACROS_H
#error "openssl_handles.h must be included before any OpenSSL header"
#endif
#ifndef OPENSSL_API_COMPAT
#define OPENSSL_API_COMPAT 30000
#endif
#ifndef OPENSSL_NO_DEPRECATED
#define OPENSSL_NO_DEPRECATED
#endif

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>
#include <openssl/params.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/crypto/crypto.h"

namespace teep::crypto::internal {

// One deleter type per OpenSSL free function, so that a unique_ptr's type says
// exactly how its object is released.
template <auto FreeFn>
struct OpensslDeleter {
  template <typename T>
  void operator()(T* p) const {
    FreeFn(p);
  }
};

template <typename T, auto FreeFn>
using OpensslPtr = std::unique_ptr<T, OpensslDeleter<FreeFn>>;

using PkeyPtr = OpensslPtr<EVP_PKEY, EVP_PKEY_free>;
using PkeyCtxPtr = OpensslPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using MdCtxPtr = OpensslPtr<EVP_MD_CTX, EVP_MD_CTX_free>;
using CipherCtxPtr = OpensslPtr<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>;
using MdPtr = OpensslPtr<EVP_MD, EVP_MD_free>;
using CipherPtr = OpensslPtr<EVP_CIPHER, EVP_CIPHER_free>;
using MacPtr = OpensslPtr<EVP_MAC, EVP_MAC_free>;
using MacCtxPtr = OpensslPtr<EVP_MAC_CTX, EVP_MAC_CTX_free>;
using KdfPtr = OpensslPtr<EVP_KDF, EVP_KDF_free>;
using KdfCtxPtr = OpensslPtr<EVP_KDF_CTX, EVP_KDF_CTX_free>;
using BioPtr = OpensslPtr<BIO, BIO_free>;
// BN_clear_free: every BIGNUM we own may be (part of) a private scalar.
using BignumPtr = OpensslPtr<BIGNUM, BN_clear_free>;
using BnCtxPtr = OpensslPtr<BN_CTX, BN_CTX_free>;
using ParamBldPtr = OpensslPtr<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>;
// OSSL_PARAM_free clears the (secure) data block the builder allocated.
using ParamsPtr = OpensslPtr<OSSL_PARAM, OSSL_PARAM_free>;
using EcdsaSigPtr = OpensslPtr<ECDSA_SIG, ECDSA_SIG_free>;
using EcGroupPtr = OpensslPtr<EC_GROUP, EC_GROUP_free>;
using EcPointPtr = OpensslPtr<EC_POINT, EC_POINT_clear_free>;

// Algorithms fetched from the default provider exactly once per process.
//
// Why: in OpenSSL 3.0, passing EVP_sha256() / EVP_aes_128_gcm() (or a name) to
// an *Init call performs an implicit fetch on every call: a locked lookup in
// the provider store plus reference counting. Fetching explicitly once and
// reusing the objects avoids that cost on every hash, MAC and AEAD operation
// (OpenSSL "Performance" notes in crypto(7)). The objects are immutable after
// fetch and safe to share between threads.
//
// A null member means the provider does not offer the algorithm; callers turn
// that into kUnsupported / kCryptoError rather than crashing.
struct Algorithms {
  MdPtr sha256;
  MdPtr sha384;
  MdPtr sha512;
  CipherPtr aes_gcm[3];   // indexed by KeySizeIndex: 128, 192, 256
  CipherPtr aes_ctr[3];
  CipherPtr aes_wrap[3];  // RFC 3394 with the default IV
  CipherPtr chacha20_poly1305;
  MacPtr hmac;
  KdfPtr hkdf;
};

// The process-wide table; initialised on first use (C++11 guarantees the
// function-local static is initialised exactly once, even under concurrency).
const Algorithms& Algs();

// Maps an AES key length to 0/1/2 for 16/24/32 bytes, or -1.
inline int AesKeySizeIndex(size_t key_size) {
  switch (key_size) {
    case 16: return 0;
    case 24: return 1;
    case 32: return 2;
    default: return -1;
  }
}

// The fetched EVP_MD for `alg` (null only if the provider lacks it).
const EVP_MD* MdFor(HashAlg alg);
// The OpenSSL digest name for `alg`, for OSSL_PARAM digest parameters.
const char* MdName(HashAlg alg);

// A Status that says what failed, with OpenSSL's reason appended when there is
// one. Drains the calling thread's OpenSSL error queue either way, so that a
// stale error can never be reported against a later operation.
Status OpensslFailure(StatusCode code, std::string_view what);

// Drains the error queue without reporting (for expected failures such as a
// signature that does not verify).
void ClearOpensslErrors();

// OpenSSL APIs distinguish "no buffer" from "empty buffer" in places (an
// octet-string OSSL_PARAM with a null pointer counts as absent). An empty span
// may have a null data(); this returns a valid pointer for it.
const uint8_t* NonNullData(ByteView b);

}  // namespace teep::crypto::internal
