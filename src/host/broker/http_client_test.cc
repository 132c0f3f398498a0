#include "host/broker/http_client.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include "host/broker/scripted_http_server.h"

namespace teep::host {
namespace {

using test::ScriptedHttpServer;
using test::ScriptedResponse;
using namespace std::chrono_literals;

std::unique_ptr<HttpClient> MakeClient(HttpClientOptions options = {}) {
  Result<std::unique_ptr<HttpClient>> client = HttpClient::Create(std::move(options));
  if (!client.ok()) ADD_FAILURE() << client.status().ToString();
  return std::move(client).value();
}

std::string Text(const Bytes& bytes) {
  return std::string(AsChars(bytes));
}

// otrp-over-http-15 §5.1.1, §4: Accept on every request, Content-Type only
// with a body, no cookies, no Expect, no Cache-Control.
TEST(HttpClientTest, SendsOnlyTheHeadersTheDraftAsksFor) {
  ScriptedResponse first = ScriptedResponse::Teep(200, std::string("\x84\x01\x00QR", 5));
  first.headers.emplace_back("Set-Cookie", "session=abc; Path=/");
  ScriptedHttpServer server({first, ScriptedResponse::Empty(204)});
  auto client = MakeClient();

  Result<HttpReply> opened = client->Post(server.Url(), {});
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->status, 200);
  EXPECT_EQ(opened->content_type, "application/teep+cbor");
  EXPECT_EQ(Text(opened->body), std::string("\x84\x01\x00QR", 5));
  Result<HttpReply> answered =
      client->Post(server.Url(), AsBytes(std::string_view("\xAA\x00\xBB", 3)));
  ASSERT_TRUE(answered.ok()) << answered.status().ToString();
  EXPECT_EQ(answered->status, 204);
  EXPECT_TRUE(answered->body.empty());

  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].path, "/tam");
  EXPECT_EQ(requests[0].Header("Accept"), "application/teep+cbor");
  EXPECT_FALSE(requests[0].Header("Content-Type"));
  EXPECT_EQ(requests[0].Header("Content-Length"), "0");
  EXPECT_EQ(requests[0].body, "");
  EXPECT_EQ(requests[1].Header("Accept"), "application/teep+cbor");
  EXPECT_EQ(requests[1].Header("Content-Type"), "application/teep+cbor");
  EXPECT_EQ(requests[1].body, std::string("\xAA\x00\xBB", 3));
  for (const auto& request : requests) {
    EXPECT_FALSE(request.Header("Cookie")) << "the cookie engine must stay off";
    EXPECT_FALSE(request.Header("Expect"));
    EXPECT_FALSE(request.Header("Cache-Control"));
  }
}

// libcurl would ask for 100-continue above 1 MiB and wait for it.
TEST(HttpClientTest, LargeBodyIsSentWholeWithoutExpect) {
  ScriptedHttpServer server({ScriptedResponse::Empty(204)});
  auto client = MakeClient();
  std::string large(2 * 1024 * 1024 + 17, 'x');
  Result<HttpReply> reply = client->Post(server.Url(), AsBytes(large));
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_FALSE(requests[0].Header("Expect"));
  EXPECT_EQ(requests[0].body, large);
}

TEST(HttpClientTest, ReusesOneConnectionAcrossPosts) {
  ScriptedHttpServer server({ScriptedResponse::Teep(200, "a"), ScriptedResponse::Teep(200, "b"),
                             ScriptedResponse::Empty(204)});
  auto client = MakeClient();
  for (int i = 0; i < 3; ++i) {
    Result<HttpReply> reply = client->Post(server.Url(), AsBytes("m"));
    ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  }
  EXPECT_EQ(server.requests().size(), 3u);
  EXPECT_EQ(server.connections_accepted(), 1);
}

// otrp-over-http-15 §4: redirects are not followed; the caller sees the 3xx.
TEST(HttpClientTest, RedirectIsReturnedNotFollowed) {
  ScriptedHttpServer server(
      {ScriptedResponse::Redirect("/elsewhere"), ScriptedResponse::Empty(204)});
  auto client = MakeClient();
  Result<HttpReply> reply = client->Post(server.Url(), AsBytes("m"));
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->status, 302);
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(HttpClientTest, SlowServerTimesOutWithAClearMessage) {
  ScriptedResponse slow = ScriptedResponse::Empty(204);
  slow.delay = 3s;
  ScriptedHttpServer server({slow});
  HttpClientOptions options;
  options.request_timeout = 300ms;
  auto client = MakeClient(options);
  auto start = std::chrono::steady_clock::now();
  Result<HttpReply> reply = client->Post(server.Url(), {});
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().message(), "POST " + server.Url() + ": no answer within 300 ms");
  EXPECT_LT(elapsed, 2s);
}

