#include "host/tee_sim/channel.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <optional>
#include <thread>

#include <gtest/gtest.h>

#include "temp_dir.h"
#include "test_util.h"

namespace teep::host::tee_sim {
namespace {

using namespace std::chrono_literals;
using teep::test::TempDir;

constexpr auto kConnectTimeout = 5000ms;

Bytes Text(std::string_view s) { return ToBytes(AsBytes(s)); }

// Replies with the opcode byte followed by the request payload, so a test
// sees both that the op arrived and that the payload did; kListTcs fails and
// kShutdown succeeds with nothing.
Result<Bytes> EchoHandler(Op op, ByteView payload) {
  if (op == Op::kListTcs) return Status(StatusCode::kNotFound, "no trusted components installed");
  if (op == Op::kShutdown) return Bytes{};
  Bytes reply{static_cast<uint8_t>(op)};
  reply.insert(reply.end(), payload.begin(), payload.end());
  return reply;
}

sockaddr_un Address(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  EXPECT_LT(path.size(), sizeof addr.sun_path);
  std::memcpy(addr.sun_path, path.data(), std::min(path.size(), sizeof addr.sun_path - 1));
  return addr;
}

// A connection that speaks the frame format by hand, to send what ChannelClient
// never would. Reads time out, so a server bug fails the test instead of
// hanging it.
class RawConnection {
 public:
  explicit RawConnection(const std::string& path)
      : fd_(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_un addr = Address(path);
    EXPECT_EQ(::connect(fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0)
        << std::strerror(errno);
    timeval timeout{10, 0};
    ::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }

  void Send(ByteView data) {
    ASSERT_EQ(::send(fd_.get(), data.data(), data.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(data.size()));
  }

  // One reply frame as (code, payload); nullopt if the server hung up first.
  std::optional<std::pair<uint8_t, std::string>> ReadReply() {
    uint8_t header[5];
    if (!ReadExact(header, sizeof header)) return std::nullopt;
    uint32_t length =
        (uint32_t{header[0]} << 24) | (header[1] << 16) | (header[2] << 8) | header[3];
    std::string payload(length - 1, '\0');
    if (!ReadExact(payload.data(), payload.size())) return std::nullopt;
    return std::make_pair(header[4], payload);
  }

  // True when the server closed the connection (EOF, or a reset because it
  // left our bytes unread); false on data or a timeout.
  bool ClosedByServer() {
    char byte;
    ssize_t n = ::recv(fd_.get(), &byte, 1, 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
  }

  void CloseWrite() { ::shutdown(fd_.get(), SHUT_WR); }

 private:
  bool ReadExact(void* out, size_t size) {
    size_t done = 0;
    while (done < size) {
      ssize_t n = ::recv(fd_.get(), static_cast<char*>(out) + done, size - done, 0);
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
  }

  UniqueFd fd_;
};

Bytes FrameHeader(uint32_t length) {
  return {static_cast<uint8_t>(length >> 24), static_cast<uint8_t>(length >> 16),
          static_cast<uint8_t>(length >> 8), static_cast<uint8_t>(length)};
}

class ChannelTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (thread_.joinable()) (void)StopServer();
  }

  std::string SocketPath() const { return dir_ / "tee.sock"; }

  void Start(ChannelServer::Handler handler = EchoHandler) {
    auto listening = ChannelServer::Listen(SocketPath());
    ASSERT_TRUE(listening.ok()) << listening.status().ToString();
    server_ = std::move(listening).value();
    thread_ = std::thread([this, handler] { serve_result_ = server_->Serve(handler); });
  }

  // Waits for Serve to return (after Stop, unless it returned by itself).
  Status JoinServer() {
    thread_.join();
    return serve_result_;
  }
  Status StopServer() {
    server_->Stop();
    return JoinServer();
  }

  std::unique_ptr<ChannelClient> Client() {
    auto client = ChannelClient::Connect(SocketPath(), kConnectTimeout);
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return client.ok() ? std::move(client).value() : nullptr;
  }

  // The server still answers a well-behaved client.
  void ExpectServing() {
    auto client = Client();
    ASSERT_NE(client, nullptr);
    ASSERT_OK_AND_ASSIGN(Bytes reply, client->Call(Op::kRequestTa, Text("still there?")));
    EXPECT_EQ(reply.size(), 1 + std::string_view("still there?").size());
  }

  TempDir dir_;
  std::unique_ptr<ChannelServer> server_;
  std::thread thread_;
  Status serve_result_;
};

TEST_F(ChannelTest, RoundTripsEveryOpAndSize) {
  Start();
  auto client = Client();
  ASSERT_NE(client, nullptr);
  Bytes mib(1 << 20);
  for (size_t i = 0; i < mib.size(); ++i) mib[i] = static_cast<uint8_t>(i ^ (i >> 8));
  for (Op op : {Op::kProcessTeepMessage, Op::kRequestTa, Op::kUnrequestTa,
                Op::kRequestPolicyCheck, Op::kProcessError}) {
    for (const Bytes& payload : {Bytes{}, Bytes{0x00}, Text("component-id"), mib}) {
      ASSERT_OK_AND_ASSIGN(Bytes reply, client->Call(op, payload));
      ASSERT_EQ(reply.size(), payload.size() + 1) << OpName(op);
      EXPECT_EQ(reply[0], static_cast<uint8_t>(op));
      EXPECT_TRUE(std::equal(payload.begin(), payload.end(), reply.begin() + 1)) << OpName(op);
    }
  }
}

TEST_F(ChannelTest, WireFormatIsTheDocumentedOne) {
  Start();
  RawConnection raw(SocketPath());
  Bytes request = FrameHeader(4);
  request.push_back(static_cast<uint8_t>(Op::kRequestTa));
  for (char c : std::string("abc")) request.push_back(static_cast<uint8_t>(c));
  raw.Send(request);
  auto reply = raw.ReadReply();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->first, kReplyOk);
  EXPECT_EQ(reply->second, std::string("\x02" "abc"));
}

TEST_F(ChannelTest, AnErrorReplyCarriesTheTeesMessage) {
  Start();
  auto client = Client();
  ASSERT_NE(client, nullptr);
  auto listed = client->Call(Op::kListTcs, {});
  ASSERT_FALSE(listed.ok());
  EXPECT_EQ(listed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(listed.status().message().find("no trusted components installed"), std::string::npos)
      << listed.status().ToString();
  EXPECT_NE(listed.status().message().find("ListTCs"), std::string::npos);
  // An error reply ends the request, not the connection.
  ASSERT_OK(client->Call(Op::kRequestTa, {}).status());
}

TEST_F(ChannelTest, AnUnknownOpcodeIsAnsweredAndTheConnectionGoesOn) {
  Start();
  auto client = Client();
  ASSERT_NE(client, nullptr);
  for (uint8_t code : {0, 8, 255}) {
    auto reply = client->Call(static_cast<Op>(code), Text("x"));
    ASSERT_FALSE(reply.ok());
    EXPECT_NE(reply.status().message().find("unknown opcode " + std::to_string(code)),
              std::string::npos)
        << reply.status().ToString();
  }
  ASSERT_OK(client->Call(Op::kRequestTa, {}).status());
}

TEST_F(ChannelTest, OversizedOrEmptyFramesCloseOnlyThatConnection) {
  Start();
  for (uint32_t length : {kMaxFrameLength + 1, uint32_t{0xffffffff}, uint32_t{0}}) {
    SCOPED_TRACE("length " + std::to_string(length));
    RawConnection raw(SocketPath());
    raw.Send(FrameHeader(length));
    auto reply = raw.ReadReply();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->first, kReplyError);
    EXPECT_NE(reply->second.find("frame length " + std::to_string(length)), std::string::npos)
        << reply->second;
    EXPECT_TRUE(raw.ClosedByServer());
    ExpectServing();
  }
}

TEST_F(ChannelTest, TruncatedFramesCloseOnlyThatConnection) {
  Start();
  Bytes partial_header = {0x00, 0x00};
  Bytes header_only = FrameHeader(100);
  Bytes partial_payload = FrameHeader(100);
  partial_payload.push_back(static_cast<uint8_t>(Op::kProcessTeepMessage));
  partial_payload.resize(partial_payload.size() + 10, 0xab);
  for (const Bytes& truncated : {partial_header, header_only, partial_payload}) {
    RawConnection raw(SocketPath());
    raw.Send(truncated);
    raw.CloseWrite();
    EXPECT_TRUE(raw.ClosedByServer());
    ExpectServing();
  }
}

TEST_F(ChannelTest, PayloadsBeyondTheFrameLimitAreRefusedBeforeSending) {
  Start([](Op op, ByteView payload) -> Result<Bytes> {
    if (op == Op::kListTcs) return Bytes(kMaxFrameLength, 0);  // one byte too many
    return EchoHandler(op, payload);
  });
  auto client = Client();
  ASSERT_NE(client, nullptr);
  Bytes too_big(kMaxFrameLength);
  auto sent = client->Call(Op::kProcessTeepMessage, too_big);
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.status().code(), StatusCode::kLimitExceeded);

