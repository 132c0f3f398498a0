// TEEP Agent core (src/core/agent): Agent::ProcessTeepMessage, TAM message
// in, signed reply out, over the in-memory SUIT store and state storage, for
//   * BM_AgentQueryRequest: a QueryRequest (COSE_Sign1 ESP256 from the TAM)
//     with a challenge and data-item-requested = attestation |
//     trusted-components, one TC installed. Crypto it must do: verify the
//     request, sign the Evidence (EAT), sign the QueryResponse = 1 verify +
//     2 signs;
//   * BM_AgentUpdateE2Sized: an Update carrying one manifest of TEEP
//     Appendix E.2's size (20-byte integrated TC). Crypto: verify the TEEP
//     message, verify the SUIT manifest, sign the Success = 2 verifies +
//     1 sign;
// beside BM_Es256Sign / BM_Es256Verify (crypto::PrivateKey::Sign /
// PublicKey::Verify on P-256) of inputs of the same sizes, in the same run,
// so each Agent figure is stated as a ratio to its crypto bound, and
// BM_KidOfKey, the signer thumbprint each signature recomputes today (most
// of what the Agent spends above that bound; docs/performance.md).
//
// Memory: bench/heap_counter (shared with suit_bench.cc) replaces global
// operator new/delete and OpenSSL's allocator by counting versions. Each
// Agent benchmark runs one more ProcessTeepMessage with counting on and
// reports the peak of live heap bytes allocated during it
// (`peak_heap_bytes`); the input message is allocated before and excluded,
// the reply is included.
//
//   build/release/bench/bench_agent --benchmark_min_time=0.5 --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "core/agent/agent.h"
#include "core/agent/agent_state.h"
#include "core/cose/key.h"
#include "core/crypto/crypto.h"
#include "core/suit/builder.h"
#include "core/suit/memory_store.h"
#include "core/teep/codec.h"
#include "core/teep/signing.h"
#include "heap_counter.h"


namespace teep::agent {
namespace {

template <typename T>
T Must(Result<T> r) {
  if (!r.ok()) {
    std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
    std::abort();
  }
  return std::move(r).value();
}

Bytes Hex(std::string_view hex) {
  auto b = HexDecode(hex);
  if (!b) std::abort();
  return *b;
}

Bytes Str(std::string_view s) { return Bytes(s.begin(), s.end()); }

crypto::PrivateKey NewP256() { return Must(crypto::PrivateKey::Generate(crypto::KeyType::kP256)); }

// TEEP Appendix E.1/E.2: the TC's component id, manifest id, vendor, class
// and 20-byte image.
const Bytes kTcUuid = Hex("8d82573a926d4754935332dc29997f74");
const Bytes kVendor = Hex("c0ddd5f15243566087db4f5b0aa26c2f");
const Bytes kClass = Hex("db42f7093d8c55baa8c5265fc5820f4e");
constexpr std::string_view kTcImage = "Hello, Secure World!";

// One TAM (P-256), one TC signer, and an Agent (P-256 TEEP key, separate
// attestation key) over a MemoryStore and MemoryStateStorage: the set-up of
// tests/agent/agent_fixture.cc minus what these two messages do not use
// (second TAM suite, fetcher, payload decryption key).
struct AgentRig {
  crypto::PrivateKey tam_key = NewP256();
  crypto::PrivateKey tc_signer = NewP256();
  crypto::PrivateKey agent_key = NewP256();
  crypto::PrivateKey attest_key = NewP256();
  std::vector<crypto::PublicKey> signer_anchors{tc_signer.Public()};
  AgentConfig config;
  std::unique_ptr<suit::MemoryStore> store;
  std::unique_ptr<MemoryStateStorage> storage;
  std::unique_ptr<Agent> agent;

  AgentRig() {
    config.teep_key = &agent_key;
    config.attestation_key = &attest_key;
    config.identity.ueid = Hex("0198f50a4ff6c05861c8860d13a638ea4fe2fa");
    config.identity.oemid = eat::OemidIeee{0x89, 0x48, 0x23};
    config.identity.hwmodel = Hex("549dcecc8b987c737b44e40f7c635ce8");
    config.identity.hwversion = eat::HwVersion{"1.3.4", 1};
    config.identity.dbgstat = eat::DebugStatus::kDisabledPermanently;
    config.identity.agent_digest =
        Hex("822f5820a7fd6593eac32eb4be578278e6540c5c09cfd7d4d234973054833b2b93030609");
    config.tams.push_back({"https://tam.example/tam", tam_key.Public()});
    config.suit.trust_anchors.keys = signer_anchors;
    config.suit.vendor_ids = {kVendor};
    config.suit.class_ids = {kClass};
    Restart();
  }

