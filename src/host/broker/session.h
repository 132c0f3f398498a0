// One TEEP conversation between the Agent and one TAM, driven by the Broker
// over HTTP (draft-ietf-teep-otrp-over-http-15 §5, §6).
#pragma once

#include <cstddef>
#include <string>

#include "host/broker/agent_endpoint.h"
#include "host/broker/http_client.h"

namespace teep::host {

struct SessionResult {
  // Ended normally: the TAM sent an empty body (204) or the Agent had nothing to send.
  bool completed = false;
  size_t messages_to_agent = 0;  // TEEP messages relayed TAM -> Agent
  size_t messages_to_tam = 0;    // Agent -> TAM
  std::string error;             // why it failed, when !completed
};

// Opens a session with an empty POST (ProcessConnect) and relays messages
// until either side has nothing more to say. Transport and HTTP failures, and
// a conversation longer than `max_round_trips` POSTs, are reported to the Agent
// through ProcessError exactly once; an error from the Agent itself is not.
SessionResult RunSession(const std::string& tam_url, AgentEndpoint& agent, HttpClient& http,
                         size_t max_round_trips = 16);

}  // namespace teep::host
