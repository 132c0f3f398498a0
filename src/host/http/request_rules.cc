#include "host/http/request_rules.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <utility>

namespace teep::host::http_rules {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

// RFC 9110 §5.6.3: OWS is spaces and horizontal tabs.
std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Splits at `separator` outside quoted strings (RFC 9110 §5.6.4), so that a
// parameter like `x="a,b"` stays whole.
std::vector<std::string_view> SplitOutsideQuotes(std::string_view s, char separator) {
  std::vector<std::string_view> parts;
  bool quoted = false;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quoted && c == '\\') {
      ++i;  // quoted-pair: the next character is literal
    } else if (c == '"') {
      quoted = !quoted;
    } else if (!quoted && c == separator) {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(s.substr(start));
  return parts;
}

// RFC 9110 §12.4.2: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ),
// returned in thousandths; -1 when malformed.
int ParseQValue(std::string_view text) {
  if (text.empty() || (text[0] != '0' && text[0] != '1')) return -1;
  int whole = text[0] - '0';
  int thousandths = 0;
  if (text.size() > 1) {
    if (text[1] != '.' || text.size() > 5) return -1;
    int scale = 100;
    for (char c : text.substr(2)) {
      if (c < '0' || c > '9') return -1;
      thousandths += (c - '0') * scale;
      scale /= 10;
    }
  }
  int value = whole * 1000 + thousandths;
  return value > 1000 ? -1 : value;
}

}  // namespace

void RouteTable::Add(std::string method, std::string path, RouteKind kind) {
  routes_.push_back(Route{std::move(method), std::move(path), kind});
}

RouteMatch RouteTable::Find(std::string_view method, std::string_view target) const {
  RouteMatch match;
  match.path = std::string(TargetPath(target));
  for (const Route& route : routes_) {
    if (route.path != match.path) continue;
    if (route.method == method) {
      match.outcome = RouteMatch::Outcome::kFound;
      match.kind = route.kind;
      match.allow.clear();
      return match;
    }
    // RFC 9110 §15.5.6: a 405 lists the methods the resource does support.
    match.outcome = RouteMatch::Outcome::kMethodNotAllowed;
    if (!match.allow.empty()) match.allow += ", ";
    match.allow += route.method;
  }
  return match;
}

std::string_view TargetPath(std::string_view target) {
  // RFC 9112 §3.2.2: absolute-form; scheme and authority are not part of the
  // path (the route table serves every host name the listener is reached by).
  for (std::string_view scheme : {std::string_view("http://"), std::string_view("https://")}) {
    if (target.size() >= scheme.size() && EqualsIgnoreCase(target.substr(0, scheme.size()), scheme)) {
      target.remove_prefix(scheme.size());
      size_t slash = target.find_first_of("/?#");
      if (slash == std::string_view::npos || target[slash] != '/') return "/";
      target.remove_prefix(slash);
      break;
    }
  }
  return target.substr(0, target.find_first_of("?#"));
}

bool IsTeepContentType(std::string_view content_type) {
  // RFC 9110 §8.3.1: media-type = type "/" subtype parameters; the type and
  // subtype are case-insensitive. application/teep+cbor defines no
  // parameters, so any present are ignored rather than refused.
  std::string_view type = TrimOws(content_type.substr(0, content_type.find(';')));
  return EqualsIgnoreCase(type, kTeepMediaType);
}

bool AcceptsTeep(std::string_view accept) {
  // RFC 9110 §12.5.1: "the most specific reference has precedence"; among
  // equally specific ranges the highest weight wins.
  int best_specificity = 0;  // 3 = application/teep+cbor, 2 = application/*, 1 = */*
  int best_weight = 0;
  for (std::string_view element : SplitOutsideQuotes(accept, ',')) {
    std::vector<std::string_view> parts = SplitOutsideQuotes(element, ';');
    std::string_view range = TrimOws(parts[0]);
    if (range.empty()) continue;  // RFC 9110 §5.6.1: empty list elements are ignored
    int specificity = 0;
    if (EqualsIgnoreCase(range, kTeepMediaType)) {
      specificity = 3;
    } else if (EqualsIgnoreCase(range, "application/*")) {
      specificity = 2;
    } else if (range == "*/*") {
      specificity = 1;
    } else {
      continue;
    }
    int weight = 1000;
    bool malformed = false;
    for (size_t i = 1; i < parts.size(); ++i) {
      std::string_view parameter = TrimOws(parts[i]);
      size_t equals = parameter.find('=');
      if (equals == std::string_view::npos) continue;
      if (!EqualsIgnoreCase(TrimOws(parameter.substr(0, equals)), "q")) continue;
      weight = ParseQValue(TrimOws(parameter.substr(equals + 1)));
      malformed = weight < 0;
      break;
    }
    if (malformed) continue;  // an unreadable weight admits nothing
    if (specificity > best_specificity) {
      best_specificity = specificity;
      best_weight = weight;
    } else if (specificity == best_specificity) {
      best_weight = std::max(best_weight, weight);
    }
  }
  // RFC 9110 §12.4.2: q=0 means "not acceptable".
  return best_specificity > 0 && best_weight > 0;
}

std::string HttpDate(long long unix_seconds) {
  static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[40];
  std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday % 7],
                tm.tm_mday, kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return text;
}

}  // namespace teep::host::http_rules
