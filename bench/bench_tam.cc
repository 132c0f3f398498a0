// TAM core (src/core/tam), in process: one full attested exchange per
// iteration between tam::Tam and an agent::Agent (no sockets):
//
//   Tam::ProcessConnect            -> QueryRequest (COSE_Sign: ESP256 + Ed25519)
//   Agent                          -> QueryResponse with EAT Evidence, tc-list
//   Tam::ProcessMessage            -> verify, take token, appraise, plan -> Update
//                                     with one E.2-sized manifest (20-byte TC)
//   Agent                          -> SUIT processing -> Success
//   Tam::ProcessMessage            -> verify, take token, record -> 204
//
// Every exchange carries an Update: the TAM sends the repository's latest
// version of a TC the device holds (policy "all"), so before each exchange,
// outside the timing, the next version (sequence n+1, signed by the TC
// signer) is published with tam::AddTc. Publishing every version up front
// would not do: the TAM always sends the latest, so the device would be up
// to date after the first exchange. Every BENCH_TAM_VERSIONS (16) versions
// the rig (store, TAM, device) is replaced, outside the timing, because
// MemoryTamStore looks up the latest version in time linear in the number
// stored.
//
// Manual timing (UseManualTime, steady_clock), CPU time from
// CLOCK_THREAD_CPUTIME_ID, around each call:
//   * BM_TamExchange/<store>: iteration time = the whole exchange (3 TAM
//     calls + 2 Agent calls); exchanges/s = items_per_second;
//   * BM_TamCore/<store>: iteration time = the 3 TAM calls only (the TAM's
//     share; the Agent's messages depend on fresh tokens, so they cannot be
//     recorded up front).
// Both report counters tam_cpu_us, agent_cpu_us (CPU per exchange) and
// tam_wall_us. Stores: tam::MemoryTamStore ("memory"), host::SqliteStore on
// ":memory:" ("sqlite_mem": SQL cost without I/O) and on a file in a temp
// folder ("sqlite_file": WAL, synchronous=FULL, so every store write the
// TAM makes is an fsync).
//
// Crypto bound of the TAM per exchange, measured in the same run:
//   signs:    QueryRequest 1 ES256 + 1 Ed25519, Update 1 ES256
//   verifies: QueryResponse 1 ES256, Evidence 1 ES256, Success 1 ES256
//   = 2 x BM_Es256Sign + 1 x BM_Ed25519Sign + 3 x BM_Es256Verify.
// Work outside the bound that the TAM did per exchange before it was
// removed (docs/performance.md "TAM"), kept to show what it cost:
// BM_KidOfKey, the signer kids ProcessConnect recomputed per QueryRequest
// (before 340a78d), and BM_PublicKeyFromPem, split into
// BM_OpensslPemReadPubkey and BM_OpensslEcPublicCheck, what the built-in
// Verifier paid per QueryResponse before it cached parsed keys (08ff1fe).
//
// Memory (memory store only): one more exchange after the loop with
// bench/heap_counter counting: peak live heap during the whole exchange
// (`peak_heap_exchange`, TAM + Agent) and during each TAM call
// (`peak_heap_connect`, `peak_heap_query_response`, `peak_heap_success`).
//
//   build/release/bench/bench_tam --benchmark_min_time=0.5 --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/agent/agent.h"
#include "core/agent/agent_state.h"
#include "core/cose/key.h"
#include "core/crypto/crypto.h"
#include "core/suit/builder.h"
#include "core/suit/memory_store.h"
#include "core/tam/memory_store.h"
#include "core/tam/repository.h"
#include "core/tam/tam.h"
#include "core/teep/codec.h"
#include "core/teep/signing.h"
#include "heap_counter.h"
#include "host/store/sqlite_store.h"

