// The only translation unit of the server that includes Boost.Beast/Asio (they
// are slow to compile): connections, TLS, timeouts and threads. The HTTP rules
// that need no sockets live in request_rules.cc.
#include "host/http/http_server.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <array>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/vector_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/base/strings.h"
#include "host/http/request_rules.h"

namespace teep::host {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

using Request = http::request<http::vector_body<uint8_t>>;
using RequestParser = http::request_parser<http::vector_body<uint8_t>>;
using Response = http::response<http::vector_body<uint8_t>>;
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// Request heads larger than this get 431 (RFC 6585 §5); Beast's default is 8 KiB.
constexpr uint32_t kHeaderLimit = 16 * 1024;
constexpr size_t kReadChunk = 4096;
// After a response that leaves request bytes unread (413, 400), the server
// stops sending, then reads and discards for a while before closing: closing
// with unread input makes the kernel send RST, which can destroy the response
// before the client reads it (RFC 9112 §9.6, "lingering close").
constexpr std::chrono::seconds kLingerTime{2};
constexpr size_t kLingerMaxBytes = 1 << 20;
// TLS close_notify exchange at the end of a connection.
constexpr std::chrono::seconds kTlsShutdownTime{2};

std::string_view View(beast::string_view s) { return std::string_view(s.data(), s.size()); }
beast::string_view Bv(std::string_view s) { return beast::string_view(s.data(), s.size()); }

std::string EndpointText(const tcp::endpoint& endpoint) {
  std::string address = endpoint.address().to_string();
  if (endpoint.address().is_v6()) address = Cat("[", address, "]");
  return Cat(address, ":", endpoint.port());
}

// The reason of the most recent OpenSSL error, e.g.
// "error:0480006C:PEM routines::no start line"; clears the error queue.
std::string OpenSslError() {
  unsigned long code = ERR_peek_last_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

// Every field of that name, in order (RFC 9110 §5.3: a list may be split
// across several field lines).
std::vector<std::string_view> FieldValues(const Request& request, http::field name) {
  std::vector<std::string_view> values;
  auto [it, end] = request.equal_range(name);
  for (; it != end; ++it) values.push_back(View(it->value()));
  return values;
}

Response EmptyResponse(http::status status) {
  Response response{status, 11};
  return response;
}

class Connection;

// The server's shared state. HttpServer::Impl (below) is this; it has its own
// name because connections must name it and HttpServer::Impl is private.
struct ServerCore {
  HttpServerOptions options;
  TamHandler handler;
  http_rules::RouteTable routes;
  // Declared before `io`: connections (destroyed with `io`'s pending
  // handlers) use the TLS context and the registry below.
  std::optional<ssl::context> tls;

  std::mutex mutex;  // guards the registry and `stopping`
  std::condition_variable all_closed;
  bool stopping = false;
  uint64_t next_connection_id = 0;
  std::unordered_map<uint64_t, std::weak_ptr<Connection>> connections;

  std::mutex stop_mutex;  // serialises Stop()
  bool stopped = false;

  net::io_context io;
  // The acceptor and its retry timer are only touched on this strand, so
  // Stop() can close the acceptor while io threads accept.
  net::strand<net::io_context::executor_type> accept_strand{net::make_strand(io)};
  tcp::acceptor acceptor{accept_strand};
  net::steady_timer accept_retry{accept_strand};
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::unique_ptr<net::thread_pool> workers;  // runs the handler, never io
  std::vector<std::thread> io_threads;
  uint16_t port = 0;

  ServerCore(HttpServerOptions o, TamHandler h) : options(std::move(o)), handler(std::move(h)) {}

  void Log(std::string_view line) const {
    if (options.log) options.log(line);
  }
  Status LoadTls();
  Status Listen();
  void Accept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  void RunIo();
  void Unregister(uint64_t id);
  void Stop();
  // Runs the handler (on a worker thread) and turns its answer into a response.
  Response Answer(const TamRequest& request);
};

// One accepted connection; the template below adds the stream type. Every
// member function runs on the connection's strand.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(ServerCore& server, uint64_t id, std::string peer)
      : server_(server), id_(id), peer_(std::move(peer)) {}
  virtual ~Connection() { server_.Unregister(id_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  virtual void Run() = 0;
  // Server shutdown: close now if no request is under way, else finish it.
  virtual void RequestStop() = 0;

 protected:
  ServerCore& server_;
  const uint64_t id_;
  const std::string peer_;
};

template <class Stream>
class StreamConnection final : public Connection {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

 public:
  // Plain: `socket` becomes the stream. TLS: it is wrapped with `tls`.
  template <class... TlsContext>
  StreamConnection(ServerCore& server, uint64_t id, std::string peer, tcp::socket socket,
                   TlsContext&... tls)
      : Connection(server, id, std::move(peer)), stream_(std::move(socket), tls...) {}

  void Run() override {
    net::dispatch(stream_.get_executor(), [self = Self()] { self->Begin(); });
  }

  void RequestStop() override {
    net::dispatch(stream_.get_executor(), [self = Self()] {
      self->stop_requested_ = true;
      // Nothing of a request has arrived: nothing to finish. A request being
      // received, handled or answered goes on; Send() adds "Connection: close".
      if (self->phase_ == Phase::kHandshake || self->phase_ == Phase::kIdle) self->Close();
    });
  }

 private:
  enum class Phase { kHandshake, kIdle, kReading, kHandling, kWriting, kClosing, kClosed };

  std::shared_ptr<StreamConnection> Self() {
    return std::static_pointer_cast<StreamConnection>(shared_from_this());
  }
  beast::tcp_stream& Tcp() { return beast::get_lowest_layer(stream_); }
  const HttpServerOptions& Options() const { return server_.options; }

  void Begin() {
    // The first request, TLS handshake included, must arrive within
    // read_timeout of the accept: this deadline runs on until it is read.
    Tcp().expires_after(Options().read_timeout);
    if constexpr (kTls) {
      phase_ = Phase::kHandshake;
      stream_.async_handshake(ssl::stream_base::server, [self = Self()](beast::error_code ec) {
        if (ec) {
          self->server_.Log(Cat("TLS handshake with ", self->peer_, " failed: ", ec.message()));
          return self->Close();
        }
        self->WaitForRequest();
      });
    } else {
      WaitForRequest();
    }
  }

  // Waits for the first byte of the next request, so that an idle kept-alive
  // connection can be told apart from one that is sending a request.
  void WaitForRequest() {
    if (stop_requested_) return Close();
    if (buffer_.size() > 0) return ReadHeader();  // pipelined: already here
    phase_ = Phase::kIdle;
    if (!first_request_) Tcp().expires_after(Options().idle_timeout);
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            [self = Self()](beast::error_code ec, size_t n) {
                              // eof, timeout, stop: an idle connection just ends.
                              if (ec) return self->Close();
                              self->buffer_.commit(n);
                              self->ReadHeader();
                            });
  }

  void ReadHeader() {
    phase_ = Phase::kReading;
    if (!first_request_) Tcp().expires_after(Options().read_timeout);
    version_ = 11;
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    // Beast refuses a Content-Length over the limit as soon as the head is
    // parsed, and a chunked body as soon as it grows past it: the body is
    // never read whole (413 below).
    parser_->body_limit(Options().max_body_bytes);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = Self()](beast::error_code ec, size_t) {
                              if (ec) return self->OnReadError(ec);
                              self->OnHeader();
                            });
  }

