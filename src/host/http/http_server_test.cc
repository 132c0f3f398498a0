// The TAM's HTTP(S) server over real loopback sockets: the Broker's libcurl
// client where a well-behaved client fits, raw POSIX sockets for what libcurl
// would never send (wrong methods and media types, oversized and slow
// requests, pipelining), and a bare OpenSSL client to see TLS versions.
#include "temp_dir.h"
#include "host/http/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "host/broker/http_client.h"
#include "host/broker/scripted_http_server.h"

namespace teep::host {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr std::string_view kTeep = "application/teep+cbor";

std::string Text(const Bytes& bytes) { return std::string(AsChars(bytes)); }
Bytes ToBytes(std::string_view s) { return teep::ToBytes(AsBytes(s)); }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

// ---------------------------------------------------------------------------
// A recording handler and a server around it.

class Recorder {
 public:
  void Add(const TamRequest& request) {
    std::lock_guard lock(mutex_);
    requests_.push_back(request);
  }
  std::vector<TamRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  std::set<std::string> peers() const {
    std::lock_guard lock(mutex_);
    std::set<std::string> peers;
    for (const TamRequest& r : requests_) peers.insert(r.peer);
    return peers;
  }
  size_t count() const {
    std::lock_guard lock(mutex_);
    return requests_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::vector<TamRequest> requests_;
};

class LogLines {
 public:
  std::function<void(std::string_view)> Sink() {
    return [this](std::string_view line) {
      std::lock_guard lock(mutex_);
      lines_.emplace_back(line);
    };
  }
  bool Contains(std::string_view text) const {
    std::lock_guard lock(mutex_);
    for (const std::string& line : lines_) {
      if (line.find(text) != std::string::npos) return true;
    }
    return false;
  }
  std::string All() const {
    std::lock_guard lock(mutex_);
    std::string all;
    for (const std::string& line : lines_) all += line + "\n";
    return all;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

// Answers a message "reply:<body>" (or, for an empty body, "query-request"),
// except for a few bodies that select the other answers.
TamAnswer Scripted(const TamRequest& request) {
  std::string body = Text(request.body);
  if (body == "no-content") return {TamAnswer::Kind::kNoContent, {}, "session over"};
  if (body == "bad") return {TamAnswer::Kind::kBadRequest, {}, "secret-reason-400"};
  if (body == "unavailable") return {TamAnswer::Kind::kUnavailable, {}, "secret-reason-503"};
  if (body == "throw") throw std::runtime_error("secret-reason-500");
  if (body == "throw-int") throw 42;
  if (body == "empty-message") return {TamAnswer::Kind::kMessage, {}, ""};
  if (body.empty()) return {TamAnswer::Kind::kMessage, ToBytes("query-request"), ""};
  return {TamAnswer::Kind::kMessage, ToBytes("reply:" + body), ""};
}

struct TestServer {
  Recorder recorder;
  LogLines log;
  std::unique_ptr<HttpServer> server;

  explicit TestServer(HttpServerOptions options = {},
                      std::function<TamAnswer(const TamRequest&)> answer = Scripted) {
    options.log = log.Sink();
    Result<std::unique_ptr<HttpServer>> started =
        HttpServer::Start(std::move(options), [this, answer](const TamRequest& request) {
          recorder.Add(request);
          return answer(request);
        });
    if (!started.ok()) {
      ADD_FAILURE() << started.status().ToString();
      return;
    }
    server = std::move(started).value();
  }
  uint16_t port() const { return server->port(); }
  std::string Url(std::string_view path = "/tam", std::string_view scheme = "http") const {
    return std::string(scheme) + "://127.0.0.1:" + std::to_string(port()) + std::string(path);
  }
};

std::unique_ptr<HttpClient> MakeClient(HttpClientOptions options = {}) {
  Result<std::unique_ptr<HttpClient>> client = HttpClient::Create(std::move(options));
  if (!client.ok()) {
    ADD_FAILURE() << client.status().ToString();
    return nullptr;
  }
  return std::move(client).value();
}

// ---------------------------------------------------------------------------
// Raw HTTP/1.1 over a POSIX socket.

struct RawResponse {
  int status = 0;
  Headers headers;
  std::string body;

  std::optional<std::string> Header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
      if (EqualsIgnoreCase(key, name)) return value;
    }
    return std::nullopt;
  }
  size_t HeaderCount(std::string_view name) const {
    return std::count_if(headers.begin(), headers.end(),
                         [&](const auto& h) { return EqualsIgnoreCase(h.first, name); });
  }
};

std::string RawRequest(std::string_view method, std::string_view target, const Headers& headers,
                       std::string_view body, bool content_length = true) {
  std::string request = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\n";
  request += "Host: 127.0.0.1\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  if (content_length) request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  request += "\r\n";
  request += body;
  return request;
}

// A TEEP POST as a well-behaved Broker would send it.
std::string TeepPost(std::string_view body, std::string_view target = "/tam") {
  Headers headers = {{"Accept", std::string(kTeep)}};
  if (!body.empty()) headers.emplace_back("Content-Type", std::string(kTeep));
  return RawRequest("POST", target, headers, body);
}

int ConnectLoopback(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

class RawConnection {
 public:
  explicit RawConnection(uint16_t port) : fd_(ConnectLoopback(port)) {
    if (fd_ < 0) ADD_FAILURE() << "cannot connect to port " << port;
  }
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // One response: head, then a Content-Length body (none for 1xx, 204 and
  // HEAD). nullopt when the connection ends or `timeout` passes first.
  std::optional<RawResponse> Read(std::chrono::milliseconds timeout = 10s, bool head = false) {
    Clock::time_point deadline = Clock::now() + timeout;
    size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill(deadline)) return std::nullopt;
    }
    RawResponse response;
    std::string_view text(buffer_.data(), end);
    size_t line_end = text.find("\r\n");
    std::string_view status_line = text.substr(0, line_end);
    if (status_line.size() < 12 || status_line.substr(0, 5) != "HTTP/") return std::nullopt;
    response.status = std::stoi(std::string(status_line.substr(9, 3)));
    while (line_end != std::string_view::npos) {
      text.remove_prefix(line_end + 2);
      line_end = text.find("\r\n");
      std::string_view line = text.substr(0, line_end);
      size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      response.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
    }
    buffer_.erase(0, end + 4);
    size_t length = 0;
    bool bodiless = head || response.status < 200 || response.status == 204;
    if (!bodiless && response.Header("Content-Length")) {
      length = std::stoul(*response.Header("Content-Length"));
    }
    while (buffer_.size() < length) {
      if (!Fill(deadline)) return std::nullopt;
    }
    response.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return response;
  }