  // A factory-fresh device: empty store, no saved state, new Agent.
  void Restart() {
    agent.reset();
    store = std::make_unique<suit::MemoryStore>();
    storage = std::make_unique<MemoryStateStorage>();
    config.suit.store = store.get();
    agent = Must(Agent::Create(config, *storage));
  }

  // What the TAM sends: tagged COSE_Sign1 with ESP256 ([[18, -9]]).
  Bytes FromTam(const msg::Message& message) const {
    return Must(msg::SignMessage(Must(msg::EncodeMessage(message)), tam_key,
                                 msg::SuiteSign1Esp256()));
  }

  // An E.2-shaped envelope (BuildEnvelope also emits a validate section,
  // which E.2 lacks; its size is reported as `manifest_bytes`).
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

  // A signed Update with a fresh token (the Agent declines a replayed one).
  Bytes UpdateWith(Bytes manifest) const {
    msg::Update u;
    Bytes token(16);
    if (!crypto::RandomBytes(token).ok()) std::abort();
    u.token = std::move(token);
    u.manifest_list = std::vector<Bytes>{std::move(manifest)};
    return FromTam(u);
  }

  // Runs the Agent and checks, cheaply, that it answered with `expected`
  // (the reply itself is verified once, in the fixtures' constructors).
  Bytes Process(ByteView message, msg::MessageType expected) {
    Bytes reply = Must(agent->ProcessTeepMessage(message));
    if (agent->last_exchange().sent != expected) {
      std::fprintf(stderr, "unexpected reply: %s\n", agent->last_exchange().detail.c_str());
      std::abort();
    }
    return reply;
  }

  // The reply as the TAM reads it: verified with the Agent's key, decoded.
  msg::Message Open(ByteView reply) const {
    const msg::TrustAnchor anchors[] = {Must(msg::TrustAnchor::Make("agent", agent_key.Public()))};
    return Must(msg::VerifyAndDecode(reply, anchors)).message;
  }
};

// ---- QueryRequest -------------------------------------------------------------------

struct QueryFixture {
  AgentRig rig;
  Bytes request;
  Bytes reply;  // one reply, for the sizes of the crypto baselines

  QueryFixture() {
    rig.Process(rig.UpdateWith(rig.Manifest(1)), msg::MessageType::kSuccess);  // one TC
    msg::QueryRequest q;
    q.token = Hex("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");
    q.challenge = Hex("0102030405060708090a0b0c0d0e0f10");
    q.supported_freshness_mechanisms = std::vector<uint64_t>{msg::kFreshnessNonce};
    q.supported_teep_cipher_suites = {msg::SuiteSign1Esp256()};
    q.supported_suit_cose_profiles = msg::MandatorySuitCoseProfiles();
    q.data_item_requested = msg::kDataItemAttestation | msg::kDataItemTrustedComponents;
    request = rig.FromTam(q);
    reply = rig.Process(request, msg::MessageType::kQueryResponse);
    // The work measured must be the full one: Evidence and a one-entry tc-list.
    const msg::Message m = rig.Open(reply);
    const auto* r = std::get_if<msg::QueryResponse>(&m);
    if (r == nullptr || !r->attestation_payload || !r->tc_list || r->tc_list->size() != 1) {
      std::abort();
    }
  }
};

QueryFixture& Query() {
  static QueryFixture* f = new QueryFixture();
  return *f;
}

// The same QueryRequest every iteration is legitimate: answering one does not
// change the Agent's state (no pending requests to prune).
void BM_AgentQueryRequest(benchmark::State& state) {
  QueryFixture& f = Query();
  for (auto _ : state) {
    Bytes reply = f.rig.Process(f.request, msg::MessageType::kQueryResponse);
    benchmark::DoNotOptimize(reply);
  }
  ResetHeapPeak();
  { Bytes reply = f.rig.Process(f.request, msg::MessageType::kQueryResponse); }
  state.counters["peak_heap_bytes"] = static_cast<double>(HeapPeak());
  state.counters["request_bytes"] = static_cast<double>(f.request.size());
  state.counters["reply_bytes"] = static_cast<double>(f.reply.size());
  state.counters["openssl_allocs_counted"] = OpenSslAllocationsCounted() ? 1 : 0;
}
BENCHMARK(BM_AgentQueryRequest)->Unit(benchmark::kMicrosecond);

// ---- Update with one E.2-sized manifest -------------------------------------------------

// Replaying one Update would be declined (token) and re-running one manifest
// refused or a no-op (sequence number), so a pool of distinct Updates with
// rising sequence numbers (1..kPool) is signed up front, outside the timing.
// Each iteration replaces the installed TC with the next version, the steady
// state of a device. When the pool runs out, the device is reset (fresh
// store and Agent) under PauseTiming, once every kPool iterations, and the
// pool starts again at sequence 1.
constexpr size_t kPool = 1000;

struct UpdateFixture {
  AgentRig rig;
  std::vector<Bytes> updates;
  size_t next = 0;
  size_t manifest_bytes = 0;

