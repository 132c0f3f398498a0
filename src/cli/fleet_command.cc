// teep fleet | fleet devices: the fleet simulator (docs/cli.md "teep fleet").
// `teep fleet` runs N simulated devices (in-process TEEP Agents with the
// deterministic SIMULATION keys of host/fleet/identity.h, NEVER for real
// devices) against a TAM over the real HTTP client and reports throughput,
// latency and errors; `teep fleet devices` writes the file that `teep tam
// devices import` registers them from.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli/commands.h"
#include "cli/key_loading.h"
#include "cli/manifest_args.h"
#include "cli/provisioning_args.h"
#include "host/fleet/base64.h"
#include "host/fleet/fleet_run.h"
#include "host/fleet/identity.h"
#include "host/fleet/import_file.h"
#include "host/fleet/public_keys.h"
#include "host/fleet/report.h"

namespace teep::cli {
namespace {

namespace fleet = host::fleet;

constexpr char kSimulationWarning[] =
    "SIMULATION KEYS: every device key is derived from the seed and the device index, so anyone who "
    "knows them knows the private keys. Never register them for real devices.";

struct FleetArgs {
  // teep fleet
  std::string tam;
  uint64_t devices = 100;
  unsigned concurrency = 8;
  double duration = 10;
  uint64_t conversations = 0;
  std::vector<std::string> tcs;
  std::string seed = std::string(fleet::kDefaultSeed);
  std::vector<std::string> tam_keys;
  SignerAndIdArgs ids;  // --signer, --hwmodel, --hwversion, --vendor-id, --class-id
  unsigned retries = 3;
  bool no_progress = false;
  double timeout = 30;
  uint64_t first_index = 0;
  bool json = false;
  std::string ca_file;
  // teep fleet devices
  uint64_t file_devices = 0;
  std::string out;
  std::string name_prefix = std::string(fleet::kDefaultNamePrefix);
};

// CLI::PositiveNumber's message prints the largest double in full.
const CLI::Validator kPositive(
    [](std::string& text) -> std::string {
      double value = 0;
      if (!CLI::detail::lexical_cast(text, value) || !(value > 0)) return "must be greater than 0, got " + text;
      return {};
    },
    "POSITIVE");

// ---- teep fleet devices ------------------------------------------------------------

void WriteLines(const std::string& verb, const FleetArgs& a, std::ostream& out) {
  out << "# teep fleet devices: " << a.file_devices << " simulated devices, seed \"" << a.seed << "\"\n"
      << "# " << kSimulationWarning << "\n"
      << "# <name> <teep-key> <attestation-key>: base64 SubjectPublicKeyInfo DER (docs/cli.md)\n";
  auto deriver = fleet::PublicKeyDeriver::Create();
  if (!deriver.ok()) Fail(verb, deriver.status().ToString());
  auto spki = [&](uint64_t i, fleet::KeyPurpose purpose) {
    auto der = (*deriver)->SpkiDer(a.seed, i, purpose);
    if (!der.ok()) Fail(verb, der.status().ToString());
    return fleet::Base64Encode(*der);
  };
  for (uint64_t i = 0; i < a.file_devices; ++i) {
    auto line = fleet::FormatImportLine(fleet::DeviceName(a.name_prefix, i), spki(i, fleet::KeyPurpose::kTeepKey),
                                        spki(i, fleet::KeyPurpose::kAttestationKey));
    if (!line.ok()) Fail(verb, "--name-prefix: " + line.status().message(), kExitUsage);
    out << *line << '\n';
  }
  out.flush();
}

// To standard output, or to --out through OUT.partial renamed at the end, so
// that an interrupted run never leaves a shorter file that would import.
void WriteDevices(const FleetArgs& a) {
  const std::string verb = "fleet devices";
  if (a.out.empty()) {
    WriteLines(verb, a, std::cout);
    if (!std::cout) Fail(verb, "writing standard output failed");
    return;
  }
  const std::string partial = a.out + ".partial";
  std::ofstream file(partial, std::ios::out | std::ios::trunc);
  if (!file) Fail(verb, "cannot write " + partial);
  try {
    WriteLines(verb, a, file);
    file.close();
    if (!file) Fail(verb, "writing " + partial + " failed");
    if (std::rename(partial.c_str(), a.out.c_str()) != 0) Fail(verb, "cannot rename " + partial + " to " + a.out);
  } catch (...) {
    std::remove(partial.c_str());
    throw;
  }
}

// ---- teep fleet ----------------------------------------------------------------------

// Component ids: "A B c,D E f" is two ids of three parts (text, or h:HEX).
std::vector<msg::ComponentId> ParseTcs(const std::string& verb, const std::vector<std::string>& values) {
  std::vector<msg::ComponentId> ids;
  for (const std::string& value : values) {
    std::istringstream words(value);
    std::vector<std::string> parts;
    for (std::string part; words >> part;) parts.push_back(part);
    if (parts.empty()) Fail(verb, "--tcs: an empty component id", kExitUsage);
    ids.push_back(ParseComponentId(verb, "--tcs", parts));
  }
  return ids;
}

fleet::FleetPlan MakePlan(const FleetArgs& a) {
  const std::string verb = "fleet";
  if (a.tam.empty()) Fail(verb, "--tam is required (the TAM's URL, e.g. http://127.0.0.1:8080/tam)", kExitUsage);
  if (a.tam_keys.empty()) Fail(verb, "--tam-key is required (the TAM's public key, PEM; repeatable)", kExitUsage);
  fleet::FleetPlan plan;
  plan.tam_url = a.tam;
  plan.seed = a.seed;
  plan.first_index = a.first_index;
  plan.devices = a.devices;
  plan.concurrency = a.concurrency;
  plan.conversations = a.conversations;
  plan.duration_seconds = a.duration;
  plan.tcs = ParseTcs(verb, a.tcs);
  plan.retries = a.retries;
  plan.http.request_timeout = std::chrono::milliseconds(static_cast<int64_t>(a.timeout * 1000));
  plan.http.connect_timeout = std::min(plan.http.connect_timeout, plan.http.request_timeout);
  plan.http.ca_file = a.ca_file;
  host::device::Provisioning& p = plan.profile.provisioning;
  for (const std::string& path : a.tam_keys) {
    auto key = LoadPublicKey(path);
    if (!key.ok()) Fail(verb, "--tam-key " + path + ": " + key.status().ToString());
    p.tams.push_back({a.tam, *key});
  }
  ApplySignersAndIds(verb, a.ids, p);
  auto digest = fleet::MeasureThisExecutable();
  if (!digest.ok()) Fail(verb, "measuring the Agent's code: " + digest.status().ToString());
  plan.profile.agent_digest = *digest;
  return plan;
}

// The progress line on standard error: rewritten in place 4 times a second
// on a terminal, one line every 5 s otherwise (a log stays readable).
class ProgressDisplay {
 public:
  ProgressDisplay(const fleet::FleetPlan& plan, fleet::FleetProgress& progress)
      : plan_(plan), progress_(progress), tty_(isatty(STDERR_FILENO) == 1) {
    thread_ = std::thread([this] { Loop(); });
  }
  ~ProgressDisplay() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      done_ = true;
    }
    wake_.notify_all();
    thread_.join();
    Show();  // the final figures
    if (tty_) std::cerr << "\n";
  }

