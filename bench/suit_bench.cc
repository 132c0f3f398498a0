// SUIT manifest processing (src/core/suit/processor.h): the Update procedure
// (authenticate, then dependency-resolution .. install, validate, record,
// commit) on
//   * the published TEEP Appendix E.2 envelope (integrated 20-byte TC), beside
//     the raw ES256 verification of its signature;
//   * a BuildEnvelope-made manifest with a 1 MiB integrated plaintext payload;
//   * the same 1 MiB payload encrypted with A128GCM (ECDH-ES + A128KW to the
//     device key, the ciphertext in parameter-content, TEEP E.3 shape),
// beside raw OpenSSL EVP SHA-256 and AES-128-GCM decryption of 1 MiB, in the
// same run. The 1 MiB Update should cost a small multiple of the hashing
// (and decryption) it must do; bytes_per_second is over the payload.
//
// Memory: global operator new/delete (and OpenSSL's allocator) are replaced
// by counting versions. Before the timing loop each 1 MiB benchmark runs one
// Update with counting on and reports the peak of live heap bytes allocated
// during it (`peak_heap_bytes`) and that over the payload size
// (`peak_heap_over_payload`). With MemoryStore the store's own copy of the
// component (the device's storage) is part of the peak; with ViewStore
// (below) it is not, so what remains is the processor's own overhead.
//
//   build/release/bench/bench_suit --benchmark_min_time=0.2
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <new>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "core/cbor/writer.h"
#include "core/cose/sign.h"
#include "core/crypto/crypto.h"
#include "core/suit/builder.h"
#include "core/suit/envelope.h"
#include "core/suit/memory_store.h"
#include "core/suit/processor.h"
#include "heap_counter.h"


