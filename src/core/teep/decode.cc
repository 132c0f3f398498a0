// TEEP message decoder (draft-ietf-teep-protocol-26 §4, Appendix C CDDL).
//
// One pass over a cbor::Reader that was checked once up front (well-formed,
// relaxed: unsorted maps and overlong heads accepted, duplicates and
// indefinite lengths not). Every type is peeked before it is read, so a type
// mismatch never latches the reader: the decoder reports it with its path,
// skips the item and - in LintMessage's collect-all mode - carries on with
// the next one. Each Decode* function consumes exactly one item.
#include <algorithm>
#include <string>
#include <utility>

#include "core/cbor/reader.h"
#include "core/teep/codec.h"
#include "core/teep/codec_internal.h"
#include "core/teep/errors.h"

namespace teep::msg {
namespace {

using cbor::MajorType;
using internal::Diagnostics;
using internal::OptionRef;
using internal::Scope;

constexpr uint64_t kUint32Max = 0xffffffff;


class Decoder {
 public:
  Decoder(cbor::Reader& reader, Diagnostics& diag, const WireProfile& profile)
      : r_(reader), d_(diag), profile_(profile) {}

  Result<Message> DecodeTop();

 private:
  // ---- primitives: each consumes exactly one item ------------------------------
  bool Expect(MajorType type, std::string_view what) {
    if (r_.PeekType() == type) return true;
    Mismatch(what);
    return false;
  }
  void Mismatch(std::string_view what) {
    d_.Report(Cat("expected ", what, ", got ", cbor::DescribeNextItem(r_)));
    r_.Skip();
  }
  bool Uint(uint64_t* v) {
    if (!Expect(MajorType::kUnsigned, "unsigned integer")) return false;
    return r_.ReadUint(v);
  }
  // `uint .size 4` (version, ext-info).
  bool Uint32(uint32_t* v) {
    uint64_t x = 0;
    if (!Uint(&x)) return false;
    if (x > kUint32Max) {
      d_.Report(Cat("value ", x, " does not fit uint .size 4 (0..4294967295)"));
      return false;
    }
    *v = static_cast<uint32_t>(x);
    return true;
  }
  bool Int(int64_t* v) {
    auto type = r_.PeekType();
    if (type != MajorType::kUnsigned && type != MajorType::kNegative) {
      Mismatch("integer");
      return false;
    }
    cbor::Reader probe = r_;
    if (!probe.ReadInt(v)) {
      d_.Report("integer is out of the int64 range");
      r_.Skip();
      return false;
    }
    r_ = probe;
    return true;
  }
  bool Bstr(ByteView* v) {
    if (!Expect(MajorType::kBytes, "byte string")) return false;
    return r_.ReadBytes(v);
  }
  bool Text(std::string_view* v) {
    if (!Expect(MajorType::kText, "text")) return false;
    return r_.ReadText(v);
  }
  bool Bool(bool* v) {
    if (r_.PeekType() == MajorType::kSimple) {
      cbor::Reader probe = r_;
      if (probe.ReadBool(v)) {
        r_ = probe;
        return true;
      }
    }
    Mismatch("bool");
    return false;
  }
  bool ArrayHeader(uint64_t* n, std::string_view what = "array") {
    if (!Expect(MajorType::kArray, what)) return false;
    return r_.ReadArrayHeader(n);
  }
  bool MapHeader(uint64_t* n, std::string_view what = "map") {
    if (!Expect(MajorType::kMap, what)) return false;
    return r_.ReadMapHeader(n);
  }
  // Skips `count` remaining items of a container after an early stop.
  void SkipItems(uint64_t count) {
    for (uint64_t i = 0; i < count; ++i) r_.Skip();
  }

  // ---- field decoders ------------------------------------------------------------
  bool SizedBstr(Bytes* out, bool (*rule)(ByteView, Diagnostics&)) {
    ByteView b;
    if (!Bstr(&b)) return false;
    *out = ToBytes(b);
    return rule(b, d_);
  }
  bool PlainBstr(Bytes* out) {
    ByteView b;
    if (!Bstr(&b)) return false;
    *out = ToBytes(b);
    return true;
  }
  bool SizedText(std::string* out, size_t max) {
    std::string_view t;
    if (!Text(&t)) return false;
    *out = std::string(t);
    return internal::CheckTextSize(t, max, d_);
  }
  bool PlainText(std::string* out) {
    std::string_view t;
    if (!Text(&t)) return false;
    *out = std::string(t);
    return true;
  }

