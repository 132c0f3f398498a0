#include "host/fleet/import_file.h"

#include <optional>
#include <unordered_map>
#include <utility>

#include "core/base/strings.h"
#include "core/teep/signing.h"
#include "host/fleet/base64.h"
#include "host/fleet/spki.h"

namespace teep::host::fleet {
namespace {

constexpr std::string_view kPemBegin = "-----BEGIN PUBLIC KEY-----\n";
constexpr std::string_view kPemEnd = "-----END PUBLIC KEY-----\n";
constexpr size_t kPemLine = 64;  // RFC 7468 §2: base64 lines of 64 characters

// A parsed key and its PEM (what the TAM's registry stores).
struct PemKey {
  SpkiKey key;
  std::string pem;
};

std::string PemFromBase64(std::string_view body) {
  std::string pem(kPemBegin);
  for (size_t i = 0; i < body.size(); i += kPemLine) {
    pem.append(body.substr(i, kPemLine));
    pem += '\n';
  }
  pem.append(kPemEnd);
  return pem;
}

Result<std::string> Base64FromPem(std::string_view pem) {
  if (pem.substr(0, kPemBegin.size()) != kPemBegin || pem.size() < kPemBegin.size() + kPemEnd.size() ||
      pem.substr(pem.size() - kPemEnd.size()) != kPemEnd) {
    return Status(StatusCode::kInternal, "SpkiBase64: unexpected PEM armour from the crypto backend");
  }
  std::string body;
  for (char c : pem.substr(kPemBegin.size(), pem.size() - kPemBegin.size() - kPemEnd.size())) {
    if (c != '\n') body += c;
  }
  return body;
}

// RFC 3629 well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF)
// without control characters (C0, DEL, C1); "" when it is fine. (Spaces
// cannot occur: they separate the fields.)
std::string CheckName(std::string_view name) {
  if (name.size() > kMaxDeviceNameBytes) {
    return Cat("name is ", name.size(), " bytes; at most ", kMaxDeviceNameBytes, " are allowed");
  }
  for (size_t i = 0; i < name.size();) {
    const auto c = static_cast<uint8_t>(name[i]);
    if (c < 0x20 || c == 0x7f) return Cat("name contains a control character (byte ", i + 1, ")");
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t length = 0;
    uint32_t code = 0, min = 0;
    if ((c & 0xe0) == 0xc0) length = 2, code = c & 0x1f, min = 0x80;
    else if ((c & 0xf0) == 0xe0) length = 3, code = c & 0x0f, min = 0x800;
    else if ((c & 0xf8) == 0xf0) length = 4, code = c & 0x07, min = 0x10000;
    else return Cat("name is not UTF-8 (byte ", i + 1, ")");
    if (i + length > name.size()) return Cat("name is not UTF-8 (byte ", i + 1, ")");
    for (size_t k = 1; k < length; ++k) {
      const auto next = static_cast<uint8_t>(name[i + k]);
      if ((next & 0xc0) != 0x80) return Cat("name is not UTF-8 (byte ", i + 1, ")");
      code = (code << 6) | (next & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
      return Cat("name is not UTF-8 (byte ", i + 1, ")");
    }
    if (code >= 0x80 && code <= 0x9f) return Cat("name contains a control character (byte ", i + 1, ")");
    i += length;
  }
  return "";
}

PemKey FromPublicKey(const crypto::PublicKey& key, std::string pem) {
  return PemKey{SpkiKey{key.type(), key.x(), key.y()}, std::move(pem)};
}

// One key field; `what` names it in errors ("teep-key", "attestation-key").
Result<PemKey> ParseKey(SpkiReader& reader, std::string_view field, std::string_view what) {
  auto bad = [&](std::string_view why) { return Status(StatusCode::kMalformed, Cat(what, ": ", why)); };
  std::string why;
  std::optional<Bytes> der = Base64Decode(field, &why);
  if (!der) return bad(Cat("bad base64: ", why));
  auto known = reader.Read(*der);
  if (!known.ok()) return bad(known.status().message());
  if (*known) return PemKey{std::move(**known), PemFromBase64(field)};
  // Not one of the usual encodings: let the crypto backend say what it is.
  std::string pem = PemFromBase64(field);
  auto key = crypto::PublicKey::FromPem(pem);
  if (!key.ok()) return bad("not a SubjectPublicKeyInfo");
  // One spelling per key: what the TAM stores must be exactly what the file
  // said (no trailing bytes, no alternative encodings).
  auto canonical = SpkiBase64(*key);
  if (!canonical.ok()) return canonical.status();
  if (*canonical != field) return bad("not a canonical SubjectPublicKeyInfo (extra or re-encoded bytes)");
  return FromPublicKey(*key, std::move(pem));
}

Result<tam::DeviceRecord> Record(std::string name, const PemKey& teep, const PemKey* attestation) {
  // The TAM verifies an Agent's messages with a TEEP cipher suite (P §8.1:
  // ES256 or EdDSA), and Evidence with any signing key.
  if (!msg::SuiteForKeyType(teep.key.type)) {
    return Status(StatusCode::kUnsupported,
                  Cat("teep-key: unsupported key type ", crypto::KeyTypeName(teep.key.type),
                      " (a TEEP key is P-256 or Ed25519)"));
  }
  if (attestation != nullptr && !crypto::KeyTypeCanSign(attestation->key.type)) {
    return Status(StatusCode::kUnsupported,
                  Cat("attestation-key: unsupported key type ", crypto::KeyTypeName(attestation->key.type),
                      " (it cannot sign Evidence)"));
  }
  TEEP_ASSIGN_OR_RETURN(auto kid, SpkiThumbprint(teep.key));
  tam::DeviceRecord d;
  d.device_id.assign(kid.begin(), kid.end());
  d.teep_key_pem = teep.pem;
  if (attestation != nullptr) d.attestation_key_pem = attestation->pem;
  d.name = std::move(name);
  d.attestation = "none";
  return d;
}

// The fields of a line split at single spaces; empty when a field is empty
// (two spaces in a row, or a space at either end).
std::vector<std::string_view> Fields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  for (;;) {
    const size_t space = line.find(' ', start);
    fields.push_back(line.substr(start, space == std::string_view::npos ? std::string_view::npos : space - start));
    if (fields.back().empty()) return {};
    if (space == std::string_view::npos) return fields;
    start = space + 1;
  }
}

Result<tam::DeviceRecord> ParseLine(SpkiReader& reader, std::string_view line) {
  auto bad = [](std::string why) { return Status(StatusCode::kMalformed, std::move(why)); };
  if (line.back() == '\r') return bad("the line ends with a carriage return (use LF line ends)");
  std::vector<std::string_view> fields = Fields(line);
  if (fields.empty()) return bad("fields must be separated by single spaces");
  if (fields.size() != 3) {
    return bad(Cat("expected 3 fields (name teep-key attestation-key), got ", fields.size()));
  }
  if (std::string why = CheckName(fields[0]); !why.empty()) return bad(why);
  TEEP_ASSIGN_OR_RETURN(PemKey teep, ParseKey(reader, fields[1], "teep-key"));
  std::optional<PemKey> attestation;
  if (fields[2] != "-") {
    TEEP_ASSIGN_OR_RETURN(attestation, ParseKey(reader, fields[2], "attestation-key"));
  }
  return Record(std::string(fields[0]), teep, attestation ? &*attestation : nullptr);
}

}  // namespace

Result<std::string> SpkiBase64(const crypto::PublicKey& key) {
  TEEP_ASSIGN_OR_RETURN(std::string pem, key.ToPem());
  return Base64FromPem(pem);
}

Result<std::string> FormatImportLine(std::string_view name, const crypto::PublicKey& teep_key,
                                     const crypto::PublicKey* attestation_key) {
  TEEP_ASSIGN_OR_RETURN(std::string teep, SpkiBase64(teep_key));
  std::string attestation = "-";
  if (attestation_key != nullptr) {
    TEEP_ASSIGN_OR_RETURN(attestation, SpkiBase64(*attestation_key));
  }
  return FormatImportLine(name, teep, attestation);
}

Result<std::string> FormatImportLine(std::string_view name, std::string_view teep_spki_base64,
                                     std::string_view attestation_spki_base64) {
  if (std::string why = CheckName(name); !why.empty()) return Status(StatusCode::kInvalidArgument, why);
  if (name.find(' ') != std::string_view::npos || name.empty()) {
    return Status(StatusCode::kInvalidArgument, "a device name is not empty and has no spaces");
  }
  return Cat(name, " ", teep_spki_base64, " ", attestation_spki_base64);
}

Result<tam::DeviceRecord> MakeDeviceRecord(std::string name, const crypto::PublicKey& teep_key,
                                           const crypto::PublicKey* attestation_key) {
  TEEP_ASSIGN_OR_RETURN(std::string teep_pem, teep_key.ToPem());
  const PemKey teep = FromPublicKey(teep_key, std::move(teep_pem));
  std::optional<PemKey> attestation;
  if (attestation_key != nullptr) {
    TEEP_ASSIGN_OR_RETURN(std::string pem, attestation_key->ToPem());
    attestation = FromPublicKey(*attestation_key, std::move(pem));
  }
  return Record(std::move(name), teep, attestation ? &*attestation : nullptr);
}

Result<std::vector<tam::DeviceRecord>> ParseImportFile(std::istream& in, std::string_view file_name) {
  TEEP_ASSIGN_OR_RETURN(std::unique_ptr<SpkiReader> reader, SpkiReader::Create());
  std::vector<tam::DeviceRecord> devices;
  std::unordered_map<std::string, size_t> first_line;  // device id bytes -> line
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    if (line.empty() || line[0] == '#') continue;
    auto at = [&](std::string_view why) {
      return Status(StatusCode::kMalformed, Cat(file_name, ":", number, ": ", why));
    };
    auto device = ParseLine(*reader, line);
    if (!device.ok()) return at(device.status().message());
    std::string id(AsChars(device->device_id));
    auto [it, inserted] = first_line.emplace(std::move(id), number);
    if (!inserted) {
      return at(Cat("device ", HexEncode(device->device_id), " (its teep-key) is already on line ", it->second));
    }
    devices.push_back(std::move(device).value());
  }
  if (in.bad()) return Status(StatusCode::kIoError, Cat(file_name, ": read error"));
  return devices;
}

}  // namespace teep::host::fleet
