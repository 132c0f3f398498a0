// Fuzzes the SUIT manifest processor end to end (src/core/suit/processor.h):
// envelope decode, authentication, the command interpreter and the store
// transaction, over an in-memory store. Each input runs Update, then Invoke of
// the same envelope, then Uninstall of every manifest the store holds.
//
// Input: one flags byte, then a SUIT envelope.
//   bit 0  ProcessorPolicy::implicit_dependency_integrity
//   bit 1  re-sign: the envelope's manifest is signed again with the fixed
//          Ed25519 key before processing, so that mutations inside the signed
//          manifest reach the interpreter (without it they fail
//          authentication)
//   bit 2  a report nonce (TEEP token)
//   bit 3  condition-component-slot sees slot 1 (else 0)
//   bit 4  the first commit fails (MemoryStore::FailNextCommit)
//   bit 5  the store starts with committed components [h'00'] and ["app"]
//          and a stored sequence number 7 for slot ["old"] (rollback)
//
// The platform (keys from cose_fixed_keys.h, the published TEEP/SUIT signer
// and E.3 payload key, the fetch rule below) is mirrored by make_suit_seeds.cc,
// which signs the seed corpus with the fixed P-256 key so that seeds
// authenticate.
//
// Invariants, after every procedure: no crash; nothing left staged; the
// report encodes, decodes and re-encodes to the same bytes; report success
// agrees with the outcome; a failed procedure leaves the committed state as
// it was (component count, commit count, manifest records, the sequence
// numbers and the components the manifest names); a successful one commits
// exactly once. A successful update records every manifest it installed.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/suit/builder.h"
#include "core/suit/component_id.h"
#include "core/suit/envelope.h"
#include "core/suit/manifest.h"
#include "core/suit/memory_store.h"
#include "core/suit/processor.h"
#include "core/suit/report.h"
#include "cose_fixed_keys.h"
#include "fuzz_require.h"

namespace {

using namespace teep;
using namespace teep::suit;

enum Flags : uint8_t {
  kImplicitDependencyIntegrity = 1 << 0,
  kResign = 1 << 1,
  kNonce = 1 << 2,
  kSlotOne = 1 << 3,
  kFailCommit = 1 << 4,
  kPreinstalled = 1 << 5,
};

Bytes Hex(std::string_view hex) {
  auto b = HexDecode(hex);
  if (!b) __builtin_trap();
  return *b;
}

// What example.org serves in TEEP Appendix E (../shared/spec/teep/vectors):
// the TC binary of E.1 and the E.1 envelope, the dependency of E.3. With them
// the published e1 and e3 envelopes run to the end.
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

// The fetch rule (make_suit_seeds.cc relies on it):
//   the two TEEP Appendix E URIs -> the published bytes
//   a URI containing "404"  -> kNotFound
//   "hex:<hex digits>"      -> those bytes (how seeds serve a dependency envelope)
//   anything else           -> "fetched:" + uri + fetch-args
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
  Bytes out = ToBytes(AsBytes("fetched:"));
  out.insert(out.end(), uri.begin(), uri.end());
  out.insert(out.end(), args.begin(), args.end());
  return out;
}

// The signer key of TEEP Appendix E, which is also the key of the
// manifest-37 Appendix B examples (../shared/spec/*/vectors): trusting it
// lets the published envelopes in as they are.
constexpr std::string_view kPublishedSignerPem =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEhJaBGq4LqqvSYVcYnuzaJr6qi/Eb\n"
    "bz/m4rVlnIXbwK07HypLbAmBMcCjbazR14vTgdzfsJwFLbM5kdtzOLSolg==\n"
    "-----END PUBLIC KEY-----\n";

// Trust anchors: the fixed P-256 key (seeds), the fixed Ed25519 key (re-sign
// mode), the published signer.
const std::vector<crypto::PublicKey>& Anchors() {
  static const std::vector<crypto::PublicKey>* anchors = [] {
    auto* v = new std::vector<crypto::PublicKey>(teep::fuzz::FixedKeys().publics);
    auto published = crypto::PublicKey::FromPem(kPublishedSignerPem);
    if (!published.ok()) __builtin_trap();
    v->push_back(std::move(published).value());
    return v;
  }();
  return *anchors;
}

