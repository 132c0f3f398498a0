// The TEEP Agent (draft-ietf-teep-protocol-26 §7.2; RFC 9397 §4.4, §6.2):
// a state machine over bytes. The Broker hands it signed TEEP messages from
// a TAM and relays whatever it returns; every effect on the device goes
// through the SUIT processor's ComponentStore and the AgentStateStorage, so
// the same core runs in-process (tests, fleet simulator), behind the
// simulated TEE's process boundary, or inside a real TEE.
//
// What it does with each message (the rules, with their sections, are in
// docs/conformance.md "TEEP Agent"; the choices the draft leaves open are in
// docs/agent.md):
//   QueryRequest -> QueryResponse (attestation Evidence, tc-list,
//                   requested-tc-list, unneeded-manifest-list) or Error
//   Update       -> unlink unneeded manifests, run every SUIT manifest, then
//                   one Success or Error carrying the SUIT Reports
//   anything else, or anything that fails verification -> Error
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/agent/agent_state.h"
#include "core/agent/inventory.h"
#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/crypto/crypto.h"
#include "core/eat/claims.h"
#include "core/suit/processor.h"
#include "core/teep/messages.h"
#include "core/teep/numbers.h"
#include "core/teep/signing.h"

namespace teep::agent {

// A TAM this Agent accepts (RFC 9397 §4.3: several TAMs may manage one
// Agent, each with its own trust anchor).
struct TamConfig {
  std::string uri;       // where the Broker reaches it (otrp-over-http §5.1)
  crypto::PublicKey key; // verifies its TEEP messages (P §4.1.2)
};

// The device facts that go into Evidence (P §5; RFC 9711 §4.2).
struct DeviceIdentity {
  Bytes ueid;
  eat::Oemid oemid;
  Bytes hwmodel;
  eat::HwVersion hwversion;
  std::optional<eat::DebugStatus> dbgstat;
  std::string eat_profile = std::string(eat::kTeepEatProfile);
  // The Agent's own code, the first `manifests` entry: a SUIT_Reference
  // [uri, SUIT_Digest] (P §5: manifests describe the Agent and what it
  // depends on).
  std::string agent_uri = "urn:teep:agent";
  Bytes agent_digest;  // encoded SUIT_Digest of the Agent's code
};

// How the Agent judges a TAM's own attestation (P §7.2.1). Evidence from the
// TAM and an Attestation Result about it are both TEEP-profile EATs; what
// tells them apart is who signed (the TAM's attestation key or a Verifier),
// so one list of trusted keys serves both models, and the same checks apply:
// signature, eat_nonce = the challenge this Agent sent, cnf = the key that
// signed the QueryRequest.
struct TamAttestationPolicy {
  // When set, a QueryRequest without attestation-payload is answered with
  // ERR_ATTESTATION_REQUIRED and a challenge.
  bool required = false;
  std::vector<crypto::PublicKey> keys;
};

struct AgentConfig {
  // Signs every TEEP message the Agent sends; its type fixes the Agent's one
  // cipher suite (P-256 -> [[18, -9]], Ed25519 -> [[18, -19]]; P §8.1).
  const crypto::PrivateKey* teep_key = nullptr;
  // Signs Evidence. Kept apart from teep_key (eat/README §8).
  const crypto::PrivateKey* attestation_key = nullptr;
  DeviceIdentity identity;
  std::vector<TamConfig> tams;  // at least one; the first is the default
  TamAttestationPolicy tam_attestation;

  // The SUIT side: component store, TC-signer trust anchors, payload
  // decryption keys, fetcher (suit/processor.h). platform.store is required.
  suit::Platform suit;
  suit::ProcessorPolicy suit_policy;
  // The SUIT COSE profiles this Agent offers (P §8.2); default: all four.
  std::vector<msg::SuitCoseProfile> suit_profiles = msg::MandatorySuitCoseProfiles();

  // Seconds since 1970, for timestamp freshness (P §9); unset = no clock,
  // so only the nonce mechanism is offered.
  std::function<std::optional<int64_t>()> now;

  // Resource limits (RFC 9397 §9.3: limit the TEE resources TC management
  // may use).
  size_t max_message_bytes = 16 * 1024 * 1024;
  size_t max_manifests_per_update = 32;
  size_t max_requests = 256;  // pending RequestTA + UnrequestTA entries

