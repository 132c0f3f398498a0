#include "host/suit_store/directory_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <filesystem>
#include <limits>
#include <set>
#include <system_error>
#include <utility>

#include "core/cbor/reader.h"
#include "core/cbor/writer.h"
#include "core/crypto/crypto.h"
#include "core/suit/component_id.h"

namespace teep::host {
namespace {

using suit::ManifestRecord;

constexpr char kComponents[] = "components";
constexpr char kManifests[] = "manifests";
constexpr char kSequence[] = "sequence";
constexpr const char* kKinds[] = {kComponents, kManifests, kSequence};
constexpr char kCurrent[] = "current";
constexpr char kCurrentTmp[] = "current.tmp";
constexpr char kGenPrefix[] = "gen-";
// Keys up to this size are named by their hex (2 * 100 + nothing else fits
// comfortably under NAME_MAX = 255); longer ones by a digest.
constexpr size_t kMaxHexNamedKey = 100;

// The file name of a key: never the raw bytes, which may hold '/', "..", NUL.
std::string FileName(ByteView key) {
  if (key.empty() || key.size() > kMaxHexNamedKey) {
    auto digest = crypto::Sha256(key);
    return "sha256-" + HexEncode(ByteView(digest.data(), digest.size()));
  }
  return HexEncode(key);
}

Status MakeDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) != 0) return Errno(errno, "cannot create directory", path);
  return OkStatus();
}

// Writes a new file (mode 0600) and fsyncs it. It lives in a generation that
// is not yet visible, so no temporary name is needed: until `current` moves,
// a torn file is unreachable and deleted on the next Open.
Status WriteNewFile(const std::string& path, ByteView data) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd.valid()) return Errno(errno, "cannot create", path);
  return WriteSyncAndClose(std::move(fd), data, path);
}

// Names in a directory, without "." and "..".
Result<std::vector<std::string>> ListDir(const std::string& path) {
  DIR* d = ::opendir(path.c_str());
  if (d == nullptr) return Errno(errno, "cannot open directory", path);
  std::vector<std::string> names;
  for (;;) {
    errno = 0;
    dirent* e = ::readdir(d);
    if (e == nullptr) {
      int err = errno;
      ::closedir(d);
      if (err != 0) return Errno(err, "cannot read directory", path);
      break;
    }
    std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  return names;
}

Status RemoveTree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) return Status(StatusCode::kIoError, "cannot remove " + path + ": " + ec.message());
  return OkStatus();
}

Result<Bytes> EncodeRecord(const ManifestRecord& record) {
  cbor::Writer w;
  w.BeginArray(4);
  w.WriteBytes(record.manifest_id);
  w.WriteUint(record.sequence_number);
  w.WriteBytes(record.envelope);
  w.WriteUint(record.reference_count);
  return std::move(w).Finish();
}

Result<ManifestRecord> DecodeRecord(ByteView data, const std::string& path) {
  cbor::DecodeOptions options;
  options.max_length = data.size();  // our own file: an envelope may be large
  cbor::Reader r = cbor::Reader::Open(data, options);
  uint64_t count = 0;
  ByteView id, envelope;
  ManifestRecord record;
  uint64_t refs = 0;
  if (r.ReadArrayHeader(&count) && count != 4) r.Fail(cbor::ErrorKind::kUnexpectedType);
  r.ReadBytes(&id);
  r.ReadUint(&record.sequence_number);
  r.ReadBytes(&envelope);
  r.ReadUint(&refs);
  if (r.ok() && refs > std::numeric_limits<uint32_t>::max()) r.Fail(cbor::ErrorKind::kOutOfRange);
  if (!r.ok()) return r.status().WithContext("manifest record " + path);
  record.manifest_id = ToBytes(id);
  record.envelope = ToBytes(envelope);
  record.reference_count = static_cast<uint32_t>(refs);
  return record;
}

Bytes EncodeSequence(uint64_t value) {
  cbor::Writer w;
  w.WriteUint(value);
  return std::move(w).Finish().value();  // a lone uint cannot fail
}

Result<uint64_t> DecodeSequence(ByteView data, const std::string& path) {
  cbor::Reader r = cbor::Reader::Open(data);
  uint64_t value = 0;
  r.ReadUint(&value);
  if (!r.ok()) return r.status().WithContext("sequence file " + path);
  return value;
}