namespace teep::tam {
namespace {

template <typename T>
T Must(Result<T> r) {
  if (!r.ok()) {
    std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
    std::abort();
  }
  return std::move(r).value();
}

void MustOk(const Status& s) {
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    std::abort();
  }
}

Bytes Hex(std::string_view hex) {
  auto b = HexDecode(hex);
  if (!b) std::abort();
  return *b;
}

Bytes Str(std::string_view s) { return Bytes(s.begin(), s.end()); }

crypto::PrivateKey NewKey(crypto::KeyType type) { return Must(crypto::PrivateKey::Generate(type)); }

Bytes KidOf(const crypto::PublicKey& key) {
  auto kid = Must(cose::Thumbprint(key));
  return Bytes(kid.begin(), kid.end());
}

// TEEP Appendix E.1/E.2: the TC's component id, vendor, class and 20-byte image.
const Bytes kTcUuid = Hex("8d82573a926d4754935332dc29997f74");
const Bytes kVendor = Hex("c0ddd5f15243566087db4f5b0aa26c2f");
const Bytes kClass = Hex("db42f7093d8c55baa8c5265fc5820f4e");
constexpr std::string_view kTcImage = "Hello, Secure World!";
constexpr char kTamUri[] = "http://127.0.0.1/tam";
constexpr int64_t kNow = 1790000000;

// ---- timing ---------------------------------------------------------------------

double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Wall and CPU time of the calls made between Start() and Stop().
struct Stopwatch {
  double wall = 0, cpu = 0;
  std::chrono::steady_clock::time_point wall0;
  double cpu0 = 0;
  void Start() {
    cpu0 = ThreadCpuSeconds();
    wall0 = std::chrono::steady_clock::now();
  }
  void Stop() {
    const auto wall1 = std::chrono::steady_clock::now();
    cpu += ThreadCpuSeconds() - cpu0;
    wall += std::chrono::duration<double>(wall1 - wall0).count();
  }
};

// ---- the rig ----------------------------------------------------------------------

enum class StoreKind { kMemory, kSqliteMemory, kSqliteFile };

// A temp folder for the SQLite files, removed at exit.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "bench_tam.XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) std::abort();
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

TempDir& Temp() {
  static TempDir dir;
  return dir;
}

std::unique_ptr<TamStore> OpenStore(StoreKind kind) {
  static int files = 0;
  switch (kind) {
    case StoreKind::kMemory:
      return std::make_unique<MemoryTamStore>();
    case StoreKind::kSqliteMemory:
      return Must(host::SqliteStore::Open(":memory:"));
    case StoreKind::kSqliteFile:
      return Must(host::SqliteStore::Open(
          (Temp().path / ("tam" + std::to_string(files++) + ".db")).string()));
  }
  std::abort();
}

// One TAM (P-256 + Ed25519 keys, built-in Verifier, policy "all" installs
// the TC) over `store`, one registered device: an Agent with a P-256 TEEP key
// and a separate P-256 attestation key over suit::MemoryStore, trusting both
// TAM keys and the TC signer (tests/tam/tam_test.cc's set-up, with the TC of
// bench_agent.cc: TEEP Appendix E.2's shape and size).
struct Rig {
  crypto::PrivateKey tam_p256 = NewKey(crypto::KeyType::kP256);
  crypto::PrivateKey tam_ed = NewKey(crypto::KeyType::kEd25519);
  crypto::PrivateKey tc_signer = NewKey(crypto::KeyType::kP256);
  crypto::PrivateKey teep_key = NewKey(crypto::KeyType::kP256);
  crypto::PrivateKey attest_key = NewKey(crypto::KeyType::kP256);
  std::vector<crypto::PublicKey> signers{tc_signer.Public()};
  BuiltInVerifier verifier{{}, {}};
  std::unique_ptr<TamStore> store;
  std::unique_ptr<Tam> tam;
  suit::MemoryStore suit_store;
  agent::MemoryStateStorage agent_state;
  std::unique_ptr<agent::Agent> agent;
  uint64_t published = 0;  // the repository's latest sequence number
  size_t manifest_bytes = 0;

