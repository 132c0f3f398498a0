// The crypto interface of the portable core.
//
// Everything above core/crypto (COSE, SUIT, TEEP, EAT) calls only what this
// header declares. The implementation is chosen at link time: today
// openssl_backend.cc (OpenSSL 3.0); a TEE build links another backend (mbedTLS,
// a TEE's own services) that implements the same declarations. Link-time
// selection keeps the hot paths free of virtual dispatch and lets the TEE build
// drop OpenSSL entirely.
//
// Conventions:
// - Signatures are in COSE form: ECDSA is raw r||s, each half left-padded to
//   the curve size (64 bytes for P-256, 96 for P-384); Ed25519 is 64 bytes.
//   DER is never produced or accepted here.
// - Secrets live in SecretBytes, which wipes itself.
// - Failures are Status values; nothing throws.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/base/bytes.h"
#include "core/base/status.h"

namespace teep::crypto {

// ---- memory hygiene --------------------------------------------------------

// Overwrites memory in a way the compiler may not elide.
void Wipe(void* data, size_t size);

// Compares in time that depends only on the length, never on the contents.
// Different lengths compare unequal (the length itself is not secret).
bool ConstantTimeEqual(ByteView a, ByteView b);

// A byte buffer for keys and other secrets: wiped on destruction, on
// assignment and on resize-to-smaller; not copyable by accident.
class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(size_t size) : bytes_(size) {}
  explicit SecretBytes(ByteView b) : bytes_(b.begin(), b.end()) {}
  SecretBytes(SecretBytes&& other) noexcept : bytes_(std::move(other.bytes_)) {}
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  ~SecretBytes();

  // Explicit copy, so that every duplication of a secret is visible in code.
  SecretBytes Clone() const { return SecretBytes(view()); }

  uint8_t* data() { return bytes_.data(); }
  const uint8_t* data() const { return bytes_.data(); }
  size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }
  ByteView view() const { return ByteView(bytes_); }
  // Moves the bytes out without a copy, for data that stops being a secret
  // here (a decrypted payload handed to its storage); this object is left
  // empty and the caller owns what it got.
  Bytes Release() && { return std::move(bytes_); }

 private:
  Bytes bytes_;
};

// ---- randomness -------------------------------------------------------------

// Fills `out` from the platform CSPRNG.
Status RandomBytes(std::span<uint8_t> out);

// ---- hashing and MACs ---------------------------------------------------------

enum class HashAlg { kSha256, kSha384, kSha512 };

size_t HashSize(HashAlg alg);

// One-shot digest. Output size is HashSize(alg).
Result<Bytes> Hash(HashAlg alg, ByteView data);
std::array<uint8_t, 32> Sha256(ByteView data);

// Incremental hashing, for payloads that arrive in pieces (SUIT fetch).
class Hasher {
 public:
  static Result<Hasher> Create(HashAlg alg);
  Hasher(Hasher&&) noexcept;
  Hasher& operator=(Hasher&&) noexcept;
  ~Hasher();
  Status Update(ByteView data);
  // Finishes and returns the digest; the Hasher may not be used afterwards.
  Result<Bytes> Finish();