  // [+ element]; `element` decodes one item into a new slot.
  template <typename T, typename F>
  bool NonEmptyArray(std::vector<T>* out, F&& element, std::string_view what = "array") {
    uint64_t n = 0;
    if (!ArrayHeader(&n, what)) return false;
    bool ok = internal::CheckNonEmpty(n, d_);
    out->clear();
    out->reserve(n);
    for (uint64_t i = 0; i < n; ++i) {
      if (d_.stop()) return false;
      Scope s(d_, static_cast<size_t>(i));
      T item{};
      if (element(&item)) {
        out->push_back(std::move(item));
      } else {
        ok = false;
      }
    }
    return ok;
  }

  bool UintList(std::vector<uint64_t>* out) {
    return NonEmptyArray(out, [this](uint64_t* v) { return Uint(v); });
  }
  bool Uint32List(std::vector<uint32_t>* out) {
    return NonEmptyArray(out, [this](uint32_t* v) { return Uint32(v); });
  }
  // [+ bstr .cbor X] (suit-reports, manifest-list).
  bool EmbeddedList(std::vector<Bytes>* out) {
    return NonEmptyArray(out, [this](Bytes* b) {
      ByteView v;
      if (!Bstr(&v)) return false;
      *b = ToBytes(v);
      return internal::CheckEmbeddedItem(v, d_);
    });
  }
  // SUIT_Component_Identifier = [* bstr].
  bool ComponentIdentifier(ComponentId* out) {
    uint64_t n = 0;
    if (!ArrayHeader(&n, "array")) return false;
    out->clear();
    out->reserve(n);
    bool ok = true;
    for (uint64_t i = 0; i < n; ++i) {
      if (d_.stop()) return false;
      Scope s(d_, static_cast<size_t>(i));
      ByteView b;
      if (Bstr(&b)) {
        out->push_back(ToBytes(b));
      } else {
        ok = false;
      }
    }
    return ok;
  }
  bool ComponentIdList(std::vector<ComponentId>* out) {
    return NonEmptyArray(out, [this](ComponentId* c) { return ComponentIdentifier(c); });
  }
  // operation = [cose-type: uint, alg: int] (P §8.1).
  bool Operation(CipherOperation* op) {
    uint64_t n = 0;
    if (!ArrayHeader(&n, "array")) return false;
    if (n != 2) {
      d_.Report(Cat("expected array of 2 elements [cose-type, alg], got ", n));
      SkipItems(n);
      return false;
    }
    bool ok = true;
    {
      Scope s(d_, size_t{0});
      ok &= Uint(&op->cose_type);
    }
    {
      Scope s(d_, size_t{1});
      ok &= Int(&op->alg);
    }
    return ok;
  }
  // $teep-cipher-suite = [+ operation].
  bool Suite(CipherSuite* suite) {
    return NonEmptyArray(suite, [this](CipherOperation* op) { return Operation(op); },
                         "array");
  }
  bool SuiteList(std::vector<CipherSuite>* out) {
    return NonEmptyArray(out, [this](CipherSuite* s) { return Suite(s); });
  }
  // $suit-cose-profile = [+ int] (draft-ietf-suit-mti).
  bool Profile(SuitCoseProfile* p) {
    return NonEmptyArray(p, [this](int64_t* v) { return Int(v); }, "array");
  }
  bool ProfileList(std::vector<SuitCoseProfile>* out) {
    return NonEmptyArray(out, [this](SuitCoseProfile* p) { return Profile(p); });
  }
  bool Claims(SystemPropertyClaims* out);
  bool ClaimsList(std::vector<SystemPropertyClaims>* out) {
    return NonEmptyArray(out, [this](SystemPropertyClaims* c) { return Claims(c); });
  }
  bool RequestedInfo(RequestedTcInfo* out);
  bool RequestedList(std::vector<RequestedTcInfo>* out) {
    return NonEmptyArray(out, [this](RequestedTcInfo* i) { return RequestedInfo(i); });
  }
  bool DecodeErrCode(ErrCode* out);

