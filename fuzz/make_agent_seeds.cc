// Writes the seed corpora of fuzz_agent and fuzz_device_codecs:
//
//   CORPUS/agent/          TEEP message payloads (fuzz_agent signs each with
//                          its fixed TAM key): QueryRequests over data items,
//                          challenge, freshness, versions, suites, profiles
//                          and extensions; Updates carrying the published
//                          TEEP Appendix E envelopes and manifests signed with
//                          the fixed TC signer keys of cose_fixed_keys.h (which
//                          fuzz_agent trusts), unneeded-manifest-list, err-code,
//                          passport, replayed token, too many manifests; the
//                          messages an Agent must refuse (QueryResponse,
//                          Success, Error); whole COSE messages for the
//                          unsigned run (untrusted signer, forged signature,
//                          legacy alg); the published D.1-D.6 payloads.
//   CORPUS/device_codecs/  one selector byte (device_codecs_fuzzer.cc) and an
//                          encoding made with the real encoders, plus a few
//                          rejection cases per decoder.
//
// The names, URIs and pre-installed state they refer to are those of
// agent_fuzzer.cc (TAM "https://tam.example/tam", pre-installed TC ["pre"]
// with manifest id ["pre.suit"] and sequence number 2, remembered token
// "replayed").
// Every signature here is Ed25519 or published, so the output is the same
// on every run, except the P-256-signed seeds (ECDSA is randomised):
// update-tc-p256, update-tc-encrypted (ephemeral key) and the cose-* ones.
//
// Usage: make_agent_seeds CORPUS [SPEC_DIR]   (e.g. fuzz/corpus; SPEC_DIR
// defaults to TEEP_SPEC_DIR)
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "core/agent/agent_state.h"
#include "core/agent/inventory.h"
#include "core/cose/sign.h"
#include "core/suit/builder.h"
#include "core/teep/codec.h"
#include "core/teep/messages.h"
#include "core/teep/signing.h"
#include "cose_fixed_keys.h"
#include "host/device/provisioning.h"
#include "host/device/tee_ops.h"

#ifndef TEEP_SPEC_DIR
#define TEEP_SPEC_DIR "../shared/spec"
#endif

namespace {

using namespace teep;

constexpr char kTamUri[] = "https://tam.example/tam";
constexpr char kOtherTamUri[] = "https://other-tam.example/tam";

std::string agent_dir;
std::string codecs_dir;
std::string spec_dir;
int written = 0;

template <typename T>
T Must(Result<T> r, const std::string& what) {
  if (!r.ok()) {
    std::cerr << what << ": " << r.status().ToString() << "\n";
    std::exit(1);
  }
  return std::move(r).value();
}

void WriteFile(const std::string& path, const Bytes& prefix, const Bytes& body) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(prefix.data()), static_cast<std::streamsize>(prefix.size()));
  f.write(reinterpret_cast<const char*>(body.data()), static_cast<std::streamsize>(body.size()));
  if (!f) {
    std::cerr << "cannot write " << path << "\n";
    std::exit(1);
  }
  ++written;
}

Bytes Hex(std::string_view hex) {
  auto b = HexDecode(hex);
  if (!b) std::abort();
  return *b;
}
Bytes Str(std::string_view s) { return ToBytes(AsBytes(s)); }

Bytes Vector(const std::string& name) {
  const std::string path = spec_dir + "/teep/vectors/" + name + ".hex";
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  auto bytes = HexDecode(text.str());
  if (!in || !bytes) {
    std::cerr << path << ": missing or not hex\n";
    std::exit(1);
  }
  return *bytes;
}

// ---- fuzz_agent ----------------------------------------------------------------------

void Agent(const std::string& name, const msg::Message& message) {
  WriteFile(agent_dir + "/" + name, {}, Must(msg::EncodeMessage(message), name));
}
void AgentRaw(const std::string& name, const Bytes& payload) { WriteFile(agent_dir + "/" + name, {}, payload); }

Bytes Token(uint8_t first, size_t n = 16) {
  Bytes t(n);
  for (size_t i = 0; i < n; ++i) t[i] = static_cast<uint8_t>(first + i);
  return t;
}

