// DescribeMessage (annotated lines for `teep inspect`) and the TAM-side
// check of a QueryResponse against its QueryRequest.
#include <cstdio>
#include <string>
#include <vector>

#include "core/cbor/diag.h"
#include "core/teep/codec.h"
#include "core/teep/codec_internal.h"
#include "core/teep/errors.h"

namespace teep::msg {
namespace {


std::string Quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string Hex(ByteView b) { return Cat("h'", HexEncode(b), "'"); }

std::string Diag(ByteView item) {
  cbor::DiagOptions options;
  options.show_embedded_cbor = true;
  auto text = cbor::ToDiagnostic(item, options);
  return text.ok() ? *text : Hex(item);
}

std::string ComponentIdText(const ComponentId& id) {
  std::string s = "[";
  for (size_t i = 0; i < id.size(); ++i) {
    if (i) s += ", ";
    s += Hex(id[i]);
  }
  return s + "]";
}

template <typename T>
std::string IntList(const std::vector<T>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(v[i]);
  }
  return s + "]";
}

std::string SuiteText(const CipherSuite& suite) {
  std::string s = "[";
  for (size_t i = 0; i < suite.size(); ++i) {
    if (i) s += ", ";
    s += Cat("[", suite[i].cose_type, ", ", suite[i].alg, "]");
  }
  s += "]";
  if (suite == SuiteSign1Esp256()) s += " sign1-ESP256";
  if (suite == SuiteSign1Ed25519()) s += " sign1-Ed25519";
  return s;
}

std::string DataItemsText(uint64_t bits) {
  static constexpr std::pair<uint64_t, const char*> kNames[] = {
      {kDataItemAttestation, "attestation"},
      {kDataItemTrustedComponents, "trusted-components"},
      {kDataItemExtensions, "extensions"},
      {kDataItemSuitReports, "suit-reports"},
  };
  std::string names;
  for (const auto& [bit, name] : kNames) {
    if (bits & bit) {
      if (!names.empty()) names += " | ";
      names += name;
    }
  }
  if (bits & ~kDefinedDataItems) names += names.empty() ? "undefined bits" : " | undefined bits";
  return names.empty() ? std::to_string(bits) : Cat(bits, " (", names, ")");
}

std::string FreshnessText(const std::vector<uint64_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(v[i]);
    if (v[i] == kFreshnessNonce) s += " NONCE";
    if (v[i] == kFreshnessTimestamp) s += " TIMESTAMP";
  }
  return s + "]";
}

class Describer {
 public:
  explicit Describer(const WireProfile& p) : p_(p) {}

  void Header(MessageType t) {
    out_ += Cat(MessageTypeName(t), " (type ", p_.TypeNumber(t), ", ", p_.name, ")\n");
  }
  void Line(Option o, const std::string& value) {
    out_ += Cat("  ", internal::OptionRef(o, p_), ": ", value, "\n");
  }
  void Positional(std::string_view name, const std::string& value) {
    out_ += Cat("  ", name, ": ", value, "\n");
  }
  void Sub(const std::string& text) { out_ += Cat("    ", text, "\n"); }