  void OnHeader() {
    const Request& request = parser_->get();
    version_ = request.version();
    // RFC 9110 §10.1.1: a client that sent "Expect: 100-continue" waits for
    // a 100 (Continue) before sending the body.
    if (version_ >= 11 && beast::iequals(request[http::field::expect], "100-continue") &&
        !parser_->is_done()) {
      continue_.emplace(http::status::continue_, 11);
      http::async_write(stream_, *continue_, [self = Self()](beast::error_code ec, size_t) {
        if (ec) return self->Close();
        self->ReadBody();
      });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    if (parser_->is_done()) return OnRequest();
    http::async_read(stream_, buffer_, *parser_, [self = Self()](beast::error_code ec, size_t) {
      if (ec) return self->OnReadError(ec);
      self->OnRequest();
    });
  }

  void OnReadError(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      // otrp-over-http-15 does not bound message sizes; the TAM does, and
      // says so with 413 (RFC 9110 §15.5.14) instead of reading on.
      return Reject(http::status::payload_too_large,
                    Cat("request body larger than ", Options().max_body_bytes, " bytes"));
    }
    if (ec == http::error::header_limit) {
      return Reject(http::status::request_header_fields_too_large,
                    Cat("request head larger than ", kHeaderLimit, " bytes"));
    }
    // The client went away, before a request or in the middle of one.
    if (ec == http::error::end_of_stream || ec == http::error::partial_message) return Close();
    if (ec.category() == http::make_error_code(http::error::bad_method).category()) {
      // RFC 9112 §2.2: a message that cannot be parsed gets 400, then close.
      return Reject(http::status::bad_request, Cat("malformed request: ", ec.message()));
    }
    // Timeouts (the stream is already closed), resets, TLS errors, Stop().
    if (ec == beast::error::timeout) {
      server_.Log(Cat(peer_, ": no complete request within the read timeout; closing"));
    }
    Close();
  }

