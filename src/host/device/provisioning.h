// What a device owner configures into a simulated TEE before first use
// (RFC 9397 §5: the TAMs the device trusts and the Trusted Component
// signers its TEE accepts), kept in sealed storage so that the normal world
// cannot swap a trust anchor.
#pragma once

#include <string>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/crypto/crypto.h"

namespace teep::host::device {

struct ProvisionedTam {
  std::string uri;
  crypto::PublicKey key;  // verifies the TAM's TEEP messages
};

struct Provisioning {
  std::vector<ProvisionedTam> tams;         // the first is the default TAM
  std::vector<crypto::PublicKey> signers;   // TC signers (SUIT manifest trust anchors)
  std::string hwmodel = "teep-sim";         // EAT hwmodel of this simulated TEE
  std::string hwversion = "1.0";
  // SUIT vendor and class identifiers (16-byte UUIDs) this TEE answers to
  // (condition-vendor-identifier / -class-identifier, manifest-37 §8.4.8.2-3).
  std::vector<Bytes> vendor_ids;
  std::vector<Bytes> class_ids;
};

// [[* [uri, spki-pem]], [* spki-pem], hwmodel, hwversion, [* vendor-id], [* class-id]]
Result<Bytes> EncodeProvisioning(const Provisioning& p);
Result<Provisioning> DecodeProvisioning(ByteView data);

}  // namespace teep::host::device
