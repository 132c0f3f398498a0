// Payloads of the REE/TEE channel operations (channel.h Op), shared by the
// TEE process and its clients so that both sides read the same bytes:
//
//   RequestTa      request  [component-id, tam-uri / null]   reply  tam-uri (UTF-8)
//   UnrequestTa    request  component-id                     reply  tam-uri (UTF-8)
//   RequestPolicyCheck                                       reply  [* tam-uri]
//   ListTcs                                                  reply  [* [manifest-id, component-id,
//                                                                      sequence, digest / null,
//                                                                      size / null]]
//   ProcessTeepMessage  the TEEP message / the Agent's reply (empty: nothing to send)
//   ProcessError        a UTF-8 description of the transport failure
//
// component-id = [* bstr] (SUIT_Component_Identifier). Decoders are strict.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/agent/inventory.h"
#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/teep/messages.h"

namespace teep::host::device {

struct RequestTaArgs {
  msg::ComponentId component;
  std::optional<std::string> tam_uri;
};

Result<Bytes> EncodeRequestTa(const RequestTaArgs& args);
Result<RequestTaArgs> DecodeRequestTa(ByteView data);
Result<Bytes> EncodeComponent(const msg::ComponentId& component);
Result<msg::ComponentId> DecodeComponent(ByteView data);
Result<Bytes> EncodeUriList(const std::vector<std::string>& uris);
Result<std::vector<std::string>> DecodeUriList(ByteView data);
Result<Bytes> EncodeTcList(const std::vector<agent::InstalledTc>& tcs);
Result<std::vector<agent::InstalledTc>> DecodeTcList(ByteView data);

}  // namespace teep::host::device
