#include "host/tee_sim/tee_identity.h"

#include <utility>

#include "core/cose/key.h"

namespace teep::host::tee_sim {
namespace {

constexpr size_t kSealingKeySize = 32;
constexpr char kTeepKeyName[] = "teep_key";
constexpr char kAttestationKeyName[] = "attestation_key";
constexpr char kUeidName[] = "ueid";
// RFC 9711 §4.2.1: type byte 0x01 (RAND) followed by 16, 24 or 32 random
// bytes; 32 makes a collision across a fleet negligible.
constexpr uint8_t kUeidTypeRand = 0x01;
constexpr size_t kUeidRandomSize = 32;

bool IsTeepKeyType(crypto::KeyType type) {
  return type == crypto::KeyType::kP256 || type == crypto::KeyType::kEd25519;
}

Result<crypto::SecretBytes> LoadOrCreateSealingKey(const std::string& path) {
  TEEP_ASSIGN_OR_RETURN(std::optional<Bytes> stored, ReadIfPresent(path));
  if (stored) {
    crypto::SecretBytes key{ByteView(*stored)};
    crypto::Wipe(stored->data(), stored->size());
    if (key.size() != kSealingKeySize) {
      return Status(StatusCode::kMalformed, "sealing key " + path + ": " +
                                                std::to_string(key.size()) + " bytes, expected " +
                                                std::to_string(kSealingKeySize));
    }
    return key;
  }
  crypto::SecretBytes key(kSealingKeySize);
  TEEP_RETURN_IF_ERROR(crypto::RandomBytes(std::span<uint8_t>(key.data(), key.size())));
  TEEP_RETURN_IF_ERROR(WriteDurable(path, key.view()));
  return key;
}

// Keys are sealed as COSE_Key with the private part: the encoding names the
// key type, so a reload cannot mistake one type for another.
Result<crypto::PrivateKey> LoadOrCreateKey(SealedStorage& sealed, const char* name,
                                           crypto::KeyType type_for_creation) {
  TEEP_ASSIGN_OR_RETURN(std::optional<crypto::SecretBytes> stored, sealed.Get(name));
  if (stored) {
    auto decoded = cose::DecodeKey(stored->view());
    if (!decoded.ok()) return decoded.status().WithContext(std::string("sealed key ") + name);
    auto key = decoded->ToPrivateKey();
    if (!key.ok()) return key.status().WithContext(std::string("sealed key ") + name);
    return std::move(key).value();
  }
  TEEP_ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::Generate(type_for_creation));
  TEEP_ASSIGN_OR_RETURN(cose::CoseKey cose_key, cose::CoseKey::FromPrivateKey(key));
  TEEP_ASSIGN_OR_RETURN(Bytes encoded, cose::EncodeKey(cose_key, /*include_private=*/true));
  Status put = sealed.Put(name, encoded);
  crypto::Wipe(encoded.data(), encoded.size());
  TEEP_RETURN_IF_ERROR(put);
  return key;
}

Result<Bytes> LoadOrCreateUeid(SealedStorage& sealed) {
  TEEP_ASSIGN_OR_RETURN(std::optional<crypto::SecretBytes> stored, sealed.Get(kUeidName));
  if (stored) {
    if (stored->size() != 1 + kUeidRandomSize || stored->data()[0] != kUeidTypeRand) {
      return Status(StatusCode::kMalformed,
                    "sealed ueid: expected 0x01 followed by 32 random bytes");
    }
    return std::move(*stored).Release();
  }
  Bytes ueid(1 + kUeidRandomSize);
  ueid[0] = kUeidTypeRand;
  TEEP_RETURN_IF_ERROR(crypto::RandomBytes(std::span<uint8_t>(ueid).subspan(1)));
  TEEP_RETURN_IF_ERROR(sealed.Put(kUeidName, ueid));
  return ueid;
}

}  // namespace

TeeIdentity::TeeIdentity(std::string state_dir, UniqueFd lock, crypto::SecretBytes sealing_key,
                         std::unique_ptr<SealedStorage> sealed, crypto::PrivateKey teep_key,
                         crypto::PrivateKey attestation_key, Bytes ueid)
    : state_dir_(std::move(state_dir)),
      lock_(std::move(lock)),
      sealing_key_(std::move(sealing_key)),
      sealed_(std::move(sealed)),
      teep_key_(std::move(teep_key)),
      attestation_key_(std::move(attestation_key)),
      ueid_(std::move(ueid)) {}

Result<TeeIdentity> TeeIdentity::LoadOrCreate(std::string state_dir,
                                              std::optional<crypto::KeyType> teep_key_type) {
  if (teep_key_type && !IsTeepKeyType(*teep_key_type)) {
    return Status(StatusCode::kInvalidArgument,
                  "TEEP key type " + std::string(crypto::KeyTypeName(*teep_key_type)) +
                      ": the simulated TEE supports P-256 and Ed25519");
  }
  TEEP_RETURN_IF_ERROR(EnsurePrivateDir(state_dir));
  // Taken before anything is read or created, so that two first starts
  // cannot race to create different identities.
  TEEP_ASSIGN_OR_RETURN(UniqueFd lock,
                        LockExclusive(state_dir + "/lock", "TEE state directory " + state_dir));
  TEEP_ASSIGN_OR_RETURN(crypto::SecretBytes sealing_key,
                        LoadOrCreateSealingKey(state_dir + "/sealing.key"));
  TEEP_ASSIGN_OR_RETURN(std::unique_ptr<SealedStorage> sealed,
                        SealedStorage::Open(state_dir + "/sealed", sealing_key));

  TEEP_ASSIGN_OR_RETURN(
      crypto::PrivateKey teep_key,
      LoadOrCreateKey(*sealed, kTeepKeyName, teep_key_type.value_or(crypto::KeyType::kP256)));
  if (teep_key_type && teep_key.type() != *teep_key_type) {
    return Status(StatusCode::kInvalidArgument,
                  "TEE state directory " + state_dir + " holds a " +
                      std::string(crypto::KeyTypeName(teep_key.type())) + " TEEP key, not " +
                      std::string(crypto::KeyTypeName(*teep_key_type)) +
                      "; the key type is chosen at first start");
  }
  if (!IsTeepKeyType(teep_key.type())) {
    return Status(StatusCode::kMalformed, "sealed TEEP key: " +
                                              std::string(crypto::KeyTypeName(teep_key.type())) +
                                              " cannot be a TEEP key");
  }
  TEEP_ASSIGN_OR_RETURN(crypto::PrivateKey attestation_key,
                        LoadOrCreateKey(*sealed, kAttestationKeyName, crypto::KeyType::kP256));
  if (attestation_key.type() != crypto::KeyType::kP256) {
    return Status(StatusCode::kMalformed, "sealed attestation key: expected P-256, found " +
                                              std::string(crypto::KeyTypeName(
                                                  attestation_key.type())));
  }
  TEEP_ASSIGN_OR_RETURN(Bytes ueid, LoadOrCreateUeid(*sealed));
  return TeeIdentity(std::move(state_dir), std::move(lock), std::move(sealing_key),
                     std::move(sealed), std::move(teep_key), std::move(attestation_key),
                     std::move(ueid));
}

}  // namespace teep::host::tee_sim
