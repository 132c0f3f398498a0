// QueryRequest -> QueryResponse or Error (draft-ietf-teep-protocol-26 §4.2,
// §4.3, §7.2).
#include <algorithm>
#include <utility>

#include "core/agent/agent.h"
#include "core/base/strings.h"

namespace teep::agent {

std::optional<Agent::Refusal> Agent::CheckQueryRequest(const msg::QueryRequest& request) const {
  // P §7.2: a QueryResponse only "if every field was understood".
  if (!request.extensions.empty()) {
    std::string labels;
    for (const msg::Extension& e : request.extensions) {
      labels += labels.empty() ? "" : ", ";
      labels += std::to_string(e.label);
    }
    return Refusal{msg::ErrorCode::kUnsupportedExtension,
                   Cat("unsupported extension option(s) ", labels)};
  }
  // P §4.2: absent versions means [0].
  if (request.versions &&
      std::find(request.versions->begin(), request.versions->end(), msg::kTeepVersion) ==
          request.versions->end()) {
    return Refusal{msg::ErrorCode::kUnsupportedMsgVersion, "no offered TEEP version is supported"};
  }
  // P §8.1: the Agent's one suite must be among the TAM's.
  const auto& suites = request.supported_teep_cipher_suites;
  if (std::find(suites.begin(), suites.end(), suite_) == suites.end()) {
    return Refusal{msg::ErrorCode::kUnsupportedCipherSuites,
                   "the TAM does not offer this Agent's TEEP cipher suite"};
  }
  // P §8.2: at least one SUIT COSE profile in common.
  const auto& profiles = request.supported_suit_cose_profiles;
  const bool common = std::any_of(profiles.begin(), profiles.end(), [&](const auto& p) {
    return std::find(config_.suit_profiles.begin(), config_.suit_profiles.end(), p) !=
           config_.suit_profiles.end();
  });
  if (!common) {
    return Refusal{msg::ErrorCode::kUnsupportedSuitReport,
                   "no offered SUIT COSE profile is supported"};
  }
  return std::nullopt;
}

Result<Bytes> Agent::HandleQueryRequest(const Incoming& in, const msg::QueryRequest& request) {
  if (auto refusal = CheckQueryRequest(request)) return SendError(request.token, std::move(*refusal));
  if (auto refusal = CheckTamAttestation(in, request)) {
    return SendError(request.token, std::move(*refusal));
  }
  TEEP_ASSIGN_OR_RETURN(std::vector<InstalledTc> inventory, ReadInventory(*config_.suit.store));
  TEEP_RETURN_IF_ERROR(PruneRequests(inventory));

  msg::QueryResponse response;
  response.token = request.token;  // P §4.3: echo the request's token, or none
  response.selected_version = msg::kTeepVersion;
  // P §4.3: attestation-payload iff bit 0, tc-list for bit 1, ext-list for
  // bit 2. tc-list and ext-list are `[+ ...]`: nothing to list is omitted
  // (docs/teep-messages.md D9); this Agent supports no extensions, and it
  // keeps no boot-time SUIT Reports for bit 3 (docs/agent.md).
  if (request.data_item_requested & msg::kDataItemAttestation) {
    TEEP_ASSIGN_OR_RETURN(std::optional<Refusal> refusal, AddAttestation(request, inventory, &response));
    if (refusal) return SendError(request.token, std::move(*refusal));
  }
  if ((request.data_item_requested & msg::kDataItemTrustedComponents) && !inventory.empty()) {
    std::vector<msg::SystemPropertyClaims> tc_list;
    for (const InstalledTc& tc : inventory) {
      TEEP_ASSIGN_OR_RETURN(msg::SystemPropertyClaims entry, TcListEntry(tc));
      tc_list.push_back(std::move(entry));
    }
    response.tc_list = std::move(tc_list);
  }
  // RFC 9397 §6.2.1: what the applications asked this TAM for.
  std::vector<msg::RequestedTcInfo> requested;
  for (const PendingRequest& p : state_.requested) {
    if (p.tam_uri == in.tam->uri) requested.push_back(msg::RequestedTcInfo{p.component, {}, {}});
  }
  if (!requested.empty()) response.requested_tc_list = std::move(requested);
  // unneeded-manifest-list names manifests (P §4.3); an application names
  // the component, so it is mapped to the manifest that installed it.
  std::vector<msg::ComponentId> unneeded;
  for (const PendingRequest& p : state_.unneeded) {
    const InstalledTc* tc = FindInstalled(inventory, p.component);
    if (p.tam_uri == in.tam->uri && tc != nullptr) unneeded.push_back(tc->manifest_id);
  }
  if (!unneeded.empty()) response.unneeded_manifest_list = std::move(unneeded);
  return Send(response);
}

Status Agent::PruneRequests(const std::vector<InstalledTc>& inventory) {
  auto installed = [&](const msg::ComponentId& id) { return FindInstalled(inventory, id) != nullptr; };
  const size_t before = state_.requested.size() + state_.unneeded.size();
  std::erase_if(state_.requested, [&](const PendingRequest& p) { return installed(p.component); });
  std::erase_if(state_.unneeded, [&](const PendingRequest& p) { return !installed(p.component); });
  if (state_.requested.size() + state_.unneeded.size() == before) return OkStatus();
  return SaveState();
}

}  // namespace teep::agent
