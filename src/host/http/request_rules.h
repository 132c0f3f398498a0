// The HTTP-level rules of the TAM's server that need no sockets: the route
// table and the media-type checks of draft-ietf-teep-otrp-over-http-15.
// Kept free of Boost so that they compile fast and are tested directly; the
// Beast translation unit (http_server.cc) only asks these functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace teep::host::http_rules {

// otrp-over-http-15 §5.1.1: the media type of every TEEP message over HTTP.
inline constexpr std::string_view kTeepMediaType = "application/teep+cbor";

// What serves a route. Add a kind (and its case in HttpServer's dispatcher)
// for a new family of endpoints, e.g. kAdmin for `GET /admin/...`.
enum class RouteKind {
  kTeep,  // otrp-over-http-15: TEEP messages to and from the TAM
};

struct Route {
  std::string method;  // exact, case-sensitive (RFC 9110 §9.1): "POST"
  std::string path;    // exact match on the path, query excluded: "/tam"
  RouteKind kind;
};

struct RouteMatch {
  enum class Outcome { kFound, kNoSuchPath, kMethodNotAllowed };
  Outcome outcome = Outcome::kNoSuchPath;
  RouteKind kind = RouteKind::kTeep;  // kFound only
  std::string allow;                  // kMethodNotAllowed: the Allow header, e.g. "POST"
  std::string path;                   // the path the request named, query removed
};

// A handful of exact routes; a linear scan beats hashing at this size.
class RouteTable {
 public:
  void Add(std::string method, std::string path, RouteKind kind);
  // `target` is the request-target as received: origin-form ("/tam?x=1") or
  // absolute-form ("https://tam.example/tam", RFC 9112 §3.2.2).
  RouteMatch Find(std::string_view method, std::string_view target) const;

 private:
  std::vector<Route> routes_;
};

// The path of a request-target: the query and, for absolute-form, the scheme
// and authority removed ("" stays "", an authority alone gives "/").
std::string_view TargetPath(std::string_view target);

// otrp-over-http-15 §5.1.1, §6.1: true iff `content_type` names
// application/teep+cbor. Type and subtype compare case-insensitively (RFC
// 9110 §8.3.1); parameters and whitespace around them are allowed.
bool IsTeepContentType(std::string_view content_type);

// otrp-over-http-15 §5.1.1, §6.1: true iff an Accept field value admits
// application/teep+cbor (RFC 9110 §12.5.1): the most specific matching range
// among "application/teep+cbor", "application/*" and "*/*" decides, and a
// weight of q=0 means "not acceptable". An empty value (no Accept header, or
// one with no ranges) is false: the draft requires the client to send it.
bool AcceptsTeep(std::string_view accept);

// The value of an HTTP Date header (RFC 9110 §5.6.7, IMF-fixdate) for a POSIX
// time, independent of the process locale: "Sun, 06 Nov 1994 08:49:37 GMT".
std::string HttpDate(long long unix_seconds);

}  // namespace teep::host::http_rules
