// `teep fleet`: N simulated devices (simulated_device.h) run attested TEEP
// conversations against a TAM over C worker threads, each with its own
// kept-alive HTTP client. Devices are dealt round-robin to the workers
// (device k to worker k mod C), and a worker takes its devices in turn, so
// a device is never in two conversations at once.
//
// A failed conversation is counted by kind and retried for that device,
// after a back-off of 0.1 s doubling up to 2 s (meanwhile the worker serves
// its other devices), up to `retries` times in a row; a device that exhausts
// them is "failed" and takes no further part. This is how a device rides out
// a TAM instance that dies mid-run.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/base/status.h"
#include "core/teep/messages.h"
#include "host/broker/http_client.h"
#include "host/fleet/conversation.h"
#include "host/fleet/identity.h"
#include "host/fleet/latency.h"
#include "host/fleet/simulated_device.h"

namespace teep::host::fleet {

struct FleetPlan {
  std::string tam_url;
  std::string seed = std::string(kDefaultSeed);
  uint64_t first_index = 0;  // devices first_index .. first_index + devices - 1
  uint64_t devices = 100;
  unsigned concurrency = 8;
  // Run until every device completed `conversations` conversations, or,
  // when it is 0, stop starting conversations after `duration_seconds`.
  uint64_t conversations = 0;
  double duration_seconds = 10;
  // Trusted Components each device toggles, one per conversation in turn:
  // RequestTA when it does not hold it (the TAM should install it),
  // UnrequestTA when it does (the TAM should remove it). Empty: every
  // conversation is a policy check (attestation, then whatever the TAM's
  // policy sends).
  std::vector<msg::ComponentId> tcs;
  unsigned retries = 3;
  HttpClientOptions http;
  DeviceProfile profile;
};

// Live counters, for a progress display while RunFleet runs.
struct FleetProgress {
  std::atomic<uint64_t> devices_ready{0};  // created so far
  std::atomic<bool> running{false};        // every device exists; conversations started
  std::chrono::steady_clock::time_point started;  // when they started; read only once running
  std::atomic<uint64_t> exchanges{0};
  std::atomic<uint64_t> errors{0};
  std::atomic<uint64_t> devices_failed{0};
  // Set by the caller (e.g. on SIGINT): start no further conversations.
  std::atomic<bool> stop{false};
};

struct FleetResult {
  unsigned workers = 0;   // min(concurrency, devices)
  double seconds = 0;     // from the first conversation to the end of the last
  uint64_t exchanges = 0;
  LatencySummary latency;  // whole successful conversations, in seconds
  std::array<uint64_t, kErrorKindCount> errors{};
  std::vector<std::string> error_samples;  // the first few failures, in words
  uint64_t devices_completed = 0;  // all their conversations (duration: at least one), not failed
  uint64_t devices_failed = 0;     // exhausted their retries
  uint64_t devices_idle = 0;       // neither (the time ran out first)

  uint64_t total_errors() const;
};

// Creates the devices, runs, and reports. An error Status only when the
// fleet could not be set up (a device or an HTTP client could not be
// created); failed conversations are in the result.
Result<FleetResult> RunFleet(const FleetPlan& plan, FleetProgress& progress);

}  // namespace teep::host::fleet
