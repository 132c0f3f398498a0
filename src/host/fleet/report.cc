#include "host/fleet/report.h"

#include <algorithm>
#include <cstdio>

#include "core/base/strings.h"
#include "host/inspect/json.h"

namespace teep::host::fleet {
namespace {

constexpr int kBarWidth = 20;

std::string Fixed(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof(text), "%.*f", decimals, value);
  return text;
}

double Rate(uint64_t count, double seconds) { return seconds > 0 ? static_cast<double>(count) / seconds : 0; }

std::string Bar(double fraction) {
  const int filled = static_cast<int>(std::clamp(fraction, 0.0, 1.0) * kBarWidth);
  return "[" + std::string(filled, '#') + std::string(kBarWidth - filled, '-') + "]";
}

std::string Ms(double seconds) { return Fixed(seconds * 1000, 1); }

}  // namespace

std::string FormatProgress(const FleetPlan& plan, double elapsed, uint64_t exchanges, uint64_t errors,
                           uint64_t devices_failed) {
  std::string line;
  if (plan.conversations > 0) {
    const double total = static_cast<double>(plan.devices) * static_cast<double>(plan.conversations);
    line = Cat(Bar(static_cast<double>(exchanges) / total), " ", Fixed(elapsed, 1), " s  ", exchanges, "/",
               plan.devices * plan.conversations, " exchanges");
  } else {
    line = Cat(Bar(elapsed / plan.duration_seconds), " ", Fixed(elapsed, 1), "/", Fixed(plan.duration_seconds, 0),
               " s  ", exchanges, " exchanges");
  }
  line += Cat("  ", Fixed(Rate(exchanges, elapsed), 1), "/s  ", errors, errors == 1 ? " error" : " errors");
  if (devices_failed > 0) line += Cat("  ", devices_failed, " devices failed");
  return line;
}

std::string FormatSetupProgress(const FleetPlan& plan, uint64_t devices_ready) {
  return Cat(Bar(static_cast<double>(devices_ready) / static_cast<double>(plan.devices)), " creating devices ",
             devices_ready, "/", plan.devices);
}

std::string FormatReport(const FleetPlan& plan, const FleetResult& r) {
  std::string out;
  out += Cat("devices:     ", plan.devices, " (index ", plan.first_index, "..", plan.first_index + plan.devices - 1,
             ")\n");
  out += Cat("concurrency: ", r.workers, "\n");
  out += Cat("duration:    ", Fixed(r.seconds, 2), " s\n");
  out += Cat("exchanges:   ", r.exchanges, " (", Fixed(Rate(r.exchanges, r.seconds), 1), "/s)\n");
  if (r.latency.count == 0) {
    out += "latency ms:  - (no exchange completed)\n";
  } else {
    out += Cat("latency ms:  p50 ", Ms(r.latency.p50), "  p95 ", Ms(r.latency.p95), "  p99 ", Ms(r.latency.p99),
               "  max ", Ms(r.latency.max), "\n");
  }
  std::string errors;
  for (size_t k = 0; k < kErrorKindCount; ++k) {
    if (r.errors[k] == 0) continue;
    errors += Cat(errors.empty() ? "" : ", ", ErrorKindName(static_cast<ErrorKind>(k)), " ", r.errors[k]);
  }
  out += Cat("errors:      ", r.total_errors(), errors.empty() ? "" : " (" + errors + ")", "\n");
  for (const std::string& sample : r.error_samples) out += Cat("  first ", sample, "\n");
  out += Cat("devices:     ", r.devices_completed, " completed, ", r.devices_failed, " failed");
  if (r.devices_idle > 0) out += Cat(", ", r.devices_idle, " idle (time ran out)");
  out += "\n";
  return out;
}

std::string FormatJsonReport(const FleetPlan& plan, const FleetResult& r) {
  JsonObject latency;
  latency.Raw("p50", Ms(r.latency.p50))
      .Raw("p95", Ms(r.latency.p95))
      .Raw("p99", Ms(r.latency.p99))
      .Raw("max", Ms(r.latency.max));
  JsonObject errors;
  for (size_t k = 0; k < kErrorKindCount; ++k) {
    errors.Int(ErrorKindName(static_cast<ErrorKind>(k)), static_cast<long long>(r.errors[k]));
  }
  std::string samples = "[";
  for (const std::string& sample : r.error_samples) {
    if (samples.size() > 1) samples += ",";
    AppendJsonString(samples, sample);
  }
  samples += "]";
  JsonObject out;
  out.String("tam", plan.tam_url)
      .Int("devices", static_cast<long long>(plan.devices))
      .Int("first_index", static_cast<long long>(plan.first_index))
      .Int("concurrency", r.workers)
      .Raw("seconds", Fixed(r.seconds, 3))
      .Int("exchanges", static_cast<long long>(r.exchanges))
      .Raw("exchanges_per_second", Fixed(Rate(r.exchanges, r.seconds), 1))
      .Raw("latency_ms", r.latency.count == 0 ? "null" : latency.Finish())
      .Int("errors_total", static_cast<long long>(r.total_errors()))
      .Raw("errors", errors.Finish())
      .Raw("error_samples", samples)
      .Int("devices_completed", static_cast<long long>(r.devices_completed))
      .Int("devices_failed", static_cast<long long>(r.devices_failed))
      .Int("devices_idle", static_cast<long long>(r.devices_idle));
  return out.Finish() + "\n";
}

}  // namespace teep::host::fleet