msg::QueryRequest Query(uint64_t items) {
  msg::QueryRequest q;
  q.token = Token(0xa0);
  q.supported_teep_cipher_suites = {msg::SuiteSign1Esp256(), msg::SuiteSign1Ed25519()};
  q.supported_suit_cose_profiles = msg::MandatorySuitCoseProfiles();
  q.data_item_requested = items;
  return q;
}

void QueryRequests() {
  using msg::kDataItemAttestation, msg::kDataItemTrustedComponents;
  msg::QueryRequest q = Query(kDataItemAttestation);
  q.challenge = Token(0x10, 32);
  Agent("qr-attestation-challenge", q);
  Agent("qr-tc-list", Query(kDataItemTrustedComponents));
  Agent("qr-nothing", Query(0));

  msg::QueryRequest all = Query(msg::kDefinedDataItems);
  all.challenge = Token(0x20, 16);
  all.supported_freshness_mechanisms = std::vector<uint64_t>{msg::kFreshnessNonce, msg::kFreshnessTimestamp};
  all.versions = std::vector<uint32_t>{msg::kTeepVersion, 7};
  Agent("qr-all-items-both-freshness", all);

  // Evidence over the token (no challenge), and without either.
  Agent("qr-attestation-token-nonce", Query(kDataItemAttestation | kDataItemTrustedComponents));
  msg::QueryRequest bare = Query(kDataItemAttestation);
  bare.token.reset();
  Agent("qr-attestation-no-token-no-challenge", bare);
  // Timestamp only: the stored passport (or timestamped Evidence).
  msg::QueryRequest ts = Query(kDataItemAttestation);
  ts.supported_freshness_mechanisms = std::vector<uint64_t>{msg::kFreshnessTimestamp};
  Agent("qr-timestamp-passport", ts);
  ts.challenge = Token(0x30, 8);
  Agent("qr-timestamp-with-challenge", ts);
  msg::QueryRequest unknown_fresh = Query(kDataItemAttestation);
  unknown_fresh.supported_freshness_mechanisms = std::vector<uint64_t>{2};
  Agent("qr-freshness-unsupported", unknown_fresh);
  msg::QueryRequest long_challenge = Query(kDataItemAttestation);
  long_challenge.challenge = Token(0x00, 100);
  Agent("qr-challenge-too-long-for-eat-nonce", long_challenge);

  msg::QueryRequest versions = Query(kDataItemTrustedComponents);
  versions.versions = std::vector<uint32_t>{1, 2};
  Agent("qr-version-unsupported", versions);
  msg::QueryRequest ed = Query(kDataItemTrustedComponents);
  ed.supported_teep_cipher_suites = {msg::SuiteSign1Ed25519()};
  Agent("qr-suite-ed25519-only", ed);
  msg::QueryRequest multi = Query(kDataItemTrustedComponents);
  multi.supported_teep_cipher_suites = {msg::CipherSuite{{18, -7}}, msg::CipherSuite{{18, -9}, {17, 5}}};
  Agent("qr-suite-unknown", multi);
  msg::QueryRequest profiles = Query(kDataItemTrustedComponents);
  profiles.supported_suit_cose_profiles = {{-16, -7, -29, 1}};
  Agent("qr-suit-profile-unsupported", profiles);
  msg::QueryRequest ext = Query(kDataItemTrustedComponents);
  ext.extensions.push_back({100, Hex("f5")});
  Agent("qr-extension", ext);
  // The TAM's own attestation (ignored: this Agent does not require it).
  msg::QueryRequest tam_att = Query(kDataItemTrustedComponents);
  tam_att.attestation_payload = Str("tam evidence");
  tam_att.attestation_payload_format = "application/eat+cwt";
  Agent("qr-tam-attestation-payload", tam_att);
}

Bytes Build(suit::ManifestSpec spec, bool p256 = false) {
  const auto& keys = teep::fuzz::FixedKeys();
  return Must(suit::BuildEnvelope(spec, p256 ? keys.p256 : keys.ed25519), "BuildEnvelope");
}

