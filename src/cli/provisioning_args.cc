#include "cli/provisioning_args.h"

#include "cli/commands.h"
#include "cli/key_loading.h"
#include "cli/manifest_args.h"

namespace teep::cli {

void ApplySignersAndIds(const std::string& verb, const SignerAndIdArgs& a, host::device::Provisioning& p) {
  for (const std::string& path : a.signers) {
    auto key = LoadPublicKey(path);
    if (!key.ok()) Fail(verb, "--signer " + path + ": " + key.status().ToString());
    p.signers.push_back(*key);
  }
  p.hwmodel = a.hwmodel;
  p.hwversion = a.hwversion;
  for (const std::string& id : a.vendor_ids) p.vendor_ids.push_back(ParseUuidOption(verb, "--vendor-id", id));
  for (const std::string& id : a.class_ids) p.class_ids.push_back(ParseUuidOption(verb, "--class-id", id));
}

}  // namespace teep::cli