  void OnRequest() {
    Request& request = parser_->get();
    close_after_write_ = !request.keep_alive();
    http_rules::RouteMatch match =
        server_.routes.Find(View(request.method_string()), View(request.target()));
    switch (match.outcome) {
      case http_rules::RouteMatch::Outcome::kNoSuchPath:
        return Reject(http::status::not_found, Cat("no resource at ", match.path));
      case http_rules::RouteMatch::Outcome::kMethodNotAllowed: {
        // otrp-over-http-15 §4: "Only the POST method is specified for TAM
        // resources"; RFC 9110 §15.5.6: 405 carries Allow.
        Response response = EmptyResponse(http::status::method_not_allowed);
        response.set(http::field::allow, match.allow);
        server_.Log(Cat(peer_, ": ", View(request.method_string()), " ", match.path, ": 405"));
        return Send(std::move(response));
      }
      case http_rules::RouteMatch::Outcome::kFound:
        break;
    }
    switch (match.kind) {
      case http_rules::RouteKind::kTeep:
        return ServeTeep(request, std::move(match.path));
    }
  }

  // otrp-over-http-15 §6.1: a TEEP request. The media-type checks come first
  // and are answered here; an acceptable request goes to the worker pool.
  void ServeTeep(Request& request, std::string path) {
    std::string content_type;
    int content_types = 0;
    for (std::string_view value : FieldValues(request, http::field::content_type)) {
      content_type = std::string(value);
      ++content_types;
    }
    // otrp-over-http-15 §5.1.1, §6.1: a request with a body carries a TEEP
    // message, labelled application/teep+cbor; a wrong or missing label
    // SHOULD get 415. An empty body (a new session, ProcessConnect) carries
    // no content, so any label it has is irrelevant.
    if (!request.body().empty() &&
        (content_types != 1 || !http_rules::IsTeepContentType(content_type))) {
      return Reject(http::status::unsupported_media_type,
                    content_types == 0 ? std::string("a body without Content-Type")
                                       : Cat("Content-Type \"", content_type, "\""));
    }
    // otrp-over-http-15 §5.1.1: every request carries
    // "Accept: application/teep+cbor"; §6.1: a missing Accept SHOULD get an
    // error status. RFC 9110 §15.5.7: the one for "cannot send anything you
    // accept" is 406.
    std::string accept;
    for (std::string_view value : FieldValues(request, http::field::accept)) {
      if (!accept.empty()) accept += ", ";
      accept += value;
    }
    if (!http_rules::AcceptsTeep(accept)) {
      return Reject(http::status::not_acceptable,
                    accept.empty() ? std::string("no Accept header")
                                   : Cat("Accept \"", accept, "\" excludes application/teep+cbor"));
    }

    TamRequest tam_request{std::move(path), std::move(content_type), std::move(accept),
                           std::move(request.body()), peer_};
    phase_ = Phase::kHandling;
    // The handler may block (store, verifier): it runs on the worker pool,
    // and its response comes back to this connection's strand.
    net::post(*server_.workers, [self = Self(), strand = stream_.get_executor(),
                                 tam_request = std::move(tam_request)] {
      Response response = self->server_.Answer(tam_request);
      net::post(strand,
                [self, response = std::move(response)]() mutable { self->Send(std::move(response)); });
    });
  }

