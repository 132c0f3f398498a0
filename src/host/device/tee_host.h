// A simulated TEE: its identity (tee_identity.h), the owner's provisioning,
// the TC store (host::DirectoryStore, atomic per SUIT procedure), the
// Agent's sealed, rollback-guarded state, and the TEEP Agent over them.
// Runs in the `teep device tee` process behind the channel, or in-process
// (tests, fleet simulator) — the same object either way.
//
// State directory layout (0700):
//   lock, sealing.key, sealed/   identity and sealed blobs (tee_identity.h)
//   counter                      monotonic counter (monotonic_counter.h)
//   tcs/                         Trusted Components and installed manifests
//   public/                      the TEE's public keys, for TAM registration
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/agent/agent.h"
#include "host/broker/http_client.h"
#include "host/suit_store/directory_store.h"
#include "host/tee_sim/monotonic_counter.h"
#include "host/device/provisioning.h"
#include "host/device/sealed_state_storage.h"
#include "host/device/tee_connection.h"
#include "host/tee_sim/tee_identity.h"

namespace teep::host::device {

// The public keys a TAM operator registers for this TEE.
struct TeePublicKeys {
  crypto::PublicKey teep_key;         // verifies the Agent's TEEP messages
  crypto::PublicKey attestation_key;  // verifies its Evidence
  crypto::PublicKey payload_key;      // TC signers encrypt payloads to it
  Bytes ueid;
};

// Creates the identity on first use, seals the provisioning (replacing an
// earlier one) and writes public/*.pem.
Result<TeePublicKeys> Provision(const std::string& state_dir, const Provisioning& provisioning,
                                std::optional<crypto::KeyType> teep_key_type = std::nullopt);

class TeeHost final : public TeeConnection {
 public:
  // kNotFound when the TEE was never provisioned. `fetch_ca_file`: the CA
  // (PEM) that https:// payload and dependency fetches trust instead of the
  // system's; empty = the system's.
  static Result<std::unique_ptr<TeeHost>> Open(const std::string& state_dir,
                                               const std::string& fetch_ca_file = {});

  Result<Bytes> ProcessTeepMessage(ByteView message) override;
  void ProcessError(std::string_view what) override;
  Result<std::string> RequestTA(const msg::ComponentId& component,
                                std::optional<std::string> tam_uri) override;
  Result<std::string> UnrequestTA(const msg::ComponentId& component) override;
  Result<std::vector<std::string>> RequestPolicyCheck() override;
  Result<std::vector<agent::InstalledTc>> ListInstalled() override;

  agent::Agent& agent() { return *agent_; }
  DirectoryStore& store() { return *store_; }

 private:
  TeeHost(tee_sim::TeeIdentity identity, Provisioning provisioning, crypto::PrivateKey payload_key);

  tee_sim::TeeIdentity identity_;
  Provisioning provisioning_;
  crypto::PrivateKey payload_key_;
  std::unique_ptr<tee_sim::MonotonicCounter> counter_;
  std::unique_ptr<DirectoryStore> store_;
  std::unique_ptr<SealedStateStorage> state_;
  // SUIT fetches by URI (tee_host.cc); declared before agent_, whose fetcher
  // uses it, so that it outlives the Agent.
  std::unique_ptr<HttpClient> fetch_client_;
  std::unique_ptr<agent::Agent> agent_;
};

}  // namespace teep::host::device
