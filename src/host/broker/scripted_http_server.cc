#include "host/broker/scripted_http_server.h"

#include "host/broker/http_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <csignal>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace teep::test {
namespace {

[[noreturn]] void Fail(const std::string& what) {
  throw std::runtime_error("ScriptedHttpServer: " + what + ": " + std::strerror(errno));
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

std::string_view ReasonPhrase(int status) {
  std::string_view phrase = host::HttpReasonPhrase(status);
  return phrase.empty() ? "Status" : phrase;
}

// Parses "METHOD PATH VERSION\r\nName: value\r\n..." (the blank line excluded).
RecordedRequest ParseHead(std::string_view head) {
  RecordedRequest request;
  size_t line_end = head.find("\r\n");
  std::string_view line = head.substr(0, line_end);
  size_t first_space = line.find(' ');
  request.method = line.substr(0, first_space);
  if (first_space != std::string_view::npos) {
    std::string_view rest = line.substr(first_space + 1);
    request.path = rest.substr(0, rest.find(' '));
  }
  while (line_end != std::string_view::npos) {
    head.remove_prefix(line_end + 2);
    line_end = head.find("\r\n");
    line = head.substr(0, line_end);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    request.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  return request;
}

std::string SerializeHead(const ScriptedResponse& response) {
  std::string head = "HTTP/1.1 " + std::to_string(response.status) + " " +
                     std::string(ReasonPhrase(response.status)) + "\r\n";
  for (const auto& [name, value] : response.headers) head += name + ": " + value + "\r\n";
  // RFC 9110 §8.6: no Content-Length on 1xx and 204.
  bool bodiless = response.status < 200 || response.status == 204;
  if (!bodiless && !response.omit_content_length) {
    head += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
  }
  if (response.omit_content_length) head += "Connection: close\r\n";
  return head + "\r\n";
}

template <typename T, void (*Free)(T*)>
struct OpenSslDeleter {
  void operator()(T* p) const { Free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, OpenSslDeleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, OpenSslDeleter<BIO, BIO_free_all>>;

std::string BioText(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(n));
}

}  // namespace

ScriptedResponse ScriptedResponse::Teep(int status, std::string body) {
  ScriptedResponse r;
  r.status = status;
  r.headers = {{"Content-Type", "application/teep+cbor"}};
  r.body = std::move(body);
  return r;
}

ScriptedResponse ScriptedResponse::Empty(int status) {
  ScriptedResponse r;
  r.status = status;
  return r;
}

ScriptedResponse ScriptedResponse::Redirect(std::string location) {
  ScriptedResponse r;
  r.status = 302;
  r.headers = {{"Location", std::move(location)}};
  return r;
}

std::optional<std::string> RecordedRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return std::nullopt;
}

TlsIdentity MakeSelfSignedIdentity() {
  PkeyPtr key(EVP_EC_gen("P-256"));
  X509Ptr cert(X509_new());
  if (!key || !cert) throw std::runtime_error("MakeSelfSignedIdentity: out of memory");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  // Host name checks look at subjectAltName only; an IP URL needs an IP entry.
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  X509_EXTENSION* san = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, "IP:127.0.0.1");
  bool ok = san != nullptr && X509_add_ext(cert.get(), san, -1) == 1;
  X509_EXTENSION_free(san);
  if (!ok || X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
    throw std::runtime_error("MakeSelfSignedIdentity: cannot build the certificate");
  }
  BioPtr cert_pem(BIO_new(BIO_s_mem()));
  BioPtr key_pem(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_X509(cert_pem.get(), cert.get()) ||
      !PEM_write_bio_PrivateKey(key_pem.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr)) {
    throw std::runtime_error("MakeSelfSignedIdentity: cannot encode PEM");
  }
  return TlsIdentity{BioText(cert_pem.get()), BioText(key_pem.get())};
}

// One accepted TCP connection, optionally wrapped in TLS.
class ScriptedHttpServer::Connection {
 public:
  Connection(int fd, SSL_CTX* tls) : fd_(fd), ssl_(tls != nullptr ? SSL_new(tls) : nullptr) {
    if (ssl_ != nullptr) SSL_set_fd(ssl_, fd_);
  }
  ~Connection() {
    if (ssl_ != nullptr) {
      SSL_shutdown(ssl_);
      SSL_free(ssl_);
      ERR_clear_error();
    }
    ::close(fd_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  int fd() const { return fd_; }
  bool Handshake() { return ssl_ == nullptr || SSL_accept(ssl_) == 1; }
  // TLS may hold decrypted bytes that poll() cannot see.
  bool HasBuffered() const { return ssl_ != nullptr && SSL_pending(ssl_) > 0; }
  std::string TlsVersion() const { return ssl_ != nullptr ? SSL_get_version(ssl_) : ""; }

  // Appends what arrived; false on end of stream or error.
  bool ReadSome(std::string& buffer) {
    char chunk[16384];
    long n =
        ssl_ != nullptr ? SSL_read(ssl_, chunk, sizeof chunk) : ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<size_t>(n));
    return true;
  }

  bool WriteAll(std::string_view data) {
    while (!data.empty()) {
      long n = ssl_ != nullptr ? SSL_write(ssl_, data.data(), static_cast<int>(data.size()))
                               : ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

 private:
  int fd_;
  SSL* ssl_;
};

ScriptedHttpServer::ScriptedHttpServer(std::vector<ScriptedResponse> script,
                                       std::optional<TlsIdentity> tls)
    : script_(std::move(script)) {
  // SSL_write reports a peer that hung up through SIGPIPE; a test must not die of it.
  std::signal(SIGPIPE, SIG_IGN);
  if (tls) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
    tls_context_ = ctx;
    BioPtr cert_bio(BIO_new_mem_buf(tls->certificate_pem.data(),
                                    static_cast<int>(tls->certificate_pem.size())));
    BioPtr key_bio(BIO_new_mem_buf(tls->private_key_pem.data(),
                                   static_cast<int>(tls->private_key_pem.size())));
    X509Ptr cert(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
    PkeyPtr key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
    if (ctx == nullptr || !cert || !key || SSL_CTX_use_certificate(ctx, cert.get()) != 1 ||
        SSL_CTX_use_PrivateKey(ctx, key.get()) != 1) {
      SSL_CTX_free(ctx);
      throw std::runtime_error("ScriptedHttpServer: cannot load the TLS identity");
    }
  }
  if (::pipe2(wake_pipe_, O_CLOEXEC) != 0) Fail("pipe");
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) Fail("socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;  // ephemeral: tests may run in parallel
  socklen_t length = sizeof address;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) Fail("bind");
  if (::listen(listen_fd_, 16) != 0) Fail("listen");
  if (::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0)
    Fail("getsockname");
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { Serve(); });
}

ScriptedHttpServer::~ScriptedHttpServer() {
  // The pipe stays readable once written, so every later wait sees the stop.
  char byte = 0;
  ssize_t written = ::write(wake_pipe_[1], &byte, 1);
  (void)written;  // a full pipe already says "stop"
  thread_.join();
  ::close(listen_fd_);
  ::close(wake_pipe_[0]);
  ::close(wake_pipe_[1]);
  SSL_CTX_free(static_cast<SSL_CTX*>(tls_context_));
}

std::string ScriptedHttpServer::Url(std::string_view path) const {
  return std::string(tls_context_ != nullptr ? "https" : "http") +
         "://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

std::vector<RecordedRequest> ScriptedHttpServer::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

ScriptedHttpServer::Wake ScriptedHttpServer::WaitFor(int fd, int timeout_ms) const {
  pollfd fds[2] = {{wake_pipe_[0], POLLIN, 0}, {fd, POLLIN, 0}};
  int n = ::poll(fds, 2, timeout_ms);
  if (n == 0) return Wake::kTimeout;
  if (n < 0 || fds[0].revents != 0) return Wake::kStop;
  return Wake::kReadable;
}

ScriptedResponse ScriptedHttpServer::NextResponse() {
  if (next_response_ < script_.size()) return script_[next_response_++];
  ScriptedResponse exhausted = ScriptedResponse::Empty(500);
  exhausted.body = "script exhausted";
  return exhausted;
}

void ScriptedHttpServer::Serve() {
  while (WaitFor(listen_fd_, -1) == Wake::kReadable) {
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    ++connections_accepted_;
    // Backstop for the blocking TLS handshake: a client that stalls in it
    // must not keep the destructor waiting.
    timeval limit{2, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    // Small replies (TLS session tickets, HTTP heads) would otherwise wait
    // for the client's delayed ACK: 40 ms per exchange.
    int on = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    Connection connection(fd, static_cast<SSL_CTX*>(tls_context_));
    if (connection.Handshake()) ServeConnection(connection);
  }
}

// Answers requests on one connection until the peer closes it, a response
// says to close, or the server stops (HTTP/1.1 keep-alive by default).
void ScriptedHttpServer::ServeConnection(Connection& connection) {
  std::string buffer;
  auto read_more = [&] {
    if (!connection.HasBuffered() && WaitFor(connection.fd(), -1) != Wake::kReadable) return false;
    if (!connection.ReadSome(buffer)) return false;
    // A request line starts with a method name. Anything else (such as a TLS
    // ClientHello sent to the plain server) gets 400 at once, as real servers do.
    if (!std::isupper(static_cast<unsigned char>(buffer[0]))) {
      connection.WriteAll(SerializeHead(ScriptedResponse::Empty(400)));
      return false;
    }
    return true;
  };
  for (;;) {
    size_t head_end;
    while ((head_end = buffer.find("\r\n\r\n")) == std::string::npos) {
      if (!read_more()) return;
    }
    RecordedRequest request = ParseHead(std::string_view(buffer).substr(0, head_end));
    request.tls_version = connection.TlsVersion();
    size_t content_length = 0;
    if (auto value = request.Header("Content-Length")) {
      std::from_chars(value->data(), value->data() + value->size(), content_length);
    }
    bool chunked = request.Header("Transfer-Encoding").has_value();
    size_t body_start = head_end + 4;
    while (!chunked && buffer.size() < body_start + content_length) {
      if (!read_more()) return;
    }
    request.body = chunked ? "" : buffer.substr(body_start, content_length);
    buffer.erase(0, chunked ? buffer.size() : body_start + content_length);
    bool client_closes = EqualsIgnoreCase(request.Header("Connection").value_or(""), "close");
    {
      std::lock_guard<std::mutex> lock(mutex_);
      requests_.push_back(std::move(request));
    }
    // Our clients never send chunked bodies; refuse rather than misparse one.
    ScriptedResponse response = chunked ? ScriptedResponse::Empty(501) : NextResponse();
    if (response.delay.count() > 0 &&
        WaitFor(-1, static_cast<int>(response.delay.count())) == Wake::kStop)
      return;
    std::string_view body = response.body;
    if (response.close_after_body_bytes) body = body.substr(0, *response.close_after_body_bytes);
    if (!connection.WriteAll(SerializeHead(response).append(body))) return;
    if (chunked || client_closes || response.close_after_body_bytes || response.omit_content_length)
      return;
  }
}

}  // namespace teep::test
