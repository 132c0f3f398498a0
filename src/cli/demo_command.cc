// `teep demo`: the README's main job. Until the TAM and device roles exist it
// runs, on embedded defaults in a temporary directory, every part of the
// foundation a TEEP exchange stands on: keys for each role, the TAM's first
// QueryRequest signed for both TEEP cipher suites (COSE_Sign), the Agent's
// verification of it, a Trusted Component encrypted to the device
// (ECDH-ES + A128KW, A128GCM) and decrypted inside the "TEE".
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
#include "host/inspect/inspect.h"
#include "host/io/file.h"

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

void RunDemo(const DemoArgs& args) {
  auto started = std::chrono::steady_clock::now();
  char tmpl[] = "/tmp/teep-demo-XXXXXX";
  if (!::mkdtemp(tmpl)) Fail("demo", "cannot create a temporary directory");
  std::filesystem::path dir(tmpl);
  std::cout << "teep demo: working in " << dir.string() << "\n"
            << "(the TAM and device roles are not built yet: this demo runs the foundation they use)\n";

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

  // 4. A Trusted Component encrypted to the device, as SUIT does it.
  const std::string tc = "Hello, Secure World!";
  crypto::PublicKey device_public = device.Public();
  cose::RecipientSpec recipients[] = {
      cose::EcdhRecipient{&device_public, {}, "SUIT Payload Encryption"}};
  cose::EncryptOptions eo;
  eo.content_alg = 1;  // A128GCM
  auto encrypted = Must(cose::CreateEncrypt(recipients, AsBytes(tc), eo), "encrypt TC");
  Show(args, "TC signer -> device: Trusted Component in COSE_Encrypt (ECDH-ES + A128KW, A128GCM)",
       encrypted.message);
  auto message = Must(cose::DecodeEncrypt(encrypted.message), "decode COSE_Encrypt");
  auto plaintext = Must(cose::DecryptEncrypt(message, cose::EcdhKey{&device, "SUIT Payload Encryption", {}}),
                        "decrypt TC");
  std::cout << "TEE: decrypted TC: \"" << AsChars(plaintext.view()) << "\"\n";
  if (AsChars(plaintext.view()) != tc) Fail("demo", "decrypted TC differs from the original");

  if (!args.keep) std::filesystem::remove_all(dir);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  std::cout << "\nsummary: 3 keys, 1 QueryRequest signed for 2 suites and verified, 1 TC encrypted and "
               "decrypted, in "
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