  void Bstr(const std::optional<Bytes>& b, Option o) {
    if (b) Line(o, Cat(Hex(*b), " (", b->size(), " bytes)"));
  }
  void Text(const std::optional<std::string>& t, Option o) {
    if (t) Line(o, Quote(*t));
  }
  void Items(const std::optional<std::vector<Bytes>>& list, Option o, bool show_diag) {
    if (!list) return;
    Line(o, std::to_string(list->size()) + (list->size() == 1 ? " item" : " items"));
    for (size_t i = 0; i < list->size(); ++i) {
      const Bytes& b = (*list)[i];
      std::string line = Cat("[", i, "] ", b.size(), " bytes");
      if (show_diag) line += Cat(": <<", Diag(b), ">>");
      Sub(line);
    }
  }
  void ComponentIds(const std::optional<std::vector<ComponentId>>& list, Option o) {
    if (!list) return;
    Line(o, std::to_string(list->size()) + (list->size() == 1 ? " item" : " items"));
    for (size_t i = 0; i < list->size(); ++i) {
      Sub(Cat("[", i, "] ", ComponentIdText((*list)[i])));
    }
  }
  void Suites(const std::vector<CipherSuite>& suites, const std::string& head) {
    out_ += Cat("  ", head, ": ", suites.size(), suites.size() == 1 ? " suite\n" : " suites\n");
    for (size_t i = 0; i < suites.size(); ++i) {
      Sub(Cat("[", i, "] ", SuiteText(suites[i])));
    }
  }
  void Profiles(const std::vector<SuitCoseProfile>& profiles, const std::string& head) {
    out_ += Cat("  ", head, ": ", profiles.size(),
                profiles.size() == 1 ? " profile\n" : " profiles\n");
    for (size_t i = 0; i < profiles.size(); ++i) {
      Sub(Cat("[", i, "] ", IntList(profiles[i])));
    }
  }
  void Extensions(const std::vector<Extension>& extensions) {
    for (const Extension& e : extensions) {
      out_ += Cat("  unknown option ", e.label, " (extension): ", Diag(e.value), "\n");
    }
  }
  std::string ErrCodeText(const ErrCode& c) {
    const uint64_t n = c.Number(p_);
    return Cat(n, " ", ErrorCodeName(n, p_));
  }

  void Describe(const QueryRequest& m) {
    Header(MessageType::kQueryRequest);
    Bstr(m.token, Option::kToken);
    if (m.supported_freshness_mechanisms) {
      Line(Option::kSupportedFreshnessMechanisms, FreshnessText(*m.supported_freshness_mechanisms));
    }
    Bstr(m.challenge, Option::kChallenge);
    if (m.versions) Line(Option::kVersions, IntList(*m.versions));
    Text(m.attestation_payload_format, Option::kAttestationPayloadFormat);
    Bstr(m.attestation_payload, Option::kAttestationPayload);
    Items(m.suit_reports, Option::kSuitReports, true);
    Extensions(m.extensions);
    Suites(m.supported_teep_cipher_suites, "supported-teep-cipher-suites");
    Profiles(m.supported_suit_cose_profiles, "supported-suit-cose-profiles");
    Positional("data-item-requested", DataItemsText(m.data_item_requested));
  }
  void Describe(const QueryResponse& m) {
    Header(MessageType::kQueryResponse);
    Bstr(m.token, Option::kToken);
    if (m.selected_version) Line(Option::kSelectedVersion, std::to_string(*m.selected_version));
    Text(m.attestation_payload_format, Option::kAttestationPayloadFormat);
    Bstr(m.attestation_payload, Option::kAttestationPayload);
    Items(m.suit_reports, Option::kSuitReports, true);
    if (m.tc_list) {
      Line(Option::kTcList, std::to_string(m.tc_list->size()) +
                                (m.tc_list->size() == 1 ? " component" : " components"));
      for (size_t i = 0; i < m.tc_list->size(); ++i) {
        const SystemPropertyClaims& c = (*m.tc_list)[i];
        Sub(Cat("[", i, "] system-component-id ", ComponentIdText(c.system_component_id), ": ",
                Diag(c.encoded)));
      }
    }
    if (m.requested_tc_list) {
      Line(Option::kRequestedTcList, std::to_string(m.requested_tc_list->size()) +
                                         (m.requested_tc_list->size() == 1 ? " item" : " items"));
      for (size_t i = 0; i < m.requested_tc_list->size(); ++i) {
        const RequestedTcInfo& r = (*m.requested_tc_list)[i];
        std::string line = Cat("[", i, "] component-id ", ComponentIdText(r.component_id));
        if (r.tc_manifest_sequence_number) {
          line += Cat(", tc-manifest-sequence-number ", *r.tc_manifest_sequence_number);
        }
        if (r.have_binary) line += std::string(", have-binary ") + (*r.have_binary ? "true" : "false");
        Sub(line);
      }
    }
    ComponentIds(m.unneeded_manifest_list, Option::kUnneededManifestList);
    if (m.ext_list) Line(Option::kExtList, IntList(*m.ext_list));
    Extensions(m.extensions);
  }
  void Describe(const Update& m) {
    Header(MessageType::kUpdate);
    Bstr(m.token, Option::kToken);
    ComponentIds(m.unneeded_manifest_list, Option::kUnneededManifestList);
    Items(m.manifest_list, Option::kManifestList, false);
    Text(m.attestation_payload_format, Option::kAttestationPayloadFormat);
    Bstr(m.attestation_payload, Option::kAttestationPayload);
    if (m.err_code) Line(Option::kErrCode, ErrCodeText(*m.err_code));
    Text(m.err_msg, Option::kErrMsg);
    Text(m.err_lang, Option::kErrLang);
    Extensions(m.extensions);
  }
  void Describe(const Success& m) {
    Header(MessageType::kSuccess);
    Bstr(m.token, Option::kToken);
    Text(m.msg, Option::kMsg);
    Items(m.suit_reports, Option::kSuitReports, true);
    Extensions(m.extensions);
  }
  void Describe(const Error& m) {
    Header(MessageType::kError);
    Bstr(m.token, Option::kToken);
    Text(m.err_msg, Option::kErrMsg);
    Text(m.err_lang, Option::kErrLang);
    if (m.supported_teep_cipher_suites) {
      Suites(*m.supported_teep_cipher_suites,
             internal::OptionRef(Option::kSupportedTeepCipherSuites, p_));
    }
    if (m.supported_freshness_mechanisms) {
      Line(Option::kSupportedFreshnessMechanisms, FreshnessText(*m.supported_freshness_mechanisms));
    }
    if (m.supported_suit_cose_profiles) {
      Profiles(*m.supported_suit_cose_profiles,
               internal::OptionRef(Option::kSupportedSuitCoseProfiles, p_));
    }
    Bstr(m.challenge, Option::kChallenge);
    if (m.versions) Line(Option::kVersions, IntList(*m.versions));
    Items(m.suit_reports, Option::kSuitReports, true);
    Extensions(m.extensions);
    Positional("err-code", ErrCodeText(m.err_code));
  }