// The payload key-encryption key of TEEP Appendix E.3 (private scalar of
// keys/appE3-kek-p256.cose_key), so that e3's encrypted payload decrypts.
const crypto::PrivateKey& PublishedKek() {
  static const crypto::PrivateKey* key = [] {
    auto k = crypto::PrivateKey::FromRaw(
        crypto::KeyType::kP256, Hex("60fe6dd6d85d5740a5349b6f91267eeac5ba81b8cb53ee249e4b4eb102c476b3"));
    if (!k.ok()) __builtin_trap();
    return new crypto::PrivateKey(std::move(k).value());
  }();
  return *key;
}

Platform MakePlatform(MemoryStore* store, uint8_t flags) {
  const auto& keys = teep::fuzz::FixedKeys();
  Platform p;
  p.store = store;
  p.trust_anchors.keys = Anchors();
  // Identities of TEEP Appendix E and of manifest-37 Appendix B.
  p.vendor_ids = {Hex("c0ddd5f15243566087db4f5b0aa26c2f"), Hex("fa6b4a53d5ad5fdfbe9de663e4d41ffe")};
  p.class_ids = {Hex("db42f7093d8c55baa8c5265fc5820f4e"), Hex("1492af1425695e48bf429b2d51f2ab45")};
  p.device_ids = {Hex("00112233445566778899aabbccddeeff")};
  p.decryption_keys.push_back(cose::EcdhKey{&keys.p256, {}, {}});
  p.decryption_keys.push_back(cose::KeyWrapKey{keys.kek, {}});
  p.decryption_keys.push_back(cose::EcdhKey{&PublishedKek(), {}, {}});
  p.fetch = FetchRule;
  p.invoke = [](const ComponentId&, ByteView args) -> Status {
    // Deterministic refusal for one argument, to reach the failure path.
    if (AsChars(args) == "refuse") return Status(StatusCode::kIoError, "invoke refused");
    return OkStatus();
  };
  const uint64_t slot = (flags & kSlotOne) ? 1 : 0;
  p.component_slot = [slot](const ComponentId&) { return std::optional<uint64_t>(slot); };
  p.now = [] { return std::optional<uint64_t>(1'800'000'000); };
  p.battery_mwh = [] { return std::optional<uint64_t>(500); };
  p.update_authorized = [](int64_t priority) { return priority <= 0; };
  p.version = [](const ComponentId& id) -> std::optional<std::vector<int64_t>> {
    if (id.size() == 1 && AsChars(id[0]) == "app") return std::vector<int64_t>{1, 2, 3};
    return std::nullopt;
  };
  p.wait = [](ByteView info) -> Status {
    if (info.empty()) return Status(StatusCode::kNotFound, "nothing to wait for");
    return OkStatus();
  };
  return p;
}

// Re-signs the manifest of `input` with the fixed Ed25519 key (deterministic
// signatures), keeping integrated payloads, severed members and the tag.
std::optional<Bytes> Resign(ByteView input) {
  auto envelope = DecodeEnvelope(input);
  if (!envelope.ok()) return std::nullopt;
  EnvelopeParts parts;
  parts.manifest = ToBytes(envelope->manifest.content);
  parts.tagged = envelope->tagged;
  for (const auto& s : envelope->severed) parts.severed.emplace_back(s.key, ToBytes(s.value.content));
  for (const auto& p : envelope->integrated_payloads) {
    parts.integrated.emplace_back(std::string(p.key), ToBytes(p.bytes));
  }
  auto signed_envelope = SignEnvelope(parts, teep::fuzz::FixedKeys().ed25519);
  if (!signed_envelope.ok()) return std::nullopt;
  return std::move(signed_envelope).value();
}

// What a failed procedure must leave exactly as it was.
struct Snapshot {
  size_t component_count = 0;
  size_t commit_count = 0;
  std::vector<ManifestRecord> manifests;
  std::map<Bytes, std::optional<Bytes>> components;      // watched components
  std::map<Bytes, std::optional<uint64_t>> sequences;    // watched slots
};

bool SameRecords(const std::vector<ManifestRecord>& a, const std::vector<ManifestRecord>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].manifest_id != b[i].manifest_id || a[i].sequence_number != b[i].sequence_number ||
        a[i].envelope != b[i].envelope || a[i].reference_count != b[i].reference_count) {
      return false;
    }
  }
  return true;
}