suit::ManifestSpec Tc(std::string_view name, uint64_t sequence = 1) {
  suit::ManifestSpec spec;
  spec.sequence_number = sequence;
  spec.component_id = {Str(name)};
  spec.manifest_component_id = std::vector<Bytes>{Str(std::string(name) + ".suit")};
  spec.vendor_id = Hex("c0ddd5f15243566087db4f5b0aa26c2f");
  spec.class_id = Hex("db42f7093d8c55baa8c5265fc5820f4e");
  spec.payload = Str("trusted component " + std::string(name));
  return spec;
}

msg::Update UpdateWith(std::vector<Bytes> manifests, uint8_t token = 0xb0) {
  msg::Update u;
  u.token = Token(token);
  if (!manifests.empty()) u.manifest_list = std::move(manifests);
  return u;
}

void Updates() {
  const Bytes e1 = Vector("e1-suit-uri");
  const Bytes e2 = Vector("e2-suit-integrated");
  const Bytes e3 = Vector("e3-suit-personalization");
  Agent("update-e1-uri", UpdateWith({e1}));
  Agent("update-e2-integrated", UpdateWith({e2}));
  Agent("update-e3-personalization", UpdateWith({e3}));
  Agent("update-e1-then-e2", UpdateWith({e1, e2}));
  msg::Update no_token = UpdateWith({e2});
  no_token.token.reset();
  Agent("update-e2-no-token", no_token);
  Bytes forged = e2;
  forged[40] ^= 0x01;  // inside the SUIT_Digest of the authentication wrapper
  Agent("update-e2-bad-digest", UpdateWith({forged}));
  forged = e2;
  forged[60] ^= 0x01;  // inside the COSE_Sign1 signature
  Agent("update-e2-bad-signature", UpdateWith({forged}));

  Agent("update-tc-wanted", UpdateWith({Build(Tc("wanted"))}));
  Agent("update-tc-p256", UpdateWith({Build(Tc("app"), true)}));
  // The pre-installed ["pre.suit"] has sequence number 2.
  Agent("update-pre-upgrade", UpdateWith({Build(Tc("pre", 3))}));
  Agent("update-pre-same-sequence", UpdateWith({Build(Tc("pre", 2))}));
  Agent("update-pre-rollback", UpdateWith({Build(Tc("pre", 1))}));
  suit::ManifestSpec uri = Tc("fetched");
  uri.payload_uri = "https://tc.example/fetched.bin";
  uri.payload = Str("fetched:https://tc.example/fetched.bin");
  Agent("update-tc-uri", UpdateWith({Build(uri)}));
  suit::ManifestSpec missing = Tc("missing");
  missing.payload_uri = "https://tc.example/404.bin";
  Agent("update-tc-uri-404", UpdateWith({Build(missing)}));
  crypto::PublicKey device = teep::fuzz::FixedKeys().p256.Public();
  suit::ManifestSpec enc = Tc("secret");
  enc.encryption = suit::PayloadEncryption{&device, {}, 1};
  Agent("update-tc-encrypted", UpdateWith({Build(enc)}));
  suit::ManifestSpec deps = Tc("main");
  deps.dependencies.push_back({Build(Tc("lib", 2)), std::nullopt});
  Agent("update-tc-dependency", UpdateWith({Build(deps)}));
  // The second manifest fails: Error 11 with two reports, one commit.
  Agent("update-good-then-404", UpdateWith({Build(Tc("wanted")), Build(missing)}));

  // unneeded-manifest-list: the pre-installed TC, one that is not there,
  // then with a manifest after the unlink.
  msg::Update unlink = UpdateWith({});
  unlink.unneeded_manifest_list = std::vector<msg::ComponentId>{{Str("pre.suit")}};
  Agent("update-unneeded-pre", unlink);
  unlink.unneeded_manifest_list = std::vector<msg::ComponentId>{{Str("absent.suit")}, {Str("pre.suit")}};
  unlink.manifest_list = std::vector<Bytes>{e2};
  Agent("update-unneeded-pre-and-e2", unlink);

  // The TAM reports an error of its own (P §4.4 err-code).
  msg::Update err = UpdateWith({});
  err.err_code = msg::ErrCode(msg::ErrorCode::kTemporaryError);
  err.err_msg = "TAM cannot reach the TC developer";
  err.err_lang = "en";
  Agent("update-err-code", err);
  msg::Update passport = UpdateWith({e2});
  passport.attestation_payload = Str("attestation result from a verifier");
  passport.attestation_payload_format = "application/eat+cwt";
  Agent("update-passport", passport);
  msg::Update ext = UpdateWith({e2});
  ext.extensions.push_back({200, Hex("01")});
  Agent("update-extension", ext);
  msg::Update replayed = UpdateWith({e2});
  replayed.token = Str("replayed");
  Agent("update-replayed-token", replayed);
  Agent("update-empty", UpdateWith({}));
  std::vector<Bytes> five;
  for (int i = 0; i < 5; ++i) five.push_back(e2);
  Agent("update-too-many-manifests", UpdateWith(five));
  Agent("update-manifest-not-envelope", UpdateWith({Hex("820102")}));
}

