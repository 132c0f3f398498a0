// COSE_Encrypt0 and COSE_Encrypt (RFC 9052 §5) with the algorithms SUIT
// payload encryption and TEEP need (draft-ietf-suit-firmware-encryption,
// RFC 9459): content A128GCM/A192GCM/A256GCM, ChaCha20/Poly1305, A128CTR/
// A192CTR/A256CTR; recipients A128KW/A192KW/A256KW (pre-shared KEK) and
// ECDH-ES + A128KW (HKDF-SHA-256 with COSE_KDF_Context, RFC 9053 §5.2).
//
// AES-CTR is not authenticated: as RFC 9459 §4 requires, its protected bucket
// must be empty, and integrity must come from elsewhere (the SUIT manifest's
// digest of the payload).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/cose/headers.h"
#include "core/cose/sign.h"
#include "core/crypto/crypto.h"

namespace teep::cose {

struct EncryptOptions {
  int64_t content_alg = 1;  // A128GCM
  bool tagged = true;
  // Emit `nil` as ciphertext and return it separately (SUIT detaches it).
  bool detached = false;
  ByteView external_aad;
};

struct EncryptResult {
  Bytes message;             // the COSE structure
  Bytes detached_ciphertext; // when options.detached
};

// ---- COSE_Encrypt0: the content key is known to both sides ---------------

Result<EncryptResult> CreateEncrypt0(ByteView cek, ByteView plaintext,
                                     const EncryptOptions& options = {});

struct Encrypt0Message {
  bool tagged = false;
  Headers headers;
  std::optional<ByteView> ciphertext;  // nullopt when detached
};

Result<Encrypt0Message> DecodeEncrypt0(ByteView data, TagPolicy tags = TagPolicy::kAny);
Result<crypto::SecretBytes> DecryptEncrypt0(const Encrypt0Message& message, ByteView cek,
                                            ByteView external_aad = {},
                                            std::optional<ByteView> detached_ciphertext = std::nullopt);

// ---- COSE_Encrypt with recipients ------------------------------------------

// A recipient that shares a key-encryption key with the sender (AES-KW).
struct KeyWrapRecipient {
  ByteView kek;
  Bytes kid;
  int64_t alg = -3;  // A128KW
};

// A recipient with a P-256 or X25519 public key: ECDH-ES + A128KW. `kdf_other`
// is COSE_KDF_Context SuppPubInfo.other, e.g. "SUIT Payload Encryption".
struct EcdhRecipient {
  const crypto::PublicKey* public_key;
  Bytes kid;
  std::string_view kdf_other;
  int64_t alg = -29;  // ECDH-ES + A128KW
};

using RecipientSpec = std::variant<KeyWrapRecipient, EcdhRecipient>;

Result<EncryptResult> CreateEncrypt(std::span<const RecipientSpec> recipients, ByteView plaintext,
                                    const EncryptOptions& options = {});

struct RecipientEntry {
  Headers headers;
  ByteView encrypted_key;
};

struct EncryptMessage {
  bool tagged = false;
  Headers headers;
  std::optional<ByteView> ciphertext;
  std::vector<RecipientEntry> recipients;  // at least one
};

Result<EncryptMessage> DecodeEncrypt(ByteView data, TagPolicy tags = TagPolicy::kAny);

// What the recipient holds to recover the content key.
struct KeyWrapKey {
  ByteView kek;
  ByteView kid;  // empty = try every AES-KW recipient
};
struct EcdhKey {
  const crypto::PrivateKey* private_key;
  std::string_view kdf_other;
  ByteView kid;  // empty = try every ECDH recipient
};
using DecryptionKey = std::variant<KeyWrapKey, EcdhKey>;

// Recovers the content key through the first matching recipient, then
// decrypts. kVerificationFailed when no recipient unwraps or the content tag
// is wrong; no plaintext is returned in that case.
Result<crypto::SecretBytes> DecryptEncrypt(const EncryptMessage& message,
                                           const DecryptionKey& key,
                                           ByteView external_aad = {},
                                           std::optional<ByteView> detached_ciphertext = std::nullopt);

// The COSE_KDF_Context for ECDH-ES + AES-KW (RFC 9053 §5.2, as profiled by
// draft-ietf-suit-firmware-encryption §5.2.4): [alg, [nil,nil,nil],
// [nil,nil,nil], [key bits, recipient protected bstr, other]]. Exposed for
// tests against published vectors.
Result<Bytes> EncodeKdfContext(int64_t wrap_alg, size_t key_bits, ByteView recipient_protected,
                               std::string_view other);

}  // namespace teep::cose
