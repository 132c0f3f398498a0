#include "host/broker/http_client.h"

#include <curl/curl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <mutex>
#include <utility>

namespace teep::host {
namespace {

// libcurl's global state must be set up once per process before any handle,
// and curl_global_init is not itself thread-safe. It is never torn down: other
// threads may still hold handles when static destructors run.
CURLcode GlobalInitOnce() {
  static std::once_flag once;
  static CURLcode result = CURLE_OK;
  std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  return result;
}

struct EasyDeleter {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;
using HeaderList = std::unique_ptr<curl_slist, SlistDeleter>;

std::string Duration(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + " s";
  return std::to_string(d.count()) + " ms";
}


// Builds a header list; an entry "Name:" with nothing after the colon tells
// libcurl to drop a header it would otherwise add by itself.
Result<HeaderList> MakeHeaders(std::initializer_list<std::string> lines) {
  HeaderList list;
  for (const std::string& line : lines) {
    curl_slist* grown = curl_slist_append(list.get(), line.c_str());
    if (grown == nullptr)
      return Status(StatusCode::kInternal, "out of memory building HTTP headers");
    (void)list.release();  // `grown` is the same list, one line longer
    list.reset(grown);
  }
  return list;
}

}  // namespace

std::string_view HttpReasonPhrase(long status) {
  static constexpr std::pair<long, std::string_view> kPhrases[] = {
      {200, "OK"},
      {204, "No Content"},
      {300, "Multiple Choices"},
      {301, "Moved Permanently"},
      {302, "Found"},
      {303, "See Other"},
      {304, "Not Modified"},
      {307, "Temporary Redirect"},
      {308, "Permanent Redirect"},
      {400, "Bad Request"},
      {401, "Unauthorized"},
      {403, "Forbidden"},
      {404, "Not Found"},
      {405, "Method Not Allowed"},
      {406, "Not Acceptable"},
      {408, "Request Timeout"},
      {410, "Gone"},
      {413, "Content Too Large"},
      {415, "Unsupported Media Type"},
      {429, "Too Many Requests"},
      {500, "Internal Server Error"},
      {501, "Not Implemented"},
      {502, "Bad Gateway"},
      {503, "Service Unavailable"},
      {504, "Gateway Timeout"},
  };
  for (const auto& [code, phrase] : kPhrases) {
    if (code == status) return phrase;
  }
  return "";
}

bool IsHttpUrl(std::string_view url) {
  auto starts_with = [url](std::string_view prefix) {
    return url.size() >= prefix.size() &&
           std::equal(prefix.begin(), prefix.end(), url.begin(), [](char p, char c) {
             return p == std::tolower(static_cast<unsigned char>(c));
           });
  };
  return starts_with("http://") || starts_with("https://");
}

struct HttpClient::Impl {
  HttpClientOptions options;
  EasyHandle easy;
  // otrp-over-http-15 §5.1.1: every POST accepts only TEEP messages; only a
  // request with a body says what it carries. "Expect:" stops libcurl from
  // waiting for 100-continue on large bodies; "Content-Type:" stops it from
  // labelling a body application/x-www-form-urlencoded. GET sends none of these.
  HeaderList headers_with_body;
  HeaderList headers_empty;
  char error_buffer[CURL_ERROR_SIZE] = {};
  // Per request: the reply body so far and the most it may grow to.
  Bytes body;
  size_t max_body_bytes = 0;
  bool body_over_limit = false;