  // A refusal decided by the server itself, logged with its reason. Errors
  // that may leave request bytes unread close the connection afterwards.
  void Reject(http::status status, std::string_view reason) {
    server_.Log(Cat(peer_, ": ", static_cast<unsigned>(status), " ",
                    View(http::obsolete_reason(status)), ": ", reason));
    if (status == http::status::payload_too_large || status == http::status::bad_request ||
        status == http::status::request_header_fields_too_large) {
      // RFC 9112 §9.6: the rest of the message cannot be found reliably.
      close_after_write_ = true;
      linger_ = true;
    }
    Send(EmptyResponse(status));
  }

  void Send(Response response) {
    if (stop_requested_) close_after_write_ = true;
    response.version(version_ >= 10 && version_ <= 11 ? version_ : 11);
    // otrp-over-http-15 §4 (after RFC 9205 §4.12): TEEP responses are not
    // content a browser should ever render or run, so every response says so.
    // §4 also rules out cookies and redirects, and sets no Cache-Control:
    // none of those headers is ever sent.
    response.set("X-Content-Type-Options", "nosniff");
    response.set("Content-Security-Policy", "default-src 'none'");
    response.set("Referrer-Policy", "no-referrer");
    // RFC 9110 §6.6.1: an origin server with a clock MUST send Date.
    response.set(http::field::date, http_rules::HttpDate(std::time(nullptr)));
    response.keep_alive(!close_after_write_);
    if (response.result() == http::status::no_content) {
      // RFC 9110 §8.6: no Content-Length on a 204 (Beast 1.74 would add "0").
      response.erase(http::field::content_length);
    } else {
      response.prepare_payload();
    }
    response_ = std::move(response);
    phase_ = Phase::kWriting;
    Tcp().expires_after(Options().read_timeout);
    http::async_write(stream_, response_, [self = Self()](beast::error_code ec, size_t) {
      if (ec) return self->Close();
      if (self->close_after_write_) return self->Shutdown();
      self->response_ = {};
      self->parser_.reset();
      self->first_request_ = false;
      self->WaitForRequest();
    });
  }

  // Ends the connection after a final response.
  void Shutdown() {
    phase_ = Phase::kClosing;
    if constexpr (kTls) {
      // RFC 8446 §6.1: close_notify, so that the client can tell the end
      // from a truncation.
      Tcp().expires_after(kTlsShutdownTime);
      stream_.async_shutdown([self = Self()](beast::error_code) { self->Close(); });
    } else {
      beast::error_code ignored;
      Tcp().socket().shutdown(tcp::socket::shutdown_send, ignored);
      if (!linger_ && buffer_.size() == 0) return Close();
      Tcp().expires_after(kLingerTime);
      Drain();
    }
  }

  void Drain() {
    Tcp().async_read_some(net::buffer(drain_), [self = Self()](beast::error_code ec, size_t n) {
      self->drained_ += n;
      if (ec || self->drained_ > kLingerMaxBytes) return self->Close();
      self->Drain();
    });
  }