  std::string db_path;  // sqlite_file: removed with the rig

  explicit Rig(StoreKind kind) : store(OpenStore(kind)) {
    if (kind == StoreKind::kSqliteFile) db_path = static_cast<host::SqliteStore&>(*store).path();
    TamConfig config;
    config.p256_key = &tam_p256;
    config.ed25519_key = &tam_ed;
    config.verifier = &verifier;
    config.now = [] { return kNow; };
    tam = Must(Tam::Create(std::move(config), *store));

    DeviceRecord device;  // teep tam devices add
    device.device_id = KidOf(teep_key.Public());
    device.teep_key_pem = Must(teep_key.Public().ToPem());
    device.attestation_key_pem = Must(attest_key.Public().ToPem());
    device.attestation = "none";
    MustOk(store->PutDevice(device));

    agent::AgentConfig ac;
    ac.teep_key = &teep_key;
    ac.attestation_key = &attest_key;
    ac.identity.ueid = Hex("0198f50a4ff6c05861c8860d13a638ea4fe2fa");
    ac.identity.oemid = eat::OemidIeee{0x89, 0x48, 0x23};
    ac.identity.hwmodel = Hex("549dcecc8b987c737b44e40f7c635ce8");
    ac.identity.hwversion = eat::HwVersion{"1.3.4", 1};
    ac.identity.dbgstat = eat::DebugStatus::kDisabledPermanently;
    ac.identity.agent_digest =
        Hex("822f5820a7fd6593eac32eb4be578278e6540c5c09cfd7d4d234973054833b2b93030609");
    ac.tams.push_back({kTamUri, tam_p256.Public()});
    ac.tams.push_back({kTamUri, tam_ed.Public()});
    ac.suit.store = &suit_store;
    ac.suit.trust_anchors.keys = signers;
    ac.suit.vendor_ids = {kVendor};
    ac.suit.class_ids = {kClass};
    agent = Must(agent::Agent::Create(std::move(ac), agent_state));

    const TcRecord first = Publish();
    MustOk(store->PutPolicy({"all", first.manifest_id, PolicyRecord::Action::kInstall}));
    // The first exchange installs version 1: from then on each one is a
    // replacement, the steady state measured.
    Stopwatch ignored_tam, ignored_agent;
    Exchange(ignored_tam, ignored_agent);
  }

  ~Rig() {
    tam.reset();
    store.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::error_code ignored;
      if (!db_path.empty()) std::filesystem::remove(db_path + suffix, ignored);
    }
  }

  Bytes Manifest(uint64_t sequence) const {
    suit::ManifestSpec spec;
    spec.sequence_number = sequence;
    spec.component_id = {Str("TEEP-Device"), Str("SecureFS"), kTcUuid, Str("ta")};
    spec.manifest_component_id =
        std::vector<Bytes>{Str("TEEP-Device"), Str("SecureFS"), kTcUuid, Str("suit")};
    spec.vendor_id = kVendor;
    spec.class_id = kClass;
    spec.payload = Str(kTcImage);
    return Must(suit::BuildEnvelope(spec, tc_signer));
  }

  // The TC signer uploads the next version (teep tam tc add).
  TcRecord Publish() {
    const Bytes envelope = Manifest(++published);
    manifest_bytes = envelope.size();
    return Must(AddTc(*store, envelope, signers, kNow));
  }

