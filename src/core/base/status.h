// Errors as values for the portable core (no exceptions cross core/).
//
// A Status is either OK or carries a code plus a human-readable message that
// says where and why (e.g. "QueryResponse.options.tc-list[2]: expected array,
// got text"). Result<T> holds either a T or a non-OK Status.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace teep {

enum class StatusCode {
  kOk = 0,
  kMalformed,           // input is not well-formed (CBOR, COSE, message shape)
  kInvalidArgument,     // caller passed something unusable
  kUnsupported,         // well-formed, but an algorithm/feature we do not implement
  kVerificationFailed,  // signature, MAC, digest or AEAD tag did not verify
  kNotFound,            // key, item or file absent
  kLimitExceeded,       // configured size/depth/count limit hit
  kCryptoError,         // the crypto backend failed for an internal reason
  kIoError,             // host side: file or socket error
  kInternal,            // a bug: an invariant did not hold
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {
    assert(code != StatusCode::kOk);
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "malformed: offset 3: truncated" style, for logs and CLI errors.
  std::string ToString() const;

  // Returns a copy whose message is "context: message", so that callers can add
  // the path they were decoding without losing the inner detail.
  Status WithContext(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status OkStatus() { return Status(); }

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(v_).ok() && "Result built from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace teep

// Propagate a non-OK Status from an expression returning Status.
#define TEEP_RETURN_IF_ERROR(expr)            \
  do {                                        \
    ::teep::Status teep_status_ = (expr);     \
    if (!teep_status_.ok()) return teep_status_; \
  } while (0)

#define TEEP_CONCAT_INNER_(a, b) a##b
#define TEEP_CONCAT_(a, b) TEEP_CONCAT_INNER_(a, b)

// `TEEP_ASSIGN_OR_RETURN(auto x, Foo());` unwraps a Result or returns its Status.
#define TEEP_ASSIGN_OR_RETURN(lhs, expr) \
  TEEP_ASSIGN_OR_RETURN_IMPL_(TEEP_CONCAT_(teep_result_, __LINE__), lhs, expr)
#define TEEP_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(tmp).value()
