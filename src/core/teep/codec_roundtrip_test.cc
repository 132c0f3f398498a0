// Property tests over generated messages (seeded PRNG): for every message,
// under both profiles, encode -> decode gives the same message, the encoding
// is deterministic CBOR, and LintMessage finds nothing.
#include <gtest/gtest.h>

#include <random>

#include "core/cbor/reader.h"
#include "core/cbor/value.h"
#include "core/teep/codec.h"
#include "core/teep/test_message_generator.h"

namespace teep::msg {
namespace {

constexpr int kPerTypeAndProfile = 600;  // 5 types x 2 profiles x 600 = 6000 messages

void RoundTrip(const Message& m, const WireProfile& profile) {
  auto encoded = EncodeMessage(m, profile);
  ASSERT_TRUE(encoded.ok()) << encoded.status().ToString() << "\n" << DescribeMessage(m, profile);
  // RFC 8949 §4.2.1: the encoding is the deterministic one.
  auto strict = cbor::Check(*encoded);
  EXPECT_FALSE(strict.has_value()) << cbor::ToStatus(*strict).ToString();
  auto decoded = DecodeMessage(*encoded, profile);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString() << "\n" << HexEncode(*encoded);
  EXPECT_EQ(*decoded, m) << DescribeMessage(m, profile) << "vs\n"
                         << DescribeMessage(*decoded, profile);
  EXPECT_TRUE(LintMessage(*encoded, profile).empty());
  // Encoding is a function of the value: re-encoding gives the same bytes.
  auto again = EncodeMessage(*decoded, profile);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *encoded);
}

TEST(TeepRoundTrip, GeneratedMessagesBothProfiles) {
  testing::MessageGenerator gen(20260226);
  int count = 0;
  for (const WireProfile* profile : {&Draft26(), &Draft25()}) {
    for (size_t type = 0; type < kMessageTypeCount; ++type) {
      for (int i = 0; i < kPerTypeAndProfile; ++i) {
        Message m = gen.Make(static_cast<MessageType>(type));
        SCOPED_TRACE(std::string(profile->name) + " #" + std::to_string(i));
        RoundTrip(m, *profile);
        if (HasFailure()) return;
        ++count;
      }
    }
  }
  EXPECT_EQ(count, 2 * 5 * kPerTypeAndProfile);
}

// Non-deterministic input (unsorted maps, overlong heads) of the same value
// decodes to the same message, and re-encodes deterministically.
TEST(TeepRoundTrip, NonDeterministicInputDecodesToTheSameMessage) {
  testing::MessageGenerator gen(7);
  std::mt19937_64 rng(99);
  for (int i = 0; i < 500; ++i) {
    Message m = gen.Make(static_cast<MessageType>(i % kMessageTypeCount));
    auto encoded = EncodeMessage(m);
    ASSERT_TRUE(encoded.ok());
    Bytes shuffled = testing::Perturb(*encoded, rng);
    auto decoded = DecodeMessage(shuffled);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString() << "\n" << HexEncode(shuffled);
    EXPECT_EQ(*decoded, m) << DescribeMessage(m) << "vs\n" << DescribeMessage(*decoded) << HexEncode(*encoded) << "\n" << HexEncode(shuffled);
    if (HasFailure()) return;
  }
}

// The two profiles number the same message differently wherever an option
// other than labels 1..4 or a success/error type is involved.
TEST(TeepRoundTrip, ProfilesDiffer) {
  testing::MessageGenerator gen(3);
  int differing = 0;
  for (int i = 0; i < 200; ++i) {
    Message m = gen.Make(static_cast<MessageType>(i % kMessageTypeCount));
    auto a = EncodeMessage(m, Draft26());
    auto b = EncodeMessage(m, Draft25());
    ASSERT_TRUE(a.ok() && b.ok());
    if (*a != *b) ++differing;
    // Reading with the wrong profile never silently yields the same message.
    auto cross = DecodeMessage(*b, Draft26());
    if (cross.ok() && *a != *b) {
      EXPECT_NE(*cross, m);
    }
  }
  EXPECT_GT(differing, 150);
}

}  // namespace
}  // namespace teep::msg