void WrongDirection() {
  msg::Success success;
  success.token = Token(0xc0);
  Agent("success-wrong-direction", success);
  msg::Error error;
  error.token = Token(0xc0);
  error.err_code = msg::ErrCode(msg::ErrorCode::kPermanentError);
  error.err_msg = "no";
  Agent("error-wrong-direction", error);
  msg::QueryResponse response;
  response.token = Token(0xc0);
  response.selected_version = 0;
  Agent("query-response-wrong-direction", response);
  AgentRaw("not-cbor", Str("hello"));
  AgentRaw("empty-array", Hex("80"));
}

// Whole COSE messages, for the Agent that gets the input unsigned (the
// signed run sees them as payloads that do not decode): a signer the Agent
// does not trust (ERR_BAD_CERTIFICATE), the TAM's kid over a bad signature
// (ERR_PERMANENT_ERROR), COSE_Sign with two untrusted signers, and the
// legacy ES256 algorithm with the TAM's key.
void CoseMessages() {
  // The fixed TAM key of agent_fuzzer.cc: P-256, d = 0x41 0x42 ... 0x60.
  Bytes d(32);
  for (size_t i = 0; i < d.size(); ++i) d[i] = static_cast<uint8_t>(0x41 + i);
  const crypto::PrivateKey tam = Must(crypto::PrivateKey::FromRaw(crypto::KeyType::kP256, d), "TAM key");
  const auto& keys = teep::fuzz::FixedKeys();
  const Bytes query = Must(msg::EncodeMessage(Query(msg::kDataItemTrustedComponents)), "query");

  AgentRaw("cose-untrusted-signer", Must(msg::SignMessage(query, keys.ed25519, msg::SuiteSign1Ed25519()), "sign"));
  Bytes forged = Must(msg::SignMessage(query, tam, msg::SuiteSign1Esp256()), "sign");
  forged.back() ^= 0x01;
  AgentRaw("cose-tam-kid-bad-signature", forged);
  const msg::Signer signers[] = {{&keys.p256, msg::SuiteSign1Esp256()}, {&keys.ed25519, msg::SuiteSign1Ed25519()}};
  AgentRaw("cose-sign-untrusted-signers", Must(msg::SignMessageMulti(query, signers), "sign"));
  cose::SignOptions legacy;
  legacy.alg = -7;  // ES256
  AgentRaw("cose-tam-legacy-es256", Must(cose::CreateSign1(tam, query, legacy), "sign"));
}

void PublishedMessages() {
  for (const char* name : {"d1-query-request", "d3-query-response", "d4-update", "d5-success", "d6-error"}) {
    AgentRaw(std::string("vec-") + name, Vector(name));
  }
}

// ---- fuzz_device_codecs ------------------------------------------------------------------

void Codec(const std::string& name, uint8_t selector, const Bytes& body) {
  WriteFile(codecs_dir + "/" + name, {selector}, body);
}

