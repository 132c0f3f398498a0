#include "host/tee_sim/channel.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <thread>
#include <utility>

namespace teep::host::tee_sim {
namespace {

constexpr size_t kLengthSize = 4;
constexpr int kListenBacklog = 16;
constexpr auto kConnectRetryInterval = std::chrono::milliseconds(10);

Result<sockaddr_un> SocketAddress(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  // sun_path must hold the path and its NUL; an abstract (leading NUL) or
  // empty name is not a file and would escape the 0600 mode.
  if (path.empty() || path.size() >= sizeof addr.sun_path || path.find('\0') != std::string::npos) {
    return Status(StatusCode::kInvalidArgument,
                  "socket path '" + path + "': must be 1 to " +
                      std::to_string(sizeof addr.sun_path - 1) + " bytes");
  }
  std::memcpy(addr.sun_path, path.data(), path.size());
  return addr;
}

int ConnectSocket(int fd, const sockaddr_un& addr) {
  return ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
}

// Waits until `fd` is ready for `events` (true), or until `stop_fd` (ignored
// when -1) is readable while `fd` is not (false). Readiness wins, so a reply
// that can be sent is sent even when a stop is pending.
bool WaitFor(int fd, short events, int stop_fd) {
  for (;;) {
    pollfd fds[2] = {{fd, events, 0}, {stop_fd, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    // POLLHUP / POLLERR count as ready: the following recv or send reports them.
    if (fds[0].revents != 0) return true;
    if (fds[1].revents != 0) return false;
  }
}

bool IsReadable(int fd) {
  pollfd pfd = {fd, POLLIN, 0};
  return ::poll(&pfd, 1, 0) > 0;
}

enum class Received { kFrame, kClosed, kTruncated, kStopped, kBadLength };

// Reads exactly out.size() bytes. kClosed if the peer closed (or the
// connection broke) before the first byte, kTruncated after it.
Received ReadExact(int fd, std::span<uint8_t> out, int stop_fd) {
  size_t done = 0;
  while (done < out.size()) {
    if (!WaitFor(fd, POLLIN, stop_fd)) return Received::kStopped;
    ssize_t n = ::recv(fd, out.data() + done, out.size() - done, MSG_DONTWAIT);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) return done == 0 ? Received::kClosed : Received::kTruncated;
    done += static_cast<size_t>(n);
  }
  return Received::kFrame;
}

struct Frame {
  uint8_t code = 0;
  Bytes payload;
  uint32_t length = 0;  // the length field as received
};

Received ReadFrame(int fd, int stop_fd, Frame* frame) {
  std::array<uint8_t, kLengthSize> length_bytes{};
  Received r = ReadExact(fd, length_bytes, stop_fd);
  if (r != Received::kFrame) return r;
  frame->length = 0;
  for (uint8_t b : length_bytes) frame->length = (frame->length << 8) | b;
  // Checked before allocating: the length is the peer's claim, not a fact.
  if (frame->length == 0 || frame->length > kMaxFrameLength) return Received::kBadLength;
  r = ReadExact(fd, std::span<uint8_t>(&frame->code, 1), stop_fd);
  if (r != Received::kFrame) return r == Received::kClosed ? Received::kTruncated : r;
  frame->payload.resize(frame->length - 1);
  r = ReadExact(fd, frame->payload, stop_fd);
  return r == Received::kClosed ? Received::kTruncated : r;
}

// MSG_NOSIGNAL: a peer that went away is an error return, not a SIGPIPE
// that kills the process.
bool WriteAll(int fd, ByteView data, int stop_fd) {
  size_t done = 0;
  while (done < data.size()) {
    if (!WaitFor(fd, POLLOUT, stop_fd)) return false;
    ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// The caller has checked that payload.size() < kMaxFrameLength.
bool WriteFrame(int fd, uint8_t code, ByteView payload, int stop_fd) {
  const uint32_t length = static_cast<uint32_t>(payload.size() + 1);
  const std::array<uint8_t, kLengthSize + 1> header = {
      static_cast<uint8_t>(length >> 24), static_cast<uint8_t>(length >> 16),
      static_cast<uint8_t>(length >> 8), static_cast<uint8_t>(length), code};
  return WriteAll(fd, header, stop_fd) && WriteAll(fd, payload, stop_fd);
}

bool WriteError(int fd, const Status& status, int stop_fd) {
  return WriteFrame(fd, kReplyError, AsBytes(status.ToString()), stop_fd);
}

Status FrameTooLarge(std::string_view what, size_t payload_size) {
  return Status(StatusCode::kLimitExceeded,
                std::string(what) + " payload of " + std::to_string(payload_size) +
                    " bytes does not fit a frame (limit " + std::to_string(kMaxFrameLength - 1) +
                    ")");
}

// The socket's mode keeps other users out; this is the check that holds even
// if the mode is loosened, as a TEE driver checks its caller.
bool PeerIsOurUser(int fd) {
  ucred cred{};
  socklen_t len = sizeof cred;
  return ::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 && cred.uid == ::geteuid();
}

// Removes the socket file of a server that died, and only that: not a file of
// another kind, and not a socket something still listens on.
Status RemoveStaleSocket(const std::string& path, const sockaddr_un& addr) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return Errno(errno, "cannot stat", path);
  if (!S_ISSOCK(st.st_mode)) {
    return Status(StatusCode::kInvalidArgument,
                  path + " exists and is not a socket; refusing to replace it");
  }
  UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!probe.valid()) return Errno(errno, "cannot create a socket to probe", path);
  // EAGAIN: the listener's backlog is full, so it is alive.
  if (ConnectSocket(probe.get(), addr) == 0 || errno == EAGAIN) {
    return Status(StatusCode::kIoError, "another process is listening at " + path);
  }
  if (errno != ECONNREFUSED) return Errno(errno, "cannot probe socket", path);
  if (::unlink(path.c_str()) != 0) return Errno(errno, "cannot remove stale socket", path);
  return OkStatus();
}

}  // namespace

std::string_view OpName(Op op) {
  switch (op) {
    case Op::kProcessTeepMessage: return "ProcessTeepMessage";
    case Op::kRequestTa: return "RequestTA";
    case Op::kUnrequestTa: return "UnrequestTA";
    case Op::kRequestPolicyCheck: return "RequestPolicyCheck";
    case Op::kProcessError: return "ProcessError";
    case Op::kListTcs: return "ListTCs";
    case Op::kShutdown: return "Shutdown";
  }
  return {};
}

// ---- server ------------------------------------------------------------------------------

ChannelServer::ChannelServer(std::string socket_path, UniqueFd lock, UniqueFd listener,
                             UniqueFd stop_read, UniqueFd stop_write)
    : socket_path_(std::move(socket_path)),
      lock_(std::move(lock)),
      listener_(std::move(listener)),
      stop_read_(std::move(stop_read)),
      stop_write_(std::move(stop_write)) {}

ChannelServer::~ChannelServer() {
  // Still under the lock, so this cannot remove a successor's socket.
  ::unlink(socket_path_.c_str());
}

Result<std::unique_ptr<ChannelServer>> ChannelServer::Listen(std::string socket_path) {
  TEEP_ASSIGN_OR_RETURN(sockaddr_un addr, SocketAddress(socket_path));
  TEEP_ASSIGN_OR_RETURN(UniqueFd lock,
                        LockExclusive(socket_path + ".lock", "TEE socket " + socket_path));
  // Non-blocking, so that accept after poll cannot hang on a connection the
  // client already abandoned.
  UniqueFd listener(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!listener.valid()) return Errno(errno, "cannot create socket for", socket_path);
  auto bind = [&] {
    return ::bind(listener.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  };
  if (bind() != 0) {
    if (errno != EADDRINUSE) return Errno(errno, "cannot bind", socket_path);
    TEEP_RETURN_IF_ERROR(RemoveStaleSocket(socket_path, addr));
    if (bind() != 0) return Errno(errno, "cannot bind", socket_path);
  }
  // bind created the file with the umask's mode; until listen nobody can
  // connect, so setting 0600 here leaves no window.
  if (::chmod(socket_path.c_str(), 0600) != 0 || ::listen(listener.get(), kListenBacklog) != 0) {
    Status s = Errno(errno, "cannot set up socket", socket_path);
    ::unlink(socket_path.c_str());
    return s;
  }
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) != 0) {
    Status s = Errno(errno, "cannot create the stop pipe for", socket_path);
    ::unlink(socket_path.c_str());
    return s;
  }
  return std::unique_ptr<ChannelServer>(
      new ChannelServer(std::move(socket_path), std::move(lock), std::move(listener),
                        UniqueFd(pipe_fds[0]), UniqueFd(pipe_fds[1])));
}

void ChannelServer::Stop() {
  // Never read back, so the pipe stays readable and every later poll sees
  // it. A full pipe (EAGAIN) already holds a pending stop.
  const char byte = 1;
  [[maybe_unused]] ssize_t n = ::write(stop_write_.get(), &byte, 1);
}

Status ChannelServer::Serve(const Handler& handler) {
  for (;;) {
    pollfd fds[2] = {{listener_.get(), POLLIN, 0}, {stop_read_.get(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return Errno(errno, "cannot poll", socket_path_);
    }
    if (fds[1].revents != 0) return OkStatus();
    if (fds[0].revents == 0) continue;
    UniqueFd connection(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!connection.valid()) {
      // The client gave up before we accepted, or a signal arrived: not a
      // failure of the listening socket.
      if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED) continue;
      return Errno(errno, "cannot accept on", socket_path_);
    }
    if (!PeerIsOurUser(connection.get())) continue;  // closed without a word
    if (ServeConnection(connection.get(), handler)) return OkStatus();
  }
}

bool ChannelServer::ServeConnection(int fd, const Handler& handler) {
  const int stop = stop_read_.get();
  for (;;) {
    // No new request once a stop is pending, however eager the client.
    if (IsReadable(stop)) return false;
    Frame frame;
    switch (ReadFrame(fd, stop, &frame)) {
      case Received::kFrame:
        break;
      case Received::kBadLength:
        // The stream cannot be resynchronised; say why, then hang up.
        (void)WriteError(fd,
                         Status(StatusCode::kMalformed,
                                "frame length " + std::to_string(frame.length) +
                                    " is outside 1.." + std::to_string(kMaxFrameLength)),
                         stop);
        return false;
      case Received::kClosed:
      case Received::kTruncated:
      case Received::kStopped:
        return false;
    }
    const Op op = static_cast<Op>(frame.code);
    if (OpName(op).empty()) {
      // The frame was well delimited, so the connection can go on.
      Status unknown(StatusCode::kUnsupported, "unknown opcode " + std::to_string(frame.code));
      if (!WriteError(fd, unknown, stop)) return false;
      continue;
    }
    Result<Bytes> reply = handler(op, frame.payload);
    if (reply.ok() && reply->size() >= kMaxFrameLength) {
      reply = FrameTooLarge(std::string("reply to ") + std::string(OpName(op)), reply->size());
    }
    bool sent = reply.ok() ? WriteFrame(fd, kReplyOk, *reply, stop)
                           : WriteError(fd, reply.status(), stop);
    if (!sent) return false;
    if (op == Op::kShutdown && reply.ok()) return true;
  }
}

// ---- client ------------------------------------------------------------------------------

ChannelClient::ChannelClient(std::string socket_path, std::string peer, UniqueFd fd)
    : socket_path_(std::move(socket_path)), peer_(std::move(peer)), fd_(std::move(fd)) {}

Result<std::unique_ptr<ChannelClient>> ChannelClient::Connect(std::string socket_path,
                                                              std::chrono::milliseconds timeout,
                                                              std::string peer) {
  TEEP_ASSIGN_OR_RETURN(sockaddr_un addr, SocketAddress(socket_path));
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd.valid()) return Errno(errno, "cannot create socket for", socket_path);
    if (ConnectSocket(fd.get(), addr) == 0) {
      return std::unique_ptr<ChannelClient>(
          new ChannelClient(std::move(socket_path), std::move(peer), std::move(fd)));
    }
    const int err = errno;
    // Absent or refusing: the TEE process may still be starting.
    const bool may_appear = err == ENOENT || err == ECONNREFUSED;
    const auto now = std::chrono::steady_clock::now();
    if (!may_appear || now >= deadline) {
      return Status(StatusCode::kIoError,
                    "no " + peer + " listening at " + socket_path + " (waited " +
                        std::to_string(timeout.count()) + " ms): " + std::strerror(err));
    }
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(kConnectRetryInterval, deadline - now));
  }
}

