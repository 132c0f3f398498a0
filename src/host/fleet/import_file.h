// The device import file of `teep tam devices import` (written by
// `teep fleet devices`; docs/cli.md has the format):
//
//   UTF-8 text, one device per line, LF line ends:
//     <name> <teep-key> <attestation-key>
//   separated by single spaces; each key is the standard base64 (padded) of
//   its SubjectPublicKeyInfo DER, on one line (a PEM body without the line
//   breaks); the attestation key may be "-" (none: the TAM's fleet keys must
//   then vouch for the device's Evidence). Lines starting with '#' and empty
//   lines are ignored.
//
// The parser is strict: the first bad line fails the whole file, naming
// FILE:LINE and why, so that an import registers every device of the file
// or none.
#pragma once

#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/status.h"
#include "core/crypto/crypto.h"
#include "core/tam/store.h"

namespace teep::host::fleet {

// A device name is at most this many bytes of UTF-8 without spaces or
// control characters.
inline constexpr size_t kMaxDeviceNameBytes = 255;

// The base64 of a key's SubjectPublicKeyInfo DER, on one line.
Result<std::string> SpkiBase64(const crypto::PublicKey& key);

// One line of the file, without the line end. `attestation_key` may be null.
Result<std::string> FormatImportLine(std::string_view name, const crypto::PublicKey& teep_key,
                                     const crypto::PublicKey* attestation_key);
// The same from the keys' SpkiBase64 text ("-": no attestation key).
Result<std::string> FormatImportLine(std::string_view name, std::string_view teep_spki_base64,
                                     std::string_view attestation_spki_base64);

// What registering a device writes (as `teep tam devices add` does): its id
// is the RFC 9679 thumbprint of its TEEP key; attestation state "none".
Result<tam::DeviceRecord> MakeDeviceRecord(std::string name, const crypto::PublicKey& teep_key,
                                           const crypto::PublicKey* attestation_key);

// Every device of the file, in file order. Errors are kMalformed with the
// message "<file_name>:<line>: <why>"; a device id (TEEP key) that appears
// twice is an error on its second line.
Result<std::vector<tam::DeviceRecord>> ParseImportFile(std::istream& in, std::string_view file_name);

}  // namespace teep::host::fleet
