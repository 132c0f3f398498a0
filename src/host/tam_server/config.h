// tam.toml: everything `teep tam serve` and the operator verbs need
// (docs/cli.md "teep tam"). A wrong value fails at start with a message that
// names the key; unknown keys are errors too (a typo must not silently fall
// back to a default). Relative paths are relative to the file's directory.
//
//   [server]      listen = "127.0.0.1:8080", path = "/tam", workers = 2
//   [tls]         cert = "tam-cert.pem", key = "tam-cert-key.pem"   (both or neither)
//   [database]    path = "tam.db"   (SQLite)  or  url = "postgresql://..."  (PostgreSQL)
//   [keys]        p256 = "tam-p256.pem", ed25519 = "tam-ed25519.pem"
//   [repository]  signers = ["signer.pub.pem"]
//   [attestation] required = true, fleet_keys = [], hwmodels = ["hex"], hwversions = [],
//                 require_debug_disabled = false
//   [policy]      token_lifetime = 21600, install_requested = true, remove_unneeded = true,
//                 update_installed = true
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/base/status.h"
#include "core/eat/evidence.h"
#include "core/tam/tam.h"

namespace teep::host {

struct TamServerConfig {
  std::string file;  // where it was read from
  std::string address = "127.0.0.1";
  uint16_t port = 8080;
  std::string path = "/tam";
  unsigned workers = 2;
  std::string tls_cert;
  std::string tls_key;
  // A SQLite file path, or a postgresql:// URL (may hold a password: show it
  // only through RedactedDatabase).
  std::string database;
  std::string p256_key;
  std::string ed25519_key;
  std::vector<std::string> signers;
  bool attestation_required = true;
  std::vector<std::string> fleet_keys;
  eat::ReferenceValues reference;
  tam::TamPolicy policy;
};

Result<TamServerConfig> LoadTamConfig(const std::string& path);

// `database` for messages and logs: a URL's password replaced by "***".
std::string RedactedDatabase(std::string_view database);

// The tam.toml that `teep tam init` writes, for the files it creates.
std::string DefaultTamConfig(uint16_t port);

}  // namespace teep::host
