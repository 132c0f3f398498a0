// What `teep fleet` prints: the progress line while it runs, and the final
// report as text or as one JSON object (docs/cli.md "teep fleet").
#pragma once

#include <cstdint>
#include <string>

#include "host/fleet/fleet_run.h"

namespace teep::host::fleet {

// One line without a line end, e.g.
// "[#######-------------]  3.4/10 s  1234 exchanges  362.9/s  0 errors".
// The bar shows elapsed / duration, or exchanges / (devices x conversations).
std::string FormatProgress(const FleetPlan& plan, double elapsed_seconds, uint64_t exchanges,
                           uint64_t errors, uint64_t devices_failed);
// While the devices are being created.
std::string FormatSetupProgress(const FleetPlan& plan, uint64_t devices_ready);

std::string FormatReport(const FleetPlan& plan, const FleetResult& result);
std::string FormatJsonReport(const FleetPlan& plan, const FleetResult& result);

}  // namespace teep::host::fleet
