// TEEP message validation (of structs) and deterministic encoding.
#include <algorithm>
#include <array>
#include <string>
#include <utility>
#include <vector>

#include "core/cbor/reader.h"
#include "core/cbor/writer.h"
#include "core/teep/codec.h"
#include "core/teep/codec_internal.h"

namespace teep::msg {
namespace {

using internal::Diagnostics;
using internal::Scope;

// ---- validation ------------------------------------------------------------------

class Validator {
 public:
  Validator(Diagnostics& d, const WireProfile& profile) : d_(d), profile_(profile) {}

  void Run(const QueryRequest& m) {
    {
      Scope o(d_, "options");
      Token(m.token);
      if (m.supported_freshness_mechanisms) {
        Scope s(d_, OptionName(Option::kSupportedFreshnessMechanisms));
        internal::CheckNonEmpty(m.supported_freshness_mechanisms->size(), d_);
      }
      if (m.challenge) {
        Scope s(d_, OptionName(Option::kChallenge));
        internal::CheckChallenge(*m.challenge, d_);
      }
      NonEmpty(m.versions, Option::kVersions);
      Embedded(m.suit_reports, Option::kSuitReports);
      Extensions(m.extensions);
    }
    {
      Scope s(d_, "supported-teep-cipher-suites");
      Suites(m.supported_teep_cipher_suites);
    }
    {
      Scope s(d_, "supported-suit-cose-profiles");
      Profiles(m.supported_suit_cose_profiles);
    }
    {
      Scope s(d_, "data-item-requested");
      internal::CheckDataItems(m.data_item_requested, d_);
    }
    internal::CheckCrossFields(m, profile_, d_);
  }

  void Run(const QueryResponse& m) {
    Scope o(d_, "options");
    Token(m.token);
    Embedded(m.suit_reports, Option::kSuitReports);
    if (m.tc_list) {
      Scope s(d_, OptionName(Option::kTcList));
      internal::CheckNonEmpty(m.tc_list->size(), d_);
      for (size_t i = 0; i < m.tc_list->size(); ++i) {
        Scope si(d_, i);
        Claims((*m.tc_list)[i]);
      }
    }
    if (m.requested_tc_list) {
      Scope s(d_, OptionName(Option::kRequestedTcList));
      internal::CheckNonEmpty(m.requested_tc_list->size(), d_);
      for (size_t i = 0; i < m.requested_tc_list->size(); ++i) {
        Scope si(d_, i);
        internal::CheckRequestedTcInfo((*m.requested_tc_list)[i], profile_, d_);
      }
    }
    NonEmpty(m.unneeded_manifest_list, Option::kUnneededManifestList);
    NonEmpty(m.ext_list, Option::kExtList);
    Extensions(m.extensions);
  }

  void Run(const Update& m) {
    Scope o(d_, "options");
    Token(m.token);
    NonEmpty(m.unneeded_manifest_list, Option::kUnneededManifestList);
    Embedded(m.manifest_list, Option::kManifestList);
    if (m.err_code) {
      Scope s(d_, OptionName(Option::kErrCode));
      internal::CheckErrCode(*m.err_code, profile_, d_);
    }
    Text(m.err_msg, Option::kErrMsg, 128);
    Text(m.err_lang, Option::kErrLang, 35);
    Extensions(m.extensions);
  }

  void Run(const Success& m) {
    Scope o(d_, "options");
    Token(m.token);
    Text(m.msg, Option::kMsg, 128);
    Embedded(m.suit_reports, Option::kSuitReports);
    Extensions(m.extensions);
  }

  void Run(const Error& m) {
    {
      Scope o(d_, "options");
      Token(m.token);
      Text(m.err_msg, Option::kErrMsg, 128);
      Text(m.err_lang, Option::kErrLang, 35);
      if (m.supported_teep_cipher_suites) {
        Scope s(d_, OptionName(Option::kSupportedTeepCipherSuites));
        Suites(*m.supported_teep_cipher_suites);
      }
      NonEmpty(m.supported_freshness_mechanisms, Option::kSupportedFreshnessMechanisms);
      if (m.supported_suit_cose_profiles) {
        Scope s(d_, OptionName(Option::kSupportedSuitCoseProfiles));
        Profiles(*m.supported_suit_cose_profiles);
      }
      if (m.challenge) {
        Scope s(d_, OptionName(Option::kChallenge));
        internal::CheckChallenge(*m.challenge, d_);
      }
      NonEmpty(m.versions, Option::kVersions);
      Embedded(m.suit_reports, Option::kSuitReports);
      Extensions(m.extensions);
    }
    {
      Scope s(d_, "err-code");
      internal::CheckErrCode(m.err_code, profile_, d_);
    }
    internal::CheckCrossFields(m, profile_, d_);
  }

