// Writes the seed corpus of fuzz_tam (tam_fuzzer.cc): TEEP message payloads
// that the harness signs with its registered device keys, reaching every
// path of the TAM core with the tokens, repository, policies and keys that
// tam_fuzzer.cc sets up:
//
//   qr-*       QueryResponses: attested (Evidence signed with the fixed
//              attestation key over the fixed challenge, cnf = the P-256 or
//              the Ed25519 device), with tc-list / requested-tc-list /
//              unneeded-manifest-list / suit-reports, and the refusals (no
//              Evidence, wrong nonce, wrong cnf, unknown key, garbage);
//              tc-list only (token b0..bf), token as nonce (c0..cf)
//   success-*, error-*   for the Update tokens (a0..af with a plan in pass 2,
//              d0..df, e0..ef issued for the other device), with SUIT Reports
//              carrying the token or a foreign nonce
//   misc-*     no token, an unknown token, wrong direction (QueryRequest,
//              Update), extensions
//   cose-*     whole COSE_Sign1 messages for the unsigned pass: signed by an
//              unregistered key, without kid, and one by the registered
//              P-256 device (which the raw pass then accepts)
//   pub-*      the published D.1-D.6 payloads
//
// Usage: make_tam_seeds CORPUS [SPEC_DIR]   (writes CORPUS/tam/; SPEC_DIR
// defaults to TEEP_SPEC_DIR). Ed25519 signatures are deterministic, ECDSA
// ones are not, so the P-256-signed seeds (Evidence, cose-*) change on every
// run; what they reach does not.
#include <cctype>
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

#include "core/agent/inventory.h"
#include "core/cose/key.h"
#include "core/cose/sign.h"
#include "core/eat/evidence.h"
#include "core/suit/report.h"
#include "core/teep/codec.h"
#include "core/teep/messages.h"
#include "core/teep/signing.h"

#ifndef TEEP_SPEC_DIR
#define TEEP_SPEC_DIR "../shared/spec"
#endif

namespace {

using namespace teep;

// tam_fuzzer.cc's values.
constexpr std::string_view kChallengeHex =
    "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf";
constexpr std::string_view kHwmodelHex = "549dcecc8b987c737b44e40f7c635ce8";

template <typename T>
T Must(Result<T> r, const std::string& what) {
  if (!r.ok()) {
    std::cerr << "make_tam_seeds: " << what << ": " << r.status().ToString() << "\n";
    std::exit(1);
  }
  return std::move(r).value();
}

Bytes Hex(std::string_view hex) {
  auto b = HexDecode(hex);
  if (!b) std::abort();
  return *b;
}
Bytes Str(std::string_view s) { return ToBytes(AsBytes(s)); }
Bytes Token(uint8_t first) {
  Bytes t(16);
  for (size_t i = 0; i < t.size(); ++i) t[i] = static_cast<uint8_t>(first + i);
  return t;
}

crypto::PrivateKey FixedKey(crypto::KeyType type, uint8_t first) {
  Bytes d(32);
  for (size_t i = 0; i < d.size(); ++i) d[i] = static_cast<uint8_t>(first + i);
  return Must(crypto::PrivateKey::FromRaw(type, d), "fixed key");
}

Bytes KidOf(const crypto::PublicKey& key) {
  auto kid = Must(cose::Thumbprint(key), "thumbprint");
  return Bytes(kid.begin(), kid.end());
}

struct Keys {
  crypto::PrivateKey device_p256 = FixedKey(crypto::KeyType::kP256, 0x61);
  crypto::PrivateKey device_ed = FixedKey(crypto::KeyType::kEd25519, 0x81);
  crypto::PrivateKey attest = FixedKey(crypto::KeyType::kP256, 0x71);
  crypto::PrivateKey stranger = FixedKey(crypto::KeyType::kP256, 0x91);
};

class Writer {
 public:
  explicit Writer(std::filesystem::path dir) : dir_(std::move(dir)) {
    std::filesystem::create_directories(dir_);
  }
  void Put(const std::string& name, ByteView bytes) {
    std::ofstream out(dir_ / name, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
      std::cerr << "make_tam_seeds: cannot write " << (dir_ / name) << "\n";
      std::exit(1);
    }
    ++count_;
  }
  void Message(const std::string& name, const msg::Message& m) {
    Put(name, Must(msg::EncodeMessage(m), name));
  }
  size_t count() const { return count_; }