namespace teep::suit {
namespace {

constexpr size_t kPayloadSize = 1 << 20;

Bytes Hex(std::string_view hex) {
  auto b = HexDecode(hex);
  if (!b) std::abort();
  return *b;
}

std::string ReadSpec(const std::string& relative) {
  std::ifstream in(std::string(TEEP_SPEC_DIR) + "/" + relative);
  if (!in) {
    std::fprintf(stderr, "cannot read %s/%s\n", TEEP_SPEC_DIR, relative.c_str());
    std::abort();
  }
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

template <typename T>
T Must(Result<T> r) {
  if (!r.ok()) {
    std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
    std::abort();
  }
  return std::move(r).value();
}

// The parameter of ComponentStore::PutManifest, whether it takes the record
// by const reference or by value, so that ViewStore overrides either.
template <typename M>
struct FirstParameter;
template <typename C, typename A>
struct FirstParameter<Status (C::*)(A)> {
  using type = A;
};
using RecordArg = FirstParameter<decltype(&ComponentStore::PutManifest)>::type;

// A store that keeps what a device would need to answer Size and Read, but
// holds no copy of bytes handed over by reference: Write keeps a view (the
// caller's buffer, here the envelope, outlives the run), WriteOwned keeps the
// buffer it is given (moved, not copied). With it the heap peak during an
// Update is the processor's own overhead. Bench-only: a real store must copy
// in Write (component_store.h).
class ViewStore final : public ComponentStore {
 public:
  Result<std::optional<uint64_t>> Size(ByteView component) override {
    const Entry* e = Find(component);
    if (e == nullptr) return std::optional<uint64_t>();
    return std::optional<uint64_t>(e->view.size());
  }
  Status Read(ByteView component, const std::function<Status(ByteView)>& sink) override {
    const Entry* e = Find(component);
    if (e == nullptr) return Status(StatusCode::kNotFound, "no such component");
    return sink(e->view);
  }
  Status Write(ByteView component, ByteView data) override {
    staged_[ToBytes(component)] = Entry{data, nullptr};
    return OkStatus();
  }
  Status WriteOwned(ByteView component, Bytes data) override {
    auto owned = std::make_shared<const Bytes>(std::move(data));
    staged_[ToBytes(component)] = Entry{ByteView(*owned), owned};
    return OkStatus();
  }
  Status Copy(ByteView destination, ByteView source) override {
    const Entry* e = Find(source);
    if (e == nullptr) return Status(StatusCode::kNotFound, "no such component");
    Entry copy = *e;
    staged_[ToBytes(destination)] = std::move(copy);
    return OkStatus();
  }
  Status Swap(ByteView a, ByteView b) override {
    const Entry* ea = Find(a);
    const Entry* eb = Find(b);
    if (ea == nullptr || eb == nullptr) return Status(StatusCode::kNotFound, "no such component");
    Entry ca = *ea, cb = *eb;
    staged_[ToBytes(a)] = std::move(cb);
    staged_[ToBytes(b)] = std::move(ca);
    return OkStatus();
  }
  Status Remove(ByteView component) override {
    staged_[ToBytes(component)] = std::nullopt;
    return OkStatus();
  }
  Result<std::optional<ManifestRecord>> FindManifest(ByteView id) override {
    auto it = manifests_.find(ToBytes(id));
    if (it == manifests_.end()) return std::optional<ManifestRecord>();
    return std::optional<ManifestRecord>(it->second);
  }
  Status PutManifest(RecordArg record) override {
    Bytes id = record.manifest_id;
    manifests_.insert_or_assign(std::move(id), std::move(record));  // a copy if RecordArg is const&
    return OkStatus();
  }
  Status RemoveManifest(ByteView id) override {
    manifests_.erase(ToBytes(id));
    return OkStatus();
  }
  Result<std::vector<ManifestRecord>> ListManifests() override {
    std::vector<ManifestRecord> out;
    for (const auto& [id, record] : manifests_) out.push_back(record);
    return out;
  }
  Result<std::optional<uint64_t>> HighestSequence(ByteView id) override {
    auto it = sequences_.find(ToBytes(id));
    if (it == sequences_.end()) return std::optional<uint64_t>();
    return std::optional<uint64_t>(it->second);
  }
  Status RaiseSequence(ByteView id, uint64_t sequence) override {
    sequences_[ToBytes(id)] = sequence;
    return OkStatus();
  }
  // Manifests and sequences are not transactional here: the benchmarks
  // only run successful updates.
  Status Commit() override {
    for (auto& [key, entry] : staged_) {
      if (entry) {
        committed_[key] = std::move(*entry);
      } else {
        committed_.erase(key);
      }
    }
    staged_.clear();
    return OkStatus();
  }
  void Discard() override { staged_.clear(); }

 private:
  struct Entry {
    ByteView view;
    std::shared_ptr<const Bytes> owned;
  };
  const Entry* Find(ByteView component) const {
    const Bytes key = ToBytes(component);
    if (auto it = staged_.find(key); it != staged_.end()) return it->second ? &*it->second : nullptr;
    if (auto it = committed_.find(key); it != committed_.end()) return &it->second;
    return nullptr;
  }
  std::map<Bytes, std::optional<Entry>> staged_;
  std::map<Bytes, Entry> committed_;
  std::map<Bytes, ManifestRecord> manifests_;
  std::map<Bytes, uint64_t> sequences_;
};

// ---- fixtures ------------------------------------------------------------------------

const Bytes kTeepVendor = Hex("c0ddd5f15243566087db4f5b0aa26c2f");
const Bytes kTeepClass = Hex("db42f7093d8c55baa8c5265fc5820f4e");

// TEEP Appendix E.2 (../shared/spec/teep/vectors) and its signer.
struct E2Fixture {
  Bytes envelope;
  std::vector<crypto::PublicKey> anchors;
  Bytes tbs;        // the Sig_structure the COSE_Sign1 signs
  Bytes signature;  // r || s

  E2Fixture() {
    envelope = Hex(ReadSpec("teep/vectors/e2-suit-integrated.hex"));
    anchors.push_back(Must(crypto::PublicKey::FromPem(
        ReadSpec("teep/vectors/keys/appE-suit-signer-p256.pub.pem"))));
    // RFC 9052 §4.4 ["Signature1", protected, h'', SUIT_Digest], the payload
    // being detached (manifest-37 §8.3): the raw verification's input.
    Envelope e = Must(DecodeEnvelope(envelope));
    cose::Sign1Message sign1 = Must(cose::DecodeSign1(e.auth_blocks.at(0)));
    cbor::Writer w;
    w.BeginArray(4);
    w.WriteText("Signature1");
    w.WriteBytes(sign1.headers.protected_bytes);
    w.WriteBytes({});
    w.WriteBytes(e.digest);
    tbs = Must(std::move(w).Finish());
    signature = ToBytes(sign1.signature);
    if (!anchors[0].Verify(tbs, signature).ok()) std::abort();
  }
};

const E2Fixture& E2() {
  static const E2Fixture* f = new E2Fixture();
  return *f;
}

// 1 MiB TC, plain (integrated "#tc") or A128GCM-encrypted to the device key.
struct BigFixture {
  crypto::PrivateKey signer = Must(crypto::PrivateKey::Generate(crypto::KeyType::kP256));
  crypto::PrivateKey device = Must(crypto::PrivateKey::Generate(crypto::KeyType::kP256));
  std::vector<crypto::PublicKey> anchors;
  Bytes payload;
  Bytes plain;
  Bytes encrypted;

  BigFixture() {
    anchors.push_back(signer.Public());
    payload.resize(kPayloadSize);
    uint32_t x = 0x12345678;  // xorshift: incompressible, deterministic
    for (auto& b : payload) {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      b = static_cast<uint8_t>(x);
    }
    ManifestSpec spec;
    spec.sequence_number = 1;
    spec.component_id = {ToBytes(AsBytes("TEEP-Device")), ToBytes(AsBytes("big-tc"))};
    spec.vendor_id = kTeepVendor;
    spec.class_id = kTeepClass;
    spec.payload = payload;
    plain = Must(BuildEnvelope(spec, signer));
    crypto::PublicKey device_public = device.Public();
    spec.encryption = PayloadEncryption{&device_public, {}, 1};  // A128GCM
    encrypted = Must(BuildEnvelope(spec, signer));
  }
};

const BigFixture& Big() {
  static const BigFixture* f = new BigFixture();
  return *f;
}

Platform MakePlatform(ComponentStore* store, std::span<const crypto::PublicKey> anchors,
                      const crypto::PrivateKey* device) {
  Platform p;
  p.store = store;
  p.trust_anchors.keys = anchors;
  p.vendor_ids = {kTeepVendor};
  p.class_ids = {kTeepClass};
  if (device != nullptr) p.decryption_keys.push_back(cose::EcdhKey{device, {}, {}});
  return p;
}

template <typename Store>
void UpdateOnce(ByteView envelope, std::span<const crypto::PublicKey> anchors,
                const crypto::PrivateKey* device) {
  Store store;
  Platform platform = MakePlatform(&store, anchors, device);
  Outcome outcome = Update(envelope, platform);
  if (!outcome.ok()) {
    std::fprintf(stderr, "update failed: %s\n", outcome.status.ToString().c_str());
    std::abort();
  }
  benchmark::DoNotOptimize(outcome);
}

// Peak heap during one Update into a fresh store (the store's construction
// is counted, its destruction after the peak is irrelevant).
template <typename Store>
int64_t PeakHeap(ByteView envelope, std::span<const crypto::PublicKey> anchors,
                 const crypto::PrivateKey* device) {
  ResetHeapPeak();
  UpdateOnce<Store>(envelope, anchors, device);
  return HeapPeak();
}

// ---- benchmarks ----------------------------------------------------------------------

void BM_Update_TeepE2(benchmark::State& state) {
  const E2Fixture& f = E2();
  for (auto _ : state) UpdateOnce<MemoryStore>(f.envelope, f.anchors, nullptr);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * f.envelope.size()));
  state.counters["envelope_bytes"] = static_cast<double>(f.envelope.size());
  state.counters["peak_heap_bytes"] =
      static_cast<double>(PeakHeap<MemoryStore>(f.envelope, f.anchors, nullptr));
}
BENCHMARK(BM_Update_TeepE2)->Unit(benchmark::kMicrosecond);

// The public-key operation alone: ES256 verification of e2's Sig_structure.
void BM_Raw_Es256Verify_TeepE2(benchmark::State& state) {
  const E2Fixture& f = E2();
  for (auto _ : state) {
    Status st = f.anchors[0].Verify(f.tbs, f.signature);
    if (!st.ok()) std::abort();
    benchmark::DoNotOptimize(st);
  }
}
BENCHMARK(BM_Raw_Es256Verify_TeepE2)->Unit(benchmark::kMicrosecond);

template <typename Store>
void Update1MiB(benchmark::State& state, bool encrypted, const char* label) {
  const BigFixture& f = Big();
  const Bytes& envelope = encrypted ? f.encrypted : f.plain;
  const crypto::PrivateKey* device = encrypted ? &f.device : nullptr;
  const int64_t peak = PeakHeap<Store>(envelope, f.anchors, device);
  for (auto _ : state) UpdateOnce<Store>(envelope, f.anchors, device);
  state.SetLabel(label);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kPayloadSize));
  state.counters["envelope_bytes"] = static_cast<double>(envelope.size());
  state.counters["peak_heap_bytes"] = static_cast<double>(peak);
  state.counters["peak_heap_over_payload"] = static_cast<double>(peak) / kPayloadSize;
  state.counters["openssl_allocs_counted"] = OpenSslAllocationsCounted() ? 1 : 0;
}

