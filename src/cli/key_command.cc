#include <iostream>
#include <map>
#include <string>

#include "cli/commands.h"
#include "cli/key_loading.h"
#include "core/cose/key.h"
#include "host/io/file.h"

namespace teep::cli {
namespace {

const std::map<std::string, crypto::KeyType>& AlgorithmChoices() {
  static const std::map<std::string, crypto::KeyType> kChoices = {
      {"ESP256", crypto::KeyType::kP256},   {"ESP384", crypto::KeyType::kP384},
      {"Ed25519", crypto::KeyType::kEd25519}, {"X25519", crypto::KeyType::kX25519}};
  return kChoices;
}

void WriteOrPrint(const std::string& verb, const std::string& path, const std::string& text,
                  bool private_file) {
  if (path.empty() || path == "-") {
    std::cout << text;
    return;
  }
  Status s = host::WriteFile(path, AsBytes(text), private_file);
  if (!s.ok()) Fail(verb, s.ToString());
}

std::string ThumbprintHex(const crypto::PublicKey& key, const std::string& verb) {
  auto tp = cose::Thumbprint(key);
  if (!tp.ok()) Fail(verb, tp.status().ToString());
  return HexEncode(*tp);
}

}  // namespace

void AddKeyCommand(CLI::App& app) {
  CLI::App* key = app.add_subcommand("key", "Generate and examine keys");
  key->require_subcommand(1);

  struct GenerateArgs {
    std::string alg;
    std::string out;
  };
  auto gen = std::make_shared<GenerateArgs>();
  CLI::App* generate = key->add_subcommand("generate", "Generate a private key (PKCS#8 PEM, mode 0600)");
  generate->add_option("--alg", gen->alg, "ESP256, ESP384, Ed25519 or X25519")
      ->required()
      ->check(CLI::IsMember({"ESP256", "ESP384", "Ed25519", "X25519"}));
  generate->add_option("-o,--out", gen->out, "Output file")->required();
  generate->callback([gen] {
    auto k = crypto::PrivateKey::Generate(AlgorithmChoices().at(gen->alg));
    if (!k.ok()) Fail("key generate", k.status().ToString());
    auto pem = k->ToPem();
    if (!pem.ok()) Fail("key generate", pem.status().ToString());
    WriteOrPrint("key generate", gen->out, *pem, /*private_file=*/true);
    crypto::Wipe(pem->data(), pem->size());
    std::cout << "wrote " << gen->out << " (" << gen->alg << ", kid "
              << ThumbprintHex(k->Public(), "key generate") << ")\n";
  });

  struct PublicArgs {
    std::string in;
    std::string out;
  };
  auto pub = std::make_shared<PublicArgs>();
  CLI::App* pubcmd = key->add_subcommand("public", "Write the public key of a private key PEM");
  pubcmd->add_option("key", pub->in, "Private key PEM")->required();
  pubcmd->add_option("-o,--out", pub->out, "Output file (default: standard output)");
  pubcmd->callback([pub] {
    auto k = LoadPrivateKey(pub->in);
    if (!k.ok()) Fail("key public", k.status().ToString());
    auto pem = k->Public().ToPem();
    if (!pem.ok()) Fail("key public", pem.status().ToString());
    WriteOrPrint("key public", pub->out, *pem, false);
  });

  auto tp_path = std::make_shared<std::string>();
  CLI::App* tp = key->add_subcommand(
      "thumbprint", "Print the RFC 9679 COSE key thumbprint (SHA-256), the kid teep uses");
  tp->add_option("key", *tp_path, "Public or private key PEM")->required();
  tp->callback([tp_path] {
    auto k = LoadPublicKey(*tp_path);
    if (!k.ok()) Fail("key thumbprint", k.status().ToString());
    std::cout << ThumbprintHex(*k, "key thumbprint") << "\n";
  });
}

}  // namespace teep::cli