  // True when the server ends the connection (EOF or reset) within `timeout`
  // without sending anything more.
  bool ClosedWithin(std::chrono::milliseconds timeout) {
    Clock::time_point deadline = Clock::now() + timeout;
    size_t before = buffer_.size();
    while (Fill(deadline)) {
    }
    return closed_ && buffer_.size() == before;
  }

  int fd() const { return fd_; }

 private:
  // Appends what arrives before `deadline`; false on EOF, error or timeout.
  bool Fill(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char chunk[16384];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) {
      closed_ = true;
      return false;
    }
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  int fd_;
  std::string buffer_;
  bool closed_ = false;
};

// One request on a fresh connection.
std::optional<RawResponse> Exchange(uint16_t port, const std::string& request, bool head = false) {
  RawConnection connection(port);
  if (!connection.Send(request)) return std::nullopt;
  return connection.Read(10s, head);
}

// otrp-over-http-15 §4: what every response carries, and what none does.
void ExpectSecurityHeaders(const RawResponse& response) {
  EXPECT_EQ(response.Header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(response.Header("Content-Security-Policy"), "default-src 'none'");
  EXPECT_EQ(response.Header("Referrer-Policy"), "no-referrer");
  EXPECT_FALSE(response.Header("Cache-Control")) << "otrp-over-http-15 §4: no Cache-Control";
  EXPECT_FALSE(response.Header("Set-Cookie")) << "otrp-over-http-15 §4: no cookies";
  EXPECT_FALSE(response.Header("Location")) << "otrp-over-http-15 §4: no redirects";
  EXPECT_TRUE(response.Header("Date")) << "RFC 9110 §6.6.1";
}

// A one-shot gate a handler can wait on.
class Gate {
 public:
  void Open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    cv_.notify_all();
  }
  bool WaitOpen(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [this] { return open_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool open_ = false;
};

// ---------------------------------------------------------------------------
// Answers.

// otrp-over-http-15 §6.3, §4.
TEST(HttpServerTest, MessageIs200WithTeepTypeAndSecurityHeaders) {
  TestServer server;
  std::optional<RawResponse> response = Exchange(server.port(), TeepPost("\x82\x01\x02"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->Header("Content-Type"), kTeep);
  EXPECT_EQ(response->Header("Content-Length"), "9");
  EXPECT_EQ(response->body, "reply:\x82\x01\x02");
  ExpectSecurityHeaders(*response);

  std::vector<TamRequest> requests = server.recorder.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].path, "/tam");
  EXPECT_EQ(requests[0].content_type, kTeep);
  EXPECT_EQ(requests[0].accept, kTeep);
  EXPECT_EQ(Text(requests[0].body), "\x82\x01\x02");
  EXPECT_EQ(requests[0].peer.rfind("127.0.0.1:", 0), 0u) << requests[0].peer;
}

// otrp-over-http-15 §6.1: an empty POST opens a session (ProcessConnect);
// the Broker's client sends it without Content-Type.
TEST(HttpServerTest, EmptyBodyNeedsNoContentType) {
  TestServer server;
  auto client = MakeClient();
  Result<HttpReply> reply = client->Post(server.Url(), {});
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->content_type, kTeep);
  EXPECT_EQ(Text(reply->body), "query-request");
  std::vector<TamRequest> requests = server.recorder.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_TRUE(requests[0].body.empty());
  EXPECT_EQ(requests[0].content_type, "");

  // An empty body's label, if any, does not matter: it carries nothing.
  std::optional<RawResponse> labelled = Exchange(
      server.port(),
      RawRequest("POST", "/tam", {{"Accept", std::string(kTeep)}, {"Content-Type", "text/plain"}},
                 ""));
  ASSERT_TRUE(labelled);
  EXPECT_EQ(labelled->status, 200);
}

// otrp-over-http-15 §6.2: no message to send -> 204.
TEST(HttpServerTest, NoContentIs204) {
  TestServer server;
  std::optional<RawResponse> response = Exchange(server.port(), TeepPost("no-content"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 204);
  EXPECT_EQ(response->body, "");
  EXPECT_FALSE(response->Header("Content-Type"));
  EXPECT_FALSE(response->Header("Content-Length")) << "RFC 9110 §8.6: none on 204";
  ExpectSecurityHeaders(*response);

  auto client = MakeClient();
  Result<HttpReply> reply = client->Post(server.Url(), AsBytes(std::string_view("no-content")));
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->status, 204);
  EXPECT_TRUE(reply->body.empty());
}

// The handler's reason is logged, never sent.
TEST(HttpServerTest, BadRequestIs400WithEmptyBody) {
  TestServer server;
  RawConnection connection(server.port());
  ASSERT_TRUE(connection.Send(TeepPost("bad")));
  std::optional<RawResponse> response = connection.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(response->body, "");
  EXPECT_EQ(response->Header("Content-Length"), "0");
  EXPECT_FALSE(response->Header("Content-Type"));
  ExpectSecurityHeaders(*response);
  for (const auto& [name, value] : response->headers) {
    EXPECT_EQ(value.find("secret-reason"), std::string::npos) << name;
  }
  EXPECT_TRUE(server.log.Contains("secret-reason-400")) << server.log.All();
  // A TAM-level refusal is not an HTTP error: the connection stays usable.
  ASSERT_TRUE(connection.Send(TeepPost("after")));
  response = connection.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

// otrp-over-http-15 §6.4: the TAM could not answer -> 5xx.
TEST(HttpServerTest, UnavailableIs503WithEmptyBody) {
  TestServer server;
  std::optional<RawResponse> response = Exchange(server.port(), TeepPost("unavailable"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 503);
  EXPECT_EQ(response->body, "");
  ExpectSecurityHeaders(*response);
  EXPECT_TRUE(server.log.Contains("secret-reason-503")) << server.log.All();
}

TEST(HttpServerTest, ThrowingHandlerIs500AndServingGoesOn) {
  TestServer server;
  auto client = MakeClient();
  for (std::string_view body : {"throw", "throw-int", "empty-message"}) {
    Result<HttpReply> reply = client->Post(server.Url(), AsBytes(body));
    ASSERT_TRUE(reply.ok()) << reply.status().ToString();
    EXPECT_EQ(reply->status, 500) << body;
    EXPECT_TRUE(reply->body.empty()) << body;
  }
  EXPECT_TRUE(server.log.Contains("secret-reason-500")) << server.log.All();
  Result<HttpReply> reply = client->Post(server.Url(), AsBytes(std::string_view("fine")));
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(Text(reply->body), "reply:fine");
  EXPECT_EQ(server.recorder.peers().size(), 1u) << "a 500 keeps the connection";

  std::optional<RawResponse> raw = Exchange(server.port(), TeepPost("throw"));
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->status, 500);
  EXPECT_EQ(raw->body, "");
  ExpectSecurityHeaders(*raw);
}

// ---------------------------------------------------------------------------
// HTTP-level refusals: the handler never sees these requests.

TEST(HttpServerTest, OtherPathsAre404) {
  TestServer server;
  auto client = MakeClient();
  for (std::string_view path : {"/", "/tam/", "/TAM", "/other", "/tam/x"}) {
    Result<HttpReply> reply = client->Post(server.Url(path), AsBytes(std::string_view("x")));
    ASSERT_TRUE(reply.ok()) << reply.status().ToString();
    EXPECT_EQ(reply->status, 404) << path;
  }
  std::optional<RawResponse> raw = Exchange(server.port(), TeepPost("x", "/nothing"));
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->status, 404);
  ExpectSecurityHeaders(*raw);
  // The query is not part of the path.
  raw = Exchange(server.port(), TeepPost("x", "/tam?device=7"));
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->status, 200);
  EXPECT_EQ(server.recorder.count(), 1u);
}