// "gen-<N>" with N > 0 in canonical decimal; nullopt otherwise.
std::optional<uint64_t> ParseGenerationName(const std::string& name) {
  std::string_view prefix = kGenPrefix;
  if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) {
    return std::nullopt;
  }
  uint64_t n = 0;
  const char* first = name.data() + prefix.size();
  const char* last = name.data() + name.size();
  auto [end, ec] = std::from_chars(first, last, n);
  if (ec != std::errc() || end != last || n == 0) return std::nullopt;
  if (std::string(kGenPrefix) + std::to_string(n) != name) return std::nullopt;
  return n;
}

Status ComponentNotFound(ByteView component) {
  return Status(StatusCode::kNotFound,
                "component " + suit::DescribeEncodedComponentId(component) + " does not exist");
}

}  // namespace

bool DirectoryStore::BytesLess::operator()(ByteView a, ByteView b) const {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
}

DirectoryStore::DirectoryStore(std::string dir, UniqueFd lock, uint64_t generation)
    : dir_(std::move(dir)), lock_(std::move(lock)), generation_(generation) {}

DirectoryStore::~DirectoryStore() = default;  // closing lock_ releases the flock

Result<std::unique_ptr<DirectoryStore>> DirectoryStore::Open(const std::string& dir) {
  // Installed components may be confidential (decrypted TCs) and must not be
  // replaceable by other users: the directory must be private.
  TEEP_RETURN_IF_ERROR(EnsurePrivateDir(dir, "store"));

  // One process at a time: Open deletes generations it does not recognise,
  // which would destroy another process's commit in progress. flock is
  // released by the kernel when the holder dies, so a crash never wedges it.
  TEEP_ASSIGN_OR_RETURN(std::optional<UniqueFd> lock, TryLockExclusive(dir + "/lock"));
  if (!lock) {
    return Status(StatusCode::kIoError, "store " + dir + " is in use by another store instance");
  }
  std::unique_ptr<DirectoryStore> store(new DirectoryStore(dir, std::move(*lock), 0));

  std::string current_path = dir + "/" + kCurrent;
  char target[256];
  ssize_t n = ::readlink(current_path.c_str(), target, sizeof target - 1);
  std::string current_name;
  if (n >= 0) {
    current_name.assign(target, static_cast<size_t>(n));
    auto generation = ParseGenerationName(current_name);
    if (!generation) {
      return Status(StatusCode::kIoError,
                    current_path + " points to '" + current_name + "', not a generation");
    }
    store->generation_ = *generation;
    for (const char* kind : kKinds) {
      std::string sub = store->GenerationDir(*generation) + "/" + kind;
      struct stat sub_st {};
      if (::stat(sub.c_str(), &sub_st) != 0) return Errno(errno, "damaged store: cannot stat", sub);
    }
  } else if (errno != ENOENT) {
    return Errno(errno, "cannot read symlink", current_path);
  }
  // Without `current`, nothing was ever committed: any generation present is
  // an interrupted first commit.

  // Crash leftovers: a generation not named by `current` was being built (or
  // was about to be deleted) when the process died; a current.tmp symlink is
  // a switch that never happened. Neither holds committed state.
  TEEP_ASSIGN_OR_RETURN(std::vector<std::string> names, ListDir(dir));
  for (const std::string& name : names) {
    if (name == kCurrentTmp) {
      std::string path = dir + "/" + name;
      if (::unlink(path.c_str()) != 0) return Errno(errno, "cannot remove", path);
    } else if (ParseGenerationName(name) && name != current_name) {
      // Only canonical generation names: anything else is not ours to delete.
      TEEP_RETURN_IF_ERROR(RemoveTree(dir + "/" + name));
    }
  }
  return store;
}

std::string DirectoryStore::GenerationDir(uint64_t generation) const {
  return dir_ + "/" + kGenPrefix + std::to_string(generation);
}

std::string DirectoryStore::CommittedPath(const char* kind, ByteView key) const {
  return GenerationDir(generation_) + "/" + kind + "/" + FileName(key);
}

Result<bool> DirectoryStore::CommittedExists(ByteView component) const {
  if (generation_ == 0) return false;
  std::string path = CommittedPath(kComponents, component);
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) return true;
  if (errno == ENOENT) return false;
  return Errno(errno, "cannot stat", path);
}

Result<DirectoryStore::Source> DirectoryStore::Resolve(ByteView component) const {
  if (auto it = staged_components_.find(component); it != staged_components_.end()) {
    return it->second;
  }
  TEEP_ASSIGN_OR_RETURN(bool exists, CommittedExists(component));
  Source source;
  if (exists) source.committed_key = ToBytes(component);
  return source;
}

void DirectoryStore::Stage(ByteView component, Source source) {
  auto it = staged_components_.find(component);
  if (it == staged_components_.end()) {
    staged_components_.emplace(ToBytes(component), std::move(source));
  } else {
    it->second = std::move(source);
  }
}

