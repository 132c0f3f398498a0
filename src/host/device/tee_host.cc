#include "host/device/tee_host.h"

#include <sys/stat.h>

#include <chrono>
#include <functional>
#include <string_view>
#include <utility>

#include "core/base/strings.h"
#include "core/suit/digest.h"
#include "host/io/file.h"

namespace teep::host::device {

using tee_sim::MonotonicCounter;
using tee_sim::SealedStorage;
using tee_sim::TeeIdentity;

namespace {

// The most one SUIT fetch may bring (RFC 9397 §9.3: limit the TEE resources
// that TC management may use). A fetched payload or dependency manifest is
// held in memory whole before it is staged, so a hostile server must not be
// able to make it unbounded; 32 MiB is well above any Trusted Component this
// simulation expects (the Agent's TEEP message limit is 16 MiB).
constexpr size_t kMaxFetchBytes = 32 * 1024 * 1024;

constexpr char kProvisioningBlob[] = "provisioning";
constexpr char kPayloadKeyBlob[] = "payload_key";

// The OEM of every simulated TEE: a random-form oemid (RFC 9711 §4.2.3.3)
// fixed for this project, so that reference values can name it.
constexpr eat::OemidRandom kSimulatorOemid = {0x74, 0x65, 0x65, 0x70, 0x2d, 0x73, 0x69, 0x6d,
                                              0x2d, 0x6f, 0x65, 0x6d, 0x2d, 0x69, 0x64, 0x31};

// The Agent's own code, measured as the executable that runs it: the first
// `manifests` entry of its Evidence (P §5).
Result<Bytes> MeasureSelf() {
  TEEP_ASSIGN_OR_RETURN(Bytes self, ReadFile("/proc/self/exe"));
  const auto digest = crypto::Sha256(self);
  return suit::EncodeDigest(suit::kDigestSha256, digest);
}

Result<crypto::PrivateKey> LoadOrCreatePayloadKey(SealedStorage& sealed) {
  TEEP_ASSIGN_OR_RETURN(std::optional<crypto::SecretBytes> pem, sealed.Get(kPayloadKeyBlob));
  if (pem) {
    const ByteView v = pem->view();
    return crypto::PrivateKey::FromPem(std::string_view(reinterpret_cast<const char*>(v.data()), v.size()));
  }
  TEEP_ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::Generate(crypto::KeyType::kP256));
  TEEP_ASSIGN_OR_RETURN(std::string text, key.ToPem());
  crypto::SecretBytes secret(AsBytes(text));
  crypto::Wipe(text.data(), text.size());
  TEEP_RETURN_IF_ERROR(sealed.Put(kPayloadKeyBlob, secret.view()));
  return key;
}

// suit::Platform::fetch for payloads and dependency manifests named by URI
// (TEEP Appendix E.1, E.3). A real TEE has no network of its own: it asks the
// normal world to fetch and receives the bytes through the REE/TEE channel.
// This simulated TEE is an ordinary Linux process, so it uses libcurl directly
// (host::HttpClient: no redirects, no cookies). The trust is the same either
// way: whoever carries them, the fetched bytes are untrusted, and the SUIT
// processor only stages them; nothing fetched is committed (payload:
// condition-image-match) or processed (dependency: dependency integrity)
// before it matches the digest in the authenticated manifest.
std::function<Result<Bytes>(std::string_view, ByteView)> MakeFetcher(HttpClient* client) {
  return [client](std::string_view uri, ByteView fetch_args) -> Result<Bytes> {
    if (!IsHttpUrl(uri)) {
      // The processor's context names the URI.
      return Status(StatusCode::kUnsupported,
                    "the simulated TEE fetches only http:// and https:// URIs");
    }
    // suit-parameter-fetch-arguments (25) means whatever the fetch mechanism
    // makes of it; this fetcher defines nothing for HTTP, and a fetch it
    // cannot do as asked fails rather than fetching something else.
    if (!fetch_args.empty()) {
      return Status(StatusCode::kUnsupported,
                    "the simulated TEE's HTTP fetch supports no fetch-arguments");
    }
    return client->Get(std::string(uri), kMaxFetchBytes);
  };
}

Status WritePublic(const std::string& dir, const std::string& name, const crypto::PublicKey& key) {
  TEEP_ASSIGN_OR_RETURN(std::string pem, key.ToPem());
  return WriteFile(dir + "/" + name, AsBytes(pem));
}

}  // namespace

