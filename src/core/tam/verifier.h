// The RATS Verifier the TAM consults in the background-check model
// (RFC 9334 §5.2; draft-ietf-teep-protocol-26 §4.3.1, §7.1.1): Evidence in,
// Attestation Result out. An interface, so that an external Verifier
// (e.g. Veraison) can replace the built-in one.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/crypto/crypto.h"
#include "core/eat/evidence.h"
#include "core/tam/store.h"

namespace teep::tam {

class Verifier {
 public:
  virtual ~Verifier() = default;
  // Appraises `evidence` from `device`: fresh for `nonce` (the QueryRequest
  // challenge, or its token), bound by cnf to the key that signed the
  // QueryResponse (`cnf_kid`, P §7.1.1.1). An error is "could not appraise";
  // a result says whether it affirms and why not.
  virtual Result<eat::AttestationResult> Appraise(ByteView evidence, const DeviceRecord& device,
                                                  ByteView nonce, ByteView cnf_kid) = 0;
};

// The built-in Verifier: the device's registered attestation key and any
// fleet-wide attestation keys (e.g. a device maker's) are trusted; claims are
// compared with reference values (eat::ReferenceValues). Thread-safe: one
// Verifier serves every worker of a TAM server.
class BuiltInVerifier final : public Verifier {
 public:
  BuiltInVerifier(std::vector<crypto::PublicKey> fleet_keys, eat::ReferenceValues reference)
      : fleet_keys_(std::move(fleet_keys)), reference_(std::move(reference)) {}
  Result<eat::AttestationResult> Appraise(ByteView evidence, const DeviceRecord& device,
                                          ByteView nonce, ByteView cnf_kid) override;

 private:
  // The registered key of a device, parsed from its PEM once: OpenSSL's PEM
  // decoder costs more than the signature check (docs/performance.md "TAM").
  Result<crypto::PublicKey> DeviceKey(const std::string& pem);

  std::vector<crypto::PublicKey> fleet_keys_;
  eat::ReferenceValues reference_;
  std::mutex cache_mutex_;
  std::map<std::string, crypto::PublicKey> parsed_;  // by PEM text, bounded
};

}  // namespace teep::tam