  auto reply = client->Call(Op::kListTcs, {});
  ASSERT_FALSE(reply.ok());
  EXPECT_NE(reply.status().message().find("does not fit a frame"), std::string::npos)
      << reply.status().ToString();

  // The largest request whose echo still fits: the reply frame is exactly
  // kMaxFrameLength long.
  too_big.resize(kMaxFrameLength - 2);
  ASSERT_OK_AND_ASSIGN(Bytes echoed, client->Call(Op::kProcessTeepMessage, too_big));
  EXPECT_EQ(echoed.size(), kMaxFrameLength - 1);
}

TEST_F(ChannelTest, ClientsAreServedOneAfterAnother) {
  Start();
  auto first = Client();
  ASSERT_NE(first, nullptr);
  ASSERT_OK(first->Call(Op::kRequestTa, Text("1")).status());
  // The second connects at once but is answered only when the first leaves.
  auto second = Client();
  ASSERT_NE(second, nullptr);
  auto pending =
      std::async(std::launch::async, [&] { return second->Call(Op::kRequestTa, Text("2")); });
  EXPECT_EQ(pending.wait_for(100ms), std::future_status::timeout);
  ASSERT_OK(first->Call(Op::kRequestTa, Text("1 again")).status());
  first.reset();
  Result<Bytes> reply = pending.get();
  ASSERT_OK(reply.status());
  EXPECT_EQ(*reply, (Bytes{static_cast<uint8_t>(Op::kRequestTa), '2'}));
}

TEST_F(ChannelTest, ShutdownRepliesThenStopsTheServer) {
  std::atomic<int> shutdowns{0};
  Start([&](Op op, ByteView payload) {
    if (op == Op::kShutdown) ++shutdowns;
    return EchoHandler(op, payload);
  });
  auto client = Client();
  ASSERT_NE(client, nullptr);
  ASSERT_OK_AND_ASSIGN(Bytes reply, client->Call(Op::kShutdown, {}));
  EXPECT_TRUE(reply.empty());
  ASSERT_OK(JoinServer());
  EXPECT_EQ(shutdowns.load(), 1);

  auto after = client->Call(Op::kRequestTa, {});
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.status().code(), StatusCode::kIoError);
  EXPECT_EQ(after.status().message(), "TEE process at " + SocketPath() + " closed the connection");

