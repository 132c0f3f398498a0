// The SUIT procedures (draft-ietf-suit-manifest-37 §6; trust-domains-12 §6)
// around the interpreter, the store transaction, and the SUIT Report.
#include "core/suit/processor.h"

#include <algorithm>
#include <span>
#include <string>
#include <utility>

#include "core/crypto/crypto.h"
#include "core/suit/component_id.h"
#include "core/suit/digest.h"
#include "core/suit/envelope.h"
#include "core/suit/interpreter.h"

namespace teep::suit {

using internal::Failure;
using internal::ManifestContext;
using internal::Procedure;
using internal::ProcedureState;

Bytes ManifestSlot(const Manifest& manifest) {
  if (manifest.manifest_component_id) return EncodeComponentId(*manifest.manifest_component_id);
  return EncodeComponentId(manifest.common.components.front());
}

namespace internal {

Result<std::optional<ManifestRecord>> FindInstalledUnder(ComponentStore* store,
                                                         const ComponentId& prefix) {
  TEEP_ASSIGN_OR_RETURN(auto exact, store->FindManifest(EncodeComponentId(prefix)));
  if (exact) return exact;
  TEEP_ASSIGN_OR_RETURN(auto all, store->ListManifests());
  for (auto& record : all) {
    auto id = DecodeComponentId(record.manifest_id);
    if (id.ok() && IsPrefixOf(prefix, *id)) return std::optional<ManifestRecord>(std::move(record));
  }
  return std::optional<ManifestRecord>();
}

Status ReleaseManifest(ProcedureState& state, ManifestRecord record, std::vector<uint64_t> path,
                       size_t depth) {
  ComponentStore* store = state.platform.store;
  if (record.reference_count > 1) {
    --record.reference_count;
    return store->PutManifest(std::move(record));
  }
  if (depth > state.policy.max_dependency_depth) {
    return Status(StatusCode::kLimitExceeded, "dependencies nested too deep while uninstalling");
  }
  // The last reference: run the manifest's uninstall section. What the store
  // holds is authenticated again, with today's trust anchors.
  state.owned.push_back(std::move(record.envelope));
  TEEP_ASSIGN_OR_RETURN(Envelope envelope, DecodeEnvelope(state.owned.back()));
  TEEP_ASSIGN_OR_RETURN(Authenticated authenticated,
                        Authenticate(envelope, state.platform.trust_anchors));
  ManifestContext context(state, envelope, authenticated.manifest, std::move(path), depth);
  if (!context.Init() || !context.RunSection(kManifestUninstall)) {
    return Status(StatusCode::kInternal, "uninstall failed");
  }
  TEEP_RETURN_IF_ERROR(store->RemoveManifest(record.manifest_id));
  state.removed.push_back(record.manifest_id);
  return OkStatus();
}

}  // namespace internal

namespace {

// A failure before any command ran: the record points at the manifest root.
Failure EarlyFailure(const Status& status, ReportReason reason) {
  Failure f;
  f.reason = reason;
  f.status = status;
  return f;
}

// The report's suit-reference: manifest URI and digest (report-18 §4). When
// the envelope cannot even be decoded there is no manifest digest; the
// SHA-256 of the bytes received stands in for it (docs/suit-processor.md).
void SetReference(Report* report, ByteView input, const Envelope* envelope,
                  const Manifest* manifest) {
  if (envelope != nullptr && DecodeDigest(envelope->digest).ok()) {
    report->manifest_digest.assign(envelope->digest.begin(), envelope->digest.end());
  } else {
    auto h = crypto::Sha256(input);
    report->manifest_digest = EncodeDigest(kDigestSha256, Bytes(h.begin(), h.end())).value();
  }
  if (manifest != nullptr && manifest->reference_uri) {
    report->reference_uri = std::string(*manifest->reference_uri);
  }
}

Outcome Finish(ProcedureState& state, Outcome outcome, std::optional<Failure> failure) {
  outcome.report.records = std::move(state.records);
  if (!failure && state.failure) failure = std::move(state.failure);
  if (failure) {
    if (state.platform.store != nullptr) state.platform.store->Discard();
    outcome.status = failure->status.ok()
                         ? Status(StatusCode::kInternal, "failed without a reason")
                         : failure->status;
    ReportFailure rf;
    rf.code = failure->command;
    rf.record = std::move(failure->record);
    rf.reason = failure->reason;
    outcome.report.failure = std::move(rf);
    outcome.installed.clear();
    outcome.removed.clear();
    return outcome;
  }
  outcome.removed = std::move(state.removed);
  return outcome;
}

// Envelope decode + authentication shared by the procedures.
struct Accepted {
  Envelope envelope;
  Authenticated authenticated;
};

Result<Accepted> Accept(ByteView input, const Platform& platform, Report* report) {
  Accepted a;
  auto envelope = DecodeEnvelope(input);
  if (!envelope.ok()) {
    SetReference(report, input, nullptr, nullptr);
    return envelope.status();
  }
  a.envelope = std::move(envelope).value();
  auto authenticated = Authenticate(a.envelope, platform.trust_anchors);
  if (!authenticated.ok()) {
    SetReference(report, input, &a.envelope, nullptr);
    return authenticated.status();
  }
  a.authenticated = std::move(authenticated).value();
  SetReference(report, input, &a.envelope, &a.authenticated.manifest);
  return a;
}

// Does the manifest recorded in `record` declare a dependency whose prefix
// covers `slot`? (Decides whether an update adds a new reference.)
bool DeclaresDependencyOn(const ManifestRecord& record, ByteView slot) {
  auto envelope = DecodeEnvelope(record.envelope);
  if (!envelope.ok()) return false;
  auto manifest = DecodeManifest(envelope->manifest.content);
  if (!manifest.ok() || !manifest->common.dependencies) return false;
  auto deps = DecodeDependencies(*manifest->common.dependencies);
  auto id = DecodeComponentId(slot);
  if (!deps.ok() || !id.ok()) return false;
  return std::any_of(deps->begin(), deps->end(),
                     [&](const auto& dep) { return IsPrefixOf(dep.second, *id); });
}

// Records the root and every dependency processed, with reference counts
// (trust-domains §6.2), and raises the sequence numbers.
Status RecordInstalled(ProcedureState& state, const Bytes& root_slot, uint64_t root_sequence,
                       const Envelope& root_envelope, std::vector<Bytes>* installed) {
  ComponentStore* store = state.platform.store;
  // Previous records first, before anything is replaced.
  std::vector<std::pair<Bytes, std::optional<ManifestRecord>>> previous;
  auto remember = [&](const Bytes& slot) -> Status {
    for (const auto& p : previous) {
      if (p.first == slot) return OkStatus();
    }
    TEEP_ASSIGN_OR_RETURN(auto record, store->FindManifest(slot));
    previous.emplace_back(slot, std::move(record));
    return OkStatus();
  };
  auto previous_of = [&](const Bytes& slot) -> const std::optional<ManifestRecord>& {
    for (const auto& p : previous) {
      if (p.first == slot) return p.second;
    }
    static const std::optional<ManifestRecord> kNone;
    return kNone;
  };
  TEEP_RETURN_IF_ERROR(remember(root_slot));
  for (const auto& dep : state.dependencies) {
    TEEP_RETURN_IF_ERROR(remember(dep.slot));
    TEEP_RETURN_IF_ERROR(remember(dep.dependent_slot));
  }

  ManifestRecord root;
  root.manifest_id = root_slot;
  root.sequence_number = root_sequence;
  TEEP_ASSIGN_OR_RETURN(root.envelope, EncodeInstalledEnvelope(root_envelope));
  const auto& old_root = previous_of(root_slot);
  root.reference_count = old_root ? std::max<uint32_t>(old_root->reference_count, 1) : 1;
  TEEP_RETURN_IF_ERROR(store->PutManifest(std::move(root)));
  TEEP_RETURN_IF_ERROR(store->RaiseSequence(root_slot, root_sequence));
  installed->push_back(root_slot);

  for (const auto& dep : state.dependencies) {
    auto current = store->FindManifest(dep.slot);
    if (!current.ok()) return current.status();
    const uint32_t current_count = *current ? (*current)->reference_count : 0;
    const auto& old_dependent = previous_of(dep.dependent_slot);
    const bool already_counted = old_dependent && DeclaresDependencyOn(*old_dependent, dep.slot);
    ManifestRecord record;
    record.manifest_id = dep.slot;
    record.sequence_number = dep.sequence_number;
    record.envelope = dep.envelope;
    record.reference_count = current_count == 0 ? 1 : current_count + (already_counted ? 0 : 1);
    TEEP_RETURN_IF_ERROR(store->PutManifest(std::move(record)));
    TEEP_RETURN_IF_ERROR(store->RaiseSequence(dep.slot, dep.sequence_number));
    installed->push_back(dep.slot);
  }
  return OkStatus();
}

Outcome StartOutcome(const ProcessOptions& options) {
  Outcome outcome;
  if (options.nonce) outcome.report.nonce = Bytes(options.nonce->begin(), options.nonce->end());
  return outcome;
}

Status CommitOrFail(ComponentStore* store) {
  Status s = store->Commit();
  if (!s.ok()) return s.WithContext("committing the component store");
  return s;
}

Failure NoStore() {
  return EarlyFailure(Status(StatusCode::kInvalidArgument, "no component store"),
                      ReportReason::kOperationFailed);
}

// manifest-37 §6.4 / trust-domains §5: the update procedure's sections.
constexpr int64_t kUpdateSections[] = {kManifestDependencyResolution, kManifestPayloadFetch,
                                       kManifestCandidateVerification, kManifestInstall,
                                       kManifestValidate};
// manifest-37 §6.5: the invocation procedure's sections.
constexpr int64_t kInvokeSections[] = {kManifestValidate, kManifestLoad, kManifestInvoke};

// Update and Invoke: authenticate the envelope, run the procedure's sections,
// commit. Only an update checks the sequence number and records the manifest.
Outcome RunEnvelopeProcedure(Procedure procedure, ByteView input, const Platform& platform,
                             const ProcessorPolicy& policy, const ProcessOptions& options) {
  ProcedureState state(platform, policy, procedure);
  Outcome outcome = StartOutcome(options);
  if (platform.store == nullptr) return Finish(state, std::move(outcome), NoStore());
  auto accepted = Accept(input, platform, &outcome.report);
  if (!accepted.ok()) {
    return Finish(state, std::move(outcome),
                  EarlyFailure(accepted.status(), ReasonFor(accepted.status())));
  }
  const Manifest& manifest = accepted->authenticated.manifest;
  const Bytes slot = ManifestSlot(manifest);
  const bool update = procedure == Procedure::kUpdate;
  if (update) {
    // manifest-37 §8.4.2: never go back to an older sequence number.
    auto highest = platform.store->HighestSequence(slot);
    if (!highest.ok()) {
      return Finish(state, std::move(outcome),
                    EarlyFailure(highest.status(), ReportReason::kOperationFailed));
    }
    if (*highest && manifest.sequence_number < **highest) {
      return Finish(state, std::move(outcome),
                    EarlyFailure(Status(StatusCode::kVerificationFailed,
                                        "rollback: sequence number " +
                                            std::to_string(manifest.sequence_number) +
                                            " is lower than the installed " +
                                            std::to_string(**highest) + " for " +
                                            DescribeEncodedComponentId(slot)),
                                 ReportReason::kUnauthorised));
    }
  }
  ManifestContext context(state, accepted->envelope, manifest, {}, 0);
  if (!context.Init()) return Finish(state, std::move(outcome), std::nullopt);
  for (int64_t section : update ? std::span<const int64_t>(kUpdateSections)
                                : std::span<const int64_t>(kInvokeSections)) {
    if (!context.RunSection(section)) return Finish(state, std::move(outcome), std::nullopt);
  }
  Status done = update ? RecordInstalled(state, slot, manifest.sequence_number,
                                         accepted->envelope, &outcome.installed)
                       : OkStatus();
  // An invocation commits too: load (8) may have written components.
  if (done.ok()) done = CommitOrFail(platform.store);
  if (!done.ok()) {
    return Finish(state, std::move(outcome), EarlyFailure(done, ReportReason::kOperationFailed));
  }
  return Finish(state, std::move(outcome), std::nullopt);
}

}  // namespace

Outcome Update(ByteView input, const Platform& platform, const ProcessorPolicy& policy,
               const ProcessOptions& options) {
  return RunEnvelopeProcedure(Procedure::kUpdate, input, platform, policy, options);
}

Outcome Invoke(ByteView input, const Platform& platform, const ProcessorPolicy& policy,
               const ProcessOptions& options) {
  return RunEnvelopeProcedure(Procedure::kInvoke, input, platform, policy, options);
}

Outcome Uninstall(ByteView manifest_id, const Platform& platform, const ProcessorPolicy& policy,
                  const ProcessOptions& options) {
  ProcedureState state(platform, policy, Procedure::kUninstall);
  Outcome outcome = StartOutcome(options);
  if (platform.store == nullptr) return Finish(state, std::move(outcome), NoStore());
  auto record = platform.store->FindManifest(manifest_id);
  Status status = record.status();
  if (status.ok() && !*record) {
    status = Status(StatusCode::kNotFound,
                    "no manifest is installed as " + DescribeEncodedComponentId(manifest_id));
  }
  if (!status.ok()) {
    auto h = crypto::Sha256(manifest_id);
    outcome.report.manifest_digest = EncodeDigest(kDigestSha256, Bytes(h.begin(), h.end())).value();
    return Finish(state, std::move(outcome),
                  EarlyFailure(status, ReportReason::kComponentUnsupported));
  }
  {
    // The report refers to the manifest being removed.
    auto envelope = DecodeEnvelope((*record)->envelope);
    SetReference(&outcome.report, (*record)->envelope, envelope.ok() ? &*envelope : nullptr,
                 nullptr);
  }
  status = internal::ReleaseManifest(state, std::move(**record), {}, 0);
  if (status.ok()) status = CommitOrFail(platform.store);
  if (!status.ok()) {
    return Finish(state, std::move(outcome),
                  state.failure ? std::nullopt
                                : std::optional<Failure>(
                                      EarlyFailure(status, ReasonFor(status))));
  }
  return Finish(state, std::move(outcome), std::nullopt);
}

}  // namespace teep::suit