void BM_Update_1MiB_Plain(benchmark::State& state) {
  Update1MiB<MemoryStore>(state, false, "MemoryStore");
}
void BM_Update_1MiB_Plain_ViewStore(benchmark::State& state) {
  Update1MiB<ViewStore>(state, false, "ViewStore");
}
void BM_Update_1MiB_A128GCM(benchmark::State& state) {
  Update1MiB<MemoryStore>(state, true, "MemoryStore");
}
void BM_Update_1MiB_A128GCM_ViewStore(benchmark::State& state) {
  Update1MiB<ViewStore>(state, true, "ViewStore");
}
BENCHMARK(BM_Update_1MiB_Plain)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Update_1MiB_Plain_ViewStore)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Update_1MiB_A128GCM)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Update_1MiB_A128GCM_ViewStore)->Unit(benchmark::kMicrosecond);

// ---- raw OpenSSL baselines over the same 1 MiB ------------------------------------------

struct EvpMdDeleter {
  void operator()(EVP_MD* m) const { EVP_MD_free(m); }
};
struct EvpMdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct EvpCipherDeleter {
  void operator()(EVP_CIPHER* c) const { EVP_CIPHER_free(c); }
};
struct EvpCipherCtxDeleter {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};

void BM_Raw_Sha256_1MiB(benchmark::State& state) {
  const Bytes& payload = Big().payload;
  std::unique_ptr<EVP_MD, EvpMdDeleter> md(EVP_MD_fetch(nullptr, "SHA256", nullptr));
  std::unique_ptr<EVP_MD_CTX, EvpMdCtxDeleter> ctx(EVP_MD_CTX_new());
  uint8_t digest[32];
  for (auto _ : state) {
    unsigned len = 0;
    if (EVP_DigestInit_ex(ctx.get(), md.get(), nullptr) != 1 ||
        EVP_DigestUpdate(ctx.get(), payload.data(), payload.size()) != 1 ||
        EVP_DigestFinal_ex(ctx.get(), digest, &len) != 1) {
      std::abort();
    }
    benchmark::DoNotOptimize(digest);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kPayloadSize));
}
BENCHMARK(BM_Raw_Sha256_1MiB)->Unit(benchmark::kMicrosecond);

