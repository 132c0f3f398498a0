// The SUIT manifest processor (draft-ietf-suit-manifest-37 §6, §8.4.9-10;
// draft-ietf-suit-trust-domains-12 §5-6; draft-ietf-suit-firmware-
// encryption-24 §4; draft-ietf-suit-update-management-14 §5) and the SUIT
// Report it produces (draft-ietf-suit-report-18).
//
// Three procedures, each a single transaction on the platform's
// ComponentStore (component_store.h): everything a procedure changes is
// committed when it succeeds and discarded when it fails, so a failure never
// leaves a half-written component visible.
//
//   Update     authenticate, anti-rollback, then dependency-resolution (15),
//              payload-fetch (16), candidate-verification (18), install (20),
//              validate (7), each preceded by the shared sequence; records the
//              manifest and raises its sequence number.
//   Invoke     validate (7), load (8), invoke (9) of an envelope.
//   Uninstall  uninstall (24) of an installed manifest, then forgets it.
//
// The policy choices the drafts leave open are documented in
// docs/suit-processor.md and are the defaults of ProcessorPolicy.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/cose/encrypt.h"
#include "core/suit/authenticate.h"
#include "core/suit/component_store.h"
#include "core/suit/manifest.h"
#include "core/suit/report.h"

namespace teep::suit {

// What the device (the TEE platform) provides. Every callback is optional; a
// command that needs a missing one fails (a condition evaluates false, a
// directive fails), it is never skipped.
struct Platform {
  ComponentStore* store = nullptr;  // required
  // TC signers trusted for manifests (and for dependency manifests).
  TrustAnchors trust_anchors;
  // Identity checked by condition-vendor/class/device-identifier (16-byte
  // UUIDs, manifest-37 §8.4.8.2-4). A device may belong to several classes.
  std::vector<Bytes> vendor_ids;
  std::vector<Bytes> class_ids;
  std::vector<Bytes> device_ids;
  // Payload decryption keys (firmware-encryption §5); tried in order.
  std::vector<cose::DecryptionKey> decryption_keys;

  // Fetch of a URI that is not an integrated "#name" reference.
  std::function<Result<Bytes>(std::string_view uri, ByteView fetch_args)> fetch;
  // directive-invoke: hand control to the component.
  std::function<Status(const ComponentId& component, ByteView invoke_args)> invoke;
  // condition-component-slot: the slot the component currently occupies.
  std::function<std::optional<uint64_t>(const ComponentId& component)> component_slot;
  // Seconds since 1970 (condition-use-before).
  std::function<std::optional<uint64_t>()> now;
  // Available energy in mWh (condition-minimum-battery).
  std::function<std::optional<uint64_t>()> battery_mwh;
  // condition-update-authorized, given the update priority.
  std::function<bool(int64_t priority)> update_authorized;
  // The installed version of a component (condition-version).
  std::function<std::optional<std::vector<int64_t>>(const ComponentId& component)> version;
  // directive-wait: block until the events in wait-info are satisfied.
  std::function<Status(ByteView wait_info)> wait;
};

// The choices the drafts leave to the implementation (docs/suit-processor.md).
struct ProcessorPolicy {
  // trust-domains §5.6.2: process-dependency aborts unless the dependency
  // passed condition-dependency-integrity first. TEEP Appendix E.3 and the
  // trust-domains integrated-dependency example omit that condition; with
  // this set, process-dependency performs the same verification itself
  // instead of aborting. Security is the same either way: a dependency is
  // never processed unauthenticated.
  bool implicit_dependency_integrity = false;
  size_t max_components = 64;       // manifest-37 §6.3 step 7
  size_t max_dependency_depth = 4;  // nested dependency manifests
  size_t max_nesting = 16;          // try-each / run-sequence nesting
};

struct ProcessOptions {
  // SUIT Report nonce (report-18 §4): TEEP puts the request's token here.
  std::optional<ByteView> nonce;
};

struct Outcome {
  Status status;       // OK, or what failed (its ReportReason is in report)
  Report report;       // always filled
  // Manifest component ids (encoded) this run installed or removed.
  std::vector<Bytes> installed;
  std::vector<Bytes> removed;
  bool ok() const { return status.ok(); }
};

// The slot a manifest occupies: its manifest component id (trust-domains
// §6.3); a manifest without one is keyed by its first component id
// (docs/suit-processor.md).
Bytes ManifestSlot(const Manifest& manifest);

Outcome Update(ByteView envelope, const Platform& platform, const ProcessorPolicy& policy = {},
               const ProcessOptions& options = {});
Outcome Invoke(ByteView envelope, const Platform& platform, const ProcessorPolicy& policy = {},
               const ProcessOptions& options = {});
// `manifest_id`: encoded manifest component id of an installed manifest.
Outcome Uninstall(ByteView manifest_id, const Platform& platform,
                  const ProcessorPolicy& policy = {}, const ProcessOptions& options = {});

}  // namespace teep::suit
