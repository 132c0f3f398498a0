// The TEEP Broker's HTTP client (draft-ietf-teep-otrp-over-http-15 §4, §5):
// POSTs TEEP messages to a TAM over one kept-alive connection, and GETs
// resources named by URI (SUIT payloads and dependency manifests, for the
// simulated TEE's fetcher). libcurl stays behind a pimpl so that callers
// never see its types.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "core/base/bytes.h"
#include "core/base/status.h"

namespace teep::host {

// otrp-over-http-15 §5.1.1: the media type of every TEEP message over HTTP.
inline constexpr std::string_view kTeepMediaType = "application/teep+cbor";

// RFC 3986 §3.1 (schemes are case-insensitive): true for http:// and https://
// URLs, the only ones this client requests.
bool IsHttpUrl(std::string_view url);

struct HttpClientOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds request_timeout{30000};  // whole request, per POST or GET
  std::string ca_file;  // HTTPS: trust only this CA bundle/cert (PEM); empty = system default
  size_t max_response_bytes = 16 * 1024 * 1024;  // Post: larger body -> error, not truncation
};

struct HttpReply {
  long status = 0;
  std::string content_type;  // as sent, parameters included; empty when absent
  Bytes body;
};

// One per conversation thread; NOT thread-safe.
// RFC 9110 §15 reason phrase of the statuses a TEEP client may meet; "" for
// others. Ours, not the server's: a server's phrase is free text from an
// untrusted peer and is never shown.
std::string_view HttpReasonPhrase(long status);

class HttpClient {
 public:
  static Result<std::unique_ptr<HttpClient>> Create(HttpClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // POSTs `body` to `url` (http:// or https:// only). Any HTTP status is a
  // reply, 3xx included: redirects are never followed (otrp-over-http-15 §4).
  // Transport failures (refused, DNS, TLS, timeout, oversized or truncated
  // body) are a Status whose message names the URL and what happened.
  Result<HttpReply> Post(const std::string& url, ByteView body);

  // GETs `url` (http:// or https:// only) under the same rules as Post (no
  // redirects, no cookies, the configured CA and timeouts) and returns the
  // body of a 2xx reply. Everything else is a Status naming the URL: a 3xx
  // ("GET <url>: server answered 302 Found (redirects are not followed)"),
  // any other status ("GET <url>: server answered 404 Not Found"; kNotFound
  // for 404 and 410), a body over `max_bytes` (kLimitExceeded, never a
  // truncation) and every transport failure Post reports.
  Result<Bytes> Get(const std::string& url, size_t max_bytes);

 private:
  struct Impl;
  explicit HttpClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace teep::host
