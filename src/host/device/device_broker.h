// The TEEP Broker of one device (RFC 9397 §6): takes the local API calls of
// untrusted applications, hands them to the TEE, and runs the TEEP
// conversations the Agent asks for over HTTP (otrp-over-http-15 §5). Calls
// are serialised: one conversation with the TEE at a time, like a TEE driver.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/agent/inventory.h"
#include "host/broker/http_client.h"
#include "host/broker/session.h"
#include "host/device/tee_connection.h"

namespace teep::host::device {

// What one policy check or request did, for the caller and the log.
struct BrokerReport {
  std::vector<std::string> lines;  // one per TAM conversation
  bool ok = true;                  // every conversation completed
  std::string Text() const;
};

class DeviceBroker {
 public:
  DeviceBroker(TeeConnection& tee, HttpClient& http) : tee_(tee), http_(http) {}

  // RequestTA / UnrequestTA, then a conversation with the TAM the Agent
  // names (otrp-over-http §5.1: the Agent's choice of TAM wins).
  Result<BrokerReport> RequestTA(const msg::ComponentId& component, std::optional<std::string> tam);
  Result<BrokerReport> UnrequestTA(const msg::ComponentId& component);
  // RequestPolicyCheck: a conversation with every TAM the Agent names
  // (otrp-over-http §5.5).
  Result<BrokerReport> PolicyCheck();
  Result<std::vector<agent::InstalledTc>> ListInstalled();

 private:
  void Converse(const std::string& tam_uri, BrokerReport* report);

  std::mutex mutex_;
  TeeConnection& tee_;
  HttpClient& http_;
};

}  // namespace teep::host::device
