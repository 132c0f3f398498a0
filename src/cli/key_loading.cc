#include "cli/key_loading.h"

#include "host/io/file.h"

namespace teep::cli {

namespace {
Result<std::string> ReadPem(const std::string& path) {
  auto bytes = host::ReadFile(path);
  if (!bytes.ok()) return bytes.status();
  std::string pem(AsChars(*bytes));
  crypto::Wipe(bytes->data(), bytes->size());
  return pem;
}
}  // namespace

Result<crypto::PrivateKey> LoadPrivateKey(const std::string& path) {
  auto pem = ReadPem(path);
  if (!pem.ok()) return pem.status();
  auto key = crypto::PrivateKey::FromPem(*pem);
  crypto::Wipe(pem->data(), pem->size());
  if (!key.ok()) return key.status().WithContext(path);
  return key;
}

Result<crypto::PublicKey> LoadPublicKey(const std::string& path) {
  auto pem = ReadPem(path);
  if (!pem.ok()) return pem.status();
  if (pem->find("PRIVATE KEY") != std::string::npos) {
    auto key = crypto::PrivateKey::FromPem(*pem);
    crypto::Wipe(pem->data(), pem->size());
    if (!key.ok()) return key.status().WithContext(path);
    return key->Public();
  }
  auto key = crypto::PublicKey::FromPem(*pem);
  if (!key.ok()) return key.status().WithContext(path);
  return key;
}

}  // namespace teep::cli
