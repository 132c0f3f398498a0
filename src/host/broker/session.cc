#include "host/broker/session.h"

#include <algorithm>
#include <cctype>
#include <string_view>
#include <utility>

namespace teep::host {
namespace {

std::string DescribeStatus(long status) {
  std::string text = "TAM answered " + std::to_string(status);
  if (std::string_view reason = HttpReasonPhrase(status); !reason.empty())
    text += " " + std::string(reason);
  // otrp-over-http-15 §4: a client must not follow redirects automatically.
  if (status >= 300 && status < 400) text += "; redirects are refused";
  return text;
}

// RFC 9110 §8.3.1: the type and subtype are case-insensitive and may be
// followed by parameters.
bool IsTeepMediaType(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  return std::equal(
      type.begin(), type.end(), kTeepMediaType.begin(), kTeepMediaType.end(),
      [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
}

// otrp-over-http-15 §5.6: on an HTTP error status or a network failure the
// Agent is told once and drops the session state; the Broker reports failure.
SessionResult Abandon(SessionResult result, AgentEndpoint& agent, std::string error) {
  agent.ProcessError(error);
  result.error = std::move(error);
  return result;
}

}  // namespace

SessionResult RunSession(const std::string& tam_url, AgentEndpoint& agent, HttpClient& http,
                         size_t max_round_trips) {
  SessionResult result;
  // otrp-over-http-15 §6.1: an empty POST asks the TAM to start a session.
  Bytes outgoing;
  for (size_t trip = 0; trip < max_round_trips; ++trip) {
    Result<HttpReply> reply = http.Post(tam_url, outgoing);
    if (!reply.ok()) return Abandon(std::move(result), agent, reply.status().message());
    if (!outgoing.empty()) ++result.messages_to_tam;
    if (reply->status < 200 || reply->status > 299) {
      return Abandon(std::move(result), agent, DescribeStatus(reply->status));
    }
    // otrp-over-http-15 §5.4, §6.2: an empty body means the TAM has nothing
    // more to send; the session is over.
    if (reply->body.empty()) {
      result.completed = true;
      return result;
    }
    // otrp-over-http-15 §6.3: a TEEP message comes as application/teep+cbor;
    // anything else is not for the Agent.
    if (!IsTeepMediaType(reply->content_type)) {
      std::string shown = reply->content_type.empty()
                              ? "no Content-Type"
                              : "Content-Type \"" + reply->content_type + "\"";
      return Abandon(std::move(result), agent,
                     "TAM answered with " + shown + ", expected " + std::string(kTeepMediaType));
    }
    Result<Bytes> answer = agent.ProcessTeepMessage(reply->body);
    ++result.messages_to_agent;
    // The Agent reports its own failures; it needs no ProcessError for them.
    if (!answer.ok()) {
      result.error = "TEEP Agent: " + answer.status().message();
      return result;
    }
    // otrp-over-http-15 §5.4: the Agent having nothing to send ends the session.
    if (answer->empty()) {
      result.completed = true;
      return result;
    }
    outgoing = std::move(answer).value();
  }
  return Abandon(
      std::move(result), agent,
      "conversation did not end after " + std::to_string(max_round_trips) + " round trips");
}

}  // namespace teep::host
