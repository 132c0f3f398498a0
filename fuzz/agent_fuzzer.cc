// Fuzzes the TEEP Agent state machine (src/core/agent/agent.h) end to end:
// COSE verification, the strict TEEP decoder, QueryRequest handling
// (Evidence, tc-list, requested/unneeded lists, the Error paths), Update
// handling (replay protection, unneeded-manifest-list, the SUIT processor
// over an in-memory store, SUIT Reports) and the signed replies.
//
// Input: a TEEP message payload (an encoded QueryRequest, Update, ...). The
// harness signs it with the fixed TAM key (tagged COSE_Sign1, ESP256) so
// that the Agent gets past verification, and also hands the raw input,
// unsigned, to a second Agent (the verification / Error path).
//
// Every input gets a fresh Agent, store and state storage, so runs are
// reproducible; the keys are fixed (below and cose_fixed_keys.h) and loaded
// once. Before the message the store holds one TC (component ["pre"],
// manifest ["pre.suit"], sequence 2, signed with the fixed Ed25519 key) and the stored
// AgentState (kInitialState) holds pending RequestTA / UnrequestTA entries,
// a remembered Update token "replayed" and a passport, so that seeds reach
// tc-list, requested-tc-list, unneeded-manifest-list, the replay refusal
// and the passport path. TC signers trusted: the fixed P-256 and Ed25519
// keys (make_agent_seeds signs its manifests with them) and the published
// TEEP Appendix E signer; the E.3 payload key and the fixed P-256 key
// decrypt payloads; the E.1 URIs are served (fetch rule as in
// suit_process_fuzzer.cc).
//
// Invariants (a violation prints "invariant failed" and traps):
//  * ProcessTeepMessage returns OK (MemoryStateStorage never fails) and a
//    non-empty reply: a tagged COSE_Sign1 (ESP256) that verifies with the
//    Agent's key and decodes strictly as QueryResponse, Success or Error;
//    last_exchange() names what was sent; an Error's err-msg is 1..128 bytes.
//  * nothing is left staged in the store; the stored AgentState decodes and
//    equals the Agent's in-memory state.
//  * a payload that does not decode, or a message of a type an Agent does
//    not accept: an Error without token, no commit, state unchanged.
//  * QueryRequest -> QueryResponse or Error (never code 11) with the
//    request's token, no commit. A QueryResponse meets
//    msg::CheckResponseObligations, selects version 0, lists every
//    installed TC in tc-list iff bit 1 was asked, no pending request it
//    lists is installed, and its attestation-payload is the stored passport
//    or Evidence that appraises (eat::AppraiseEvidence) with the Agent's
//    attestation key, cnf = the Agent's TEEP key, eat_nonce = the challenge
//    or else the token (nonce mechanism), or timestamp freshness with iat.
//  * Update -> Success or Error with the Update's token. Success: the store
//    committed once per SUIT Report, every report succeeded. Error 11
//    (ERR_MANIFEST_PROCESSING_FAILED): at least one report, only the last
//    failed, commits = reports - 1. Any other Error: no report, no commit.
//    Every report decodes and carries the token as nonce. After Success or
//    Error 11 the token is remembered, and no remembered request contradicts
//    the inventory.
//  * replay: an Update (without extensions) whose token the Agent now
//    remembers, sent again, is refused with ERR_PERMANENT_ERROR and commits
//    nothing.
//  * unsigned input: an Error without token, nothing committed or saved.
#include <algorithm>
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

#include "core/agent/agent.h"
#include "core/agent/agent_state.h"
#include "core/agent/inventory.h"
#include "core/cose/key.h"
#include "core/eat/evidence.h"
#include "core/suit/builder.h"
#include "core/suit/memory_store.h"
#include "core/suit/processor.h"
#include "core/suit/report.h"
#include "core/teep/codec.h"
#include "core/teep/errors.h"
#include "core/teep/signing.h"
#include "cose_fixed_keys.h"
#include "fuzz_require.h"