// otrp-over-http-15 §4: only POST.
TEST(HttpServerTest, OtherMethodsAre405WithAllow) {
  TestServer server;
  for (std::string_view method : {"GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "post"}) {
    bool head = method == "HEAD";
    std::optional<RawResponse> response = Exchange(
        server.port(),
        RawRequest(method, "/tam", {{"Accept", std::string(kTeep)}}, "", method != "GET"), head);
    ASSERT_TRUE(response) << method;
    EXPECT_EQ(response->status, 405) << method;
    EXPECT_EQ(response->Header("Allow"), "POST") << method;
    ExpectSecurityHeaders(*response);
  }
  EXPECT_EQ(server.recorder.count(), 0u);
}

// otrp-over-http-15 §5.1.1, §6.1: a body must be labelled a TEEP message.
TEST(HttpServerTest, BodyWithoutTheTeepContentTypeIs415) {
  TestServer server;
  const std::vector<Headers> refused = {
      {{"Accept", std::string(kTeep)}},  // no Content-Type at all
      {{"Accept", std::string(kTeep)}, {"Content-Type", "text/plain"}},
      {{"Accept", std::string(kTeep)}, {"Content-Type", "application/cbor"}},
      {{"Accept", std::string(kTeep)}, {"Content-Type", "application/teep+json"}},
      {{"Accept", std::string(kTeep)}, {"Content-Type", ""}},
      {{"Accept", std::string(kTeep)},
       {"Content-Type", std::string(kTeep)},
       {"Content-Type", "text/plain"}},
  };
  for (const Headers& headers : refused) {
    std::optional<RawResponse> response =
        Exchange(server.port(), RawRequest("POST", "/tam", headers, "\x81\x01"));
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 415) << headers.back().first << ": " << headers.back().second;
    ExpectSecurityHeaders(*response);
  }
  EXPECT_EQ(server.recorder.count(), 0u);

  // Type and subtype are case-insensitive; parameters are allowed.
  for (std::string_view type : {"Application/TEEP+CBOR", "application/teep+cbor; charset=x",
                                "application/teep+cbor;v=1"}) {
    std::optional<RawResponse> response = Exchange(
        server.port(), RawRequest("POST", "/tam",
                                  {{"Accept", std::string(kTeep)}, {"Content-Type", std::string(type)}},
                                  "\x81\x01"));
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200) << type;
  }
}