// The keys worth watching: the pre-installed ones, and (decoded without
// authentication, which a harness may do) the manifest's slot and components.
struct Watch {
  std::vector<Bytes> components;
  std::vector<Bytes> slots;
};

Watch WatchFor(ByteView envelope_bytes) {
  Watch w;
  w.components.push_back(EncodeComponentId({Hex("00")}));
  w.components.push_back(EncodeComponentId({AsBytes("app")}));
  w.slots.push_back(EncodeComponentId({AsBytes("old")}));
  auto envelope = DecodeEnvelope(envelope_bytes);
  if (!envelope.ok()) return w;
  auto manifest = DecodeManifest(envelope->manifest.content);
  if (!manifest.ok() || manifest->common.components.empty()) return w;
  for (const auto& id : manifest->common.components) w.components.push_back(EncodeComponentId(id));
  w.slots.push_back(ManifestSlot(*manifest));
  return w;
}

Snapshot Take(MemoryStore& store, const Watch& watch) {
  FUZZ_REQUIRE(!store.HasStagedChanges());
  Snapshot s;
  s.component_count = store.CommittedComponentCount();
  s.commit_count = store.CommitCount();
  auto list = store.ListManifests();  // nothing staged: the committed records
  FUZZ_REQUIRE(list.ok());
  s.manifests = std::move(list).value();
  for (const auto& c : watch.components) s.components[c] = store.CommittedComponent(c);
  for (const auto& m : s.manifests) s.sequences[m.manifest_id] = store.CommittedSequence(m.manifest_id);
  for (const auto& slot : watch.slots) s.sequences[slot] = store.CommittedSequence(slot);
  return s;
}

void RequireUnchanged(MemoryStore& store, const Snapshot& before) {
  FUZZ_REQUIRE(store.CommittedComponentCount() == before.component_count);
  FUZZ_REQUIRE(store.CommitCount() == before.commit_count);
  auto list = store.ListManifests();
  FUZZ_REQUIRE(list.ok());
  FUZZ_REQUIRE(SameRecords(*list, before.manifests));
  for (const auto& [key, content] : before.components) {
    FUZZ_REQUIRE(store.CommittedComponent(key) == content);
  }
  for (const auto& [slot, sequence] : before.sequences) {
    FUZZ_REQUIRE(store.CommittedSequence(slot) == sequence);
  }
}

// SUIT_FUZZ_VERBOSE=1: print each procedure's outcome (to see what a seed
// reaches: fuzz_suit_process SEED with the variable set).
bool Verbose() {
  static const bool verbose = std::getenv("SUIT_FUZZ_VERBOSE") != nullptr;
  return verbose;
}

