// TEEP message layer benchmarks (src/core/teep): decode+validate and encode of
// each published message type, and decode+verify of a signed Update carrying
// one 400-byte manifest beside the raw signature verification of the same
// bytes (ESP256 and Ed25519). The ratio DecodeVerify / RawVerify is the cost
// of everything but the public-key operation. No timed asserts (DESIGN.md).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string_view>
#include <vector>

#include "core/cbor/reader.h"
#include "core/cbor/writer.h"
#include "core/cose/sign.h"
#include "core/teep/codec.h"
#include "core/teep/signing.h"

namespace teep::msg {
namespace {

// draft-ietf-teep-protocol-26 Appendix D (../shared/spec/teep/vectors).
constexpr std::string_view kD1 =
    "8501a21350a0a1a2a3a4a5a6a7a8a9aaabacadaeaf03810082818212288182123284842f28381c39fffd842f"
    "32381c39fffd842f28381c01842f32381c181803";
constexpr std::string_view kD3 =
    "8202a41350a0a1a2a3a4a5a6a7a8a9aaabacadaeaf050006400781a200814f0102030405060708090a0b0c0d"
    "0e0f035824822f5820a7fd6593eac32eb4be578278e6540c5c09cfd7d4d234973054833b2b93030609";
constexpr std::string_view kD4 =
    "8203a21350a0a1a2a3a4a5a6a7a8a9aaabacadaeaf098159014ea2025873825824822f5820db601ade73092b"
    "58532ca03fbb663de49532435336f1558b49bb622726a2fedd584ad28443a10126a0f658405b2d535a2b6d5e"
    "3c585c1074f414da9e10bd285c99a33916dade3ed38812504817ac48b62b8e984ec622785bd1c411888be531"
    "b1b594507816b201f6f28579a40358d4a401010203035884a20281844b544545502d44657669636548536563"
    "7572654653508d82573a926d4754935332dc29997f744274610458548614a40150c0ddd5f15243566087db4f"
    "5b0aa26c2f0250db42f7093d8c55baa8c5265fc5820f4e035824822f58208cf71ac86af31be184ec7a05a411"
    "a8c3a14fd9b77a30d046397481469468ece80e14010f020f0958458614a115783b68747470733a2f2f657861"
    "6d706c652e6f72672f38643832353733612d393236642d343735342d393335332d3332646332393939376637"
    "342e7461150f030f";
constexpr std::string_view kD5 =
    "8204a11350a0a1a2a3a4a5a6a7a8a9aaabacadaeaf";
constexpr std::string_view kD6 =
    "8305a21350a0a1a2a3a4a5a6a7a8a9aaabacadaeaf0b696469736b2d66756c6c0b";

Bytes Hex(std::string_view hex) {
  auto b = HexDecode(hex);
  if (!b) std::abort();
  return *b;
}

const Bytes& VectorFor(int index) {
  static const std::vector<Bytes> kVectors = {Hex(kD1), Hex(kD3), Hex(kD4), Hex(kD5), Hex(kD6)};
  return kVectors[index];
}
constexpr const char* kNames[] = {"QueryRequest/d1", "QueryResponse/d3", "Update/d4",
                                  "Success/d5", "Error/d6"};

void BM_DecodeValidate(benchmark::State& state) {
  const Bytes& bytes = VectorFor(static_cast<int>(state.range(0)));
  state.SetLabel(kNames[state.range(0)]);
  for (auto _ : state) {
    auto m = DecodeMessage(bytes);
    if (!m.ok()) std::abort();
    benchmark::DoNotOptimize(m);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes.size()));
}
BENCHMARK(BM_DecodeValidate)->DenseRange(0, 4);

void BM_Encode(benchmark::State& state) {
  const auto m = DecodeMessage(VectorFor(static_cast<int>(state.range(0))));
  if (!m.ok()) std::abort();
  state.SetLabel(kNames[state.range(0)]);
  for (auto _ : state) {
    auto out = EncodeMessage(*m);
    if (!out.ok()) std::abort();
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_Encode)->DenseRange(0, 4);

void BM_Lint(benchmark::State& state) {
  const Bytes& bytes = VectorFor(2);
  for (auto _ : state) {
    auto findings = LintMessage(bytes);
    benchmark::DoNotOptimize(findings);
  }
}
BENCHMARK(BM_Lint);

// ---- signed Update with one 400-byte manifest -------------------------------------

// A SUIT_Envelope-shaped item of exactly 400 bytes: {2: bstr(64), 3: bstr(328)}.
Bytes Manifest400() {
  cbor::Writer w;
  w.BeginMap(2);
  w.WriteUint(2);
  w.WriteBytes(Bytes(64, 0x5a));
  w.WriteUint(3);
  w.WriteBytes(Bytes(328, 0xa5));
  auto out = std::move(w).Finish();
  if (!out.ok() || out->size() != 400) std::abort();
  return *out;
}

struct SignedFixture {
  crypto::PrivateKey key;
  std::vector<TrustAnchor> anchors;
  Bytes signed_update;
  // For the raw verification: the Sig_structure and the signature.
  Bytes tbs;
  Bytes signature;

  explicit SignedFixture(crypto::KeyType type)
      : key(std::move(crypto::PrivateKey::Generate(type)).value()) {
    Update u;
    u.token = Hex("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");
    u.manifest_list = std::vector<Bytes>{Manifest400()};
    auto message = EncodeMessage(u);
    auto anchor = TrustAnchor::Make("tam", key.Public());
    auto suite = SuiteForKeyType(type);
    if (!message.ok() || !anchor.ok() || !suite) std::abort();
    anchors.push_back(std::move(anchor).value());
    auto s = SignMessage(*message, key, *suite);
    if (!s.ok()) std::abort();
    signed_update = *s;
    // RFC 9052 §4.4 Sig_structure = ["Signature1", protected, h'', payload],
    // built here directly so that RawVerify is only the public-key operation.
    auto sign1 = cose::DecodeSign1(signed_update);
    if (!sign1.ok()) std::abort();
    cbor::Writer w;
    w.BeginArray(4);
    w.WriteText("Signature1");
    w.WriteBytes(sign1->headers.protected_bytes);
    w.WriteBytes({});
    w.WriteBytes(*sign1->payload);
    auto t = std::move(w).Finish();
    if (!t.ok()) std::abort();
    tbs = *t;
    signature = ToBytes(sign1->signature);
    if (!anchors[0].key.Verify(tbs, signature).ok()) std::abort();
  }
};

const SignedFixture& Fixture(int which) {
  static const SignedFixture kEsp256(crypto::KeyType::kP256);
  static const SignedFixture kEd25519(crypto::KeyType::kEd25519);
  return which == 0 ? kEsp256 : kEd25519;
}

void BM_DecodeVerifyUpdate(benchmark::State& state) {
  const SignedFixture& f = Fixture(static_cast<int>(state.range(0)));
  state.SetLabel(state.range(0) == 0 ? "ESP256" : "Ed25519");
  for (auto _ : state) {
    auto vm = VerifyAndDecode(f.signed_update, f.anchors);
    if (!vm.ok()) std::abort();
    benchmark::DoNotOptimize(vm);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * f.signed_update.size()));
}
BENCHMARK(BM_DecodeVerifyUpdate)->Arg(0)->Arg(1);

void BM_RawVerifyUpdate(benchmark::State& state) {
  const SignedFixture& f = Fixture(static_cast<int>(state.range(0)));
  state.SetLabel(state.range(0) == 0 ? "ESP256" : "Ed25519");
  for (auto _ : state) {
    Status st = f.anchors[0].key.Verify(f.tbs, f.signature);
    if (!st.ok()) std::abort();
    benchmark::DoNotOptimize(st);
  }
}
BENCHMARK(BM_RawVerifyUpdate)->Arg(0)->Arg(1);

// Everything VerifyAndDecode does except the public-key operation: check
// and identify the COSE structure, decode the COSE_Sign1, rebuild the
// Sig_structure, decode and validate the TEEP message. Measured directly
// because DecodeVerify - RawVerify is a small difference of two noisy numbers.
void BM_VerifyPathWithoutKeyOp(benchmark::State& state) {
  const SignedFixture& f = Fixture(static_cast<int>(state.range(0)));
  state.SetLabel(state.range(0) == 0 ? "ESP256" : "Ed25519");
  for (auto _ : state) {
    cbor::Reader r = cbor::Reader::Open(f.signed_update, cbor::RelaxedOptions());
    if (!r.ok() || !r.PeekTag()) std::abort();
    auto sign1 = cose::DecodeSign1(f.signed_update);
    if (!sign1.ok()) std::abort();
    cbor::Writer w;
    w.BeginArray(4);
    w.WriteText("Signature1");
    w.WriteBytes(sign1->headers.protected_bytes);
    w.WriteBytes({});
    w.WriteBytes(*sign1->payload);
    auto tbs = std::move(w).Finish();
    auto m = DecodeMessage(*sign1->payload);
    if (!tbs.ok() || !m.ok()) std::abort();
    benchmark::DoNotOptimize(tbs);
    benchmark::DoNotOptimize(m);
  }
}
BENCHMARK(BM_VerifyPathWithoutKeyOp)->Arg(0)->Arg(1);

void BM_DecodeUpdate400(benchmark::State& state) {
  // The payload alone: how much of DecodeVerify is the message decode.
  const SignedFixture& f = Fixture(0);
  auto sign1 = cose::DecodeSign1(f.signed_update);
  if (!sign1.ok()) std::abort();
  const Bytes payload = ToBytes(*sign1->payload);
  for (auto _ : state) {
    auto m = DecodeMessage(payload);
    if (!m.ok()) std::abort();
    benchmark::DoNotOptimize(m);
  }
}
BENCHMARK(BM_DecodeUpdate400);

void BM_SignUpdate(benchmark::State& state) {
  const SignedFixture& f = Fixture(static_cast<int>(state.range(0)));
  state.SetLabel(state.range(0) == 0 ? "ESP256" : "Ed25519");
  auto sign1 = cose::DecodeSign1(f.signed_update);
  if (!sign1.ok()) std::abort();
  const Bytes payload = ToBytes(*sign1->payload);
  const CipherSuite suite = state.range(0) == 0 ? SuiteSign1Esp256() : SuiteSign1Ed25519();
  for (auto _ : state) {
    auto s = SignMessage(payload, f.key, suite);
    if (!s.ok()) std::abort();
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_SignUpdate)->Arg(0)->Arg(1);

}  // namespace
}  // namespace teep::msg
