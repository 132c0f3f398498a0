// `teep demo`: the README's main job. Until the TAM and device roles exist it
// runs, on embedded defaults in a temporary directory, every part of the
// foundation a TEEP exchange stands on: keys for each role, the TAM's first
// QueryRequest signed for both TEEP cipher suites (COSE_Sign), the Agent's
// verification of it, and a Trusted Component's life through SUIT manifests
// (install encrypted to the device, update, refused rollback, delete) on a
// directory-backed TEE store.
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include "cli/commands.h"
#include "core/cbor/diag.h"
#include "core/cbor/writer.h"
#include "core/cose/encrypt.h"
#include "core/cose/key.h"
#include "core/cose/sign.h"
#include "core/suit/builder.h"
#include "core/suit/component_id.h"
#include "core/suit/processor.h"
#include "core/suit/report.h"
#include "host/inspect/inspect.h"
#include "host/io/file.h"
#include "host/suit_store/directory_store.h"

namespace teep::cli {
namespace {

struct DemoArgs {
  bool verbose = false;
  bool keep = false;
};

template <typename T>
T Must(Result<T> r, const char* step) {
  if (!r.ok()) Fail("demo", std::string(step) + ": " + r.status().ToString());
  return std::move(r).value();
}

void Must(const Status& s, const char* step) {
  if (!s.ok()) Fail("demo", std::string(step) + ": " + s.ToString());
}

// A draft-ietf-teep-protocol-26 QueryRequest: [1, {19: token, 3: [0]},
// [[[18, -9]], [[18, -19]]], [four SUIT COSE profiles], 2 (tc-list)].
Bytes BuildQueryRequest(ByteView token) {
  cbor::Writer w;
  w.BeginArray(5);
  w.WriteUint(1);  // TEEP-TYPE-query-request
  w.BeginMap(2);
  w.WriteUint(3);  // versions
  w.BeginArray(1);
  w.WriteUint(0);
  w.WriteUint(19);  // token
  w.WriteBytes(token);
  w.BeginArray(2);  // supported-teep-cipher-suites
  for (int64_t alg : {-9, -19}) {
    w.BeginArray(1);
    w.BeginArray(2);
    w.WriteUint(18);
    w.WriteInt(alg);
  }
  w.BeginArray(4);  // supported-suit-cose-profiles
  for (auto profile : {std::array<int64_t, 4>{-16, -9, -29, -65534}, {-16, -19, -29, -65534},
                       {-16, -9, -29, 1}, {-16, -19, -29, 24}}) {
    w.BeginArray(4);
    for (int64_t v : profile) w.WriteInt(v);
  }
  w.WriteUint(2);  // data-item-requested: trusted components
  return Must(std::move(w).Finish(), "encode QueryRequest");
}

void Show(const DemoArgs& args, const std::string& title, ByteView data,
          std::vector<host::InspectKey> keys = {}) {
  std::cout << "\n== " << title << " (" << data.size() << " bytes)\n";
  if (!args.verbose) return;
  host::InspectOptions o;
  o.keys = std::move(keys);
  auto r = Must(host::Inspect(data, o), "inspect");
  std::cout << r.output;
}

// One line per SUIT run: what happened, and the report's verdict.
void ShowOutcome(const std::string& what, const suit::Outcome& outcome) {
  std::cout << "TEE: " << what << ": " << suit::DescribeReport(outcome.report) << "\n";
}

// The TC signer publishes version 1 (encrypted to the device), then version
// 2; the device installs and updates it, refuses version 1 again
// (rollback), and finally deletes it. Returns the number of manifests run.
int RunTrustedComponentLifecycle(const DemoArgs& args, const std::filesystem::path& dir,
                                 const crypto::PrivateKey& device) {
  auto signer = Must(crypto::PrivateKey::Generate(crypto::KeyType::kP256), "TC signer key");
  auto store = Must(host::DirectoryStore::Open((dir / "tee-store").string()), "open TEE store");
  crypto::PublicKey signer_public = signer.Public();
  crypto::PublicKey device_public = device.Public();
  // The vendor and class ids of TEEP Appendix E.
  const Bytes vendor = *HexDecode("c0ddd5f15243566087db4f5b0aa26c2f");
  const Bytes class_id = *HexDecode("db42f7093d8c55baa8c5265fc5820f4e");
  std::cout << "key tc-signer: P-256 (the device trusts it for SUIT manifests)\n";

  suit::Platform platform;
  platform.store = store.get();
  platform.trust_anchors.keys = std::span<const crypto::PublicKey>(&signer_public, 1);
  platform.vendor_ids = {vendor};
  platform.class_ids = {class_id};
  platform.decryption_keys = {cose::EcdhKey{&device, {}, {}}};

  suit::ManifestSpec spec;
  spec.component_id = {ToBytes(AsBytes("TEEP-Device")), ToBytes(AsBytes("SecureFS")),
                       ToBytes(AsBytes("hello.ta"))};
  spec.manifest_component_id = std::vector<Bytes>{ToBytes(AsBytes("TEEP-Device")),
                                                  ToBytes(AsBytes("SecureFS")),
                                                  ToBytes(AsBytes("hello.suit"))};
  spec.vendor_id = vendor;
  spec.class_id = class_id;
  spec.encryption = suit::PayloadEncryption{&device_public, {}, 1};  // A128GCM
  const Bytes slot = suit::EncodeComponentId(suit::ComponentId(
      spec.manifest_component_id->begin(), spec.manifest_component_id->end()));

  Bytes v1;
  for (uint64_t version : {1, 2}) {
    spec.sequence_number = version;
    spec.payload = ToBytes(AsBytes("Hello, Secure World! (version " + std::to_string(version) + ")"));
    Bytes envelope = Must(suit::BuildEnvelope(spec, signer), "build manifest");
    if (version == 1) v1 = envelope;
    Show(args, "TC signer -> device: SUIT manifest, sequence " + std::to_string(version) +
                   ", TC encrypted to the device (ECDH-ES + A128KW, A128GCM)",
         envelope, {{"tc-signer", signer_public}});
    suit::Outcome outcome = suit::Update(envelope, platform);
    ShowOutcome(version == 1 ? "install" : "update", outcome);
    if (!outcome.ok()) Fail("demo", "the device refused a valid manifest: " + outcome.status.ToString());
    Bytes installed;
    Must(store->Read(suit::EncodeComponentId(suit::ComponentId(spec.component_id.begin(),
                                                               spec.component_id.end())),
                     [&](ByteView chunk) {
                       installed.insert(installed.end(), chunk.begin(), chunk.end());
                       return OkStatus();
                     }),
         "read the installed TC");
    std::cout << "TEE: installed TC reads \"" << AsChars(installed) << "\"\n";
    if (installed != *spec.payload) Fail("demo", "the installed TC differs from what was signed");
  }

  suit::Outcome rollback = suit::Update(v1, platform);
  ShowOutcome("version 1 again", rollback);
  if (rollback.ok()) Fail("demo", "the device accepted a rollback to version 1");

  suit::Outcome removed = suit::Uninstall(slot, platform);
  ShowOutcome("delete", removed);
  if (!removed.ok()) Fail("demo", "uninstall failed: " + removed.status.ToString());
  return 4;
}

void RunDemo(const DemoArgs& args) {
  auto started = std::chrono::steady_clock::now();
  char tmpl[] = "/tmp/teep-demo-XXXXXX";
  if (!::mkdtemp(tmpl)) Fail("demo", "cannot create a temporary directory");
  std::filesystem::path dir(tmpl);
  std::cout << "teep demo: working in " << dir.string() << "\n"
            << "(the TAM and the device processes are not built yet: this demo runs the parts they use)\n";

  // 1. Keys for each role, written as PEM like `teep key generate` does.
  auto tam_p256 = Must(crypto::PrivateKey::Generate(crypto::KeyType::kP256), "TAM P-256 key");
  auto tam_ed = Must(crypto::PrivateKey::Generate(crypto::KeyType::kEd25519), "TAM Ed25519 key");
  auto device = Must(crypto::PrivateKey::Generate(crypto::KeyType::kP256), "device key");
  for (auto [name, key] : {std::pair{"tam-esp256.pem", &tam_p256}, {"tam-ed25519.pem", &tam_ed},
                           {"device.pem", &device}}) {
    auto pem = Must(key->ToPem(), "PEM");
    Must(host::WriteFile((dir / name).string(), AsBytes(pem), true), "write key");
    crypto::Wipe(pem.data(), pem.size());
    auto kid = Must(cose::Thumbprint(key->Public()), "thumbprint");
    std::cout << "key " << name << ": " << crypto::KeyTypeName(key->type()) << ", kid "
              << HexEncode(kid).substr(0, 16) << "...\n";
  }

  // 2. The TAM's first QueryRequest: it does not know the Agent's cipher
  // suite yet, so it signs once per suite (draft-ietf-teep-protocol-26 §8.1).
  Bytes token(16);
  Must(crypto::RandomBytes(token), "token");
  Bytes query = BuildQueryRequest(token);
  auto tam_p256_kid = Must(cose::Thumbprint(tam_p256.Public()), "kid");
  auto tam_ed_kid = Must(cose::Thumbprint(tam_ed.Public()), "kid");
  cose::SignerSpec signers[] = {{&tam_p256, 0, Bytes(tam_p256_kid.begin(), tam_p256_kid.end())},
                                {&tam_ed, 0, Bytes(tam_ed_kid.begin(), tam_ed_kid.end())}};
  Bytes signed_query = Must(cose::CreateSign(signers, query), "sign QueryRequest");
  Show(args, "TAM -> Agent: QueryRequest in COSE_Sign (ESP256 + Ed25519)", signed_query,
       {{"tam-esp256.pem", tam_p256.Public()}, {"tam-ed25519.pem", tam_ed.Public()}});

  // 3. The Agent trusts only the TAM's Ed25519 key and verifies with it.
  auto decoded = Must(cose::DecodeSign(signed_query), "decode QueryRequest");
  crypto::PublicKey trust_anchors[] = {tam_ed.Public()};
  auto verified = Must(cose::VerifyWithAnyKey(decoded, trust_anchors), "Agent verifies QueryRequest");
  std::cout << "Agent: QueryRequest signature " << verified.signature_index
            << " verified with its TAM trust anchor (Ed25519)\n";

  // 4. The Trusted Component's life on the device, through SUIT manifests.
  const int manifests = RunTrustedComponentLifecycle(args, dir, device);

  if (!args.keep) std::filesystem::remove_all(dir);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  std::cout << "\nsummary: 4 keys, 1 QueryRequest signed for 2 suites and verified, " << manifests
            << " SUIT manifests processed (install, update, refused rollback, delete), in "
            << ms.count() << " ms" << (args.keep ? " (files kept in " + dir.string() + ")" : "") << "\n";
}

}  // namespace

void AddDemoCommand(CLI::App& app) {
  auto args = std::make_shared<DemoArgs>();
  CLI::App* cmd = app.add_subcommand("demo", "Run the end-to-end demonstration on embedded defaults");
  cmd->add_flag("-v,--verbose", args->verbose, "Print every message in diagnostic notation");
  cmd->add_flag("--keep", args->keep, "Keep the temporary directory");
  cmd->callback([args] { RunDemo(*args); });
}

}  // namespace teep::cli
