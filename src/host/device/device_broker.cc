#include "host/device/device_broker.h"

#include "core/base/strings.h"

namespace teep::host::device {

std::string BrokerReport::Text() const {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

void DeviceBroker::Converse(const std::string& tam_uri, BrokerReport* report) {
  SessionResult result = RunSession(tam_uri, tee_, http_);
  if (result.completed) {
    report->lines.push_back(Cat(tam_uri, ": conversation completed (", result.messages_to_agent,
                                " message(s) from the TAM, ", result.messages_to_tam, " to it)"));
  } else {
    report->ok = false;
    report->lines.push_back(result.error);  // names the TAM URL already
  }
}

Result<BrokerReport> DeviceBroker::RequestTA(const msg::ComponentId& component,
                                             std::optional<std::string> tam) {
  std::lock_guard<std::mutex> lock(mutex_);
  TEEP_ASSIGN_OR_RETURN(std::string uri, tee_.RequestTA(component, std::move(tam)));
  BrokerReport report;
  Converse(uri, &report);
  return report;
}

Result<BrokerReport> DeviceBroker::UnrequestTA(const msg::ComponentId& component) {
  std::lock_guard<std::mutex> lock(mutex_);
  TEEP_ASSIGN_OR_RETURN(std::string uri, tee_.UnrequestTA(component));
  BrokerReport report;
  Converse(uri, &report);
  return report;
}

Result<BrokerReport> DeviceBroker::PolicyCheck() {
  std::lock_guard<std::mutex> lock(mutex_);
  TEEP_ASSIGN_OR_RETURN(std::vector<std::string> uris, tee_.RequestPolicyCheck());
  BrokerReport report;
  for (const std::string& uri : uris) Converse(uri, &report);
  return report;
}

Result<std::vector<agent::InstalledTc>> DeviceBroker::ListInstalled() {
  std::lock_guard<std::mutex> lock(mutex_);
  return tee_.ListInstalled();
}

}  // namespace teep::host::device