  const msg::WireProfile* profile = &msg::Draft26();
  msg::VerifyOptions verify_options;
};

// What the last exchange did, for the device's operator and tests.
struct ExchangeSummary {
  msg::MessageType received = msg::MessageType::kQueryRequest;
  std::optional<msg::MessageType> sent;
  std::optional<msg::ErrorCode> error;  // when the Agent answered with Error
  std::string detail;                   // why, in words (never key material)
  std::vector<msg::ComponentId> installed;
  std::vector<msg::ComponentId> removed;
};

class Agent {
 public:
  // Checks the configuration (keys present and of a TEEP suite, at least one
  // TAM, a component store) and loads the persisted state.
  static Result<std::unique_ptr<Agent>> Create(AgentConfig config, AgentStateStorage& storage);

  // RFC 9397 §6.2.1 RequestTA: a Trusted Component an application needs.
  // Returns the TAM URI the Broker must contact (otrp-over-http §5.1: the
  // Agent's choice wins). `tam_uri`, when given, must be a configured TAM:
  // the untrusted REE cannot point the Agent at a TAM it does not trust.
  Result<std::string> RequestTA(const msg::ComponentId& component,
                                std::optional<std::string_view> tam_uri = std::nullopt);
  // UnrequestTA: a hint that a TC is no longer needed; only the TAM decides
  // (RFC 9397 §9.1). Returns the TAM URI to contact.
  Result<std::string> UnrequestTA(const msg::ComponentId& component);
  // RequestPolicyCheck: the TAMs to contact (otrp-over-http §5.5 returns one
  // per call; the list is the same sequence at once).
  std::vector<std::string> RequestPolicyCheck() const;

  // ProcessTeepMessage: the signed reply, or empty Bytes when there is
  // nothing to send. Only a failure of the Agent itself (storage) is an
  // error Status; every protocol failure is a signed TEEP Error.
  Result<Bytes> ProcessTeepMessage(ByteView message);
  // ProcessError: the transport failed; forget conversation state.
  void ProcessError();

  Result<std::vector<InstalledTc>> ListInstalled() const;
  const AgentState& state() const { return state_; }
  const ExchangeSummary& last_exchange() const { return last_; }
  const msg::CipherSuite& cipher_suite() const { return suite_; }

  ~Agent();
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

 private:
  // A verified message's signer.
  struct Incoming {
    size_t tam_index = 0;
    const TamConfig* tam = nullptr;
    msg::Verified verified;
  };
  Agent(AgentConfig config, AgentStateStorage& storage);

  // Why the Agent answers with an Error (P §4.6), and the challenge that
  // ERR_ATTESTATION_REQUIRED carries.
  struct Refusal {
    Refusal(msg::ErrorCode c, std::string d, std::optional<Bytes> ch = std::nullopt)
        : code(c), detail(std::move(d)), challenge(std::move(ch)) {}
    msg::ErrorCode code;
    std::string detail;
    std::optional<Bytes> challenge;
  };

  Result<Bytes> HandleQueryRequest(const Incoming& in, const msg::QueryRequest& request);
  Result<Bytes> HandleUpdate(const Incoming& in, const msg::Update& update);
  std::optional<Refusal> CheckQueryRequest(const msg::QueryRequest& request) const;
  std::optional<Refusal> CheckTamAttestation(const Incoming& in, const msg::QueryRequest& request);
  Result<std::optional<Refusal>> AddAttestation(const msg::QueryRequest& request,
                                                const std::vector<InstalledTc>& inventory,
                                                msg::QueryResponse* response);
  Result<Bytes> BuildEvidence(std::optional<Bytes> nonce, const std::vector<InstalledTc>& inventory);
  // Drops RequestTA entries now installed and UnrequestTA entries now gone.
  Status PruneRequests(const std::vector<InstalledTc>& inventory);
  Result<Bytes> SendError(std::optional<Bytes> token, Refusal refusal,
                          std::vector<Bytes> suit_reports = {});
  Result<Bytes> Send(const msg::Message& message);
  Status SaveState();

  AgentConfig config_;
  AgentStateStorage& storage_;
  std::vector<msg::TrustAnchor> tam_anchors_;  // parallel to config_.tams
  msg::CipherSuite suite_;
  // RFC 9679 thumbprints of our keys, computed once: teep_kid_ is the cnf of
  // our Evidence, and both are the kids of what we sign.
  Bytes teep_kid_;
  Bytes attestation_kid_;
  AgentState state_;
  // Challenges sent with ERR_ATTESTATION_REQUIRED, per TAM index; a TAM's
  // Evidence must carry the one we sent it. Memory only: a restart asks again.
  std::vector<std::optional<Bytes>> tam_challenges_;
  ExchangeSummary last_;
};

}  // namespace teep::agent
