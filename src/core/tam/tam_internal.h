// Internal to core/tam: pieces shared by the message handlers.
#pragma once

#include <optional>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/tam/tam.h"

namespace teep::tam {

struct Tam::Sender {
  DeviceRecord device;
  const msg::TrustAnchor* anchor = nullptr;  // the device's TEEP key
  msg::Message message;
};

namespace internal {

// P §4.5: every SUIT Report in a message answering `token` carries it as
// nonce. On success returns what the reports say, for the audit log:
// "; SUIT reports: ok, failed (condition failed, command 3 in section 7)".
Result<std::string> CheckReportNonces(const std::optional<std::vector<Bytes>>& reports,
                                      const Bytes& token);

}  // namespace internal
}  // namespace teep::tam