  void Close() {
    if (phase_ == Phase::kClosed) return;
    phase_ = Phase::kClosed;
    beast::error_code ignored;
    Tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
    Tcp().close();  // cancels the timer and any pending operation
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
  std::optional<http::response<http::empty_body>> continue_;
  Response response_;
  Phase phase_ = Phase::kHandshake;
  unsigned version_ = 11;
  bool first_request_ = true;
  bool close_after_write_ = false;
  bool linger_ = false;
  bool stop_requested_ = false;
  size_t drained_ = 0;
  std::array<char, kReadChunk> drain_{};
};

Status ServerCore::LoadTls() {
  const std::string& cert = options.tls_cert_file;
  const std::string& key = options.tls_key_file;
  // Checked first so that the message names the file and the system's reason.
  for (const std::string* file : {&cert, &key}) {
    if (::access(file->c_str(), R_OK) != 0) {
      return Status(StatusCode::kIoError,
                    Cat("cannot read TLS ", file == &cert ? "certificate" : "key", " file \"",
                        *file, "\": ", std::strerror(errno)));
    }
  }
  tls.emplace(ssl::context::tls_server);
  SSL_CTX* ctx = tls->native_handle();
  // otrp-over-http-15 §4: HTTPS follows BCP 195 (RFC 9325 §3.1.1): TLS 1.2 at
  // least; OpenSSL picks 1.3 whenever the client offers it.
  bool ok = SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) == 1;
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                               SSL_OP_CIPHER_SERVER_PREFERENCE);
  // RFC 9325 §4.2: TLS 1.2 only with ECDHE and AEAD ciphers; RFC 7925 §4.4:
  // AES-128-CCM(-8) for constrained (IoT) clients. TLS 1.3 keeps OpenSSL's
  // default suites, all AEAD.
  ok = ok && SSL_CTX_set_cipher_list(ctx,
                                     "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                                     "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                                     "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
                                     "ECDHE-ECDSA-AES128-CCM:ECDHE-ECDSA-AES128-CCM8") == 1;
  if (!ok) return Status(StatusCode::kCryptoError, Cat("cannot configure TLS: ", OpenSslError()));
  if (SSL_CTX_use_certificate_chain_file(ctx, cert.c_str()) != 1) {
    return Status(StatusCode::kInvalidArgument,
                  Cat("TLS certificate file \"", cert, "\": not a usable PEM certificate (",
                      OpenSslError(), ")"));
  }
  // OpenSSL checks the key against the certificate as it loads it.
  if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1) {
    unsigned long code = ERR_peek_last_error();
    if (ERR_GET_LIB(code) == ERR_LIB_X509 && ERR_GET_REASON(code) == X509_R_KEY_VALUES_MISMATCH) {
      ERR_clear_error();
      return Status(StatusCode::kInvalidArgument,
                    Cat("TLS key file \"", key, "\" does not match the certificate in \"", cert,
                        "\""));
    }
    return Status(StatusCode::kInvalidArgument,
                  Cat("TLS key file \"", key, "\": not a usable PEM private key (",
                      OpenSslError(), ")"));
  }
  return OkStatus();
}

Status ServerCore::Listen() {
  beast::error_code ec;
  net::ip::address address = net::ip::make_address(options.address, ec);
  if (ec) {
    return Status(StatusCode::kInvalidArgument,
                  Cat("listen address \"", options.address, "\" is not an IP address"));
  }
  tcp::endpoint endpoint(address, options.port);
  const std::string where = EndpointText(endpoint);
  auto failed = [&](std::string_view step) {
    return Status(StatusCode::kIoError, Cat("cannot listen on ", where, " (", step, "): ",
                                            ec.message()));
  };
  acceptor.open(endpoint.protocol(), ec);
  if (ec) return failed("socket");
  // A restarted TAM must not wait for TIME_WAIT connections of its predecessor.
  acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (ec) return failed("SO_REUSEADDR");
  acceptor.bind(endpoint, ec);
  if (ec) return failed("bind");
  acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return failed("listen");
  port = acceptor.local_endpoint(ec).port();
  if (ec) return failed("local address");
  return OkStatus();
}

