// What the Broker (and the device's local API) can ask of a TEE: the
// conceptual Broker -> Agent API of RFC 9397 §6.2.1. Two forms: the TEE in
// this process (TeeHost, for tests and the fleet simulator) and the TEE
// behind the process boundary (RemoteTee, over channel.h), plus ServeOp,
// which the TEE process uses to answer channel requests with a connection.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/agent/inventory.h"
#include "core/base/bytes.h"
#include "core/base/status.h"
#include "host/broker/agent_endpoint.h"
#include "host/tee_sim/channel.h"

namespace teep::host::device {

class TeeConnection : public AgentEndpoint {
 public:
  // The TAM URI to contact.
  virtual Result<std::string> RequestTA(const msg::ComponentId& component,
                                        std::optional<std::string> tam_uri) = 0;
  virtual Result<std::string> UnrequestTA(const msg::ComponentId& component) = 0;
  virtual Result<std::vector<std::string>> RequestPolicyCheck() = 0;
  virtual Result<std::vector<agent::InstalledTc>> ListInstalled() = 0;
};

// Decodes a channel request, runs it on `tee`, encodes the reply.
Result<Bytes> ServeOp(TeeConnection& tee, tee_sim::Op op, ByteView payload);

// A TEE in another process, reached through its channel socket.
class RemoteTee final : public TeeConnection {
 public:
  static Result<std::unique_ptr<RemoteTee>> Connect(const std::string& socket_path,
                                                    std::chrono::milliseconds timeout);
  Result<Bytes> ProcessTeepMessage(ByteView message) override;
  void ProcessError(std::string_view what) override;
  Result<std::string> RequestTA(const msg::ComponentId& component,
                                std::optional<std::string> tam_uri) override;
  Result<std::string> UnrequestTA(const msg::ComponentId& component) override;
  Result<std::vector<std::string>> RequestPolicyCheck() override;
  Result<std::vector<agent::InstalledTc>> ListInstalled() override;
  Status Shutdown();

 private:
  explicit RemoteTee(std::unique_ptr<tee_sim::ChannelClient> client) : client_(std::move(client)) {}
  std::unique_ptr<tee_sim::ChannelClient> client_;
};

}  // namespace teep::host::device