  // One exchange; TAM calls timed by `t`, Agent calls by `a`. Aborts unless
  // it went connect -> QueryRequest -> QueryResponse -> Update -> Success -> 204.
  void Exchange(Stopwatch& t, Stopwatch& a) {
    tam_call = 0;
    TamStart(t);
    TamReply request = Must(tam->ProcessConnect());
    TamStop(t);
    a.Start();
    Bytes response = Must(agent->ProcessTeepMessage(request.message));
    a.Stop();
    TamStart(t);
    TamReply update = Must(tam->ProcessMessage(response));
    TamStop(t);
    if (update.kind != TamReply::Kind::kMessage) Fail("QueryResponse", update);
    a.Start();
    Bytes success = Must(agent->ProcessTeepMessage(update.message));
    a.Stop();
    TamStart(t);
    TamReply done = Must(tam->ProcessMessage(success));
    TamStop(t);
    if (done.kind != TamReply::Kind::kNoContent ||
        agent->last_exchange().sent != msg::MessageType::kSuccess) {
      Fail("Success", done);
    }
    request_bytes = request.message.size();
    response_bytes = response.size();
    update_bytes = update.message.size();
    success_bytes = success.size();
  }

  // With count_tam_heap, the peak of live heap during each TAM call
  // (ProcessConnect, QueryResponse, Success).
  bool count_tam_heap = false;
  int64_t tam_call_peak[3] = {};
  int tam_call = 0;
  void TamStart(Stopwatch& t) {
    if (count_tam_heap) ResetHeapPeak();
    t.Start();
  }
  void TamStop(Stopwatch& t) {
    t.Stop();
    if (count_tam_heap) tam_call_peak[tam_call] = HeapPeak();
    tam_call = (tam_call + 1) % 3;
  }

  [[noreturn]] void Fail(const char* after, const TamReply& reply) const {
    std::fprintf(stderr, "after the %s: TAM reply kind %d (%s); Agent: %s\n", after,
                 static_cast<int>(reply.kind), reply.reason.c_str(),
                 agent->last_exchange().detail.c_str());
    std::abort();
  }

  size_t request_bytes = 0, response_bytes = 0, update_bytes = 0, success_bytes = 0;
};

// How many versions a rig publishes before it is replaced by a fresh one
// (outside the timing). The stores keep every version, and MemoryTamStore
// looks the latest one up by scanning and copying all of them (SqliteStore
// reads one row through an index since 08ff1fe; before, it sorted every
// version of the component), so an ever-growing repository would make later
// iterations slower than earlier ones. A real repository holds a few
// versions per TC. Environment: BENCH_TAM_VERSIONS (default 16).
size_t VersionsPerRig() {
  static const size_t n = [] {
    const char* env = std::getenv("BENCH_TAM_VERSIONS");
    const long v = env != nullptr ? std::strtol(env, nullptr, 10) : 0;
    return v > 1 ? static_cast<size_t>(v) : size_t{16};
  }();
  return n;
}

void RunExchanges(benchmark::State& state, StoreKind kind, bool core_only) {
  auto rig = std::make_unique<Rig>(kind);
  Stopwatch tam_total, agent_total;
  for (auto _ : state) {
    if (rig->published >= VersionsPerRig()) {
      rig.reset();  // untimed, like everything outside the Stopwatches
      rig = std::make_unique<Rig>(kind);
    }
    rig->Publish();  // untimed: the repository's side, not the exchange
    Stopwatch tam, agent;
    rig->Exchange(tam, agent);
    state.SetIterationTime(core_only ? tam.wall : tam.wall + agent.wall);
    tam_total.wall += tam.wall;
    tam_total.cpu += tam.cpu;
    agent_total.wall += agent.wall;
    agent_total.cpu += agent.cpu;
  }
  const auto per_exchange_us = [](double seconds) {
    return benchmark::Counter(seconds * 1e6, benchmark::Counter::kAvgIterations);
  };
  state.counters["tam_wall_us"] = per_exchange_us(tam_total.wall);
  state.counters["tam_cpu_us"] = per_exchange_us(tam_total.cpu);
  state.counters["agent_cpu_us"] = per_exchange_us(agent_total.cpu);
  state.SetItemsProcessed(state.iterations());  // items_per_second = exchanges/s
  state.SetLabel(core_only ? "TAM calls only" : "whole exchange");

  if (kind == StoreKind::kMemory) {
    // Peak heap: once for the whole exchange, once per TAM call.
    rig->Publish();
    {
      Stopwatch t, a;
      ResetHeapPeak();
      rig->Exchange(t, a);
      state.counters["peak_heap_exchange"] = static_cast<double>(HeapPeak());
    }
    rig->Publish();
    {
      Stopwatch t, a;
      rig->count_tam_heap = true;
      rig->Exchange(t, a);
      rig->count_tam_heap = false;
      state.counters["peak_heap_connect"] = static_cast<double>(rig->tam_call_peak[0]);
      state.counters["peak_heap_query_response"] = static_cast<double>(rig->tam_call_peak[1]);
      state.counters["peak_heap_success"] = static_cast<double>(rig->tam_call_peak[2]);
    }
    state.counters["openssl_allocs_counted"] = OpenSslAllocationsCounted() ? 1 : 0;
  }
  state.counters["manifest_bytes"] = static_cast<double>(rig->manifest_bytes);
  state.counters["query_request_bytes"] = static_cast<double>(rig->request_bytes);
  state.counters["query_response_bytes"] = static_cast<double>(rig->response_bytes);
  state.counters["update_bytes"] = static_cast<double>(rig->update_bytes);
  state.counters["versions_per_rig"] = static_cast<double>(VersionsPerRig());
}

