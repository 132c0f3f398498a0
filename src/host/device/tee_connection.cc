#include "host/device/tee_connection.h"

#include <string>
#include <utility>

#include "host/device/tee_ops.h"

namespace teep::host::device {

using tee_sim::ChannelClient;
using tee_sim::Op;
namespace {

Bytes TextBytes(std::string_view text) { return Bytes(text.begin(), text.end()); }
std::string BytesText(ByteView bytes) { return std::string(bytes.begin(), bytes.end()); }

}  // namespace

Result<Bytes> ServeOp(TeeConnection& tee, Op op, ByteView payload) {
  switch (op) {
    case Op::kProcessTeepMessage:
      return tee.ProcessTeepMessage(payload);
    case Op::kRequestTa: {
      TEEP_ASSIGN_OR_RETURN(RequestTaArgs args, DecodeRequestTa(payload));
      TEEP_ASSIGN_OR_RETURN(std::string uri, tee.RequestTA(args.component, args.tam_uri));
      return TextBytes(uri);
    }
    case Op::kUnrequestTa: {
      TEEP_ASSIGN_OR_RETURN(msg::ComponentId id, DecodeComponent(payload));
      TEEP_ASSIGN_OR_RETURN(std::string uri, tee.UnrequestTA(id));
      return TextBytes(uri);
    }
    case Op::kRequestPolicyCheck: {
      TEEP_ASSIGN_OR_RETURN(std::vector<std::string> uris, tee.RequestPolicyCheck());
      return EncodeUriList(uris);
    }
    case Op::kProcessError:
      tee.ProcessError(BytesText(payload));
      return Bytes{};
    case Op::kListTcs: {
      TEEP_ASSIGN_OR_RETURN(std::vector<agent::InstalledTc> tcs, tee.ListInstalled());
      return EncodeTcList(tcs);
    }
    case Op::kShutdown:
      return Bytes{};
  }
  return Status(StatusCode::kInvalidArgument, "unknown TEE operation");
}

Result<std::unique_ptr<RemoteTee>> RemoteTee::Connect(const std::string& socket_path,
                                                      std::chrono::milliseconds timeout) {
  TEEP_ASSIGN_OR_RETURN(std::unique_ptr<ChannelClient> client,
                        ChannelClient::Connect(socket_path, timeout));
  return std::unique_ptr<RemoteTee>(new RemoteTee(std::move(client)));
}

Result<Bytes> RemoteTee::ProcessTeepMessage(ByteView message) {
  return client_->Call(Op::kProcessTeepMessage, message);
}

void RemoteTee::ProcessError(std::string_view what) {
  // Best effort: if the TEE is gone too, there is no one left to tell.
  (void)client_->Call(Op::kProcessError, TextBytes(what));
}

Result<std::string> RemoteTee::RequestTA(const msg::ComponentId& component,
                                         std::optional<std::string> tam_uri) {
  TEEP_ASSIGN_OR_RETURN(Bytes args, EncodeRequestTa({component, std::move(tam_uri)}));
  TEEP_ASSIGN_OR_RETURN(Bytes reply, client_->Call(Op::kRequestTa, args));
  return BytesText(reply);
}

Result<std::string> RemoteTee::UnrequestTA(const msg::ComponentId& component) {
  TEEP_ASSIGN_OR_RETURN(Bytes args, EncodeComponent(component));
  TEEP_ASSIGN_OR_RETURN(Bytes reply, client_->Call(Op::kUnrequestTa, args));
  return BytesText(reply);
}

Result<std::vector<std::string>> RemoteTee::RequestPolicyCheck() {
  TEEP_ASSIGN_OR_RETURN(Bytes reply, client_->Call(Op::kRequestPolicyCheck, {}));
  return DecodeUriList(reply);
}

Result<std::vector<agent::InstalledTc>> RemoteTee::ListInstalled() {
  TEEP_ASSIGN_OR_RETURN(Bytes reply, client_->Call(Op::kListTcs, {}));
  return DecodeTcList(reply);
}

Status RemoteTee::Shutdown() { return client_->Call(Op::kShutdown, {}).status(); }

}  // namespace teep::host::device
