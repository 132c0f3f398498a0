// POSIX primitives shared by the host-side stores (host/suit_store, the
// simulated TEE in host/tee_sim): an owning file descriptor, errno-based
// errors, private directories, durable writes and exclusive locks.
// Errors are kIoError (kInvalidArgument for an unsafe directory) and name
// the path.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/base/bytes.h"
#include "core/base/status.h"

namespace teep::host {

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
  // Closes now, ignoring close(2)'s result.
  void Reset();
  // Closes now and returns close(2)'s result (0 if nothing was open): close
  // reports delayed write errors, which a writer must not ignore.
  int Close();

 private:
  int fd_ = -1;
};

// A kIoError "<what> <path>: <strerror(err)>". Takes errno by value: capture
// it before any other call can change it.
Status Errno(int err, std::string_view what, const std::string& path);

// Creates `dir` with mode 0700 if absent (one level; the parent must exist).
// Refuses a path that is not a directory, and a directory that grants group
// or other users any access: the state kept there must be private to its
// owner. `label` (e.g. "store") prefixes the refusal messages.
Status EnsurePrivateDir(const std::string& dir, std::string_view label = {});

// Makes the directory entries of `dir` durable (a rename, link or unlink in
// it survives a power cut only once the directory itself is fsynced).
Status FsyncDir(const std::string& dir);

// Writes all of `data` to `fd` (retrying on EINTR and short writes).
// `path` only names the file in errors.
Status WriteAll(int fd, ByteView data, const std::string& path);

// WriteAll, then fsync and close `fd`, reporting a failure of either.
Status WriteSyncAndClose(UniqueFd fd, ByteView data, const std::string& path);

// host::WriteFile (temporary file, fsync, rename, mode 0600) followed by an
// fsync of the parent directory, so the new content is durable on return.
Status WriteDurable(const std::string& path, ByteView data);

// Reads `fd` to its end. `path` only names the file in errors.
Result<Bytes> ReadAll(int fd, const std::string& path);

// The whole file, or nullopt when it does not exist.
Result<std::optional<Bytes>> ReadIfPresent(const std::string& path);

// Opens (creating, mode 0600) `lock_path` and takes an exclusive flock on it
// without waiting; nullopt when another open file description holds it (in
// this process or another). The kernel drops the lock when the holder dies,
// so a crash never wedges it.
Result<std::optional<UniqueFd>> TryLockExclusive(const std::string& lock_path);

// TryLockExclusive, with a kIoError saying that `what` is in use by another
// process when the lock is held.
Result<UniqueFd> LockExclusive(const std::string& lock_path, std::string_view what);

}  // namespace teep::host