void BM_Raw_Aes128GcmDecrypt_1MiB(benchmark::State& state) {
  const Bytes& payload = Big().payload;
  std::unique_ptr<EVP_CIPHER, EvpCipherDeleter> cipher(
      EVP_CIPHER_fetch(nullptr, "AES-128-GCM", nullptr));
  std::unique_ptr<EVP_CIPHER_CTX, EvpCipherCtxDeleter> ctx(EVP_CIPHER_CTX_new());
  const uint8_t key[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  const uint8_t iv[12] = {0};
  Bytes ciphertext(payload.size());
  uint8_t tag[16];
  int n = 0;
  if (EVP_EncryptInit_ex(ctx.get(), cipher.get(), nullptr, key, iv) != 1 ||
      EVP_EncryptUpdate(ctx.get(), ciphertext.data(), &n, payload.data(),
                        static_cast<int>(payload.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), ciphertext.data() + n, &n) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, 16, tag) != 1) {
    std::abort();
  }
  Bytes plaintext(payload.size());  // allocated once: only the cipher is timed
  for (auto _ : state) {
    if (EVP_DecryptInit_ex(ctx.get(), cipher.get(), nullptr, key, iv) != 1 ||
        EVP_DecryptUpdate(ctx.get(), plaintext.data(), &n, ciphertext.data(),
                          static_cast<int>(ciphertext.size())) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, 16, tag) != 1 ||
        EVP_DecryptFinal_ex(ctx.get(), plaintext.data() + n, &n) != 1) {
      std::abort();
    }
    benchmark::DoNotOptimize(plaintext.data());
  }
  if (plaintext != payload) std::abort();
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kPayloadSize));
}
BENCHMARK(BM_Raw_Aes128GcmDecrypt_1MiB)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace teep::suit
