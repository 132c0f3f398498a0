// Shared set-up for the TEEP Agent tests: an Agent over an in-memory SUIT
// store, a TAM with its keys that signs hand-built messages, a fetcher
// serving a URI table, and helpers that verify and decode what the Agent
// sends back (with the Agent's public key, as a TAM would).
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/agent/agent.h"
#include "core/crypto/crypto.h"
#include "core/suit/memory_store.h"
#include "core/teep/messages.h"
#include "test_util.h"

namespace teep::agent::test {

inline constexpr char kTamUri[] = "https://tam.example/tam";
inline constexpr char kTaUri[] = "https://example.org/8d82573a-926d-4754-9353-32dc29997f74.ta";
inline constexpr char kE1Uri[] = "https://example.org/8d82573a-926d-4754-9353-32dc29997f74.suit";

// The component id of TEEP Appendix E.1/E.2's TC, and their manifest id.
msg::ComponentId TeepTc();
msg::ComponentId TeepManifestId();
Bytes Str(std::string_view s);
Bytes TeepVector(const std::string& name);  // teep/vectors/<name>.hex

// The value of a Result that must be OK (a failure fails the test and
// yields T{}).
template <typename T>
T Ok(Result<T> result) {
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? std::move(result).value() : T{};
}

class AgentTest : public ::testing::Test {
 protected:
  AgentTest();

  // (Re)creates the Agent from config_ and storage_.
  void MakeAgent();

  // The TAM's side: a tagged COSE_Sign1 with tam_key_ ([[18, -9]]).
  Bytes FromTam(const msg::Message& message) const;
  Bytes SignedBy(const msg::Message& message, const crypto::PrivateKey& key) const;
  // A first QueryRequest: COSE_Sign with one signature per suite (P §8.1).
  Bytes FromTamMulti(const msg::Message& message) const;

  // A QueryRequest as our TAM sends one: token, both suites, all four SUIT
  // profiles, the given data items.
  static msg::QueryRequest Query(uint64_t items);
  // An Update with a fresh token carrying `manifests`.
  static msg::Update UpdateWith(std::vector<Bytes> manifests);

  // Runs the Agent; the reply must be a message signed by the Agent's key.
  msg::Message Exchange(ByteView signed_message);
  // Exchange, expecting an Error with `code`.
  msg::Error ExpectError(ByteView signed_message, msg::ErrorCode code);

  std::optional<Bytes> Committed(const msg::ComponentId& id) const;
  // A TC signer the Agent trusts besides the published Appendix E key.
  void TrustSigner(const crypto::PrivateKey& signer);

  suit::MemoryStore store_;
  MemoryStateStorage storage_;
  std::map<std::string, Bytes> served_;
  std::vector<crypto::PublicKey> signer_anchors_;
  crypto::PrivateKey tam_key_;       // P-256
  crypto::PrivateKey tam_ed_key_;    // Ed25519, the TAM's other suite
  crypto::PrivateKey agent_key_;     // the Agent's TEEP key (P-256)
  crypto::PrivateKey attest_key_;    // the Agent's attestation key
  crypto::PrivateKey kek_;           // TEEP E.3 payload decryption key
  AgentConfig config_;
  std::unique_ptr<Agent> agent_;
};

}  // namespace teep::agent::test
