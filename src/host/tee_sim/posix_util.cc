#include "host/tee_sim/posix_util.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "host/io/file.h"

namespace teep::host::tee_sim {

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    Reset();
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

void UniqueFd::Reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Status Errno(int err, std::string_view what, const std::string& path) {
  std::string message(what);
  message += " " + path + ": " + std::strerror(err);
  return Status(StatusCode::kIoError, std::move(message));
}

Status EnsurePrivateDir(const std::string& dir) {
  if (dir.empty()) return Status(StatusCode::kInvalidArgument, "directory: empty path");
  if (::mkdir(dir.c_str(), 0700) == 0) {
    // The umask can only remove bits; make the mode exact regardless.
    if (::chmod(dir.c_str(), 0700) != 0) return Errno(errno, "cannot chmod", dir);
  } else if (errno != EEXIST) {
    return Errno(errno, "cannot create directory", dir);
  }
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return Errno(errno, "cannot stat", dir);
  if (!S_ISDIR(st.st_mode)) {
    return Status(StatusCode::kInvalidArgument, dir + " exists and is not a directory");
  }
  // Keys and sealed blobs must not be readable or replaceable by other
  // users; insist on a private directory, as ssh does for ~/.ssh.
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Status(StatusCode::kInvalidArgument,
                  dir + " has mode " + mode + ", allowing access by other users; chmod 700 it");
  }
  return OkStatus();
}

Status FsyncDir(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return Errno(errno, "cannot open directory", dir);
  if (::fsync(fd.get()) != 0) return Errno(errno, "cannot fsync directory", dir);
  return OkStatus();
}

Status WriteDurable(const std::string& path, ByteView data) {
  TEEP_RETURN_IF_ERROR(WriteFile(path, data, /*private_file=*/true));
  std::string parent = std::filesystem::path(path).parent_path().string();
  return FsyncDir(parent.empty() ? "." : parent);
}

Result<std::optional<Bytes>> ReadIfPresent(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return std::optional<Bytes>();
    return Errno(errno, "cannot stat", path);
  }
  TEEP_ASSIGN_OR_RETURN(Bytes data, ReadFile(path));
  return std::optional<Bytes>(std::move(data));
}

Result<UniqueFd> LockExclusive(const std::string& lock_path, std::string_view what) {
  UniqueFd fd(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!fd.valid()) return Errno(errno, "cannot open", lock_path);
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      return Status(StatusCode::kIoError, std::string(what) +
                                              " is in use by another process (it holds the lock " +
                                              lock_path + ")");
    }
    return Errno(errno, "cannot lock", lock_path);
  }
  return fd;
}

}  // namespace teep::host::tee_sim
