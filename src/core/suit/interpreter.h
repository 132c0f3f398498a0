// Internal to the SUIT processor: the command interpreter for one manifest
// (draft-ietf-suit-manifest-37 §6.4-6.6, §8.4.9-10; trust-domains-12 §5;
// update-management-14 §5). processor.cc drives it through the procedures;
// dependency manifests get their own ManifestContext, nested under the
// dependent's (trust-domains §5.6.3, lock-step processing).
//
// Control flow follows manifest-37 §6.6 and §8.4.10:
//   * a failing directive aborts the whole procedure;
//   * a failing condition ends the current sequence when soft-failure is on
//     (only inside try-each / run-sequence), and aborts the procedure
//     otherwise;
//   * try-each succeeds with the first branch that completes, and fails like
//     a condition when none does.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/cbor/reader.h"
#include "core/suit/authenticate.h"
#include "core/suit/envelope.h"
#include "core/suit/manifest.h"
#include "core/suit/parameters.h"
#include "core/suit/processor.h"
#include "core/suit/report.h"

namespace teep::suit::internal {

enum class Procedure { kUpdate, kInvoke, kUninstall };

// What aborted the procedure.
struct Failure {
  ReportReason reason = ReportReason::kOperationFailed;
  Status status;
  int64_t command = 0;
  ReportRecord record;
};

// A dependency manifest accepted by this procedure, to be recorded in the
// store when the procedure succeeds.
struct ProcessedDependency {
  Bytes slot;             // its manifest component id, encoded
  uint64_t sequence_number = 0;
  Bytes envelope;         // as it will be recorded (EncodeInstalledEnvelope)
  Bytes dependent_slot;   // the manifest that depends on it
};

// State shared by the root manifest and all its dependencies for one procedure.
struct ProcedureState {
  ProcedureState(const Platform& p, const ProcessorPolicy& pol, Procedure proc)
      : platform(p), policy(pol), procedure(proc) {}
  const Platform& platform;
  const ProcessorPolicy& policy;
  Procedure procedure;
  std::vector<ReportRecord> records;
  std::optional<Failure> failure;
  std::deque<Bytes> owned;  // fetched dependency envelopes: views into them stay valid
  std::vector<ProcessedDependency> dependencies;
  std::vector<Bytes> removed;  // manifests uninstalled along the way
};

// A verified dependency: its envelope decoded and authenticated.
struct VerifiedDependency {
  ByteView bytes;
  Envelope envelope;
  Authenticated authenticated;
};

// The installed manifest whose manifest component id starts with `prefix`
// (an exact match preferred), or nullopt.
Result<std::optional<ManifestRecord>> FindInstalledUnder(ComponentStore* store,
                                                         const ComponentId& prefix);

// Drops one reference to an installed manifest; at zero, runs its uninstall
// section (24) and removes its record (trust-domains §6.2). Defined in
// processor.cc. On a failure inside the manifest, state.failure is set.
Status ReleaseManifest(ProcedureState& state, ManifestRecord record, std::vector<uint64_t> path,
                       size_t depth);

class ManifestContext {
 public:
  ManifestContext(ProcedureState& state, const Envelope& envelope, const Manifest& manifest,
                  std::vector<uint64_t> path, size_t depth);

  // Decodes the dependency map and checks the component count. On error the
  // failure is recorded in the state and false is returned.
  bool Init();

  // Runs the shared sequence, then `section_key` of this manifest when it has
  // one (an absent section is skipped; a severed one the envelope does not
  // carry fails). Returns false when the procedure aborted.
  bool RunSection(int64_t section_key);

  // Parameters a dependent supplied with set-parameters for this manifest
  // (trust-domains §5.6.4); applied as defaults to every component.
  void InheritParameters(const ParameterSet& inherited) { inherited_ = inherited; }

  Bytes Slot() const;
  const Manifest& manifest() const { return manifest_; }

 private:
  enum class Flow { kContinue, kSoftFailed, kAbort };

