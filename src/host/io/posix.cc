#include "host/io/posix.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "host/io/file.h"

namespace teep::host {

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

int UniqueFd::Close() {
  int fd = std::exchange(fd_, -1);
  return fd >= 0 ? ::close(fd) : 0;
}

Status Errno(int err, std::string_view what, const std::string& path) {
  std::string message(what);
  message += " " + path + ": " + std::strerror(err);
  return Status(StatusCode::kIoError, std::move(message));
}

Status EnsurePrivateDir(const std::string& dir, std::string_view label) {
  std::string prefix = label.empty() ? std::string() : std::string(label) + " ";
  if (dir.empty()) return Status(StatusCode::kInvalidArgument, prefix + "directory: empty path");
  if (::mkdir(dir.c_str(), 0700) == 0) {
    // The umask can only remove bits; make the mode exact regardless.
    if (::chmod(dir.c_str(), 0700) != 0) return Errno(errno, "cannot chmod", dir);
  } else if (errno != EEXIST) {
    return Errno(errno, "cannot create directory", dir);
  }
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return Errno(errno, "cannot stat", dir);
  if (!S_ISDIR(st.st_mode)) {
    return Status(StatusCode::kInvalidArgument, prefix + dir + " exists and is not a directory");
  }
  // Keys, sealed blobs and installed components (possibly decrypted TCs)
  // must not be readable or replaceable by other users; insist on a private
  // directory, as ssh does for ~/.ssh.
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Status(
        StatusCode::kInvalidArgument,
        prefix + dir + " has mode " + mode + ", allowing access by other users; chmod 700 it");
  }
  return OkStatus();
}

Status FsyncDir(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return Errno(errno, "cannot open directory", dir);
  if (::fsync(fd.get()) != 0) return Errno(errno, "cannot fsync directory", dir);
  if (fd.Close() != 0) return Errno(errno, "cannot close directory", dir);
  return OkStatus();
}

Status WriteAll(int fd, ByteView data, const std::string& path) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno(errno, "cannot write", path);
    }
    done += static_cast<size_t>(n);
  }
  return OkStatus();
}

Status WriteSyncAndClose(UniqueFd fd, ByteView data, const std::string& path) {
  TEEP_RETURN_IF_ERROR(WriteAll(fd.get(), data, path));
  if (::fsync(fd.get()) != 0) return Errno(errno, "cannot fsync", path);
  if (fd.Close() != 0) return Errno(errno, "cannot close", path);
  return OkStatus();
}

Status WriteDurable(const std::string& path, ByteView data) {
  TEEP_RETURN_IF_ERROR(WriteFile(path, data, /*private_file=*/true));
  std::string parent = std::filesystem::path(path).parent_path().string();
  return FsyncDir(parent.empty() ? "." : parent);
}

Result<Bytes> ReadAll(int fd, const std::string& path) {
  Bytes out;
  uint8_t buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno(errno, "cannot read", path);
    }
    if (n == 0) return out;
    out.insert(out.end(), buf, buf + n);
  }
}

Result<std::optional<Bytes>> ReadIfPresent(const std::string& path) {
  // Open first and treat ENOENT there, rather than stat then open: a file
  // removed in between is then absent, not an error.
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return std::optional<Bytes>();
    return Errno(errno, "cannot open", path);
  }
  TEEP_ASSIGN_OR_RETURN(Bytes data, ReadAll(fd.get(), path));
  return std::optional<Bytes>(std::move(data));
}

Result<std::optional<UniqueFd>> TryLockExclusive(const std::string& lock_path) {
  UniqueFd fd(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!fd.valid()) return Errno(errno, "cannot open", lock_path);
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) return std::optional<UniqueFd>();
    return Errno(errno, "cannot lock", lock_path);
  }
  return std::optional<UniqueFd>(std::move(fd));
}

Result<UniqueFd> LockExclusive(const std::string& lock_path, std::string_view what) {
  TEEP_ASSIGN_OR_RETURN(std::optional<UniqueFd> fd, TryLockExclusive(lock_path));
  if (!fd) {
    return Status(
        StatusCode::kIoError,
        std::string(what) + " is in use by another process (it holds the lock " + lock_path + ")");
  }
  return std::move(*fd);
}

}  // namespace teep::host
