// Loading keys from PEM files for CLI verbs, with errors that name the file.
#pragma once

#include <string>

#include "core/base/status.h"
#include "core/crypto/crypto.h"

namespace teep::cli {

Result<crypto::PrivateKey> LoadPrivateKey(const std::string& path);
// Accepts a public key PEM, or a private key PEM (its public half is used).
Result<crypto::PublicKey> LoadPublicKey(const std::string& path);

}  // namespace teep::cli