TEST(HttpClientTest, TruncatedBodyIsAnError) {
  ScriptedResponse cut = ScriptedResponse::Teep(200, std::string(1000, 'q'));
  cut.close_after_body_bytes = 100;
  ScriptedHttpServer server({cut});
  auto client = MakeClient();
  Result<HttpReply> reply = client->Post(server.Url(), {});
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().message(),
            "POST " + server.Url() +
                ": the server closed the connection before the whole reply body arrived");
}

TEST(HttpClientTest, BodyOverTheLimitIsAnErrorNotATruncation) {
  ScriptedResponse declared = ScriptedResponse::Teep(200, std::string(4096, 'q'));
  ScriptedResponse undeclared = declared;  // length known only by reading it
  undeclared.omit_content_length = true;
  for (const ScriptedResponse& response : {declared, undeclared}) {
    ScriptedHttpServer server({response});
    HttpClientOptions options;
    options.max_response_bytes = 1024;
    auto client = MakeClient(options);
    Result<HttpReply> reply = client->Post(server.Url(), {});
    ASSERT_FALSE(reply.ok()) << "omit_content_length=" << response.omit_content_length;
    EXPECT_EQ(reply.status().code(), StatusCode::kLimitExceeded);
    EXPECT_EQ(reply.status().message(),
              "POST " + server.Url() + ": reply body larger than 1024 bytes");
  }
}

TEST(HttpClientTest, BodyDelimitedByCloseIsReadWhole) {
  ScriptedResponse response = ScriptedResponse::Teep(200, std::string(5000, 'q'));
  response.omit_content_length = true;
  ScriptedHttpServer server({response});
  auto client = MakeClient();
  Result<HttpReply> reply = client->Post(server.Url(), {});
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->body.size(), 5000u);
}

TEST(HttpClientTest, ConnectionRefusedNamesTheUrl) {
  std::string url;
  {
    ScriptedHttpServer gone({});
    url = gone.Url();
  }
  auto client = MakeClient();
  Result<HttpReply> reply = client->Post(url, {});
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().message(), "POST " + url + ": connection refused");
}

TEST(HttpClientTest, OnlyHttpAndHttpsUrls) {
  auto client = MakeClient();
  Result<HttpReply> reply = client->Post("file:///etc/passwd", {});
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(reply.status().message(),
            "POST file:///etc/passwd: only http:// and https:// URLs are allowed");
  // Without a scheme libcurl would guess http.
  EXPECT_EQ(client->Post("127.0.0.1/tam", {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(client->Post("ftp://127.0.0.1/tam", {})
                  .status()
                  .message()
                  .ends_with("only http:// and https:// URLs are allowed"));
}

TEST(HttpClientTest, StaysUsableAfterAnError) {
  auto client = MakeClient();
  ASSERT_FALSE(client->Post("file:///etc/passwd", {}).ok());
  ScriptedHttpServer server({ScriptedResponse::Empty(204)});
  Result<HttpReply> reply = client->Post(server.Url(), {});
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->status, 204);
}

// ---- GET (resources named by URI: SUIT payloads, dependency manifests) ----

ScriptedResponse Served(std::string body) {
  ScriptedResponse r;
  r.status = 200;
  r.headers = {{"Content-Type", "application/octet-stream"}};
  r.body = std::move(body);
  return r;
}

TEST(HttpClientGetTest, ReturnsTheBodyOfA200) {
  ScriptedResponse served = Served(std::string("tc\x00binary", 9));
  served.headers.emplace_back("Set-Cookie", "session=abc; Path=/");
  ScriptedHttpServer server({served, Served("again")});
  auto client = MakeClient();
  Result<Bytes> body = client->Get(server.Url("/app.ta"), 1024);
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_EQ(Text(*body), std::string("tc\x00binary", 9));
  ASSERT_TRUE(client->Get(server.Url("/app.ta"), 1024).ok());

  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  for (const auto& request : requests) {
    EXPECT_EQ(request.method, "GET");
    EXPECT_EQ(request.path, "/app.ta");
    EXPECT_EQ(request.body, "");
    EXPECT_EQ(request.Header("Accept"), "*/*");
    EXPECT_FALSE(request.Header("Content-Type"));
    EXPECT_FALSE(request.Header("Content-Length"));
    EXPECT_FALSE(request.Header("Cookie")) << "the cookie engine must stay off";
  }
  EXPECT_EQ(server.connections_accepted(), 1);
}

TEST(HttpClientGetTest, AnEmpty2xxIsAnEmptyBody) {
  ScriptedHttpServer server({ScriptedResponse::Empty(204)});
  auto client = MakeClient();
  Result<Bytes> body = client->Get(server.Url("/empty"), 1024);
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_TRUE(body->empty());
}

// One handle serves both methods: each request sets its own method, headers
// and body limit.
TEST(HttpClientGetTest, PostAndGetAlternateOnOneConnection) {
  ScriptedHttpServer server({ScriptedResponse::Teep(200, "q"), Served("payload"),
                             ScriptedResponse::Teep(200, std::string(2048, 'r'))});
  auto client = MakeClient();
  ASSERT_TRUE(client->Post(server.Url(), AsBytes("m")).ok());
  Result<Bytes> got = client->Get(server.Url("/p"), 16);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(Text(*got), "payload");
  // The GET's 16-byte limit does not stay behind for the next POST.
  Result<HttpReply> posted = client->Post(server.Url(), AsBytes("n"));
  ASSERT_TRUE(posted.ok()) << posted.status().ToString();
  EXPECT_EQ(posted->body.size(), 2048u);

  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[1].method, "GET");
  EXPECT_EQ(requests[1].body, "");
  EXPECT_FALSE(requests[1].Header("Content-Type"));
  EXPECT_EQ(requests[2].method, "POST");
  EXPECT_EQ(requests[2].body, "n");
  EXPECT_EQ(requests[2].Header("Content-Type"), "application/teep+cbor");
  EXPECT_EQ(server.connections_accepted(), 1);
}

TEST(HttpClientGetTest, NotFoundIsAnErrorNamingTheStatus) {
  ScriptedResponse missing = Served("no such thing");
  missing.status = 404;
  ScriptedHttpServer server({missing});
  auto client = MakeClient();
  Result<Bytes> body = client->Get(server.Url("/gone.ta"), 1024);
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(body.status().message(),
            "GET " + server.Url("/gone.ta") + ": server answered 404 Not Found");
}

TEST(HttpClientGetTest, ServerErrorIsAnErrorNamingTheStatus) {
  ScriptedResponse failed = ScriptedResponse::Empty(500);
  ScriptedResponse unusual = ScriptedResponse::Empty(299);  // 2xx: a success
  ScriptedResponse teapot = ScriptedResponse::Empty(418);   // no phrase of ours
  ScriptedHttpServer server({failed, unusual, teapot});
  auto client = MakeClient();
  Result<Bytes> body = client->Get(server.Url("/x"), 1024);
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.status().code(), StatusCode::kIoError);
  EXPECT_EQ(body.status().message(),
            "GET " + server.Url("/x") + ": server answered 500 Internal Server Error");
  EXPECT_TRUE(client->Get(server.Url("/x"), 1024).ok());
  EXPECT_EQ(client->Get(server.Url("/x"), 1024).status().message(),
            "GET " + server.Url("/x") + ": server answered 418");
}

