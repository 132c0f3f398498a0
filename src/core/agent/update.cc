// Update -> Success or Error (draft-ietf-teep-protocol-26 §4.4, §4.5, §4.6,
// §7.2.2).
#include <algorithm>
#include <utility>

#include "core/agent/agent.h"
#include "core/base/strings.h"
#include "core/suit/component_id.h"
#include "core/suit/report.h"
#include "core/teep/errors.h"

namespace teep::agent {
namespace {

// Encoded reports for suit-reports (P §4.5: bstr .cbor SUIT_Report). They
// travel inside the signed TEEP message, so they carry no COSE of their own.
Status CollectReport(const suit::Outcome& outcome, std::vector<Bytes>* reports) {
  TEEP_ASSIGN_OR_RETURN(Bytes encoded, suit::EncodeReport(outcome.report));
  reports->push_back(std::move(encoded));
  return OkStatus();
}

msg::ComponentId ToMessageId(ByteView encoded) {
  msg::ComponentId out;
  if (auto id = suit::DecodeComponentId(encoded); id.ok()) {
    for (ByteView part : *id) out.push_back(ToBytes(part));
  }
  return out;
}

}  // namespace

Result<Bytes> Agent::HandleUpdate(const Incoming& in, const msg::Update& update) {
  const std::optional<Bytes>& token = update.token;
  // P §8.1: once the Agent has chosen, its suite is used in both directions.
  if (in.verified.suite != suite_) {
    return SendError(token, {msg::ErrorCode::kUnsupportedCipherSuites,
                             "the Update is not signed with this Agent's TEEP cipher suite"});
  }
  if (!update.extensions.empty()) {
    return SendError(token, {msg::ErrorCode::kUnsupportedExtension,
                             Cat("unsupported extension option(s), first label ",
                                 update.extensions.front().label)});
  }
  // RFC 9397 §9.3: decline a replayed Update. The token is remembered before
  // anything is done, so a replay after a crash is declined too.
  if (token) {
    auto& seen = state_.seen_update_tokens;
    if (std::find(seen.begin(), seen.end(), *token) != seen.end()) {
      return SendError(token, {msg::ErrorCode::kPermanentError,
                               "this Update was already processed (replayed token)"});
    }
    seen.push_back(*token);
    if (seen.size() > kRememberedUpdateTokens) seen.erase(seen.begin());
  }
  const size_t manifests = update.manifest_list ? update.manifest_list->size() : 0;
  const size_t unlinks = update.unneeded_manifest_list ? update.unneeded_manifest_list->size() : 0;
  if (manifests > config_.max_manifests_per_update || unlinks > config_.max_manifests_per_update) {
    TEEP_RETURN_IF_ERROR(SaveState());
    return SendError(token, {msg::ErrorCode::kPermanentError,
                             Cat("an Update may carry at most ", config_.max_manifests_per_update,
                                 " manifests and unlinks")});
  }
  // P §4.4: the passport a TAM relays about this device.
  if (update.attestation_payload) {
    state_.passport = update.attestation_payload;
    state_.passport_format = update.attestation_payload_format;
  }
  TEEP_RETURN_IF_ERROR(SaveState());
  if (update.err_code) {
    last_.detail = Cat("TAM reported ",
                       msg::ErrorCodeName(update.err_code->Number(*config_.profile), *config_.profile),
                       update.err_msg ? Cat(": ", *update.err_msg) : std::string());
  }

  suit::ProcessOptions options;
  if (token) options.nonce = ByteView(*token);  // P §4.5: each report's nonce is the token
  std::vector<Bytes> reports;
  std::string failure;
  // P §7.2.2: first unlink every unneeded manifest, then run each manifest;
  // stop at the first failure (later manifests may depend on it).
  if (update.unneeded_manifest_list) {
    for (const msg::ComponentId& id : *update.unneeded_manifest_list) {
      std::vector<ByteView> parts(id.begin(), id.end());
      const Bytes encoded = suit::EncodeComponentId(parts);
      TEEP_ASSIGN_OR_RETURN(auto record, config_.suit.store->FindManifest(encoded));
      if (!record) continue;  // already gone: the TAM's goal holds
      suit::Outcome outcome = suit::Uninstall(encoded, config_.suit, config_.suit_policy, options);
      TEEP_RETURN_IF_ERROR(CollectReport(outcome, &reports));
      for (const Bytes& removed : outcome.removed) last_.removed.push_back(ToMessageId(removed));
      if (!outcome.ok()) {
        failure = Cat("unlinking ", suit::DescribeComponentId(parts), " failed: ",
                      outcome.status.message());
        break;
      }
    }
  }
  if (failure.empty() && update.manifest_list) {
    for (size_t i = 0; i < update.manifest_list->size(); ++i) {
      suit::Outcome outcome =
          suit::Update((*update.manifest_list)[i], config_.suit, config_.suit_policy, options);
      TEEP_RETURN_IF_ERROR(CollectReport(outcome, &reports));
      for (const Bytes& added : outcome.installed) last_.installed.push_back(ToMessageId(added));
      if (!outcome.ok()) {
        failure = Cat("manifest-list[", i, "] failed: ", outcome.status.message());
        break;
      }
    }
  }
  TEEP_ASSIGN_OR_RETURN(std::vector<InstalledTc> inventory, ReadInventory(*config_.suit.store));
  TEEP_RETURN_IF_ERROR(PruneRequests(inventory));
  if (!failure.empty()) {
    return SendError(token, {msg::ErrorCode::kManifestProcessingFailed, std::move(failure)},
                     std::move(reports));
  }
  msg::Success success;
  success.token = token;
  if (!reports.empty()) success.suit_reports = std::move(reports);
  return Send(success);
}

}  // namespace teep::agent
