// In-memory ComponentStore (component_store.h) for tests, fuzzing and the
// fleet simulator: committed state plus a staged overlay, nothing durable.
//
// Component contents are held as shared immutable buffers, so WriteOwned
// keeps the caller's buffer (no copy), and Copy/Swap/Commit move pointers
// instead of payload bytes (issue 4: one copy of a payload in memory).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/suit/component_store.h"

namespace teep::suit {

class MemoryStore final : public ComponentStore {
 public:
  MemoryStore() = default;
  MemoryStore(const MemoryStore&) = delete;
  MemoryStore& operator=(const MemoryStore&) = delete;

  Result<std::optional<uint64_t>> Size(ByteView component) override;
  // Delivers the whole component in one chunk (it is already in memory).
  Status Read(ByteView component, const std::function<Status(ByteView)>& sink) override;
  Status Write(ByteView component, ByteView data) override;
  Status WriteOwned(ByteView component, Bytes data) override;
  Status Copy(ByteView destination, ByteView source) override;
  Status Swap(ByteView a, ByteView b) override;
  Status Remove(ByteView component) override;

  Result<std::optional<ManifestRecord>> FindManifest(ByteView manifest_id) override;
  Status PutManifest(ManifestRecord record) override;
  Status RemoveManifest(ByteView manifest_id) override;
  // Ordered by manifest_id bytes.
  Result<std::vector<ManifestRecord>> ListManifests() override;

  Result<std::optional<uint64_t>> HighestSequence(ByteView manifest_id) override;
  Status RaiseSequence(ByteView manifest_id, uint64_t sequence_number) override;

  // On failure (FailNextCommit) the committed state is unchanged and the
  // staged changes are kept, so the caller decides whether to Discard.
  Status Commit() override;
  void Discard() override;

  // ---- test inspection: committed state only, ignoring anything staged ----
  std::optional<Bytes> CommittedComponent(ByteView component) const;
  std::optional<ManifestRecord> CommittedManifest(ByteView manifest_id) const;
  std::optional<uint64_t> CommittedSequence(ByteView manifest_id) const;
  size_t CommittedComponentCount() const { return components_.size(); }
  // Successful commits so far.
  size_t CommitCount() const { return commit_count_; }
  // True when something is staged (a procedure forgot to Commit or Discard).
  bool HasStagedChanges() const;

  // ---- fault injection ----------------------------------------------------
  // The next Commit returns kIoError and leaves the committed state as it
  // was, like a platform whose storage fails at the worst moment.
  void FailNextCommit() { fail_next_commit_ = true; }

 private:
  // Orders Bytes keys and finds them by ByteView without building a Bytes.
  struct BytesLess {
    using is_transparent = void;
    bool operator()(ByteView a, ByteView b) const;
  };
  using Content = std::shared_ptr<const Bytes>;
  template <typename V>
  using ByteMap = std::map<Bytes, V, BytesLess>;

  // The component as reads see it (staged, else committed); null if absent.
  Content Lookup(ByteView component) const;
  void Stage(ByteView component, Content content);

  ByteMap<Content> components_;
  ByteMap<ManifestRecord> manifests_;
  ByteMap<uint64_t> sequences_;

  // Overlay: a null Content / nullopt record marks a staged removal.
  ByteMap<Content> staged_components_;
  ByteMap<std::optional<ManifestRecord>> staged_manifests_;
  ByteMap<uint64_t> staged_sequences_;

  size_t commit_count_ = 0;
  bool fail_next_commit_ = false;
};

}  // namespace teep::suit
