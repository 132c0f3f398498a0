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
