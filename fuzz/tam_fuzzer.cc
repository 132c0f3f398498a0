// Fuzzes the TAM core (src/core/tam/tam.h) with arbitrary message bodies:
// COSE_Sign1 parsing and the kid lookup, verification with a registered
// device key, the strict TEEP decoder, token rules (single use, kind, device),
// the QueryResponse handler (Evidence appraisal by the built-in Verifier,
// tc-list reconciliation, policy, requested-tc-list, unneeded-manifest-list,
// planning, the signed Update or the attestation refusal), Success and Error
// (SUIT Report nonces, recording the plan) and the drops.
//
// Input: a TEEP message payload (an encoded QueryResponse, Success, ...).
// Each input runs four passes, each over a fresh tam::MemoryTamStore behind
// one long-lived Tam (a forwarding store, so that the Tam's cache of parsed
// device keys survives and a pass costs what a message costs):
//   1. the payload signed (COSE_Sign1 ESP256) with the registered P-256
//      device key; the store holds token a0a1..af (the published vectors'
//      token) as a QueryRequest token; ProcessConnect is called first, as a
//      Broker would, so the store also holds a real issued token;
//   2. the same signed payload, a0a1..af now an Update token for the device
//      (with a plan: install ["app.suit"] seq 2, remove ["other.suit"]);
//   3. the payload signed (COSE_Sign1 Ed25519) with the registered Ed25519
//      device key, a0a1..af a QueryRequest token if the payload decodes as a
//      QueryResponse, else an Update token for that device;
//   4. the raw input, unsigned.
// Every store also holds tokens b0b1..bf (QueryRequest, tc-list only: no
// attestation), c0c1..cf (QueryRequest, attestation, no challenge: the
// token is the nonce), d0d1..df (Update for the pass's device, empty plan)
// and e0e1..ef (Update for the other device); the repository holds ["app"]
// (manifest ["app.suit"], sequences 1 and 2) and ["other"] (["other.suit"],
// sequence 1); policy: "all" installs ["app.suit"], "device:<P-256 device>"
// removes ["other.suit"], "class:<hwmodel>" installs ["other.suit"]; the
// P-256 device is known to hold ["app.suit"] seq 1 and ["other.suit"] seq 0.
// Keys are fixed (below); make_tam_seeds.cc signs Evidence with the same
// attestation key over the same challenge, so seeds get past appraisal.
//
// Invariants (a violation prints "invariant failed" and traps):
//  * ProcessConnect and ProcessMessage return OK (MemoryTamStore never
//    fails). ProcessConnect answers with a message that verifies with both
//    TAM keys and decodes as a QueryRequest (16-byte token, 32-byte
//    challenge) and stores one token.
//  * kMessage from ProcessMessage: a COSE_Sign1 that verifies with the TAM
//    key of the device's suite (P-256 device: the P-256 key, Ed25519 device:
//    the Ed25519 key) and decodes as an Update with a fresh 16-byte token
//    stored as an Update token for that device; either err-code 7
//    (ERR_ATTESTATION_REQUIRED) with nothing to install and the device
//    recorded as "refused: ...", or at least one manifest or unneeded
//    manifest, each manifest a repository envelope and the token's plan
//    naming exactly those. One token was taken and one stored.
//  * kNoContent: the conversation ended (audit "query-response", "success"
//    or "error"), one token taken, the device's last contact recorded; a
//    Success answering the token with a plan recorded that plan.
//  * kDropped: a non-empty reason, audited as "dropped" with that reason; at
//    most one token taken.
//  * the same signed body sent again is dropped (a token is accepted once).
//  * the unsigned input is dropped unless it is itself a message that a
//    registered device key verifies.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/cose/key.h"
#include "core/cose/sign.h"
#include "core/suit/builder.h"
#include "core/suit/component_id.h"
#include "core/tam/memory_store.h"
#include "core/tam/repository.h"
#include "core/tam/tam.h"
#include "core/teep/codec.h"
#include "core/teep/signing.h"
#include "cose_fixed_keys.h"
#include "fuzz_require.h"