  // Reads the options map: labels unknown to the profile become extensions,
  // known labels not allowed in `type` are errors, and `handle(option)`
  // decodes the value of each allowed one.
  template <typename Handler>
  void Options(MessageType type, std::vector<Extension>* extensions, Handler&& handle);

  QueryRequest DecodeQueryRequest(uint64_t count);
  QueryResponse DecodeQueryResponse();
  Update DecodeUpdate();
  Success DecodeSuccess();
  Error DecodeError(uint64_t count);

  // Helper: emplace the optional (so presence is recorded even when the value
  // is bad, for the cross-field rules of LintMessage) and decode into it.
  template <typename T, typename F>
  void Into(std::optional<T>* field, F&& decode) {
    field->emplace();
    decode(&**field);
  }

  cbor::Reader& r_;
  Diagnostics& d_;
  const WireProfile& profile_;
};

bool Decoder::Claims(SystemPropertyClaims* out) {
  // system-property-claims (draft-ietf-suit-report): a map with integer keys,
  // key 0 = system-component-id required; other keys are SUIT parameters we
  // keep verbatim.
  cbor::Reader whole = r_;
  ByteView raw;
  whole.ReadRaw(&raw);
  uint64_t pairs = 0;
  if (!MapHeader(&pairs, "map")) return false;
  bool ok = true;
  bool have_id = false;
  for (uint64_t i = 0; i < pairs; ++i) {
    if (d_.stop()) return false;
    auto key_type = r_.PeekType();
    if (key_type != MajorType::kUnsigned && key_type != MajorType::kNegative) {
      d_.Report(Cat("map key must be an integer, got ", cbor::DescribeNextItem(r_)));
      r_.Skip();
      r_.Skip();
      ok = false;
      continue;
    }
    uint64_t key = 1;  // any non-zero value for negative keys
    if (key_type == MajorType::kUnsigned) {
      r_.ReadUint(&key);
    } else {
      r_.Skip();
    }
    if (key != 0) {
      r_.Skip();
      continue;
    }
    Scope s(d_, "system-component-id");
    have_id = true;
    ok &= ComponentIdentifier(&out->system_component_id);
  }
  if (!have_id) {
    d_.Report("system-component-id (0) is missing");
    ok = false;
  }
  if (!ok) return false;
  auto canonical = internal::Canonicalize(raw);
  if (!canonical.ok()) {
    d_.Report(canonical.status().message());
    return false;
  }
  out->encoded = std::move(canonical).value();
  return true;
}

bool Decoder::RequestedInfo(RequestedTcInfo* out) {
  // requested-tc-info = {component-id => ..., ? tc-manifest-sequence-number
  // => uint, ? have-binary => bool} (P §4.3). No extension socket: any other
  // key is an error.
  uint64_t pairs = 0;
  if (!MapHeader(&pairs, "map")) return false;
  bool ok = true;
  bool have_component = false;
  for (uint64_t i = 0; i < pairs; ++i) {
    if (d_.stop()) return false;
    if (r_.PeekType() != MajorType::kUnsigned) {
      d_.Report(Cat("map key must be an unsigned integer label, got ", cbor::DescribeNextItem(r_)));
      r_.Skip();
      r_.Skip();
      ok = false;
      continue;
    }
    uint64_t label = 0;
    r_.ReadUint(&label);
    auto option = profile_.OptionForLabel(label);
    if (option == Option::kComponentId) {
      Scope s(d_, OptionName(*option));
      have_component = true;
      ok &= ComponentIdentifier(&out->component_id);
    } else if (option == Option::kTcManifestSequenceNumber) {
      Scope s(d_, OptionName(*option));
      uint64_t v = 0;
      if (Uint(&v)) {
        out->tc_manifest_sequence_number = v;
      } else {
        ok = false;
      }
    } else if (option == Option::kHaveBinary) {
      Scope s(d_, OptionName(*option));
      bool v = false;
      if (Bool(&v)) {
        out->have_binary = v;
      } else {
        ok = false;
      }
    } else {
      d_.Report(Cat("key ", option ? OptionRef(*option, profile_) : std::to_string(label),
                    " is not allowed in requested-tc-info"));
      r_.Skip();
      ok = false;
    }
  }
  if (!have_component) {
    d_.Report(OptionRef(Option::kComponentId, profile_) + " is missing");
    ok = false;
  }
  if (!ok) return false;
  return internal::CheckRequestedTcInfo(*out, profile_, d_);
}

bool Decoder::DecodeErrCode(ErrCode* out) {
  uint64_t v = 0;
  if (!Uint(&v)) return false;
  if (auto known = profile_.ErrorCodeForNumber(v)) {
    *out = *known;
    return true;
  }
  if (v > kLastReservedErrCode) {
    // P §4.6: a code above 23 is treated as an unknown error, not a failure.
    *out = ErrCode::Unknown(v);
    return true;
  }
  d_.Report(Cat(ErrorCodeName(v, profile_),
                " is not allowed (P §4.6: 0 is reserved, unnamed codes up to 23 are unassigned in ",
                profile_.name, ")"));
  return false;
}

template <typename Handler>
void Decoder::Options(MessageType type, std::vector<Extension>* extensions, Handler&& handle) {
  Scope options_scope(d_, "options");
  uint64_t pairs = 0;
  if (!MapHeader(&pairs)) return;
  for (uint64_t i = 0; i < pairs; ++i) {
    if (d_.stop()) return;
    // teep-option = (uint => any) (P §4.1 framework).
    if (r_.PeekType() != MajorType::kUnsigned) {
      d_.Report(Cat("option label must be an unsigned integer, got ", cbor::DescribeNextItem(r_)));
      r_.Skip();
      r_.Skip();
      continue;
    }
    uint64_t label = 0;
    r_.ReadUint(&label);
    auto option = profile_.OptionForLabel(label);
    if (!option) {
      // P §6: labels this profile does not define are tolerated and kept.
      ByteView raw;
      r_.ReadRaw(&raw);
      auto canonical = internal::Canonicalize(raw);
      if (!canonical.ok()) {
        d_.Report(Cat("option ", label, ": ", canonical.status().message()));
        continue;
      }
      extensions->push_back(Extension{label, std::move(canonical).value()});
      continue;
    }
    if (!OptionAllowedIn(type, *option)) {
      d_.Report(Cat("option ", OptionRef(*option, profile_), " is not allowed in ",
                    MessageTypeName(type)));
      r_.Skip();
      continue;
    }
    Scope s(d_, OptionName(*option));
    handle(*option);
  }
}

QueryRequest Decoder::DecodeQueryRequest(uint64_t count) {
  QueryRequest m;
  Options(MessageType::kQueryRequest, &m.extensions, [&](Option o) {
    switch (o) {
      case Option::kToken:
        Into(&m.token, [&](Bytes* b) { SizedBstr(b, internal::CheckToken); });
        break;
      case Option::kSupportedFreshnessMechanisms:
        Into(&m.supported_freshness_mechanisms, [&](auto* v) { UintList(v); });
        break;
      case Option::kChallenge:
        Into(&m.challenge, [&](Bytes* b) { SizedBstr(b, internal::CheckChallenge); });
        break;
      case Option::kVersions: Into(&m.versions, [&](auto* v) { Uint32List(v); }); break;
      case Option::kAttestationPayloadFormat:
        Into(&m.attestation_payload_format, [&](std::string* t) { PlainText(t); });
        break;
      case Option::kAttestationPayload:
        Into(&m.attestation_payload, [&](Bytes* b) { PlainBstr(b); });
        break;
      case Option::kSuitReports: Into(&m.suit_reports, [&](auto* v) { EmbeddedList(v); }); break;
      default: r_.Skip(); break;  // unreachable: OptionAllowedIn filtered
    }
  });
  bool data_items_ok = false;
  if (count > 2 && !d_.stop()) {
    Scope s(d_, "supported-teep-cipher-suites");
    SuiteList(&m.supported_teep_cipher_suites);
  }
  if (count > 3 && !d_.stop()) {
    Scope s(d_, "supported-suit-cose-profiles");
    ProfileList(&m.supported_suit_cose_profiles);
  }
  if (count > 4 && !d_.stop()) {
    Scope s(d_, "data-item-requested");
    data_items_ok = Uint(&m.data_item_requested) && internal::CheckDataItems(m.data_item_requested, d_);
  }
  if (data_items_ok && !d_.stop()) internal::CheckCrossFields(m, profile_, d_);
  return m;
}

QueryResponse Decoder::DecodeQueryResponse() {
  QueryResponse m;
  Options(MessageType::kQueryResponse, &m.extensions, [&](Option o) {
    switch (o) {
      case Option::kToken:
        Into(&m.token, [&](Bytes* b) { SizedBstr(b, internal::CheckToken); });
        break;
      case Option::kSelectedVersion:
        Into(&m.selected_version, [&](uint32_t* v) { Uint32(v); });
        break;
      case Option::kAttestationPayloadFormat:
        Into(&m.attestation_payload_format, [&](std::string* t) { PlainText(t); });
        break;
      case Option::kAttestationPayload:
        Into(&m.attestation_payload, [&](Bytes* b) { PlainBstr(b); });
        break;
      case Option::kSuitReports: Into(&m.suit_reports, [&](auto* v) { EmbeddedList(v); }); break;
      case Option::kTcList: Into(&m.tc_list, [&](auto* v) { ClaimsList(v); }); break;
      case Option::kRequestedTcList:
        Into(&m.requested_tc_list, [&](auto* v) { RequestedList(v); });
        break;
      case Option::kUnneededManifestList:
        Into(&m.unneeded_manifest_list, [&](auto* v) { ComponentIdList(v); });
        break;
      case Option::kExtList: Into(&m.ext_list, [&](auto* v) { Uint32List(v); }); break;
      default: r_.Skip(); break;
    }
  });
  return m;
}

Update Decoder::DecodeUpdate() {
  Update m;
  Options(MessageType::kUpdate, &m.extensions, [&](Option o) {
    switch (o) {
      case Option::kToken:
        Into(&m.token, [&](Bytes* b) { SizedBstr(b, internal::CheckToken); });
        break;
      case Option::kUnneededManifestList:
        Into(&m.unneeded_manifest_list, [&](auto* v) { ComponentIdList(v); });
        break;
      case Option::kManifestList: Into(&m.manifest_list, [&](auto* v) { EmbeddedList(v); }); break;
      case Option::kAttestationPayloadFormat:
        Into(&m.attestation_payload_format, [&](std::string* t) { PlainText(t); });
        break;
      case Option::kAttestationPayload:
        Into(&m.attestation_payload, [&](Bytes* b) { PlainBstr(b); });
        break;
      case Option::kErrCode: {
        ErrCode code = ErrorCode::kPermanentError;
        if (DecodeErrCode(&code)) m.err_code = code;
        break;
      }
      case Option::kErrMsg: Into(&m.err_msg, [&](std::string* t) { SizedText(t, 128); }); break;
      case Option::kErrLang: Into(&m.err_lang, [&](std::string* t) { SizedText(t, 35); }); break;
      default: r_.Skip(); break;
    }
  });
  return m;
}

Success Decoder::DecodeSuccess() {
  Success m;
  Options(MessageType::kSuccess, &m.extensions, [&](Option o) {
    switch (o) {
      case Option::kToken:
        Into(&m.token, [&](Bytes* b) { SizedBstr(b, internal::CheckToken); });
        break;
      case Option::kMsg: Into(&m.msg, [&](std::string* t) { SizedText(t, 128); }); break;
      case Option::kSuitReports: Into(&m.suit_reports, [&](auto* v) { EmbeddedList(v); }); break;
      default: r_.Skip(); break;
    }
  });
  return m;
}

Error Decoder::DecodeError(uint64_t count) {
  Error m;
  Options(MessageType::kError, &m.extensions, [&](Option o) {
    switch (o) {
      case Option::kToken:
        Into(&m.token, [&](Bytes* b) { SizedBstr(b, internal::CheckToken); });
        break;
      case Option::kErrMsg: Into(&m.err_msg, [&](std::string* t) { SizedText(t, 128); }); break;
      case Option::kErrLang: Into(&m.err_lang, [&](std::string* t) { SizedText(t, 35); }); break;
      case Option::kSupportedTeepCipherSuites:
        Into(&m.supported_teep_cipher_suites, [&](auto* v) { SuiteList(v); });
        break;
      case Option::kSupportedFreshnessMechanisms:
        Into(&m.supported_freshness_mechanisms, [&](auto* v) { UintList(v); });
        break;
      case Option::kSupportedSuitCoseProfiles:
        Into(&m.supported_suit_cose_profiles, [&](auto* v) { ProfileList(v); });
        break;
      case Option::kChallenge:
        Into(&m.challenge, [&](Bytes* b) { SizedBstr(b, internal::CheckChallenge); });
        break;
      case Option::kVersions: Into(&m.versions, [&](auto* v) { Uint32List(v); }); break;
      case Option::kSuitReports: Into(&m.suit_reports, [&](auto* v) { EmbeddedList(v); }); break;
      default: r_.Skip(); break;
    }
  });
  bool code_ok = false;
  if (count > 2 && !d_.stop()) {
    Scope s(d_, "err-code");
    code_ok = DecodeErrCode(&m.err_code);
  }
  if (code_ok && !d_.stop()) internal::CheckCrossFields(m, profile_, d_);
  return m;
}

Result<Message> Decoder::DecodeTop() {
  // teep-message-framework = [type, options, * any] (P §4.1 / Appendix C).
  uint64_t count = 0;
  if (!ArrayHeader(&count)) return d_.status();
  if (count < 2) {
    d_.Report(Cat("expected array [type, options, ...] of at least 2 elements, got ", count));
    return d_.status();
  }
  uint64_t type_number = 0;
  {
    Scope s(d_, "type");
    if (!Uint(&type_number)) return d_.status();
  }
  auto type = profile_.TypeForNumber(type_number);
  if (!type) {
    // Never guessed from content: the peer's profile is configuration.
    d_.Report(Cat("unknown message type ", type_number, " in profile ", profile_.name));
    return d_.status();
  }
  d_.SetRoot(MessageTypeName(*type));
  uint64_t expected = 2;
  std::string_view shape = "[type, options]";
  if (*type == MessageType::kQueryRequest) {
    expected = 5;
    shape =
        "[type, options, supported-teep-cipher-suites, supported-suit-cose-profiles, "
        "data-item-requested]";
  } else if (*type == MessageType::kError) {
    expected = 3;
    shape = "[type, options, err-code]";
  }
  if (count != expected) {
    d_.Report(Cat("expected array of ", expected, " elements ", shape, ", got ", count));
    if (d_.stop()) return d_.status();
  }
  const uint64_t fields = count < expected ? count : expected;
  Message message;
  switch (*type) {
    case MessageType::kQueryRequest: message = DecodeQueryRequest(fields); break;
    case MessageType::kQueryResponse: message = DecodeQueryResponse(); break;
    case MessageType::kUpdate: message = DecodeUpdate(); break;
    case MessageType::kSuccess: message = DecodeSuccess(); break;
    case MessageType::kError: message = DecodeError(fields); break;
  }
  if (d_.failed()) return d_.status();
  // CBOR maps are unordered (RFC 8949 §5.6): the wire order of unknown
  // options carries no meaning, so they are kept in label order. The struct
  // is then a function of the message's value: equal messages compare equal
  // and decode(encode(m)) == m.
  std::visit(
      [](auto& m) {
        std::stable_sort(m.extensions.begin(), m.extensions.end(),
                         [](const Extension& a, const Extension& b) { return a.label < b.label; });
      },
      message);
  return message;
}

Result<Message> Decode(ByteView data, const WireProfile& profile, Diagnostics& d) {
  cbor::Reader r = cbor::Reader::Open(data, cbor::RelaxedOptions());
  if (!r.ok()) {
    d.Report(r.status().message());
    return d.status();
  }
  Decoder decoder(r, d, profile);
  return decoder.DecodeTop();
}

}  // namespace

Result<Message> DecodeMessage(ByteView data, const WireProfile& profile) {
  Diagnostics d(/*collect_all=*/false, StatusCode::kMalformed);
  return Decode(data, profile, d);
}

Result<Message> DecodeMessageOfType(ByteView data, MessageType expected,
                                    const WireProfile& profile) {
  TEEP_ASSIGN_OR_RETURN(Message m, DecodeMessage(data, profile));
  if (TypeOf(m) != expected) {
    return Status(StatusCode::kMalformed, Cat("TEEP message: expected ", MessageTypeName(expected),
                                              ", got ", MessageTypeName(TypeOf(m))));
  }
  return m;
}

std::vector<std::string> LintMessage(ByteView data, const WireProfile& profile) {
  Diagnostics d(/*collect_all=*/true, StatusCode::kMalformed);
  (void)Decode(data, profile, d);
  return d.TakeAll();
}

}  // namespace teep::msg
