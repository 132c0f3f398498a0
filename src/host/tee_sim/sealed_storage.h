// Sealed storage of the simulated TEE: named blobs that only the holder of
// the sealing key can read, and that nobody can alter unnoticed.
//
// A real TEE seals with a key derived from the hardware, so that data written
// by the TEE is opaque to the normal world that stores it. Here the blobs live
// in an ordinary directory and are protected by AES-256-GCM:
//
//   <dir>/<name>.sealed = "TEEPSEAL" | version (1 byte, = 1) | IV (12 bytes)
//                         | ciphertext | tag (16 bytes)
//
// The key is derived from the sealing key with HKDF-SHA-256 (info "teep
// tee_sim sealed storage v1"), so the sealing key itself never encrypts data
// and another use of it gets an independent key. The AAD is the magic, the
// version and the blob's name: a blob copied or renamed to another name, or
// relabelled as another version, fails to open. The IV is fresh random for
// every write; NIST SP 800-38D allows 2^32 such writes under one key, far more
// than a TEE's state will see.
//
// What this does not protect against: replacing a blob with an older copy of
// itself (rollback). That is what MonotonicCounter is for.
//
// Not thread-safe; one process at a time (TeeIdentity's lock provides that).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/crypto/crypto.h"

namespace teep::host::tee_sim {

class SealedStorage {
 public:
  // Opens the storage in `dir`, creating it with mode 0700 when absent and
  // refusing a directory that other users can access. The sealing key must be
  // at least 16 bytes.
  static Result<std::unique_ptr<SealedStorage>> Open(std::string dir,
                                                     const crypto::SecretBytes& sealing_key);

  SealedStorage(const SealedStorage&) = delete;
  SealedStorage& operator=(const SealedStorage&) = delete;

  // Seals `plaintext` under `name`, replacing any previous blob atomically and
  // durably (the file and its directory entry are fsynced before return).
  // Names are 1 to 64 characters of [a-z0-9_.-]; anything else is
  // kInvalidArgument.
  Status Put(std::string_view name, ByteView plaintext);
  // The plaintext, or nullopt when no blob has that name. A blob that does not
  // authenticate is kVerificationFailed, one that is not a sealed blob at all
  // kMalformed; either way the message names the blob and no data is returned.
  Result<std::optional<crypto::SecretBytes>> Get(std::string_view name);
  // Deletes the blob durably. Removing an absent blob is not an error.
  Status Remove(std::string_view name);

  const std::string& directory() const { return dir_; }

 private:
  SealedStorage(std::string dir, crypto::SecretBytes key);
  std::string PathOf(std::string_view name) const;

  std::string dir_;
  crypto::SecretBytes key_;  // the derived AES-256-GCM key
};

}  // namespace teep::host::tee_sim
