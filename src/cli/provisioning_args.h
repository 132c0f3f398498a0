// The device provisioning options that `teep device init` and `teep fleet`
// share: TC signer keys, EAT hwmodel / hwversion, SUIT vendor and class ids.
#pragma once

#include <string>
#include <vector>

#include "host/device/provisioning.h"

namespace teep::cli {

struct SignerAndIdArgs {
  std::vector<std::string> signers;  // --signer PEM files
  std::string hwmodel = "teep-sim";
  std::string hwversion = "1.0";
  std::vector<std::string> vendor_ids;  // --vendor-id UUIDs
  std::vector<std::string> class_ids;   // --class-id UUIDs
};

// Loads and parses them into `p`; a bad value ends the program naming its
// option (Fail).
void ApplySignersAndIds(const std::string& verb, const SignerAndIdArgs& a, host::device::Provisioning& p);

}  // namespace teep::cli
