#include "host/tam_server/tam_directory.h"

#include <filesystem>
#include <system_error>

#include "core/base/strings.h"
#include "core/crypto/crypto.h"
#include "host/io/file.h"
#include "host/tam_server/config.h"

namespace teep::host {
namespace {

// name.pem (private, 0600) and name.pub.pem.
Status WriteKeyPair(const std::filesystem::path& dir, const std::string& name, crypto::KeyType type) {
  TEEP_ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::Generate(type));
  TEEP_ASSIGN_OR_RETURN(std::string pem, key.ToPem());
  Status written = WriteFile((dir / (name + ".pem")).string(), AsBytes(pem), /*private_file=*/true);
  crypto::Wipe(pem.data(), pem.size());
  TEEP_RETURN_IF_ERROR(written);
  TEEP_ASSIGN_OR_RETURN(std::string public_pem, key.Public().ToPem());
  return WriteFile((dir / (name + ".pub.pem")).string(), AsBytes(public_pem));
}

}  // namespace

Status CreateTamDirectory(const std::string& dir, uint16_t port) {
  const std::filesystem::path root(dir);
  std::error_code error;
  std::filesystem::create_directories(root, error);
  if (error) return Status(StatusCode::kIoError, Cat("cannot create ", dir, ": ", error.message()));
  if (std::filesystem::exists(root / "tam.toml")) {
    return Status(StatusCode::kInvalidArgument, Cat((root / "tam.toml").string(), " exists; not overwritten"));
  }
  TEEP_RETURN_IF_ERROR(WriteKeyPair(root, "tam-p256", crypto::KeyType::kP256));
  TEEP_RETURN_IF_ERROR(WriteKeyPair(root, "tam-ed25519", crypto::KeyType::kEd25519));
  TEEP_RETURN_IF_ERROR(WriteKeyPair(root, "signer", crypto::KeyType::kP256));
  return WriteFile((root / "tam.toml").string(), AsBytes(DefaultTamConfig(port)));
}

}  // namespace teep::host