void BM_TamExchange_memory(benchmark::State& s) { RunExchanges(s, StoreKind::kMemory, false); }
void BM_TamExchange_sqlite_mem(benchmark::State& s) { RunExchanges(s, StoreKind::kSqliteMemory, false); }
void BM_TamExchange_sqlite_file(benchmark::State& s) { RunExchanges(s, StoreKind::kSqliteFile, false); }
void BM_TamCore_memory(benchmark::State& s) { RunExchanges(s, StoreKind::kMemory, true); }
void BM_TamCore_sqlite_mem(benchmark::State& s) { RunExchanges(s, StoreKind::kSqliteMemory, true); }
void BM_TamCore_sqlite_file(benchmark::State& s) { RunExchanges(s, StoreKind::kSqliteFile, true); }

// Names as BM_TamExchange/<store>.
const bool kRegistered = [] {
  const std::pair<const char*, void (*)(benchmark::State&)> all[] = {
      {"BM_TamExchange/memory", BM_TamExchange_memory},
      {"BM_TamExchange/sqlite_mem", BM_TamExchange_sqlite_mem},
      {"BM_TamExchange/sqlite_file", BM_TamExchange_sqlite_file},
      {"BM_TamCore/memory", BM_TamCore_memory},
      {"BM_TamCore/sqlite_mem", BM_TamCore_sqlite_mem},
      {"BM_TamCore/sqlite_file", BM_TamCore_sqlite_file},
  };
  for (const auto& [name, fn] : all) {
    benchmark::RegisterBenchmark(name, fn)->UseManualTime()->Unit(benchmark::kMicrosecond);
  }
  return true;
}();

// ---- crypto bound ------------------------------------------------------------------
// The argument is the input size in bytes: 512 stands for the TEEP messages
// and the EAT (a few hundred bytes; SHA-256 of a few hundred bytes more is
// about 1% of an ECDSA operation).

void BM_Es256Sign(benchmark::State& state) {
  const crypto::PrivateKey key = NewKey(crypto::KeyType::kP256);
  const Bytes input(static_cast<size_t>(state.range(0)), 0x5a);
  for (auto _ : state) {
    Bytes sig = Must(key.Sign(input));
    benchmark::DoNotOptimize(sig);
  }
}
BENCHMARK(BM_Es256Sign)->Arg(512)->Unit(benchmark::kMicrosecond);