Result<TeePublicKeys> Provision(const std::string& state_dir, const Provisioning& provisioning,
                                std::optional<crypto::KeyType> teep_key_type) {
  if (provisioning.tams.empty()) {
    return Status(StatusCode::kInvalidArgument, "provisioning: at least one TAM is required");
  }
  TEEP_ASSIGN_OR_RETURN(TeeIdentity identity, TeeIdentity::LoadOrCreate(state_dir, teep_key_type));
  TEEP_ASSIGN_OR_RETURN(crypto::PrivateKey payload_key, LoadOrCreatePayloadKey(identity.sealed()));
  TEEP_ASSIGN_OR_RETURN(Bytes encoded, EncodeProvisioning(provisioning));
  TEEP_RETURN_IF_ERROR(identity.sealed().Put(kProvisioningBlob, encoded));
  TeePublicKeys keys{identity.teep_key().Public(), identity.attestation_key().Public(),
                     payload_key.Public(), identity.ueid()};
  const std::string public_dir = state_dir + "/public";
  if (::mkdir(public_dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return Status(StatusCode::kIoError, Cat("cannot create ", public_dir));
  }
  TEEP_RETURN_IF_ERROR(WritePublic(public_dir, "teep-key.pem", keys.teep_key));
  TEEP_RETURN_IF_ERROR(WritePublic(public_dir, "attestation-key.pem", keys.attestation_key));
  TEEP_RETURN_IF_ERROR(WritePublic(public_dir, "payload-key.pem", keys.payload_key));
  return keys;
}

TeeHost::TeeHost(TeeIdentity identity, Provisioning provisioning, crypto::PrivateKey payload_key)
    : identity_(std::move(identity)),
      provisioning_(std::move(provisioning)),
      payload_key_(std::move(payload_key)) {}

Result<std::unique_ptr<TeeHost>> TeeHost::Open(const std::string& state_dir,
                                               const std::string& fetch_ca_file) {
  TEEP_ASSIGN_OR_RETURN(TeeIdentity identity, TeeIdentity::LoadOrCreate(state_dir));
  TEEP_ASSIGN_OR_RETURN(std::optional<crypto::SecretBytes> blob,
                        identity.sealed().Get(kProvisioningBlob));
  if (!blob) {
    return Status(StatusCode::kNotFound,
                  Cat("the TEE in ", state_dir, " is not provisioned (run `teep device init`)"));
  }
  TEEP_ASSIGN_OR_RETURN(Provisioning provisioning, DecodeProvisioning(blob->view()));
  TEEP_ASSIGN_OR_RETURN(crypto::PrivateKey payload_key, LoadOrCreatePayloadKey(identity.sealed()));
  std::unique_ptr<TeeHost> host(
      new TeeHost(std::move(identity), std::move(provisioning), std::move(payload_key)));
  TEEP_ASSIGN_OR_RETURN(host->counter_, MonotonicCounter::Open(state_dir + "/counter"));
  TEEP_ASSIGN_OR_RETURN(host->store_, DirectoryStore::Open(state_dir + "/tcs"));
  host->state_ = std::make_unique<SealedStateStorage>(host->identity_.sealed(), *host->counter_);
  HttpClientOptions fetch_options;
  fetch_options.ca_file = fetch_ca_file;
  TEEP_ASSIGN_OR_RETURN(host->fetch_client_, HttpClient::Create(std::move(fetch_options)));

  agent::AgentConfig config;
  config.teep_key = &host->identity_.teep_key();
  config.attestation_key = &host->identity_.attestation_key();
  agent::DeviceIdentity& id = config.identity;
  id.ueid = host->identity_.ueid();
  id.oemid = kSimulatorOemid;
  id.hwmodel = ToBytes(AsBytes(host->provisioning_.hwmodel));
  id.hwversion = {host->provisioning_.hwversion, std::nullopt};
  // Honest: the host can debug a simulated TEE (RFC 9711 §4.2.9).
  id.dbgstat = eat::DebugStatus::kEnabled;
  TEEP_ASSIGN_OR_RETURN(id.agent_digest, MeasureSelf());
  for (const ProvisionedTam& tam : host->provisioning_.tams) config.tams.push_back({tam.uri, tam.key});
  config.suit.store = host->store_.get();
  config.suit.trust_anchors.keys = host->provisioning_.signers;
  config.suit.vendor_ids = host->provisioning_.vendor_ids;
  config.suit.class_ids = host->provisioning_.class_ids;
  config.suit.decryption_keys.push_back(cose::EcdhKey{&host->payload_key_, {}, {}});
  config.suit.fetch = MakeFetcher(host->fetch_client_.get());
  config.now = [] {
    return std::optional<int64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count());
  };
  TEEP_ASSIGN_OR_RETURN(host->agent_, agent::Agent::Create(std::move(config), *host->state_));
  return host;
}

Result<Bytes> TeeHost::ProcessTeepMessage(ByteView message) { return agent_->ProcessTeepMessage(message); }

void TeeHost::ProcessError(std::string_view /*what*/) { agent_->ProcessError(); }

Result<std::string> TeeHost::RequestTA(const msg::ComponentId& component,
                                       std::optional<std::string> tam_uri) {
  if (tam_uri) return agent_->RequestTA(component, std::string_view(*tam_uri));
  return agent_->RequestTA(component);
}

Result<std::string> TeeHost::UnrequestTA(const msg::ComponentId& component) {
  return agent_->UnrequestTA(component);
}

Result<std::vector<std::string>> TeeHost::RequestPolicyCheck() { return agent_->RequestPolicyCheck(); }

Result<std::vector<agent::InstalledTc>> TeeHost::ListInstalled() { return agent_->ListInstalled(); }

}  // namespace teep::host::device
