// Value and cross-field rules shared by the decoder and the validator.
#include <string>

#include "core/cbor/reader.h"
#include "core/cbor/value.h"
#include "core/teep/codec_internal.h"
#include "core/teep/errors.h"

namespace teep::msg::internal {
namespace {

bool CheckByteSize(size_t size, size_t lo, size_t hi, Diagnostics& d) {
  if (size >= lo && size <= hi) return true;
  d.Report(Cat("size ", size, " is outside ", lo, "..", hi, " bytes"));
  return false;
}

}  // namespace

// ---- Diagnostics ---------------------------------------------------------------

std::string Diagnostics::Path() const {
  std::string path(root_);
  const size_t n = depth_ < kMaxDepth ? depth_ : kMaxDepth;
  for (size_t i = 0; i < n; ++i) {
    const Segment& s = segments_[i];
    if (s.is_index) {
      path += '[';
      path += std::to_string(s.index);
      path += ']';
    } else {
      path += '.';
      path += s.name;
    }
  }
  return path;
}

void Diagnostics::Report(std::string_view what) {
  if (stop()) return;  // first-error mode keeps the first only
  std::string line = Path();
  line += ": ";
  line += what;
  messages_.push_back(std::move(line));
}

Status Diagnostics::status() const {
  if (messages_.empty()) return OkStatus();
  return Status(code_, messages_.front());
}

// ---- rules -----------------------------------------------------------------------

bool CheckToken(ByteView token, Diagnostics& d) {
  // P §4.2: token => bstr .size (8..64).
  return CheckByteSize(token.size(), 8, 64, d);
}

bool CheckChallenge(ByteView challenge, Diagnostics& d) {
  // P §4.2: challenge => bstr .size (8..512).
  return CheckByteSize(challenge.size(), 8, 512, d);
}

bool CheckTextSize(std::string_view text, size_t max, Diagnostics& d) {
  // CDDL `text .size (1..N)` counts bytes of the UTF-8 encoding.
  if (!text.empty() && text.size() <= max) return true;
  d.Report(Cat("text of ", text.size(), " bytes is outside 1..", max, " bytes"));
  return false;
}

bool CheckNonEmpty(size_t count, Diagnostics& d) {
  if (count > 0) return true;
  d.Report("must have at least one element ([+ ...])");
  return false;
}

bool CheckEmbeddedItem(ByteView content, Diagnostics& d) {
  auto error = cbor::Check(content, cbor::RelaxedOptions());
  if (!error) return true;
  d.Report(Cat("byte string does not hold one well-formed CBOR item (bstr .cbor): ",
               cbor::ToStatus(*error).message()));
  return false;
}

bool CheckDataItems(uint64_t bits, Diagnostics& d) {
  // `uint .bits data-item-requested`: only bits 0..3 are defined (P §4.2).
  if ((bits & ~kDefinedDataItems) == 0) return true;
  d.Report(Cat("value ", bits,
               " sets bits outside the defined data items (attestation 1, trusted-components 2, "
               "extensions 4, suit-reports 8)"));
  return false;
}

bool CheckErrCode(const ErrCode& code, const WireProfile& profile, Diagnostics& d) {
  if (code.is_known()) return true;
  const uint64_t v = code.unknown_value();
  if (v > kLastReservedErrCode) return true;
  // 0..23 belong to the protocol: a value there is either named in the
  // profile (then it must be given as such) or reserved/unassigned.
  if (profile.ErrorCodeForNumber(v)) {
    d.Report(Cat("err-code ", v, " is ", ErrorCodeName(v, profile), " in ", profile.name,
                 "; give it as a named code"));
  } else {
    d.Report(Cat(ErrorCodeName(v, profile),
                 " is not allowed (P §4.6: 0 is reserved, unnamed codes up to 23 are unassigned)"));
  }
  return false;
}

bool CheckRequestedTcInfo(const RequestedTcInfo& info, const WireProfile& profile,
                          Diagnostics& d) {
  // P §4.3: "If have-binary is true, the tc-manifest-sequence-number field
  // MUST be present."
  if (info.have_binary.value_or(false) && !info.tc_manifest_sequence_number) {
    d.Report(Cat("have-binary is true but ", OptionRef(Option::kTcManifestSequenceNumber, profile),
                 " is absent (P §4.3)"));
    return false;
  }
  return true;
}

void CheckCrossFields(const QueryRequest& m, const WireProfile& profile, Diagnostics& d) {
  if (m.data_item_requested & kDataItemAttestation) return;
  // P §4.2 (challenge): "This MUST be absent if the attestation bit is clear".
  if (m.challenge) {
    d.Report(Cat(OptionRef(Option::kChallenge, profile),
                 " must be absent when data-item-requested has the attestation bit clear (P §4.2)"));
  }
  // P §4.2 (supported-freshness-mechanisms): likewise.
  if (m.supported_freshness_mechanisms) {
    d.Report(Cat(OptionRef(Option::kSupportedFreshnessMechanisms, profile),
                 " must be absent when data-item-requested has the attestation bit clear (P §4.2)"));
  }
}

void CheckCrossFields(const Error& m, const WireProfile& profile, Diagnostics& d) {
  // P §4.6: codes 3, 4, 5 and 8 oblige the Error to list what the Agent
  // does support.
  auto known = m.err_code.known();
  if (!known) return;
  const ErrorCodeInfo& info = GetErrorCodeInfo(*known);
  if (!info.required_option) return;
  bool present = false;
  switch (*info.required_option) {
    case Option::kSupportedFreshnessMechanisms:
      present = m.supported_freshness_mechanisms.has_value();
      break;
    case Option::kVersions: present = m.versions.has_value(); break;
    case Option::kSupportedTeepCipherSuites:
      present = m.supported_teep_cipher_suites.has_value();
      break;
    case Option::kSupportedSuitCoseProfiles:
      present = m.supported_suit_cose_profiles.has_value();
      break;
    default: present = true; break;
  }
  if (!present) {
    d.Report(Cat("err-code ", info.name, " requires ", OptionRef(*info.required_option, profile),
                 " (P §4.6)"));
  }
}

std::string OptionRef(Option o, const WireProfile& profile) {
  return Cat(OptionName(o), " (", profile.Label(o), ")");
}

Result<Bytes> Canonicalize(ByteView item) {
  if (!cbor::Check(item)) return ToBytes(item);  // already deterministic
  auto value = cbor::Decode(item, cbor::RelaxedOptions());
  if (!value.ok()) return value.status();
  return cbor::Encode(*value);
}

}  // namespace teep::msg::internal
