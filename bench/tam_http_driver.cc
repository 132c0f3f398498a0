// The TAM server under load, on loopback: host::TamService (HTTP keep-alive,
// one Tam + SQLite connection per worker, WAL + synchronous=FULL) started in
// process from a freshly generated tam.toml (host::CreateTamDirectory, port 0),
// N simulated devices (host::fleet::SimulatedDevice, as `teep fleet` runs
// them: an agent::Agent with its own P-256 TEEP and attestation keys over
// suit::MemoryStore, registered in the TAM's database) driven by C client
// threads, each with its own host::HttpClient (one kept-alive connection)
// running host::fleet::Converse (host::RunSession, timed and judged).
//
// Every conversation must carry an Update: connect -> QueryRequest ->
// QueryResponse (EAT) -> Update with one E.2-sized manifest (20-byte TC) ->
// Success -> 204. The TAM sends the repository's latest version of the TC
// (policy "all"), so the driver rolls versions out the way a fleet sees
// them: a device is handed to a client thread only while it holds an older
// version than the latest published; when no device is left to update, the
// thread that notices publishes the next version (tam::AddTc over its own
// SQLite connection, once per N conversations) and every device is due
// again. A conversation without Update (a device that raced a publish) is
// counted as `no_update`, any other outcome as an error.
//
// Reported per run and over all runs: exchanges/s (completed conversations
// with Update), latency percentiles of a whole conversation (3 POSTs + the
// Agent's work in between) and of its TAM part (the conversation minus the
// time spent in the Agent), errors, and CPU: the process's CPU time minus
// the client threads' (Agents, libcurl) is the server's, per exchange.
//
//   build/release/bench/tam_http_driver --devices 50 --clients 8 --seconds 10 --runs 3
//
// Options: --devices N (50) --clients C (8) --seconds S per run (10)
// --runs R (3) --warmup S (2) --workers W (tam.toml's server.workers, 2)
// --keep-versions K (4; 0 = never prune the repository, see Pruner).
// The database lives in $TMPDIR (default /tmp): TMPDIR=/dev/shm puts it on
// tmpfs, where fsync costs nothing, to separate the fsync bound from the
// CPU bound.
#include <sqlite3.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "core/crypto/crypto.h"
#include "core/suit/builder.h"
#include "core/suit/component_id.h"
#include "core/tam/repository.h"
#include "host/broker/http_client.h"
#include "host/fleet/conversation.h"
#include "host/fleet/identity.h"
#include "host/fleet/import_file.h"
#include "host/fleet/latency.h"
#include "host/fleet/simulated_device.h"
#include "host/io/file.h"
#include "host/store/sqlite_store.h"
#include "host/tam_server/config.h"
#include "host/tam_server/tam_directory.h"
#include "host/tam_server/tam_service.h"

