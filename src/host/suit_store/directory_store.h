// A ComponentStore (core/suit/component_store.h) kept in a directory, for
// the CLI and the simulated TEE.
//
// Layout:
//   DIR/lock                      flock()ed while a store is open (one writer)
//   DIR/current -> gen-<N>        the committed generation (relative symlink)
//   DIR/gen-<N>/components/<name> component contents
//   DIR/gen-<N>/manifests/<name>  ManifestRecord as deterministic CBOR
//                                 [manifest_id, sequence, envelope, refcount]
//   DIR/gen-<N>/sequence/<name>   highest sequence number, a CBOR uint
// <name> is the lower-case hex of the key (the encoded component id), or
// "sha256-<hex of its SHA-256>" for an empty key or one over 100 bytes
// (NAME_MAX is 255). Raw key bytes never reach a path.
//
// Commit is atomic across all files: it builds gen-<N+1> beside the
// committed generation (hard links for unchanged files, new fsynced files
// for changed ones), then replaces `current` with one rename(2). A crash
// before the rename leaves gen-<N> in force; a crash after it leaves
// gen-<N+1>. Files inside a generation are never modified once written, so
// generations can share them through hard links. Open deletes every
// generation that `current` does not name (leftovers of a crash).
//
// Staged changes live in memory until Commit; committed components are read
// from their files in 64 KiB chunks, never loaded whole.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/suit/component_store.h"
#include "host/io/posix.h"

namespace teep::host {

class DirectoryStore final : public suit::ComponentStore {
 public:
  // Opens (creating with mode 0700 when absent) the store in `dir`. Refuses a
  // path that is not a directory, a directory that grants group or other
  // users any permission, and a store already open elsewhere.
  static Result<std::unique_ptr<DirectoryStore>> Open(const std::string& dir);
  ~DirectoryStore() override;
  DirectoryStore(const DirectoryStore&) = delete;
  DirectoryStore& operator=(const DirectoryStore&) = delete;

  Result<std::optional<uint64_t>> Size(ByteView component) override;
  Status Read(ByteView component, const std::function<Status(ByteView)>& sink) override;
  Status Write(ByteView component, ByteView data) override;
  Status WriteOwned(ByteView component, Bytes data) override;
  Status Copy(ByteView destination, ByteView source) override;
  Status Swap(ByteView a, ByteView b) override;
  Status Remove(ByteView component) override;

  Result<std::optional<suit::ManifestRecord>> FindManifest(ByteView manifest_id) override;
  Status PutManifest(suit::ManifestRecord record) override;
  Status RemoveManifest(ByteView manifest_id) override;
  // Ordered by manifest_id bytes.
  Result<std::vector<suit::ManifestRecord>> ListManifests() override;

  Result<std::optional<uint64_t>> HighestSequence(ByteView manifest_id) override;
  Status RaiseSequence(ByteView manifest_id, uint64_t sequence_number) override;

  // On failure before the switch of `current`, the committed state is
  // unchanged and the staged changes are kept (the caller may Discard).
  Status Commit() override;
  void Discard() override;

  const std::string& directory() const { return dir_; }
  // The committed generation; 0 before the first commit.
  uint64_t generation() const { return generation_; }
  // Chunk size of Read for committed components.
  static constexpr size_t kReadChunk = 64 * 1024;

  // ---- test hooks: simulate a crash inside the next Commit -----------------
  // Commit stops at the given point, returns kIoError and leaves the files as
  // a killed process would. The store must then be destroyed and reopened.
  enum class CrashPoint {
    kNone,
    kBeforeSwitch,  // gen-<N+1> fully written, `current` untouched
    kBeforeRename,  // the new symlink exists under its temporary name
    kAfterSwitch,   // `current` replaced, old generation not yet deleted
  };
  void CrashInNextCommitForTest(CrashPoint point) { crash_point_ = point; }

 private:
  struct BytesLess {
    using is_transparent = void;
    bool operator()(ByteView a, ByteView b) const;
  };
  template <typename V>
  using ByteMap = std::map<Bytes, V, BytesLess>;

  // A component as the staged view sees it. Exactly one of: `data` (new
  // content held in memory), `committed_key` (the content of that key's file
  // in the committed generation, linked at commit instead of copied), or
  // neither (removed).
  struct Source {
    std::shared_ptr<const Bytes> data;
    std::optional<Bytes> committed_key;
    bool exists() const { return data || committed_key; }
  };

  DirectoryStore(std::string dir, UniqueFd lock, uint64_t generation);

  std::string GenerationDir(uint64_t generation) const;
  std::string CommittedPath(const char* kind, ByteView key) const;
  Result<bool> CommittedExists(ByteView component) const;
  // The staged view of a component; a Source that does not exist if absent.
  Result<Source> Resolve(ByteView component) const;
  void Stage(ByteView component, Source source);
  Result<std::optional<suit::ManifestRecord>> ReadCommittedManifest(ByteView manifest_id) const;
  bool HasStagedChanges() const;

  Status BuildGeneration(const std::string& new_dir) const;
  Status SwitchCurrent(uint64_t next);

  std::string dir_;
  UniqueFd lock_;  // holds the flock on DIR/lock for the store's life
  uint64_t generation_ = 0;
  CrashPoint crash_point_ = CrashPoint::kNone;

  ByteMap<Source> staged_components_;
  ByteMap<std::optional<suit::ManifestRecord>> staged_manifests_;  // nullopt: removed
  ByteMap<uint64_t> staged_sequences_;
};

}  // namespace teep::host
