// What a TEEP Agent must remember between conversations, and where it keeps
// it. The Agent core encodes the state itself (one CBOR item) and hands the
// bytes to an AgentStateStorage; the simulated TEE seals them and guards
// them against rollback with its monotonic counter, a real TEE would use its
// own secure storage.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/teep/messages.h"

namespace teep::agent {

// A RequestTA or UnrequestTA the TAM has not acted on yet (RFC 9397 §6.2.1).
struct PendingRequest {
  msg::ComponentId component;
  std::string tam_uri;
  bool operator==(const PendingRequest&) const = default;
};

struct AgentState {
  // RequestTA entries whose TC is not installed yet (requested-tc-list, P §4.3).
  std::vector<PendingRequest> requested;
  // UnrequestTA entries whose manifest is still installed (unneeded-manifest-list).
  std::vector<PendingRequest> unneeded;
  // Tokens of the most recent Updates processed, newest last: a replayed
  // Update is declined (RFC 9397 §9.3). Bounded by kRememberedUpdateTokens.
  std::vector<Bytes> seen_update_tokens;
  // The last Attestation Result about this device a TAM relayed in an Update
  // (the passport model, P §4.4, RFC 9334 §5.1), and its media type.
  std::optional<Bytes> passport;
  std::optional<std::string> passport_format;
  bool operator==(const AgentState&) const = default;
};

inline constexpr size_t kRememberedUpdateTokens = 64;

// [1, requested, unneeded, seen-tokens, passport / null, passport-format / null]
// with requested/unneeded = [* [component-id, tam-uri]]. Deterministic.
Result<Bytes> EncodeAgentState(const AgentState& state);
// Strict: the state is our own, so anything unexpected means corruption.
Result<AgentState> DecodeAgentState(ByteView data);

// Durable storage for the encoded state. Save must be atomic: after a crash
// Load returns either the previous or the new bytes.
class AgentStateStorage {
 public:
  virtual ~AgentStateStorage() = default;
  // nullopt on first start.
  virtual Result<std::optional<Bytes>> Load() = 0;
  virtual Status Save(ByteView encoded) = 0;
};

// In memory, for tests and the in-process fleet simulator.
class MemoryStateStorage final : public AgentStateStorage {
 public:
  Result<std::optional<Bytes>> Load() override { return saved_; }
  Status Save(ByteView encoded) override {
    saved_ = ToBytes(encoded);
    return OkStatus();
  }

 private:
  std::optional<Bytes> saved_;
};

}  // namespace teep::agent