namespace teep {
namespace {

using Clock = std::chrono::steady_clock;
using host::fleet::Percentile;

template <typename T>
T Must(Result<T> r, const char* what) {
  if (!r.ok()) {
    std::fprintf(stderr, "tam_http_driver: %s: %s\n", what, r.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(r).value();
}

void MustOk(const Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "tam_http_driver: %s: %s\n", what, s.ToString().c_str());
    std::exit(1);
  }
}

Bytes Hex(std::string_view hex) {
  auto b = HexDecode(hex);
  if (!b) std::abort();
  return *b;
}
Bytes Str(std::string_view s) { return Bytes(s.begin(), s.end()); }

double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}
double ProcessCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::string ReadText(const std::string& path) {
  Bytes b = Must(host::ReadFile(path), path.c_str());
  return std::string(b.begin(), b.end());
}

// TEEP Appendix E.2's TC (as in bench_agent.cc and bench_tam.cc).
const Bytes kTcUuid = Hex("8d82573a926d4754935332dc29997f74");
const Bytes kVendor = Hex("c0ddd5f15243566087db4f5b0aa26c2f");
const Bytes kClass = Hex("db42f7093d8c55baa8c5265fc5820f4e");
constexpr std::string_view kTcImage = "Hello, Secure World!";

std::vector<Bytes> ManifestComponentId() {
  return {Str("TEEP-Device"), Str("SecureFS"), kTcUuid, Str("suit")};
}

Bytes Manifest(uint64_t sequence, const crypto::PrivateKey& signer) {
  suit::ManifestSpec spec;
  spec.sequence_number = sequence;
  spec.component_id = {Str("TEEP-Device"), Str("SecureFS"), kTcUuid, Str("ta")};
  spec.manifest_component_id = ManifestComponentId();
  spec.vendor_id = kVendor;
  spec.class_id = kClass;
  spec.payload = Str(kTcImage);
  return Must(suit::BuildEnvelope(spec, signer), "BuildEnvelope");
}

// ---- a simulated device ---------------------------------------------------------------

// A fleet device and where the rollout stands with it.
struct Device {
  std::unique_ptr<host::fleet::SimulatedDevice> sim;
  size_t index = 0;   // in the driver's list
  uint64_t held = 0;  // committed sequence number of the TC
};

// ---- pruning the repository ----------------------------------------------------------

// Deletes versions older than the newest `keep` of the TC from the TAM's
// database, so that every run measures the same state whatever the number
// of versions the rollout (one per N conversations) has published. The TAM
// keeps every version and offers no way to remove one (tam::TamStore has no
// RemoveTc); before 08ff1fe SqliteStore::FindTcByComponent read and sorted
// every version of a component for each tc-list entry, and each exchange
// was slower than the one before (docs/performance.md "TAM"). This is what
// an operator would do to a long-lived repository; --keep-versions 0 turns
// it off. Done on the driver's own connection, straight in SQL (the table of
// host/store/schema.cc).
class Pruner {
 public:
  Pruner(const std::string& path, unsigned keep) : keep_(keep) {
    if (keep_ == 0) return;
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK ||
        sqlite3_busy_timeout(db_, 5000) != SQLITE_OK ||
        sqlite3_prepare_v2(db_, "DELETE FROM tcs WHERE manifest_id = ?1 AND sequence_number <= ?2", -1,
                           &delete_, nullptr) != SQLITE_OK) {
      std::fprintf(stderr, "tam_http_driver: sqlite %s: %s\n", path.c_str(), sqlite3_errmsg(db_));
      std::exit(1);
    }
  }
  ~Pruner() {
    sqlite3_finalize(delete_);
    sqlite3_close(db_);
  }
  // After publishing `latest`: keep latest-keep+1 .. latest.
  void Prune(ByteView manifest_id, uint64_t latest) {
    if (keep_ == 0 || latest <= keep_) return;
    sqlite3_bind_blob(delete_, 1, manifest_id.data(), static_cast<int>(manifest_id.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(delete_, 2, static_cast<sqlite3_int64>(latest - keep_));
    const int rc = sqlite3_step(delete_);
    sqlite3_reset(delete_);
    if (rc != SQLITE_DONE) {
      std::fprintf(stderr, "tam_http_driver: pruning old TC versions: %s\n", sqlite3_errmsg(db_));
      std::exit(1);
    }
  }

 private:
  unsigned keep_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* delete_ = nullptr;
};

// ---- which device is due --------------------------------------------------------------

// Hands out devices that hold an older version than the latest published, one
// client thread at a time per device; publishes the next version when none
// is left.
class Rollout {
 public:
  Rollout(std::vector<std::unique_ptr<Device>>& devices, host::SqliteStore& store, Pruner& pruner,
          const crypto::PrivateKey& signer, uint64_t latest, Bytes manifest_id)
      : devices_(devices), store_(store), pruner_(pruner), signer_(signer), latest_(latest),
        manifest_id_(std::move(manifest_id)) {
    for (size_t i = 0; i < devices_.size(); ++i) {
      (devices_[i]->held < latest_ ? ready_ : waiting_).push_back(i);
    }
  }

  // A due device, or nullptr once Stop() was called.
  Device* Take() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      if (stopped_) return nullptr;
      if (!ready_.empty()) {
        const size_t i = ready_.front();
        ready_.pop_front();
        return devices_[i].get();
      }
      if (!publishing_ && !waiting_.empty()) {
        publishing_ = true;
        const uint64_t next = latest_ + 1;
        lock.unlock();
        const Bytes envelope = Manifest(next, signer_);
        const crypto::PublicKey signers[] = {signer_.Public()};
        Must(tam::AddTc(store_, envelope, signers, 0), "publish a TC version");
        pruner_.Prune(manifest_id_, next);
        lock.lock();
        latest_ = next;
        ++publishes_;
        publishing_ = false;
        for (size_t i : waiting_) ready_.push_back(i);
        waiting_.clear();
        cv_.notify_all();
        continue;
      }
      cv_.wait(lock);
    }
  }