// otrp-over-http-15 §5.1.1, §6.1: the client must accept TEEP messages.
TEST(HttpServerTest, MissingOrIncompatibleAcceptIs406) {
  TestServer server;
  const std::vector<std::optional<std::string>> refused = {
      std::nullopt, "application/json", "text/*", "application/teep+cbor;q=0",
      "*/*, application/teep+cbor;q=0"};
  for (const auto& accept : refused) {
    Headers headers = {{"Content-Type", std::string(kTeep)}};
    if (accept) headers.emplace_back("Accept", *accept);
    std::optional<RawResponse> response =
        Exchange(server.port(), RawRequest("POST", "/tam", headers, "\x81\x01"));
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 406) << accept.value_or("(none)");
    ExpectSecurityHeaders(*response);
  }
  // An empty body needs no Content-Type but still an Accept.
  std::optional<RawResponse> response = Exchange(server.port(), RawRequest("POST", "/tam", {}, ""));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 406);
  EXPECT_EQ(server.recorder.count(), 0u);
  EXPECT_TRUE(server.log.Contains("406")) << server.log.All();

  for (std::string_view accept : {"*/*", "application/*", "text/html, application/teep+cbor;q=0.2"}) {
    response = Exchange(server.port(),
                        RawRequest("POST", "/tam",
                                   {{"Content-Type", std::string(kTeep)},
                                    {"Accept", std::string(accept)}},
                                   "\x81\x01"));
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200) << accept;
  }
  // Several Accept fields make one list (RFC 9110 §5.3).
  response = Exchange(server.port(),
                      RawRequest("POST", "/tam",
                                 {{"Content-Type", std::string(kTeep)},
                                  {"Accept", "text/html"},
                                  {"Accept", std::string(kTeep)}},
                                 "\x81\x01"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(server.recorder.requests().back().accept, "text/html, application/teep+cbor");
}

// RFC 9110 §15.5.14: over the limit -> 413, decided from the head alone.
TEST(HttpServerTest, OversizedBodyIs413WithoutReadingIt) {
  HttpServerOptions options;
  options.max_body_bytes = 1024;
  TestServer server(options);

  // Only the head is sent: the answer cannot depend on reading the body.
  RawConnection connection(server.port());
  ASSERT_TRUE(connection.Send(
      "POST /tam HTTP/1.1\r\nHost: x\r\nAccept: application/teep+cbor\r\n"
      "Content-Type: application/teep+cbor\r\nContent-Length: 1000000000\r\n\r\n"));
  std::optional<RawResponse> response = connection.Read(5s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(response->Header("Connection"), "close");
  ExpectSecurityHeaders(*response);
  EXPECT_TRUE(connection.ClosedWithin(5s));

  // A chunked body is cut off as soon as it passes the limit.
  RawConnection chunked(server.port());
  ASSERT_TRUE(chunked.Send(
      "POST /tam HTTP/1.1\r\nHost: x\r\nAccept: application/teep+cbor\r\n"
      "Content-Type: application/teep+cbor\r\nTransfer-Encoding: chunked\r\n\r\n"
      "800\r\n" + std::string(0x800, 'a') + "\r\n"));
  response = chunked.Read(5s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);

  // libcurl sends a body over the limit whole; it still reads the 413.
  auto client = MakeClient();
  Result<HttpReply> reply = client->Post(server.Url(), AsBytes(std::string(4096, 'b')));
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->status, 413);

  // Exactly the limit is fine.
  reply = client->Post(server.Url(), AsBytes(std::string(1024, 'c')));
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(server.recorder.count(), 1u);
  EXPECT_TRUE(server.log.Contains("413")) << server.log.All();
}

TEST(HttpServerTest, MalformedRequestIs400AndClose) {
  TestServer server;
  RawConnection connection(server.port());
  ASSERT_TRUE(connection.Send("NOT AN HTTP REQUEST\r\n\r\n"));
  std::optional<RawResponse> response = connection.Read(5s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(response->Header("Connection"), "close");
  ExpectSecurityHeaders(*response);
  EXPECT_TRUE(connection.ClosedWithin(5s));

  // Two different Content-Lengths: request smuggling material (RFC 9112 §6.3).
  RawConnection smuggle(server.port());
  ASSERT_TRUE(smuggle.Send(
      "POST /tam HTTP/1.1\r\nHost: x\r\nAccept: application/teep+cbor\r\n"
      "Content-Type: application/teep+cbor\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"));
  response = smuggle.Read(5s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(server.recorder.count(), 0u);
}

// ---------------------------------------------------------------------------
// Connections: keep-alive, pipelining, timeouts.

// Several requests on one connection, answered in order (RFC 9112 §9.3.2).
TEST(HttpServerTest, PipelinedRequestsOnOneConnection) {
  TestServer server;
  RawConnection connection(server.port());
  ASSERT_TRUE(connection.Send(TeepPost("one") + TeepPost("bad") + TeepPost("") +
                              TeepPost("two") + TeepPost("x", "/elsewhere") + TeepPost("three")));
  std::vector<std::pair<int, std::string>> expected = {
      {200, "reply:one"}, {400, ""}, {200, "query-request"},
      {200, "reply:two"}, {404, ""}, {200, "reply:three"}};
  for (const auto& [status, body] : expected) {
    std::optional<RawResponse> response = connection.Read();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, status);
    EXPECT_EQ(response->body, body);
    EXPECT_FALSE(response->Header("Connection")) << "HTTP/1.1 keeps the connection by default";
  }
  EXPECT_EQ(server.recorder.count(), 5u);
  EXPECT_EQ(server.recorder.peers().size(), 1u);
}

// The Broker's client keeps one connection for a whole conversation.
TEST(HttpServerTest, KeepAliveWithTheBrokerClient) {
  TestServer server;
  auto first = MakeClient();
  auto second = MakeClient();
  for (int i = 0; i < 10; ++i) {
    for (HttpClient* client : {first.get(), second.get()}) {
      Result<HttpReply> reply = client->Post(server.Url(), AsBytes(std::to_string(i)));
      ASSERT_TRUE(reply.ok()) << reply.status().ToString();
      EXPECT_EQ(reply->status, 200);
    }
  }
  EXPECT_EQ(server.recorder.count(), 20u);
  EXPECT_EQ(server.recorder.peers().size(), 2u) << "one connection per client";
}

TEST(HttpServerTest, Http10ClosesAfterTheResponse) {
  TestServer server;
  RawConnection connection(server.port());
  ASSERT_TRUE(connection.Send(
      "POST /tam HTTP/1.0\r\nAccept: application/teep+cbor\r\n"
      "Content-Type: application/teep+cbor\r\nContent-Length: 2\r\n\r\nhi"));
  std::optional<RawResponse> response = connection.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "reply:hi");
  EXPECT_TRUE(connection.ClosedWithin(5s));

  RawConnection close(server.port());
  ASSERT_TRUE(close.Send(RawRequest(
      "POST", "/tam", {{"Accept", std::string(kTeep)}, {"Connection", "close"}}, "")));
  response = close.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->Header("Connection"), "close");
  EXPECT_TRUE(close.ClosedWithin(5s));
}