void ServerCore::Accept() {
  // Each connection gets its own strand: its handlers never run at once.
  acceptor.async_accept(net::make_strand(io), [this](beast::error_code ec, tcp::socket socket) {
    OnAccept(ec, std::move(socket));
  });
}

void ServerCore::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor.is_open()) return;  // Stop()
  if (ec) {
    // Out of descriptors or memory: try again shortly rather than spin.
    Log(Cat("accept on port ", port, " failed: ", ec.message(), "; retrying"));
    accept_retry.expires_after(std::chrono::milliseconds(100));
    accept_retry.async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec) Accept();
    });
    return;
  }
  // TEEP exchanges are small request/response pairs: do not let Nagle's
  // algorithm hold back the last segment of a response.
  socket.set_option(tcp::no_delay(true), ec);
  tcp::endpoint remote = socket.remote_endpoint(ec);
  std::string peer = ec ? std::string("unknown peer") : EndpointText(remote);

  std::shared_ptr<Connection> connection;
  {
    std::lock_guard lock(mutex);
    if (stopping) return;  // `socket` closes as it goes out of scope
    uint64_t id = next_connection_id++;
    if (tls) {
      connection = std::make_shared<StreamConnection<TlsStream>>(*this, id, std::move(peer),
                                                                 std::move(socket), *tls);
    } else {
      connection = std::make_shared<StreamConnection<PlainStream>>(*this, id, std::move(peer),
                                                                   std::move(socket));
    }
    connections.emplace(id, connection);
  }
  connection->Run();
  Accept();
}

void ServerCore::RunIo() {
  for (;;) {
    try {
      io.run();
      return;
    } catch (const std::exception& e) {
      // Handlers here do not throw by design; keep serving the others if one does.
      Log(Cat("HTTP server io thread: unexpected exception: ", e.what()));
    }
  }
}

void ServerCore::Unregister(uint64_t id) {
  std::lock_guard lock(mutex);
  connections.erase(id);
  if (connections.empty()) all_closed.notify_all();
}

Response ServerCore::Answer(const TamRequest& request) {
  TamAnswer answer;
  try {
    answer = handler(request);
  } catch (const std::exception& e) {
    // otrp-over-http-15 §6.4: the TAM produced no answer: a 5xx.
    Log(Cat(request.peer, ": POST ", request.path, ": 500: the handler threw: ", e.what()));
    return EmptyResponse(http::status::internal_server_error);
  } catch (...) {
    Log(Cat(request.peer, ": POST ", request.path, ": 500: the handler threw"));
    return EmptyResponse(http::status::internal_server_error);
  }
  auto log_reason = [&](unsigned status) {
    if (!answer.reason.empty()) {
      Log(Cat(request.peer, ": POST ", request.path, ": ", status, ": ", answer.reason));
    }
  };
  switch (answer.kind) {
    case TamAnswer::Kind::kMessage: {
      if (answer.body.empty()) {
        // An empty 200 would tell the client the session is over (§5.4):
        // a handler that meant that says kNoContent.
        Log(Cat(request.peer, ": POST ", request.path,
                ": 500: the handler answered kMessage with an empty body"));
        return EmptyResponse(http::status::internal_server_error);
      }
      log_reason(200);
      // otrp-over-http-15 §6.3: a TEEP message in a 200, labelled as one.
      Response response = EmptyResponse(http::status::ok);
      response.set(http::field::content_type, Bv(http_rules::kTeepMediaType));
      response.body() = std::move(answer.body);
      return response;
    }
    case TamAnswer::Kind::kNoContent:
      // otrp-over-http-15 §6.2: no message to send: SHOULD be 204.
      log_reason(204);
      return EmptyResponse(http::status::no_content);
    case TamAnswer::Kind::kBadRequest:
      log_reason(400);
      return EmptyResponse(http::status::bad_request);
    case TamAnswer::Kind::kUnavailable:
      // otrp-over-http-15 §6.4: the TAM could not produce an answer: 5xx.
      log_reason(503);
      return EmptyResponse(http::status::service_unavailable);
  }
  Log(Cat(request.peer, ": POST ", request.path, ": 500: unknown handler answer kind"));
  return EmptyResponse(http::status::internal_server_error);
}

