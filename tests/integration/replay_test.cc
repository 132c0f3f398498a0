// Integration tests against the real `teep tam serve` process on loopback
// (issue 6, "Tests that must exist"), for what the bash script
// tam_device_test.sh cannot do: send one exact body twice, and restart the
// TAM between two messages of one conversation. The TAM is set up with the
// CLI (`teep tam init`, `tc add`, `policy install`, `devices add`); the
// device is in-process (host::device::Provision, then TeeHost::Open: the
// same TEE the `teep device tee` process runs), and this test is its Broker,
// POSTing with host::HttpClient.
//
//   ReplayedQueryResponseIsRefused: connect -> QueryRequest -> the Agent's
//     QueryResponse -> POST (200, an Update) -> POST the same bytes again,
//     on the same connection and on a fresh one: 400 each time (P §7.1: a
//     token is accepted once), and `teep tam audit` records "dropped ...
//     already used token". The conversation then completes normally.
//   ConversationSurvivesTamRestart: connect -> QueryRequest; SIGKILL the TAM;
//     restart it on the same port; POST the QueryResponse: its token was
//     kept in the TAM's database, so the conversation completes and the TC is
//     installed. A second POST of it is then refused, restart or not.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/crypto/crypto.h"
#include "host/broker/http_client.h"
#include "host/device/provisioning.h"
#include "host/device/tee_host.h"
#include "host/io/file.h"

#ifndef TEEP_BINARY
#error "TEEP_BINARY (the path of the teep executable) must be defined"
#endif

namespace teep::integration {
namespace {

using namespace std::chrono_literals;

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Starts TEEP_BINARY with `args`, stdout and stderr to `output`; returns the
// pid. Everything the child needs is prepared before fork(): the test may
// have threads (libcurl's resolver), so the child only opens, dup2s and execs.
pid_t Spawn(const std::vector<std::string>& args, const std::string& output) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(TEEP_BINARY));
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  const int fd = ::open(output.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) ::_exit(126);
  ::dup2(fd, STDOUT_FILENO);
  ::dup2(fd, STDERR_FILENO);
  ::execv(TEEP_BINARY, argv.data());
  ::_exit(127);
}

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// Runs a teep verb to completion (at most 30 s).
CommandResult Teep(const std::vector<std::string>& args, const std::string& scratch) {
  std::filesystem::remove(scratch);
  const pid_t pid = Spawn(args, scratch);
  CommandResult run;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      run.output = "timed out\n";
      break;
    }
    std::this_thread::sleep_for(10ms);
  }
  if (WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
  run.output += ReadText(scratch);
  return run;
}

size_t CountLinesWith(const std::string& text, const std::vector<std::string>& needles) {
  size_t n = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    bool all = true;
    for (const std::string& needle : needles) all = all && line.find(needle) != std::string::npos;
    n += all;
  }
  return n;
}

// `teep tam serve --config CONFIG`, stderr in LOG. Its URL comes from the
// line "teep tam serve: http://127.0.0.1:PORT/tam".
class TamProcess {
 public:
  TamProcess(std::string config, std::string log) : config_(std::move(config)), log_(std::move(log)) {}
  ~TamProcess() { Kill(SIGKILL); }

  // Empty on failure (the log says why).
  std::string Start() {
    std::filesystem::remove(log_);
    pid_ = Spawn({"tam", "serve", "--config", config_}, log_);
    const std::string prefix = "teep tam serve: ";
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      const std::string text = ReadText(log_);
      if (const size_t at = text.find(prefix); at != std::string::npos) {
        const size_t end = text.find('\n', at);
        if (end != std::string::npos) return text.substr(at + prefix.size(), end - at - prefix.size());
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return {};
      }
      std::this_thread::sleep_for(20ms);
    }
    return {};
  }

  void Kill(int signal) {
    if (pid_ <= 0) return;
    ::kill(pid_, signal);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  std::string log() const { return ReadText(log_); }

 private:
  std::string config_;
  std::string log_;
  pid_t pid_ = -1;
};

class TamProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = std::filesystem::temp_directory_path().string() + "/teep_integration.XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    config_ = dir_ + "/tam/tam.toml";
    Expect(0, {"tam", "init", "--dir", dir_ + "/tam", "--port", "0"});
    tam_ = std::make_unique<TamProcess>(config_, dir_ + "/tam.log");
    url_ = tam_->Start();
    ASSERT_FALSE(url_.empty()) << "teep tam serve did not start:\n" << tam_->log();
    ASSERT_EQ(url_.rfind("http://127.0.0.1:", 0), 0u) << url_;

    // A TC the policy gives every device, signed by the TAM's TC signer.
    ASSERT_TRUE(host::WriteFile(dir_ + "/hello.bin", AsBytes(std::string_view("hello, world\n"))).ok());
    Expect(0, {"manifest", "create", "--key", dir_ + "/tam/signer.pem", "--component-id", "TEEP-Device",
               "SecureFS", "hello-ta", "--sequence", "1", "--payload", dir_ + "/hello.bin", "-o",
               dir_ + "/hello.suit"});
    Expect(0, {"tam", "tc", "add", "--config", config_, dir_ + "/hello.suit"});
    Expect(0, {"tam", "policy", "install", "--config", config_, "TEEP-Device", "SecureFS", "hello-ta",
               "--target", "all"});

    // The device: provisioned to trust this TAM (both of its keys) and its
    // TC signer, then registered with the TAM by its public keys.
    const std::string state = dir_ + "/device";
    host::device::Provisioning provisioning;
    provisioning.tams.push_back({url_, PublicKey(dir_ + "/tam/tam-p256.pub.pem")});
    provisioning.tams.push_back({url_, PublicKey(dir_ + "/tam/tam-ed25519.pub.pem")});
    provisioning.signers.push_back(PublicKey(dir_ + "/tam/signer.pub.pem"));
    auto keys = host::device::Provision(state, provisioning);
    ASSERT_TRUE(keys.ok()) << keys.status().ToString();
    Expect(0, {"tam", "devices", "add", "--config", config_, "--teep-key", state + "/public/teep-key.pem",
               "--attestation-key", state + "/public/attestation-key.pem", "--name", "in-process"});
    auto tee = host::device::TeeHost::Open(state);
    ASSERT_TRUE(tee.ok()) << tee.status().ToString();
    tee_ = std::move(tee).value();
    http_ = NewClient();
  }

  void TearDown() override {
    tee_.reset();
    tam_.reset();  // SIGKILL if still running; waited for
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }

  CommandResult Expect(int exit_code, const std::vector<std::string>& args) {
    CommandResult run = Teep(args, dir_ + "/teep.out");
    std::string command = "teep";
    for (const std::string& a : args) command += " " + a;
    EXPECT_EQ(run.exit_code, exit_code) << command << "\n" << run.output;
    return run;
  }

  static crypto::PublicKey PublicKey(const std::string& path) {
    auto key = crypto::PublicKey::FromPem(ReadText(path));
    EXPECT_TRUE(key.ok()) << path << ": " << key.status().ToString();
    return std::move(key).value();
  }

  static std::unique_ptr<host::HttpClient> NewClient() {
    host::HttpClientOptions options;
    options.request_timeout = 10s;
    auto client = host::HttpClient::Create(options);
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return std::move(client).value();
  }

  // POSTs `body` and returns the reply; a transport failure fails the test.
  host::HttpReply Post(host::HttpClient& http, ByteView body) {
    auto reply = http.Post(url_, body);
    EXPECT_TRUE(reply.ok()) << reply.status().ToString();
    return reply.ok() ? std::move(reply).value() : host::HttpReply{};
  }

  // The Agent's answer to a TEEP message from the TAM.
  Bytes AgentAnswer(const Bytes& message) {
    auto answer = tee_->ProcessTeepMessage(message);
    EXPECT_TRUE(answer.ok()) << answer.status().ToString();
    return answer.ok() ? std::move(answer).value() : Bytes{};
  }

  // Pins server.listen to the port the TAM got, so that a restart comes
  // back on the URL the device trusts.
  void PinPort() {
    const std::string port = url_.substr(std::string("http://127.0.0.1:").size(),
                                         url_.find("/tam") - std::string("http://127.0.0.1:").size());
    std::string text = ReadText(config_);
    const std::string from = "listen = \"127.0.0.1:0\"";
    const size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << text;
    text.replace(at, from.size(), "listen = \"127.0.0.1:" + port + "\"");
    ASSERT_TRUE(host::WriteFile(config_, AsBytes(std::string_view(text))).ok());
  }

  std::vector<agent::InstalledTc> Installed() {
    auto tcs = tee_->ListInstalled();
    EXPECT_TRUE(tcs.ok()) << tcs.status().ToString();
    return tcs.ok() ? std::move(tcs).value() : std::vector<agent::InstalledTc>{};
  }

  std::string dir_;
  std::string config_;
  std::string url_;
  std::unique_ptr<TamProcess> tam_;
  std::unique_ptr<host::device::TeeHost> tee_;
  std::unique_ptr<host::HttpClient> http_;
};