// Checks shared by every procedure's outcome.
void CheckOutcome(const char* procedure, const Outcome& outcome, MemoryStore& store,
                  const Snapshot& before, const ProcessOptions& options) {
  if (Verbose()) {
    std::fprintf(stderr, "%s: %s\n  %s\n", procedure, outcome.status.ToString().c_str(),
                 DescribeReport(outcome.report).c_str());
  }
  FUZZ_REQUIRE(!store.HasStagedChanges());
  FUZZ_REQUIRE(outcome.ok() == outcome.report.succeeded());
  FUZZ_REQUIRE(outcome.report.nonce.has_value() == options.nonce.has_value());
  auto encoded = EncodeReport(outcome.report);
  FUZZ_REQUIRE(encoded.ok());
  auto decoded = DecodeReport(*encoded);
  FUZZ_REQUIRE(decoded.ok());
  FUZZ_REQUIRE(decoded->succeeded() == outcome.report.succeeded());
  auto again = EncodeReport(*decoded);
  FUZZ_REQUIRE(again.ok());
  FUZZ_REQUIRE(*again == *encoded);
  (void)DescribeReport(outcome.report);
  if (outcome.ok()) {
    FUZZ_REQUIRE(store.CommitCount() == before.commit_count + 1);
  } else {
    FUZZ_REQUIRE(outcome.installed.empty() && outcome.removed.empty());
    RequireUnchanged(store, before);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t flags = data[0];
  Bytes envelope(data + 1, data + size);
  if (flags & kResign) {
    auto resigned = Resign(envelope);
    if (resigned) envelope = std::move(*resigned);
  }

  MemoryStore store;
  const Platform platform = MakePlatform(&store, flags);
  ProcessorPolicy policy;
  policy.implicit_dependency_integrity = (flags & kImplicitDependencyIntegrity) != 0;
  ProcessOptions options;
  const Bytes token = Hex("a0a1a2a3a4a5a6a7");
  if (flags & kNonce) options.nonce = ByteView(token);

  if (flags & kPreinstalled) {
    FUZZ_REQUIRE(store.Write(EncodeComponentId({Hex("00")}), AsBytes("old firmware")).ok());
    FUZZ_REQUIRE(store.Write(EncodeComponentId({AsBytes("app")}), AsBytes("old app")).ok());
    FUZZ_REQUIRE(store.RaiseSequence(EncodeComponentId({AsBytes("old")}), 7).ok());
    FUZZ_REQUIRE(store.Commit().ok());
  }
  if (flags & kFailCommit) store.FailNextCommit();
  const Watch watch = WatchFor(envelope);

  // ---- Update ----
  Snapshot before = Take(store, watch);
  Outcome update = Update(envelope, platform, policy, options);
  CheckOutcome("update", update, store, before, options);
  if (update.ok()) {
    FUZZ_REQUIRE(!update.installed.empty());
    for (const Bytes& slot : update.installed) {
      auto record = store.CommittedManifest(slot);
      FUZZ_REQUIRE(record.has_value());
      FUZZ_REQUIRE(record->reference_count >= 1);
      auto sequence = store.CommittedSequence(slot);
      FUZZ_REQUIRE(sequence.has_value() && *sequence >= record->sequence_number);
      // The record keeps the manifest, never the integrated payloads.
      auto kept = DecodeEnvelope(record->envelope);
      FUZZ_REQUIRE(kept.ok());
      FUZZ_REQUIRE(kept->integrated_payloads.empty() && kept->severed.empty());
    }
  }

  // ---- Invoke ----
  before = Take(store, watch);
  Outcome invoke = Invoke(envelope, platform, policy, options);
  CheckOutcome("invoke", invoke, store, before, options);
  if (invoke.ok()) {
    // Invocation never installs or forgets a manifest.
    auto list = store.ListManifests();
    FUZZ_REQUIRE(list.ok() && SameRecords(*list, before.manifests));
  }

  // ---- Uninstall of everything installed ----
  auto installed = store.ListManifests();
  FUZZ_REQUIRE(installed.ok());
  for (const ManifestRecord& record : *installed) {
    before = Take(store, watch);
    auto current = store.CommittedManifest(record.manifest_id);
    const std::optional<uint64_t> sequence = store.CommittedSequence(record.manifest_id);
    Outcome uninstall = Uninstall(record.manifest_id, platform, policy, options);
    CheckOutcome("uninstall", uninstall, store, before, options);
    if (uninstall.ok()) {
      FUZZ_REQUIRE(current.has_value());
      auto after = store.CommittedManifest(record.manifest_id);
      if (current->reference_count > 1) {
        FUZZ_REQUIRE(after.has_value() && after->reference_count == current->reference_count - 1);
      } else {
        FUZZ_REQUIRE(!after.has_value());
      }
      // Anti-rollback state survives an uninstall (component_store.h).
      FUZZ_REQUIRE(store.CommittedSequence(record.manifest_id) == sequence);
    }
  }
  return 0;
}
