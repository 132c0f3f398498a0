// Crash safety of the simulated TEE (issue: "kill the Agent process at many
// points during an install and show the TC store is always either old or
// new"). A forked child opens the TEE and processes a signed Update that
// replaces a 4 MiB Trusted Component; the parent kills it with SIGKILL after
// a growing delay, then checks, as the next start of the TEE would, that the
// component is exactly the old or the new image and that the TEE reopens
// (sealed Agent state and monotonic counter agree).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include "core/suit/builder.h"
#include "core/suit/component_id.h"
#include "core/teep/codec.h"
#include "core/teep/signing.h"
#include "host/device/tee_host.h"
#include "host/suit_store/directory_store.h"

namespace teep::host::device {
namespace {

constexpr size_t kImageBytes = 4 << 20;

Bytes Str(std::string_view s) { return Bytes(s.begin(), s.end()); }

class TeeCrashTest : public ::testing::Test {
 protected:
  TeeCrashTest()
      : dir_(std::filesystem::temp_directory_path() /
             ("teep-crash-" + std::to_string(::getpid()))),
        tam_(std::move(crypto::PrivateKey::Generate(crypto::KeyType::kP256)).value()),
        signer_(std::move(crypto::PrivateKey::Generate(crypto::KeyType::kP256)).value()) {
    std::filesystem::remove_all(dir_);
    Provisioning p;
    p.tams.push_back({"http://127.0.0.1/tam", tam_.Public()});
    p.signers.push_back(signer_.Public());
    auto keys = Provision(dir_.string(), p);
    EXPECT_TRUE(keys.ok()) << keys.status().ToString();
  }
  ~TeeCrashTest() override { std::filesystem::remove_all(dir_); }

  // A signed Update installing image `fill` at `sequence`.
  Bytes UpdateMessage(uint64_t sequence, uint8_t fill) {
    suit::ManifestSpec spec;
    spec.sequence_number = sequence;
    spec.component_id = {Str("tc")};
    spec.payload = Bytes(kImageBytes, fill);
    auto envelope = suit::BuildEnvelope(spec, signer_);
    EXPECT_TRUE(envelope.ok()) << envelope.status().ToString();
    msg::Update update;
    update.token = Bytes(16, static_cast<uint8_t>(sequence));
    update.manifest_list = std::vector<Bytes>{std::move(envelope).value()};
    auto encoded = msg::EncodeMessage(update);
    auto signed_update = msg::SignMessage(*encoded, tam_, msg::SuiteSign1Esp256());
    EXPECT_TRUE(signed_update.ok());
    return std::move(signed_update).value();
  }

  // Runs the Update in-process to completion.
  void Install(ByteView update) {
    auto host = TeeHost::Open(dir_.string());
    ASSERT_TRUE(host.ok()) << host.status().ToString();
    auto reply = (*host)->ProcessTeepMessage(update);
    ASSERT_TRUE(reply.ok());
    ASSERT_EQ((*host)->agent().last_exchange().sent, msg::MessageType::kSuccess)
        << (*host)->agent().last_exchange().detail;
  }

  // The committed image, as the TEE's next start sees it.
  std::optional<Bytes> Image() {
    auto store = DirectoryStore::Open((dir_ / "tcs").string());
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    if (!store.ok()) return std::nullopt;
    std::vector<ByteView> id = {AsBytes("tc")};
    const Bytes component = suit::EncodeComponentId(id);
    std::optional<Bytes> out;
    Bytes data;
    auto size = (*store)->Size(component);
    if (!size.ok() || !*size) return out;
    EXPECT_TRUE((*store)->Read(component, [&](ByteView chunk) {
                         data.insert(data.end(), chunk.begin(), chunk.end());
                         return OkStatus();
                       }).ok());
    return data;
  }

  std::filesystem::path dir_;
  crypto::PrivateKey tam_;
  crypto::PrivateKey signer_;
};

TEST_F(TeeCrashTest, KilledInstallLeavesTheOldOrTheNewImage) {
  Install(UpdateMessage(1, 1));
  uint8_t committed = 1;
  size_t old_seen = 0, new_seen = 0;
  uint64_t sequence = 2;
  // Delays from "before anything happened" to "long finished": growing
  // until several kills came after the commit, so the test does not depend
  // on how fast this machine is (an install takes ~20 ms idle, ~250 ms
  // under load).
  for (int delay_ms = 0; new_seen < 3 || delay_ms < 120; delay_ms += std::max(4, delay_ms / 6), ++sequence) {
    ASSERT_LT(delay_ms, 20000) << "no install finished within 20 s";
    const uint8_t fill = static_cast<uint8_t>(sequence);
    const Bytes update = UpdateMessage(sequence, fill);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      auto host = TeeHost::Open(dir_.string());
      if (host.ok()) (void)(*host)->ProcessTeepMessage(update);
      _exit(0);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);

    std::optional<Bytes> image = Image();
    ASSERT_TRUE(image.has_value()) << "the TC vanished after a kill at " << delay_ms << " ms";
    ASSERT_EQ(image->size(), kImageBytes) << "torn image after a kill at " << delay_ms << " ms";
    const uint8_t now = (*image)[0];
    ASSERT_TRUE(now == committed || now == fill) << "unexpected image at " << delay_ms << " ms";
    ASSERT_EQ(*image, Bytes(kImageBytes, now)) << "mixed image after a kill at " << delay_ms << " ms";
    (now == fill ? new_seen : old_seen)++;
    committed = now;
    // The TEE starts again: its sealed state and counter still agree.
    auto host = TeeHost::Open(dir_.string());
    ASSERT_TRUE(host.ok()) << "after a kill at " << delay_ms << " ms: " << host.status().ToString();
  }
  // Both outcomes happened, so kills landed before and after the commit.
  EXPECT_GT(old_seen, 0u);
  EXPECT_GT(new_seen, 0u);
  std::cout << "kills that left the old image: " << old_seen << ", the new one: " << new_seen << "\n";
}

}  // namespace
}  // namespace teep::host::device