 private:
  void Loop() {
    const auto period = tty_ ? std::chrono::milliseconds(250) : std::chrono::milliseconds(5000);
    std::unique_lock<std::mutex> lock(mutex_);
    while (!wake_.wait_for(lock, period, [this] { return done_; })) Show();
  }

  void Show() {
    std::string line;
    if (!progress_.running) {
      line = fleet::FormatSetupProgress(plan_, progress_.devices_ready);
    } else {
      const double elapsed =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - progress_.started).count();
      line = fleet::FormatProgress(plan_, elapsed, progress_.exchanges, progress_.errors, progress_.devices_failed);
    }
    if (tty_) {
      const size_t width = line.size();
      if (line.size() < shown_) line.append(shown_ - line.size(), ' ');  // erase what was longer
      shown_ = width;
      std::cerr << "\r" << line << std::flush;
    } else {
      std::cerr << "teep fleet: " << line << std::endl;
    }
  }

  const fleet::FleetPlan& plan_;
  fleet::FleetProgress& progress_;
  const bool tty_;
  size_t shown_ = 0;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool done_ = false;
  std::thread thread_;
};

// The first SIGINT or SIGTERM stops starting conversations (the report
// still comes); a second one ends the process.
std::atomic<fleet::FleetProgress*> g_running{nullptr};
extern "C" void StopFleet(int) {
  if (fleet::FleetProgress* p = g_running.load()) p->stop = true;
}