namespace {

using namespace teep;
using tam::TamReply;
using tam::TokenRecord;

// make_tam_seeds.cc relies on these values.
constexpr int64_t kNow = 1'800'000'000;
constexpr std::string_view kChallengeHex =
    "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf";
constexpr std::string_view kHwmodelHex = "549dcecc8b987c737b44e40f7c635ce8";

Bytes Hex(std::string_view hex) {
  auto b = HexDecode(hex);
  if (!b) __builtin_trap();
  return *b;
}
Bytes Str(std::string_view s) { return ToBytes(AsBytes(s)); }
Bytes Token(uint8_t first) {
  Bytes t(16);
  for (size_t i = 0; i < t.size(); ++i) t[i] = static_cast<uint8_t>(first + i);
  return t;
}

template <typename T>
T Must(Result<T> r) {
  if (!r.ok()) {
    std::fprintf(stderr, "fuzz_tam set-up: %s\n", r.status().ToString().c_str());
    __builtin_trap();
  }
  return std::move(r).value();
}

crypto::PrivateKey FixedKey(crypto::KeyType type, uint8_t first) {
  Bytes d(32);
  for (size_t i = 0; i < d.size(); ++i) d[i] = static_cast<uint8_t>(first + i);
  return Must(crypto::PrivateKey::FromRaw(type, d));
}

Bytes KidOf(const crypto::PublicKey& key) {
  auto kid = Must(cose::Thumbprint(key));
  return Bytes(kid.begin(), kid.end());
}

Bytes EncodedId(const std::vector<std::string_view>& parts) {
  std::vector<Bytes> owned;
  for (auto p : parts) owned.push_back(Str(p));
  std::vector<ByteView> views(owned.begin(), owned.end());
  return suit::EncodeComponentId(views);
}

// ---- a store whose target changes per pass -----------------------------------------

class ForwardingStore final : public tam::TamStore {
 public:
  tam::TamStore* target = nullptr;

