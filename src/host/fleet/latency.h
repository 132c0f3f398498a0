// Latency statistics of load runs (`teep fleet`, bench/tam_http_driver).
#pragma once

#include <cstddef>
#include <vector>

namespace teep::host::fleet {

// The nearest-rank percentile (the smallest value that at least p% of the
// values are less than or equal to), p in (0, 100]; 0 for no values. Sorts
// `values` in place.
double Percentile(std::vector<double>& values, double p);

struct LatencySummary {
  size_t count = 0;
  double p50 = 0, p95 = 0, p99 = 0, max = 0;
};

// Sorts `values` in place.
LatencySummary Summarize(std::vector<double>& values);

}  // namespace teep::host::fleet
