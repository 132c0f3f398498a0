// One simulated device of a load run (`teep fleet`, bench/tam_http_driver):
// the TEEP Agent core in process, over an in-memory component store and
// state, with the deterministic simulation keys of identity.h. It is the
// Broker's AgentEndpoint, so host::RunSession drives it over the real HTTP
// client exactly as `teep device run` drives a simulated TEE.
//
// Unlike `teep device tee` nothing is sealed or persisted: a fleet of
// thousands lives in one process and is recreated from (seed, index).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/agent/agent.h"
#include "core/agent/agent_state.h"
#include "core/suit/memory_store.h"
#include "host/broker/agent_endpoint.h"
#include "host/device/provisioning.h"
#include "host/fleet/identity.h"

namespace teep::host::fleet {

// What every device of a fleet is given. `provisioning` carries what `teep
// device init` seals into a simulated TEE (the TAMs and their keys, TC
// signers, hwmodel, hwversion, SUIT vendor and class ids).
struct DeviceProfile {
  device::Provisioning provisioning;
  // Encoded SUIT_Digest of the Agent's code: the first `manifests` entry of
  // its Evidence (P §5). Measure it once for the whole fleet.
  Bytes agent_digest;
};

// SHA-256 of this process's executable as an encoded SUIT_Digest (what a
// simulated TEE reports as the Agent's code).
Result<Bytes> MeasureThisExecutable();

class SimulatedDevice final : public AgentEndpoint {
 public:
  static Result<std::unique_ptr<SimulatedDevice>> Create(std::string_view seed, uint64_t index,
                                                         const DeviceProfile& profile);

  // What the current conversation showed, beyond what host::RunSession
  // reports (it sees bytes, not TEEP).
  struct Observed {
    double agent_seconds = 0;              // wall time inside the Agent
    bool received_update = false;
    std::optional<std::string> tam_error;  // an Update carried err-code (e.g. attestation refused)
    std::optional<std::string> agent_error;  // the Agent answered with a TEEP Error
  };
  // Starts a new Observed record; call before each conversation.
  void BeginConversation() { observed_ = {}; }
  const Observed& observed() const { return observed_; }

  Result<Bytes> ProcessTeepMessage(ByteView message) override;
  void ProcessError(std::string_view what) override;

  uint64_t index() const { return index_; }
  const DeviceKeys& keys() const { return keys_; }
  agent::Agent& agent() { return *agent_; }
  suit::MemoryStore& store() { return store_; }

 private:
  SimulatedDevice(uint64_t index, DeviceKeys keys) : index_(index), keys_(std::move(keys)) {}

  uint64_t index_;
  DeviceKeys keys_;  // the Agent holds pointers to these: the device never moves
  suit::MemoryStore store_;
  agent::MemoryStateStorage state_;
  std::unique_ptr<agent::Agent> agent_;
  Observed observed_;
};

}  // namespace teep::host::fleet