// Like Post, a redirect is never followed; unlike Post, whose caller sees the
// 3xx, a GET wants the resource itself, so a 3xx is an error.
TEST(HttpClientGetTest, RedirectIsRefusedNotFollowed) {
  ScriptedHttpServer server({ScriptedResponse::Redirect("/elsewhere"), Served("elsewhere")});
  auto client = MakeClient();
  Result<Bytes> body = client->Get(server.Url("/moved.ta"), 1024);
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.status().message(),
            "GET " + server.Url("/moved.ta") +
                ": server answered 302 Found (redirects are not followed)");
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(HttpClientGetTest, BodyOverTheLimitIsAnErrorNotATruncation) {
  ScriptedResponse declared = Served(std::string(4096, 'q'));
  ScriptedResponse undeclared = declared;  // length known only by reading it
  undeclared.omit_content_length = true;
  for (const ScriptedResponse& response : {declared, undeclared}) {
    ScriptedHttpServer server({response});
    auto client = MakeClient();  // options.max_response_bytes (16 MiB) is Post's limit
    Result<Bytes> body = client->Get(server.Url("/big"), 1024);
    ASSERT_FALSE(body.ok()) << "omit_content_length=" << response.omit_content_length;
    EXPECT_EQ(body.status().code(), StatusCode::kLimitExceeded);
    EXPECT_EQ(body.status().message(),
              "GET " + server.Url("/big") + ": reply body larger than 1024 bytes");
  }
  // Exactly at the limit is fine.
  ScriptedHttpServer server({declared});
  Result<Bytes> body = MakeClient()->Get(server.Url("/big"), 4096);
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_EQ(body->size(), 4096u);
}

TEST(HttpClientGetTest, SlowServerTimesOutWithAClearMessage) {
  ScriptedResponse slow = Served("late");
  slow.delay = 3s;
  ScriptedHttpServer server({slow});
  HttpClientOptions options;
  options.request_timeout = 300ms;
  auto client = MakeClient(options);
  auto start = std::chrono::steady_clock::now();
  Result<Bytes> body = client->Get(server.Url("/slow"), 1024);
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.status().message(), "GET " + server.Url("/slow") + ": no answer within 300 ms");
  EXPECT_LT(elapsed, 2s);
}

