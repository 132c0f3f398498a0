// teep device init | tee | run | request-ta | unrequest-ta | list |
// policy-check: the device side (docs/cli.md). `tee` is the simulated TEE
// process (the Agent behind the REE/TEE channel); `run` is the Broker daemon,
// which starts the TEE process when it is not running and serves the local
// API that the other verbs use.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <iostream>
#include <memory>
#include <mutex>
#include <thread>

#include "cli/commands.h"
#include "cli/key_loading.h"
#include "cli/manifest_args.h"
#include "cli/provisioning_args.h"
#include "core/base/strings.h"
#include "core/suit/component_id.h"
#include "host/device/device_broker.h"
#include "host/device/tee_host.h"
#include "host/device/tee_ops.h"
#include "host/tee_sim/channel.h"

namespace teep::cli {
namespace {

using host::device::DeviceBroker;
using host::device::RemoteTee;
using host::device::TeeHost;
using host::tee_sim::ChannelClient;
using host::tee_sim::ChannelServer;
using host::tee_sim::Op;

struct DeviceArgs {
  std::string state;
  std::string socket;
  std::vector<std::string> tams;
  std::vector<std::string> tam_keys;
  SignerAndIdArgs ids;  // --signer, --hwmodel, --hwversion, --vendor-id, --class-id
  std::string key_type = "p256";
  std::string tam;
  std::string ca_file;
  unsigned interval = 0;
  std::vector<std::string> component;
};

std::string TeeSocket(const DeviceArgs& a) { return a.socket.empty() ? a.state + "/tee.sock" : a.socket; }
std::string BrokerSocket(const DeviceArgs& a) { return a.state + "/broker.sock"; }

// The server whose Stop() a termination signal calls (Stop is signal-safe).
std::atomic<ChannelServer*> g_serving{nullptr};
extern "C" void StopServing(int) {
  if (ChannelServer* s = g_serving.load()) s->Stop();
}
void StopOnSignals(ChannelServer* server) {
  g_serving = server;
  struct sigaction sa {};
  sa.sa_handler = StopServing;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
}

void Init(const DeviceArgs& a) {
  const std::string verb = "device init";
  if (a.tams.empty()) Fail(verb, "--tam is required (the TAM this device trusts)", kExitUsage);
  if (a.tams.size() != a.tam_keys.size()) {
    Fail(verb, "give one --tam-key for each --tam, in the same order", kExitUsage);
  }
  host::device::Provisioning p;
  for (size_t i = 0; i < a.tams.size(); ++i) {
    auto key = LoadPublicKey(a.tam_keys[i]);
    if (!key.ok()) Fail(verb, "--tam-key " + a.tam_keys[i] + ": " + key.status().ToString());
    p.tams.push_back({a.tams[i], *key});
  }
  ApplySignersAndIds(verb, a.ids, p);
  std::optional<crypto::KeyType> type;
  if (a.key_type == "p256") {
    type = crypto::KeyType::kP256;
  } else if (a.key_type == "ed25519") {
    type = crypto::KeyType::kEd25519;
  } else {
    Fail(verb, "--key-type must be p256 or ed25519", kExitUsage);
  }
  auto keys = host::device::Provision(a.state, p, type);
  if (!keys.ok()) Fail(verb, keys.status().ToString());
  std::cout << "TEE provisioned in " << a.state << "\n"
            << "  ueid: " << HexEncode(keys->ueid) << "\n"
            << "  public keys for the TAM: " << a.state << "/public/{teep-key,attestation-key,payload-key}.pem\n";
}

void Tee(const DeviceArgs& a) {
  const std::string verb = "device tee";
  auto host = TeeHost::Open(a.state);
  if (!host.ok()) Fail(verb, host.status().ToString());
  auto server = ChannelServer::Listen(TeeSocket(a));
  if (!server.ok()) Fail(verb, server.status().ToString());
  StopOnSignals(server->get());
  std::cerr << "teep device tee: serving " << TeeSocket(a) << "\n";
  Status served = (*server)->Serve([&](Op op, ByteView payload) -> Result<Bytes> {
    return host::device::ServeOp(**host, op, payload);
  });
  g_serving = nullptr;
  if (!served.ok()) Fail(verb, served.ToString());
}

// Connects to the TEE process, starting it (`teep device tee`) if nothing
// answers on its socket.
std::unique_ptr<RemoteTee> ConnectOrStartTee(const DeviceArgs& a) {
  const std::string verb = "device run";
  if (auto tee = RemoteTee::Connect(TeeSocket(a), std::chrono::milliseconds(200)); tee.ok()) {
    return std::move(tee).value();
  }
  const pid_t child = fork();
  if (child < 0) Fail(verb, "fork failed");
  if (child == 0) {
    execl("/proc/self/exe", "teep", "device", "tee", "--state", a.state.c_str(), "--socket",
          TeeSocket(a).c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  auto tee = RemoteTee::Connect(TeeSocket(a), std::chrono::seconds(10));
  if (!tee.ok()) Fail(verb, "the TEE process did not start: " + tee.status().ToString());
  return std::move(tee).value();
}

Result<Bytes> ServeBrokerOp(DeviceBroker& broker, Op op, ByteView payload) {
  auto text = [](const host::device::BrokerReport& r) -> Result<Bytes> {
    if (!r.ok) return Status(StatusCode::kIoError, r.Text());
    return ToBytes(AsBytes(r.Text()));
  };
  switch (op) {
    case Op::kRequestTa: {
      TEEP_ASSIGN_OR_RETURN(auto args, host::device::DecodeRequestTa(payload));
      TEEP_ASSIGN_OR_RETURN(auto report, broker.RequestTA(args.component, args.tam_uri));
      return text(report);
    }
    case Op::kUnrequestTa: {
      TEEP_ASSIGN_OR_RETURN(auto id, host::device::DecodeComponent(payload));
      TEEP_ASSIGN_OR_RETURN(auto report, broker.UnrequestTA(id));
      return text(report);
    }
    case Op::kRequestPolicyCheck: {
      TEEP_ASSIGN_OR_RETURN(auto report, broker.PolicyCheck());
      return text(report);
    }
    case Op::kListTcs: {
      TEEP_ASSIGN_OR_RETURN(auto tcs, broker.ListInstalled());
      return host::device::EncodeTcList(tcs);
    }
    case Op::kShutdown:
      return Bytes{};
    default:
      return Status(StatusCode::kInvalidArgument,
                    Cat("the device API does not offer ", host::tee_sim::OpName(op)));
  }
}

void Run(const DeviceArgs& a) {
  const std::string verb = "device run";
  std::unique_ptr<RemoteTee> tee = ConnectOrStartTee(a);
  host::HttpClientOptions options;
  options.ca_file = a.ca_file;
  auto http = host::HttpClient::Create(options);
  if (!http.ok()) Fail(verb, http.status().ToString());
  DeviceBroker broker(*tee, **http);
  auto server = ChannelServer::Listen(BrokerSocket(a));
  if (!server.ok()) Fail(verb, server.status().ToString());
  StopOnSignals(server->get());

  // otrp-over-http §5.5: a periodic policy check.
  std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  std::thread timer;
  if (a.interval > 0) {
    timer = std::thread([&] {
      std::unique_lock<std::mutex> lock(mutex);
      while (!wake.wait_for(lock, std::chrono::seconds(a.interval), [&] { return stopping; })) {
        lock.unlock();
        auto report = broker.PolicyCheck();
        std::cerr << "teep device run: policy check: "
                  << (report.ok() ? report->Text() : report.status().ToString() + "\n");
        lock.lock();
      }
    });
  }
  std::cerr << "teep device run: serving " << BrokerSocket(a) << "\n";
  Status served = (*server)->Serve(
      [&](Op op, ByteView payload) { return ServeBrokerOp(broker, op, payload); });
  g_serving = nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex);
    stopping = true;
  }
  wake.notify_all();
  if (timer.joinable()) timer.join();
  (void)tee->Shutdown();
  if (!served.ok()) Fail(verb, served.ToString());
}

// The local API, as an untrusted application uses it.
Bytes CallBroker(const std::string& verb, const DeviceArgs& a, Op op, ByteView payload) {
  auto client = ChannelClient::Connect(BrokerSocket(a), std::chrono::seconds(2), "device daemon");
  if (!client.ok()) {
    Fail(verb, "no device daemon answers on " + BrokerSocket(a) + " (start `teep device run --state " +
                   a.state + "`): " + client.status().ToString());
  }
  auto reply = (*client)->Call(op, payload);
  if (!reply.ok()) Fail(verb, reply.status().message(), kExitVerification);
  return std::move(reply).value();
}

void PrintReply(const Bytes& reply) { std::cout << std::string(reply.begin(), reply.end()); }

void List(const DeviceArgs& a) {
  Bytes reply = CallBroker("device list", a, Op::kListTcs, {});
  auto tcs = host::device::DecodeTcList(reply);
  if (!tcs.ok()) Fail("device list", tcs.status().ToString());
  if (tcs->empty()) std::cout << "no Trusted Components installed\n";
  for (const auto& tc : *tcs) {
    std::vector<ByteView> parts(tc.component_id.begin(), tc.component_id.end());
    std::cout << suit::DescribeComponentId(parts) << "  sequence " << tc.sequence_number;
    if (tc.image_size) std::cout << "  " << *tc.image_size << " bytes";
    std::cout << "\n";
  }
}

}  // namespace

void AddDeviceCommand(CLI::App& app) {
  CLI::App* device = app.add_subcommand("device", "The device side: simulated TEE, Agent and Broker");
  device->require_subcommand(1);
  auto a = std::make_shared<DeviceArgs>();
  auto state = [&](CLI::App* cmd) {
    cmd->add_option("--state", a->state, "State directory of the TEE (created 0700)")->required();
  };

  CLI::App* init = device->add_subcommand("init", "Create the TEE's identity and trust anchors");
  state(init);
  init->add_option("--tam", a->tams, "URI of a TAM this device trusts; repeatable")->required();
  init->add_option("--tam-key", a->tam_keys, "That TAM's public key (PEM); one per --tam")->required();
  init->add_option("--signer", a->ids.signers, "Trusted Component signer public key (PEM); repeatable");
  init->add_option("--key-type", a->key_type, "TEEP key type at first start: p256 or ed25519");
  init->add_option("--hwmodel", a->ids.hwmodel, "EAT hwmodel of this simulated TEE");
  init->add_option("--hwversion", a->ids.hwversion, "EAT hwversion of this simulated TEE");
  init->add_option("--vendor-id", a->ids.vendor_ids, "SUIT vendor UUID this TEE answers to; repeatable");
  init->add_option("--class-id", a->ids.class_ids, "SUIT class UUID this TEE answers to; repeatable");
  init->callback([a] { Init(*a); });

  CLI::App* tee = device->add_subcommand("tee", "Run the simulated TEE process (the Agent)");
  state(tee);
  tee->add_option("--socket", a->socket, "Channel socket (default STATE/tee.sock)");
  tee->callback([a] { Tee(*a); });

  CLI::App* run = device->add_subcommand("run", "Run the Broker daemon (starts the TEE if needed)");
  state(run);
  run->add_option("--socket", a->socket, "The TEE's channel socket (default STATE/tee.sock)");
  run->add_option("--ca-file", a->ca_file, "Trust only this CA for HTTPS TAMs (PEM)");
  run->add_option("--interval", a->interval, "Seconds between policy checks (0: only on request)");
  run->callback([a] { Run(*a); });

  CLI::App* request = device->add_subcommand("request-ta", "Ask for a Trusted Component (RequestTA)");
  state(request);
  request->add_option("component", a->component, "Component id parts (text, or h:HEX)")->required();
  request->add_option("--tam", a->tam, "A TAM URI the device trusts (default: its first TAM)");
  request->callback([a] {
    host::device::RequestTaArgs args{ParseComponentId("device request-ta", "component", a->component),
                                     a->tam.empty() ? std::nullopt : std::optional<std::string>(a->tam)};
    auto payload = host::device::EncodeRequestTa(args);
    PrintReply(CallBroker("device request-ta", *a, Op::kRequestTa, *payload));
  });

  CLI::App* unrequest = device->add_subcommand("unrequest-ta", "Say a Trusted Component is no longer needed");
  state(unrequest);
  unrequest->add_option("component", a->component, "Component id parts (text, or h:HEX)")->required();
  unrequest->callback([a] {
    auto payload = host::device::EncodeComponent(
        ParseComponentId("device unrequest-ta", "component", a->component));
    PrintReply(CallBroker("device unrequest-ta", *a, Op::kUnrequestTa, *payload));
  });

  CLI::App* list = device->add_subcommand("list", "List the installed Trusted Components");
  state(list);
  list->callback([a] { List(*a); });

  CLI::App* check = device->add_subcommand("policy-check", "Contact the TAMs now");
  state(check);
  check->callback([a] { PrintReply(CallBroker("device policy-check", *a, Op::kRequestPolicyCheck, {})); });
}

}  // namespace teep::cli