Result<std::optional<uint64_t>> DirectoryStore::Size(ByteView component) {
  TEEP_ASSIGN_OR_RETURN(Source source, Resolve(component));
  if (source.data) return std::optional<uint64_t>(source.data->size());
  if (!source.committed_key) return std::optional<uint64_t>();
  std::string path = CommittedPath(kComponents, *source.committed_key);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Errno(errno, "cannot stat", path);
  return std::optional<uint64_t>(static_cast<uint64_t>(st.st_size));
}

Status DirectoryStore::Read(ByteView component, const std::function<Status(ByteView)>& sink) {
  TEEP_ASSIGN_OR_RETURN(Source source, Resolve(component));
  if (source.data) return sink(ByteView(*source.data));
  if (!source.committed_key) return ComponentNotFound(component);
  // Stream, so that digesting a large component costs one chunk of memory.
  std::string path = CommittedPath(kComponents, *source.committed_key);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return Errno(errno, "cannot open", path);
  Bytes buf(kReadChunk);
  for (;;) {
    ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno(errno, "cannot read", path);
    }
    if (n == 0) return OkStatus();
    TEEP_RETURN_IF_ERROR(sink(ByteView(buf.data(), static_cast<size_t>(n))));
  }
}

Status DirectoryStore::Write(ByteView component, ByteView data) {
  return WriteOwned(component, ToBytes(data));
}

Status DirectoryStore::WriteOwned(ByteView component, Bytes data) {
  Source source;
  source.data = std::make_shared<const Bytes>(std::move(data));
  Stage(component, std::move(source));
  return OkStatus();
}

Status DirectoryStore::Copy(ByteView destination, ByteView source) {
  TEEP_ASSIGN_OR_RETURN(Source s, Resolve(source));
  if (!s.exists()) return ComponentNotFound(source);
  Stage(destination, std::move(s));
  return OkStatus();
}

Status DirectoryStore::Swap(ByteView a, ByteView b) {
  TEEP_ASSIGN_OR_RETURN(Source sa, Resolve(a));
  if (!sa.exists()) return ComponentNotFound(a);
  TEEP_ASSIGN_OR_RETURN(Source sb, Resolve(b));
  if (!sb.exists()) return ComponentNotFound(b);
  Stage(a, std::move(sb));
  Stage(b, std::move(sa));
  return OkStatus();
}

Status DirectoryStore::Remove(ByteView component) {
  TEEP_ASSIGN_OR_RETURN(bool committed, CommittedExists(component));
  if (!committed) {
    staged_components_.erase(ToBytes(component));
    return OkStatus();
  }
  Stage(component, Source{});
  return OkStatus();
}

Result<std::optional<ManifestRecord>> DirectoryStore::ReadCommittedManifest(
    ByteView manifest_id) const {
  if (generation_ == 0) return std::optional<ManifestRecord>();
  std::string path = CommittedPath(kManifests, manifest_id);
  TEEP_ASSIGN_OR_RETURN(std::optional<Bytes> data, ReadIfPresent(path));
  if (!data) return std::optional<ManifestRecord>();
  TEEP_ASSIGN_OR_RETURN(ManifestRecord record, DecodeRecord(*data, path));
  if (!std::equal(record.manifest_id.begin(), record.manifest_id.end(), manifest_id.begin(),
                  manifest_id.end())) {
    return Status(StatusCode::kIoError, "manifest record " + path + " holds another manifest id");
  }
  return std::optional<ManifestRecord>(std::move(record));
}

Result<std::optional<ManifestRecord>> DirectoryStore::FindManifest(ByteView manifest_id) {
  if (auto it = staged_manifests_.find(manifest_id); it != staged_manifests_.end()) {
    return it->second;
  }
  return ReadCommittedManifest(manifest_id);
}

Status DirectoryStore::PutManifest(ManifestRecord record) {
  Bytes id = record.manifest_id;
  staged_manifests_.insert_or_assign(std::move(id), std::optional<ManifestRecord>(std::move(record)));
  return OkStatus();
}

Status DirectoryStore::RemoveManifest(ByteView manifest_id) {
  TEEP_ASSIGN_OR_RETURN(std::optional<ManifestRecord> committed, ReadCommittedManifest(manifest_id));
  if (!committed) {
    staged_manifests_.erase(ToBytes(manifest_id));
    return OkStatus();
  }
  staged_manifests_.insert_or_assign(ToBytes(manifest_id), std::nullopt);
  return OkStatus();
}

