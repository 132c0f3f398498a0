// SUIT_Report encoding, decoding and description (draft-ietf-suit-report-18
// §4; CDDL ../shared/spec/suit/report.cddl). See report.h for the shape.
#include "core/suit/report.h"

#include <algorithm>
#include <string>
#include <string_view>

#include "core/cbor/reader.h"
#include "core/cbor/utf8.h"
#include "core/cbor/writer.h"
#include "core/suit/component_id.h"
#include "core/suit/decode_util.h"
#include "core/suit/digest.h"
#include "core/suit/manifest.h"

namespace teep::suit {

using namespace internal;  // NOLINT: decode helpers
using cbor::MajorType;

namespace {

using Parameters = std::vector<std::pair<int64_t, Bytes>>;
using Parameter = std::pair<int64_t, Bytes>;

constexpr std::string_view kPath = "SUIT_Report";
constexpr std::string_view kReferencePath = "SUIT_Report.reference";
constexpr std::string_view kNoncePath = "SUIT_Report.nonce";
constexpr std::string_view kRecordsPath = "SUIT_Report.records";
constexpr std::string_view kResultPath = "SUIT_Report.result";
constexpr std::string_view kCapabilityPath = "SUIT_Report.capability-report";

// report-18 §4.1: SUIT_Record = [manifest-id, manifest-section,
// section-offset, component-index, properties]. $$SUIT_Record_Extensions
// defines nothing, so exactly five elements.
constexpr uint64_t kRecordElements = 5;
constexpr size_t kRecordProperties = 4;
// report-18 §4 (CDDL): system-component-id = 0.
constexpr int64_t kSystemComponentId = 0;
// SUIT_Reference = [uri, digest].
constexpr uint64_t kReferenceElements = 2;

// report-18 §4.2: reasons 0 (ok) .. 12 (invoke-pending).
constexpr uint64_t kMaxReason = static_cast<uint64_t>(ReportReason::kInvocationPending);

// ---------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------

Status InvalidArgument(std::string_view path, std::string_view message) {
  std::string text(path);
  text += ": ";
  text += message;
  return Status(StatusCode::kInvalidArgument, std::move(text));
}

std::string KeyPath(std::string_view path, int64_t key) {
  return std::string(path) + "{" + std::to_string(key) + "}";
}

// The encoder emits caller-supplied items verbatim, so each must already be
// exactly one deterministic item (RFC 8949 §4.2.1), or the report as a whole
// would not be deterministic.
Status CheckEncodedItem(ByteView item, std::string_view path) {
  if (auto error = cbor::Check(item)) {
    return InvalidArgument(path, "not one deterministic CBOR item (" +
                                     cbor::ToStatus(*error).message() + ")");
  }
  return OkStatus();
}

// RFC 8949 §4.2.1: map keys sort by the bytewise order of their encodings.
// For integers that is 0, 1, ..., 23, 24, ... (shorter heads first and, within
// one head length, by value), then -1, -2, ... (major type 1 sorts after 0,
// and its argument -1-n grows as the value falls).
bool DeterministicKeyLess(int64_t a, int64_t b) {
  const bool a_negative = a < 0;
  const bool b_negative = b < 0;
  if (a_negative != b_negative) return b_negative;
  return a_negative ? a > b : a < b;
}

// The parameters in deterministic key order, each value checked; a repeated
// key is kInvalidArgument (RFC 8949 §5.6: duplicate keys make a map invalid).
Result<std::vector<const Parameter*>> SortedParameters(const Parameters& params,
                                                       std::string_view path) {
  std::vector<const Parameter*> sorted;
  sorted.reserve(params.size());
  for (const Parameter& p : params) {
    TEEP_RETURN_IF_ERROR(CheckEncodedItem(p.second, KeyPath(path, p.first)));
    sorted.push_back(&p);
  }
  std::sort(sorted.begin(), sorted.end(), [](const Parameter* a, const Parameter* b) {
    return DeterministicKeyLess(a->first, b->first);
  });
  for (size_t i = 1; i < sorted.size(); ++i) {
    if (sorted[i]->first == sorted[i - 1]->first) {
      return InvalidArgument(path, "duplicate parameter key " + std::to_string(sorted[i]->first));
    }
  }
  return sorted;
}

void WritePairs(cbor::Writer& w, const std::vector<const Parameter*>& sorted) {
  for (const Parameter* p : sorted) {
    w.WriteInt(p->first);
    w.WriteRaw(p->second);
  }
}

// report-18 §4.1: SUIT_Record.
Status WriteRecord(cbor::Writer& w, const ReportRecord& record, std::string_view path) {
  TEEP_ASSIGN_OR_RETURN(auto sorted,
                        SortedParameters(record.parameters, Index(path, kRecordProperties)));
  w.BeginArray(kRecordElements);
  w.BeginArray(record.manifest_id.size());
  for (uint64_t index : record.manifest_id) w.WriteUint(index);
  w.WriteInt(record.section);
  w.WriteUint(record.offset);
  w.WriteUint(record.component_index);
  w.BeginMap(sorted.size());
  WritePairs(w, sorted);
  return OkStatus();
}

// report-18 §4 (CDDL): system-property-claims = {0: component-id, + params}.
Status WriteSystemProperties(cbor::Writer& w, const ReportSystemProperties& claims,
                             std::string_view path) {
  const std::string id_path = KeyPath(path, kSystemComponentId);
  TEEP_RETURN_IF_ERROR(CheckEncodedItem(claims.component_id, id_path));
  if (auto id = DecodeComponentId(claims.component_id); !id.ok()) {
    return InvalidArgument(id_path, id.status().message());
  }
  if (claims.parameters.empty()) {
    return InvalidArgument(path, "system-property-claims needs at least one parameter");
  }
  for (const Parameter& p : claims.parameters) {
    if (p.first == kSystemComponentId) {
      return InvalidArgument(path, "parameter key 0 is the system-component-id");
    }
  }
  TEEP_ASSIGN_OR_RETURN(auto sorted, SortedParameters(claims.parameters, path));
  w.BeginMap(1 + sorted.size());
  // Key 0 sorts before every other integer key.
  w.WriteUint(kSystemComponentId);
  w.WriteRaw(claims.component_id);
  WritePairs(w, sorted);
  return OkStatus();
}

// report-18 §4: records and system-property-claims share one list; ours are
// emitted records first (the list is unordered by the spec).
Status WriteRecords(cbor::Writer& w, const Report& report) {
  w.BeginArray(report.records.size() + report.system_properties.size());
  uint64_t i = 0;
  for (const ReportRecord& record : report.records) {
    TEEP_RETURN_IF_ERROR(WriteRecord(w, record, Index(kRecordsPath, i++)));
  }
  for (const ReportSystemProperties& claims : report.system_properties) {
    TEEP_RETURN_IF_ERROR(WriteSystemProperties(w, claims, Index(kRecordsPath, i++)));
  }
  return OkStatus();
}

// report-18 §4: suit-report-result = true / {5: code, 6: record, 7: reason}.
Status WriteResult(cbor::Writer& w, const std::optional<ReportFailure>& failure) {
  if (!failure) {
    w.WriteBool(true);
    return OkStatus();
  }
  const auto reason = static_cast<uint64_t>(failure->reason);
  if (reason > kMaxReason) {
    return InvalidArgument(Member(kResultPath, "reason"),
                           "reason " + std::to_string(reason) + " is not a SUIT_Report_Reasons value (0..12)");
  }
  w.BeginMap(3);
  w.WriteUint(kReportResultCode);
  w.WriteInt(failure->code);
  w.WriteUint(kReportResultRecord);
  TEEP_RETURN_IF_ERROR(WriteRecord(w, failure->record, Member(kResultPath, "record")));
  w.WriteUint(kReportResultReason);
  w.WriteUint(reason);
  return OkStatus();
}

// report-18 §4: SUIT_Reference = [uri: tstr, digest: SUIT_Digest].
Status WriteReference(cbor::Writer& w, const Report& report) {
  if (cbor::FindInvalidUtf8(AsBytes(report.reference_uri)) >= 0) {
    return InvalidArgument(Index(kReferencePath, 0), "reference_uri is not valid UTF-8");
  }
  const std::string digest_path = Index(kReferencePath, 1);
  TEEP_RETURN_IF_ERROR(CheckEncodedItem(report.manifest_digest, digest_path));
  if (auto digest = DecodeDigest(report.manifest_digest, digest_path); !digest.ok()) {
    return Status(StatusCode::kInvalidArgument, digest.status().message());
  }
  w.BeginArray(kReferenceElements);
  w.WriteText(report.reference_uri);
  w.WriteRaw(report.manifest_digest);
  return OkStatus();
}

// ---------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------

std::string UnknownKey(int64_t key) { return "unknown key " + std::to_string(key); }

// { * int => any }: the values are copied as encoded items.
Status ReadParameterPairs(cbor::Reader& r, uint64_t pairs, std::string_view path,
                          Parameters* out) {
  for (uint64_t i = 0; i < pairs; ++i) {
    int64_t key = 0;
    TEEP_RETURN_IF_ERROR(ReadIntKey(r, Index(path, i) + " key", &key));
    ByteView value;
    r.ReadRaw(&value);
    out->emplace_back(key, ToBytes(value));
  }
  return r.ok() ? OkStatus() : r.status().WithContext(path);
}

// suit-record-manifest-id: [* uint].
Status ReadManifestId(cbor::Reader& r, std::string_view path, std::vector<uint64_t>* out) {
  uint64_t count = 0;
  TEEP_RETURN_IF_ERROR(ReadArray(r, path, &count));
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t index = 0;
    TEEP_RETURN_IF_ERROR(ReadUint(r, Index(path, i), &index));
    out->push_back(index);
  }
  return OkStatus();
}

// report-18 §4.1: SUIT_Record = [[* uint], int, uint, uint, {* param => value}].
Status ReadRecord(cbor::Reader& r, std::string_view path, ReportRecord* record) {
  uint64_t count = 0;
  TEEP_RETURN_IF_ERROR(ReadArray(r, path, &count));
  if (count != kRecordElements) {
    return Malformed(path, "SUIT_Record has 5 elements, got " + std::to_string(count));
  }
  TEEP_RETURN_IF_ERROR(ReadManifestId(r, Index(path, 0), &record->manifest_id));
  TEEP_RETURN_IF_ERROR(ReadInt(r, Index(path, 1), &record->section));
  TEEP_RETURN_IF_ERROR(ReadUint(r, Index(path, 2), &record->offset));
  TEEP_RETURN_IF_ERROR(ReadUint(r, Index(path, 3), &record->component_index));
  const std::string properties_path = Index(path, kRecordProperties);
  uint64_t pairs = 0;
  TEEP_RETURN_IF_ERROR(ReadMap(r, properties_path, &pairs));
  return ReadParameterPairs(r, pairs, properties_path, &record->parameters);
}

// report-18 §4 (CDDL): system-property-claims = {0: component-id, + params}.
Status ReadSystemProperties(cbor::Reader& r, std::string_view path,
                            ReportSystemProperties* claims) {
  uint64_t pairs = 0;
  TEEP_RETURN_IF_ERROR(ReadMap(r, path, &pairs));
  bool have_id = false;
  for (uint64_t i = 0; i < pairs; ++i) {
    int64_t key = 0;
    TEEP_RETURN_IF_ERROR(ReadIntKey(r, Index(path, i) + " key", &key));
    ByteView value;
    r.ReadRaw(&value);
    if (!r.ok()) return r.status().WithContext(path);
    if (key != kSystemComponentId) {
      claims->parameters.emplace_back(key, ToBytes(value));
      continue;
    }
    if (auto id = DecodeComponentId(value); !id.ok()) {
      return id.status().WithContext(KeyPath(path, kSystemComponentId));
    }
    claims->component_id = ToBytes(value);
    have_id = true;
  }
  if (!have_id) return Malformed(path, "system-property-claims lacks system-component-id (0)");
  if (claims->parameters.empty()) {
    return Malformed(path, "system-property-claims needs at least one parameter");
  }
  return OkStatus();
}

// report-18 §4: suit-report-records = [* SUIT_Record / system-property-claims].
Status ReadRecords(cbor::Reader& r, Report* report) {
  uint64_t count = 0;
  TEEP_RETURN_IF_ERROR(ReadArray(r, kRecordsPath, &count));
  for (uint64_t i = 0; i < count; ++i) {
    const std::string path = Index(kRecordsPath, i);
    const auto type = r.PeekType();
    if (type == MajorType::kArray) {
      TEEP_RETURN_IF_ERROR(ReadRecord(r, path, &report->records.emplace_back()));
    } else if (type == MajorType::kMap) {
      TEEP_RETURN_IF_ERROR(
          ReadSystemProperties(r, path, &report->system_properties.emplace_back()));
    } else {
      return Malformed(path, "expected SUIT_Record (array) or system-property-claims (map), got " +
                                 cbor::DescribeNextItem(r));
    }
  }
  return OkStatus();
}

// report-18 §4.2: SUIT_Report_Reasons, 0..12.
Status ReadReason(cbor::Reader& r, std::string_view path, ReportReason* reason) {
  uint64_t value = 0;
  TEEP_RETURN_IF_ERROR(ReadUint(r, path, &value));
  if (value > kMaxReason) {
    return Malformed(path, "unknown reason " + std::to_string(value) + " (expected 0..12)");
  }
  *reason = static_cast<ReportReason>(value);
  return OkStatus();
}

// report-18 §4: {5: result-code, 6: result-record, 7: result-reason}, all required.
Status ReadFailure(cbor::Reader& r, ReportFailure* failure) {
  uint64_t pairs = 0;
  TEEP_RETURN_IF_ERROR(ReadMap(r, kResultPath, &pairs));
  bool have_code = false, have_record = false, have_reason = false;
  for (uint64_t i = 0; i < pairs; ++i) {
    int64_t key = 0;
    TEEP_RETURN_IF_ERROR(ReadIntKey(r, Index(kResultPath, i) + " key", &key));
    switch (key) {
      case kReportResultCode:
        TEEP_RETURN_IF_ERROR(ReadInt(r, Member(kResultPath, "code"), &failure->code));
        have_code = true;
        break;
      case kReportResultRecord:
        TEEP_RETURN_IF_ERROR(ReadRecord(r, Member(kResultPath, "record"), &failure->record));
        have_record = true;
        break;
      case kReportResultReason:
        TEEP_RETURN_IF_ERROR(ReadReason(r, Member(kResultPath, "reason"), &failure->reason));
        have_reason = true;
        break;
      default:
        return Malformed(kResultPath, UnknownKey(key));
    }
  }
  if (!have_code) return Malformed(kResultPath, "missing suit-report-result-code (5)");
  if (!have_record) return Malformed(kResultPath, "missing suit-report-result-record (6)");
  if (!have_reason) return Malformed(kResultPath, "missing suit-report-result-reason (7)");
  return OkStatus();
}

// report-18 §4: suit-report-result = true / failure map.
Status ReadResult(cbor::Reader& r, Report* report) {
  if (r.PeekType() == MajorType::kMap) return ReadFailure(r, &report->failure.emplace());
  cbor::Reader probe = r;
  bool value = false;
  if (probe.ReadBool(&value)) {
    if (!value) return Malformed(kResultPath, "expected true or a failure map, got false");
    r = probe;
    report->failure.reset();
    return OkStatus();
  }
  return Malformed(kResultPath, "expected true or a failure map, got " + cbor::DescribeNextItem(r));
}

// report-18 §4: SUIT_Reference = [uri: tstr, digest: SUIT_Digest].
Status ReadReference(cbor::Reader& r, Report* report) {
  uint64_t count = 0;
  TEEP_RETURN_IF_ERROR(ReadArray(r, kReferencePath, &count));
  if (count != kReferenceElements) {
    return Malformed(kReferencePath,
                     "SUIT_Reference is [uri, digest], got " + std::to_string(count) + " element(s)");
  }
  std::string_view uri;
  TEEP_RETURN_IF_ERROR(ReadText(r, Index(kReferencePath, 0), &uri));
  ByteView digest;
  r.ReadRaw(&digest);
  if (!r.ok()) return r.status().WithContext(kReferencePath);
  TEEP_RETURN_IF_ERROR(DecodeDigest(digest, Index(kReferencePath, 1)).status());
  report->reference_uri = std::string(uri);
  report->manifest_digest = ToBytes(digest);
  return OkStatus();
}

// report-18 §4: SUIT_Capability_Report is accepted but not interpreted.
Status SkipCapabilityReport(cbor::Reader& r) {
  if (r.PeekType() != MajorType::kMap) {
    return Malformed(kCapabilityPath, "expected map, got " + cbor::DescribeNextItem(r));
  }
  r.Skip();
  return r.ok() ? OkStatus() : r.status().WithContext(kCapabilityPath);
}

// ---------------------------------------------------------------------------
// Description
// ---------------------------------------------------------------------------

// "condition-failed" for suit-report-reason-condition-failed.
std::string_view ShortReasonName(ReportReason reason) {
  constexpr std::string_view kPrefix = "suit-report-reason-";
  std::string_view name = ReportReasonName(reason);
  if (name.substr(0, kPrefix.size()) == kPrefix) name.remove_prefix(kPrefix.size());
  return name;
}

// The manifest member a record's section key names (manifest-37 §8.4, td).
std::string_view SectionName(int64_t section) {
  switch (section) {
    case kManifestCommon: return "common";
    case kManifestValidate: return "validate";
    case kManifestLoad: return "load";
    case kManifestInvoke: return "invoke";
    case kManifestDependencyResolution: return "dependency-resolution";
    case kManifestPayloadFetch: return "payload-fetch";
    case kManifestCandidateVerification: return "candidate-verification";
    case kManifestInstall: return "install";
    case kManifestUninstall: return "uninstall";
    default: return "section";
  }
}

// "install (20) offset 7, component 0".
std::string DescribeLocation(const ReportRecord& record) {
  std::string out(SectionName(record.section));
  out += " (" + std::to_string(record.section) + ") offset " + std::to_string(record.offset) +
         ", component " + std::to_string(record.component_index);
  return out;
}

// report-18 §4.1: the manifest-id is the path of dependency indices from the
// root manifest; "" for the root itself.
std::string DescribeManifestId(const std::vector<uint64_t>& manifest_id) {
  if (manifest_id.empty()) return "";
  std::string out = ", in dependency manifest [";
  for (size_t i = 0; i < manifest_id.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(manifest_id[i]);
  }
  return out + "]";
}

std::string Plural(size_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

}  // namespace

Result<Bytes> EncodeReport(const Report& report) {
  cbor::Writer w;
  // RFC 8949 §4.2.1: keys in bytewise order 2, 3, 4, 99 (0x18 0x63).
  w.BeginMap(report.nonce ? 4 : 3);
  if (report.nonce) {
    w.WriteUint(kReportNonce);
    w.WriteBytes(*report.nonce);
  }
  w.WriteUint(kReportRecords);
  TEEP_RETURN_IF_ERROR(WriteRecords(w, report));
  w.WriteUint(kReportResult);
  TEEP_RETURN_IF_ERROR(WriteResult(w, report.failure));
  w.WriteUint(kReportReference);
  TEEP_RETURN_IF_ERROR(WriteReference(w, report));
  Result<Bytes> encoded = std::move(w).Finish();
  if (!encoded.ok()) return encoded.status().WithContext(kPath);
  return encoded;
}

Result<Report> DecodeReport(ByteView data) {
  // Exactly one item; duplicate keys, indefinite lengths and trailing bytes
  // are refused by the reader.
  TEEP_ASSIGN_OR_RETURN(cbor::Reader r, OpenItem(data, kPath));
  uint64_t pairs = 0;
  TEEP_RETURN_IF_ERROR(ReadMap(r, kPath, &pairs));
  Report report;
  bool have_reference = false, have_records = false, have_result = false;
  for (uint64_t i = 0; i < pairs; ++i) {
    int64_t key = 0;
    TEEP_RETURN_IF_ERROR(ReadIntKey(r, Index(kPath, i) + " key", &key));
    switch (key) {
      case kReportReference:
        TEEP_RETURN_IF_ERROR(ReadReference(r, &report));
        have_reference = true;
        break;
      case kReportNonce: {
        ByteView nonce;
        TEEP_RETURN_IF_ERROR(ReadBstr(r, kNoncePath, &nonce));
        report.nonce = ToBytes(nonce);
        break;
      }
      case kReportRecords:
        TEEP_RETURN_IF_ERROR(ReadRecords(r, &report));
        have_records = true;
        break;
      case kReportResult:
        TEEP_RETURN_IF_ERROR(ReadResult(r, &report));
        have_result = true;
        break;
      case kReportCapabilityReport:
        TEEP_RETURN_IF_ERROR(SkipCapabilityReport(r));
        break;
      default:
        // Also rejects the pre-report-18 layout of TEEP Appendix F (keys 1, 2, 4).
        return Malformed(kPath, UnknownKey(key));
    }
  }
  if (!have_reference) return Malformed(kPath, "missing suit-reference (99)");
  if (!have_records) return Malformed(kPath, "missing suit-report-records (3)");
  if (!have_result) return Malformed(kPath, "missing suit-report-result (4)");
  return report;
}

std::string DescribeReport(const Report& report) {
  std::string out;
  if (report.failure) {
    const ReportFailure& f = *report.failure;
    out = "failed: ";
    out += ShortReasonName(f.reason);
    out += " (" + std::to_string(static_cast<int>(f.reason)) + ") at " +
           DescribeLocation(f.record) + ", command " + std::to_string(f.code) +
           DescribeManifestId(f.record.manifest_id);
  } else {
    out = "succeeded";
  }
  if (report.reference_uri.empty()) {
    out += "; manifest without reference URI";
  } else {
    out += "; manifest \"" + report.reference_uri + "\"";
  }
  if (report.nonce) out += "; nonce h'" + HexEncode(*report.nonce) + "'";
  out += "; " + Plural(report.records.size(), "record", "records");
  if (!report.system_properties.empty()) {
    out += ", " + Plural(report.system_properties.size(), "system-property claim",
                         "system-property claims");
  }
  return out;
}

}  // namespace teep::suit