  // ---- interpreter (interpreter.cc) ----
  Flow RunSequence(ByteView sequence, size_t nesting);
  Flow Execute(const Command& command, size_t nesting);
  Flow SetComponentIndex(const Command& command);
  Flow SetParameters(const Command& command, bool override_existing, size_t nesting);
  Flow OverrideMultiple(const Command& command, size_t nesting);
  Flow CopyParameters(const Command& command);
  Flow TryEach(const Command& command, size_t nesting);
  Flow RunNestedSequence(const Command& command, size_t nesting);
  Flow EvaluateCondition(const Command& command);
  Flow ExecuteDirective(const Command& command);
  // The reporting policy (uint) of a condition or directive; nullopt after
  // aborting on anything else.
  std::optional<uint64_t> PolicyOrAbort(const Command& command);
  // Reads and validates a parameter map without applying it.
  Status ReadParameterMap(cbor::Reader& r, const std::string& path,
                          std::vector<std::pair<int64_t, ByteView>>* out, size_t nesting);
  // A map key naming a component index of this manifest; kNotFound when the
  // manifest has no such index.
  Status ReadIndexKey(cbor::Reader& r, const std::string& path, uint64_t i, uint64_t* index) const;
  void ApplyParameter(uint64_t index, int64_t key, ByteView raw, bool override_existing);
  static ReportReason ReasonForParameterError(const Status& status);
  Flow Abort(ReportReason reason, Status status, const Command& command, uint64_t index);
  void Record(const Command& command, uint64_t index, std::vector<std::pair<int64_t, Bytes>> measured);
  ReportRecord MakeRecord(const Command& command, uint64_t index) const;

  // ---- conditions (conditions.cc): true/false, or an error that aborts ----
  Result<bool> Condition(int64_t code, uint64_t index,
                         std::vector<std::pair<int64_t, Bytes>>* measured);
  Result<bool> ImageMatches(uint64_t index, std::vector<std::pair<int64_t, Bytes>>* measured);
  Result<bool> CheckContent(uint64_t index);
  Result<bool> VersionMatches(uint64_t index);
  Result<bool> DependencyIntegrity(uint64_t index);

  // ---- directives (directives.cc) ----
  Status Directive(int64_t code, uint64_t index);
  Status Fetch(uint64_t index);
  Status Copy(uint64_t index);
  Status Write(uint64_t index);
  Status Swap(uint64_t index);
  Status Invoke(uint64_t index);
  Status Unlink(uint64_t index);
  Status ProcessDependency(uint64_t index);
  Status ReleaseDependency(uint64_t index);
  Result<Bytes> Decrypt(uint64_t index, ByteView ciphertext);

  // ---- component bookkeeping ----
  bool IsComponent(uint64_t index) const { return index < manifest_.common.components.size(); }
  bool IsDependency(uint64_t index) const { return dependency_prefix_.count(index) != 0; }
  bool IsValidIndex(uint64_t index) const { return IsComponent(index) || IsDependency(index); }
  ParameterSet& Params(uint64_t index) { return params_[index]; }
  Bytes ComponentKey(uint64_t index) const;
  Status ReadComponent(uint64_t index, Bytes* out);
  Result<VerifiedDependency> VerifyDependency(uint64_t index);

  ProcedureState& state_;
  const Envelope& envelope_;
  const Manifest& manifest_;
  std::vector<uint64_t> path_;  // dependency indices from the root
  size_t depth_;

  std::map<uint64_t, ComponentId> dependency_prefix_;  // trust-domains §6.1
  std::map<uint64_t, ParameterSet> params_;
  std::map<uint64_t, ParameterSet> for_dependency_;  // set-parameters aimed at a dependency
  std::map<uint64_t, ByteView> fetched_dependency_;  // dependency envelopes fetched per index
  std::map<uint64_t, VerifiedDependency> verified_;  // passed dependency-integrity
  std::optional<ParameterSet> inherited_;
  std::vector<uint64_t> current_ = {0};  // set-component-index
  bool soft_failure_ = false;
  int64_t section_ = 0;  // manifest key of the running section (3 = shared sequence)
  ByteView section_bytes_;
};

}  // namespace teep::suit::internal