  void Give(Device* device) {
    device->held = device->sim->store().CommittedSequence(manifest_id_).value_or(0);
    std::lock_guard<std::mutex> lock(mutex_);
    const size_t i = device->index;
    (device->held < latest_ ? ready_ : waiting_).push_back(i);
    cv_.notify_all();
  }

  void Stop() {
    std::lock_guard<std::mutex> lock(mutex_);
    stopped_ = true;
    cv_.notify_all();
  }
  void Restart() {
    std::lock_guard<std::mutex> lock(mutex_);
    stopped_ = false;
  }
  uint64_t publishes() {
    std::lock_guard<std::mutex> lock(mutex_);
    return publishes_;
  }

 private:
  std::vector<std::unique_ptr<Device>>& devices_;
  host::SqliteStore& store_;
  Pruner& pruner_;
  const crypto::PrivateKey& signer_;
  std::mutex mutex_;
  std::condition_variable cv_;
  uint64_t latest_;
  Bytes manifest_id_;
  std::deque<size_t> ready_;
  std::deque<size_t> waiting_;
  bool publishing_ = false;
  bool stopped_ = false;
  uint64_t publishes_ = 0;
};

// ---- measurements ---------------------------------------------------------------------

struct ThreadStats {
  std::vector<double> latency_us;      // whole conversations with Update
  std::vector<double> tam_latency_us;  // the same minus the time in the Agent
  uint64_t exchanges = 0, no_update = 0, errors = 0;
  double cpu_seconds = 0;              // this client thread's CPU (Agents, libcurl)
  std::vector<std::string> error_samples;
};

struct RunResult {
  double seconds = 0;
  uint64_t exchanges = 0, no_update = 0, errors = 0, publishes = 0;
  std::vector<double> latency_us, tam_latency_us;
  double process_cpu = 0, client_cpu = 0;
  std::vector<std::string> error_samples;
};