void ServerCore::Stop() {
  std::lock_guard stop_lock(stop_mutex);
  if (stopped) return;
  stopped = true;

  std::vector<std::shared_ptr<Connection>> live;
  {
    std::lock_guard lock(mutex);
    stopping = true;
    for (auto& [id, weak] : connections) {
      if (auto connection = weak.lock()) live.push_back(std::move(connection));
    }
  }
  if (io_threads.empty()) return;  // Start() failed before any thread ran

  net::post(accept_strand, [this] {
    beast::error_code ignored;
    acceptor.close(ignored);
    accept_retry.cancel();
  });
  for (const auto& connection : live) connection->RequestStop();
  live.clear();  // the registry must not keep them alive

  // Requests under way finish within their read timeout, their handler, a
  // write timeout and the closing exchange; the workers stay up meanwhile,
  // so that a request that completes now is still answered.
  {
    std::unique_lock lock(mutex);
    const auto grace = 2 * options.read_timeout + kLingerTime + kTlsShutdownTime;
    if (!all_closed.wait_for(lock, grace, [this] { return connections.empty(); })) {
      Log("HTTP server stop: connections still open after the grace period; dropping them");
    }
  }
  // Running handlers finish (a response they post to a stopped io_context is
  // dropped with it); queued ones still run.
  workers->join();
  work.reset();
  io.stop();
  for (std::thread& thread : io_threads) thread.join();
  io_threads.clear();
}

}  // namespace

struct HttpServer::Impl : ServerCore {
  using ServerCore::ServerCore;
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { Stop(); }

uint16_t HttpServer::port() const { return impl_->port; }

void HttpServer::Stop() {
  if (impl_) impl_->Stop();
}

Result<std::unique_ptr<HttpServer>> HttpServer::Start(HttpServerOptions options,
                                                      TamHandler handler) {
  if (!handler) return Status(StatusCode::kInvalidArgument, "HTTP server: no handler");
  if (options.tam_path.empty() || options.tam_path.front() != '/') {
    return Status(StatusCode::kInvalidArgument,
                  Cat("HTTP server: tam_path \"", options.tam_path, "\" must start with '/'"));
  }
  if (options.io_threads == 0 || options.worker_threads == 0) {
    return Status(StatusCode::kInvalidArgument,
                  "HTTP server: io_threads and worker_threads must be at least 1");
  }
  if (options.max_body_bytes == 0 || options.read_timeout.count() <= 0 ||
      options.idle_timeout.count() <= 0) {
    return Status(StatusCode::kInvalidArgument,
                  "HTTP server: max_body_bytes, read_timeout and idle_timeout must be positive");
  }
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return Status(StatusCode::kInvalidArgument,
                  "HTTP server: tls_cert_file and tls_key_file go together (both for HTTPS, "
                  "neither for HTTP)");
  }

  auto impl = std::make_unique<Impl>(std::move(options), std::move(handler));
  // otrp-over-http-15 §4: the TAM URI is a resource that takes POST only.
  impl->routes.Add("POST", impl->options.tam_path, http_rules::RouteKind::kTeep);
  if (!impl->options.tls_cert_file.empty()) {
    TEEP_RETURN_IF_ERROR(impl->LoadTls().WithContext("HTTP server"));
  }
  TEEP_RETURN_IF_ERROR(impl->Listen().WithContext("HTTP server"));

  impl->workers = std::make_unique<net::thread_pool>(impl->options.worker_threads);
  impl->work.emplace(impl->io.get_executor());
  net::post(impl->accept_strand, [raw = impl.get()] { raw->Accept(); });
  for (unsigned i = 0; i < impl->options.io_threads; ++i) {
    impl->io_threads.emplace_back([raw = impl.get()] { raw->RunIo(); });
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

}  // namespace teep::host