  static size_t OnBody(char* data, size_t size, size_t count, void* self);
  Status ConfigureOnce();
  // The steps every request shares: the scheme check, per-request state,
  // URL and body limit, then `set_method` (the method's own options; false =
  // libcurl refused one), the transfer and its errors. Any HTTP status is a
  // reply here; callers decide what a status means.
  Result<HttpReply> Perform(std::string_view method, const std::string& url, size_t max_bytes,
                            const std::function<bool(CURL*)>& set_method);
  Status Describe(std::string_view method, const std::string& url, CURLcode code) const;
};

size_t HttpClient::Impl::OnBody(char* data, size_t size, size_t count, void* self) {
  auto* impl = static_cast<Impl*>(self);
  size_t n = size * count;
  // A body without Content-Length (or one that lies) is caught here; returning
  // short makes libcurl abort the transfer rather than truncate it silently.
  if (impl->body.size() + n > impl->max_body_bytes) {
    impl->body_over_limit = true;
    return 0;
  }
  impl->body.insert(impl->body.end(), data, data + n);
  return n;
}

Status HttpClient::Impl::ConfigureOnce() {
  CURL* h = easy.get();
  bool ok = true;
  auto set = [&ok](CURLcode code) { ok = ok && code == CURLE_OK; };
  // otrp-over-http-15 §4: no redirects, no cookies (the cookie engine stays off
  // because CURLOPT_COOKIEFILE/COOKIEJAR are never set), no other schemes.
  set(curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https"));
  set(curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L));
  // Timeouts through signals would disturb other threads of the Broker.
  set(curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L));
  set(curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                       static_cast<long>(options.connect_timeout.count())));
  set(curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options.request_timeout.count())));
  // otrp-over-http-15 §4: HTTPS authenticates the server (RFC 9110 §4.3.4)
  // and follows BCP 195: TLS 1.2 at least, 1.3 whenever the server offers it.
  set(curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L));
  set(curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L));
  set(curl_easy_setopt(h, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2)));
  if (!options.ca_file.empty()) {
    set(curl_easy_setopt(h, CURLOPT_CAINFO, options.ca_file.c_str()));
    // Without this, the distribution's CA directory would be trusted too.
    set(curl_easy_setopt(h, CURLOPT_CAPATH, nullptr));
  }
  set(curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer));
  set(curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &Impl::OnBody));
  set(curl_easy_setopt(h, CURLOPT_WRITEDATA, this));
  if (!ok) return Status(StatusCode::kInternal, "libcurl rejected an HTTP client option");
  return OkStatus();
}

Result<HttpReply> HttpClient::Impl::Perform(std::string_view method, const std::string& url,
                                            size_t max_bytes,
                                            const std::function<bool(CURL*)>& set_method) {
  const std::string prefix = std::string(method) + " " + url + ": ";
  // libcurl would guess "http" for a URL without a scheme; a URL here must be
  // explicit. CURLOPT_PROTOCOLS_STR enforces the same rule inside libcurl.
  if (!IsHttpUrl(url)) {
    return Status(StatusCode::kInvalidArgument,
                  prefix + "only http:// and https:// URLs are allowed");
  }
  // The same easy handle keeps its connection cache, so consecutive requests
  // of one conversation reuse the TCP and TLS connection.
  CURL* h = easy.get();
  body.clear();
  max_body_bytes = max_bytes;
  body_over_limit = false;
  error_buffer[0] = '\0';
  // A declared Content-Length over the limit fails before any body byte is
  // read; OnBody catches a body without one (or one that lies).
  bool ok = curl_easy_setopt(h, CURLOPT_URL, url.c_str()) == CURLE_OK &&
            curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(max_bytes)) ==
                CURLE_OK &&
            set_method(h);
  if (!ok) return Status(StatusCode::kInternal, prefix + "libcurl rejected the request options");

  CURLcode code = curl_easy_perform(h);
  if (body_over_limit) code = CURLE_FILESIZE_EXCEEDED;
  if (code != CURLE_OK) return Describe(method, url, code);

  HttpReply reply;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply.status);
  char* content_type = nullptr;
  curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &content_type);
  if (content_type != nullptr) reply.content_type = content_type;
  reply.body = std::move(body);
  return reply;
}

Status HttpClient::Impl::Describe(std::string_view method, const std::string& url,
                                  CURLcode code) const {
  const std::string prefix = std::string(method) + " " + url + ": ";
  std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
  auto io = [&](const std::string& what) { return Status(StatusCode::kIoError, prefix + what); };
  switch (code) {
    case CURLE_URL_MALFORMAT:
      return Status(StatusCode::kInvalidArgument, prefix + "malformed URL");
    case CURLE_COULDNT_RESOLVE_HOST:
      return io("cannot resolve the host name");
    case CURLE_COULDNT_CONNECT: {
      long os_errno = 0;
      curl_easy_getinfo(easy.get(), CURLINFO_OS_ERRNO, &os_errno);
      if (os_errno == ECONNREFUSED) return io("connection refused");
      return io("cannot connect (" + detail + ")");
    }
    case CURLE_OPERATION_TIMEDOUT: {
      // Nothing was sent yet when the connection (TCP or TLS) never came up.
      curl_off_t pretransfer = 0;
      curl_easy_getinfo(easy.get(), CURLINFO_PRETRANSFER_TIME_T, &pretransfer);
      if (pretransfer == 0)
        return io("could not connect within " + Duration(options.connect_timeout));
      return io("no answer within " + Duration(options.request_timeout));
    }
    case CURLE_FILESIZE_EXCEEDED:
      return Status(StatusCode::kLimitExceeded,
                    prefix + "reply body larger than " + std::to_string(max_body_bytes) + " bytes");
    case CURLE_PARTIAL_FILE:
      return io("the server closed the connection before the whole reply body arrived");
    case CURLE_GOT_NOTHING:
      return io("the server closed the connection without answering");
    case CURLE_SSL_CACERT_BADFILE:
      return io("cannot load the CA file \"" + options.ca_file + "\" (" + detail + ")");
    case CURLE_PEER_FAILED_VERIFICATION:
      return io("the server's TLS certificate is not trusted (" + detail + ")");
    case CURLE_SSL_CONNECT_ERROR:
      return io("TLS handshake failed (" + detail + ")");
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
      return io("connection lost (" + detail + ")");
    default:
      return io(detail);
  }
}