// RFC 9110 §10.1.1.
TEST(HttpServerTest, ExpectContinue) {
  TestServer server;
  RawConnection connection(server.port());
  ASSERT_TRUE(connection.Send(
      "POST /tam HTTP/1.1\r\nHost: x\r\nAccept: application/teep+cbor\r\n"
      "Content-Type: application/teep+cbor\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n"));
  std::optional<RawResponse> interim = connection.Read(5s);
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(connection.Send("body"));
  std::optional<RawResponse> response = connection.Read(5s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "reply:body");
}

// A request that does not arrive whole within read_timeout ends the connection.
TEST(HttpServerTest, SlowClientHitsTheReadTimeout) {
  HttpServerOptions options;
  options.read_timeout = 1s;
  options.idle_timeout = 30s;
  TestServer server(options);

  RawConnection head(server.port());
  Clock::time_point start = Clock::now();
  ASSERT_TRUE(head.Send("POST /tam HTTP/1.1\r\nHost: x\r\n"));  // and never the rest
  EXPECT_TRUE(head.ClosedWithin(10s));
  EXPECT_GE(Clock::now() - start, 900ms);

  RawConnection body(server.port());
  start = Clock::now();
  ASSERT_TRUE(body.Send(
      "POST /tam HTTP/1.1\r\nHost: x\r\nAccept: application/teep+cbor\r\n"
      "Content-Type: application/teep+cbor\r\nContent-Length: 10\r\n\r\nhalf"));
  EXPECT_TRUE(body.ClosedWithin(10s));
  EXPECT_GE(Clock::now() - start, 900ms);

  // A connection that says nothing at all is held no longer.
  RawConnection silent(server.port());
  EXPECT_TRUE(silent.ClosedWithin(10s));

  // On a kept-alive connection the read timeout restarts with each request:
  // a second request trickled in is timed from its first byte.
  RawConnection kept(server.port());
  ASSERT_TRUE(kept.Send(TeepPost("one")));
  ASSERT_TRUE(kept.Read());
  std::this_thread::sleep_for(1500ms);  // idle, not reading: no read timeout
  ASSERT_TRUE(kept.Send("POST /tam HTTP/1.1\r\n"));
  start = Clock::now();
  EXPECT_TRUE(kept.ClosedWithin(10s));
  EXPECT_GE(Clock::now() - start, 800ms);
  EXPECT_EQ(server.recorder.count(), 1u);
  EXPECT_TRUE(server.log.Contains("read timeout")) << server.log.All();
}

