// `teep tam init`: a directory with everything a TAM needs to start — its
// two keys (P-256 and Ed25519: a TAM supports both suites, P §8.1) with
// their public halves for devices to trust, a TC signer key for trying the
// repository out, and a tam.toml naming them.
#pragma once

#include <cstdint>
#include <string>

#include "core/base/status.h"

namespace teep::host {

// Refuses to overwrite an existing tam.toml. Private keys are written 0600.
Status CreateTamDirectory(const std::string& dir, uint16_t port);

}  // namespace teep::host
