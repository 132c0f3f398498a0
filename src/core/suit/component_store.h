// Where a SUIT processor's effects land (draft-ietf-suit-manifest-37 §6.5:
// the processor writes, copies, swaps and removes components; trust-domains
// §6 adds installed manifests and their reference counts). The platform
// supplies the store; teep provides an in-memory store (tests, fuzzing) and
// a directory-backed one (CLI, simulated TEE).
//
// Transaction model: every change (component writes, copies, swaps,
// removals, manifest records, sequence numbers) is staged. Reads through
// the same store see the staged state at once; nothing becomes durable or
// visible to anyone else until Commit(). Discard() drops everything staged.
// A failed procedure therefore never leaves a half-written component behind
// (issue 4: "install is staged and committed"). Commit() is atomic per
// store: after a crash, either all of a commit is visible or none of it.
//
// Components are named by their encoded SUIT_Component_Identifier (see
// component_id.h); a store must treat the key as opaque bytes and never
// build a path from it without escaping.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"

namespace teep::suit {

// An installed manifest (trust-domains §6: a root or dependency manifest is
// kept so that its uninstall section can run when it is unlinked).
struct ManifestRecord {
  Bytes manifest_id;          // encoded manifest component id (the slot)
  uint64_t sequence_number = 0;
  Bytes envelope;             // the authenticated envelope as installed
  // How many installed manifests depend on this one, plus one when it was
  // installed as a root (trust-domains §6.2 unlink / reference counting).
  uint32_t reference_count = 0;
};

class ComponentStore {
 public:
  virtual ~ComponentStore() = default;

  // ---- components --------------------------------------------------------
  // nullopt when the component does not exist (staged state).
  virtual Result<std::optional<uint64_t>> Size(ByteView component) = 0;
  // Feeds the component's bytes to `sink` in order, in one or more chunks, so
  // that a digest can be computed without holding a second copy. kNotFound
  // when absent; a sink error stops the read and is returned unchanged.
  virtual Status Read(ByteView component, const std::function<Status(ByteView)>& sink) = 0;
  // Replaces the component's content (creating it when absent).
  virtual Status Write(ByteView component, ByteView data) = 0;
  // Same, taking ownership: lets an in-memory store keep the buffer instead
  // of copying it (one copy of a payload in memory, issue 4 performance).
  virtual Status WriteOwned(ByteView component, Bytes data) { return Write(component, data); }
  // destination := source; kNotFound when the source is absent.
  virtual Status Copy(ByteView destination, ByteView source) = 0;
  // Exchanges two components; kNotFound unless both exist.
  virtual Status Swap(ByteView a, ByteView b) = 0;
  // Removes a component; removing an absent one is OK.
  virtual Status Remove(ByteView component) = 0;

  // ---- manifests ---------------------------------------------------------
  virtual Result<std::optional<ManifestRecord>> FindManifest(ByteView manifest_id) = 0;
  // Inserts or replaces the record with the same manifest_id.
  // Taken by value: a record can hold a large manifest (TEEP E.3 carries the
  // ciphertext inside it), so callers move it in rather than copy.
  virtual Status PutManifest(ManifestRecord record) = 0;
  // Removing an absent record is OK.
  virtual Status RemoveManifest(ByteView manifest_id) = 0;
  virtual Result<std::vector<ManifestRecord>> ListManifests() = 0;

  // ---- rollback protection (manifest-37 §8.4.2) ---------------------------
  // The highest sequence number ever committed for a manifest slot; it
  // survives RemoveManifest, so a deleted TC cannot be rolled back by
  // re-installing an older manifest. nullopt when never set.
  virtual Result<std::optional<uint64_t>> HighestSequence(ByteView manifest_id) = 0;
  // Raises the stored value; lowering it is kInvalidArgument.
  virtual Status RaiseSequence(ByteView manifest_id, uint64_t sequence_number) = 0;

  // ---- transaction -------------------------------------------------------
  virtual Status Commit() = 0;
  virtual void Discard() = 0;
};

}  // namespace teep::suit
