// One timed TEEP conversation of a simulated device with a TAM over the
// real HTTP client (host::RunSession), and what became of it, by kind: the
// unit of `teep fleet` and bench/tam_http_driver.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "host/broker/http_client.h"
#include "host/fleet/simulated_device.h"

namespace teep::host::fleet {

// Why a conversation failed. The names are what reports print.
enum class ErrorKind {
  kTransport,    // no HTTP answer: refused, reset, TLS, DNS
  kTimeout,      // no answer (or no connection) within the client's timeout
  kHttp3xx,      // the TAM answered a redirect (never followed)
  kHttp4xx,      // e.g. 400: the TAM dropped the message (unknown device, bad token)
  kHttp5xx,      // the TAM could not answer (store failure, overloaded)
  kProtocol,     // not a TEEP media type, or a conversation that never ends
  kAgent,        // the Agent failed or answered with a TEEP Error
  kTamError,     // the TAM's Update carried err-code (e.g. attestation refused)
  kUnfulfilled,  // completed, but the requested install / removal did not happen
};
inline constexpr size_t kErrorKindCount = 9;
std::string_view ErrorKindName(ErrorKind kind);

// What a host::RunSession error text means (session.cc and http_client.cc
// word them; fleet_test.cc checks that the words still match).
ErrorKind ClassifySessionError(std::string_view error);

struct ConversationResult {
  bool ok = false;
  ErrorKind kind = ErrorKind::kTransport;  // when !ok
  std::string detail;                      // when !ok: what happened, for samples
  double seconds = 0;                      // wall time of the whole conversation
  double agent_seconds = 0;                // of which inside the Agent
  size_t messages_to_agent = 0;
  size_t messages_to_tam = 0;
  bool received_update = false;
};

// Runs one conversation (connect -> ... -> the TAM's final 204) and judges
// it: ok when it completed, the Agent sent no Error and the TAM no err-code.
ConversationResult Converse(const std::string& tam_url, SimulatedDevice& device, HttpClient& http);

}  // namespace teep::host::fleet
