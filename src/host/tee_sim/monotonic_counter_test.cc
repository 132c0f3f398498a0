#include "host/tee_sim/monotonic_counter.h"

#include <sys/stat.h>

#include <filesystem>
#include <limits>

#include <gtest/gtest.h>

#include "core/crypto/crypto.h"
#include "host/io/file.h"
#include "temp_dir.h"
#include "test_util.h"

namespace teep::host::tee_sim {
namespace {

using teep::test::TempDir;

// The documented file layout, built here independently of the class.
Bytes CounterFile(uint64_t value) {
  Bytes out = ToBytes(AsBytes("TEEPMCTR"));
  out.push_back(1);
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(value >> shift));
  auto digest = crypto::Sha256(out);
  out.insert(out.end(), digest.begin(), digest.end());
  return out;
}

TEST(MonotonicCounterTest, StartsAtZeroInAPrivateFile) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto counter, MonotonicCounter::Open(dir / "counter"));
  EXPECT_EQ(counter->Value(), 0u);
  struct stat st {};
  ASSERT_EQ(::stat((dir / "counter").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  ASSERT_OK_AND_ASSIGN(Bytes content, ReadFile(dir / "counter"));
  EXPECT_EQ(content, CounterFile(0));
}

TEST(MonotonicCounterTest, IncrementsAreDurableAcrossReopen) {
  TempDir dir;
  {
    ASSERT_OK_AND_ASSIGN(auto counter, MonotonicCounter::Open(dir / "counter"));
    for (uint64_t expected = 1; expected <= 3; ++expected) {
      ASSERT_OK_AND_ASSIGN(uint64_t value, counter->Increment());
      EXPECT_EQ(value, expected);
      EXPECT_EQ(counter->Value(), expected);
    }
  }
  ASSERT_OK_AND_ASSIGN(auto reopened, MonotonicCounter::Open(dir / "counter"));
  EXPECT_EQ(reopened->Value(), 3u);
  ASSERT_OK_AND_ASSIGN(uint64_t value, reopened->Increment());
  EXPECT_EQ(value, 4u);
  ASSERT_OK_AND_ASSIGN(Bytes content, ReadFile(dir / "counter"));
  EXPECT_EQ(content, CounterFile(4));
}

TEST(MonotonicCounterTest, ReadsTheDocumentedFormat) {
  TempDir dir;
  ASSERT_OK(WriteFile(dir / "counter", CounterFile(0x0102030405060708), true));
  ASSERT_OK_AND_ASSIGN(auto counter, MonotonicCounter::Open(dir / "counter"));
  EXPECT_EQ(counter->Value(), 0x0102030405060708u);
}

// A damaged file must never read as zero (that would undo every increment).
TEST(MonotonicCounterTest, CorruptionIsAnErrorNotZero) {
  TempDir dir;
  const Bytes good = CounterFile(7);
  for (size_t offset = 0; offset < good.size(); ++offset) {
    Bytes bad = good;
    bad[offset] ^= 0x80;
    ASSERT_OK(WriteFile(dir / "counter", bad, true));
    auto counter = MonotonicCounter::Open(dir / "counter");
    ASSERT_FALSE(counter.ok()) << "flip at offset " << offset << " went unnoticed";
    EXPECT_EQ(counter.status().code(), StatusCode::kMalformed) << counter.status().ToString();
    EXPECT_NE(counter.status().message().find(dir / "counter"), std::string::npos);
  }
  for (size_t length : {size_t{0}, size_t{1}, good.size() - 1}) {
    ASSERT_OK(WriteFile(dir / "counter", ByteView(good).first(length), true));
    auto counter = MonotonicCounter::Open(dir / "counter");
    ASSERT_FALSE(counter.ok()) << "truncation to " << length;
    EXPECT_EQ(counter.status().code(), StatusCode::kMalformed);
  }
}

TEST(MonotonicCounterTest, RefusesToWrap) {
  TempDir dir;
  const uint64_t max = std::numeric_limits<uint64_t>::max();
  ASSERT_OK(WriteFile(dir / "counter", CounterFile(max), true));
  ASSERT_OK_AND_ASSIGN(auto counter, MonotonicCounter::Open(dir / "counter"));
  auto next = counter->Increment();
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().code(), StatusCode::kLimitExceeded);
  EXPECT_EQ(counter->Value(), max);
}

TEST(MonotonicCounterTest, AFailedIncrementChangesNothing) {
  TempDir dir;
  const std::string sub = dir / "sub";
  ASSERT_EQ(::mkdir(sub.c_str(), 0700), 0);
  ASSERT_OK_AND_ASSIGN(auto counter, MonotonicCounter::Open(sub + "/counter"));
  ASSERT_OK(counter->Increment().status());
  std::filesystem::remove_all(sub);  // the next write cannot succeed
  auto next = counter->Increment();
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().code(), StatusCode::kIoError);
  EXPECT_EQ(counter->Value(), 1u);
}

TEST(MonotonicCounterTest, MissingDirectoryIsAnError) {
  TempDir dir;
  auto counter = MonotonicCounter::Open(dir / "absent/counter");
  ASSERT_FALSE(counter.ok());
  EXPECT_EQ(counter.status().code(), StatusCode::kIoError);
}

}  // namespace
}  // namespace teep::host::tee_sim