  std::string Take() { return std::move(out_); }

 private:
  const WireProfile& p_;
  std::string out_;
};

}  // namespace

std::string DescribeMessage(const Message& message, const WireProfile& profile) {
  Describer d(profile);
  std::visit([&](const auto& m) { d.Describe(m); }, message);
  return d.Take();
}

std::vector<std::string> CheckResponseObligations(const QueryRequest& request,
                                                  const QueryResponse& response) {
  std::vector<std::string> unmet;
  // P §4.3 token: "MUST be the same as the token in the QueryRequest" and
  // absent when the request had none.
  if (request.token) {
    if (!response.token) {
      unmet.push_back("QueryResponse.options.token: missing; the QueryRequest carried one (P §4.3)");
    } else if (*response.token != *request.token) {
      unmet.push_back(
          "QueryResponse.options.token: differs from the QueryRequest's token (P §4.3)");
    }
  } else if (response.token) {
    unmet.push_back(
        "QueryResponse.options.token: present, but the QueryRequest carried none (P §4.3)");
  }
  // P §4.3 attestation-payload: "MUST be present if the QueryResponse is sent
  // in response to a QueryRequest with the attestation bit set".
  if ((request.data_item_requested & kDataItemAttestation) && !response.attestation_payload) {
    unmet.push_back(
        "QueryResponse.options.attestation-payload: missing, but the QueryRequest set the "
        "attestation bit (P §4.3)");
  }
  // tc-list (bit 1) and ext-list (bit 2) are `[+ ...]` in the CDDL, so a
  // device with no Trusted Components, or an Agent with no extensions (none
  // are defined, P §4.3 ext-list), can only omit them: their absence answers
  // the request with "none" and is not an unmet obligation (docs/teep-
  // messages.md, decision D9).
  return unmet;
}

}  // namespace teep::msg