TEST(HttpServerTest, IdleKeptAliveConnectionIsClosedAfterIdleTimeout) {
  HttpServerOptions options;
  options.read_timeout = 30s;
  options.idle_timeout = 1s;
  TestServer server(options);
  RawConnection connection(server.port());
  ASSERT_TRUE(connection.Send(TeepPost("one")));
  ASSERT_TRUE(connection.Read());
  std::this_thread::sleep_for(300ms);
  ASSERT_TRUE(connection.Send(TeepPost("two")));  // within the idle timeout: still open
  std::optional<RawResponse> second = connection.Read();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->body, "reply:two");
  Clock::time_point start = Clock::now();
  EXPECT_TRUE(connection.ClosedWithin(10s));
  EXPECT_GE(Clock::now() - start, 800ms);
  EXPECT_EQ(server.recorder.peers().size(), 1u);
}

// ---------------------------------------------------------------------------
// Concurrency.

TEST(HttpServerTest, TwentyClientsTimesTwentyRequests) {
  HttpServerOptions options;
  options.io_threads = 2;
  options.worker_threads = 2;
  TestServer server(options, [](const TamRequest& request) {
    std::this_thread::sleep_for(5ms);
    return Scripted(request);
  });
  constexpr int kClients = 20;
  constexpr int kRequests = 20;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < kClients; ++c) {
    threads.emplace_back([&, c] {
      auto client = MakeClient();
      if (!client) return;
      for (int r = 0; r < kRequests; ++r) {
        std::string body = "c" + std::to_string(c) + "r" + std::to_string(r);
        Result<HttpReply> reply = client->Post(server.Url(), AsBytes(body));
        if (reply.ok() && reply->status == 200 && Text(reply->body) == "reply:" + body) {
          ++ok;
        } else {
          ADD_FAILURE() << body << ": "
                        << (reply.ok() ? std::to_string(reply->status) : reply.status().ToString());
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), kClients * kRequests);
  EXPECT_EQ(server.recorder.count(), static_cast<size_t>(kClients * kRequests));
  EXPECT_EQ(server.recorder.peers().size(), static_cast<size_t>(kClients))
      << "each client keeps its one connection";
}

// The handler runs on the worker pool, never on the event loop: a handler
// stuck on one request (here: until the test lets it go) holds one worker,
// and requests on other connections are served meanwhile by the other.
TEST(HttpServerTest, SlowHandlerDoesNotBlockOtherConnections) {
  HttpServerOptions options;
  options.io_threads = 1;
  options.worker_threads = 2;
  Gate entered;
  Gate release;
  std::atomic<bool> slow_done{false};
  TestServer server(options, [&](const TamRequest& request) {
    if (Text(request.body) == "slow") {
      entered.Open();
      release.WaitOpen(10s);
      slow_done = true;
    }
    return Scripted(request);
  });

  std::future<Result<HttpReply>> slow = std::async(std::launch::async, [&] {
    auto client = MakeClient();
    return client->Post(server.Url(), AsBytes(std::string_view("slow")));
  });
  ASSERT_TRUE(entered.WaitOpen(10s));

  auto client = MakeClient();
  Clock::time_point start = Clock::now();
  for (int i = 0; i < 20; ++i) {
    Result<HttpReply> reply = client->Post(server.Url(), AsBytes(std::to_string(i)));
    ASSERT_TRUE(reply.ok()) << reply.status().ToString();
    EXPECT_EQ(reply->status, 200);
  }
  auto quick = Clock::now() - start;
  EXPECT_FALSE(slow_done.load()) << "the quick requests did not wait for the slow one";
  EXPECT_NE(slow.wait_for(0s), std::future_status::ready);

  release.Open();
  Result<HttpReply> slow_reply = slow.get();
  ASSERT_TRUE(slow_reply.ok()) << slow_reply.status().ToString();
  EXPECT_EQ(Text(slow_reply->body), "reply:slow");
  // For the record, not a limit: 20 quick round trips beside a stuck handler.
  RecordProperty("quick_20_requests_ms",
                 static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(quick)
                                      .count()));
}

// ---------------------------------------------------------------------------
// HTTPS.

using teep::test::TempDir;

struct TlsOutcome {
  bool handshake = false;
  std::string version;
  std::string reply;  // everything read after sending `request`
};

// A bare OpenSSL client: the TLS version the server settles on, and its
// answer to one request sent with "Connection: close".
TlsOutcome TlsExchange(uint16_t port, const std::string& ca_file, int min_version, int max_version,
                       const std::string& request) {
  TlsOutcome outcome;
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) return outcome;
  SSL_CTX_set_security_level(ctx, 0);  // let the client offer old versions: the server decides
  SSL_CTX_set_min_proto_version(ctx, min_version);
  SSL_CTX_set_max_proto_version(ctx, max_version);
  SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  int fd = ConnectLoopback(port);
  SSL* ssl = SSL_new(ctx);
  X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), "127.0.0.1");
  SSL_set_fd(ssl, fd);
  if (fd >= 0 && SSL_connect(ssl) == 1) {
    outcome.handshake = true;
    outcome.version = SSL_get_version(ssl);
    if (SSL_write(ssl, request.data(), static_cast<int>(request.size())) > 0) {
      char chunk[4096];
      int n;
      while ((n = SSL_read(ssl, chunk, sizeof chunk)) > 0) outcome.reply.append(chunk, n);
    }
  }
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  if (fd >= 0) ::close(fd);
  ERR_clear_error();
  return outcome;
}

