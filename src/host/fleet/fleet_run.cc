#include "host/fleet/fleet_run.h"

#include <algorithm>
#include <chrono>
#include <latch>
#include <memory>
#include <optional>
#include <thread>
#include <utility>

#include "core/agent/inventory.h"
#include "core/base/strings.h"
#include "core/suit/component_id.h"

namespace teep::host::fleet {
namespace {

using Clock = std::chrono::steady_clock;

// 0.1 s after the first failure, doubling, at most 2 s.
Clock::duration Backoff(unsigned failures) {
  const unsigned doublings = std::min(failures, 6u) - 1;
  const double seconds = std::min(0.1 * static_cast<double>(1u << doublings), 2.0);
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

std::string Describe(const msg::ComponentId& id) {
  std::vector<ByteView> parts(id.begin(), id.end());
  return suit::DescribeComponentId(parts);
}

ConversationResult AgentFailure(const Status& status) {
  ConversationResult r;
  r.kind = ErrorKind::kAgent;
  r.detail = "TEEP Agent: " + status.message();
  return r;
}

// One device's place in its worker's round.
struct Slot {
  std::unique_ptr<SimulatedDevice> device;
  uint64_t done = 0;      // successful conversations
  unsigned failures = 0;  // failed conversations in a row
  bool failed = false;    // exhausted its retries
  Clock::time_point not_before{};
};

class Worker {
 public:
  Worker(const FleetPlan& plan, FleetProgress& progress) : plan_(plan), progress_(progress) {}

  // Creates this worker's devices (indices w, w + workers, ... of the fleet)
  // and its HTTP client.
  Status Setup(unsigned w, unsigned workers) {
    for (uint64_t k = w; k < plan_.devices; k += workers) {
      TEEP_ASSIGN_OR_RETURN(auto device, SimulatedDevice::Create(plan_.seed, plan_.first_index + k, plan_.profile));
      slots_.push_back(Slot{std::move(device)});
      progress_.devices_ready.fetch_add(1, std::memory_order_relaxed);
    }
    TEEP_ASSIGN_OR_RETURN(http_, HttpClient::Create(plan_.http));
    return OkStatus();
  }

  // `deadline` applies when the plan has no conversation count.
  void Run(Clock::time_point deadline) {
    const bool timed = plan_.conversations == 0;
    for (;;) {
      if (progress_.stop.load(std::memory_order_relaxed)) return;
      const Clock::time_point now = Clock::now();
      if (timed && now >= deadline) return;
      Clock::time_point wake;
      Slot* slot = Next(now, &wake);
      if (slot == nullptr) {
        if (wake == Clock::time_point::max()) return;  // every device finished or failed
        // Every device left is backing off; wake in time to notice a stop.
        Clock::time_point until = std::min(wake, now + std::chrono::milliseconds(50));
        if (timed) until = std::min(until, deadline);
        std::this_thread::sleep_until(until);
        continue;
      }
      Step(*slot);
    }
  }

  const std::vector<Slot>& slots() const { return slots_; }
  std::vector<double>& latencies() { return latencies_; }
  uint64_t exchanges() const { return exchanges_; }
  const std::array<uint64_t, kErrorKindCount>& errors() const { return errors_; }
  const std::array<std::optional<std::string>, kErrorKindCount>& samples() const { return samples_; }

 private:
  bool Finished(const Slot& s) const {
    return s.failed || (plan_.conversations > 0 && s.done >= plan_.conversations);
  }

  // The next device in turn that may start a conversation now; otherwise
  // null, with *wake = when the first one backing off may (max() if none is
  // left).
  Slot* Next(Clock::time_point now, Clock::time_point* wake) {
    *wake = Clock::time_point::max();
    for (size_t k = 0; k < slots_.size(); ++k) {
      const size_t i = (next_ + k) % slots_.size();
      Slot& s = slots_[i];
      if (Finished(s)) continue;
      if (s.not_before <= now) {
        next_ = (i + 1) % slots_.size();
        return &s;
      }
      *wake = std::min(*wake, s.not_before);
    }
    return nullptr;
  }

  void Step(Slot& s) {
    ConversationResult r = plan_.tcs.empty() ? Converse(plan_.tam_url, *s.device, *http_) : Toggle(s);
    if (r.ok) {
      ++exchanges_;
      latencies_.push_back(r.seconds);
      ++s.done;
      s.failures = 0;
      progress_.exchanges.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    const auto kind = static_cast<size_t>(r.kind);
    ++errors_[kind];
    if (!samples_[kind]) samples_[kind] = Cat("device ", s.device->index(), ": ", r.detail);
    progress_.errors.fetch_add(1, std::memory_order_relaxed);
    if (++s.failures > plan_.retries) {
      s.failed = true;
      progress_.devices_failed.fetch_add(1, std::memory_order_relaxed);
    } else {
      s.not_before = Clock::now() + Backoff(s.failures);
    }
  }

  // RequestTA the device's next TC if it does not hold it, UnrequestTA it if
  // it does, converse, and check that the TAM did what was asked.
  ConversationResult Toggle(Slot& s) {
    const msg::ComponentId& tc = plan_.tcs[s.done % plan_.tcs.size()];
    agent::Agent& agent = s.device->agent();
    auto holds = [&]() -> Result<bool> {
      TEEP_ASSIGN_OR_RETURN(auto inventory, agent.ListInstalled());
      return agent::FindInstalled(inventory, tc) != nullptr;
    };
    auto before = holds();
    if (!before.ok()) return AgentFailure(before.status());
    auto asked = *before ? agent.UnrequestTA(tc) : agent.RequestTA(tc);
    if (!asked.ok()) return AgentFailure(asked.status());
    ConversationResult r = Converse(plan_.tam_url, *s.device, *http_);
    if (!r.ok) return r;
    auto after = holds();
    if (!after.ok()) return AgentFailure(after.status());
    if (*after == *before) {
      r.ok = false;
      r.kind = ErrorKind::kUnfulfilled;
      r.detail = Cat(*before ? "UnrequestTA " : "RequestTA ", Describe(tc), ": the TAM did not ",
                     *before ? "remove" : "install", " it");
    }
    return r;
  }

  const FleetPlan& plan_;
  FleetProgress& progress_;
  std::vector<Slot> slots_;
  size_t next_ = 0;
  std::unique_ptr<HttpClient> http_;
  std::vector<double> latencies_;
  uint64_t exchanges_ = 0;
  std::array<uint64_t, kErrorKindCount> errors_{};
  std::array<std::optional<std::string>, kErrorKindCount> samples_;
};

Status CheckPlan(const FleetPlan& plan) {
  if (plan.tam_url.empty()) return Status(StatusCode::kInvalidArgument, "no TAM URL");
  if (plan.devices == 0) return Status(StatusCode::kInvalidArgument, "no devices");
  if (plan.concurrency == 0) return Status(StatusCode::kInvalidArgument, "concurrency must be at least 1");
  if (plan.conversations == 0 && !(plan.duration_seconds > 0)) {
    return Status(StatusCode::kInvalidArgument, "give a duration or a conversation count");
  }
  if (plan.first_index > UINT64_MAX - plan.devices) {
    return Status(StatusCode::kInvalidArgument, "device indices overflow");
  }
  return OkStatus();
}

}  // namespace

uint64_t FleetResult::total_errors() const {
  uint64_t n = 0;
  for (uint64_t e : errors) n += e;
  return n;
}

Result<FleetResult> RunFleet(const FleetPlan& plan, FleetProgress& progress) {
  TEEP_RETURN_IF_ERROR(CheckPlan(plan));
  const auto workers = static_cast<unsigned>(std::min<uint64_t>(plan.concurrency, plan.devices));
  std::vector<std::unique_ptr<Worker>> pool;
  for (unsigned w = 0; w < workers; ++w) pool.push_back(std::make_unique<Worker>(plan, progress));

  // The workers create their devices in parallel; the clock starts when
  // every device exists, and the workers start together.
  std::vector<Status> setup(workers);
  std::latch created(workers);
  std::latch go(1);
  bool abort = false;  // written before go opens, read after
  Clock::time_point deadline;
  std::vector<std::thread> threads;
  for (unsigned w = 0; w < workers; ++w) {
    threads.emplace_back([&, w] {
      setup[w] = pool[w]->Setup(w, workers);
      created.count_down();
      go.wait();
      if (!abort) pool[w]->Run(deadline);
    });
  }
  created.wait();
  Status failed_setup;
  for (const Status& s : setup) {
    if (!s.ok() && failed_setup.ok()) failed_setup = s;
  }
  abort = !failed_setup.ok();
  const Clock::time_point start = Clock::now();
  deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(plan.duration_seconds));
  progress.started = start;
  progress.running = !abort;  // after `started`: a reader that sees running sees it
  go.count_down();
  for (std::thread& t : threads) t.join();
  if (abort) return failed_setup;

  FleetResult result;
  result.workers = workers;
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> latencies;
  std::array<std::optional<std::string>, kErrorKindCount> samples;
  for (auto& worker : pool) {
    result.exchanges += worker->exchanges();
    latencies.insert(latencies.end(), worker->latencies().begin(), worker->latencies().end());
    for (size_t k = 0; k < kErrorKindCount; ++k) {
      result.errors[k] += worker->errors()[k];
      if (!samples[k]) samples[k] = worker->samples()[k];
    }
    for (const Slot& s : worker->slots()) {
      if (s.failed) {
        ++result.devices_failed;
      } else if (plan.conversations > 0 ? s.done >= plan.conversations : s.done > 0) {
        ++result.devices_completed;
      } else {
        ++result.devices_idle;
      }
    }
  }
  result.latency = Summarize(latencies);
  for (size_t k = 0; k < kErrorKindCount; ++k) {
    if (samples[k]) {
      result.error_samples.push_back(Cat(ErrorKindName(static_cast<ErrorKind>(k)), ": ", *samples[k]));
    }
  }
  return result;
}

}  // namespace teep::host::fleet