RunResult RunFor(double seconds, Rollout& rollout, const std::string& url, unsigned clients,
                 std::vector<std::unique_ptr<host::HttpClient>>& http) {
  std::vector<ThreadStats> stats(clients);
  std::atomic<bool> stop{false};
  const uint64_t publishes0 = rollout.publishes();
  const double cpu0 = ProcessCpuSeconds();
  const auto t0 = Clock::now();
  rollout.Restart();
  std::vector<std::thread> threads;
  for (unsigned c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      ThreadStats& s = stats[c];
      const double thread_cpu0 = ThreadCpuSeconds();
      while (!stop.load(std::memory_order_relaxed)) {
        Device* device = rollout.Take();
        if (device == nullptr) break;
        const host::fleet::ConversationResult r = host::fleet::Converse(url, *device->sim, *http[c]);
        if (!stop.load(std::memory_order_relaxed)) {  // only conversations that ended in time
          if (r.ok && r.messages_to_agent == 2 && r.messages_to_tam == 2) {
            ++s.exchanges;
            s.latency_us.push_back(r.seconds * 1e6);
            s.tam_latency_us.push_back((r.seconds - r.agent_seconds) * 1e6);
          } else if (r.ok && r.messages_to_agent == 1 && r.messages_to_tam == 1) {
            ++s.no_update;  // raced a publish: already up to date
          } else {
            ++s.errors;
            if (s.error_samples.size() < 3) {
              s.error_samples.push_back(r.ok ? "unexpected conversation shape" : r.detail);
            }
          }
        }
        rollout.Give(device);
      }
      s.cpu_seconds = ThreadCpuSeconds() - thread_cpu0;
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
  rollout.Stop();
  for (auto& t : threads) t.join();
  RunResult out;
  out.seconds = elapsed;
  out.process_cpu = ProcessCpuSeconds() - cpu0;
  out.publishes = rollout.publishes() - publishes0;
  for (ThreadStats& s : stats) {
    out.exchanges += s.exchanges;
    out.no_update += s.no_update;
    out.errors += s.errors;
    out.client_cpu += s.cpu_seconds;
    out.latency_us.insert(out.latency_us.end(), s.latency_us.begin(), s.latency_us.end());
    out.tam_latency_us.insert(out.tam_latency_us.end(), s.tam_latency_us.begin(), s.tam_latency_us.end());
    for (auto& e : s.error_samples) {
      if (out.error_samples.size() < 5) out.error_samples.push_back(e);
    }
  }
  return out;
}

void Print(const char* name, RunResult& r) {
  const double rate = r.exchanges / r.seconds;
  const double server_cpu = r.process_cpu - r.client_cpu;
  std::printf(
      "%-8s %8.1f exchanges/s  (%llu in %.2f s, no_update %llu, errors %llu, publishes %llu)\n"
      "         conversation p50 %7.0f  p95 %7.0f  p99 %7.0f us\n"
      "         TAM part     p50 %7.0f  p95 %7.0f  p99 %7.0f us\n"
      "         CPU per exchange: server %6.0f us, clients (Agents, libcurl) %6.0f us; "
      "process used %.2f cores\n",
      name, rate, static_cast<unsigned long long>(r.exchanges), r.seconds,
      static_cast<unsigned long long>(r.no_update), static_cast<unsigned long long>(r.errors),
      static_cast<unsigned long long>(r.publishes), Percentile(r.latency_us, 50),
      Percentile(r.latency_us, 95), Percentile(r.latency_us, 99), Percentile(r.tam_latency_us, 50),
      Percentile(r.tam_latency_us, 95), Percentile(r.tam_latency_us, 99),
      r.exchanges ? server_cpu / r.exchanges * 1e6 : 0, r.exchanges ? r.client_cpu / r.exchanges * 1e6 : 0,
      r.process_cpu / r.seconds);
  for (const std::string& e : r.error_samples) std::printf("         error: %s\n", e.c_str());
}

struct Options {
  unsigned devices = 50, clients = 8, runs = 3, workers = 0, keep_versions = 4;
  double seconds = 10, warmup = 2;
};

Options ParseOptions(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&]() -> double {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "tam_http_driver: %s needs a value\n", argv[i]);
        std::exit(2);
      }
      char* end = nullptr;
      const double v = std::strtod(argv[++i], &end);
      if (*end != '\0' || v < 0) {
        std::fprintf(stderr, "tam_http_driver: bad value for %s: %s\n", argv[i - 1], argv[i]);
        std::exit(2);
      }
      return v;
    };
    if (arg == "--devices") o.devices = static_cast<unsigned>(value());
    else if (arg == "--clients") o.clients = static_cast<unsigned>(value());
    else if (arg == "--seconds") o.seconds = value();
    else if (arg == "--runs") o.runs = static_cast<unsigned>(value());
    else if (arg == "--warmup") o.warmup = value();
    else if (arg == "--workers") o.workers = static_cast<unsigned>(value());
    else if (arg == "--keep-versions") o.keep_versions = static_cast<unsigned>(value());
    else {
      std::fprintf(stderr,
                   "usage: tam_http_driver [--devices N] [--clients C] [--seconds S] [--runs R] "
                   "[--warmup S] [--workers W] [--keep-versions K]\n");
      std::exit(2);
    }
  }
  if (o.devices == 0 || o.clients == 0 || o.runs == 0 || o.clients > o.devices) {
    std::fprintf(stderr, "tam_http_driver: need 0 < clients <= devices and runs > 0\n");
    std::exit(2);
  }
  return o;
}