namespace {

using namespace teep;
using agent::AgentState;

// make_agent_seeds.cc relies on these values.
constexpr std::string_view kTamUri = "https://tam.example/tam";
constexpr std::string_view kOtherTamUri = "https://other-tam.example/tam";
constexpr int64_t kNow = 1'800'000'000;
constexpr size_t kMaxMessageBytes = 16 * 1024;  // AgentConfig::max_message_bytes

Bytes Hex(std::string_view hex) {
  auto b = HexDecode(hex);
  if (!b) __builtin_trap();
  return *b;
}
Bytes Str(std::string_view s) { return ToBytes(AsBytes(s)); }

// ---- the platform ------------------------------------------------------------------

// What example.org serves in TEEP Appendix E (as in suit_process_fuzzer.cc).
constexpr std::string_view kTeepTaUri = "https://example.org/8d82573a-926d-4754-9353-32dc29997f74.ta";
constexpr std::string_view kTeepE1Uri = "https://example.org/8d82573a-926d-4754-9353-32dc29997f74.suit";
constexpr std::string_view kTcBinaryHello = "48656c6c6f2c2053656375726520576f726c6421";
constexpr std::string_view kE1Envelope =
    "a2025873825824822f5820b39b52b0b747ea79588c190f567bfc2c8437ba8a73f7ea983182e79f0148d59b58"
    "4ad28443a10128a0f65840b35bf8c5276acf6131f4661e76a7f19945ff928a4b7d79572583e857c695dfd487"
    "25c1b8253ef6e805a9eee9262caab61a09df69ccbd996f2431bc2515eb59ff03590108a601010203035884a2"
    "0281844b544545502d446576696365485365637572654653508d82573a926d4754935332dc29997f74427461"
    "0458548614a40150c0ddd5f15243566087db4f5b0aa26c2f0250db42f7093d8c55baa8c5265fc5820f4e0358"
    "24822f58208cf71ac86af31be184ec7a05a411a8c3a14fd9b77a30d046397481469468ece80e14010f020f05"
    "844b544545502d446576696365485365637572654653508d82573a926d4754935332dc29997f744473756974"
    "1458458614a115783b68747470733a2f2f6578616d706c652e6f72672f38643832353733612d393236642d34"
    "3735342d393335332d3332646332393939376637342e7461150f030f1818448218210f";

// TEEP Appendix E URIs -> the published bytes; "404" -> not found;
// "hex:<digits>" -> those bytes; anything else -> "fetched:" + uri + args.
Result<Bytes> FetchRule(std::string_view uri, ByteView args) {
  if (uri == kTeepTaUri) return Hex(kTcBinaryHello);
  if (uri == kTeepE1Uri) return Hex(kE1Envelope);
  if (uri.find("404") != std::string_view::npos) {
    return Status(StatusCode::kNotFound, "404 " + std::string(uri));
  }
  if (uri.substr(0, 4) == "hex:") {
    auto b = HexDecode(uri.substr(4));
    if (!b) return Status(StatusCode::kMalformed, "bad hex in uri");
    return *b;
  }
  Bytes out = Str("fetched:");
  out.insert(out.end(), uri.begin(), uri.end());
  out.insert(out.end(), args.begin(), args.end());
  return out;
}

// teep/vectors/keys/appE-suit-signer-p256.pub.pem: the TC signer of TEEP
// Appendix E (embedded so that the binary is self-contained).
constexpr std::string_view kPublishedSignerPem =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEhJaBGq4LqqvSYVcYnuzaJr6qi/Eb\n"
    "bz/m4rVlnIXbwK07HypLbAmBMcCjbazR14vTgdzfsJwFLbM5kdtzOLSolg==\n"
    "-----END PUBLIC KEY-----\n";
// The private scalar of teep/vectors/keys/appE3-kek-p256.cose_key.
constexpr std::string_view kPublishedKek =
    "60fe6dd6d85d5740a5349b6f91267eeac5ba81b8cb53ee249e4b4eb102c476b3";

crypto::PrivateKey FixedKey(crypto::KeyType type, uint8_t first) {
  Bytes d(32);
  for (size_t i = 0; i < d.size(); ++i) d[i] = static_cast<uint8_t>(first + i);
  auto key = crypto::PrivateKey::FromRaw(type, d);
  if (!key.ok()) __builtin_trap();
  return std::move(key).value();
}

// Fixed keys and everything derived from them, made once.
struct Fixture {
  crypto::PrivateKey tam = FixedKey(crypto::KeyType::kP256, 0x41);        // signs the input
  crypto::PrivateKey other_tam = FixedKey(crypto::KeyType::kEd25519, 0x51);
  crypto::PrivateKey agent = FixedKey(crypto::KeyType::kP256, 0x61);      // the Agent's TEEP key
  crypto::PrivateKey attest = FixedKey(crypto::KeyType::kP256, 0x71);     // signs Evidence
  crypto::PrivateKey kek = [] {
    auto k = crypto::PrivateKey::FromRaw(crypto::KeyType::kP256, Hex(kPublishedKek));
    if (!k.ok()) __builtin_trap();
    return std::move(k).value();
  }();
  std::vector<crypto::PublicKey> signers;      // TC signers
  std::vector<crypto::PublicKey> attest_keys;  // to appraise the Agent's Evidence
  std::vector<msg::TrustAnchor> tam_anchors;   // to tell signed inputs apart
  std::vector<msg::TrustAnchor> agent_anchor;  // to verify replies
  Bytes agent_kid;
  Bytes preinstalled;  // the ["pre"] TC's envelope
  Bytes initial_state; // encoded kInitialState
  AgentState state;
  std::vector<Bytes> vendor_ids = {Hex("c0ddd5f15243566087db4f5b0aa26c2f")};
  std::vector<Bytes> class_ids = {Hex("db42f7093d8c55baa8c5265fc5820f4e")};
};

template <typename T>
T Must(Result<T> r) {
  if (!r.ok()) {
    std::fprintf(stderr, "fuzz_agent set-up: %s\n", r.status().ToString().c_str());
    __builtin_trap();
  }
  return std::move(r).value();
}

const Fixture& Fx() {
  static const Fixture* fx = [] {
    auto* f = new Fixture();
    const auto& fixed = teep::fuzz::FixedKeys();
    f->signers = fixed.publics;  // P-256 and Ed25519
    f->signers.push_back(Must(crypto::PublicKey::FromPem(kPublishedSignerPem)));
    f->attest_keys.push_back(f->attest.Public());
    f->tam_anchors.push_back(Must(msg::TrustAnchor::Make(std::string(kTamUri), f->tam.Public())));
    f->tam_anchors.push_back(
        Must(msg::TrustAnchor::Make(std::string(kOtherTamUri), f->other_tam.Public())));
    f->agent_anchor.push_back(Must(msg::TrustAnchor::Make("agent", f->agent.Public())));
    auto kid = Must(cose::Thumbprint(f->agent.Public()));
    f->agent_kid.assign(kid.begin(), kid.end());

    suit::ManifestSpec spec;
    spec.sequence_number = 2;
    spec.component_id = {Str("pre")};
    spec.manifest_component_id = std::vector<Bytes>{Str("pre.suit")};
    spec.vendor_id = f->vendor_ids[0];
    spec.class_id = f->class_ids[0];
    spec.payload = Str("preinstalled TC");
    spec.reference_uri = "https://tc.example/pre.suit";
    // Ed25519: deterministic, so the store's contents are the same every run.
    f->preinstalled = Must(suit::BuildEnvelope(spec, fixed.ed25519));

    AgentState& s = f->state;
    s.requested.push_back({{Str("wanted")}, std::string(kTamUri)});
    s.requested.push_back({{Str("elsewhere")}, std::string(kOtherTamUri)});
    // TEEP Appendix E.1/E.2's TC: installing it settles this request.
    s.requested.push_back({{Str("TEEP-Device"), Str("SecureFS"), Hex("8d82573a926d4754935332dc29997f74"),
                            Str("ta")},
                           std::string(kTamUri)});
    s.unneeded.push_back({{Str("pre")}, std::string(kTamUri)});
    s.seen_update_tokens.push_back(Str("replayed"));
    s.passport = Str("a relayed attestation result");
    s.passport_format = "application/eat+cwt";
    f->initial_state = Must(agent::EncodeAgentState(s));
    return f;
  }();
  return *fx;
}

suit::Platform MakePlatform(suit::MemoryStore* store) {
  const Fixture& fx = Fx();
  suit::Platform p;
  p.store = store;
  p.trust_anchors.keys = fx.signers;
  p.vendor_ids = fx.vendor_ids;
  p.class_ids = fx.class_ids;
  p.device_ids = {Hex("00112233445566778899aabbccddeeff")};
  p.decryption_keys.push_back(cose::EcdhKey{&fx.kek, {}, {}});
  p.decryption_keys.push_back(cose::EcdhKey{&teep::fuzz::FixedKeys().p256, {}, {}});
  p.decryption_keys.push_back(cose::KeyWrapKey{teep::fuzz::FixedKeys().kek, {}});
  p.fetch = FetchRule;
  p.invoke = [](const suit::ComponentId&, ByteView) { return OkStatus(); };
  p.component_slot = [](const suit::ComponentId&) { return std::optional<uint64_t>(0); };
  p.now = [] { return std::optional<uint64_t>(kNow); };
  p.battery_mwh = [] { return std::optional<uint64_t>(500); };
  p.update_authorized = [](int64_t priority) { return priority <= 0; };
  p.version = [](const suit::ComponentId&) -> std::optional<std::vector<int64_t>> { return std::nullopt; };
  p.wait = [](ByteView info) -> Status {
    if (info.empty()) return Status(StatusCode::kNotFound, "nothing to wait for");
    return OkStatus();
  };
  return p;
}

agent::AgentConfig MakeConfig(suit::MemoryStore* store) {
  const Fixture& fx = Fx();
  agent::AgentConfig c;
  c.teep_key = &fx.agent;
  c.attestation_key = &fx.attest;
  c.identity.ueid = Hex("0198f50a4ff6c05861c8860d13a638ea4fe2fa");
  c.identity.oemid = eat::OemidIeee{0x89, 0x48, 0x23};
  c.identity.hwmodel = Hex("549dcecc8b987c737b44e40f7c635ce8");
  c.identity.hwversion = eat::HwVersion{"1.3.4", 1};
  c.identity.dbgstat = eat::DebugStatus::kDisabledPermanently;
  c.identity.agent_digest =
      Hex("822f5820a7fd6593eac32eb4be578278e6540c5c09cfd7d4d234973054833b2b93030609");
  c.tams.push_back({std::string(kTamUri), fx.tam.Public()});
  c.tams.push_back({std::string(kOtherTamUri), fx.other_tam.Public()});
  c.suit = MakePlatform(store);
  // TEEP E.3 omits condition-dependency-integrity (docs/suit-processor.md P3).
  c.suit_policy.implicit_dependency_integrity = true;
  c.now = [] { return std::optional<int64_t>(kNow); };
  // Small limits, so that inputs of fuzzer size reach them.
  c.max_message_bytes = kMaxMessageBytes;
  c.max_manifests_per_update = 4;
  return c;
}

// ---- checks ---------------------------------------------------------------------------

const msg::CipherSuite& Esp256() {
  static const msg::CipherSuite* suite = new msg::CipherSuite(msg::SuiteSign1Esp256());
  return *suite;
}

// AGENT_FUZZ_VERBOSE=1: print what each exchange did (to see what a seed
// reaches: fuzz_agent SEED with the variable set).
bool Verbose() {
  static const bool verbose = std::getenv("AGENT_FUZZ_VERBOSE") != nullptr;
  return verbose;
}

// The reply verifies with the Agent's key and decodes strictly.
msg::Message CheckReply(const agent::Agent& agent, const Result<Bytes>& reply) {
  FUZZ_REQUIRE(reply.ok());
  FUZZ_REQUIRE(!reply->empty());
  auto decoded = msg::VerifyAndDecode(*reply, Fx().agent_anchor);
  FUZZ_REQUIRE(decoded.ok());
  FUZZ_REQUIRE(decoded->verified.structure == msg::CoseStructure::kSign1);
  FUZZ_REQUIRE(decoded->verified.tagged);
  FUZZ_REQUIRE(decoded->verified.suite == Esp256());
  const msg::MessageType type = msg::TypeOf(decoded->message);
  FUZZ_REQUIRE(type == msg::MessageType::kQueryResponse || type == msg::MessageType::kSuccess ||
               type == msg::MessageType::kError);
  FUZZ_REQUIRE(agent.last_exchange().sent == type);
  if (Verbose()) {
    const auto& last = agent.last_exchange();
    std::fprintf(stderr, "%s -> %s%s%s (installed %zu, removed %zu) %s\n",
                 std::string(msg::MessageTypeName(last.received)).c_str(),
                 std::string(msg::MessageTypeName(type)).c_str(), last.error ? " " : "",
                 last.error ? msg::ErrorCodeName(msg::Draft26().ErrCodeNumber(*last.error)).c_str() : "",
                 last.installed.size(), last.removed.size(), last.detail.c_str());
  }
  if (const auto* error = std::get_if<msg::Error>(&decoded->message)) {
    if (error->err_msg) FUZZ_REQUIRE(!error->err_msg->empty() && error->err_msg->size() <= 128);
    FUZZ_REQUIRE(error->err_code.is_known());
    FUZZ_REQUIRE(agent.last_exchange().error == error->err_code.known());
  } else {
    FUZZ_REQUIRE(!agent.last_exchange().error.has_value());
  }
  return std::move(decoded->message);
}

// The stored state is the Agent's state.
void CheckPersisted(agent::AgentStateStorage& storage, const agent::Agent& agent) {
  auto loaded = storage.Load();
  FUZZ_REQUIRE(loaded.ok());
  FUZZ_REQUIRE(loaded->has_value());
  auto decoded = agent::DecodeAgentState(**loaded);
  FUZZ_REQUIRE(decoded.ok());
  FUZZ_REQUIRE(*decoded == agent.state());
}

// No remembered request contradicts what is installed (after PruneRequests).
void CheckRequestsPruned(const agent::Agent& agent) {
  auto inventory = agent.ListInstalled();
  FUZZ_REQUIRE(inventory.ok());
  for (const auto& p : agent.state().requested) {
    FUZZ_REQUIRE(agent::FindInstalled(*inventory, p.component) == nullptr);
  }
  for (const auto& p : agent.state().unneeded) {
    FUZZ_REQUIRE(agent::FindInstalled(*inventory, p.component) != nullptr);
  }
}

bool Offers(const msg::QueryRequest& request, uint64_t mechanism) {
  if (!request.supported_freshness_mechanisms) return mechanism == msg::kFreshnessNonce;
  const auto& m = *request.supported_freshness_mechanisms;
  return std::find(m.begin(), m.end(), mechanism) != m.end();
}

void CheckQueryResponse(const agent::Agent& agent, const msg::QueryRequest& request,
                        const msg::QueryResponse& response) {
  FUZZ_REQUIRE(msg::CheckResponseObligations(request, response).empty());
  FUZZ_REQUIRE(response.token == request.token);
  FUZZ_REQUIRE(response.selected_version == std::optional<uint32_t>(msg::kTeepVersion));
  FUZZ_REQUIRE(!response.suit_reports && !response.ext_list && response.extensions.empty());
  CheckRequestsPruned(agent);
  auto inventory = agent.ListInstalled();
  FUZZ_REQUIRE(inventory.ok());
  const bool want_tcs = (request.data_item_requested & msg::kDataItemTrustedComponents) != 0;
  if (want_tcs && !inventory->empty()) {
    FUZZ_REQUIRE(response.tc_list && response.tc_list->size() == inventory->size());
    for (size_t i = 0; i < inventory->size(); ++i) {
      FUZZ_REQUIRE((*response.tc_list)[i].system_component_id == (*inventory)[i].component_id);
    }
  } else {
    FUZZ_REQUIRE(!response.tc_list);
  }
  if (response.requested_tc_list) {
    for (const auto& r : *response.requested_tc_list) {
      FUZZ_REQUIRE(agent::FindInstalled(*inventory, r.component_id) == nullptr);
      FUZZ_REQUIRE(std::any_of(agent.state().requested.begin(), agent.state().requested.end(),
                               [&](const auto& p) { return p.component == r.component_id && p.tam_uri == kTamUri; }));
    }
  }
  if (response.unneeded_manifest_list) {
    for (const auto& id : *response.unneeded_manifest_list) {
      FUZZ_REQUIRE(std::any_of(inventory->begin(), inventory->end(),
                               [&](const agent::InstalledTc& tc) { return tc.manifest_id == id; }));
    }
  }
  const bool want_evidence = (request.data_item_requested & msg::kDataItemAttestation) != 0;
  if (!want_evidence) {
    FUZZ_REQUIRE(!response.attestation_payload);
    return;
  }
  FUZZ_REQUIRE(response.attestation_payload.has_value());
  const bool nonce_ok = Offers(request, msg::kFreshnessNonce);
  const bool timestamp_ok = Offers(request, msg::kFreshnessTimestamp);  // the Agent has a clock
  FUZZ_REQUIRE(nonce_ok || timestamp_ok);
  const bool by_challenge = request.challenge && nonce_ok;
  if (!by_challenge && agent.state().passport && timestamp_ok) {
    // P §9: the relayed Attestation Result, fresh by its own time.
    FUZZ_REQUIRE(response.attestation_payload == agent.state().passport);
    FUZZ_REQUIRE(response.attestation_payload_format == agent.state().passport_format);
    return;
  }
  FUZZ_REQUIRE(!response.attestation_payload_format);
  std::optional<Bytes> nonce;
  if (by_challenge) {
    nonce = request.challenge;
  } else if (request.token && nonce_ok) {
    nonce = request.token;
  }
  eat::AppraisalPolicy policy;
  policy.attestation_keys = Fx().attest_keys;
  policy.expected_cnf_kid = Fx().agent_kid;
  if (nonce) {
    policy.expected_nonce = *nonce;
  } else {
    policy.timestamp_freshness = true;
  }
  auto result = eat::AppraiseEvidence(*response.attestation_payload, policy);
  FUZZ_REQUIRE(result.ok());
  FUZZ_REQUIRE(result->affirming);
  FUZZ_REQUIRE(result->claims.eat_nonce == nonce);
  FUZZ_REQUIRE(result->claims.iat == std::optional<int64_t>(kNow));
  // The Agent itself, then every installed TC.
  FUZZ_REQUIRE(result->claims.manifests.size() == 1 + inventory->size());
}

// Returns the number of SUIT Reports; checks each against the token.
size_t CheckReports(const std::optional<std::vector<Bytes>>& encoded, const std::optional<Bytes>& token,
                    bool last_failed) {
  if (!encoded) return 0;
  FUZZ_REQUIRE(!encoded->empty());
  for (size_t i = 0; i < encoded->size(); ++i) {
    auto report = suit::DecodeReport((*encoded)[i]);
    FUZZ_REQUIRE(report.ok());
    FUZZ_REQUIRE(report->nonce == token);
    const bool is_last = i + 1 == encoded->size();
    FUZZ_REQUIRE(report->succeeded() == !(is_last && last_failed));
  }
  return encoded->size();
}

void CheckUpdateReply(const agent::Agent& agent, const msg::Update& update, const msg::Message& reply,
                      size_t commits) {
  if (const auto* success = std::get_if<msg::Success>(&reply)) {
    FUZZ_REQUIRE(success->token == update.token);
    FUZZ_REQUIRE(!success->msg && success->extensions.empty());
    FUZZ_REQUIRE(commits == CheckReports(success->suit_reports, update.token, false));
  } else {
    const auto* error = std::get_if<msg::Error>(&reply);
    FUZZ_REQUIRE(error != nullptr);
    FUZZ_REQUIRE(error->token == update.token);
    if (error->err_code == msg::ErrCode(msg::ErrorCode::kManifestProcessingFailed)) {
      const size_t reports = CheckReports(error->suit_reports, update.token, true);
      FUZZ_REQUIRE(reports >= 1);
      FUZZ_REQUIRE(commits == reports - 1);
    } else {
      FUZZ_REQUIRE(!error->suit_reports);
      FUZZ_REQUIRE(commits == 0);
      return;
    }
  }
  // The Update ran to the end: its token is remembered, requests pruned.
  if (update.token) {
    const auto& seen = agent.state().seen_update_tokens;
    FUZZ_REQUIRE(std::find(seen.begin(), seen.end(), *update.token) != seen.end());
  }
  CheckRequestsPruned(agent);
}

bool IsError(const msg::Message& m, std::optional<msg::ErrorCode> code = std::nullopt) {
  const auto* error = std::get_if<msg::Error>(&m);
  return error != nullptr && (!code || error->err_code == msg::ErrCode(*code));
}

// ---- the two runs ----------------------------------------------------------------------

void RunSigned(ByteView payload) {
  const Fixture& fx = Fx();
  suit::MemoryStore store;
  agent::MemoryStateStorage storage;
  {
    const suit::Platform platform = MakePlatform(&store);
    suit::ProcessOptions none;
    FUZZ_REQUIRE(suit::Update(fx.preinstalled, platform, {}, none).ok());
    FUZZ_REQUIRE(storage.Save(fx.initial_state).ok());
  }
  auto created = agent::Agent::Create(MakeConfig(&store), storage);
  FUZZ_REQUIRE(created.ok());
  std::unique_ptr<agent::Agent> agent = std::move(created).value();
  FUZZ_REQUIRE(agent->state() == fx.state);

  auto signed_message = msg::SignMessage(payload, fx.tam, Esp256());
  FUZZ_REQUIRE(signed_message.ok());
  const size_t commits_before = store.CommitCount();
  const AgentState state_before = agent->state();
  auto reply = agent->ProcessTeepMessage(*signed_message);
  const msg::Message answer = CheckReply(*agent, reply);
  FUZZ_REQUIRE(!store.HasStagedChanges());
  CheckPersisted(storage, *agent);
  const size_t commits = store.CommitCount() - commits_before;
  // The same decoder the Agent runs after verification (the harness may
  // decode without verifying: it signed the bytes itself).
  auto decoded = msg::DecodeMessage(payload);
  if (signed_message->size() > kMaxMessageBytes || !decoded.ok() ||
      msg::TypeOf(*decoded) == msg::MessageType::kQueryResponse ||
      msg::TypeOf(*decoded) == msg::MessageType::kSuccess ||
      msg::TypeOf(*decoded) == msg::MessageType::kError) {
    // Too large, not a valid TEEP message, or not one for an Agent (P §7.2).
    FUZZ_REQUIRE(IsError(answer));
    FUZZ_REQUIRE(!std::get<msg::Error>(answer).token);
    FUZZ_REQUIRE(!std::get<msg::Error>(answer).suit_reports);
    FUZZ_REQUIRE(commits == 0);
    FUZZ_REQUIRE(agent->state() == state_before);
    return;
  }
  if (const auto* request = std::get_if<msg::QueryRequest>(&*decoded)) {
    // A QueryRequest commits nothing, and since the initial state already
    // agrees with the store (nothing to prune) it changes no state either.
    FUZZ_REQUIRE(commits == 0);
    FUZZ_REQUIRE(agent->state() == state_before);
    if (const auto* response = std::get_if<msg::QueryResponse>(&answer)) {
      CheckQueryResponse(*agent, *request, *response);
    } else {
      FUZZ_REQUIRE(IsError(answer));
      const auto& error = std::get<msg::Error>(answer);
      FUZZ_REQUIRE(error.token == request->token);
      FUZZ_REQUIRE(!error.suit_reports);
      FUZZ_REQUIRE(!IsError(answer, msg::ErrorCode::kManifestProcessingFailed));
    }
    return;
  }
  const auto& update = std::get<msg::Update>(*decoded);
  CheckUpdateReply(*agent, update, answer, commits);

  // Replay (RFC 9397 §9.3): the same signed Update again.
  const auto& seen = agent->state().seen_update_tokens;
  if (update.token && update.extensions.empty() &&
      std::find(seen.begin(), seen.end(), *update.token) != seen.end()) {
    const size_t commits_then = store.CommitCount();
    const AgentState state_then = agent->state();
    auto again = agent->ProcessTeepMessage(*signed_message);
    const msg::Message second = CheckReply(*agent, again);
    FUZZ_REQUIRE(IsError(second, msg::ErrorCode::kPermanentError));
    FUZZ_REQUIRE(std::get<msg::Error>(second).token == update.token);
    FUZZ_REQUIRE(store.CommitCount() == commits_then);
    FUZZ_REQUIRE(agent->state() == state_then);
    FUZZ_REQUIRE(!store.HasStagedChanges());
    CheckPersisted(storage, *agent);
  }
}

void RunUnsigned(ByteView input) {
  const Fixture& fx = Fx();
  // Nobody but the harness holds the TAM keys, so the raw input is never
  // validly signed by a configured TAM.
  FUZZ_REQUIRE(!msg::VerifyMessage(input, fx.tam_anchors).ok());
  suit::MemoryStore store;
  agent::MemoryStateStorage storage;  // first start: no state
  auto created = agent::Agent::Create(MakeConfig(&store), storage);
  FUZZ_REQUIRE(created.ok());
  std::unique_ptr<agent::Agent> agent = std::move(created).value();
  auto reply = agent->ProcessTeepMessage(input);
  const msg::Message answer = CheckReply(*agent, reply);
  FUZZ_REQUIRE(IsError(answer));
  const auto& error = std::get<msg::Error>(answer);
  FUZZ_REQUIRE(!error.token && !error.suit_reports);
  FUZZ_REQUIRE(error.err_code == msg::ErrCode(msg::ErrorCode::kPermanentError) ||
               error.err_code == msg::ErrCode(msg::ErrorCode::kBadCertificate) ||
               error.err_code == msg::ErrCode(msg::ErrorCode::kUnsupportedCipherSuites));
  FUZZ_REQUIRE(store.CommitCount() == 0 && !store.HasStagedChanges());
  FUZZ_REQUIRE(agent->state() == AgentState{});
  auto loaded = storage.Load();
  FUZZ_REQUIRE(loaded.ok() && !loaded->has_value());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ByteView input(data, size);
  RunSigned(input);
  RunUnsigned(input);
  return 0;
}
