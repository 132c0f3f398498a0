// QueryResponse -> Update or nothing to do (draft-ietf-teep-protocol-26
// §4.3, §4.4, §7.1): attestation through the Verifier, what the device
// holds, and what policy and the device's requests say it should hold.
#include <map>
#include <set>
#include <utility>

#include "core/base/strings.h"
#include "core/suit/component_id.h"
#include "core/tam/tam.h"
#include "core/tam/tam_internal.h"

namespace teep::tam {
namespace {

Bytes Encode(const msg::ComponentId& id) {
  std::vector<ByteView> parts(id.begin(), id.end());
  return suit::EncodeComponentId(parts);
}

msg::ComponentId Decode(ByteView encoded) {
  msg::ComponentId out;
  if (auto id = suit::DecodeComponentId(encoded); id.ok()) {
    for (ByteView part : *id) out.push_back(ToBytes(part));
  }
  return out;
}

bool Applies(const PolicyRecord& policy, const DeviceRecord& device) {
  return policy.target == "all" || policy.target == "device:" + HexEncode(device.device_id) ||
         (!device.hwmodel.empty() && policy.target == "class:" + device.hwmodel);
}

}  // namespace

Result<TamReply> Tam::HandleQueryResponse(Sender& sender, const TokenRecord& record,
                                          const msg::QueryResponse& response) {
  DeviceRecord& device = sender.device;
  const Bytes& token = *response.token;
  if (auto reports = internal::CheckReportNonces(response.suit_reports, token); !reports.ok()) {
    return Drop(device.device_id, reports.status().message());
  }
  // P §4.3, §7.1.1: attestation first; nothing is installed on a device
  // whose Evidence does not affirm it.
  if (record.data_items & msg::kDataItemAttestation) {
    std::string refused;
    if (!response.attestation_payload) {
      refused = "no attestation-payload although it was requested";
    } else {
      const Bytes& nonce = record.challenge.empty() ? token : record.challenge;
      auto result = config_.verifier->Appraise(*response.attestation_payload, device, nonce,
                                               device.device_id);
      if (!result.ok()) {
        refused = result.status().message();
      } else if (!result->affirming) {
        refused = result->reason;
      } else {
        device.attestation = "affirming";
        device.ueid = result->claims.ueid;
        device.hwmodel = HexEncode(result->claims.hwmodel);
      }
    }
    if (!refused.empty()) {
      device.attestation = "refused: " + refused;
      // P §7.1 (spec digest §5.3.5): tell the Agent with err-code 7.
      msg::Update refusal;
      refusal.err_code = msg::ErrCode(msg::ErrorCode::kAttestationRequired);
      refusal.err_msg = "attestation refused";
      return SendUpdate(sender, std::move(refusal), TokenRecord{},
                        {config_.now(), device.device_id, "attestation-refused", refused});
    }
  }

  // What the device holds: tc-list names components; the TAM's records keep
  // the sequence numbers it installed. A component the TAM did not install
  // is recorded with sequence 0 ("unknown") and left alone (docs/tam.md T4).
  TEEP_ASSIGN_OR_RETURN(std::vector<InstalledRecord> known, store_.ListInstalled(device.device_id));
  std::map<Bytes, uint64_t> held;
  for (const InstalledRecord& r : known) held[r.manifest_id] = r.sequence_number;
  if (record.data_items & msg::kDataItemTrustedComponents) {
    std::map<Bytes, uint64_t> reported;
    for (const msg::SystemPropertyClaims& entry : response.tc_list.value_or(std::vector<msg::SystemPropertyClaims>{})) {
      TEEP_ASSIGN_OR_RETURN(std::optional<TcRecord> tc,
                            store_.FindTcByComponent(Encode(entry.system_component_id)));
      if (!tc) continue;  // not one of ours
      auto it = held.find(tc->manifest_id);
      reported[tc->manifest_id] = it == held.end() ? 0 : it->second;
    }
    for (const auto& [id, sequence] : held) {
      if (!reported.count(id)) TEEP_RETURN_IF_ERROR(store_.RemoveInstalled(device.device_id, id));
    }
    for (const auto& [id, sequence] : reported) {
      if (!held.count(id)) TEEP_RETURN_IF_ERROR(store_.SetInstalled(device.device_id, {id, 0}));
    }
    held = std::move(reported);
  }

  // What it should hold.
  std::set<Bytes> required, unwanted;
  TEEP_ASSIGN_OR_RETURN(std::vector<PolicyRecord> policies, store_.ListPolicies());
  for (const PolicyRecord& p : policies) {
    if (!Applies(p, device)) continue;
    (p.action == PolicyRecord::Action::kInstall ? required : unwanted).insert(p.manifest_id);
  }
  if (config_.policy.install_requested && response.requested_tc_list) {
    for (const msg::RequestedTcInfo& info : *response.requested_tc_list) {
      TEEP_ASSIGN_OR_RETURN(std::optional<TcRecord> tc, store_.FindTcByComponent(Encode(info.component_id)));
      if (tc) required.insert(tc->manifest_id);
    }
  }
  if (config_.policy.remove_unneeded && response.unneeded_manifest_list) {
    for (const msg::ComponentId& id : *response.unneeded_manifest_list) unwanted.insert(Encode(id));
  }

  // Keep what the device holds current (not what it is about to lose).
  std::set<Bytes> wanted = required;
  if (config_.policy.update_installed) {
    for (const auto& [id, sequence] : held) {
      if (!unwanted.count(id)) wanted.insert(id);
    }
  }

  msg::Update update;
  TokenRecord plan;
  std::vector<Bytes> manifests;
  for (const Bytes& id : wanted) {
    if (manifests.size() >= config_.policy.max_manifests_per_update) break;  // the rest next time
    TEEP_ASSIGN_OR_RETURN(std::optional<TcRecord> latest, store_.LatestTc(id));
    if (!latest) continue;
    auto it = held.find(id);
    if (it != held.end() && (it->second == 0 || it->second >= latest->sequence_number)) continue;
    manifests.push_back(latest->envelope);
    plan.installs.push_back({id, latest->sequence_number});
  }
  std::vector<msg::ComponentId> unlink;
  for (const Bytes& id : unwanted) {
    if (required.count(id) || !held.count(id)) continue;  // a requirement wins over a removal
    unlink.push_back(Decode(id));
    plan.removals.push_back(id);
  }
  if (manifests.empty() && unlink.empty()) {
    TEEP_RETURN_IF_ERROR(RecordDevice(device, {config_.now(), device.device_id, "query-response", "up to date"}));
    return TamReply{TamReply::Kind::kNoContent, {}, {}};
  }
  AuditRecord audit{config_.now(), device.device_id, "update",
                    Cat(manifests.size(), " to install, ", unlink.size(), " to remove")};
  if (!manifests.empty()) update.manifest_list = std::move(manifests);
  if (!unlink.empty()) update.unneeded_manifest_list = std::move(unlink);
  return SendUpdate(sender, std::move(update), std::move(plan), audit);
}

}  // namespace teep::tam
