#include "host/broker/session.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "host/broker/scripted_http_server.h"

namespace teep::host {
namespace {

using test::ScriptedHttpServer;
using test::ScriptedResponse;
using namespace std::chrono_literals;

// Stand-ins for signed TEEP messages: the Broker relays bytes it cannot read,
// so any bytes do; embedded NULs check that nothing treats them as text.
const std::string kQueryRequest("QR\x00\x84\x01", 5);
const std::string kQueryResponse("QS\x00\x82\x02", 5);
const std::string kUpdate("UP\x00\x83\x03", 5);
const std::string kSuccess("OK\x00\x84\x04", 5);

Bytes B(std::string_view text) {
  return ToBytes(AsBytes(text));
}

// Records what the Broker handed it and answers from a script.
class FakeAgent : public AgentEndpoint {
 public:
  explicit FakeAgent(std::vector<Result<Bytes>> replies = {}) : replies_(std::move(replies)) {}

  Result<Bytes> ProcessTeepMessage(ByteView message) override {
    received.emplace_back(AsChars(message));
    if (received.size() > replies_.size())
      return Status(StatusCode::kInternal, "FakeAgent: unscripted message");
    return replies_[received.size() - 1];
  }
  void ProcessError(std::string_view what) override { errors.emplace_back(what); }

  std::vector<std::string> received;
  std::vector<std::string> errors;