Status ChannelClient::Broken() {
  fd_.Reset();
  return Status(StatusCode::kIoError, peer_ + " at " + socket_path_ + " closed the connection");
}

Result<Bytes> ChannelClient::Call(Op op, ByteView payload) {
  if (!fd_.valid()) return Broken();
  if (payload.size() >= kMaxFrameLength) return FrameTooLarge("request", payload.size());
  if (!WriteFrame(fd_.get(), static_cast<uint8_t>(op), payload, -1)) return Broken();
  Frame reply;
  switch (ReadFrame(fd_.get(), -1, &reply)) {
    case Received::kFrame:
      break;
    case Received::kBadLength:
      fd_.Reset();
      return Status(StatusCode::kMalformed, peer_ + " at " + socket_path_ +
                                                " sent a reply frame of length " +
                                                std::to_string(reply.length));
    case Received::kClosed:
    case Received::kTruncated:
    case Received::kStopped:
      return Broken();
  }
  if (reply.code == kReplyOk) return std::move(reply.payload);
  if (reply.code == kReplyError) {
    std::string name(OpName(op));
    if (name.empty()) name = "opcode " + std::to_string(static_cast<unsigned>(op));
    return Status(StatusCode::kInvalidArgument, peer_ + " at " + socket_path_ + " refused " +
                                                    name + ": " +
                                                    std::string(AsChars(reply.payload)));
  }
  fd_.Reset();  // out of step with the server: the connection is useless
  return Status(StatusCode::kMalformed, peer_ + " at " + socket_path_ +
                                            " sent a reply with unknown code " +
                                            std::to_string(reply.code));
}

}  // namespace teep::host::tee_sim