 private:
  std::filesystem::path dir_;
  size_t count_ = 0;
};

msg::ComponentId Id(std::string_view part) { return {Str(part)}; }

Bytes Evidence(const Keys& k, const Bytes& nonce, const Bytes& cnf_kid,
               std::optional<Bytes> hwmodel = std::nullopt, const crypto::PrivateKey* signer = nullptr) {
  eat::Claims c;
  c.eat_nonce = nonce;
  c.ueid = Hex("0198f50a4ff6c05861c8860d13a638ea4fe2fa");
  c.oemid = eat::OemidIeee{0x89, 0x48, 0x23};
  c.hwmodel = hwmodel.value_or(Hex(kHwmodelHex));
  c.hwversion = eat::HwVersion{"1.3.4", 1};
  c.dbgstat = eat::DebugStatus::kDisabledPermanently;
  c.eat_profile = std::string(eat::kTeepEatProfile);
  c.cnf_kid = cnf_kid;
  c.manifests.push_back(Must(
      agent::EatManifestEntry("urn:teep:agent",
                              Hex("822f5820a7fd6593eac32eb4be578278e6540c5c09cfd7d4d234973054833b2b93030609")),
      "manifests entry"));
  return Must(eat::SignEvidence(c, signer != nullptr ? *signer : k.attest), "SignEvidence");
}

Bytes Report(const Bytes& nonce) {
  suit::Report r;
  r.manifest_digest = Hex("822f5820a7fd6593eac32eb4be578278e6540c5c09cfd7d4d234973054833b2b93030609");
  r.nonce = nonce;
  return Must(suit::EncodeReport(r), "EncodeReport");
}

msg::SystemPropertyClaims Entry(std::string_view id) {
  return msg::SystemPropertyClaims::ForComponent(Id(id));
}

std::optional<Bytes> ReadHexFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  std::string hex;
  for (char c : ss.str()) {
    if (std::isxdigit(static_cast<unsigned char>(c))) hex.push_back(c);
  }
  return HexDecode(hex);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: make_tam_seeds CORPUS [SPEC_DIR]\n";
    return 2;
  }
  const std::filesystem::path spec = argc > 2 ? argv[2] : TEEP_SPEC_DIR;
  Writer w(std::filesystem::path(argv[1]) / "tam");
  Keys k;
  const Bytes challenge = Hex(kChallengeHex);
  const Bytes p256_kid = KidOf(k.device_p256.Public());
  const Bytes ed_kid = KidOf(k.device_ed.Public());
  const Bytes a0 = Token(0xa0), b0 = Token(0xb0), c0 = Token(0xc0), d0 = Token(0xd0),
              e0 = Token(0xe0), f0 = Token(0xf0);

  // ---- QueryResponses -----------------------------------------------------------------
  {
    msg::QueryResponse r;
    r.token = a0;
    r.attestation_payload = Evidence(k, challenge, p256_kid);
    r.tc_list = std::vector<msg::SystemPropertyClaims>{Entry("app"), Entry("other")};
    w.Message("qr-attested-tc-list", r);  // app 1 -> 2; other: class requires, device removes

    r.tc_list.reset();
    r.requested_tc_list = std::vector<msg::RequestedTcInfo>{{Id("other"), std::nullopt, false},
                                                           {Id("absent"), 3, true}};
    w.Message("qr-attested-requested", r);

    r.requested_tc_list.reset();
    r.tc_list = std::vector<msg::SystemPropertyClaims>{Entry("app")};
    r.unneeded_manifest_list = std::vector<msg::ComponentId>{Id("app.suit"), Id("other.suit")};
    w.Message("qr-attested-unneeded", r);

    r.unneeded_manifest_list.reset();
    r.tc_list = std::vector<msg::SystemPropertyClaims>{Entry("app.suit"), Entry("unknown")};
    r.suit_reports = std::vector<Bytes>{Report(a0)};
    w.Message("qr-attested-reports", r);
    r.suit_reports = std::vector<Bytes>{Report(Token(0x00))};
    w.Message("qr-attested-foreign-report-nonce", r);
    r.suit_reports.reset();

    r.attestation_payload = Evidence(k, challenge, p256_kid, Hex("01"));
    r.tc_list = std::vector<msg::SystemPropertyClaims>{Entry("app")};
    w.Message("qr-attested-other-hwmodel", r);

    r.attestation_payload = Evidence(k, Token(0x42), p256_kid);
    w.Message("qr-wrong-nonce", r);
    r.attestation_payload = Evidence(k, challenge, KidOf(k.stranger.Public()));
    w.Message("qr-wrong-cnf", r);
    r.attestation_payload = Evidence(k, challenge, p256_kid, std::nullopt, &k.stranger);
    w.Message("qr-evidence-unknown-key", r);
    r.attestation_payload = Str("not an EAT");
    w.Message("qr-evidence-garbage", r);
    r.attestation_payload.reset();
    w.Message("qr-no-evidence", r);

    // The Ed25519 device's Evidence (pass 3 affirms it; the P-256 passes refuse it: cnf).
    r.attestation_payload = Evidence(k, challenge, ed_kid);
    r.tc_list.reset();
    w.Message("qr-attested-ed25519", r);

    // Token b0: tc-list only, no attestation.
    msg::QueryResponse t;
    t.token = b0;
    t.selected_version = 0;
    t.tc_list = std::vector<msg::SystemPropertyClaims>{Entry("app"), Entry("other"), Entry("x")};
    w.Message("qr-tc-only", t);
    t.tc_list.reset();
    t.requested_tc_list = std::vector<msg::RequestedTcInfo>{{Id("app"), std::nullopt, std::nullopt}};
    t.unneeded_manifest_list = std::vector<msg::ComponentId>{Id("other.suit")};
    w.Message("qr-tc-only-requested-unneeded", t);

    // Token c0: attestation only, no challenge: the token is the nonce.
    msg::QueryResponse n;
    n.token = c0;
    n.attestation_payload = Evidence(k, c0, p256_kid);
    w.Message("qr-token-nonce", n);
    n.attestation_payload = Evidence(k, challenge, p256_kid);
    w.Message("qr-token-nonce-wrong", n);

    // Update tokens answered with a QueryResponse: the wrong kind.
    n.token = d0;
    w.Message("qr-update-token", n);
    n.token = f0;
    w.Message("qr-unknown-token", n);
  }

  // ---- Success and Error -----------------------------------------------------------------
  {
    msg::Success s;
    s.token = a0;
    s.suit_reports = std::vector<Bytes>{Report(a0)};
    w.Message("success-a0-report", s);
    s.suit_reports.reset();
    s.msg = "done";
    w.Message("success-a0", s);
    s.msg.reset();
    s.token = d0;
    w.Message("success-d0", s);
    s.suit_reports = std::vector<Bytes>{Report(d0), Report(Token(0x01))};
    w.Message("success-d0-foreign-nonce", s);
    s.suit_reports.reset();
    s.token = e0;
    w.Message("success-e0-other-device", s);
    s.token = b0;
    w.Message("success-query-token", s);
    s.token.reset();
    w.Message("success-no-token", s);

    msg::Error e;
    e.token = a0;
    e.err_code = msg::ErrorCode::kPermanentError;
    e.err_msg = "disk full";
    w.Message("error-a0", e);
    e.err_code = msg::ErrorCode::kAttestationRequired;
    e.challenge = challenge;
    w.Message("error-a0-attestation-required", e);
    e.challenge.reset();
    e.err_code = msg::ErrCode::Unknown(200);
    e.token = d0;
    e.suit_reports = std::vector<Bytes>{Report(d0)};
    w.Message("error-d0-unknown-code-report", e);
    e.suit_reports = std::vector<Bytes>{Report(a0)};
    w.Message("error-d0-foreign-report", e);
    e.suit_reports.reset();
    e.token.reset();
    e.err_code = msg::ErrorCode::kUnsupportedCipherSuites;
    e.supported_teep_cipher_suites = std::vector<msg::CipherSuite>{msg::SuiteSign1Ed25519()};
    w.Message("error-no-token-suites", e);
  }

  // ---- messages a TAM does not accept, extensions ----------------------------------------
  {
    msg::QueryRequest q;
    q.token = a0;
    q.challenge = challenge;
    q.supported_teep_cipher_suites = {msg::SuiteSign1Esp256()};
    q.supported_suit_cose_profiles = msg::MandatorySuitCoseProfiles();
    q.data_item_requested = msg::kDataItemAttestation;
    w.Message("misc-query-request", q);
    msg::Update u;
    u.token = a0;
    u.unneeded_manifest_list = std::vector<msg::ComponentId>{Id("app.suit")};
    w.Message("misc-update", u);
    msg::QueryResponse r;
    r.token = b0;
    r.ext_list = std::vector<uint32_t>{1, 2};
    r.extensions.push_back({64, Hex("a10102")});
    w.Message("misc-qr-extensions", r);
    msg::QueryResponse none;
    w.Message("misc-qr-no-token", none);
  }

  // ---- whole COSE messages for the unsigned pass -------------------------------------------
  {
    msg::Success s;
    s.token = d0;
    const Bytes payload = Must(msg::EncodeMessage(s), "success");
    w.Put("cose-unregistered-key", Must(msg::SignMessage(payload, k.stranger, msg::SuiteSign1Esp256()), "sign"));
    cose::SignOptions no_kid;
    no_kid.alg = -9;
    no_kid.tagged = true;
    w.Put("cose-no-kid", Must(cose::CreateSign1(k.device_p256, payload, no_kid), "sign"));
    w.Put("cose-device-p256-success-d0",
          Must(msg::SignMessage(payload, k.device_p256, msg::SuiteSign1Esp256()), "sign"));
    w.Put("cose-device-ed25519-success-d0",
          Must(msg::SignMessage(payload, k.device_ed, msg::SuiteSign1Ed25519()), "sign"));
    w.Put("cose-wrong-suite",
          Must(msg::SignMessage(payload, k.device_p256, msg::SuiteSign1Esp256(), ed_kid), "sign"));
  }

  // ---- the published payloads -----------------------------------------------------------------
  const std::pair<const char*, const char*> published[] = {
      {"pub-d1-query-request", "d1-query-request.hex"}, {"pub-d3-query-response", "d3-query-response.hex"},
      {"pub-d4-update", "d4-update.hex"},               {"pub-d5-success", "d5-success.hex"},
      {"pub-d6-error", "d6-error.hex"},
  };
  for (const auto& [name, file] : published) {
    auto bytes = ReadHexFile(spec / "teep" / "vectors" / file);
    if (!bytes) {
      std::cerr << "make_tam_seeds: cannot read " << (spec / "teep" / "vectors" / file) << "\n";
      return 1;
    }
    w.Put(name, *bytes);
  }
  std::cout << "wrote " << w.count() << " seeds to " << (std::filesystem::path(argv[1]) / "tam") << "\n";
  return 0;
}
