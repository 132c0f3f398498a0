// teep manifest create | verify: the TC signer's tool (docs/cli.md).
#include <cctype>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/key_loading.h"
#include "cli/manifest_args.h"
#include "core/cbor/reader.h"
#include "core/cose/algorithms.h"
#include "core/cose/sign.h"
#include "core/suit/authenticate.h"
#include "core/suit/builder.h"
#include "core/suit/component_id.h"
#include "core/suit/envelope.h"
#include "core/suit/manifest.h"
#include "core/suit/report_reason.h"
#include "host/io/file.h"

namespace teep::cli {
namespace {

std::string AlgText(int64_t alg) {
  auto name = cose::AlgorithmName(alg);
  return name ? std::string(*name) + " (" + std::to_string(alg) + ")" : std::to_string(alg);
}

// ---- create ---------------------------------------------------------------------

struct CreateArgs {
  std::string key;
  std::vector<std::string> component_id;
  uint64_t sequence = 0;
  std::string payload;
  std::string uri;
  std::string integrated_key = "#tc";
  std::string vendor_id;
  std::string class_id;
  std::vector<std::string> manifest_component_id;
  std::string reference_uri;
  std::string encrypt_to;
  std::string content_alg = "A128GCM";
  std::vector<std::string> dependencies;
  bool no_uninstall = false;
  bool invoke = false;
  bool tagged = false;
  bool hex = false;
  std::string out;
};

void RunCreate(const CreateArgs& a) {
  const std::string verb = "manifest create";
  suit::ManifestSpec spec;
  spec.sequence_number = a.sequence;
  spec.component_id = ParseComponentId(verb, "--component-id", a.component_id);
  if (!a.manifest_component_id.empty()) {
    spec.manifest_component_id =
        ParseComponentId(verb, "--manifest-component-id", a.manifest_component_id);
  }
  if (!a.vendor_id.empty()) spec.vendor_id = ParseUuidOption(verb, "--vendor-id", a.vendor_id);
  if (!a.class_id.empty()) spec.class_id = ParseUuidOption(verb, "--class-id", a.class_id);
  if (!a.reference_uri.empty()) spec.reference_uri = a.reference_uri;
  if (!a.uri.empty()) spec.payload_uri = a.uri;
  spec.integrated_key = a.integrated_key;
  spec.uninstall = !a.no_uninstall;
  spec.invoke = a.invoke;
  spec.tagged = a.tagged;

  auto signer = LoadPrivateKey(a.key);
  if (!signer.ok()) Fail(verb, signer.status().ToString());
  spec.payload = ReadInput(verb, a.payload);

  std::optional<crypto::PublicKey> device;
  if (!a.encrypt_to.empty()) {
    auto key = LoadPublicKey(a.encrypt_to);
    if (!key.ok()) Fail(verb, key.status().ToString());
    device = std::move(key).value();
    suit::PayloadEncryption encryption;
    encryption.recipient = &*device;
    encryption.content_alg = a.content_alg == "A128CTR"             ? cose::kAlgA128Ctr
                             : a.content_alg == "ChaCha20-Poly1305" ? cose::kAlgChaCha20Poly1305
                                                                    : cose::kAlgA128Gcm;
    spec.encryption = encryption;
  }

  for (const auto& d : a.dependencies) {
    // FILE or FILE=URI (the first '=' separates them; URIs may contain more).
    suit::DependencySpec dep;
    std::string path = d;
    size_t eq = d.find('=');
    if (eq != std::string::npos) {
      path = d.substr(0, eq);
      dep.uri = d.substr(eq + 1);
      if (dep.uri->empty()) Fail(verb, "--dependency " + d + ": empty URI after '='", kExitUsage);
    }
    dep.envelope = host::HexOrBinary(ReadInput(verb, path));
    spec.dependencies.push_back(std::move(dep));
  }

  auto envelope = suit::BuildEnvelope(spec, *signer);
  if (!envelope.ok()) Fail(verb, envelope.status().message());

  Bytes output = *envelope;
  if (a.hex) {
    std::string text = HexEncode(*envelope) + "\n";
    output = ToBytes(AsBytes(text));
  }
  if (a.out == "-") {
    std::cout.write(reinterpret_cast<const char*>(output.data()),
                    static_cast<std::streamsize>(output.size()));
    return;
  }
  Status s = host::WriteFile(a.out, output);
  if (!s.ok()) Fail(verb, s.ToString());
  // Report the digest a TAM and the agent will refer to the manifest by.
  auto env = suit::DecodeEnvelope(*envelope);
  if (!env.ok()) Fail(verb, "internal: the new envelope does not decode: " + env.status().message());
  auto digest = suit::DecodeDigest(env->digest);
  std::cout << "wrote " << a.out << " (" << envelope->size() << " bytes, SUIT_Digest "
            << (digest.ok() ? HexEncode(digest->bytes) : std::string("?")) << ")\n";
}

// ---- verify ---------------------------------------------------------------------

struct VerifyArgs {
  std::vector<std::string> keys;
  std::string file;
};

// "{1: ['TEEP-Device', ...]}" style summary of the dependency map; falls back
// to a size when the map is not the trust-domains shape.
std::vector<std::string> DescribeDependencies(ByteView map) {
  std::vector<std::string> out;
  cbor::Reader r = cbor::Reader::Open(map);
  uint64_t pairs = 0;
  if (!r.ReadMapHeader(&pairs)) return {"(" + std::to_string(map.size()) + " bytes, not a map)"};
  for (uint64_t i = 0; i < pairs && r.ok(); ++i) {
    uint64_t index = 0;
    uint64_t members = 0;
    if (!r.ReadUint(&index) || !r.ReadMapHeader(&members)) break;
    std::string line = "[" + std::to_string(index) + "]";
    for (uint64_t m = 0; m < members && r.ok(); ++m) {
      int64_t key = 0;
      ByteView value;
      if (!r.ReadInt(&key) || !r.ReadRaw(&value)) break;
      if (key == 1) line += " prefix " + suit::DescribeEncodedComponentId(value);
    }
    out.push_back(line);
  }
  if (!r.ok()) return {"(" + std::to_string(map.size()) + " bytes, not the trust-domains shape)"};
  return out;
}

void RunVerify(const VerifyArgs& a) {
  const std::string verb = "manifest verify";
  std::vector<crypto::PublicKey> keys;
  for (const auto& path : a.keys) {
    auto key = LoadPublicKey(path);
    if (!key.ok()) Fail(verb, key.status().ToString());
    keys.push_back(std::move(key).value());
  }
  Bytes data = host::HexOrBinary(ReadInput(verb, a.file));
  auto env = suit::DecodeEnvelope(data);
  if (!env.ok()) {
    Fail(verb, std::string(suit::ReportReasonName(suit::ReasonFor(env.status()))) + ": " +
                   env.status().message());
  }
  auto auth = suit::Authenticate(*env, keys);
  if (!auth.ok()) {
    suit::ReportReason reason = suit::ReasonFor(auth.status());
    int code = reason == suit::ReportReason::kCborParse ? 1 : kExitVerification;
    Fail(verb, "NOT authenticated: " + std::string(suit::ReportReasonName(reason)) + ": " +
                   auth.status().message(),
         code);
  }
  const suit::Manifest& m = auth->manifest;

  std::cout << "SUIT_Envelope (" << (env->tagged ? "tagged 107" : "untagged") << ", "
            << data.size() << " bytes)\n";
  std::string by = auth->key_index ? a.keys[*auth->key_index] : std::string("MAC key");
  std::string alg;
  auto sign1 = cose::DecodeSign1(env->auth_blocks[auth->block_index]);
  if (sign1.ok() && sign1->headers.alg()) alg = ", " + AlgText(*sign1->headers.alg());
  std::cout << "authenticated: VERIFIED by " << by << " (COSE block " << auth->block_index << alg
            << ")\n";
  std::cout << "digest: " << AlgText(auth->digest.alg) << " " << HexEncode(auth->digest.bytes)
            << "\n";
  std::cout << "manifest-version: " << m.version << "\n";
  std::cout << "sequence-number: " << m.sequence_number << "\n";
  if (m.manifest_component_id) {
    std::cout << "manifest-component-id: " << suit::DescribeComponentId(*m.manifest_component_id)
              << "\n";
  }
  if (m.reference_uri) std::cout << "reference-uri: " << *m.reference_uri << "\n";
  std::cout << "components:\n";
  for (size_t i = 0; i < m.common.components.size(); ++i) {
    std::cout << "  [" << i << "] " << suit::DescribeComponentId(m.common.components[i]) << "\n";
  }
  if (m.common.dependencies) {
    std::cout << "dependencies:\n";
    for (const auto& line : DescribeDependencies(*m.common.dependencies)) {
      std::cout << "  " << line << "\n";
    }
  }
  std::cout << "sections:\n";
  std::optional<Status> severed_problem;
  for (const auto& s : m.sections) {
    std::cout << "  " << suit::SectionName(s.key);
    if (!s.severed) {
      std::cout << ": " << s.content.size() << " bytes\n";
      continue;
    }
    auto member = suit::Section(m, *env, s.key);
    if (member.ok()) {
      std::cout << ": severed, carried (" << member->size() << " bytes, digest OK)\n";
    } else if (member.status().code() == StatusCode::kNotFound) {
      std::cout << ": severed, not carried\n";
    } else {
      std::cout << ": severed, carried, DIGEST MISMATCH\n";
      if (!severed_problem) severed_problem = member.status();
    }
  }
  if (!env->integrated_payloads.empty()) {
    std::cout << "integrated payloads:\n";
    for (const auto& p : env->integrated_payloads) {
      std::cout << "  \"" << p.key << "\": " << p.bytes.size() << " bytes\n";
    }
  }
  if (severed_problem) {
    Fail(verb, "severed member: " +
                   std::string(suit::ReportReasonName(suit::ReasonFor(*severed_problem))) + ": " +
                   severed_problem->message(),
         kExitVerification);
  }
}

}  // namespace

void AddManifestCommand(CLI::App& app) {
  CLI::App* manifest = app.add_subcommand(
      "manifest", "Create, verify and process SUIT manifests (envelopes)");
  manifest->require_subcommand(1);
  AddManifestProcessCommands(*manifest);

  auto c = std::make_shared<CreateArgs>();
  CLI::App* create = manifest->add_subcommand(
      "create", "Build and sign a TEEP-shaped SUIT envelope for one Trusted Component");
  create->add_option("--key", c->key, "Signer private key PEM (P-256, P-384 or Ed25519)")
      ->required();
  create->add_option("--component-id", c->component_id,
                     "Component id parts of the TC: text, or hex after \"h:\" (e.g. TEEP-Device "
                     "SecureFS h:8d82573a926d4754935332dc29997f74 ta)")
      ->required();
  create->add_option("--sequence", c->sequence, "Manifest sequence number")->required();
  create->add_option("--payload", c->payload, "The TC image (binary file)")->required();
  CLI::Option* uri = create->add_option("--uri", c->uri, "Fetch the payload from this URI");
  create->add_option("--integrated-key", c->integrated_key,
                     "Carry the payload in the envelope under this key (default #tc)")
      ->excludes(uri);
  create->add_option("--vendor-id", c->vendor_id, "Vendor UUID (condition-vendor-identifier)");
  create->add_option("--class-id", c->class_id, "Class UUID (condition-class-identifier)");
  create->add_option("--manifest-component-id", c->manifest_component_id,
                     "Manifest component id parts (trust-domains), text or \"h:\" hex");
  create->add_option("--reference-uri", c->reference_uri, "Reference URI of the manifest");
  CLI::Option* encrypt = create->add_option(
      "--encrypt-to", c->encrypt_to,
      "Encrypt the payload to this device P-256 or X25519 public key (ECDH-ES + A128KW)");
  encrypt->excludes(uri);
  create->add_option("--content-alg", c->content_alg,
                     "Payload encryption: A128GCM (default), A128CTR or ChaCha20-Poly1305")
      ->check(CLI::IsMember({"A128GCM", "A128CTR", "ChaCha20-Poly1305"}))
      ->needs(encrypt);
  create->add_option("--dependency", c->dependencies,
                     "Dependency envelope FILE, or FILE=URI to have it fetched; repeatable")
      ->allow_extra_args(false);
  create->add_flag("--no-uninstall", c->no_uninstall, "Omit the uninstall section");
  create->add_flag("--invoke", c->invoke, "Add an invoke section");
  create->add_flag("--tagged", c->tagged, "Emit SUIT_Envelope_Tagged (tag 107)");
  create->add_flag("--hex", c->hex, "Write hex text instead of binary CBOR");
  create->add_option("-o,--out", c->out, "Output file, or - for standard output")->required();
  create->callback([c] { RunCreate(*c); });

  auto v = std::make_shared<VerifyArgs>();
  CLI::App* verify = manifest->add_subcommand(
      "verify", "Authenticate a SUIT envelope against public keys and summarise its manifest");
  verify->add_option("--key", v->keys, "Public (or private) key PEM; repeatable")
      ->required()
      ->allow_extra_args(false);
  verify->add_option("file", v->file, "Envelope file (binary or hex), or - for standard input")
      ->required();
  verify->callback([v] { RunVerify(*v); });
}

}  // namespace teep::cli