  UpdateFixture() {
    for (uint64_t seq = 1; seq <= kPool; ++seq) {
      Bytes manifest = rig.Manifest(seq);
      manifest_bytes = manifest.size();
      updates.push_back(rig.UpdateWith(std::move(manifest)));
    }
    // Check the reply of one for real, then start over.
    const msg::Message m = rig.Open(Run());
    const auto* s = std::get_if<msg::Success>(&m);
    if (s == nullptr || !s->suit_reports || s->suit_reports->size() != 1) std::abort();
  }

  bool Exhausted() const { return next == updates.size(); }
  void Reset() {
    rig.Restart();
    next = 0;
  }
  Bytes Run() { return rig.Process(updates[next++], msg::MessageType::kSuccess); }
};

UpdateFixture& Updates() {
  static UpdateFixture* f = new UpdateFixture();
  return *f;
}

void BM_AgentUpdateE2Sized(benchmark::State& state) {
  UpdateFixture& f = Updates();
  for (auto _ : state) {
    if (f.Exhausted()) {
      state.PauseTiming();
      f.Reset();
      state.ResumeTiming();
    }
    Bytes reply = f.Run();
    benchmark::DoNotOptimize(reply);
  }
  if (f.Exhausted()) f.Reset();
  ResetHeapPeak();
  { Bytes reply = f.Run(); }  // a replacement, as in the loop (sequence > 1 unless just reset)
  state.counters["peak_heap_bytes"] = static_cast<double>(HeapPeak());
  state.counters["request_bytes"] = static_cast<double>(f.updates[0].size());
  state.counters["manifest_bytes"] = static_cast<double>(f.manifest_bytes);
  state.counters["openssl_allocs_counted"] = OpenSslAllocationsCounted() ? 1 : 0;
}
BENCHMARK(BM_AgentUpdateE2Sized)->Unit(benchmark::kMicrosecond);

// ---- crypto bound: ES256 (P-256, raw r||s) sign and verify --------------------------
// The argument is the input size in bytes. SHA-256 of a few hundred bytes is
// about 1% of an ECDSA operation, so the sizes bracket what the Agent signs
// and verifies (a Sig_structure over a 32-byte SUIT digest ~ 64, TEEP
// messages and the EAT a few hundred).

void BM_Es256Sign(benchmark::State& state) {
  const crypto::PrivateKey key = NewP256();
  const Bytes input(static_cast<size_t>(state.range(0)), 0x5a);
  for (auto _ : state) {
    Bytes sig = Must(key.Sign(input));
    benchmark::DoNotOptimize(sig);
  }
}
BENCHMARK(BM_Es256Sign)->Arg(64)->Arg(512)->Unit(benchmark::kMicrosecond);

void BM_Es256Verify(benchmark::State& state) {
  const crypto::PrivateKey key = NewP256();
  const crypto::PublicKey pub = key.Public();
  const Bytes input(static_cast<size_t>(state.range(0)), 0x5a);
  const Bytes sig = Must(key.Sign(input));
  for (auto _ : state) {
    Status st = pub.Verify(input, sig);
    if (!st.ok()) std::abort();
    benchmark::DoNotOptimize(st);
  }
}
BENCHMARK(BM_Es256Verify)->Arg(64)->Arg(512)->Unit(benchmark::kMicrosecond);

// Not part of the crypto bound, but done once per signature today: the
// signer's RFC 9679 thumbprint for the kid header, recomputed from the key
// (msg::SignMessage and eat::SignEvidence call cose::Thumbprint(key.Public())).
void BM_KidOfKey(benchmark::State& state) {
  const crypto::PrivateKey key = NewP256();
  for (auto _ : state) {
    auto kid = Must(cose::Thumbprint(key.Public()));
    benchmark::DoNotOptimize(kid);
  }
}
BENCHMARK(BM_KidOfKey)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace teep::agent