Result<std::vector<ManifestRecord>> DirectoryStore::ListManifests() {
  ByteMap<ManifestRecord> merged;
  if (generation_ != 0) {
    std::string sub = GenerationDir(generation_) + "/" + kManifests;
    TEEP_ASSIGN_OR_RETURN(std::vector<std::string> names, ListDir(sub));
    for (const std::string& name : names) {
      std::string path = sub + "/" + name;
      TEEP_ASSIGN_OR_RETURN(std::optional<Bytes> data, ReadIfPresent(path));
      if (!data) return Status(StatusCode::kIoError, "manifest record " + path + " vanished");
      TEEP_ASSIGN_OR_RETURN(ManifestRecord record, DecodeRecord(*data, path));
      if (FileName(record.manifest_id) != name) {
        return Status(StatusCode::kIoError, "manifest record " + path + " holds another manifest id");
      }
      Bytes key = record.manifest_id;
      merged.insert_or_assign(std::move(key), std::move(record));
    }
  }
  for (const auto& [id, record] : staged_manifests_) {
    if (record) {
      merged.insert_or_assign(id, *record);
    } else {
      merged.erase(id);
    }
  }
  std::vector<ManifestRecord> out;
  out.reserve(merged.size());
  for (auto& [id, record] : merged) out.push_back(std::move(record));
  return out;
}

Result<std::optional<uint64_t>> DirectoryStore::HighestSequence(ByteView manifest_id) {
  if (auto it = staged_sequences_.find(manifest_id); it != staged_sequences_.end()) {
    return std::optional<uint64_t>(it->second);
  }
  if (generation_ == 0) return std::optional<uint64_t>();
  std::string path = CommittedPath(kSequence, manifest_id);
  TEEP_ASSIGN_OR_RETURN(std::optional<Bytes> data, ReadIfPresent(path));
  if (!data) return std::optional<uint64_t>();
  TEEP_ASSIGN_OR_RETURN(uint64_t value, DecodeSequence(*data, path));
  return std::optional<uint64_t>(value);
}

Status DirectoryStore::RaiseSequence(ByteView manifest_id, uint64_t sequence_number) {
  TEEP_ASSIGN_OR_RETURN(std::optional<uint64_t> current, HighestSequence(manifest_id));
  // manifest-37 §8.4.2: the stored sequence number only ever rises, which is
  // what makes rollback detectable.
  if (current && sequence_number < *current) {
    return Status(StatusCode::kInvalidArgument,
                  "sequence number " + std::to_string(sequence_number) + " for " +
                      suit::DescribeEncodedComponentId(manifest_id) + " is below the stored " +
                      std::to_string(*current));
  }
  staged_sequences_.insert_or_assign(ToBytes(manifest_id), sequence_number);
  return OkStatus();
}

bool DirectoryStore::HasStagedChanges() const {
  return !staged_components_.empty() || !staged_manifests_.empty() || !staged_sequences_.empty();
}

Status DirectoryStore::BuildGeneration(const std::string& new_dir) const {
  TEEP_RETURN_IF_ERROR(MakeDir(new_dir));
  for (const char* kind : kKinds) TEEP_RETURN_IF_ERROR(MakeDir(new_dir + "/" + kind));

  // Unchanged files are hard-linked: no data is copied, and the content is
  // already durable from the commit that wrote it.
  auto link_unchanged = [&](const char* kind, const std::set<std::string>& staged) -> Status {
    if (generation_ == 0) return OkStatus();
    std::string old_sub = GenerationDir(generation_) + "/" + kind;
    TEEP_ASSIGN_OR_RETURN(std::vector<std::string> names, ListDir(old_sub));
    for (const std::string& name : names) {
      if (staged.count(name) != 0) continue;
      std::string from = old_sub + "/" + name;
      std::string to = new_dir + "/" + kind + "/" + name;
      if (::link(from.c_str(), to.c_str()) != 0) return Errno(errno, "cannot link " + from + " to", to);
    }
    return OkStatus();
  };

  // Components.
  std::set<std::string> staged_names;
  for (const auto& [key, source] : staged_components_) staged_names.insert(FileName(key));
  TEEP_RETURN_IF_ERROR(link_unchanged(kComponents, staged_names));
  for (const auto& [key, source] : staged_components_) {
    std::string to = new_dir + "/" + kComponents + "/" + FileName(key);
    if (source.data) {
      TEEP_RETURN_IF_ERROR(WriteNewFile(to, *source.data));
    } else if (source.committed_key) {
      // Copy/Swap of committed content: share the immutable file.
      std::string from = CommittedPath(kComponents, *source.committed_key);
      if (::link(from.c_str(), to.c_str()) != 0) return Errno(errno, "cannot link " + from + " to", to);
    }
  }

  // Manifest records.
  staged_names.clear();
  for (const auto& [key, record] : staged_manifests_) staged_names.insert(FileName(key));
  TEEP_RETURN_IF_ERROR(link_unchanged(kManifests, staged_names));
  for (const auto& [key, record] : staged_manifests_) {
    if (!record) continue;
    TEEP_ASSIGN_OR_RETURN(Bytes encoded, EncodeRecord(*record));
    TEEP_RETURN_IF_ERROR(WriteNewFile(new_dir + "/" + kManifests + "/" + FileName(key), encoded));
  }

  // Sequence numbers.
  staged_names.clear();
  for (const auto& [key, value] : staged_sequences_) staged_names.insert(FileName(key));
  TEEP_RETURN_IF_ERROR(link_unchanged(kSequence, staged_names));
  for (const auto& [key, value] : staged_sequences_) {
    TEEP_RETURN_IF_ERROR(
        WriteNewFile(new_dir + "/" + kSequence + "/" + FileName(key), EncodeSequence(value)));
  }

  // Make every directory entry of the new generation durable, and the
  // generation's own entry in DIR, before anything can point at it.
  for (const char* kind : kKinds) TEEP_RETURN_IF_ERROR(FsyncDir(new_dir + "/" + kind));
  TEEP_RETURN_IF_ERROR(FsyncDir(new_dir));
  return FsyncDir(dir_);
}

