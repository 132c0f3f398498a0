#include "host/fleet/latency.h"

#include <gtest/gtest.h>

namespace teep::host::fleet {
namespace {

TEST(LatencyTest, NearestRank) {
  std::vector<double> v;
  for (int i = 100; i >= 1; --i) v.push_back(i);  // 1..100, unsorted
  EXPECT_EQ(Percentile(v, 50), 50);
  EXPECT_EQ(Percentile(v, 95), 95);
  EXPECT_EQ(Percentile(v, 99), 99);
  EXPECT_EQ(Percentile(v, 100), 100);
  EXPECT_EQ(Percentile(v, 0.5), 1);
}

TEST(LatencyTest, SmallSamples) {
  std::vector<double> one = {7};
  EXPECT_EQ(Percentile(one, 50), 7);
  EXPECT_EQ(Percentile(one, 99), 7);
  std::vector<double> four = {4, 1, 3, 2};
  EXPECT_EQ(Percentile(four, 50), 2);   // rank ceil(2) = 2
  EXPECT_EQ(Percentile(four, 51), 3);   // rank ceil(2.04) = 3
  EXPECT_EQ(Percentile(four, 95), 4);
  std::vector<double> none;
  EXPECT_EQ(Percentile(none, 50), 0);
}

TEST(LatencyTest, Summary) {
  std::vector<double> v;
  for (int i = 1; i <= 1000; ++i) v.push_back(i / 1000.0);
  LatencySummary s = Summarize(v);
  EXPECT_EQ(s.count, 1000u);
  EXPECT_DOUBLE_EQ(s.p50, 0.5);
  EXPECT_DOUBLE_EQ(s.p95, 0.95);
  EXPECT_DOUBLE_EQ(s.p99, 0.99);
  EXPECT_DOUBLE_EQ(s.max, 1.0);
  std::vector<double> none;
  EXPECT_EQ(Summarize(none).count, 0u);
  EXPECT_EQ(Summarize(none).max, 0);
}

}  // namespace
}  // namespace teep::host::fleet
