// Internal to core/teep: the error collector with paths, and the rules that
// the decoder (on the wire) and the validator (on structs, before encoding)
// both apply, so that the two cannot drift apart.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/base/strings.h"
#include "core/teep/messages.h"
#include "core/teep/numbers.h"

namespace teep::msg::internal {

// Collects violations as "Path.to.field[2]: what". In first-error mode the
// caller stops at the first one (stop() turns true); in collect-all mode
// (LintMessage) everything is kept. Paths are a stack of segments formatted
// only when something is reported, so a clean decode pays nothing for them.
class Diagnostics {
 public:
  Diagnostics(bool collect_all, StatusCode code) : collect_all_(collect_all), code_(code) {}

  void Push(std::string_view name) { PushSegment(Segment{name, 0, false}); }
  void PushIndex(size_t index) { PushSegment(Segment{{}, index, true}); }
  void Pop() { --depth_; }
  // Replaces the root segment ("TEEP message" -> "QueryRequest").
  void SetRoot(std::string_view root) { root_ = root; }

  void Report(std::string_view what);

  bool failed() const { return !messages_.empty(); }
  bool stop() const { return failed() && !collect_all_; }
  Status status() const;
  std::vector<std::string> TakeAll() { return std::move(messages_); }

 private:
  struct Segment {
    std::string_view name;
    size_t index;
    bool is_index;
  };
  static constexpr size_t kMaxDepth = 16;
  void PushSegment(Segment s) {
    if (depth_ < kMaxDepth) segments_[depth_] = s;
    ++depth_;
  }
  std::string Path() const;

  bool collect_all_;
  StatusCode code_;
  std::string_view root_ = "TEEP message";
  std::array<Segment, kMaxDepth> segments_{};
  size_t depth_ = 0;
  std::vector<std::string> messages_;
};

// RAII path segment.
class Scope {
 public:
  Scope(Diagnostics& d, std::string_view name) : d_(d) { d_.Push(name); }
  Scope(Diagnostics& d, size_t index) : d_(d) { d_.PushIndex(index); }
  ~Scope() { d_.Pop(); }
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  Diagnostics& d_;
};

// "options.token"-style segment for an option: the CDDL name.
inline std::string_view OptionSegment(Option o) { return OptionName(o); }

// ---- value rules shared by decoder and validator ------------------------------
// Each reports under the current path and returns false on a violation.

// P §4.2 ff.: token => bstr .size (8..64).
bool CheckToken(ByteView token, Diagnostics& d);
// challenge => bstr .size (8..512).
bool CheckChallenge(ByteView challenge, Diagnostics& d);
// msg / err-msg => text .size (1..128); err-lang => text .size (1..35).
bool CheckTextSize(std::string_view text, size_t max, Diagnostics& d);
// `[+ ...]`: at least one element.
bool CheckNonEmpty(size_t count, Diagnostics& d);
// `bstr .cbor X`: the content is exactly one well-formed CBOR item (relaxed:
// non-deterministic encodings are accepted, as from any peer).
bool CheckEmbeddedItem(ByteView content, Diagnostics& d);
// data-item-requested: `uint .bits data-item-requested` allows only the
// defined bits 0..3.
bool CheckDataItems(uint64_t bits, Diagnostics& d);
// An ErrCode built by a caller: unknown values must be above 23.
bool CheckErrCode(const ErrCode& code, const WireProfile& profile, Diagnostics& d);
// requested-tc-info: have-binary true requires tc-manifest-sequence-number
// (P §4.3).
bool CheckRequestedTcInfo(const RequestedTcInfo& info, const WireProfile& profile,
                          Diagnostics& d);

// Cross-field rules of whole messages, reported at the message root.
void CheckCrossFields(const QueryRequest& m, const WireProfile& profile, Diagnostics& d);
void CheckCrossFields(const Error& m, const WireProfile& profile, Diagnostics& d);

// "option challenge (2)".
std::string OptionRef(Option o, const WireProfile& profile);

// The deterministic encoding of one relaxed-valid item (unchanged when it
// already is deterministic).
Result<Bytes> Canonicalize(ByteView item);

}  // namespace teep::msg::internal