Status DirectoryStore::SwitchCurrent(uint64_t next) {
  std::string tmp = dir_ + "/" + kCurrentTmp;
  std::string current = dir_ + "/" + kCurrent;
  if (::unlink(tmp.c_str()) != 0 && errno != ENOENT) return Errno(errno, "cannot remove", tmp);
  // Relative target: the store directory may be moved as a whole.
  std::string target = std::string(kGenPrefix) + std::to_string(next);
  if (::symlink(target.c_str(), tmp.c_str()) != 0) return Errno(errno, "cannot create symlink", tmp);
  if (crash_point_ == CrashPoint::kBeforeRename) {
    return Status(StatusCode::kIoError, "simulated crash before renaming " + tmp);
  }
  // The commit point: rename(2) replaces `current` atomically, so any
  // observer (or a reboot) sees either the old or the new generation.
  if (::rename(tmp.c_str(), current.c_str()) != 0) {
    Status s = Errno(errno, "cannot rename " + tmp + " to", current);
    ::unlink(tmp.c_str());
    return s;
  }
  return OkStatus();
}

Status DirectoryStore::Commit() {
  if (!HasStagedChanges()) return OkStatus();
  CrashPoint crash = crash_point_;
  const uint64_t old_generation = generation_;
  const uint64_t next = generation_ + 1;
  const std::string new_dir = GenerationDir(next);
  // A Commit of this process that failed earlier may have left it behind.
  TEEP_RETURN_IF_ERROR(RemoveTree(new_dir));

  Status built = BuildGeneration(new_dir);
  if (built.ok() && crash == CrashPoint::kBeforeSwitch) {
    crash_point_ = CrashPoint::kNone;
    return Status(StatusCode::kIoError, "simulated crash before switching to " + new_dir);
  }
  if (built.ok()) built = SwitchCurrent(next);
  if (crash == CrashPoint::kBeforeRename) {
    crash_point_ = CrashPoint::kNone;
    return built;
  }
  if (!built.ok()) {
    (void)RemoveTree(new_dir);  // best effort; Open removes it otherwise
    return built;
  }

  // `current` now names the new generation: the commit has happened.
  generation_ = next;
  Discard();
  // Until DIR is fsynced the rename may be lost in a power cut, leaving the
  // old `current`; so the old generation must survive until then. If the
  // fsync fails, keep it and report the commit as not known to be durable.
  if (Status synced = FsyncDir(dir_); !synced.ok()) {
    return synced.WithContext("committed " + new_dir + " but it may not survive a crash");
  }
  if (crash == CrashPoint::kAfterSwitch) {
    crash_point_ = CrashPoint::kNone;
    return Status(StatusCode::kIoError, "simulated crash before deleting the old generation");
  }
  // Failure to delete is harmless: Open removes any generation not current.
  if (old_generation != 0) (void)RemoveTree(GenerationDir(old_generation));
  return OkStatus();
}

void DirectoryStore::Discard() {
  staged_components_.clear();
  staged_manifests_.clear();
  staged_sequences_.clear();
}

}  // namespace teep::host