  Status Atomically(const std::function<Status()>& step) override { return target->Atomically(step); }
  Status PutToken(const TokenRecord& t) override { return target->PutToken(t); }
  Result<std::optional<TokenRecord>> TakeToken(ByteView t, int64_t now) override {
    return target->TakeToken(t, now);
  }
  Result<uint64_t> ExpireTokens(int64_t now) override { return target->ExpireTokens(now); }
  Result<uint64_t> CountTokens() override { return target->CountTokens(); }
  Status PutDevice(const tam::DeviceRecord& d) override { return target->PutDevice(d); }
  Status PutDevices(std::span<const tam::DeviceRecord> d) override { return target->PutDevices(d); }
  Result<std::optional<tam::DeviceRecord>> FindDevice(ByteView id) override {
    return target->FindDevice(id);
  }
  Result<std::vector<tam::DeviceRecord>> ListDevices() override { return target->ListDevices(); }
  Result<uint64_t> CountDevices() override { return target->CountDevices(); }
  Status SetInstalled(ByteView d, const tam::InstalledRecord& i) override {
    return target->SetInstalled(d, i);
  }
  Status RemoveInstalled(ByteView d, ByteView m) override { return target->RemoveInstalled(d, m); }
  Result<std::vector<tam::InstalledRecord>> ListInstalled(ByteView d) override {
    return target->ListInstalled(d);
  }
  Status PutTc(const tam::TcRecord& tc) override { return target->PutTc(tc); }
  Result<std::optional<tam::TcRecord>> LatestTc(ByteView m) override { return target->LatestTc(m); }
  Result<std::optional<tam::TcRecord>> FindTcByComponent(ByteView id) override {
    return target->FindTcByComponent(id);
  }
  Result<std::vector<tam::TcRecord>> ListLatestTcs() override { return target->ListLatestTcs(); }
  Status PutPolicy(const tam::PolicyRecord& p) override { return target->PutPolicy(p); }
  Status RemovePolicy(const std::string& t, ByteView m) override { return target->RemovePolicy(t, m); }
  Result<std::vector<tam::PolicyRecord>> ListPolicies() override { return target->ListPolicies(); }
  Status Audit(const tam::AuditRecord& r) override { return target->Audit(r); }
  Result<std::vector<tam::AuditRecord>> RecentAudit(size_t limit) override {
    return target->RecentAudit(limit);
  }
};

// ---- fixed keys and records, made once ------------------------------------------------

struct Device {
  crypto::PrivateKey* key;
  tam::DeviceRecord record;
  msg::CipherSuite suite;
  bool ed25519;
};

struct Fixture {
  crypto::PrivateKey tam_p256 = FixedKey(crypto::KeyType::kP256, 0x21);
  crypto::PrivateKey tam_ed = FixedKey(crypto::KeyType::kEd25519, 0x31);
  crypto::PrivateKey device_p256 = FixedKey(crypto::KeyType::kP256, 0x61);
  crypto::PrivateKey device_ed = FixedKey(crypto::KeyType::kEd25519, 0x81);
  crypto::PrivateKey attest = FixedKey(crypto::KeyType::kP256, 0x71);  // both devices' attestation key
  tam::BuiltInVerifier verifier{{}, {}};
  ForwardingStore store;
  std::unique_ptr<tam::Tam> tam;
  Device p256, ed;
  std::vector<tam::TcRecord> tcs;  // the repository
  std::vector<msg::TrustAnchor> tam_anchors;     // [0] P-256, [1] Ed25519
  std::vector<msg::TrustAnchor> device_anchors;  // [0] P-256 device, [1] Ed25519 device
  Bytes app_manifest = EncodedId({"app.suit"});
  Bytes other_manifest = EncodedId({"other.suit"});
};

tam::DeviceRecord Register(const crypto::PrivateKey& teep, const crypto::PrivateKey& attest,
                           std::string name) {
  tam::DeviceRecord d;
  d.device_id = KidOf(teep.Public());
  d.teep_key_pem = Must(teep.Public().ToPem());
  d.attestation_key_pem = Must(attest.Public().ToPem());
  d.name = std::move(name);
  d.attestation = "none";
  return d;
}

Fixture& Fx() {
  static Fixture* fx = [] {
    auto* f = new Fixture();
    f->p256 = {&f->device_p256, Register(f->device_p256, f->attest, "p256"), msg::SuiteSign1Esp256(),
               false};
    f->ed = {&f->device_ed, Register(f->device_ed, f->attest, "ed25519"), msg::SuiteSign1Ed25519(), true};
    f->tam_anchors.push_back(Must(msg::TrustAnchor::Make("tam-p256", f->tam_p256.Public())));
    f->tam_anchors.push_back(Must(msg::TrustAnchor::Make("tam-ed25519", f->tam_ed.Public())));
    f->device_anchors.push_back(Must(msg::TrustAnchor::Make("p256", f->device_p256.Public())));
    f->device_anchors.push_back(Must(msg::TrustAnchor::Make("ed25519", f->device_ed.Public())));

    // The repository, authenticated once with AddTc (Ed25519 signatures are
    // deterministic, so the envelopes are the same on every run).
    const crypto::PrivateKey& signer = teep::fuzz::FixedKeys().ed25519;
    const crypto::PublicKey signers[] = {signer.Public()};
    tam::MemoryTamStore scratch;
    auto add = [&](std::string_view component, std::string_view manifest, uint64_t sequence,
                   std::string_view image) {
      suit::ManifestSpec spec;
      spec.sequence_number = sequence;
      spec.component_id = {Str(component)};
      spec.manifest_component_id = std::vector<Bytes>{Str(manifest)};
      spec.payload = Str(image);
      const Bytes envelope = Must(suit::BuildEnvelope(spec, signer));
      f->tcs.push_back(Must(tam::AddTc(scratch, envelope, signers, kNow)));
    };
    add("app", "app.suit", 1, "app version 1");
    add("app", "app.suit", 2, "app version 2");
    add("other", "other.suit", 1, "other version 1");

    tam::TamConfig config;
    config.p256_key = &f->tam_p256;
    config.ed25519_key = &f->tam_ed;
    config.verifier = &f->verifier;
    config.policy.token_lifetime = 3600;
    config.now = [] { return kNow; };
    f->tam = Must(tam::Tam::Create(std::move(config), f->store));
    return f;
  }();
  return *fx;
}

// A fresh store for one pass: both devices, the repository, policy, what the
// P-256 device holds, and the tokens (a0..af as `a0_kind`; Update tokens for
// `device`).
std::unique_ptr<tam::MemoryTamStore> FreshStore(TokenRecord::Kind a0_kind, const Device& device,
                                                const Device& other) {
  Fixture& f = Fx();
  auto s = std::make_unique<tam::MemoryTamStore>();
  auto ok = [](const Status& st) {
    if (!st.ok()) __builtin_trap();
  };
  ok(s->PutDevice(f.p256.record));
  ok(s->PutDevice(f.ed.record));
  for (const tam::TcRecord& tc : f.tcs) ok(s->PutTc(tc));
  ok(s->PutPolicy({"all", f.app_manifest, tam::PolicyRecord::Action::kInstall}));
  ok(s->PutPolicy({"device:" + HexEncode(f.p256.record.device_id), f.other_manifest,
                   tam::PolicyRecord::Action::kRemove}));
  ok(s->PutPolicy({"class:" + std::string(kHwmodelHex), f.other_manifest,
                   tam::PolicyRecord::Action::kInstall}));
  ok(s->SetInstalled(f.p256.record.device_id, {f.app_manifest, 1}));
  ok(s->SetInstalled(f.p256.record.device_id, {f.other_manifest, 0}));

  auto query = [](uint8_t first, uint64_t items, Bytes challenge) {
    TokenRecord t;
    t.token = Token(first);
    t.kind = TokenRecord::Kind::kQueryRequest;
    t.data_items = items;
    t.challenge = std::move(challenge);
    t.expires = kNow + 3600;
    return t;
  };
  auto update = [](uint8_t first, const Device& d, std::vector<tam::InstalledRecord> installs,
                   std::vector<Bytes> removals) {
    TokenRecord t;
    t.token = Token(first);
    t.kind = TokenRecord::Kind::kUpdate;
    t.device_id = d.record.device_id;
    t.installs = std::move(installs);
    t.removals = std::move(removals);
    t.expires = kNow + 3600;
    return t;
  };
  const uint64_t both = msg::kDataItemAttestation | msg::kDataItemTrustedComponents;
  if (a0_kind == TokenRecord::Kind::kQueryRequest) {
    ok(s->PutToken(query(0xa0, both, Hex(kChallengeHex))));
  } else {
    ok(s->PutToken(update(0xa0, device, {{f.app_manifest, 2}}, {f.other_manifest})));
  }
  ok(s->PutToken(query(0xb0, msg::kDataItemTrustedComponents, {})));
  ok(s->PutToken(query(0xc0, msg::kDataItemAttestation, {})));
  ok(s->PutToken(update(0xd0, device, {}, {})));
  ok(s->PutToken(update(0xe0, other, {{f.app_manifest, 1}}, {})));
  return s;
}

uint64_t Tokens(tam::TamStore& s) { return Must(s.CountTokens()); }

tam::AuditRecord LastAudit(tam::TamStore& s) {
  auto audit = Must(s.RecentAudit(1));
  FUZZ_REQUIRE(audit.size() == 1);
  return audit[0];
}

const Bytes* TokenOf(const msg::Message& m) {
  const std::optional<Bytes>* t = std::visit([](const auto& x) { return &x.token; }, m);
  return t->has_value() ? &**t : nullptr;
}

// The checks common to every ProcessMessage outcome. `decoded`: the payload
// as the harness decoded it (nullopt if it does not decode).
void CheckReply(tam::MemoryTamStore& store, const Device& device, const TamReply& reply,
                uint64_t tokens_before, const std::optional<msg::Message>& decoded,
                TokenRecord::Kind a0_kind) {
  Fixture& f = Fx();
  const uint64_t tokens_after = Tokens(store);
  const tam::AuditRecord audit = LastAudit(store);
  switch (reply.kind) {
    case TamReply::Kind::kDropped:
      FUZZ_REQUIRE(!reply.reason.empty());
      FUZZ_REQUIRE(reply.message.empty());
      FUZZ_REQUIRE(audit.event == "dropped");
      FUZZ_REQUIRE(audit.detail == reply.reason);
      FUZZ_REQUIRE(tokens_after == tokens_before || tokens_after + 1 == tokens_before);
      return;
    case TamReply::Kind::kNoContent: {
      FUZZ_REQUIRE(reply.message.empty());
      FUZZ_REQUIRE(audit.event == "query-response" || audit.event == "success" || audit.event == "error");
      FUZZ_REQUIRE(audit.device_id == device.record.device_id);
      FUZZ_REQUIRE(tokens_after + 1 == tokens_before);
      auto record = Must(store.FindDevice(device.record.device_id));
      FUZZ_REQUIRE(record.has_value() && record->last_contact == kNow);
      // A Success answering a0a1..af as an Update token recorded its plan.
      if (decoded && audit.event == "success" && a0_kind == TokenRecord::Kind::kUpdate) {
        const Bytes* token = TokenOf(*decoded);
        if (token != nullptr && *token == Token(0xa0)) {
          bool app2 = false, other = false;
          for (const auto& i : Must(store.ListInstalled(device.record.device_id))) {
            if (i.manifest_id == f.app_manifest && i.sequence_number == 2) app2 = true;
            if (i.manifest_id == f.other_manifest) other = true;
          }
          FUZZ_REQUIRE(app2 && !other);
        }
      }
      return;
    }
    case TamReply::Kind::kMessage:
      break;
  }
  FUZZ_REQUIRE(audit.event == "update" || audit.event == "attestation-refused");
  FUZZ_REQUIRE(audit.device_id == device.record.device_id);
  FUZZ_REQUIRE(tokens_after == tokens_before);
  // Signed with the TAM key of the device's suite, decodes as an Update.
  auto verified = msg::VerifyAndDecode(reply.message, f.tam_anchors);
  FUZZ_REQUIRE(verified.ok());
  FUZZ_REQUIRE(verified->verified.structure == msg::CoseStructure::kSign1);
  FUZZ_REQUIRE(verified->verified.anchor_index == (device.ed25519 ? 1u : 0u));
  const auto* update = std::get_if<msg::Update>(&verified->message);
  FUZZ_REQUIRE(update != nullptr);
  FUZZ_REQUIRE(update->token.has_value() && update->token->size() == 16);
  auto record = Must(store.TakeToken(*update->token, kNow));
  FUZZ_REQUIRE(record.has_value());
  FUZZ_REQUIRE(record->kind == TokenRecord::Kind::kUpdate);
  FUZZ_REQUIRE(record->device_id == device.record.device_id);
  auto device_now = Must(store.FindDevice(device.record.device_id));
  FUZZ_REQUIRE(device_now.has_value() && device_now->last_contact == kNow);
  if (update->err_code) {
    FUZZ_REQUIRE(*update->err_code == msg::ErrCode(msg::ErrorCode::kAttestationRequired));
    FUZZ_REQUIRE(!update->manifest_list && !update->unneeded_manifest_list);
    FUZZ_REQUIRE(record->installs.empty() && record->removals.empty());
    FUZZ_REQUIRE(audit.event == "attestation-refused");
    FUZZ_REQUIRE(device_now->attestation.rfind("refused: ", 0) == 0);
    return;
  }
  FUZZ_REQUIRE(audit.event == "update");
  const size_t manifests = update->manifest_list ? update->manifest_list->size() : 0;
  const size_t unlinks = update->unneeded_manifest_list ? update->unneeded_manifest_list->size() : 0;
  FUZZ_REQUIRE(manifests + unlinks > 0);
  FUZZ_REQUIRE(record->installs.size() == manifests);
  FUZZ_REQUIRE(record->removals.size() == unlinks);
  for (size_t i = 0; i < manifests; ++i) {
    bool found = false;
    for (const tam::TcRecord& tc : f.tcs) {
      if (tc.envelope == (*update->manifest_list)[i] && tc.manifest_id == record->installs[i].manifest_id &&
          tc.sequence_number == record->installs[i].sequence_number) {
        found = true;
      }
    }
    FUZZ_REQUIRE(found);
  }
}

// TAM_FUZZ_VERBOSE=1: one line per pass, to see what a seed reaches.
bool Verbose() {
  static const bool verbose = std::getenv("TAM_FUZZ_VERBOSE") != nullptr;
  return verbose;
}

void Describe(const char* pass, const TamReply& reply, tam::TamStore& store) {
  if (!Verbose()) return;
  static const char* const kKinds[] = {"message", "204", "dropped"};
  const auto audit = Must(store.RecentAudit(1));
  std::fprintf(stderr, "  %-22s %-8s %s%s%s\n", pass, kKinds[static_cast<int>(reply.kind)],
               audit.empty() ? "" : audit[0].event.c_str(), audit.empty() ? "" : ": ",
               audit.empty() ? "" : audit[0].detail.c_str());
}

// One pass: the payload signed by `device`, over a fresh store.
void SignedPass(ByteView payload, const Device& device, const Device& other, TokenRecord::Kind a0_kind,
                const std::optional<msg::Message>& decoded, bool connect, bool replay) {
  Fixture& f = Fx();
  auto store = FreshStore(a0_kind, device, other);
  f.store.target = store.get();
  if (connect) {
    static uint64_t connects = 0;
    const uint64_t before = Tokens(*store);
    TamReply q = Must(f.tam->ProcessConnect());
    FUZZ_REQUIRE(q.kind == TamReply::Kind::kMessage);
    FUZZ_REQUIRE(Tokens(*store) == before + 1);
    if (connects++ % 256 == 0) {  // the same work every time: check it now and then
      for (size_t i = 0; i < f.tam_anchors.size(); ++i) {
        auto v = msg::VerifyAndDecode(q.message, std::span<const msg::TrustAnchor>(&f.tam_anchors[i], 1));
        FUZZ_REQUIRE(v.ok());
        const auto* request = std::get_if<msg::QueryRequest>(&v->message);
        FUZZ_REQUIRE(request != nullptr);
        FUZZ_REQUIRE(request->token && request->token->size() == 16);
        FUZZ_REQUIRE(request->challenge && request->challenge->size() == 32);
      }
    }
  }
  auto body = msg::SignMessage(payload, *device.key, device.suite, device.record.device_id);
  FUZZ_REQUIRE(body.ok());
  const uint64_t before = Tokens(*store);
  TamReply reply = Must(f.tam->ProcessMessage(*body));
  Describe(device.ed25519 ? "ed25519 device" : (a0_kind == TokenRecord::Kind::kQueryRequest
                                                    ? "p256, a0 QueryRequest"
                                                    : "p256, a0 Update"),
           reply, *store);
  CheckReply(*store, device, reply, before, decoded, a0_kind);
  if (replay) {
    // P §7.1: a token is accepted once; whatever happened, the same body again is dropped.
    TamReply again = Must(f.tam->ProcessMessage(*body));
    FUZZ_REQUIRE(again.kind == TamReply::Kind::kDropped);
    FUZZ_REQUIRE(!again.reason.empty());
  }
  f.store.target = nullptr;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;
  Fixture& f = Fx();
  const ByteView input(data, size);
  std::optional<msg::Message> decoded;
  if (auto m = msg::DecodeMessage(input); m.ok()) decoded = std::move(m).value();

  SignedPass(input, f.p256, f.ed, TokenRecord::Kind::kQueryRequest, decoded, /*connect=*/true,
             /*replay=*/true);
  SignedPass(input, f.p256, f.ed, TokenRecord::Kind::kUpdate, decoded, false, /*replay=*/true);
  const bool is_response = decoded && std::holds_alternative<msg::QueryResponse>(*decoded);
  SignedPass(input, f.ed, f.p256,
             is_response ? TokenRecord::Kind::kQueryRequest : TokenRecord::Kind::kUpdate, decoded,
             false, false);

  // The raw input, unsigned.
  auto store = FreshStore(TokenRecord::Kind::kQueryRequest, f.p256, f.ed);
  f.store.target = store.get();
  const uint64_t before = Tokens(*store);
  TamReply raw = Must(f.tam->ProcessMessage(input));
  Describe("unsigned", raw, *store);
  if (!msg::VerifyMessage(input, f.device_anchors).ok()) {
    FUZZ_REQUIRE(raw.kind == TamReply::Kind::kDropped);
    CheckReply(*store, f.p256, raw, before, decoded, TokenRecord::Kind::kQueryRequest);
  }
  f.store.target = nullptr;
  return 0;
}
