// Names of the map keys of structures that TEEP messages carry, so that
// `teep inspect` can annotate them: EAT claims (RFC 8392 CWT, RFC 9711 EAT)
// in attestation payloads, and SUIT_Report keys (draft-ietf-suit-report-18).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/base/bytes.h"

namespace teep::host {

enum class KeyNames { kEatClaims, kSuitReport };

// The name of integer key `key`, or empty when unknown.
std::string_view KeyName(KeyNames table, int64_t key);

// A map printed one entry a line, each integer key followed by its name as a
// diagnostic-notation comment (`10 / eat_nonce /: h'...'`); values in
// diagnostic notation. Falls back to plain diagnostic notation for anything
// that is not a map.
std::string NamedMap(ByteView map, KeyNames table, std::string_view indent);

}  // namespace teep::host