class HttpsTest : public ::testing::Test {
 protected:
  HttpsTest() {
    test::TlsIdentity identity = test::MakeSelfSignedIdentity();
    cert_file_ = dir_.Write("cert.pem", identity.certificate_pem);
    key_file_ = dir_.Write("key.pem", identity.private_key_pem);
  }
  HttpServerOptions TlsOptions() const {
    HttpServerOptions options;
    options.tls_cert_file = cert_file_;
    options.tls_key_file = key_file_;
    return options;
  }
  TempDir dir_;
  std::string cert_file_, key_file_;
};

// otrp-over-http-15 §4: HTTPS, server authenticated, BCP 195.
TEST_F(HttpsTest, BrokerClientOverTls) {
  TestServer server(TlsOptions());
  HttpClientOptions client_options;
  client_options.ca_file = cert_file_;
  auto client = MakeClient(client_options);
  for (std::string_view body : {"", "hello", "no-content"}) {
    Result<HttpReply> reply = client->Post(server.Url("/tam", "https"), AsBytes(body));
    ASSERT_TRUE(reply.ok()) << reply.status().ToString();
    EXPECT_EQ(reply->status, body == "no-content" ? 204 : 200);
  }
  EXPECT_EQ(server.recorder.count(), 3u);
  EXPECT_EQ(server.recorder.peers().size(), 1u) << "one TLS connection, kept alive";

  // HTTPS only: plain HTTP on the same port gets no answer.
  auto plain = MakeClient();
  Result<HttpReply> refused = plain->Post(server.Url(), AsBytes(std::string_view("x")));
  EXPECT_FALSE(refused.ok());
  EXPECT_EQ(server.recorder.count(), 3u);
}