TEST_F(TamProcessTest, ReplayedQueryResponseIsRefused) {
  // otrp-over-http §6.1: an empty POST opens the conversation.
  host::HttpReply query_request = Post(*http_, {});
  ASSERT_EQ(query_request.status, 200) << tam_->log();
  EXPECT_EQ(query_request.content_type, host::kTeepMediaType);
  ASSERT_FALSE(query_request.body.empty());

  const Bytes query_response = AgentAnswer(query_request.body);
  ASSERT_FALSE(query_response.empty()) << tee_->agent().last_exchange().detail;
  ASSERT_EQ(tee_->agent().last_exchange().sent, msg::MessageType::kQueryResponse);

  host::HttpReply update = Post(*http_, query_response);
  ASSERT_EQ(update.status, 200) << tam_->log();
  ASSERT_FALSE(update.body.empty());

  // The same bytes again, on the kept-alive connection and on a fresh one
  // (an attacker replaying a captured message): dropped, no Update.
  host::HttpReply replay = Post(*http_, query_response);
  EXPECT_EQ(replay.status, 400) << tam_->log();
  EXPECT_TRUE(replay.body.empty());
  auto other = NewClient();
  host::HttpReply replay_fresh = Post(*other, query_response);
  EXPECT_EQ(replay_fresh.status, 400) << tam_->log();
  EXPECT_TRUE(replay_fresh.body.empty());

  CommandResult audit = Expect(0, {"tam", "audit", "--config", config_, "--limit", "100"});
  EXPECT_EQ(CountLinesWith(audit.output, {"  dropped  ", "already used token"}), 2u) << audit.output;
  EXPECT_EQ(CountLinesWith(audit.output, {"  update  1 to install"}), 1u) << audit.output;

  // The replays did not disturb the conversation: the Update still installs.
  const Bytes success = AgentAnswer(update.body);
  ASSERT_EQ(tee_->agent().last_exchange().sent, msg::MessageType::kSuccess)
      << tee_->agent().last_exchange().detail;
  host::HttpReply end = Post(*http_, success);
  EXPECT_EQ(end.status, 204) << tam_->log();
  auto installed = Installed();
  ASSERT_EQ(installed.size(), 1u);
  EXPECT_EQ(installed[0].sequence_number, 1u);

  // And the Success is single use too.
  EXPECT_EQ(Post(*other, success).status, 400);
  audit = Expect(0, {"tam", "audit", "--config", config_, "--limit", "100"});
  EXPECT_EQ(CountLinesWith(audit.output, {"  dropped  ", "already used token"}), 3u) << audit.output;
  EXPECT_EQ(CountLinesWith(audit.output, {"  success  1 installed"}), 1u) << audit.output;
  CommandResult devices = Expect(0, {"tam", "devices", "--config", config_});
  EXPECT_NE(devices.output.find("attestation: affirming"), std::string::npos) << devices.output;
  EXPECT_NE(devices.output.find("holds ['TEEP-Device', 'SecureFS', 'hello-ta'] sequence 1"), std::string::npos)
      << devices.output;
}

TEST_F(TamProcessTest, ConversationSurvivesTamRestart) {
  ASSERT_NO_FATAL_FAILURE(PinPort());
  host::HttpReply query_request = Post(*http_, {});
  ASSERT_EQ(query_request.status, 200) << tam_->log();
  const Bytes query_response = AgentAnswer(query_request.body);
  ASSERT_FALSE(query_response.empty()) << tee_->agent().last_exchange().detail;

  // The TAM dies between its QueryRequest and the device's QueryResponse,
  // with no chance to clean up, and comes back on the same port.
  tam_->Kill(SIGKILL);
  auto down = NewClient()->Post(url_, query_response);
  ASSERT_FALSE(down.ok());
  EXPECT_NE(down.status().message().find("connection refused"), std::string::npos) << down.status().ToString();
  const std::string url = tam_->Start();
  ASSERT_EQ(url, url_) << tam_->log();

  // The Broker retries on the kept-alive client, whose connection died with
  // the old process; the token was in the TAM's database, not its memory.
  host::HttpReply update = Post(*http_, query_response);
  ASSERT_EQ(update.status, 200) << tam_->log();
  const Bytes success = AgentAnswer(update.body);
  ASSERT_EQ(tee_->agent().last_exchange().sent, msg::MessageType::kSuccess)
      << tee_->agent().last_exchange().detail;
  EXPECT_EQ(Post(*http_, success).status, 204) << tam_->log();
  auto installed = Installed();
  ASSERT_EQ(installed.size(), 1u);
  EXPECT_EQ(installed[0].sequence_number, 1u);

  // Single use across restarts too.
  EXPECT_EQ(Post(*http_, query_response).status, 400);
  tam_->Kill(SIGTERM);
  ASSERT_EQ(tam_->Start(), url_) << tam_->log();
  EXPECT_EQ(Post(*NewClient(), query_response).status, 400);

  CommandResult devices = Expect(0, {"tam", "devices", "--config", config_});
  EXPECT_NE(devices.output.find("holds ['TEEP-Device', 'SecureFS', 'hello-ta'] sequence 1"), std::string::npos)
      << devices.output;
  CommandResult audit = Expect(0, {"tam", "audit", "--config", config_, "--limit", "100"});
  EXPECT_EQ(CountLinesWith(audit.output, {"  success  1 installed"}), 1u) << audit.output;
  EXPECT_EQ(CountLinesWith(audit.output, {"  dropped  ", "already used token"}), 2u) << audit.output;
}

}  // namespace
}  // namespace teep::integration
