// The public halves of the fleet's simulation keys (identity.h), computed
// without building a crypto::PrivateKey: `teep fleet devices` writes a line
// for each of up to millions of devices, and a full key object (EVP_PKEY,
// PEM) costs about 20 times the point multiplication itself. Same
// derivation, same keys: fleet tests compare the two.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "host/fleet/identity.h"

namespace teep::host::fleet {

class PublicKeyDeriver {
 public:
  static Result<std::unique_ptr<PublicKeyDeriver>> Create();
  ~PublicKeyDeriver();
  PublicKeyDeriver(const PublicKeyDeriver&) = delete;
  PublicKeyDeriver& operator=(const PublicKeyDeriver&) = delete;

  // The SubjectPublicKeyInfo DER of DeriveKey(seed, index, purpose).Public().
  // Not thread-safe: one deriver per thread.
  Result<Bytes> SpkiDer(std::string_view seed, uint64_t index, KeyPurpose purpose);

 private:
  struct Impl;
  explicit PublicKeyDeriver(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace teep::host::fleet
