// Test-only HTTP/1.1 server on 127.0.0.1 that answers from a script and
// records what it was sent, so that client tests run over real sockets.
// Optionally speaks TLS (OpenSSL) with a certificate the test supplies.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace teep::test {

using HeaderLines = std::vector<std::pair<std::string, std::string>>;

struct ScriptedResponse {
  int status = 200;
  HeaderLines headers;  // Content-Length is added unless omit_content_length
  std::string body;
  std::chrono::milliseconds delay{0};            // wait this long before answering
  std::optional<size_t> close_after_body_bytes;  // send only this much of the body, then close
  bool omit_content_length = false;              // body delimited by closing the connection

  static ScriptedResponse Teep(int status, std::string body);  // application/teep+cbor
  static ScriptedResponse Empty(int status = 204);
  static ScriptedResponse Redirect(std::string location);  // 302 Found + Location
};

struct RecordedRequest {
  std::string method;
  std::string path;
  HeaderLines headers;
  std::string body;
  std::string tls_version;  // e.g. "TLSv1.3"; empty over plain TCP
  // Value of the first header of that name (case-insensitive), if any.
  std::optional<std::string> Header(std::string_view name) const;
};

// A self-signed certificate and its key, PEM encoded.
struct TlsIdentity {
  std::string certificate_pem;
  std::string private_key_pem;
};
// P-256 key, certificate for subjectAltName IP:127.0.0.1, valid for one day.
TlsIdentity MakeSelfSignedIdentity();

class ScriptedHttpServer {
 public:
  // Answers requests in order from `script`; once it runs out, answers 500.
  explicit ScriptedHttpServer(std::vector<ScriptedResponse> script,
                              std::optional<TlsIdentity> tls = {});
  ~ScriptedHttpServer();
  ScriptedHttpServer(const ScriptedHttpServer&) = delete;
  ScriptedHttpServer& operator=(const ScriptedHttpServer&) = delete;

  uint16_t port() const { return port_; }
  // "http://127.0.0.1:<port><path>" (https when serving TLS).
  std::string Url(std::string_view path = "/tam") const;
  std::vector<RecordedRequest> requests() const;
  int connections_accepted() const { return connections_accepted_; }

 private:
  class Connection;
  void Serve();
  void ServeConnection(Connection& connection);
  enum class Wake { kReadable, kTimeout, kStop };
  // Waits for `fd` (-1: none) to become readable, `timeout_ms` (-1: forever)
  // to pass, or the destructor to ask the thread to stop.
  Wake WaitFor(int fd, int timeout_ms) const;
  ScriptedResponse NextResponse();

  std::vector<ScriptedResponse> script_;
  size_t next_response_ = 0;
  void* tls_context_ = nullptr;  // SSL_CTX*, kept out of this header
  int listen_fd_ = -1;
  int wake_pipe_[2] = {-1, -1};  // written by the destructor to stop the thread
  uint16_t port_ = 0;
  std::atomic<int> connections_accepted_{0};
  mutable std::mutex mutex_;
  std::vector<RecordedRequest> requests_;
  std::thread thread_;
};

}  // namespace teep::test
