// Writes the seed corpus of fuzz_cose_verify: one message of each COSE
// structure and option, made with the fuzzer's fixed keys so that they
// verify. Usage: make_cose_seeds DIR
#include <fstream>
#include <iostream>
#include <string>

#include "core/cose/encrypt.h"
#include "core/cose/mac.h"
#include "core/cose/sign.h"
#include "cose_fixed_keys.h"

namespace {

using namespace teep;

int written = 0;

void Write(const std::string& dir, const std::string& name, const Result<Bytes>& bytes) {
  if (!bytes.ok()) {
    std::cerr << name << ": " << bytes.status().ToString() << "\n";
    std::exit(1);
  }
  std::ofstream(dir + "/" + name, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes->data()), static_cast<std::streamsize>(bytes->size()));
  ++written;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make_cose_seeds DIR\n";
    return 2;
  }
  const std::string dir = argv[1];
  const auto& keys = fuzz::FixedKeys();
  const ByteView payload = AsBytes("detached payload");
  for (bool tagged : {true, false}) {
    for (bool detached : {true, false}) {
      std::string suffix = std::string(tagged ? "-tagged" : "-untagged") + (detached ? "-detached" : "");
      cose::SignOptions so;
      so.tagged = tagged;
      so.detached = detached;
      Write(dir, "sign1-esp256" + suffix, cose::CreateSign1(keys.p256, payload, so));
      Write(dir, "sign1-ed25519" + suffix, cose::CreateSign1(keys.ed25519, payload, so));
      cose::MacOptions mo;
      mo.tagged = tagged;
      mo.detached = detached;
      Write(dir, "mac0" + suffix, cose::CreateMac0(keys.mac_key, payload, mo));
    }
  }
  cose::SignerSpec signers[] = {{&keys.p256, 0, {}}, {&keys.ed25519, 0, {}}};
  Write(dir, "sign-two-signers", cose::CreateSign(signers, payload));
  for (int64_t alg : {1, 24, -65534}) {
    cose::EncryptOptions eo;
    eo.content_alg = alg;
    std::string name = "alg" + std::to_string(alg);
    if (alg == 1) {
      auto e0 = cose::CreateEncrypt0(keys.kek, payload, eo);
      Write(dir, "encrypt0-" + name, e0.ok() ? Result<Bytes>(e0->message) : Result<Bytes>(e0.status()));
    }
    crypto::PublicKey pub = keys.p256.Public();
    cose::RecipientSpec recipients[] = {cose::KeyWrapRecipient{keys.kek, {}},
                                        cose::EcdhRecipient{&pub, {}, "SUIT Payload Encryption"}};
    auto e = cose::CreateEncrypt(recipients, payload, eo);
    Write(dir, "encrypt-kw-ecdh-" + name, e.ok() ? Result<Bytes>(e->message) : Result<Bytes>(e.status()));
  }
  std::cout << "wrote " << written << " seeds to " << dir << "\n";
  return 0;
}