 private:
  void Token(const std::optional<Bytes>& token) {
    if (!token) return;
    Scope s(d_, OptionName(Option::kToken));
    internal::CheckToken(*token, d_);
  }
  template <typename T>
  void NonEmpty(const std::optional<std::vector<T>>& list, Option o) {
    if (!list) return;
    Scope s(d_, OptionName(o));
    internal::CheckNonEmpty(list->size(), d_);
  }
  void Embedded(const std::optional<std::vector<Bytes>>& list, Option o) {
    if (!list) return;
    Scope s(d_, OptionName(o));
    internal::CheckNonEmpty(list->size(), d_);
    for (size_t i = 0; i < list->size(); ++i) {
      Scope si(d_, i);
      internal::CheckEmbeddedItem((*list)[i], d_);
    }
  }
  void Text(const std::optional<std::string>& text, Option o, size_t max) {
    if (!text) return;
    Scope s(d_, OptionName(o));
    internal::CheckTextSize(*text, max, d_);
  }
  void Suites(const std::vector<CipherSuite>& suites) {
    internal::CheckNonEmpty(suites.size(), d_);
    for (size_t i = 0; i < suites.size(); ++i) {
      Scope si(d_, i);
      internal::CheckNonEmpty(suites[i].size(), d_);
    }
  }
  void Profiles(const std::vector<SuitCoseProfile>& profiles) {
    internal::CheckNonEmpty(profiles.size(), d_);
    for (size_t i = 0; i < profiles.size(); ++i) {
      Scope si(d_, i);
      internal::CheckNonEmpty(profiles[i].size(), d_);
    }
  }
  void Claims(const SystemPropertyClaims& claims) {
    auto parsed = SystemPropertyClaims::Parse(claims.encoded);
    if (!parsed.ok()) {
      d_.Report(parsed.status().message());
      return;
    }
    if (parsed->encoded != claims.encoded) {
      d_.Report("encoded system-property-claims is not deterministically encoded");
    } else if (parsed->system_component_id != claims.system_component_id) {
      d_.Report("system_component_id differs from key 0 of the encoded map");
    }
  }
  void Extensions(const std::vector<Extension>& extensions) {
    for (size_t i = 0; i < extensions.size(); ++i) {
      const Extension& e = extensions[i];
      const std::string name = std::to_string(e.label);
      Scope s(d_, name);
      if (auto o = profile_.OptionForLabel(e.label)) {
        d_.Report(Cat("extension label ", name, " is ", internal::OptionRef(*o, profile_),
                                " in ", profile_.name));
        continue;
      }
      for (size_t j = 0; j < i; ++j) {
        if (extensions[j].label == e.label) d_.Report(Cat("duplicate extension label ", name));
      }
      if (auto error = cbor::Check(e.value)) {
        d_.Report(Cat("extension value is not one deterministically encoded CBOR item: ",
                                cbor::ToStatus(*error).message()));
      }
    }
  }

  Diagnostics& d_;
  const WireProfile& profile_;
};

// ---- encoding --------------------------------------------------------------------

// One entry of the options map: a known option or an extension.
struct Entry {
  uint64_t label;
  Option option;
  const Extension* extension;  // non-null for extensions
};

class Encoder {
 public:
  explicit Encoder(const WireProfile& profile) : profile_(profile) {}

  void Add(bool present, Option o) {
    if (present) entries_.push_back(Entry{profile_.Label(o), o, nullptr});
  }
  void AddExtensions(const std::vector<Extension>& extensions) {
    for (const Extension& e : extensions) entries_.push_back(Entry{e.label, Option::kToken, &e});
  }
  // Writes the options map in deterministic order (labels are uints, so
  // numeric order is the bytewise order of their encodings).
  template <typename M>
  void WriteOptions(cbor::Writer& w, const M& m) {
    std::sort(entries_.begin(), entries_.end(),
              [](const Entry& a, const Entry& b) { return a.label < b.label; });
    w.BeginMap(entries_.size());
    for (const Entry& e : entries_) {
      w.WriteUint(e.label);
      if (e.extension) {
        w.WriteRaw(e.extension->value);
      } else {
        WriteOption(w, m, e.option);
      }
    }
  }

