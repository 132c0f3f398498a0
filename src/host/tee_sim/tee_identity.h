// The identity of a simulated TEE: its sealing key, its keys and its UEID,
// created on first start and the same on every later start.
//
// Layout of the state directory (mode 0700):
//   lock                 flock()ed while a TeeIdentity holds the directory
//   sealing.key          32 random bytes, mode 0600
//   sealed/teep_key      the TEEP message signing key (COSE_Key with d)
//   sealed/attestation_key  the attestation (EAT signing) key, P-256
//   sealed/ueid          the UEID, 33 bytes: 0x01 (RAND) + 32 random bytes
//                        (RFC 9711 §4.2.1)
// The sealed/ entries are SealedStorage blobs ("<name>.sealed").
//
// sealing.key stands in for a hardware-derived key (on a real TEE, derived
// from a fused secret and never visible outside it). Keeping it in a file the
// normal world can read is the one honest compromise of the simulation: with
// it, the sealed blobs can be opened by anyone with access to the directory.
//
// The TEEP key and the attestation key are separate so that a TEEP message
// signature can never be passed off as evidence, or the other way round.
//
// A state directory belongs to one process at a time: a second TeeIdentity on
// the same directory (in this process or another) fails until the first is
// destroyed or its process dies.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/crypto/crypto.h"
#include "host/io/posix.h"
#include "host/tee_sim/sealed_storage.h"

namespace teep::host::tee_sim {

class TeeIdentity {
 public:
  // Opens `state_dir`, creating it and everything in it on first start.
  // `teep_key_type` (kP256 or kEd25519) chooses the TEEP key's type at first
  // start; nullopt means kP256. Later starts keep the stored key: nullopt
  // accepts it, a type that differs from the stored one is kInvalidArgument
  // (an identity cannot change its key type by configuration). Items missing
  // on a later start, left by a first start that crashed half-way, are
  // created then.
  static Result<TeeIdentity> LoadOrCreate(
      std::string state_dir, std::optional<crypto::KeyType> teep_key_type = std::nullopt);

  TeeIdentity(TeeIdentity&&) noexcept = default;
  TeeIdentity& operator=(TeeIdentity&&) noexcept = default;

  const crypto::PrivateKey& teep_key() const { return teep_key_; }
  const crypto::PrivateKey& attestation_key() const { return attestation_key_; }
  const Bytes& ueid() const { return ueid_; }
  const crypto::SecretBytes& sealing_key() const { return sealing_key_; }
  // Sealed storage under state_dir/sealed, for the Agent's own state.
  SealedStorage& sealed() { return *sealed_; }
  const std::string& state_dir() const { return state_dir_; }

 private:
  TeeIdentity(std::string state_dir, UniqueFd lock, crypto::SecretBytes sealing_key,
              std::unique_ptr<SealedStorage> sealed, crypto::PrivateKey teep_key,
              crypto::PrivateKey attestation_key, Bytes ueid);

  std::string state_dir_;
  UniqueFd lock_;  // holds the flock on state_dir/lock for the object's life
  crypto::SecretBytes sealing_key_;
  std::unique_ptr<SealedStorage> sealed_;
  crypto::PrivateKey teep_key_;
  crypto::PrivateKey attestation_key_;
  Bytes ueid_;
};

}  // namespace teep::host::tee_sim