// BCP 195 (RFC 9325 §3.1.1): TLS 1.3 when offered, 1.2 still, nothing older.
TEST_F(HttpsTest, TlsVersions) {
  TestServer server(TlsOptions());
  std::string request = RawRequest(
      "POST", "/tam", {{"Accept", std::string(kTeep)}, {"Connection", "close"}}, "");

  TlsOutcome modern = TlsExchange(server.port(), cert_file_, TLS1_2_VERSION, TLS1_3_VERSION, request);
  ASSERT_TRUE(modern.handshake);
  EXPECT_EQ(modern.version, "TLSv1.3");
  EXPECT_EQ(modern.reply.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << modern.reply;
  EXPECT_NE(modern.reply.find("X-Content-Type-Options: nosniff"), std::string::npos);
  EXPECT_NE(modern.reply.find("query-request"), std::string::npos);

  TlsOutcome tls12 = TlsExchange(server.port(), cert_file_, TLS1_2_VERSION, TLS1_2_VERSION, request);
  ASSERT_TRUE(tls12.handshake);
  EXPECT_EQ(tls12.version, "TLSv1.2");
  EXPECT_EQ(tls12.reply.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << tls12.reply;

  TlsOutcome tls11 = TlsExchange(server.port(), cert_file_, TLS1_VERSION, TLS1_1_VERSION, request);
  EXPECT_FALSE(tls11.handshake);
  EXPECT_EQ(server.recorder.count(), 2u);
}

TEST_F(HttpsTest, BadTlsFilesFailStartNamingTheFile) {
  auto start = [](HttpServerOptions options) {
    return HttpServer::Start(std::move(options), Scripted);
  };
  HttpServerOptions options = TlsOptions();
  options.tls_cert_file = dir_ / "missing-cert.pem";
  Result<std::unique_ptr<HttpServer>> missing = start(options);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find(options.tls_cert_file), std::string::npos)
      << missing.status().ToString();
  EXPECT_NE(missing.status().message().find("No such file"), std::string::npos)
      << missing.status().ToString();

  options = TlsOptions();
  options.tls_cert_file = dir_.Write("garbage-cert.pem", "not a certificate\n");
  Result<std::unique_ptr<HttpServer>> garbage = start(options);
  ASSERT_FALSE(garbage.ok());
  EXPECT_NE(garbage.status().message().find(options.tls_cert_file), std::string::npos)
      << garbage.status().ToString();

  options = TlsOptions();
  options.tls_key_file = dir_.Write("garbage-key.pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n");
  Result<std::unique_ptr<HttpServer>> bad_key = start(options);
  ASSERT_FALSE(bad_key.ok());
  EXPECT_NE(bad_key.status().message().find(options.tls_key_file), std::string::npos)
      << bad_key.status().ToString();

  options = TlsOptions();
  options.tls_key_file =
      dir_.Write("other-key.pem", test::MakeSelfSignedIdentity().private_key_pem);
  Result<std::unique_ptr<HttpServer>> mismatch = start(options);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_NE(mismatch.status().message().find(options.tls_key_file), std::string::npos)
      << mismatch.status().ToString();
  EXPECT_NE(mismatch.status().message().find("does not match"), std::string::npos)
      << mismatch.status().ToString();

  options = TlsOptions();
  options.tls_key_file.clear();
  Result<std::unique_ptr<HttpServer>> half = start(options);
  ASSERT_FALSE(half.ok());
  EXPECT_EQ(half.status().code(), StatusCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------
// Start and Stop.

TEST(HttpServerTest, StartRefusesUnusableOptions) {
  TestServer first;
  HttpServerOptions taken;
  taken.port = first.port();
  Result<std::unique_ptr<HttpServer>> busy = HttpServer::Start(taken, Scripted);
  ASSERT_FALSE(busy.ok());
  EXPECT_EQ(busy.status().code(), StatusCode::kIoError);
  EXPECT_NE(busy.status().message().find("127.0.0.1:" + std::to_string(first.port())),
            std::string::npos)
      << busy.status().ToString();

  HttpServerOptions address;
  address.address = "tam.example";
  Result<std::unique_ptr<HttpServer>> not_ip = HttpServer::Start(address, Scripted);
  ASSERT_FALSE(not_ip.ok());
  EXPECT_NE(not_ip.status().message().find("tam.example"), std::string::npos);

  HttpServerOptions path;
  path.tam_path = "tam";
  EXPECT_FALSE(HttpServer::Start(path, Scripted).ok());
  HttpServerOptions threads;
  threads.worker_threads = 0;
  EXPECT_FALSE(HttpServer::Start(threads, Scripted).ok());
  EXPECT_FALSE(HttpServer::Start({}, nullptr).ok());

  HttpServerOptions custom;
  custom.tam_path = "/teep/v1";
  custom.address = "::1";
  Result<std::unique_ptr<HttpServer>> v6 = HttpServer::Start(custom, Scripted);
  if (v6.ok()) {  // hosts without IPv6 loopback cannot run this part
    EXPECT_NE((*v6)->port(), 0);
  }
}

// Stop(): idle connections close at once, the request in flight is answered,
// then nothing is accepted any more.
TEST(HttpServerTest, StopFinishesInFlightRequests) {
  Gate entered;
  Gate release;
  auto server = std::make_unique<TestServer>(HttpServerOptions{}, [&](const TamRequest& request) {
    if (Text(request.body) == "in-flight") {
      entered.Open();
      release.WaitOpen(10s);
    }
    return Scripted(request);
  });
  const uint16_t port = server->port();

  RawConnection idle(port);  // kept alive after one request, then idle
  ASSERT_TRUE(idle.Send(TeepPost("before")));
  ASSERT_TRUE(idle.Read());

  RawConnection in_flight(port);
  ASSERT_TRUE(in_flight.Send(TeepPost("in-flight")));
  ASSERT_TRUE(entered.WaitOpen(10s));

  std::atomic<bool> stopped{false};
  std::thread stopper([&] {
    server->server->Stop();
    stopped = true;
  });
  EXPECT_TRUE(idle.ClosedWithin(5s)) << "an idle connection is closed at once";
  EXPECT_FALSE(stopped.load()) << "Stop() waits for the request in flight";
  EXPECT_EQ(ConnectLoopback(port), -1) << "no more accepts";

  release.Open();
  std::optional<RawResponse> response = in_flight.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "reply:in-flight");
  EXPECT_EQ(response->Header("Connection"), "close");
  ExpectSecurityHeaders(*response);
  EXPECT_TRUE(in_flight.ClosedWithin(5s));
  stopper.join();
  EXPECT_TRUE(stopped.load());
  server->server->Stop();  // idempotent
  server.reset();          // and the destructor after it
}

TEST(HttpServerTest, DestructorStopsARunningServer) {
  uint16_t port;
  {
    TestServer server;
    port = server.port();
    RawConnection connection(port);
    ASSERT_TRUE(connection.Send(TeepPost("x")));
    ASSERT_TRUE(connection.Read());
  }
  EXPECT_EQ(ConnectLoopback(port), -1);
}

}  // namespace
}  // namespace teep::host
