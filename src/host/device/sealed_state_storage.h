// The Agent's state in sealed storage, guarded against rollback by the
// monotonic counter: each save seals [counter + 1, state] and then
// increments the counter. On load the sealed value must be the counter's
// (or one ahead: a crash between the two steps, finished now). Anything
// older means someone restored an old copy of the state directory.
#pragma once

#include <memory>

#include "core/agent/agent_state.h"
#include "host/tee_sim/monotonic_counter.h"
#include "host/tee_sim/sealed_storage.h"

namespace teep::host::device {

class SealedStateStorage final : public agent::AgentStateStorage {
 public:
  SealedStateStorage(tee_sim::SealedStorage& sealed, tee_sim::MonotonicCounter& counter)
      : sealed_(sealed), counter_(counter) {}
  Result<std::optional<Bytes>> Load() override;
  Status Save(ByteView encoded) override;

 private:
  tee_sim::SealedStorage& sealed_;
  tee_sim::MonotonicCounter& counter_;
};

}  // namespace teep::host::device
