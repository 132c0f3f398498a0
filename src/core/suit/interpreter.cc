// The command interpreter: sequences, flow control (try-each, run-sequence,
// soft-failure), component selection and parameters. Conditions are in
// conditions.cc, directives in directives.cc.
#include "core/suit/interpreter.h"

#include <string>
#include <utility>

#include "core/cbor/reader.h"
#include "core/suit/commands.h"
#include "core/suit/component_id.h"
#include "core/suit/decode_util.h"

namespace teep::suit::internal {

using cbor::MajorType;

namespace {

// manifest-37 §8.4.5: the shared sequence may only test and set parameters.
bool AllowedInSharedSequence(int64_t code) {
  return IsCondition(code) || code == kDirSetComponentIndex || code == kDirOverrideParameters ||
         code == kDirTryEach || code == kDirRunSequence;
}

// The report reason for an error returned by a condition or directive.
ReportReason ReasonForCommandError(const Status& status) {
  switch (status.code()) {
    case StatusCode::kMalformed:
    case StatusCode::kLimitExceeded: return ReportReason::kCborParse;
    case StatusCode::kUnsupported: return ReportReason::kAlgorithmUnsupported;
    case StatusCode::kVerificationFailed: return ReportReason::kUnauthorised;
    default: return ReportReason::kOperationFailed;
  }
}

// Reporting-policy bits (manifest-37 §8.4.9 / report-18 §4.1).
constexpr uint64_t kRecordOnSuccess = 1;
constexpr uint64_t kRecordOnFailure = 2;

}  // namespace

ManifestContext::ManifestContext(ProcedureState& state, const Envelope& envelope,
                                 const Manifest& manifest, std::vector<uint64_t> path, size_t depth)
    : state_(state), envelope_(envelope), manifest_(manifest), path_(std::move(path)), depth_(depth) {}

bool ManifestContext::Init() {
  const Command none;
  if (manifest_.common.dependencies) {
    auto deps = DecodeDependencies(*manifest_.common.dependencies);
    if (!deps.ok()) {
      Abort(ReportReason::kCborParse, deps.status(), none, 0);
      return false;
    }
    for (auto& [index, prefix] : *deps) dependency_prefix_[index] = std::move(prefix);
  }
  // manifest-37 §6.3 step 7: the component count must fit the device.
  const size_t count = manifest_.common.components.size() + dependency_prefix_.size();
  if (count > state_.policy.max_components) {
    Abort(ReportReason::kComponentUnsupported,
          Status(StatusCode::kLimitExceeded, "the manifest names " + std::to_string(count) +
                                                 " components and dependencies; at most " +
                                                 std::to_string(state_.policy.max_components) +
                                                 " are supported"),
          none, 0);
    return false;
  }
  return true;
}

Bytes ManifestContext::Slot() const { return ManifestSlot(manifest_); }

Bytes ManifestContext::ComponentKey(uint64_t index) const {
  if (IsComponent(index)) return EncodeComponentId(manifest_.common.components[index]);
  return EncodeComponentId(dependency_prefix_.at(index));
}

bool ManifestContext::RunSection(int64_t section_key) {
  const Command none;
  if (manifest_.FindSection(section_key) == nullptr) return true;  // absent: nothing to do
  section_ = section_key;
  auto section = Section(manifest_, envelope_, section_key);
  if (!section.ok()) {
    Abort(section.status().code() == StatusCode::kNotFound ? ReportReason::kSeveringUnsupported
                                                           : ReasonForCommandError(section.status()),
          section.status(), none, 0);
    return false;
  }
  // Parameters a dependent supplied are defaults for every component
  // (trust-domains §5.6.4); the manifest's own override-parameters win.
  if (inherited_) {
    for (size_t i = 0; i < manifest_.common.components.size(); ++i) {
      for (const auto& [key, raw] : inherited_->values()) Params(i).SetIfUnset(key, raw);
    }
  }
  // manifest-37 §6.4: every sequence is preceded by the shared sequence.
  if (manifest_.common.shared_sequence) {
    section_ = kManifestCommon;
    section_bytes_ = *manifest_.common.shared_sequence;
    if (RunSequence(section_bytes_, 0) == Flow::kAbort) return false;
    section_ = section_key;
  }
  section_bytes_ = *section;
  return RunSequence(section_bytes_, 0) != Flow::kAbort;
}

ManifestContext::Flow ManifestContext::RunSequence(ByteView sequence, size_t nesting) {
  const Command none;
  if (nesting > state_.policy.max_nesting) {
    return Abort(ReportReason::kCborParse,
                 Status(StatusCode::kLimitExceeded, "try-each / run-sequence nested deeper than " +
                                                        std::to_string(state_.policy.max_nesting)),
                 none, 0);
  }
  auto commands = DecodeCommandSequence(sequence);
  if (!commands.ok()) return Abort(ReportReason::kCborParse, commands.status(), none, 0);
  const size_t base = static_cast<size_t>(sequence.data() - section_bytes_.data());
  if (nesting == 0) {
    // Each top-level sequence starts on component 0 with soft-failure off
    // (manifest-37 §8.4.10.1, §8.4.8.10).
    current_ = {0};
    soft_failure_ = false;
    // With more than one component every sequence must select one first
    // (manifest-37 §6.3 step 8).
    const size_t count = manifest_.common.components.size() + dependency_prefix_.size();
    if (count > 1 && (*commands)[0].code != kDirSetComponentIndex) {
      Command first = (*commands)[0];
      first.offset += base;
      return Abort(ReportReason::kComponentUnsupported,
                   Status(StatusCode::kInvalidArgument,
                          "the manifest has " + std::to_string(count) +
                              " components but this sequence does not start with "
                              "directive-set-component-index"),
                   first, 0);
    }
  }
  for (Command command : *commands) {
    command.offset += base;
    const Flow flow = Execute(command, nesting);
    if (flow != Flow::kContinue) return flow;
  }
  return Flow::kContinue;
}

ManifestContext::Flow ManifestContext::Execute(const Command& command, size_t nesting) {
  if (section_ == kManifestCommon && !AllowedInSharedSequence(command.code)) {
    return Abort(ReportReason::kCommandUnsupported,
                 Status(StatusCode::kInvalidArgument,
                        CommandName(command.code) + " is not allowed in the shared sequence"),
                 command, current_.empty() ? 0 : current_[0]);
  }
  switch (command.code) {
    case kDirSetComponentIndex: return SetComponentIndex(command);
    case kDirOverrideParameters: return SetParameters(command, /*override_existing=*/true, nesting);
    case kDirSetParameters: return SetParameters(command, /*override_existing=*/false, nesting);
    case kDirOverrideMultiple: return OverrideMultiple(command, nesting);
    case kDirCopyParams: return CopyParameters(command);
    case kDirTryEach: return TryEach(command, nesting);
    case kDirRunSequence: return RunNestedSequence(command, nesting);
    default: break;
  }
  if (IsCondition(command.code)) return EvaluateCondition(command);
  if (IsDirective(command.code)) return ExecuteDirective(command);
  // manifest-37 §6.6: an unknown command makes the manifest fail.
  return Abort(ReportReason::kCommandUnsupported,
               Status(StatusCode::kUnsupported, CommandName(command.code) + " is not supported"),
               command, current_.empty() ? 0 : current_[0]);
}

// ---- component selection (manifest-37 §8.4.10.1) ----------------------------

ManifestContext::Flow ManifestContext::SetComponentIndex(const Command& command) {
  const std::string path = "directive-set-component-index";
  auto r = cbor::Reader::Open(command.argument, cbor::RelaxedOptions());
  std::vector<uint64_t> selected;
  const auto type = r.PeekType();
  if (type == MajorType::kUnsigned) {
    uint64_t index = 0;
    r.ReadUint(&index);
    selected.push_back(index);
  } else if (type == MajorType::kSimple) {
    bool all = false;
    if (!r.ReadBool(&all) || !all) {
      return Abort(ReportReason::kCborParse,
                   internal::Malformed(path, "expected uint, true or [+ uint]"), command, 0);
    }
    // `true`: every component in the components list, in order.
    for (uint64_t i = 0; i < manifest_.common.components.size(); ++i) selected.push_back(i);
  } else if (type == MajorType::kArray) {
    uint64_t n = 0;
    r.ReadArrayHeader(&n);
    for (uint64_t i = 0; i < n; ++i) {
      uint64_t index = 0;
      if (!r.ReadUint(&index)) {
        return Abort(ReportReason::kCborParse,
                     internal::Malformed(internal::Index(path, i), "expected uint"), command, 0);
      }
      selected.push_back(index);
    }
    if (selected.empty()) {
      return Abort(ReportReason::kCborParse,
                   internal::Malformed(path, "an index list holds at least one index"), command, 0);
    }
  } else {
    return Abort(ReportReason::kCborParse,
                 internal::Malformed(path, "expected uint, true or [+ uint], got " +
                                               cbor::DescribeNextItem(r)),
                 command, 0);
  }
  for (uint64_t index : selected) {
    if (!IsValidIndex(index)) {
      return Abort(ReportReason::kComponentUnsupported,
                   Status(StatusCode::kInvalidArgument,
                          "component index " + std::to_string(index) +
                              " is neither a component nor a dependency of this manifest"),
                   command, index);
    }
  }
  current_ = std::move(selected);
  return Flow::kContinue;
}

// ---- parameters (manifest-37 §8.4.10.3; trust-domains §5.6.4; um §5) -------

Status ManifestContext::ReadParameterMap(cbor::Reader& r, const std::string& path,
                                         std::vector<std::pair<int64_t, ByteView>>* out,
                                         size_t nesting) {
  uint64_t pairs = 0;
  TEEP_RETURN_IF_ERROR(internal::ReadMap(r, path, &pairs));
  for (uint64_t i = 0; i < pairs; ++i) {
    int64_t key = 0;
    TEEP_RETURN_IF_ERROR(internal::ReadIntKey(r, internal::Index(path, i) + " key", &key));
    ByteView raw;
    if (!r.ReadRaw(&raw)) return r.status().WithContext(path);
    TEEP_RETURN_IF_ERROR(ValidateParameter(key, raw, path));
    // manifest-37 §8.4.8.10: soft-failure may only be set inside try-each or
    // run-sequence.
    if (key == kParamSoftFailure && nesting == 0) {
      return Status(StatusCode::kInvalidArgument,
                    path + ": soft-failure may only be set inside try-each or run-sequence");
    }
    out->emplace_back(key, raw);
  }
  return OkStatus();
}

void ManifestContext::ApplyParameter(uint64_t index, int64_t key, ByteView raw,
                                     bool override_existing) {
  if (key == kParamSoftFailure) {
    // Processor-global (manifest-37 §8.4.8.10).
    soft_failure_ = ParameterSet::DecodeBool(raw);
    return;
  }
  // strict-order (12) is processor-global too; this processor always runs
  // commands in order, which strict-order = false permits and true requires.
  if (key == kParamStrictOrder) return;
  if (override_existing) {
    Params(index).Set(key, raw);
  } else {
    Params(index).SetIfUnset(key, raw);
    if (IsDependency(index)) for_dependency_[index].SetIfUnset(key, raw);
  }
}

ReportReason ManifestContext::ReasonForParameterError(const Status& status) {
  if (status.code() == StatusCode::kUnsupported) return ReportReason::kParameterUnsupported;
  if (status.code() == StatusCode::kInvalidArgument) return ReportReason::kOperationFailed;
  return ReportReason::kCborParse;
}

ManifestContext::Flow ManifestContext::SetParameters(const Command& command,
                                                     bool override_existing, size_t nesting) {
  const std::string path = override_existing ? "directive-override-parameters"
                                             : "directive-set-parameters";
  auto r = cbor::Reader::Open(command.argument, cbor::RelaxedOptions());
  std::vector<std::pair<int64_t, ByteView>> values;
  // Validate the whole map before changing anything.
  Status s = ReadParameterMap(r, path, &values, nesting);
  if (!s.ok()) return Abort(ReasonForParameterError(s), s, command, current_[0]);
  for (uint64_t index : current_) {
    for (const auto& [key, raw] : values) ApplyParameter(index, key, raw, override_existing);
  }
  return Flow::kContinue;
}

Status ManifestContext::ReadIndexKey(cbor::Reader& r, const std::string& path, uint64_t i,
                                     uint64_t* index) const {
  TEEP_RETURN_IF_ERROR(internal::ReadUint(r, internal::Index(path, i) + " key", index));
  if (!IsValidIndex(*index)) {
    return Status(StatusCode::kNotFound,
                  path + ": component index " + std::to_string(*index) + " does not exist");
  }
  return OkStatus();
}

ManifestContext::Flow ManifestContext::OverrideMultiple(const Command& command, size_t nesting) {
  const std::string path = "directive-override-multiple";
  auto r = cbor::Reader::Open(command.argument, cbor::RelaxedOptions());
  uint64_t pairs = 0;
  Status s = internal::ReadMap(r, path, &pairs);
  std::vector<std::pair<uint64_t, std::vector<std::pair<int64_t, ByteView>>>> updates;
  for (uint64_t i = 0; s.ok() && i < pairs; ++i) {
    uint64_t index = 0;
    s = ReadIndexKey(r, path, i, &index);
    if (!s.ok()) break;
    updates.emplace_back(index, std::vector<std::pair<int64_t, ByteView>>{});
    s = ReadParameterMap(r, internal::Index(path, index), &updates.back().second, nesting);
  }
  if (!s.ok()) {
    const ReportReason reason = s.code() == StatusCode::kNotFound ? ReportReason::kComponentUnsupported
                                                                  : ReasonForParameterError(s);
    return Abort(reason, s, command, current_[0]);
  }
  for (const auto& [index, values] : updates) {
    for (const auto& [key, raw] : values) ApplyParameter(index, key, raw, true);
  }
  return Flow::kContinue;
}

ManifestContext::Flow ManifestContext::CopyParameters(const Command& command) {
  // update-management §5.8: { source index => [+ parameter key] }.
  const std::string path = "directive-copy-params";
  auto r = cbor::Reader::Open(command.argument, cbor::RelaxedOptions());
  uint64_t pairs = 0;
  Status s = internal::ReadMap(r, path, &pairs);
  std::vector<std::pair<uint64_t, int64_t>> copies;
  for (uint64_t i = 0; s.ok() && i < pairs; ++i) {
    uint64_t source = 0;
    s = ReadIndexKey(r, path, i, &source);
    if (!s.ok()) break;
    uint64_t n = 0;
    s = internal::ReadArray(r, internal::Index(path, source), &n);
    for (uint64_t k = 0; s.ok() && k < n; ++k) {
      int64_t key = 0;
      s = internal::ReadInt(r, internal::Index(path, source), &key);
      if (s.ok()) copies.emplace_back(source, key);
    }
  }
  if (!s.ok()) {
    const ReportReason reason = s.code() == StatusCode::kNotFound ? ReportReason::kComponentUnsupported
                                                                  : ReportReason::kCborParse;
    return Abort(reason, s, command, current_[0]);
  }
  for (uint64_t index : current_) {
    for (const auto& [source, key] : copies) {
      if (auto raw = Params(source).Raw(key)) Params(index).Set(key, *raw);
    }
  }
  return Flow::kContinue;
}

// ---- flow control (manifest-37 §8.4.10.2, §8.4.10.10) -----------------------

ManifestContext::Flow ManifestContext::TryEach(const Command& command, size_t nesting) {
  const std::string path = "directive-try-each";
  auto r = cbor::Reader::Open(command.argument, cbor::RelaxedOptions());
  uint64_t n = 0;
  Status s = internal::ReadArray(r, path, &n);
  std::vector<std::optional<ByteView>> branches;
  for (uint64_t i = 0; s.ok() && i < n; ++i) {
    if (i + 1 == n && r.PeekNull()) {  // a final null: "do nothing" succeeds
      r.ReadNull();
      branches.push_back(std::nullopt);
      continue;
    }
    ByteView body;
    s = internal::ReadBstr(r, internal::Index(path, i), &body);
    if (s.ok()) branches.push_back(body);
  }
  if (s.ok() && branches.size() < 2) {
    s = internal::Malformed(path, "at least two branches are required");
  }
  if (!s.ok()) return Abort(ReportReason::kCborParse, s, command, current_[0]);

  const std::vector<uint64_t> selected = current_;
  const bool outer_soft_failure = soft_failure_;
  for (uint64_t index : selected) {
    bool done = false;
    for (const auto& branch : branches) {
      if (!branch) {
        done = true;
        break;
      }
      current_ = {index};
      // Each branch starts with soft-failure on; it may turn it off.
      soft_failure_ = true;
      const Flow flow = RunSequence(*branch, nesting + 1);
      soft_failure_ = outer_soft_failure;
      if (flow == Flow::kAbort) return flow;
      if (flow == Flow::kContinue) {
        done = true;
        break;
      }
    }
    current_ = selected;
    if (!done) {
      // No branch completed: try-each fails like a condition.
      if (soft_failure_) return Flow::kSoftFailed;
      return Abort(ReportReason::kConditionFailed,
                   Status(StatusCode::kVerificationFailed,
                          "directive-try-each: no branch succeeded for component " +
                              std::to_string(index)),
                   command, index);
    }
  }
  return Flow::kContinue;
}

ManifestContext::Flow ManifestContext::RunNestedSequence(const Command& command, size_t nesting) {
  auto r = cbor::Reader::Open(command.argument, cbor::RelaxedOptions());
  ByteView body;
  Status s = internal::ReadBstr(r, "directive-run-sequence", &body);
  if (!s.ok()) return Abort(ReportReason::kCborParse, s, command, current_[0]);
  const std::vector<uint64_t> selected = current_;
  const bool outer_soft_failure = soft_failure_;
  for (uint64_t index : selected) {
    current_ = {index};
    // The body starts with soft-failure off; a soft failure inside ends the
    // body only, and its setting does not leak out.
    soft_failure_ = false;
    const Flow flow = RunSequence(body, nesting + 1);
    soft_failure_ = outer_soft_failure;
    if (flow == Flow::kAbort) return flow;
  }
  current_ = selected;
  return Flow::kContinue;
}

// ---- conditions and directives: policy, records, failure --------------------

std::optional<uint64_t> ManifestContext::PolicyOrAbort(const Command& command) {
  auto r = cbor::Reader::Open(command.argument, cbor::RelaxedOptions());
  uint64_t policy = 0;
  if (r.ReadUint(&policy)) return policy;
  Abort(ReportReason::kCborParse,
        internal::Malformed(CommandName(command.code), "expected a reporting policy (uint)"),
        command, current_[0]);
  return std::nullopt;
}

ManifestContext::Flow ManifestContext::EvaluateCondition(const Command& command) {
  const std::optional<uint64_t> policy = PolicyOrAbort(command);
  if (!policy) return Flow::kAbort;
  for (uint64_t index : current_) {
    std::vector<std::pair<int64_t, Bytes>> measured;
    auto result = Condition(command.code, index, &measured);
    if (!result.ok()) {
      return Abort(ReasonForCommandError(result.status()), result.status(), command, index);
    }
    if (*result) {
      if (*policy & kRecordOnSuccess) Record(command, index, std::move(measured));
      continue;
    }
    if (*policy & kRecordOnFailure) Record(command, index, measured);
    if (soft_failure_) return Flow::kSoftFailed;
    return Abort(ReportReason::kConditionFailed,
                 Status(StatusCode::kVerificationFailed,
                        CommandName(command.code) + " failed for component " +
                            DescribeEncodedComponentId(ComponentKey(index))),
                 command, index);
  }
  return Flow::kContinue;
}

ManifestContext::Flow ManifestContext::ExecuteDirective(const Command& command) {
  const std::optional<uint64_t> policy = PolicyOrAbort(command);
  if (!policy) return Flow::kAbort;
  for (uint64_t index : current_) {
    Status s = Directive(command.code, index);
    if (!s.ok()) {
      if (*policy & kRecordOnFailure) Record(command, index, {});
      return Abort(ReasonForCommandError(s), s.WithContext(CommandName(command.code)), command,
                   index);
    }
    if (*policy & kRecordOnSuccess) Record(command, index, {});
  }
  return Flow::kContinue;
}

ReportRecord ManifestContext::MakeRecord(const Command& command, uint64_t index) const {
  ReportRecord record;
  record.manifest_id = path_;
  record.section = section_;
  record.offset = command.offset;
  record.component_index = index;
  return record;
}

void ManifestContext::Record(const Command& command, uint64_t index,
                             std::vector<std::pair<int64_t, Bytes>> measured) {
  ReportRecord record = MakeRecord(command, index);
  record.parameters = std::move(measured);
  state_.records.push_back(std::move(record));
}

ManifestContext::Flow ManifestContext::Abort(ReportReason reason, Status status,
                                             const Command& command, uint64_t index) {
  // A nested dependency that failed has already recorded the precise failure.
  if (!state_.failure) {
    Failure f;
    f.reason = reason;
    f.status = std::move(status);
    f.command = command.code;
    f.record = MakeRecord(command, index);
    state_.failure = std::move(f);
  }
  return Flow::kAbort;
}

}  // namespace teep::suit::internal
