// The Agent's persisted state: a strict codec for its own bytes.
#include <gtest/gtest.h>

#include "agent_fixture.h"
#include "core/agent/agent_state.h"

namespace teep::agent::test {
namespace {

AgentState Sample() {
  AgentState s;
  s.requested.push_back({{Str("a"), Str("b")}, "https://tam.example/tam"});
  s.unneeded.push_back({{Str("c")}, "https://tam2.example/"});
  s.seen_update_tokens = {Bytes(16, 1), Bytes(8, 2)};
  s.passport = teep::test::H("d28443a10126a0f640");
  s.passport_format = "application/eat+cwt";
  return s;
}

TEST(AgentStateTest, RoundTrips) {
  auto encoded = EncodeAgentState(Sample());
  ASSERT_TRUE(encoded.ok());
  auto decoded = DecodeAgentState(*encoded);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, Sample());
  auto empty = EncodeAgentState(AgentState{});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, teep::test::H("8601808080f6f6"));
}

TEST(AgentStateTest, RejectsEveryTruncation) {
  auto encoded = EncodeAgentState(Sample());
  ASSERT_TRUE(encoded.ok());
  for (size_t n = 0; n < encoded->size(); ++n) {
    EXPECT_FALSE(DecodeAgentState(ByteView(encoded->data(), n)).ok()) << n;
  }
  Bytes trailing = *encoded;
  trailing.push_back(0);
  EXPECT_FALSE(DecodeAgentState(trailing).ok());
}

TEST(AgentStateTest, RejectsUnknownFormatAndWrongShapes) {
  EXPECT_FALSE(DecodeAgentState(teep::test::H("8602808080f6f6")).ok());    // format 2
  EXPECT_FALSE(DecodeAgentState(teep::test::H("85018080 80f6")).ok());     // 5 fields
  EXPECT_FALSE(DecodeAgentState(teep::test::H("860181808080f6f6")).ok());  // request not [id, uri]
  auto bad = DecodeAgentState(teep::test::H("8601808081 01f6f6"));        // token not bstr
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("seen-update-tokens[0]"), std::string::npos);
}

TEST_F(AgentTest, CorruptStoredStateStopsTheAgent) {
  ASSERT_TRUE(storage_.Save(teep::test::H("ff")).ok());
  auto agent = Agent::Create(config_, storage_);
  ASSERT_FALSE(agent.ok());
  EXPECT_NE(agent.status().message().find("stored state is corrupt"), std::string::npos);
}

TEST_F(AgentTest, ConfigurationIsChecked) {
  AgentConfig no_tam = config_;
  no_tam.tams.clear();
  EXPECT_FALSE(Agent::Create(no_tam, storage_).ok());
  AgentConfig no_store = config_;
  no_store.suit.store = nullptr;
  EXPECT_FALSE(Agent::Create(no_store, storage_).ok());
  auto x25519 = crypto::PrivateKey::Generate(crypto::KeyType::kX25519);
  ASSERT_TRUE(x25519.ok());
  AgentConfig bad_key = config_;
  bad_key.teep_key = &*x25519;
  EXPECT_FALSE(Agent::Create(bad_key, storage_).ok());
}

}  // namespace
}  // namespace teep::agent::test
