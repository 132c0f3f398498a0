#include "host/fleet/latency.h"

#include <algorithm>
#include <cmath>

namespace teep::host::fleet {

double Percentile(std::vector<double>& values, double p) {
  if (values.empty()) return 0;
  if (!std::is_sorted(values.begin(), values.end())) std::sort(values.begin(), values.end());
  // Rank ceil(p/100 * n), 1-based; at least the first value.
  const double rank = std::ceil(p / 100.0 * static_cast<double>(values.size()));
  const size_t i = rank < 1 ? 0 : std::min(values.size(), static_cast<size_t>(rank)) - 1;
  return values[i];
}

LatencySummary Summarize(std::vector<double>& values) {
  LatencySummary s;
  s.count = values.size();
  if (values.empty()) return s;
  s.p50 = Percentile(values, 50);  // sorts once; the others find it sorted
  s.p95 = Percentile(values, 95);
  s.p99 = Percentile(values, 99);
  s.max = values.back();
  return s;
}

}  // namespace teep::host::fleet
