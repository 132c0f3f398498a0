// `teep demo`: the README's main job. On embedded defaults in a temporary
// directory it runs every role for real: a TAM process on loopback with its
// SQLite store, a simulated device (a TEE process running the TEEP Agent
// behind its channel, and the Broker talking HTTP to the TAM), a TC signer.
// It registers the device and a sample Trusted Component, requests it, and
// shows the attested exchange message by message; then publishes version 2
// and shows the update, then deletes the TC. --verbose prints every message
// in full (teep inspect's view).
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <string>

#include "cli/child_process.h"
#include "cli/commands.h"
#include "cli/key_loading.h"
#include "core/base/strings.h"
#include "core/cose/key.h"
#include "core/cose/sign.h"
#include "core/suit/builder.h"
#include "core/suit/component_id.h"
#include "core/tam/repository.h"
#include "core/teep/codec.h"
#include "host/device/device_broker.h"
#include "host/device/tee_host.h"
#include "host/inspect/inspect.h"
#include "host/io/file.h"
#include "host/tam_server/tam_directory.h"
#include "host/tam_server/tam_service.h"

namespace teep::cli {
namespace {

struct DemoArgs {
  bool verbose = false;
  bool keep = false;
};

template <typename T>
T Must(Result<T> r, const std::string& step) {
  if (!r.ok()) Fail("demo", step + ": " + r.status().ToString());
  return std::move(r).value();
}

void Must(const Status& s, const std::string& step) {
  if (!s.ok()) Fail("demo", step + ": " + s.ToString());
}

std::string Short(const std::optional<Bytes>& b) {
  return b ? HexEncode(*b).substr(0, 8) + "…" : std::string("none");
}

// One line about a TEEP message, read without verifying it (display only:
// the Agent and the TAM verify what they act on).
std::string Summary(ByteView cose) {
  std::optional<ByteView> payload;
  std::string wrapper;
  if (auto s1 = cose::DecodeSign1(cose); s1.ok()) {
    payload = s1->payload;
    wrapper = "COSE_Sign1";
  } else if (auto s = cose::DecodeSign(cose); s.ok()) {
    payload = s->payload;
    wrapper = Cat("COSE_Sign, ", s->signatures.size(), " signatures");
  }
  if (!payload) return "not a signed TEEP message";
  auto m = msg::DecodeMessage(*payload);
  if (!m.ok()) return "undecodable: " + m.status().message();
  std::string text = Cat(msg::MessageTypeName(msg::TypeOf(*m)), " (", wrapper, ", ", cose.size(), " B)");
  if (auto* q = std::get_if<msg::QueryRequest>(&*m)) {
    text += Cat(": token ", Short(q->token), q->challenge ? Cat(", challenge ", q->challenge->size(), " B") : "",
                ", asks for", (q->data_item_requested & msg::kDataItemAttestation) ? " attestation" : "",
                (q->data_item_requested & msg::kDataItemTrustedComponents) ? " tc-list" : "");
  } else if (auto* r = std::get_if<msg::QueryResponse>(&*m)) {
    text += Cat(": token ", Short(r->token),
                r->attestation_payload ? Cat(", Evidence (EAT) ", r->attestation_payload->size(), " B") : "",
                ", tc-list ", r->tc_list ? r->tc_list->size() : 0,
                r->requested_tc_list ? Cat(", requests ", r->requested_tc_list->size(), " TC") : "",
                r->unneeded_manifest_list ? Cat(", no longer needs ", r->unneeded_manifest_list->size()) : "");
  } else if (auto* u = std::get_if<msg::Update>(&*m)) {
    text += Cat(": token ", Short(u->token), ", ", u->manifest_list ? u->manifest_list->size() : 0,
                " manifest(s) to install, ", u->unneeded_manifest_list ? u->unneeded_manifest_list->size() : 0,
                " to delete");
  } else if (auto* s = std::get_if<msg::Success>(&*m)) {
    text += Cat(": token ", Short(s->token), ", ", s->suit_reports ? s->suit_reports->size() : 0,
                " SUIT report(s)");
  } else if (auto* e = std::get_if<msg::Error>(&*m)) {
    text += Cat(": ", e->err_msg.value_or("(no message)"));
  }
  return text;
}

// The device's TEE as the Broker sees it, printing each message that
// crosses the REE/TEE boundary.
class TracingTee final : public host::device::TeeConnection {
 public:
  TracingTee(host::device::TeeConnection& inner, bool verbose, size_t* messages)
      : inner_(inner), verbose_(verbose), messages_(messages) {}
  Result<Bytes> ProcessTeepMessage(ByteView message) override {
    Show("TAM   → Agent", message);
    TEEP_ASSIGN_OR_RETURN(Bytes reply, inner_.ProcessTeepMessage(message));
    if (!reply.empty()) Show("Agent → TAM  ", reply);
    return reply;
  }
  void ProcessError(std::string_view what) override { inner_.ProcessError(what); }
  Result<std::string> RequestTA(const msg::ComponentId& c, std::optional<std::string> tam) override {
    return inner_.RequestTA(c, std::move(tam));
  }
  Result<std::string> UnrequestTA(const msg::ComponentId& c) override { return inner_.UnrequestTA(c); }
  Result<std::vector<std::string>> RequestPolicyCheck() override { return inner_.RequestPolicyCheck(); }
  Result<std::vector<agent::InstalledTc>> ListInstalled() override { return inner_.ListInstalled(); }

