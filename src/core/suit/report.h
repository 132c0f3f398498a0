// SUIT_Report (draft-ietf-suit-report-18 §4; CDDL ../shared/spec/suit/report.cddl):
// what a manifest processor tells the author about one run.
//
//   SUIT_Report = {
//     99: [ uri: tstr, digest: SUIT_Digest ],      suit-reference
//     ? 2: bstr,                                   suit-report-nonce (TEEP: the token)
//     3: [ * SUIT_Record / system-property-claims ],
//     4: true / { 5: int, 6: SUIT_Record, 7: reason },
//     ? 8: SUIT_Capability_Report                  (not produced)
//   }
//   SUIT_Record = [ [* uint] manifest-id, int section, uint offset,
//                   uint component-index, { * param => value } ]
//
// Encoding is deterministic (RFC 8949 §4.2.1): our writer sorts nothing
// implicitly, so fields are emitted in key order (2, 3, 4, 99) and record
// parameters are sorted by the encoder. Decoding is strict (no unknown keys
// except the capability report, which is checked to be a map and skipped;
// types checked; a SUIT_Record has exactly 5 elements; reasons 0..12;
// exactly one item) and names the path of any error. Like the other SUIT
// decoders it accepts non-deterministic (e.g. unsorted) encodings from peers,
// but never duplicate keys, indefinite lengths or trailing bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/suit/report_reason.h"

namespace teep::suit {

// SUIT_Report keys (report-18 §4, IANA "SUIT Report Elements").
enum ReportKey : int64_t {
  kReportNonce = 2,
  kReportRecords = 3,
  kReportResult = 4,
  kReportResultCode = 5,
  kReportResultRecord = 6,
  kReportResultReason = 7,
  kReportCapabilityReport = 8,
  kReportReference = 99,
};

// One SUIT_Record: where in which manifest something happened, and the
// parameters in force there. `parameters` holds (parameter key, encoded CBOR
// value) pairs; the encoder sorts them by key and rejects duplicates.
struct ReportRecord {
  std::vector<uint64_t> manifest_id;  // path of dependency indices; empty = root
  int64_t section = 0;                // manifest key of the sequence (7, 8, 9, 15, 16, 18, 20, 24; 3 = common)
  uint64_t offset = 0;                // byte offset of the command within that sequence
  uint64_t component_index = 0;
  std::vector<std::pair<int64_t, Bytes>> parameters;
};

// A system-property-claims map: {0: component-id, + param => value}.
struct ReportSystemProperties {
  Bytes component_id;  // encoded SUIT_Component_Identifier
  std::vector<std::pair<int64_t, Bytes>> parameters;  // encoded values, at least one
};

struct ReportFailure {
  int64_t code = 0;           // suit-report-result-code: the failing command code
  ReportRecord record;        // where it failed
  ReportReason reason = ReportReason::kOperationFailed;
};

struct Report {
  std::string reference_uri;   // manifest reference URI, "" when the manifest has none
  Bytes manifest_digest;       // the encoded SUIT_Digest of the manifest (auth wrapper element 0)
  std::optional<Bytes> nonce;
  std::vector<ReportRecord> records;
  std::vector<ReportSystemProperties> system_properties;  // emitted after the records
  std::optional<ReportFailure> failure;  // nullopt = result `true`

  bool succeeded() const { return !failure.has_value(); }
};

// Deterministic encoding. kInvalidArgument when a value (parameter value,
// component id, manifest digest) is not exactly one deterministic CBOR item,
// a parameter key repeats, manifest_digest is not an encoded SUIT_Digest,
// a component_id is not [* bstr], a system-property claim has no parameter
// (or uses key 0), the reason is outside 0..12, or the URI is not UTF-8.
// Messages name the wire path, e.g. "SUIT_Report.records[1][4]: duplicate
// parameter key 3".
Result<Bytes> EncodeReport(const Report& report);

// Strict decoding (views are copied into the Report). Accepts the
// capability report (key 8) by skipping it. Errors name the path,
// e.g. "SUIT_Report.result.record[4]: expected map, got array".
Result<Report> DecodeReport(ByteView data);

// Human-readable one-paragraph summary for CLI output:
// "failed: condition-failed (10) at install (20) offset 7, component 0, command 3".
std::string DescribeReport(const Report& report);

}  // namespace teep::suit
