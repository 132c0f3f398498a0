// What the TEEP Broker talks to on the device side: the TEEP Agent, in-process
// or across a process boundary (RFC 9397 §6.2.1, the Broker -> Agent API).
#pragma once

#include <string_view>

#include "core/base/bytes.h"
#include "core/base/status.h"

namespace teep::host {

class AgentEndpoint {
 public:
  virtual ~AgentEndpoint() = default;
  // RFC 9397 §6.2.1 ProcessTeepMessage: the Agent's reply (a signed TEEP
  // message) or empty Bytes when it has nothing to send.
  virtual Result<Bytes> ProcessTeepMessage(ByteView message) = 0;
  // ProcessError: the transport failed; the Agent forgets the conversation.
  virtual void ProcessError(std::string_view what) = 0;
};

}  // namespace teep::host