void BM_Es256Verify(benchmark::State& state) {
  const crypto::PrivateKey key = NewKey(crypto::KeyType::kP256);
  const crypto::PublicKey pub = key.Public();
  const Bytes input(static_cast<size_t>(state.range(0)), 0x5a);
  const Bytes sig = Must(key.Sign(input));
  for (auto _ : state) {
    Status st = pub.Verify(input, sig);
    if (!st.ok()) std::abort();
    benchmark::DoNotOptimize(st);
  }
}
BENCHMARK(BM_Es256Verify)->Arg(512)->Unit(benchmark::kMicrosecond);

void BM_Ed25519Sign(benchmark::State& state) {
  const crypto::PrivateKey key = NewKey(crypto::KeyType::kEd25519);
  const Bytes input(static_cast<size_t>(state.range(0)), 0x5a);
  for (auto _ : state) {
    Bytes sig = Must(key.Sign(input));
    benchmark::DoNotOptimize(sig);
  }
}
BENCHMARK(BM_Ed25519Sign)->Arg(512)->Unit(benchmark::kMicrosecond);

// ---- work the TAM repeats that is not in the bound ----------------------------------

// The RFC 9679 thumbprint (COSE kid) of a signing key, from the key.
void BM_KidOfKey(benchmark::State& state) {
  const auto type = state.range(0) == 0 ? crypto::KeyType::kP256 : crypto::KeyType::kEd25519;
  const crypto::PrivateKey key = NewKey(type);
  for (auto _ : state) {
    auto kid = Must(cose::Thumbprint(key.Public()));
    benchmark::DoNotOptimize(kid);
  }
  state.SetLabel(state.range(0) == 0 ? "P-256" : "Ed25519");
}
BENCHMARK(BM_KidOfKey)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// Parsing a registered P-256 public key from its PEM text.
void BM_PublicKeyFromPem(benchmark::State& state) {
  const std::string pem = Must(NewKey(crypto::KeyType::kP256).Public().ToPem());
  for (auto _ : state) {
    auto key = Must(crypto::PublicKey::FromPem(pem));
    benchmark::DoNotOptimize(key);
  }
  ResetHeapPeak();
  { auto key = Must(crypto::PublicKey::FromPem(pem)); }
  state.counters["peak_heap_bytes"] = static_cast<double>(HeapPeak());
}
BENCHMARK(BM_PublicKeyFromPem)->Unit(benchmark::kMicrosecond);

// What PublicKey::FromPem is made of (raw OpenSSL): the PEM decoder ...
void BM_OpensslPemReadPubkey(benchmark::State& state) {
  const std::string pem = Must(NewKey(crypto::KeyType::kP256).Public().ToPem());
  for (auto _ : state) {
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    EVP_PKEY* pkey = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
    if (pkey == nullptr) std::abort();
    EVP_PKEY_free(pkey);
    BIO_free(bio);
  }
}
BENCHMARK(BM_OpensslPemReadPubkey)->Unit(benchmark::kMicrosecond);

// ... and the full public-key check of the decoded point.
void BM_OpensslEcPublicCheck(benchmark::State& state) {
  const std::string pem = Must(NewKey(crypto::KeyType::kP256).Public().ToPem());
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* pkey = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (pkey == nullptr) std::abort();
  for (auto _ : state) {
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr);
    if (ctx == nullptr || EVP_PKEY_public_check(ctx) != 1) std::abort();
    EVP_PKEY_CTX_free(ctx);
  }
  EVP_PKEY_free(pkey);
}
BENCHMARK(BM_OpensslEcPublicCheck)->Unit(benchmark::kMicrosecond);

// The same key from its coordinates (what a cached or differently stored
// key would cost to rebuild).
void BM_PublicKeyFromCoordinates(benchmark::State& state) {
  const crypto::PublicKey pub = NewKey(crypto::KeyType::kP256).Public();
  const Bytes x = pub.x(), y = pub.y();
  for (auto _ : state) {
    auto key = Must(crypto::PublicKey::FromCoordinates(crypto::KeyType::kP256, x, y));
    benchmark::DoNotOptimize(key);
  }
}
BENCHMARK(BM_PublicKeyFromCoordinates)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace teep::tam