 private:
  static void WriteBstrOpt(cbor::Writer& w, const std::optional<Bytes>& b) { w.WriteBytes(*b); }
  static void WriteTextOpt(cbor::Writer& w, const std::optional<std::string>& t) {
    w.WriteText(*t);
  }
  template <typename T>
  static void WriteUints(cbor::Writer& w, const std::vector<T>& list) {
    w.BeginArray(list.size());
    for (T v : list) w.WriteUint(v);
  }
  static void WriteBstrs(cbor::Writer& w, const std::vector<Bytes>& list) {
    w.BeginArray(list.size());
    for (const Bytes& b : list) w.WriteBytes(b);
  }
  static void WriteComponentIds(cbor::Writer& w, const std::vector<ComponentId>& list) {
    w.BeginArray(list.size());
    for (const ComponentId& c : list) WriteBstrs(w, c);
  }
 public:
  static void WriteSuites(cbor::Writer& w, const std::vector<CipherSuite>& suites) {
    w.BeginArray(suites.size());
    for (const CipherSuite& s : suites) {
      w.BeginArray(s.size());
      for (const CipherOperation& op : s) {
        w.BeginArray(2);
        w.WriteUint(op.cose_type);
        w.WriteInt(op.alg);
      }
    }
  }
  static void WriteProfiles(cbor::Writer& w, const std::vector<SuitCoseProfile>& profiles) {
    w.BeginArray(profiles.size());
    for (const SuitCoseProfile& p : profiles) {
      w.BeginArray(p.size());
      for (int64_t v : p) w.WriteInt(v);
    }
  }

 private:
  void WriteRequested(cbor::Writer& w, const std::vector<RequestedTcInfo>& list) {
    w.BeginArray(list.size());
    for (const RequestedTcInfo& info : list) {
      std::array<std::pair<uint64_t, Option>, 3> keys;
      size_t n = 0;
      keys[n++] = {profile_.Label(Option::kComponentId), Option::kComponentId};
      if (info.tc_manifest_sequence_number) {
        keys[n++] = {profile_.Label(Option::kTcManifestSequenceNumber),
                     Option::kTcManifestSequenceNumber};
      }
      if (info.have_binary) keys[n++] = {profile_.Label(Option::kHaveBinary), Option::kHaveBinary};
      std::sort(keys.begin(), keys.begin() + n);
      w.BeginMap(n);
      for (size_t i = 0; i < n; ++i) {
        w.WriteUint(keys[i].first);
        switch (keys[i].second) {
          case Option::kComponentId: WriteBstrs(w, info.component_id); break;
          case Option::kTcManifestSequenceNumber: w.WriteUint(*info.tc_manifest_sequence_number); break;
          default: w.WriteBool(*info.have_binary); break;
        }
      }
    }
  }

