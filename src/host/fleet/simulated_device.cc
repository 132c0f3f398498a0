#include "host/fleet/simulated_device.h"

#include <chrono>

#include "core/suit/digest.h"
#include "host/io/file.h"

namespace teep::host::fleet {
namespace {

// The OEM of every simulated fleet device: a random-form oemid (RFC 9711
// §4.2.3.3) fixed for this project ("teep-fleet-oem-1"), so that reference
// values can name it and an operator can tell fleet devices from `teep
// device` TEEs.
constexpr eat::OemidRandom kFleetOemid = {0x74, 0x65, 0x65, 0x70, 0x2d, 0x66, 0x6c, 0x65,
                                          0x65, 0x74, 0x2d, 0x6f, 0x65, 0x6d, 0x2d, 0x31};

std::optional<int64_t> Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Result<Bytes> MeasureThisExecutable() {
  TEEP_ASSIGN_OR_RETURN(Bytes self, ReadFile("/proc/self/exe"));
  const auto digest = crypto::Sha256(self);
  return suit::EncodeDigest(suit::kDigestSha256, digest);
}

Result<std::unique_ptr<SimulatedDevice>> SimulatedDevice::Create(std::string_view seed, uint64_t index,
                                                                 const DeviceProfile& profile) {
  const device::Provisioning& p = profile.provisioning;
  TEEP_ASSIGN_OR_RETURN(DeviceKeys keys, DeriveDeviceKeys(seed, index));
  std::unique_ptr<SimulatedDevice> d(new SimulatedDevice(index, std::move(keys)));

  agent::AgentConfig config;
  config.teep_key = &d->keys_.teep_key;
  config.attestation_key = &d->keys_.attestation_key;
  agent::DeviceIdentity& id = config.identity;
  TEEP_ASSIGN_OR_RETURN(id.ueid, DeriveUeid(seed, index));
  id.oemid = kFleetOemid;
  id.hwmodel = ToBytes(AsBytes(p.hwmodel));
  id.hwversion = {p.hwversion, std::nullopt};
  // Honest, as a simulated TEE is (tee_host.cc): its host can debug it.
  id.dbgstat = eat::DebugStatus::kEnabled;
  id.agent_digest = profile.agent_digest;
  for (const device::ProvisionedTam& tam : p.tams) config.tams.push_back({tam.uri, tam.key});
  config.suit.store = &d->store_;
  config.suit.trust_anchors.keys = p.signers;
  config.suit.vendor_ids = p.vendor_ids;
  config.suit.class_ids = p.class_ids;
  config.now = Now;
  TEEP_ASSIGN_OR_RETURN(d->agent_, agent::Agent::Create(std::move(config), d->state_));
  return d;
}

Result<Bytes> SimulatedDevice::ProcessTeepMessage(ByteView message) {
  const auto start = std::chrono::steady_clock::now();
  auto reply = agent_->ProcessTeepMessage(message);
  observed_.agent_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const agent::ExchangeSummary& last = agent_->last_exchange();
  if (last.received == msg::MessageType::kUpdate) observed_.received_update = true;
  if (last.error) {
    observed_.agent_error = last.detail;
  } else if (last.received == msg::MessageType::kUpdate && !last.detail.empty()) {
    // The Agent describes an Update it did not refuse only when the TAM put
    // an err-code in it ("TAM reported ...", agent/update.cc): the TAM
    // declined to manage the device, e.g. because its attestation failed.
    observed_.tam_error = last.detail;
  }
  return reply;
}

void SimulatedDevice::ProcessError(std::string_view /*what*/) { agent_->ProcessError(); }

}  // namespace teep::host::fleet
