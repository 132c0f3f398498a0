// Success and Error from the Agent (draft-ietf-teep-protocol-26 §4.5, §4.6,
// §7.1): the end of a conversation, recorded; nothing is sent back (204).
#include <utility>

#include "core/base/strings.h"
#include "core/tam/tam.h"
#include "core/tam/tam_internal.h"
#include "core/teep/errors.h"

namespace teep::tam {

Result<TamReply> Tam::HandleSuccess(Sender& sender, const TokenRecord& record,
                                    const msg::Success& success) {
  DeviceRecord& device = sender.device;
  auto reports = internal::CheckReportNonces(success.suit_reports, *success.token);
  if (!reports.ok()) return Drop(device.device_id, reports.status().message());
  for (const InstalledRecord& installed : record.installs) {
    TEEP_RETURN_IF_ERROR(store_.SetInstalled(device.device_id, installed));
  }
  for (const Bytes& removed : record.removals) {
    TEEP_RETURN_IF_ERROR(store_.RemoveInstalled(device.device_id, removed));
  }
  TEEP_RETURN_IF_ERROR(store_.PutDevice(device));
  TEEP_RETURN_IF_ERROR(store_.Audit({config_.now(), device.device_id, "success",
                                     Cat(record.installs.size(), " installed, ",
                                         record.removals.size(), " removed", *reports)}));
  return TamReply{TamReply::Kind::kNoContent, {}, {}};
}

Result<TamReply> Tam::HandleError(Sender& sender, const TokenRecord& /*record*/,
                                  const msg::Error& error) {
  DeviceRecord& device = sender.device;
  auto reports = internal::CheckReportNonces(error.suit_reports, *error.token);
  if (!reports.ok()) return Drop(device.device_id, reports.status().message());
  // What the device holds after a partial failure is learnt from the tc-list
  // of its next QueryResponse, not guessed from the reports.
  std::string detail = msg::ErrorCodeName(error.err_code.Number(msg::Draft26()));
  if (error.err_msg) detail += ": " + *error.err_msg;
  if (error.err_code == msg::ErrCode(msg::ErrorCode::kAttestationRequired)) {
    detail += " (the Agent requires the TAM's attestation, which this TAM cannot give)";
  }
  detail += *reports;
  TEEP_RETURN_IF_ERROR(store_.PutDevice(device));
  TEEP_RETURN_IF_ERROR(store_.Audit({config_.now(), device.device_id, "error", detail}));
  return TamReply{TamReply::Kind::kNoContent, {}, {}};
}

}  // namespace teep::tam