 private:
  struct State;
  explicit Hasher(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

Result<Bytes> Hmac(HashAlg alg, ByteView key, ByteView data);

// RFC 5869 HKDF (extract then expand). An empty salt means "no salt"
// (a string of HashLen zeros, RFC 5869 §2.2).
Result<SecretBytes> Hkdf(HashAlg alg, ByteView ikm, ByteView salt, ByteView info,
                         size_t out_len);

// ---- symmetric ciphers ---------------------------------------------------------

// RFC 3394 AES key wrap with the default IV. KEK is 16, 24 or 32 bytes; the
// wrapped output is 8 bytes longer than the input key.
Result<Bytes> AesKeyWrap(ByteView kek, ByteView key_to_wrap);
// Fails with kVerificationFailed when the integrity check value is wrong.
Result<SecretBytes> AesKeyUnwrap(ByteView kek, ByteView wrapped);

// AES-GCM with a 12-byte IV and a 16-byte tag appended to the ciphertext
// (the COSE layout, RFC 9053 §4.1). Key is 16, 24 or 32 bytes.
Result<Bytes> AesGcmSeal(ByteView key, ByteView iv, ByteView aad, ByteView plaintext);
// Fails with kVerificationFailed on a wrong tag; no plaintext is returned then.
Result<SecretBytes> AesGcmOpen(ByteView key, ByteView iv, ByteView aad,
                               ByteView ciphertext_and_tag);

// ChaCha20/Poly1305 (RFC 8439), 32-byte key, 12-byte nonce, 16-byte tag
// appended. Used by the SUIT profile [-16, -19, -29, 24].
Result<Bytes> ChaCha20Poly1305Seal(ByteView key, ByteView nonce, ByteView aad,
                                   ByteView plaintext);
Result<SecretBytes> ChaCha20Poly1305Open(ByteView key, ByteView nonce, ByteView aad,
                                         ByteView ciphertext_and_tag);

// AES-CTR (RFC 9459), key 16/24/32 bytes, 16-byte initial counter block.
// Encryption and decryption are the same operation. `out` must be as long as
// `in`; in-place (out == in) is allowed, so a large payload needs one buffer.
Status AesCtrXor(ByteView key, ByteView iv, ByteView in, std::span<uint8_t> out);

// ---- asymmetric keys -------------------------------------------------------------

enum class KeyType {
  kP256,     // ECDSA / ECDH on secp256r1
  kP384,     // ECDSA / ECDH on secp384r1
  kEd25519,  // EdDSA signatures
  kX25519,   // ECDH only
};

std::string_view KeyTypeName(KeyType type);
// Size of one coordinate / of the raw public key for OKP types.
size_t KeyCoordinateSize(KeyType type);
bool KeyTypeCanSign(KeyType type);
bool KeyTypeCanAgree(KeyType type);

class PublicKey {
 public:
  // From SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC KEY-----").
  static Result<PublicKey> FromPem(std::string_view pem);
  // EC2: x and y, each exactly KeyCoordinateSize bytes; the point must be on
  // the curve. OKP: x only (y empty), 32 bytes.
  static Result<PublicKey> FromCoordinates(KeyType type, ByteView x, ByteView y);

  PublicKey(const PublicKey&);
  PublicKey& operator=(const PublicKey&);
  PublicKey(PublicKey&&) noexcept;
  PublicKey& operator=(PublicKey&&) noexcept;
  ~PublicKey();

  KeyType type() const { return type_; }
  Result<std::string> ToPem() const;
  // Raw coordinates: EC2 -> (x, y) each KeyCoordinateSize bytes; OKP -> (x, {}).
  Bytes x() const;
  Bytes y() const;

  // Verifies a COSE-form signature (raw r||s for ECDSA; the hash is SHA-256
  // for P-256 and SHA-384 for P-384; pure Ed25519). Returns kVerificationFailed
  // for a wrong signature, including one of the wrong length.
  Status Verify(ByteView message, ByteView signature) const;

  // Backend handle, for the backend only.
  struct Impl;
  const Impl& impl() const { return *impl_; }

 private:
  PublicKey(KeyType type, std::unique_ptr<Impl> impl);
  friend class PrivateKey;
  friend struct BackendAccess;
  KeyType type_;
  std::unique_ptr<Impl> impl_;
};

class PrivateKey {
 public:
  static Result<PrivateKey> Generate(KeyType type);
  // From PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----") or the traditional
  // "EC PRIVATE KEY" form. Encrypted PEM is refused.
  static Result<PrivateKey> FromPem(std::string_view pem);
  // EC2: d (KeyCoordinateSize bytes); OKP: the 32-byte seed / scalar.
  static Result<PrivateKey> FromRaw(KeyType type, ByteView d);

  PrivateKey(PrivateKey&&) noexcept;
  PrivateKey& operator=(PrivateKey&&) noexcept;
  PrivateKey(const PrivateKey&) = delete;
  PrivateKey& operator=(const PrivateKey&) = delete;
  ~PrivateKey();

  KeyType type() const { return type_; }
  PublicKey Public() const;
  // PKCS#8 PEM, unencrypted. The string holds a secret: wipe it after use.
  Result<std::string> ToPem() const;
  // The private scalar / seed (see FromRaw).
  Result<SecretBytes> RawPrivate() const;

  // COSE-form signature (see PublicKey::Verify). kInvalidArgument for X25519.
  Result<Bytes> Sign(ByteView message) const;

  // ECDH: the shared secret (x coordinate for EC, RFC 7748 output for X25519).
  // The peer key must have the same type. kInvalidArgument for Ed25519.
  Result<SecretBytes> Agree(const PublicKey& peer) const;

  struct Impl;
  const Impl& impl() const { return *impl_; }

 private:
  PrivateKey(KeyType type, std::unique_ptr<Impl> impl);
  friend struct BackendAccess;
  KeyType type_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace teep::crypto
