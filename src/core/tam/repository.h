// The TAM's Trusted Component repository: manifests uploaded by TC signers
// are accepted only when a registered signer key authenticates them (P §4.4,
// §10: the TAM relays TCs from authorized signers, each manifest keeping its
// signer's signature).
#pragma once

#include <span>

#include "core/crypto/crypto.h"
#include "core/tam/store.h"

namespace teep::tam {

// Authenticates `envelope` with `signers` and stores it. kVerificationFailed
// when no signer verifies it; kInvalidArgument when that version is stored.
Result<TcRecord> AddTc(TamStore& store, ByteView envelope, std::span<const crypto::PublicKey> signers,
                       int64_t now);

}  // namespace teep::tam
