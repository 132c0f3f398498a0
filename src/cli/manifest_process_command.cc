// teep manifest process | uninstall | list: run the SUIT processor against a
// directory-backed component store, as a TEEP Agent would inside its TEE
// (docs/cli.md, docs/suit-processor.md).
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/key_loading.h"
#include "cli/manifest_args.h"
#include "core/suit/component_id.h"
#include "core/suit/processor.h"
#include "core/suit/report.h"
#include "host/io/file.h"
#include "host/suit_store/directory_store.h"

namespace teep::cli {
namespace {

struct ProcessArgs {
  std::vector<std::string> trust_anchors;
  std::string store;
  std::vector<std::string> decrypt_keys;
  std::vector<std::string> vendor_ids;
  std::vector<std::string> class_ids;
  std::string payload_dir;
  std::string nonce;
  std::string report_out;
  bool invoke = false;
  bool implicit_dependency_integrity = false;
  std::string file;
  std::vector<std::string> manifest_id;  // uninstall
};

// Everything a Platform points at, kept alive for the run.
struct Device {
  std::unique_ptr<host::DirectoryStore> store;
  std::vector<crypto::PublicKey> anchors;
  std::vector<crypto::PrivateKey> decryption_keys;
  suit::Platform platform;
  suit::ProcessorPolicy policy;
  suit::ProcessOptions options;
  Bytes nonce;
};

// A URI is served from --payload-dir by its last path segment; nothing is
// downloaded (the TEEP Broker does network fetches).
Result<Bytes> FetchFromDirectory(const std::string& dir, std::string_view uri) {
  if (dir.empty()) {
    return Status(StatusCode::kNotFound,
                  "no --payload-dir to serve \"" + std::string(uri) + "\" from");
  }
  std::string_view name = uri.substr(uri.find_last_of('/') + 1);
  if (name.empty() || name == "." || name == "..") {
    return Status(StatusCode::kNotFound, "\"" + std::string(uri) + "\" names no file");
  }
  return host::ReadFile((std::filesystem::path(dir) / std::string(name)).string());
}

void OpenDevice(const std::string& verb, const ProcessArgs& a, Device* d) {
  auto store = host::DirectoryStore::Open(a.store);
  if (!store.ok()) Fail(verb, "--store " + a.store + ": " + store.status().ToString());
  d->store = std::move(store).value();
  for (const auto& path : a.trust_anchors) {
    auto key = LoadPublicKey(path);
    if (!key.ok()) Fail(verb, "--trust-anchor " + path + ": " + key.status().ToString());
    d->anchors.push_back(std::move(key).value());
  }
  for (const auto& path : a.decrypt_keys) {
    auto key = LoadPrivateKey(path);
    if (!key.ok()) Fail(verb, "--decrypt-key " + path + ": " + key.status().ToString());
    d->decryption_keys.push_back(std::move(key).value());
  }
  suit::Platform& p = d->platform;
  p.store = d->store.get();
  p.trust_anchors.keys = d->anchors;
  for (const auto& key : d->decryption_keys) p.decryption_keys.push_back(cose::EcdhKey{&key, {}, {}});
  for (const auto& id : a.vendor_ids) p.vendor_ids.push_back(ParseUuidOption(verb, "--vendor-id", id));
  for (const auto& id : a.class_ids) p.class_ids.push_back(ParseUuidOption(verb, "--class-id", id));
  const std::string payload_dir = a.payload_dir;
  p.fetch = [payload_dir](std::string_view uri, ByteView) { return FetchFromDirectory(payload_dir, uri); };
  p.invoke = [](const suit::ComponentId& id, ByteView args) {
    std::cout << "invoke " << suit::DescribeComponentId(id) << " (" << args.size()
              << " bytes of arguments)\n";
    return OkStatus();
  };
  d->policy.implicit_dependency_integrity = a.implicit_dependency_integrity;
  if (!a.nonce.empty()) {
    auto nonce = HexDecode(a.nonce);
    if (!nonce) Fail(verb, "--nonce: \"" + a.nonce + "\" is not hex", kExitUsage);
    d->nonce = std::move(*nonce);
    d->options.nonce = d->nonce;
  }
}

// Prints the outcome and the report; exits 2 when the procedure failed.
void Conclude(const std::string& verb, const ProcessArgs& a, const suit::Outcome& outcome) {
  for (const auto& slot : outcome.installed) {
    std::cout << "installed " << suit::DescribeEncodedComponentId(slot) << "\n";
  }
  for (const auto& slot : outcome.removed) {
    std::cout << "removed " << suit::DescribeEncodedComponentId(slot) << "\n";
  }
  std::cout << "SUIT report: " << suit::DescribeReport(outcome.report) << "\n";
  auto encoded = suit::EncodeReport(outcome.report);
  if (!encoded.ok()) Fail(verb, "encoding the SUIT report: " + encoded.status().ToString());
  if (!a.report_out.empty()) {
    Status written = host::WriteFile(a.report_out, *encoded);
    if (!written.ok()) Fail(verb, "--report " + a.report_out + ": " + written.ToString());
  }
  if (!outcome.ok()) Fail(verb, outcome.status.ToString(), kExitVerification);
}

void AddDeviceOptions(CLI::App* cmd, ProcessArgs* a) {
  cmd->add_option("--trust-anchor", a->trust_anchors, "TC signer public key PEM; repeatable")
      ->required();
  cmd->add_option("--store", a->store, "Component store directory (created 0700 if absent)")
      ->required();
  cmd->add_option("--vendor-id", a->vendor_ids, "This device's vendor UUID; repeatable");
  cmd->add_option("--class-id", a->class_ids, "This device's class UUID; repeatable");
  cmd->add_option("--nonce", a->nonce, "SUIT report nonce (the TEEP token), hex");
  cmd->add_option("--report", a->report_out, "Write the encoded SUIT_Report here");
}

}  // namespace

void AddManifestProcessCommands(CLI::App& manifest) {
  auto a = std::make_shared<ProcessArgs>();
  CLI::App* process = manifest.add_subcommand(
      "process", "Run a manifest's update (or --invoke: invocation) procedure on a store");
  AddDeviceOptions(process, a.get());
  process->add_option("--decrypt-key", a->decrypt_keys,
                      "Device P-256 or X25519 private key PEM for encrypted payloads; repeatable");
  process->add_option("--payload-dir", a->payload_dir,
                      "Serve fetched URIs from this directory (by last path segment)");
  process->add_flag("--invoke", a->invoke, "Run the invocation procedure instead of update");
  process->add_flag("--implicit-dependency-integrity", a->implicit_dependency_integrity,
                    "Verify a dependency at process-dependency when the manifest did not "
                    "check dependency-integrity first (TEEP Appendix E.3)");
  process->add_option("file", a->file, "Envelope file (binary or hex), or -")->required();
  process->callback([a] {
    const std::string verb = "manifest process";
    Device d;
    OpenDevice(verb, *a, &d);
    Bytes envelope = host::HexOrBinary(ReadInput(verb, a->file));
    suit::Outcome outcome = a->invoke ? suit::Invoke(envelope, d.platform, d.policy, d.options)
                                      : suit::Update(envelope, d.platform, d.policy, d.options);
    Conclude(verb, *a, outcome);
  });

  auto u = std::make_shared<ProcessArgs>();
  CLI::App* uninstall = manifest.add_subcommand(
      "uninstall", "Run the uninstall section of an installed manifest and forget it");
  AddDeviceOptions(uninstall, u.get());
  uninstall->add_option("--manifest-component-id", u->manifest_id,
                        "The manifest's slot: each part as text, or hex after h:")
      ->required();
  uninstall->callback([u] {
    const std::string verb = "manifest uninstall";
    Device d;
    OpenDevice(verb, *u, &d);
    const std::vector<Bytes> parts =
        ParseComponentId(verb, "--manifest-component-id", u->manifest_id);
    const Bytes slot = suit::EncodeComponentId(suit::ComponentId(parts.begin(), parts.end()));
    Conclude(verb, *u, suit::Uninstall(slot, d.platform, d.policy, d.options));
  });

  auto store = std::make_shared<std::string>();
  CLI::App* list = manifest.add_subcommand("list", "List the manifests installed in a store");
  list->add_option("--store", *store, "Component store directory")->required();
  list->callback([store] {
    auto opened = host::DirectoryStore::Open(*store);
    if (!opened.ok()) Fail("manifest list", "--store " + *store + ": " + opened.status().ToString());
    auto records = (*opened)->ListManifests();
    if (!records.ok()) Fail("manifest list", records.status().ToString());
    for (const auto& r : *records) {
      std::cout << suit::DescribeEncodedComponentId(r.manifest_id) << "  sequence "
                << r.sequence_number << "  references " << r.reference_count << "\n";
    }
  });
}

}  // namespace teep::cli