  server_.reset();
  EXPECT_FALSE(std::filesystem::exists(SocketPath()));
}

TEST_F(ChannelTest, ARefusedShutdownKeepsServing) {
  Start([](Op op, ByteView payload) -> Result<Bytes> {
    if (op == Op::kShutdown) return Status(StatusCode::kInvalidArgument, "busy installing");
    return EchoHandler(op, payload);
  });
  auto client = Client();
  ASSERT_NE(client, nullptr);
  auto refused = client->Call(Op::kShutdown, {});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("busy installing"), std::string::npos);
  ASSERT_OK(client->Call(Op::kRequestTa, {}).status());
}

TEST_F(ChannelTest, StopEndsServeWithOrWithoutAConnection) {
  Start();
  ASSERT_OK(StopServer());  // idle, waiting in accept
  server_.reset();

  Start();
  auto client = Client();
  ASSERT_NE(client, nullptr);
  ASSERT_OK(client->Call(Op::kRequestTa, {}).status());
  ASSERT_OK(StopServer());  // with a connection open between requests
  auto after = client->Call(Op::kRequestTa, {});
  ASSERT_FALSE(after.ok());
  EXPECT_NE(after.status().message().find("closed the connection"), std::string::npos);
}

TEST_F(ChannelTest, StopBeforeServeReturnsAtOnce) {
  ASSERT_OK_AND_ASSIGN(auto server, ChannelServer::Listen(SocketPath()));
  server->Stop();
  ASSERT_OK(server->Serve(EchoHandler));
}

