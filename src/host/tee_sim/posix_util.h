// The POSIX primitives the simulated TEE's pieces share: an owning file
// descriptor, private directories, durable writes and exclusive locks.
//
// host/suit_store/directory_store.cc has equivalents private to that file;
// both belong in host/io once a third user needs them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/base/bytes.h"
#include "core/base/status.h"

namespace teep::host::tee_sim {

// Owns a file descriptor and closes it on destruction. Movable, so that the
// objects holding a lock or a socket can be returned by value.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { Reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void Reset();

 private:
  int fd_ = -1;
};

// A kIoError naming the operation, the path and strerror(err). Takes errno
// by value: capture it before any other call can change it.
Status Errno(int err, std::string_view what, const std::string& path);

// Creates `dir` with mode 0700 if absent (one level; the parent must exist).
// Refuses a path that is not a directory, and a directory that grants group
// or other users any access: TEE state must be private to its owner.
Status EnsurePrivateDir(const std::string& dir);

// Makes the directory entries of `dir` durable (a rename or unlink in it
// survives a power cut only once the directory itself is fsynced).
Status FsyncDir(const std::string& dir);

// host::WriteFile (temporary file, fsync, rename, mode 0600) followed by an
// fsync of the parent directory, so the new content is durable on return.
Status WriteDurable(const std::string& path, ByteView data);

// The whole file, or nullopt when it does not exist.
Result<std::optional<Bytes>> ReadIfPresent(const std::string& path);

// Opens (creating, mode 0600) `lock_path` and takes an exclusive flock on it
// without waiting. The kernel drops the lock when the holder dies, so a crash
// never wedges it. When another holder has it, the kIoError says that
// `what` is in use by another process.
Result<UniqueFd> LockExclusive(const std::string& lock_path, std::string_view what);

}  // namespace teep::host::tee_sim