void DeviceCodecs() {
  using namespace teep::host::device;
  // 0: AgentState (the fuzz_agent initial state, an empty one).
  agent::AgentState s;
  Codec("state-empty", 0, Must(agent::EncodeAgentState(s), "state"));
  s.requested.push_back({{Str("wanted")}, kTamUri});
  s.unneeded.push_back({{Str("TEEP-Device"), Str("SecureFS"), Str("pre")}, kOtherTamUri});
  s.seen_update_tokens = {Str("replayed"), Token(0xb0)};
  s.passport = Str("a relayed attestation result");
  s.passport_format = "application/eat+cwt";
  Codec("state-full", 0, Must(agent::EncodeAgentState(s), "state"));
  Codec("state-overlong-head", 0, Hex("980601808080f6f6"));   // array(6) in a 1-byte length
  Codec("state-format-2", 0, Hex("8602808080f6f6"));
  Codec("state-passport-text", 0, Hex("86018080806161f6"));

  // 1: RequestTa.
  Codec("request-ta-uri", 1, Must(EncodeRequestTa({{Str("TEEP-Device"), Str("app.ta")}, kTamUri}), "rta"));
  Codec("request-ta-null", 1, Must(EncodeRequestTa({{Str("app")}, std::nullopt}), "rta"));
  Codec("request-ta-three", 1, Hex("83814161f6f6"));
  // 2: component id.
  Codec("component-empty", 2, Must(EncodeComponent({}), "component"));
  Codec("component-parts", 2, Must(EncodeComponent({Str(""), Str("SecureFS"), Hex("8d82573a")}), "component"));
  Codec("component-text-part", 2, Hex("816161"));
  // 3: TAM URI list.
  Codec("uris-two", 3, Must(EncodeUriList({kTamUri, kOtherTamUri}), "uris"));
  Codec("uris-empty", 3, Must(EncodeUriList({}), "uris"));
  Codec("uris-bad-utf8", 3, Hex("8162c328"));
  // 4: tc list.
  agent::InstalledTc tc;
  tc.manifest_id = {Str("app.suit")};
  tc.component_id = {Str("app")};
  tc.sequence_number = 3;
  tc.image_digest = Hex("822f5820a7fd6593eac32eb4be578278e6540c5c09cfd7d4d234973054833b2b93030609");
  tc.image_size = 20;
  agent::InstalledTc bare;
  bare.manifest_id = {Str("lib.suit")};
  bare.component_id = {Str("lib")};
  Codec("tcs-two", 4, Must(EncodeTcList({tc, bare}), "tcs"));
  Codec("tcs-empty", 4, Must(EncodeTcList({}), "tcs"));
  Codec("tcs-four-fields", 4, Hex("818480800000"));
  // 5: provisioning.
  const auto& keys = teep::fuzz::FixedKeys();
  Provisioning p;
  p.tams.push_back({kTamUri, keys.p256.Public()});
  p.tams.push_back({kOtherTamUri, keys.ed25519.Public()});
  p.signers.push_back(keys.p256.Public());
  p.vendor_ids.push_back(Hex("c0ddd5f15243566087db4f5b0aa26c2f"));
  Codec("provisioning-two-tams", 5, Must(EncodeProvisioning(p), "provisioning"));
  Provisioning empty;
  Codec("provisioning-empty", 5, Must(EncodeProvisioning(empty), "provisioning"));
  Codec("provisioning-bad-pem", 5, Hex("8681826161636e6f708063686d77636877768080"));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::cerr << "usage: make_agent_seeds CORPUS [SPEC_DIR]   (writes CORPUS/agent and CORPUS/device_codecs)\n";
    return 2;
  }
  agent_dir = std::string(argv[1]) + "/agent";
  codecs_dir = std::string(argv[1]) + "/device_codecs";
  spec_dir = argc == 3 ? argv[2] : TEEP_SPEC_DIR;
  std::filesystem::create_directories(agent_dir);
  std::filesystem::create_directories(codecs_dir);
  QueryRequests();
  Updates();
  WrongDirection();
  CoseMessages();
  PublishedMessages();
  DeviceCodecs();
  std::cout << "wrote " << written << " seeds under " << argv[1] << "\n";
  return 0;
}