int Main(int argc, char** argv) {
  const Options opt = ParseOptions(argc, argv);

  std::string tmpl = (std::filesystem::temp_directory_path() / "tam_http_driver.XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  const std::filesystem::path dir = tmpl;
  struct Cleanup {
    std::filesystem::path dir;
    ~Cleanup() {
      std::error_code ignored;
      std::filesystem::remove_all(dir, ignored);
    }
  } cleanup{dir};

  // teep tam init, with port 0 (an ephemeral port).
  MustOk(host::CreateTamDirectory(dir.string(), 0), "CreateTamDirectory");
  host::TamServerConfig config = Must(host::LoadTamConfig((dir / "tam.toml").string()), "LoadTamConfig");
  if (opt.workers != 0) config.workers = opt.workers;

  // teep tam devices add / tc add / policy, on the TAM's database.
  auto store = Must(host::SqliteStore::Open(config.database), "open the database");
  const crypto::PrivateKey signer =
      Must(crypto::PrivateKey::FromPem(ReadText((dir / "signer.pem").string())), "signer.pem");
  const crypto::PublicKey tam_p256 =
      Must(crypto::PublicKey::FromPem(ReadText((dir / "tam-p256.pub.pem").string())), "tam-p256.pub.pem");
  const crypto::PublicKey tam_ed =
      Must(crypto::PublicKey::FromPem(ReadText((dir / "tam-ed25519.pub.pem").string())),
           "tam-ed25519.pub.pem");
  const crypto::PublicKey signers[] = {signer.Public()};
  const tam::TcRecord first = Must(tam::AddTc(*store, Manifest(1, signer), signers, 0), "tc add");
  MustOk(store->PutPolicy({"all", first.manifest_id, tam::PolicyRecord::Action::kInstall}), "policy");

  auto service = Must(host::TamService::Start(config), "TamService::Start");
  const std::string url = "http://127.0.0.1:" + std::to_string(service->port()) + "/tam";

  // Every device is what `teep fleet` simulates (deterministic simulation
  // keys), provisioned with the TAM's keys, the TC signer and E.2's SUIT
  // vendor and class, and registered in one transaction.
  host::fleet::DeviceProfile profile;
  profile.provisioning.tams = {{url, tam_p256}, {url, tam_ed}};
  profile.provisioning.signers = {signer.Public()};
  profile.provisioning.vendor_ids = {kVendor};
  profile.provisioning.class_ids = {kClass};
  profile.agent_digest = Must(host::fleet::MeasureThisExecutable(), "measure the Agent");
  std::vector<std::unique_ptr<Device>> devices;
  std::vector<tam::DeviceRecord> records;
  for (unsigned i = 0; i < opt.devices; ++i) {
    auto d = std::make_unique<Device>();
    d->index = i;
    d->sim = Must(host::fleet::SimulatedDevice::Create(host::fleet::kDefaultSeed, i, profile), "a device");
    const crypto::PublicKey attestation = d->sim->keys().attestation_key.Public();
    records.push_back(Must(host::fleet::MakeDeviceRecord(host::fleet::DeviceName("sim-", i),
                                                         d->sim->keys().teep_key.Public(), &attestation),
                           "a device record"));
    devices.push_back(std::move(d));
  }
  MustOk(store->PutDevices(records), "register the devices");

  std::vector<ByteView> parts;
  const std::vector<Bytes> manifest_id_parts = ManifestComponentId();
  for (const Bytes& p : manifest_id_parts) parts.push_back(p);
  Pruner pruner(config.database, opt.keep_versions);
  Rollout rollout(devices, *store, pruner, signer, first.sequence_number, suit::EncodeComponentId(parts));

  std::vector<std::unique_ptr<host::HttpClient>> http;
  for (unsigned c = 0; c < opt.clients; ++c) {
    http.push_back(Must(host::HttpClient::Create({}), "HttpClient::Create"));
  }

  std::printf("TamService on %s: %u workers, SQLite %s (WAL, synchronous=FULL); %u devices, "
              "%u client threads, %u run(s) of %.0f s after %.0f s warm-up; repository keeps %s\n",
              url.c_str(), config.workers, config.database.c_str(), opt.devices, opt.clients, opt.runs,
              opt.seconds, opt.warmup,
              opt.keep_versions ? ("the newest " + std::to_string(opt.keep_versions) + " versions").c_str()
                                : "every version");
  RunResult warm = RunFor(opt.warmup, rollout, url, opt.clients, http);
  Print("warm-up", warm);

  RunResult all;
  std::vector<double> rates;
  for (unsigned run = 1; run <= opt.runs; ++run) {
    RunResult r = RunFor(opt.seconds, rollout, url, opt.clients, http);
    rates.push_back(r.exchanges / r.seconds);
    all.seconds += r.seconds;
    all.exchanges += r.exchanges;
    all.no_update += r.no_update;
    all.errors += r.errors;
    all.publishes += r.publishes;
    all.process_cpu += r.process_cpu;
    all.client_cpu += r.client_cpu;
    all.latency_us.insert(all.latency_us.end(), r.latency_us.begin(), r.latency_us.end());
    all.tam_latency_us.insert(all.tam_latency_us.end(), r.tam_latency_us.begin(), r.tam_latency_us.end());
    for (auto& e : r.error_samples) {
      if (all.error_samples.size() < 5) all.error_samples.push_back(e);
    }
    const std::string name = "run " + std::to_string(run);
    Print(name.c_str(), r);
  }
  double mean = 0;
  for (double x : rates) mean += x;
  mean /= rates.size();
  double var = 0;
  for (double x : rates) var += (x - mean) * (x - mean);
  const double cv = rates.size() > 1 ? std::sqrt(var / (rates.size() - 1)) / mean : 0;
  Print("all", all);
  std::printf("exchanges/s over %zu runs: mean %.1f, coefficient of variation %.1f%%\n", rates.size(),
              mean, cv * 100);
  service->Stop();
  return all.errors == 0 ? 0 : 1;
}

}  // namespace
}  // namespace teep

int main(int argc, char** argv) { return teep::Main(argc, argv); }
