#include "core/cose/algorithms.h"

namespace teep::cose {

std::optional<std::string_view> AlgorithmName(int64_t alg) {
  switch (alg) {
    case kAlgES256: return "ES256";
    case kAlgESP256: return "ESP256";
    case kAlgES384: return "ES384";
    case kAlgESP384: return "ESP384";
    case kAlgEdDSA: return "EdDSA";
    case kAlgEd25519: return "Ed25519";
    case kAlgHmac256: return "HMAC 256/256";
    case kAlgA128Gcm: return "A128GCM";
    case kAlgA192Gcm: return "A192GCM";
    case kAlgA256Gcm: return "A256GCM";
    case kAlgChaCha20Poly1305: return "ChaCha20/Poly1305";
    case kAlgA128Ctr: return "A128CTR";
    case kAlgA192Ctr: return "A192CTR";
    case kAlgA256Ctr: return "A256CTR";
    case kAlgA128Kw: return "A128KW";
    case kAlgA192Kw: return "A192KW";
    case kAlgA256Kw: return "A256KW";
    case kAlgEcdhEsA128Kw: return "ECDH-ES + A128KW";
    case kAlgSha256: return "SHA-256";
    default: return std::nullopt;
  }
}

std::optional<crypto::KeyType> SignatureKeyType(int64_t alg) {
  switch (alg) {
    case kAlgES256:
    case kAlgESP256: return crypto::KeyType::kP256;
    case kAlgES384:
    case kAlgESP384: return crypto::KeyType::kP384;
    case kAlgEdDSA:
    case kAlgEd25519: return crypto::KeyType::kEd25519;
    default: return std::nullopt;
  }
}

std::optional<int64_t> DefaultSignatureAlg(crypto::KeyType type) {
  switch (type) {
    case crypto::KeyType::kP256: return kAlgESP256;
    case crypto::KeyType::kP384: return kAlgESP384;
    case crypto::KeyType::kEd25519: return kAlgEd25519;
    case crypto::KeyType::kX25519: return std::nullopt;
  }
  return std::nullopt;
}

std::optional<size_t> ContentKeySize(int64_t alg) {
  switch (alg) {
    case kAlgA128Gcm:
    case kAlgA128Ctr: return 16;
    case kAlgA192Gcm:
    case kAlgA192Ctr: return 24;
    case kAlgA256Gcm:
    case kAlgA256Ctr:
    case kAlgChaCha20Poly1305: return 32;
    default: return std::nullopt;
  }
}

bool IsAeadContentAlg(int64_t alg) {
  return alg == kAlgA128Gcm || alg == kAlgA192Gcm || alg == kAlgA256Gcm ||
         alg == kAlgChaCha20Poly1305;
}

std::optional<size_t> KeyWrapKeySize(int64_t alg) {
  switch (alg) {
    case kAlgA128Kw:
    case kAlgEcdhEsA128Kw: return 16;
    case kAlgA192Kw: return 24;
    case kAlgA256Kw: return 32;
    default: return std::nullopt;
  }
}

}  // namespace teep::cose