void Run(const FleetArgs& a) {
  const std::string verb = "fleet";
  const fleet::FleetPlan plan = MakePlan(a);
  fleet::FleetProgress progress;
  g_running = &progress;
  struct sigaction sa {};
  sa.sa_handler = StopFleet;
  sa.sa_flags = SA_RESETHAND;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  Result<fleet::FleetResult> result = [&] {
    std::unique_ptr<ProgressDisplay> display;
    if (!a.no_progress) display = std::make_unique<ProgressDisplay>(plan, progress);
    return fleet::RunFleet(plan, progress);
  }();
  g_running = nullptr;
  if (!result.ok()) Fail(verb, result.status().ToString());
  std::cout << (a.json ? fleet::FormatJsonReport(plan, *result) : fleet::FormatReport(plan, *result)) << std::flush;
  if (result->devices_failed > 0) {
    const unsigned tries = plan.retries + 1;
    Fail(verb, std::to_string(result->devices_failed) + " of " + std::to_string(plan.devices) +
                   " devices failed (each had " + std::to_string(tries) +
                   (tries == 1 ? " failed conversation)" : " failed conversations in a row)"));
  }
}

}  // namespace

void AddFleetCommand(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand(
      "fleet", std::string("Simulate a fleet of devices against a TAM: exchanges/s, latency, errors. ") +
                   kSimulationWarning);
  auto a = std::make_shared<FleetArgs>();
  cmd->add_option("--tam", a->tam, "URL of the TAM (required)");
  cmd->add_option("--devices", a->devices, "How many devices (default 100)")->check(kPositive);
  cmd->add_option("--concurrency", a->concurrency, "Worker threads, one HTTP connection each (default 8)")
      ->check(kPositive);
  CLI::Option* duration =
      cmd->add_option("--duration", a->duration, "Seconds to run (default 10)")->check(kPositive);
  cmd->add_option("--conversations", a->conversations, "Instead of --duration: conversations per device")
      ->check(kPositive)
      ->excludes(duration);
  cmd->add_option("--tcs", a->tcs,
                  "Trusted Components to RequestTA / UnrequestTA in turn: component ids (parts separated by "
                  "spaces, text or h:HEX), several separated by commas; repeatable")
      ->delimiter(',')
      ->allow_extra_args(false);
  cmd->add_option("--seed", a->seed, "Seed of the simulation keys (default teep-fleet-simulation)");
  cmd->add_option("--tam-key", a->tam_keys, "The TAM's public key (PEM); repeatable; required")
      ->allow_extra_args(false);
  cmd->add_option("--signer", a->ids.signers, "Trusted Component signer public key (PEM); repeatable")
      ->allow_extra_args(false);
  cmd->add_option("--retries", a->retries, "Retries of a failed conversation before a device fails (default 3)");
  cmd->add_flag("--no-progress", a->no_progress, "No progress line on standard error");
  cmd->add_option("--timeout", a->timeout, "Seconds an HTTP request may take (default 30)")->check(kPositive);
  cmd->add_option("--first-index", a->first_index, "Index of the first device (default 0)");
  cmd->add_flag("--json", a->json, "The report as one JSON object");
  cmd->add_option("--ca-file", a->ca_file, "Trust only this CA for an HTTPS TAM (PEM)");
  cmd->add_option("--hwmodel", a->ids.hwmodel, "EAT hwmodel of the devices (default teep-sim)");
  cmd->add_option("--hwversion", a->ids.hwversion, "EAT hwversion of the devices (default 1.0)");
  cmd->add_option("--vendor-id", a->ids.vendor_ids, "SUIT vendor UUID the devices answer to; repeatable")
      ->allow_extra_args(false);
  cmd->add_option("--class-id", a->ids.class_ids, "SUIT class UUID the devices answer to; repeatable")
      ->allow_extra_args(false);
  cmd->callback([a, cmd] {
    if (cmd->get_subcommands().empty()) Run(*a);
  });

  CLI::App* devices = cmd->add_subcommand(
      "devices", std::string("Write the `teep tam devices import` file of devices 0..N-1. ") + kSimulationWarning);
  devices->add_option("--devices", a->file_devices, "How many devices")->required()->check(kPositive);
  devices->add_option("--seed", a->seed, "Seed of the simulation keys (default teep-fleet-simulation)");
  devices->add_option("--out", a->out, "Output file (default standard output)");
  devices->add_option("--name-prefix", a->name_prefix, "Device names are PREFIX<index> (default fleet-)");
  devices->callback([a] { WriteDevices(*a); });
}

}  // namespace teep::cli