TEST_F(ChannelTest, TheSocketIsPrivate) {
  const mode_t old_umask = ::umask(0);
  auto server = ChannelServer::Listen(SocketPath());
  ::umask(old_umask);
  ASSERT_OK(server.status());
  struct stat st {};
  ASSERT_EQ(::lstat(SocketPath().c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TEST_F(ChannelTest, AStaleSocketIsReplaced) {
  {
    // A server that died: its socket file is left, nothing listens on it.
    UniqueFd dead(::socket(AF_UNIX, SOCK_STREAM, 0));
    sockaddr_un addr = Address(SocketPath());
    ASSERT_EQ(::bind(dead.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  }
  ASSERT_TRUE(std::filesystem::exists(SocketPath()));
  Start();
  ExpectServing();
}

TEST_F(ChannelTest, ALiveServerIsNotDisplaced) {
  Start();
  auto second = ChannelServer::Listen(SocketPath());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kIoError);
  EXPECT_NE(second.status().message().find("in use by another process"), std::string::npos)
      << second.status().ToString();
  ExpectServing();
}

// A listener that does not take the lock (another program) is still detected
// by the connect probe.
TEST_F(ChannelTest, AForeignListenerIsNotDisplaced) {
  UniqueFd foreign(::socket(AF_UNIX, SOCK_STREAM, 0));
  sockaddr_un addr = Address(SocketPath());
  ASSERT_EQ(::bind(foreign.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(foreign.get(), 1), 0);
  auto server = ChannelServer::Listen(SocketPath());
  ASSERT_FALSE(server.ok());
  EXPECT_NE(server.status().message().find("another process is listening"), std::string::npos)
      << server.status().ToString();
  EXPECT_TRUE(std::filesystem::exists(SocketPath()));
}

TEST_F(ChannelTest, AFileThatIsNotASocketIsLeftAlone) {
  std::ofstream(SocketPath()) << "not a socket";
  auto server = ChannelServer::Listen(SocketPath());
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(std::filesystem::is_regular_file(SocketPath()));
}

TEST_F(ChannelTest, ConnectWaitsForAServerThatStartsLate) {
  std::thread late([this] {
    std::this_thread::sleep_for(100ms);
    Start();
  });
  auto client = ChannelClient::Connect(SocketPath(), kConnectTimeout);
  late.join();
  ASSERT_OK(client.status());
  ASSERT_OK((*client)->Call(Op::kRequestTa, {}).status());
}

TEST_F(ChannelTest, ConnectGivesUpWhenNobodyListens) {
  auto client = ChannelClient::Connect(SocketPath(), 50ms);
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), StatusCode::kIoError);
  EXPECT_NE(client.status().message().find("no TEE process listening at " + SocketPath()),
            std::string::npos)
      << client.status().ToString();
}

TEST_F(ChannelTest, SocketPathsThatDoNotFitAreRefused) {
  const std::string too_long = dir_ / std::string(120, 's');
  EXPECT_EQ(ChannelServer::Listen(too_long).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ChannelClient::Connect(too_long, 0ms).status().code(), StatusCode::kInvalidArgument);
}

// SO_PEERCRED: a process of another user is turned away even when the socket's
// mode would let it in. Needs root, to become that other user.
TEST_F(ChannelTest, AnotherUserIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to run a client as another user";
  std::atomic<int> calls{0};
  Start([&](Op op, ByteView payload) {
    ++calls;
    return EchoHandler(op, payload);
  });
  ASSERT_EQ(::chmod(dir_.path().c_str(), 0711), 0);
  ASSERT_EQ(::chmod(SocketPath().c_str(), 0666), 0);
  const sockaddr_un addr = Address(SocketPath());
  const uint8_t request[] = {0, 0, 0, 1, static_cast<uint8_t>(Op::kRequestTa)};

  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Only async-signal-safe calls: the parent has other threads.
    constexpr uid_t kNobody = 65534;
    if (::setgid(kNobody) != 0 || ::setuid(kNobody) != 0) ::_exit(3);
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) ::_exit(2);
    (void)!::send(fd, request, sizeof request, MSG_NOSIGNAL);
    char reply[8];
    ssize_t n = ::recv(fd, reply, sizeof reply, 0);
    ::_exit(n <= 0 ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: answered, 2: could not connect, 3: could not setuid";
  EXPECT_EQ(calls.load(), 0);
  ExpectServing();
}

}  // namespace
}  // namespace teep::host::tee_sim
