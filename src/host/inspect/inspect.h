// `teep inspect`: recognise COSE, SUIT and TEEP structures in a CBOR blob, print
// them as annotated diagnostic notation (or JSON), and verify every signature
// found against the keys given.
#pragma once

#include <string>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/crypto/crypto.h"
#include "core/teep/numbers.h"

namespace teep::host {

struct InspectKey {
  std::string label;  // shown in "verified by ...", e.g. the PEM file name
  crypto::PublicKey key;
};

struct InspectOptions {
  std::vector<InspectKey> keys;
  bool json = false;
  // TEEP wire numbering of the bytes being inspected: never guessed from
  // content (draft-ietf-teep-protocol-26 renumbered everything).
  const msg::WireProfile* profile = &msg::Draft26();
};

struct InspectResult {
  std::string output;            // text or JSON, ready to print
  int signatures_found = 0;
  int signatures_verified = 0;   // only counted when keys were given
  std::vector<std::string> problems;  // e.g. "COSE_Sign1 signature not verified by any key"
};

// Fails (kMalformed) only when `data` is not one well-formed CBOR item; a
// recognised structure that is broken is reported in `problems`, and the
// rest of the input is still shown.
Result<InspectResult> Inspect(ByteView data, const InspectOptions& options);

}  // namespace teep::host