 private:
  std::vector<Result<Bytes>> replies_;
};

std::unique_ptr<HttpClient> MakeClient(std::chrono::milliseconds request_timeout = 30s) {
  HttpClientOptions options;
  options.request_timeout = request_timeout;
  Result<std::unique_ptr<HttpClient>> client = HttpClient::Create(options);
  if (!client.ok()) ADD_FAILURE() << client.status().ToString();
  return std::move(client).value();
}

std::vector<std::string> BodiesReceived(const ScriptedHttpServer& server) {
  std::vector<std::string> bodies;
  for (const auto& request : server.requests()) bodies.push_back(request.body);
  return bodies;
}

// Checks the shape every failed transport/HTTP exchange must have
// (otrp-over-http-15 §5.6): not completed, ProcessError called exactly once
// with the same message.
void ExpectAbandoned(const SessionResult& result, const FakeAgent& agent,
                     const std::string& error) {
  EXPECT_FALSE(result.completed);
  EXPECT_EQ(result.error, error);
  ASSERT_EQ(agent.errors.size(), 1u);
  EXPECT_EQ(agent.errors[0], error);
}

// Digest §2: empty POST -> QueryRequest -> QueryResponse -> Update -> Success -> 204.
TEST(SessionTest, FullConversation) {
  ScriptedHttpServer server({ScriptedResponse::Teep(200, kQueryRequest),
                             ScriptedResponse::Teep(200, kUpdate), ScriptedResponse::Empty(204)});
  FakeAgent agent({B(kQueryResponse), B(kSuccess)});
  auto http = MakeClient();
  SessionResult result = RunSession(server.Url(), agent, *http);
  EXPECT_TRUE(result.completed) << result.error;
  EXPECT_EQ(result.error, "");
  EXPECT_EQ(result.messages_to_agent, 2u);
  EXPECT_EQ(result.messages_to_tam, 2u);
  EXPECT_EQ(BodiesReceived(server), (std::vector<std::string>{"", kQueryResponse, kSuccess}));
  EXPECT_EQ(agent.received, (std::vector<std::string>{kQueryRequest, kUpdate}));
  EXPECT_TRUE(agent.errors.empty());
  EXPECT_EQ(server.connections_accepted(), 1);
}

// otrp-over-http-15 §6.2: "no message" may be 200 with an empty body, not only 204.
TEST(SessionTest, EmptyOkEndsTheSession) {
  ScriptedHttpServer server({ScriptedResponse::Empty(200)});
  FakeAgent agent;
  auto http = MakeClient();
  SessionResult result = RunSession(server.Url(), agent, *http);
  EXPECT_TRUE(result.completed) << result.error;
  EXPECT_TRUE(agent.received.empty());
  EXPECT_TRUE(agent.errors.empty());
}

TEST(SessionTest, MediaTypeParametersAndCaseAreAccepted) {
  ScriptedResponse reply = ScriptedResponse::Teep(200, kQueryRequest);
  reply.headers = {{"Content-Type", "Application/TEEP+CBOR ; foo=bar"}};
  ScriptedHttpServer server({reply, ScriptedResponse::Empty(204)});
  FakeAgent agent({B(kQueryResponse)});
  auto http = MakeClient();
  SessionResult result = RunSession(server.Url(), agent, *http);
  EXPECT_TRUE(result.completed) << result.error;
  EXPECT_EQ(agent.received, std::vector<std::string>{kQueryRequest});
}

TEST(SessionTest, ServerErrorIsReportedToTheAgentOnce) {
  ScriptedResponse failure = ScriptedResponse::Empty(500);
  failure.body = "TAM exploded";
  ScriptedHttpServer server({failure});
  FakeAgent agent;
  auto http = MakeClient();
  SessionResult result = RunSession(server.Url(), agent, *http);
  ExpectAbandoned(result, agent, "TAM answered 500 Internal Server Error");
  EXPECT_TRUE(agent.received.empty());
}

TEST(SessionTest, UnsupportedMediaTypeIsAnError) {
  ScriptedHttpServer server(
      {ScriptedResponse::Teep(200, kQueryRequest), ScriptedResponse::Empty(415)});
  FakeAgent agent({B(kQueryResponse)});
  auto http = MakeClient();
  SessionResult result = RunSession(server.Url(), agent, *http);
  ExpectAbandoned(result, agent, "TAM answered 415 Unsupported Media Type");
  EXPECT_EQ(result.messages_to_agent, 1u);
  EXPECT_EQ(result.messages_to_tam, 1u);
}

TEST(SessionTest, WrongContentTypeIsNotPassedToTheAgent) {
  ScriptedResponse html = ScriptedResponse::Empty(200);
  html.headers = {{"Content-Type", "text/html"}};
  html.body = "<html>login</html>";
  ScriptedResponse unlabelled = ScriptedResponse::Empty(200);
  unlabelled.body = kQueryRequest;
  ScriptedHttpServer server({html, unlabelled});
  auto http = MakeClient();
  FakeAgent first;
  ExpectAbandoned(RunSession(server.Url(), first, *http), first,
                  "TAM answered with Content-Type \"text/html\", expected application/teep+cbor");
  EXPECT_TRUE(first.received.empty());
  FakeAgent second;
  ExpectAbandoned(RunSession(server.Url(), second, *http), second,
                  "TAM answered with no Content-Type, expected application/teep+cbor");
  EXPECT_TRUE(second.received.empty());
}

// otrp-over-http-15 §4: no automatic redirects.
TEST(SessionTest, RedirectIsRefused) {
  ScriptedHttpServer server(
      {ScriptedResponse::Redirect("/elsewhere"), ScriptedResponse::Empty(204)});
  FakeAgent agent;
  auto http = MakeClient();
  SessionResult result = RunSession(server.Url(), agent, *http);
  ExpectAbandoned(result, agent, "TAM answered 302 Found; redirects are refused");
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(SessionTest, SlowServerAbandonsTheSession) {
  ScriptedResponse slow = ScriptedResponse::Teep(200, kQueryRequest);
  slow.delay = 3s;
  ScriptedHttpServer server({slow});
  FakeAgent agent;
  auto http = MakeClient(300ms);
  auto start = std::chrono::steady_clock::now();
  SessionResult result = RunSession(server.Url(), agent, *http);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  ExpectAbandoned(result, agent, "POST " + server.Url() + ": no answer within 300 ms");
  EXPECT_TRUE(agent.received.empty());
}

TEST(SessionTest, TruncatedReplyAbandonsTheSession) {
  ScriptedResponse cut = ScriptedResponse::Teep(200, kQueryRequest);
  cut.close_after_body_bytes = 2;
  ScriptedHttpServer server({cut});
  FakeAgent agent;
  auto http = MakeClient();
  SessionResult result = RunSession(server.Url(), agent, *http);
  ExpectAbandoned(result, agent,
                  "POST " + server.Url() +
                      ": the server closed the connection before the whole reply body arrived");
  EXPECT_TRUE(agent.received.empty());
}

TEST(SessionTest, UnreachableTamAbandonsTheSession) {
  std::string url;
  {
    ScriptedHttpServer gone({});
    url = gone.Url();
  }
  FakeAgent agent;
  auto http = MakeClient();
  ExpectAbandoned(RunSession(url, agent, *http), agent, "POST " + url + ": connection refused");
}

// otrp-over-http-15 §5.4: an Agent with nothing to send ends the session.
TEST(SessionTest, AgentWithNothingToSayEndsTheSession) {
  ScriptedHttpServer server(
      {ScriptedResponse::Teep(200, kQueryRequest), ScriptedResponse::Empty(204)});
  FakeAgent agent({Bytes()});
  auto http = MakeClient();
  SessionResult result = RunSession(server.Url(), agent, *http);
  EXPECT_TRUE(result.completed) << result.error;
  EXPECT_EQ(result.messages_to_agent, 1u);
  EXPECT_EQ(result.messages_to_tam, 0u);
  EXPECT_EQ(server.requests().size(), 1u);
  EXPECT_TRUE(agent.errors.empty());
}

TEST(SessionTest, AgentErrorEndsTheSessionWithoutProcessError) {
  ScriptedHttpServer server(
      {ScriptedResponse::Teep(200, kQueryRequest), ScriptedResponse::Empty(204)});
  FakeAgent agent(
      {Status(StatusCode::kVerificationFailed, "QueryRequest: signature does not verify")});
  auto http = MakeClient();
  SessionResult result = RunSession(server.Url(), agent, *http);
  EXPECT_FALSE(result.completed);
  EXPECT_EQ(result.error, "TEEP Agent: QueryRequest: signature does not verify");
  EXPECT_TRUE(agent.errors.empty());
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(SessionTest, RoundTripLimit) {
  std::vector<ScriptedResponse> script(10, ScriptedResponse::Teep(200, kUpdate));
  ScriptedHttpServer server(script);
  FakeAgent agent(std::vector<Result<Bytes>>(10, B(kSuccess)));
  auto http = MakeClient();
  SessionResult result = RunSession(server.Url(), agent, *http, 3);
  ExpectAbandoned(result, agent, "conversation did not end after 3 round trips");
  EXPECT_EQ(server.requests().size(), 3u);
  EXPECT_EQ(result.messages_to_agent, 3u);
  EXPECT_EQ(result.messages_to_tam, 2u);
}

}  // namespace
}  // namespace teep::host
