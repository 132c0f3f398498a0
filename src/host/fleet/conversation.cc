#include "host/fleet/conversation.h"

#include <chrono>

#include "host/broker/session.h"

namespace teep::host::fleet {
namespace {

bool Contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

}  // namespace

std::string_view ErrorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kTransport: return "transport";
    case ErrorKind::kTimeout: return "timeout";
    case ErrorKind::kHttp3xx: return "http-3xx";
    case ErrorKind::kHttp4xx: return "http-4xx";
    case ErrorKind::kHttp5xx: return "http-5xx";
    case ErrorKind::kProtocol: return "protocol";
    case ErrorKind::kAgent: return "agent";
    case ErrorKind::kTamError: return "tam-error";
    case ErrorKind::kUnfulfilled: return "unfulfilled";
  }
  return "unknown";
}

ErrorKind ClassifySessionError(std::string_view error) {
  // session.cc: "TAM answered <status> <reason>"; "TEEP Agent: ..."; a
  // media type or round-trip complaint. Everything else is the client's
  // transport Status (http_client.cc), where the timeouts say "within".
  constexpr std::string_view kAnswered = "TAM answered ";
  if (error.substr(0, kAnswered.size()) == kAnswered) {
    // "TAM answered 503 Service Unavailable", or "TAM answered with
    // Content-Type ..." (not a TEEP message).
    switch (error.size() > kAnswered.size() ? error[kAnswered.size()] : ' ') {
      case '3': return ErrorKind::kHttp3xx;
      case '4': return ErrorKind::kHttp4xx;
      case '5': return ErrorKind::kHttp5xx;
      default: return ErrorKind::kProtocol;
    }
  }
  if (error.substr(0, 11) == "TEEP Agent:") return ErrorKind::kAgent;
  if (Contains(error, "conversation did not end")) return ErrorKind::kProtocol;
  if (Contains(error, "no answer within") || Contains(error, "could not connect within")) {
    return ErrorKind::kTimeout;
  }
  return ErrorKind::kTransport;
}

ConversationResult Converse(const std::string& tam_url, SimulatedDevice& device, HttpClient& http) {
  device.BeginConversation();
  const auto start = std::chrono::steady_clock::now();
  SessionResult session = RunSession(tam_url, device, http);
  ConversationResult r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const SimulatedDevice::Observed& seen = device.observed();
  r.agent_seconds = seen.agent_seconds;
  r.messages_to_agent = session.messages_to_agent;
  r.messages_to_tam = session.messages_to_tam;
  r.received_update = seen.received_update;
  // What the TEEP messages said comes first: a TAM that refused the device
  // may also drop the Agent's answer (an HTTP 400 after the err-code).
  if (seen.tam_error) {
    r.kind = ErrorKind::kTamError;
    r.detail = *seen.tam_error;
  } else if (seen.agent_error) {
    r.kind = ErrorKind::kAgent;
    r.detail = "TEEP Agent sent Error: " + *seen.agent_error;
  } else if (!session.completed) {
    r.kind = ClassifySessionError(session.error);
    r.detail = session.error.empty() ? "incomplete conversation" : session.error;
  } else {
    r.ok = true;
  }
  return r;
}

}  // namespace teep::host::fleet