  void WriteOption(cbor::Writer& w, const QueryRequest& m, Option o) {
    switch (o) {
      case Option::kToken: WriteBstrOpt(w, m.token); break;
      case Option::kSupportedFreshnessMechanisms: WriteUints(w, *m.supported_freshness_mechanisms); break;
      case Option::kChallenge: WriteBstrOpt(w, m.challenge); break;
      case Option::kVersions: WriteUints(w, *m.versions); break;
      case Option::kAttestationPayloadFormat: WriteTextOpt(w, m.attestation_payload_format); break;
      case Option::kAttestationPayload: WriteBstrOpt(w, m.attestation_payload); break;
      case Option::kSuitReports: WriteBstrs(w, *m.suit_reports); break;
      default: w.WriteNull(); break;  // unreachable
    }
  }
  void WriteOption(cbor::Writer& w, const QueryResponse& m, Option o) {
    switch (o) {
      case Option::kToken: WriteBstrOpt(w, m.token); break;
      case Option::kSelectedVersion: w.WriteUint(*m.selected_version); break;
      case Option::kAttestationPayloadFormat: WriteTextOpt(w, m.attestation_payload_format); break;
      case Option::kAttestationPayload: WriteBstrOpt(w, m.attestation_payload); break;
      case Option::kSuitReports: WriteBstrs(w, *m.suit_reports); break;
      case Option::kTcList:
        w.BeginArray(m.tc_list->size());
        for (const SystemPropertyClaims& c : *m.tc_list) w.WriteRaw(c.encoded);
        break;
      case Option::kRequestedTcList: WriteRequested(w, *m.requested_tc_list); break;
      case Option::kUnneededManifestList: WriteComponentIds(w, *m.unneeded_manifest_list); break;
      case Option::kExtList: WriteUints(w, *m.ext_list); break;
      default: w.WriteNull(); break;
    }
  }
  void WriteOption(cbor::Writer& w, const Update& m, Option o) {
    switch (o) {
      case Option::kToken: WriteBstrOpt(w, m.token); break;
      case Option::kUnneededManifestList: WriteComponentIds(w, *m.unneeded_manifest_list); break;
      case Option::kManifestList: WriteBstrs(w, *m.manifest_list); break;
      case Option::kAttestationPayloadFormat: WriteTextOpt(w, m.attestation_payload_format); break;
      case Option::kAttestationPayload: WriteBstrOpt(w, m.attestation_payload); break;
      case Option::kErrCode: w.WriteUint(m.err_code->Number(profile_)); break;
      case Option::kErrMsg: WriteTextOpt(w, m.err_msg); break;
      case Option::kErrLang: WriteTextOpt(w, m.err_lang); break;
      default: w.WriteNull(); break;
    }
  }
  void WriteOption(cbor::Writer& w, const Success& m, Option o) {
    switch (o) {
      case Option::kToken: WriteBstrOpt(w, m.token); break;
      case Option::kMsg: WriteTextOpt(w, m.msg); break;
      case Option::kSuitReports: WriteBstrs(w, *m.suit_reports); break;
      default: w.WriteNull(); break;
    }
  }
  void WriteOption(cbor::Writer& w, const Error& m, Option o) {
    switch (o) {
      case Option::kToken: WriteBstrOpt(w, m.token); break;
      case Option::kErrMsg: WriteTextOpt(w, m.err_msg); break;
      case Option::kErrLang: WriteTextOpt(w, m.err_lang); break;
      case Option::kSupportedTeepCipherSuites: WriteSuites(w, *m.supported_teep_cipher_suites); break;
      case Option::kSupportedFreshnessMechanisms: WriteUints(w, *m.supported_freshness_mechanisms); break;
      case Option::kSupportedSuitCoseProfiles: WriteProfiles(w, *m.supported_suit_cose_profiles); break;
      case Option::kChallenge: WriteBstrOpt(w, m.challenge); break;
      case Option::kVersions: WriteUints(w, *m.versions); break;
      case Option::kSuitReports: WriteBstrs(w, *m.suit_reports); break;
      default: w.WriteNull(); break;
    }
  }

