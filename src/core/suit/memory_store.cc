#include "core/suit/memory_store.h"

#include <algorithm>
#include <string>
#include <utility>

#include "core/suit/component_id.h"

namespace teep::suit {
namespace {

Status ComponentNotFound(ByteView component) {
  return Status(StatusCode::kNotFound,
                "component " + DescribeEncodedComponentId(component) + " does not exist");
}

}  // namespace

bool MemoryStore::BytesLess::operator()(ByteView a, ByteView b) const {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
}

MemoryStore::Content MemoryStore::Lookup(ByteView component) const {
  if (auto it = staged_components_.find(component); it != staged_components_.end()) {
    return it->second;
  }
  if (auto it = components_.find(component); it != components_.end()) return it->second;
  return nullptr;
}

void MemoryStore::Stage(ByteView component, Content content) {
  auto it = staged_components_.find(component);
  if (it == staged_components_.end()) {
    staged_components_.emplace(ToBytes(component), std::move(content));
  } else {
    it->second = std::move(content);
  }
}

Result<std::optional<uint64_t>> MemoryStore::Size(ByteView component) {
  Content c = Lookup(component);
  if (!c) return std::optional<uint64_t>();
  return std::optional<uint64_t>(c->size());
}

Status MemoryStore::Read(ByteView component, const std::function<Status(ByteView)>& sink) {
  // Hold a reference so the buffer outlives a sink that modifies the store.
  Content c = Lookup(component);
  if (!c) return ComponentNotFound(component);
  return sink(ByteView(*c));
}

Status MemoryStore::Write(ByteView component, ByteView data) {
  Stage(component, std::make_shared<const Bytes>(data.begin(), data.end()));
  return OkStatus();
}

Status MemoryStore::WriteOwned(ByteView component, Bytes data) {
  Stage(component, std::make_shared<const Bytes>(std::move(data)));
  return OkStatus();
}

Status MemoryStore::Copy(ByteView destination, ByteView source) {
  Content c = Lookup(source);
  if (!c) return ComponentNotFound(source);
  // Contents are immutable, so sharing the buffer is a copy.
  Stage(destination, std::move(c));
  return OkStatus();
}

Status MemoryStore::Swap(ByteView a, ByteView b) {
  Content ca = Lookup(a);
  if (!ca) return ComponentNotFound(a);
  Content cb = Lookup(b);
  if (!cb) return ComponentNotFound(b);
  Stage(a, std::move(cb));
  Stage(b, std::move(ca));
  return OkStatus();
}

Status MemoryStore::Remove(ByteView component) {
  // A removal of something never committed simply drops the staged write.
  if (components_.find(component) == components_.end()) {
    if (auto it = staged_components_.find(component); it != staged_components_.end()) {
      staged_components_.erase(it);
    }
    return OkStatus();
  }
  Stage(component, nullptr);
  return OkStatus();
}

Result<std::optional<ManifestRecord>> MemoryStore::FindManifest(ByteView manifest_id) {
  if (auto it = staged_manifests_.find(manifest_id); it != staged_manifests_.end()) {
    return it->second;
  }
  if (auto it = manifests_.find(manifest_id); it != manifests_.end()) {
    return std::optional<ManifestRecord>(it->second);
  }
  return std::optional<ManifestRecord>();
}

Status MemoryStore::PutManifest(ManifestRecord record) {
  Bytes id = record.manifest_id;
  staged_manifests_.insert_or_assign(std::move(id), std::optional<ManifestRecord>(std::move(record)));
  return OkStatus();
}

Status MemoryStore::RemoveManifest(ByteView manifest_id) {
  auto staged = staged_manifests_.find(manifest_id);
  if (manifests_.find(manifest_id) == manifests_.end()) {
    if (staged != staged_manifests_.end()) staged_manifests_.erase(staged);
    return OkStatus();
  }
  if (staged != staged_manifests_.end()) {
    staged->second.reset();
  } else {
    staged_manifests_.emplace(ToBytes(manifest_id), std::nullopt);
  }
  return OkStatus();
}

Result<std::vector<ManifestRecord>> MemoryStore::ListManifests() {
  std::vector<ManifestRecord> out;
  // Merge two ordered maps; a staged entry shadows the committed one.
  auto c = manifests_.begin();
  auto s = staged_manifests_.begin();
  BytesLess less;
  while (c != manifests_.end() || s != staged_manifests_.end()) {
    if (s == staged_manifests_.end() || (c != manifests_.end() && less(c->first, s->first))) {
      out.push_back(c->second);
      ++c;
      continue;
    }
    bool same_key = c != manifests_.end() && !less(s->first, c->first);
    if (s->second) out.push_back(*s->second);
    ++s;
    if (same_key) ++c;
  }
  return out;
}

Result<std::optional<uint64_t>> MemoryStore::HighestSequence(ByteView manifest_id) {
  if (auto it = staged_sequences_.find(manifest_id); it != staged_sequences_.end()) {
    return std::optional<uint64_t>(it->second);
  }
  if (auto it = sequences_.find(manifest_id); it != sequences_.end()) {
    return std::optional<uint64_t>(it->second);
  }
  return std::optional<uint64_t>();
}

Status MemoryStore::RaiseSequence(ByteView manifest_id, uint64_t sequence_number) {
  TEEP_ASSIGN_OR_RETURN(std::optional<uint64_t> current, HighestSequence(manifest_id));
  // manifest-37 §8.4.2: the stored sequence number only ever rises, which is
  // what makes rollback detectable.
  if (current && sequence_number < *current) {
    return Status(StatusCode::kInvalidArgument,
                  "sequence number " + std::to_string(sequence_number) + " for " +
                      DescribeEncodedComponentId(manifest_id) + " is below the stored " +
                      std::to_string(*current));
  }
  staged_sequences_.insert_or_assign(ToBytes(manifest_id), sequence_number);
  return OkStatus();
}

Status MemoryStore::Commit() {
  if (fail_next_commit_) {
    fail_next_commit_ = false;
    return Status(StatusCode::kIoError, "memory store: injected commit failure");
  }
  for (auto& [key, content] : staged_components_) {
    if (content) {
      components_.insert_or_assign(key, std::move(content));
    } else {
      components_.erase(key);
    }
  }
  for (auto& [key, record] : staged_manifests_) {
    if (record) {
      manifests_.insert_or_assign(key, std::move(*record));
    } else {
      manifests_.erase(key);
    }
  }
  for (auto& [key, value] : staged_sequences_) sequences_.insert_or_assign(key, value);
  Discard();
  ++commit_count_;
  return OkStatus();
}

void MemoryStore::Discard() {
  staged_components_.clear();
  staged_manifests_.clear();
  staged_sequences_.clear();
}

bool MemoryStore::HasStagedChanges() const {
  return !staged_components_.empty() || !staged_manifests_.empty() || !staged_sequences_.empty();
}

std::optional<Bytes> MemoryStore::CommittedComponent(ByteView component) const {
  auto it = components_.find(component);
  if (it == components_.end()) return std::nullopt;
  return *it->second;
}

std::optional<ManifestRecord> MemoryStore::CommittedManifest(ByteView manifest_id) const {
  auto it = manifests_.find(manifest_id);
  if (it == manifests_.end()) return std::nullopt;
  return it->second;
}

std::optional<uint64_t> MemoryStore::CommittedSequence(ByteView manifest_id) const {
  auto it = sequences_.find(manifest_id);
  if (it == sequences_.end()) return std::nullopt;
  return it->second;
}

}  // namespace teep::suit
