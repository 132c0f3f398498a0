// teep tam init | serve | tc add|list | policy add|remove|list |
// devices add|list | audit (docs/cli.md "teep tam"). The operator verbs open
// the TAM's database directly: SQLite in WAL mode lets them work beside a
// running `teep tam serve`, which sees each change at its next request.
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/key_loading.h"
#include "cli/manifest_args.h"
#include "core/base/strings.h"
#include "core/cose/key.h"
#include "core/suit/component_id.h"
#include "core/tam/repository.h"
#include "host/fleet/import_file.h"
#include "host/io/file.h"
#include "host/tam_server/tam_directory.h"
#include "host/tam_server/tam_service.h"

namespace teep::cli {
namespace {

struct TamArgs {
  std::string config = "tam.toml";
  std::string dir;
  int port = 8080;
  std::string file;
  std::string target = "all";
  std::vector<std::string> manifest_id;
  std::string teep_key, attestation_key, name;
  int limit = 20;
  std::string database;  // --database: overrides tam.toml's [database]
};

host::TamServerConfig Config(const std::string& verb, const TamArgs& a) {
  auto config = host::LoadTamConfig(a.config);
  if (!config.ok()) Fail(verb, config.status().message(), kExitUsage);
  if (!a.database.empty()) config->database = a.database;
  return std::move(config).value();
}

std::unique_ptr<tam::TamStore> Store(const std::string& verb, const host::TamServerConfig& config) {
  auto store = host::OpenTamStore(config);
  if (!store.ok()) Fail(verb, store.status().ToString());
  return std::move(store).value();
}

std::string Describe(ByteView encoded_id) { return suit::DescribeEncodedComponentId(encoded_id); }

std::string Time(int64_t seconds) {
  if (seconds == 0) return "never";
  char text[32];
  const time_t t = static_cast<time_t>(seconds);
  std::strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%S", std::gmtime(&t));
  return text;
}

void Init(const TamArgs& a) {
  const std::string verb = "tam init";
  if (a.port < 0 || a.port > 65535) Fail(verb, "--port must be 0..65535", kExitUsage);
  Status s = host::CreateTamDirectory(a.dir, static_cast<uint16_t>(a.port));
  if (!s.ok()) Fail(verb, s.ToString());
  std::cout << "TAM set up in " << a.dir << ": tam.toml; TAM keys tam-p256.pem and tam-ed25519.pem "
            << "(devices trust the .pub.pem files); a TC signer key signer.pem\n";
}

std::atomic<bool> g_stop{false};
extern "C" void RequestStop(int) { g_stop = true; }

void Serve(const TamArgs& a) {
  const std::string verb = "tam serve";
  host::TamServerConfig config = Config(verb, a);
  auto service = host::TamService::Start(config, [](std::string_view line) { std::cerr << "teep tam: " << line << "\n"; });
  if (!service.ok()) Fail(verb, service.status().ToString());
  struct sigaction sa {};
  sa.sa_handler = RequestStop;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  std::cerr << "teep tam: database " << host::RedactedDatabase(config.database) << "\n";
  std::cerr << "teep tam serve: " << (config.tls_cert.empty() ? "http" : "https") << "://" << config.address
            << ":" << (*service)->port() << config.path << "\n";
  while (!g_stop) pause();
  (*service)->Stop();
}

void TcAdd(const TamArgs& a) {
  const std::string verb = "tam tc add";
  host::TamServerConfig config = Config(verb, a);
  std::vector<crypto::PublicKey> signers;
  for (const std::string& path : config.signers) {
    auto key = LoadPublicKey(path);
    if (!key.ok()) Fail(verb, "repository.signers " + path + ": " + key.status().ToString());
    signers.push_back(*key);
  }
  if (signers.empty()) Fail(verb, config.file + ": repository.signers is empty: no TC can be accepted");
  Bytes envelope = host::HexOrBinary(ReadInput(verb, a.file));  // published vectors are hex
  auto store = Store(verb, config);
  auto tc = tam::AddTc(*store, envelope, signers, std::time(nullptr));
  if (!tc.ok()) {
    const bool unverified = tc.status().code() == StatusCode::kVerificationFailed;
    Fail(verb, a.file + ": " + tc.status().ToString(), unverified ? kExitVerification : 1);
  }
  std::cout << "added " << Describe(tc->manifest_id) << " sequence " << tc->sequence_number << "\n";
}

void TcList(const TamArgs& a) {
  auto store = Store("tam tc list", Config("tam tc list", a));
  auto tcs = store->ListLatestTcs();
  if (!tcs.ok()) Fail("tam tc list", tcs.status().ToString());
  if (tcs->empty()) std::cout << "the repository is empty\n";
  for (const tam::TcRecord& tc : *tcs) {
    std::cout << Describe(tc.manifest_id) << "  sequence " << tc.sequence_number << "  "
              << tc.envelope.size() << " bytes  uploaded " << Time(tc.uploaded) << "\n";
  }
}

Bytes ManifestId(const std::string& verb, const TamArgs& a) {
  std::vector<Bytes> parts = ParseComponentId(verb, "manifest-id", a.manifest_id);
  std::vector<ByteView> views(parts.begin(), parts.end());
  return suit::EncodeComponentId(views);
}

void CheckTarget(const std::string& verb, const std::string& target) {
  const bool ok = target == "all" || target.rfind("device:", 0) == 0 || target.rfind("class:", 0) == 0;
  if (!ok) Fail(verb, "--target must be all, device:HEX or class:HEX", kExitUsage);
}

void PolicySet(const TamArgs& a, tam::PolicyRecord::Action action) {
  const std::string verb = action == tam::PolicyRecord::Action::kInstall ? "tam policy install" : "tam policy remove";
  CheckTarget(verb, a.target);
  auto store = Store(verb, Config(verb, a));
  Bytes id = ManifestId(verb, a);
  if (action == tam::PolicyRecord::Action::kInstall) {
    auto tc = store->LatestTc(id);
    if (!tc.ok() || !*tc) Fail(verb, Describe(id) + " is not in the repository (teep tam tc add)");
  }
  Status s = store->PutPolicy({a.target, id, action});
  if (!s.ok()) Fail(verb, s.ToString());
  std::cout << a.target << (action == tam::PolicyRecord::Action::kInstall ? " must hold " : " must not hold ")
            << Describe(id) << "\n";
}

void PolicyClear(const TamArgs& a) {
  const std::string verb = "tam policy clear";
  CheckTarget(verb, a.target);
  auto store = Store(verb, Config(verb, a));
  Status s = store->RemovePolicy(a.target, ManifestId(verb, a));
  if (!s.ok()) Fail(verb, s.ToString());
}

void PolicyList(const TamArgs& a) {
  auto store = Store("tam policy list", Config("tam policy list", a));
  auto policies = store->ListPolicies();
  if (!policies.ok()) Fail("tam policy list", policies.status().ToString());
  if (policies->empty()) std::cout << "no policy\n";
  for (const tam::PolicyRecord& p : *policies) {
    std::cout << p.target << (p.action == tam::PolicyRecord::Action::kInstall ? "  install  " : "  remove   ")
              << Describe(p.manifest_id) << "\n";
  }
}

void DevicesAdd(const TamArgs& a) {
  const std::string verb = "tam devices add";
  auto key = LoadPublicKey(a.teep_key);
  if (!key.ok()) Fail(verb, "--teep-key " + a.teep_key + ": " + key.status().ToString());
  tam::DeviceRecord d;
  auto kid = cose::Thumbprint(*key);
  d.device_id.assign(kid->begin(), kid->end());
  d.teep_key_pem = *key->ToPem();
  if (!a.attestation_key.empty()) {
    auto attestation = LoadPublicKey(a.attestation_key);
    if (!attestation.ok()) Fail(verb, "--attestation-key " + a.attestation_key + ": " + attestation.status().ToString());
    d.attestation_key_pem = *attestation->ToPem();
  }
  d.name = a.name;
  d.attestation = "none";
  auto store = Store(verb, Config(verb, a));
  Status s = store->PutDevice(d);
  if (!s.ok()) Fail(verb, s.ToString());
  std::cout << "device " << HexEncode(d.device_id) << (a.name.empty() ? "" : " (" + a.name + ")") << " registered\n";
}

// Bulk registration from the file `teep fleet devices` writes (format in
// host/fleet/import_file.h). The whole file is parsed first, so a bad line
// registers nothing; then one PutDevices call writes every device in one
// transaction (all or nothing). A device already registered with the same
// keys keeps what its conversations established (attestation, ueid, hwmodel,
// last contact), so re-importing a file changes nothing; one whose
// attestation key changed starts again at attestation "none".
void DevicesImport(const TamArgs& a) {
  const std::string verb = "tam devices import";
  std::ifstream in(a.file);
  if (!in) Fail(verb, a.file + ": cannot open");
  auto devices = host::fleet::ParseImportFile(in, a.file);
  if (!devices.ok()) Fail(verb, devices.status().message());
  auto store = Store(verb, Config(verb, a));
  const size_t total = devices->size();
  size_t known = 0;  // counted just before the write
  std::vector<tam::DeviceRecord> writes;
  for (tam::DeviceRecord& d : *devices) {
    auto existing = store->FindDevice(d.device_id);
    if (!existing.ok()) Fail(verb, existing.status().ToString());
    if (*existing) {
      ++known;
      const tam::DeviceRecord& e = **existing;
      d.last_contact = e.last_contact;
      if (e.attestation_key_pem == d.attestation_key_pem) {
        if (e.name == d.name) continue;  // unchanged: nothing to write
        d.ueid = e.ueid;
        d.hwmodel = e.hwmodel;
        d.attestation = e.attestation;
      }  // else: a new attestation key must attest again ("none")
    }
    writes.push_back(std::move(d));
  }
  if (!writes.empty()) {
    Status s = store->PutDevices(writes);
    if (!s.ok()) Fail(verb, "nothing imported: " + s.ToString());
  }
  std::cout << "imported " << total << " devices: " << total - known << " new, " << known
            << " already registered (" << writes.size() - (total - known) << " of them changed)\n";
}

void DevicesList(const TamArgs& a) {
  auto store = Store("tam devices", Config("tam devices", a));
  auto devices = store->ListDevices();
  if (!devices.ok()) Fail("tam devices", devices.status().ToString());
  if (devices->empty()) std::cout << "no devices registered\n";
  for (const tam::DeviceRecord& d : *devices) {
    std::cout << HexEncode(d.device_id) << (d.name.empty() ? "" : "  " + d.name) << "\n"
              << "  attestation: " << d.attestation << "\n  last contact: " << Time(d.last_contact) << "\n";
    auto installed = store->ListInstalled(d.device_id);
    if (!installed.ok()) Fail("tam devices", installed.status().ToString());
    for (const tam::InstalledRecord& r : *installed) {
      std::cout << "  holds " << Describe(r.manifest_id) << " sequence "
                << (r.sequence_number ? std::to_string(r.sequence_number) : std::string("unknown")) << "\n";
    }
  }
}

void Audit(const TamArgs& a) {
  auto store = Store("tam audit", Config("tam audit", a));
  auto records = store->RecentAudit(static_cast<size_t>(a.limit));
  if (!records.ok()) Fail("tam audit", records.status().ToString());
  for (auto it = records->rbegin(); it != records->rend(); ++it) {
    std::cout << Time(it->time) << "  " << (it->device_id.empty() ? "-" : HexEncode(it->device_id).substr(0, 16))
              << "  " << it->event << "  " << it->detail << "\n";
  }
}

}  // namespace

void AddTamCommand(CLI::App& app) {
  CLI::App* tam = app.add_subcommand("tam", "The TAM: server, repository, policy and device registry");
  tam->require_subcommand(1);
  auto a = std::make_shared<TamArgs>();
  auto config = [a](CLI::App* cmd) {
    cmd->add_option("--config", a->config, "tam.toml (default ./tam.toml)");
    cmd->add_option("--database", a->database,
                    "SQLite file or postgresql://user@host:port/db URL (overrides tam.toml's [database])");
  };

  CLI::App* init = tam->add_subcommand("init", "Create keys and a tam.toml in a directory");
  init->add_option("--dir", a->dir, "Directory to create them in")->required();
  init->add_option("--port", a->port, "Port of server.listen (default 8080)");
  init->callback([a] { Init(*a); });

  CLI::App* serve = tam->add_subcommand("serve", "Serve TEEP over HTTP(S) (otrp-over-http-15)");
  config(serve);
  serve->callback([a] { Serve(*a); });

  CLI::App* tc = tam->add_subcommand("tc", "The Trusted Component repository");
  tc->require_subcommand(1);
  CLI::App* add = tc->add_subcommand("add", "Add a signed SUIT envelope (verified against repository.signers)");
  config(add);
  add->add_option("manifest", a->file, "SUIT envelope file, binary or hex (- for stdin)")->required();
  add->callback([a] { TcAdd(*a); });
  CLI::App* list = tc->add_subcommand("list", "The latest version of every TC");
  config(list);
  list->callback([a] { TcList(*a); });

  CLI::App* policy = tam->add_subcommand("policy", "Which devices must (not) hold which TC");
  policy->require_subcommand(1);
  for (const auto& [name, help] : std::vector<std::pair<std::string, std::string>>{
           {"install", "Devices of --target must hold the TC"},
           {"remove", "Devices of --target must not hold the TC"},
           {"clear", "Forget the policy of --target for the TC"}}) {
    CLI::App* cmd = policy->add_subcommand(name, help);
    config(cmd);
    cmd->add_option("manifest-id", a->manifest_id, "Manifest id parts (text, or h:HEX)")->required();
    cmd->add_option("--target", a->target, "all (default), device:HEX or class:HEX (EAT hwmodel)");
    if (name == "install") cmd->callback([a] { PolicySet(*a, tam::PolicyRecord::Action::kInstall); });
    if (name == "remove") cmd->callback([a] { PolicySet(*a, tam::PolicyRecord::Action::kRemove); });
    if (name == "clear") cmd->callback([a] { PolicyClear(*a); });
  }
  CLI::App* policy_list = policy->add_subcommand("list", "Every policy");
  config(policy_list);
  policy_list->callback([a] { PolicyList(*a); });

  CLI::App* devices = tam->add_subcommand("devices", "Registered devices, their TCs, attestation and last contact");
  config(devices);
  devices->callback([a, devices] {
    if (devices->get_subcommands().empty()) DevicesList(*a);
  });
  CLI::App* device_add = devices->add_subcommand("add", "Register a device TEE by its public keys");
  config(device_add);
  device_add->add_option("--teep-key", a->teep_key, "The Agent's TEEP key (PEM)")->required();
  device_add->add_option("--attestation-key", a->attestation_key, "Its attestation key (PEM)");
  device_add->add_option("--name", a->name, "A label for the operator");
  device_add->callback([a] { DevicesAdd(*a); });
  CLI::App* device_import = devices->add_subcommand(
      "import", "Register many devices from a file (`teep fleet devices` writes one), all or none");
  config(device_import);
  device_import->add_option("file", a->file, "One device a line: NAME TEEP-KEY ATTESTATION-KEY|- (docs/cli.md)")
      ->required();
  device_import->callback([a] { DevicesImport(*a); });

  CLI::App* audit = tam->add_subcommand("audit", "The newest audit records, oldest first");
  config(audit);
  audit->add_option("--limit", a->limit, "How many (default 20)");
  audit->callback([a] { Audit(*a); });
}

}  // namespace teep::cli