  const WireProfile& profile_;
  std::vector<Entry> entries_;
};

void Encode(cbor::Writer& w, const QueryRequest& m, const WireProfile& p) {
  w.BeginArray(5);
  w.WriteUint(p.TypeNumber(MessageType::kQueryRequest));
  Encoder e(p);
  e.Add(m.token.has_value(), Option::kToken);
  e.Add(m.supported_freshness_mechanisms.has_value(), Option::kSupportedFreshnessMechanisms);
  e.Add(m.challenge.has_value(), Option::kChallenge);
  e.Add(m.versions.has_value(), Option::kVersions);
  e.Add(m.attestation_payload_format.has_value(), Option::kAttestationPayloadFormat);
  e.Add(m.attestation_payload.has_value(), Option::kAttestationPayload);
  e.Add(m.suit_reports.has_value(), Option::kSuitReports);
  e.AddExtensions(m.extensions);
  e.WriteOptions(w, m);
  Encoder::WriteSuites(w, m.supported_teep_cipher_suites);
  Encoder::WriteProfiles(w, m.supported_suit_cose_profiles);
  w.WriteUint(m.data_item_requested);
}

void Encode(cbor::Writer& w, const QueryResponse& m, const WireProfile& p) {
  w.BeginArray(2);
  w.WriteUint(p.TypeNumber(MessageType::kQueryResponse));
  Encoder e(p);
  e.Add(m.token.has_value(), Option::kToken);
  e.Add(m.selected_version.has_value(), Option::kSelectedVersion);
  e.Add(m.attestation_payload_format.has_value(), Option::kAttestationPayloadFormat);
  e.Add(m.attestation_payload.has_value(), Option::kAttestationPayload);
  e.Add(m.suit_reports.has_value(), Option::kSuitReports);
  e.Add(m.tc_list.has_value(), Option::kTcList);
  e.Add(m.requested_tc_list.has_value(), Option::kRequestedTcList);
  e.Add(m.unneeded_manifest_list.has_value(), Option::kUnneededManifestList);
  e.Add(m.ext_list.has_value(), Option::kExtList);
  e.AddExtensions(m.extensions);
  e.WriteOptions(w, m);
}

void Encode(cbor::Writer& w, const Update& m, const WireProfile& p) {
  w.BeginArray(2);
  w.WriteUint(p.TypeNumber(MessageType::kUpdate));
  Encoder e(p);
  e.Add(m.token.has_value(), Option::kToken);
  e.Add(m.unneeded_manifest_list.has_value(), Option::kUnneededManifestList);
  e.Add(m.manifest_list.has_value(), Option::kManifestList);
  e.Add(m.attestation_payload_format.has_value(), Option::kAttestationPayloadFormat);
  e.Add(m.attestation_payload.has_value(), Option::kAttestationPayload);
  e.Add(m.err_code.has_value(), Option::kErrCode);
  e.Add(m.err_msg.has_value(), Option::kErrMsg);
  e.Add(m.err_lang.has_value(), Option::kErrLang);
  e.AddExtensions(m.extensions);
  e.WriteOptions(w, m);
}

void Encode(cbor::Writer& w, const Success& m, const WireProfile& p) {
  w.BeginArray(2);
  w.WriteUint(p.TypeNumber(MessageType::kSuccess));
  Encoder e(p);
  e.Add(m.token.has_value(), Option::kToken);
  e.Add(m.msg.has_value(), Option::kMsg);
  e.Add(m.suit_reports.has_value(), Option::kSuitReports);
  e.AddExtensions(m.extensions);
  e.WriteOptions(w, m);
}

void Encode(cbor::Writer& w, const Error& m, const WireProfile& p) {
  w.BeginArray(3);
  w.WriteUint(p.TypeNumber(MessageType::kError));
  Encoder e(p);
  e.Add(m.token.has_value(), Option::kToken);
  e.Add(m.err_msg.has_value(), Option::kErrMsg);
  e.Add(m.err_lang.has_value(), Option::kErrLang);
  e.Add(m.supported_teep_cipher_suites.has_value(), Option::kSupportedTeepCipherSuites);
  e.Add(m.supported_freshness_mechanisms.has_value(), Option::kSupportedFreshnessMechanisms);
  e.Add(m.supported_suit_cose_profiles.has_value(), Option::kSupportedSuitCoseProfiles);
  e.Add(m.challenge.has_value(), Option::kChallenge);
  e.Add(m.versions.has_value(), Option::kVersions);
  e.Add(m.suit_reports.has_value(), Option::kSuitReports);
  e.AddExtensions(m.extensions);
  e.WriteOptions(w, m);
  w.WriteUint(m.err_code.Number(p));
}

}  // namespace

Status ValidateMessage(const Message& message, const WireProfile& profile) {
  Diagnostics d(/*collect_all=*/false, StatusCode::kInvalidArgument);
  d.SetRoot(MessageTypeName(TypeOf(message)));
  Validator v(d, profile);
  std::visit([&](const auto& m) { v.Run(m); }, message);
  return d.status();
}

Result<Bytes> EncodeMessage(const Message& message, const WireProfile& profile) {
  TEEP_RETURN_IF_ERROR(ValidateMessage(message, profile));
  cbor::Writer w;
  std::visit([&](const auto& m) { Encode(w, m, profile); }, message);
  auto out = std::move(w).Finish();
  if (!out.ok()) {
    return out.status().WithContext(Cat(MessageTypeName(TypeOf(message)), ": encoding"));
  }
  return out;
}

}  // namespace teep::msg