TEST(HttpClientGetTest, OnlyHttpAndHttpsUrls) {
  auto client = MakeClient();
  Result<Bytes> body = client->Get("file:///etc/passwd", 1024);
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(body.status().message(),
            "GET file:///etc/passwd: only http:// and https:// URLs are allowed");
  EXPECT_EQ(client->Get("127.0.0.1/x.ta", 1024).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(IsHttpUrl("HTTPS://example.org/x"));
  EXPECT_TRUE(IsHttpUrl("http://127.0.0.1/"));
  EXPECT_FALSE(IsHttpUrl("coap://example.org/x"));
  EXPECT_FALSE(IsHttpUrl("#tc"));
  EXPECT_FALSE(IsHttpUrl("http:/x"));
}

// HTTPS against the scripted server speaking TLS with a throwaway certificate
// for IP 127.0.0.1 (otrp-over-http-15 §4: authenticate the server, BCP 195).
class HttpsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    identity_ = test::MakeSelfSignedIdentity();
    ca_file_ = ::testing::TempDir() + "broker_test_ca_" + std::to_string(::getpid()) + ".pem";
    std::ofstream(ca_file_) << identity_.certificate_pem;
  }
  static void TearDownTestSuite() { std::remove(ca_file_.c_str()); }
  static HttpClientOptions Trusting() {
    HttpClientOptions options;
    options.ca_file = ca_file_;
    return options;
  }
  static inline test::TlsIdentity identity_;
  static inline std::string ca_file_;
};

TEST_F(HttpsTest, TrustedServerOverTls13WithOneConnection) {
  ScriptedHttpServer server({ScriptedResponse::Teep(200, "q"), ScriptedResponse::Empty(204)},
                            identity_);
  ASSERT_EQ(server.Url().rfind("https://", 0), 0u);
  auto client = MakeClient(Trusting());
  Result<HttpReply> first = client->Post(server.Url(), {});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(Text(first->body), "q");
  Result<HttpReply> second = client->Post(server.Url(), AsBytes("r"));
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->status, 204);
  EXPECT_EQ(server.connections_accepted(), 1);
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].tls_version, "TLSv1.3");
  EXPECT_EQ(requests[1].body, "r");
}

TEST_F(HttpsTest, UntrustedCertificateIsRefused) {
  ScriptedHttpServer server({ScriptedResponse::Empty(204)}, identity_);
  auto client = MakeClient();  // system CAs only
  Result<HttpReply> reply = client->Post(server.Url(), {});
  ASSERT_FALSE(reply.ok());
  EXPECT_NE(
      reply.status().message().find(server.Url() + ": the server's TLS certificate is not trusted"),
      std::string::npos)
      << reply.status().message();
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(HttpsTest, HostNameMustMatchTheCertificate) {
  ScriptedHttpServer server({ScriptedResponse::Empty(204)}, identity_);
  auto client = MakeClient(Trusting());
  std::string url = "https://localhost:" + std::to_string(server.port()) + "/tam";
  Result<HttpReply> reply = client->Post(url, {});
  ASSERT_FALSE(reply.ok());
  EXPECT_NE(reply.status().message().find("not trusted"), std::string::npos)
      << reply.status().message();
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(HttpsTest, HttpsToAPlainServerIsATlsError) {
  ScriptedHttpServer server({ScriptedResponse::Empty(204)});
  auto client = MakeClient(Trusting());
  std::string url = "https://127.0.0.1:" + std::to_string(server.port()) + "/tam";
  Result<HttpReply> reply = client->Post(url, {});
  ASSERT_FALSE(reply.ok());
  EXPECT_NE(reply.status().message().find(url + ": TLS handshake failed"), std::string::npos)
      << reply.status().message();
}

TEST_F(HttpsTest, GetFromATrustedServerAndRefusedFromAnUntrustedOne) {
  ScriptedHttpServer server({Served("over tls")}, identity_);
  Result<Bytes> body = MakeClient(Trusting())->Get(server.Url("/app.ta"), 1024);
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_EQ(Text(*body), "over tls");
  Result<Bytes> refused = MakeClient()->Get(server.Url("/app.ta"), 1024);  // system CAs only
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("GET " + server.Url("/app.ta") +
                                            ": the server's TLS certificate is not trusted"),
            std::string::npos)
      << refused.status().message();
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST_F(HttpsTest, MissingCaFileIsReportedAtCreate) {
  HttpClientOptions options;
  options.ca_file = "/nonexistent/teep-ca.pem";
  Result<std::unique_ptr<HttpClient>> client = HttpClient::Create(options);
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().message(),
            "CA file \"/nonexistent/teep-ca.pem\" cannot be read: No such file or directory");
}

}  // namespace
}  // namespace teep::host
