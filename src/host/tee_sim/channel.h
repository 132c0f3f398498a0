// The REE/TEE boundary of the simulated TEE: a Unix-domain stream socket that
// plays the part of a TEE driver (the OP-TEE /dev/tee0 ioctl, a TrustZone SMC).
//
// Every message in either direction is one frame:
//   length (u32 big-endian, counts the rest) | code (u8) | payload
// A request's code is an Op; a reply's code is kReplyOk (payload = the
// result) or kReplyError (payload = a UTF-8 message). The length is at least
// 1 and at most kMaxFrameLength; the payload of each Op is the caller's
// business (raw bytes here).
//
// Like a TEE, the server handles one request at a time: it serves one
// connection until the client closes it, then accepts the next. A client that
// keeps its connection open therefore holds the TEE, as a session on a real
// driver does. Only processes of the server's own user may connect (socket
// mode 0600, and SO_PEERCRED checked on every connection).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "host/io/posix.h"

namespace teep::host::tee_sim {

// The requests the normal world can make of the TEE: the one table of
// opcodes (OpName below must name each, which -Wswitch enforces).
enum class Op : uint8_t {
  kProcessTeepMessage = 1,  // a TEEP message from the TAM, via the Broker
  kRequestTa = 2,           // an application asks for a Trusted Component
  kUnrequestTa = 3,         // an application no longer needs one
  kRequestPolicyCheck = 4,  // ask the TAM whether anything should change
  kProcessError = 5,        // the Broker could not reach the TAM
  kListTcs = 6,             // the installed Trusted Components
  kShutdown = 7,            // stop the TEE process after replying
};

// "ProcessTeepMessage" etc.; empty for a byte that is not an Op.
std::string_view OpName(Op op);

inline constexpr uint8_t kReplyOk = 0;
inline constexpr uint8_t kReplyError = 1;
// Upper bound of a frame's length field (code + payload): 32 MiB, room for a
// Trusted Component with its manifest, small enough to buffer whole.
inline constexpr uint32_t kMaxFrameLength = 32u << 20;

class ChannelServer {
 public:
  // Returns kOk with a reply payload, or an error whose message goes back to
  // the client. Called on the thread that runs Serve.
  using Handler = std::function<Result<Bytes>(Op, ByteView)>;

  // Creates the listening socket at `socket_path` (mode 0600). A socket file
  // left by a server that died is removed; a live server at the path, or a
  // path that is not a socket, is refused. The file `socket_path` + ".lock"
  // is held flock()ed for the server's life (and left in place after), so
  // that two servers starting at once cannot both take the path.
  static Result<std::unique_ptr<ChannelServer>> Listen(std::string socket_path);
  // Closes the socket and removes its file.
  ~ChannelServer();
  ChannelServer(const ChannelServer&) = delete;
  ChannelServer& operator=(const ChannelServer&) = delete;

  // Serves until the handler accepts a kShutdown request (its OK reply is
  // sent first; a refused kShutdown changes nothing) or Stop() is called.
  // A malformed frame (length 0 or above kMaxFrameLength, a connection closed
  // mid-frame) ends that connection only, after an error reply where the
  // stream still allows one; an unknown opcode gets an error reply and the
  // connection goes on. Returns an error only if the listening socket fails.
  Status Serve(const Handler& handler);

  // Makes Serve return as soon as the current request (if any) is answered.
  // Async-signal-safe (one write(2)), so a SIGTERM handler may call it. It is
  // final: a Serve called after Stop returns at once.
  void Stop();

  const std::string& socket_path() const { return socket_path_; }

 private:
  ChannelServer(std::string socket_path, UniqueFd lock, UniqueFd listener, UniqueFd stop_read,
                UniqueFd stop_write);
  // Serves one connection; true when a kShutdown was accepted.
  bool ServeConnection(int fd, const Handler& handler);

  std::string socket_path_;
  UniqueFd lock_;
  UniqueFd listener_;
  // A self-pipe: Stop writes a byte, Serve polls the read end.
  UniqueFd stop_read_;
  UniqueFd stop_write_;
};

class ChannelClient {
 public:
  // Connects to the TEE process at `socket_path`, retrying for up to `timeout`
  // while the socket is absent or not yet listening (the TEE may be starting).
  // `peer` names the server in error messages (the same framing also serves
  // the device daemon's local API).
  static Result<std::unique_ptr<ChannelClient>> Connect(std::string socket_path,
                                                        std::chrono::milliseconds timeout,
                                                        std::string peer = "TEE process");
  ChannelClient(const ChannelClient&) = delete;
  ChannelClient& operator=(const ChannelClient&) = delete;

  // Sends one request and waits for its reply, however long the TEE takes.
  // An error reply is kInvalidArgument carrying the TEE's message; a
  // connection that breaks is kIoError ("TEE process at <path> closed the
  // connection"), after which every Call fails the same way.
  Result<Bytes> Call(Op op, ByteView payload);

 private:
  ChannelClient(std::string socket_path, std::string peer, UniqueFd fd);
  Status Broken();

  std::string socket_path_;
  std::string peer_;
  UniqueFd fd_;
};

}  // namespace teep::host::tee_sim