HttpClient::HttpClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpClient::~HttpClient() = default;

Result<std::unique_ptr<HttpClient>> HttpClient::Create(HttpClientOptions options) {
  if (CURLcode code = GlobalInitOnce(); code != CURLE_OK) {
    return Status(StatusCode::kInternal,
                  std::string("cannot initialise libcurl: ") + curl_easy_strerror(code));
  }
  // A wrong CA path is a configuration error: report it now, not at the
  // first HTTPS request.
  if (!options.ca_file.empty() && ::access(options.ca_file.c_str(), R_OK) != 0) {
    return Status(StatusCode::kNotFound,
                  "CA file \"" + options.ca_file + "\" cannot be read: " + std::strerror(errno));
  }
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  impl->easy.reset(curl_easy_init());
  if (!impl->easy) return Status(StatusCode::kInternal, "cannot create a libcurl handle");
  const std::string accept = "Accept: " + std::string(kTeepMediaType);
  const std::string content_type = "Content-Type: " + std::string(kTeepMediaType);
  TEEP_ASSIGN_OR_RETURN(impl->headers_with_body, MakeHeaders({accept, content_type, "Expect:"}));
  TEEP_ASSIGN_OR_RETURN(impl->headers_empty, MakeHeaders({accept, "Content-Type:", "Expect:"}));
  TEEP_RETURN_IF_ERROR(impl->ConfigureOnce());
  return std::unique_ptr<HttpClient>(new HttpClient(std::move(impl)));
}

Result<HttpReply> HttpClient::Post(const std::string& url, ByteView body) {
  // libcurl reads the body in place; "" keeps the pointer non-null for an
  // empty POST so that it sends Content-Length: 0 instead of calling a reader.
  const char* data = body.empty() ? "" : reinterpret_cast<const char*>(body.data());
  curl_slist* headers = body.empty() ? impl_->headers_empty.get() : impl_->headers_with_body.get();
  return impl_->Perform("POST", url, impl_->options.max_response_bytes, [&](CURL* h) {
    // A GET on this handle may have come before: set the method every time.
    return curl_easy_setopt(h, CURLOPT_POST, 1L) == CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size())) ==
               CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_POSTFIELDS, data) == CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers) == CURLE_OK;
  });
}

Result<Bytes> HttpClient::Get(const std::string& url, size_t max_bytes) {
  TEEP_ASSIGN_OR_RETURN(HttpReply reply, impl_->Perform("GET", url, max_bytes, [](CURL* h) {
    // HTTPGET also drops the previous POST's body. No custom headers: any
    // media type is acceptable (libcurl sends "Accept: */*").
    return curl_easy_setopt(h, CURLOPT_HTTPGET, 1L) == CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr) == CURLE_OK;
  }));
  if (reply.status >= 200 && reply.status < 300) return std::move(reply.body);
  std::string what = "GET " + url + ": server answered " + std::to_string(reply.status);
  if (std::string_view phrase = HttpReasonPhrase(reply.status); !phrase.empty()) {
    what += " ";
    what += phrase;
  }
  if (reply.status >= 300 && reply.status < 400) what += " (redirects are not followed)";
  const bool gone = reply.status == 404 || reply.status == 410;
  return Status(gone ? StatusCode::kNotFound : StatusCode::kIoError, std::move(what));
}

}  // namespace teep::host
