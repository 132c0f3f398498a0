// The TAM's HTTP(S) server (draft-ietf-teep-otrp-over-http-15): receives
// TEEP messages POSTed by Brokers and answers with the TAM's next message.
// The TAM logic is not here: each accepted request goes to a TamHandler.
//
// Design (Boost.Beast/Asio stay in http_server.cc, behind a pimpl, because
// they are slow to compile and this header is included by the CLI):
//
//   io threads (io_threads)          worker pool (worker_threads)
//   ─────────────────────────        ───────────────────────────
//   accept ─► connection strand
//     [TLS handshake]
//     read request (Beast parser,
//       body_limit, read timeout)
//     route + header checks ──────►  handler(request)  (may block: TAM
//     (404/405/413/415/406                              store, verifier)
//      answered right here)    ◄────  post the response to the strand
//     write response
//     keep alive: wait for the next request (idle timeout), else close
//
// The event loop never runs the handler, so a slow handler (a database, a
// remote verifier) delays only its own connection; the io threads keep
// accepting, reading and writing for everyone else. A connection has at most
// one request in flight: pipelined requests wait in its read buffer and are
// answered in order (RFC 9112 §9.3.2). Each connection's handlers run on its
// own strand, so its state needs no locks.
//
// Timeouts: the first request (TLS handshake included) must arrive within
// read_timeout of the accept; on a kept-alive connection the next request
// must start within idle_timeout and then arrive whole within read_timeout.
// Writing a response gets read_timeout too. A timed-out connection is closed.
//
// Stop(): stop accepting; close connections that are idle (waiting for a
// request, or in a TLS handshake); let connections that have begun to
// receive a request or whose handler is running finish that request, answer
// with "Connection: close" and close; then join every thread. Stop() waits
// for running handlers to return: a handler that never returns blocks it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/base/bytes.h"
#include "core/base/status.h"

namespace teep::host {

// One TEEP request that passed the HTTP checks (path, method, media types,
// size): what the TAM needs to process it.
struct TamRequest {
  std::string path;          // the request path, query removed: "/tam"
  std::string content_type;  // as sent; empty when absent (allowed for an empty body)
  std::string accept;        // as sent (several Accept fields joined with ", ")
  Bytes body;                // empty: a new session (otrp-over-http-15 §6.1, ProcessConnect)
  std::string peer;          // "address:port" of the client's connection, e.g. "127.0.0.1:51234"
};

struct TamAnswer {
  enum class Kind {
    kMessage,      // 200 with `body`, a TEEP message (otrp-over-http-15 §6.3)
    kNoContent,    // 204: nothing more to send, the session is over (§6.2)
    kBadRequest,   // 400, empty body: the message was unusable
    kUnavailable,  // 503, empty body: the TAM could not produce an answer (§6.4)
  } kind = Kind::kNoContent;
  Bytes body;          // kMessage: a TEEP message; must not be empty
  std::string reason;  // logged, never sent
};

// Called on a worker thread, possibly on several at once: it must be
// thread-safe. May block. An exception it throws becomes a 500.
using TamHandler = std::function<TamAnswer(const TamRequest&)>;

struct HttpServerOptions {
  std::string address = "127.0.0.1";  // IPv4 or IPv6 literal to listen on
  uint16_t port = 0;                  // 0 = an ephemeral port; see HttpServer::port()
  std::string tam_path = "/tam";      // the TAM URI's path; must start with '/'
  // Both set: HTTPS only (TLS 1.2 minimum, 1.3 preferred). PEM files; the
  // certificate file may hold the chain after the leaf. Neither: plain HTTP.
  std::string tls_cert_file, tls_key_file;
  size_t max_body_bytes = 16 << 20;  // larger request bodies get 413
  std::chrono::seconds read_timeout{30};
  std::chrono::seconds idle_timeout{60};
  unsigned io_threads = 1;
  unsigned worker_threads = 2;
  // One line per notable event: refused requests, handler reasons, errors.
  // Called from io and worker threads at once (must be thread-safe); empty
  // = discard.
  std::function<void(std::string_view line)> log;
};

class HttpServer {
 public:
  // Checks the options, loads the TLS files, binds, listens and starts the
  // io and worker threads. Errors name what failed: the TLS file, or the
  // address and port that could not be bound.
  static Result<std::unique_ptr<HttpServer>> Start(HttpServerOptions options, TamHandler handler);
  ~HttpServer();  // Stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  uint16_t port() const;  // the bound port (the real one when options.port was 0)
  // Graceful shutdown (see the design note above). Idempotent; thread-safe,
  // but must not be called from the handler.
  void Stop();

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace teep::host