 private:
  void Show(const char* direction, ByteView message) {
    ++*messages_;
    std::cout << "    " << direction << "  " << Summary(message) << "\n";
    if (!verbose_) return;
    auto inspected = host::Inspect(message, {});
    if (inspected.ok()) {
      std::string text = inspected->output;
      for (size_t at = 0; (at = text.find('\n', at)) != std::string::npos && at + 1 < text.size(); at += 7) {
        text.insert(at + 1, "      ");
      }
      std::cout << "      " << text << "\n";
    }
  }

  host::device::TeeConnection& inner_;
  bool verbose_;
  size_t* messages_;
};

Bytes Text(std::string_view s) { return ToBytes(AsBytes(s)); }

void ShowInstalled(host::device::TeeConnection& tee) {
  auto tcs = Must(tee.ListInstalled(), "listing the device's TCs");
  if (tcs.empty()) std::cout << "  the device holds no Trusted Component\n";
  for (const auto& tc : tcs) {
    std::vector<ByteView> parts(tc.component_id.begin(), tc.component_id.end());
    std::cout << "  the device holds " << suit::DescribeComponentId(parts) << ", sequence "
              << tc.sequence_number << ", " << tc.image_size.value_or(0) << " bytes\n";
  }
}

void Run(const DemoArgs& a) {
  const auto started = std::chrono::steady_clock::now();
  char pattern[] = "/tmp/teep-demo-XXXXXX";
  if (mkdtemp(pattern) == nullptr) Fail("demo", "cannot create a temporary directory");
  const std::filesystem::path dir(pattern);
  std::cout << "teep demo in " << dir.string() << (a.keep ? " (kept)" : "") << "\n";

  // The TAM: keys, configuration, SQLite store, HTTP on loopback.
  const std::string tam_dir = (dir / "tam").string();
  Must(host::CreateTamDirectory(tam_dir, 0), "creating the TAM");
  const std::string config_file = tam_dir + "/tam.toml";
  ChildProcess tam = Must(ChildProcess::Start({"tam", "serve", "--config", config_file}, (dir / "tam.log").string()),
                          "starting the TAM");
  const std::string url = Must(tam.WaitForLine("teep tam serve: ", std::chrono::seconds(10)), "starting the TAM");
  std::cout << "1. TAM process serving " << url << " (SQLite store, keys for both TEEP suites)\n";
  host::TamServerConfig config = Must(host::LoadTamConfig(config_file), "reading tam.toml");
  auto store = Must(host::OpenTamStore(config), "opening the TAM's store");

  // The device: a provisioned TEE process and, here, the Broker.
  const std::string state = (dir / "device").string();
  host::device::Provisioning provisioning;
  provisioning.tams.push_back({url, Must(LoadPublicKey(tam_dir + "/tam-p256.pub.pem"), "TAM key")});
  provisioning.tams.push_back({url, Must(LoadPublicKey(tam_dir + "/tam-ed25519.pub.pem"), "TAM key")});
  provisioning.signers.push_back(Must(LoadPublicKey(tam_dir + "/signer.pub.pem"), "signer key"));
  host::device::TeePublicKeys device_keys = Must(host::device::Provision(state, provisioning), "provisioning the TEE");
  ChildProcess tee = Must(ChildProcess::Start({"device", "tee", "--state", state}, (dir / "tee.log").string()),
                          "starting the TEE");
  Must(tee.WaitForLine("teep device tee: serving ", std::chrono::seconds(10)), "starting the TEE");
  auto remote = Must(host::device::RemoteTee::Connect(state + "/tee.sock", std::chrono::seconds(5)), "connecting to the TEE");
  size_t messages = 0;
  TracingTee traced(*remote, a.verbose, &messages);
  auto http = Must(host::HttpClient::Create({}), "HTTP client");
  host::device::DeviceBroker broker(traced, *http);
  std::cout << "2. Device: TEE process (TEEP Agent, sealed state, ueid " << HexEncode(device_keys.ueid).substr(0, 12)
            << "…) and its Broker\n";

  // The operator registers the device's keys with the TAM.
  tam::DeviceRecord device;
  auto kid = Must(cose::Thumbprint(device_keys.teep_key), "device key id");
  device.device_id.assign(kid.begin(), kid.end());
  device.teep_key_pem = Must(device_keys.teep_key.ToPem(), "device key");
  device.attestation_key_pem = Must(device_keys.attestation_key.ToPem(), "device attestation key");
  device.name = "demo device";
  device.attestation = "none";
  Must(store->PutDevice(device), "registering the device");

  // The TC signer publishes version 1, encrypted to this device.
  auto signer = Must(LoadPrivateKey(tam_dir + "/signer.pem"), "signer key");
  const msg::ComponentId component = {Text("TEEP-Device"), Text("SecureFS"), Text("hello-ta")};
  auto publish = [&](uint64_t version) {
    suit::ManifestSpec spec;
    spec.sequence_number = version;
    spec.component_id = component;
    spec.payload = Text(Cat("Hello, Secure World! (version ", version, ")"));
    spec.encryption = suit::PayloadEncryption{&device_keys.payload_key, {}, 1};  // A128GCM
    Bytes envelope = Must(suit::BuildEnvelope(spec, signer), "signing the TC");
    const crypto::PublicKey signers[] = {signer.Public()};
    Must(tam::AddTc(*store, envelope, signers, std::time(nullptr)), "adding the TC to the repository");
    std::cout << "  TC signer published hello-ta version " << version << " (" << envelope.size()
              << " B SUIT envelope, payload encrypted to the device)\n";
  };
  auto converse = [&](Result<host::device::BrokerReport> report, const char* what) {
    const auto& r = Must(std::move(report), what);
    if (!r.ok) Fail("demo", std::string(what) + ": " + r.Text());
  };

  std::cout << "3. Install\n";
  publish(1);
  std::cout << "  an application asks for hello-ta (RequestTA); the Broker opens a conversation:\n";
  converse(broker.RequestTA(component, std::nullopt), "installing");
  ShowInstalled(traced);

  std::cout << "4. Update\n";
  publish(2);
  std::cout << "  the Broker's policy check:\n";
  converse(broker.PolicyCheck(), "updating");
  ShowInstalled(traced);

  std::cout << "5. Delete\n";
  std::cout << "  the application no longer needs hello-ta (UnrequestTA):\n";
  converse(broker.UnrequestTA(component), "deleting");
  ShowInstalled(traced);

  auto record = Must(store->FindDevice(device.device_id), "reading the device record");
  (void)remote->Shutdown();
  tee.Stop();
  tam.Stop();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "summary: 3 conversations, " << messages << " TEEP messages, attestation "
            << (record ? record->attestation : "unknown") << "; hello-ta installed, updated to version 2 "
            << "and deleted; " << Cat(static_cast<int>(seconds * 1000)) << " ms\n";
  if (!a.keep) std::filesystem::remove_all(dir);
}

}  // namespace

void AddDemoCommand(CLI::App& app) {
  auto args = std::make_shared<DemoArgs>();
  CLI::App* demo = app.add_subcommand("demo", "Run a TAM and a device end to end on loopback");
  demo->add_flag("--verbose,-v", args->verbose, "Print every TEEP message in full");
  demo->add_flag("--keep", args->keep, "Keep the temporary directory (keys, database, logs)");
  demo->callback([args] { Run(*args); });
}

}  // namespace teep::cli
