#include "host/inspect/inspect.h"

#include <functional>
#include <optional>
#include <string_view>
#include <type_traits>
#include <variant>

#include "core/cbor/diag.h"
#include "core/cbor/reader.h"
#include "core/cose/algorithms.h"
#include "core/cose/encrypt.h"
#include "core/cose/mac.h"
#include "core/cose/sign.h"
#include "core/teep/codec.h"
#include "host/inspect/claim_names.h"
#include "host/inspect/json.h"

namespace teep::host {
namespace {

enum class Structure { kSign1, kSign, kMac0, kEncrypt0, kEncrypt, kSuitEnvelope, kPlain };

std::string_view StructureName(Structure s) {
  switch (s) {
    case Structure::kSign1: return "COSE_Sign1";
    case Structure::kSign: return "COSE_Sign";
    case Structure::kMac0: return "COSE_Mac0";
    case Structure::kEncrypt0: return "COSE_Encrypt0";
    case Structure::kEncrypt: return "COSE_Encrypt";
    case Structure::kSuitEnvelope: return "SUIT_Envelope";
    case Structure::kPlain: return "CBOR";
  }
  return "CBOR";
}

// The alg of a [protected bstr, unprotected map, ...] array element, if any.
std::optional<int64_t> PeekAlg(ByteView protected_bytes, ByteView unprotected) {
  auto headers = cose::DecodeHeaders(protected_bytes, unprotected, "");
  if (!headers.ok()) return std::nullopt;
  return headers->alg();
}

bool IsMacAlg(int64_t alg) { return alg >= 4 && alg <= 7; }  // HMAC family (RFC 9053 §3.1)

// Recognises a COSE structure by its tag, or, untagged, by its shape and alg.
Structure Classify(ByteView data) {
  cbor::Reader r = cbor::Reader::Open(data, cbor::RelaxedOptions());
  if (auto tag = r.PeekTag()) {
    switch (*tag) {
      case cose::kTagSign1: return Structure::kSign1;
      case cose::kTagSign: return Structure::kSign;
      case cose::kTagMac0: return Structure::kMac0;
      case cose::kTagEncrypt0: return Structure::kEncrypt0;
      case cose::kTagEncrypt: return Structure::kEncrypt;
      case 107: return Structure::kSuitEnvelope;  // SUIT_Envelope_Tagged
      default: return Structure::kPlain;
    }
  }
  uint64_t n;
  if (r.PeekType() == cbor::MajorType::kMap) {
    uint64_t pairs;
    r.ReadMapHeader(&pairs);
    bool has_auth = false, has_manifest = false;
    for (uint64_t i = 0; i < pairs && r.ok(); ++i) {
      int64_t key;
      cbor::Reader probe = r;
      bool int_key = probe.ReadInt(&key);
      r.Skip();
      bool value_is_bytes = r.PeekType() == cbor::MajorType::kBytes;
      r.Skip();
      if (int_key && key == 2 && value_is_bytes) has_auth = true;
      if (int_key && key == 3 && value_is_bytes) has_manifest = true;
    }
    return has_auth && has_manifest ? Structure::kSuitEnvelope : Structure::kPlain;
  }
  if (!r.ReadArrayHeader(&n) || (n != 3 && n != 4)) return Structure::kPlain;
  ByteView prot, unprot;
  if (!r.ReadBytes(&prot) || r.PeekType() != cbor::MajorType::kMap || !r.ReadRaw(&unprot)) {
    return Structure::kPlain;
  }
  auto alg = PeekAlg(prot, unprot);
  if (n == 3) return Structure::kEncrypt0;
  r.Skip();  // payload or ciphertext
  auto last = r.PeekType();
  if (last == cbor::MajorType::kBytes) {
    return alg && IsMacAlg(*alg) ? Structure::kMac0 : Structure::kSign1;
  }
  if (last == cbor::MajorType::kArray) {
    if (alg && cose::ContentKeySize(*alg)) return Structure::kEncrypt;
    return Structure::kSign;
  }
  return Structure::kPlain;
}

// A TEEP message is an array [type, options-map, ...] whose type is one of
// the profile's message type numbers (draft-ietf-teep-protocol-26 §4).
bool LooksLikeTeepMessage(ByteView data, const msg::WireProfile& profile) {
  cbor::Reader r = cbor::Reader::Open(data, cbor::RelaxedOptions());
  uint64_t n, type;
  if (!r.ReadArrayHeader(&n) || n < 2 || !r.ReadUint(&type)) return false;
  return profile.TypeForNumber(type).has_value() && r.PeekType() == cbor::MajorType::kMap;
}

std::string Diag(ByteView item, int indent = 0) {
  cbor::DiagOptions o;
  o.indent = indent;
  o.show_embedded_cbor = true;
  auto d = cbor::ToDiagnostic(item, o);
  return d.ok() ? *d : "h'" + HexEncode(item) + "'";
}

std::string Indent(const std::string& text, std::string_view prefix) {
  std::string out(prefix);
  for (char c : text) {
    out += c;
    if (c == '\n') out += prefix;
  }
  return out;
}

std::string AlgText(std::optional<int64_t> alg) {
  if (!alg) return "no alg";
  auto name = cose::AlgorithmName(*alg);
  return name ? std::string(*name) + " (" + std::to_string(*alg) + ")"
              : "unknown alg " + std::to_string(*alg);
}

class Inspector {
 public:
  Inspector(const InspectOptions& options, InspectResult* result)
      : options_(options), result_(result) {}

  void Run(ByteView data) {
    Structure s = Classify(data);
    json_.String("structure", StructureName(s));
    json_.Int("size", static_cast<long long>(data.size()));
    switch (s) {
      case Structure::kSign1: Sign1(data, std::nullopt); break;
      case Structure::kSign: Sign(data); break;
      case Structure::kMac0: Mac0(data); break;
      case Structure::kEncrypt0: Encrypt0(data); break;
      case Structure::kEncrypt: Encrypt(data); break;
      case Structure::kSuitEnvelope: SuitEnvelope(data); break;
      case Structure::kPlain:
        if (LooksLikeTeepMessage(data, *options_.profile)) {
          json_.String("structure", "TEEP message");
          TeepMessage(data, "");
          break;
        }
        Line("CBOR, " + std::to_string(data.size()) + " bytes");
        Line(Indent(Diag(data, 2), "  "));
        break;
    }
    json_.String("diagnostic", Diag(data));
    std::string sigs = "[";
    for (size_t i = 0; i < signature_json_.size(); ++i) sigs += (i ? "," : "") + signature_json_[i];
    json_.Raw("signatures", sigs + "]");
    std::string problems = "[";
    for (size_t i = 0; i < result_->problems.size(); ++i) {
      if (i) problems += ',';
      AppendJsonString(problems, result_->problems[i]);
    }
    json_.Raw("problems", problems + "]");
    result_->output = options_.json ? json_.Finish() + "\n" : text_;
  }

 private:
  void Line(const std::string& s) { text_ += s + "\n"; }
  void Problem(const std::string& s) {
    result_->problems.push_back(s);
    Line("  ! " + s);
  }

  void Headers(const cose::Headers& h, std::string_view indent, ByteView unprotected_raw) {
    std::string prot = h.protected_bytes.empty() ? "h''" : "<<" + Diag(h.protected_bytes) + ">>";
    Line(std::string(indent) + "protected: " + prot + "   / " + AlgText(h.protected_params.alg) + " /");
    Line(std::string(indent) + "unprotected: " + Diag(unprotected_raw) +
         (h.kid() ? "   / kid: h'" + HexEncode(*h.kid()) + "' /" : ""));
  }

  // Records the outcome of one signature: which key verified it, if any.
  void Verify(const std::string& what, std::optional<int64_t> alg,
              const std::function<Status(const crypto::PublicKey&)>& verify) {
    ++result_->signatures_found;
    JsonObject sig;
    sig.String("where", what).String("alg", AlgText(alg));
    if (options_.keys.empty()) {
      Line("  " + what + ": not verified (no --key given)");
      signature_json_.push_back(sig.Raw("verified_by", "null").Finish());
      return;
    }
    for (const auto& k : options_.keys) {
      if (verify(k.key).ok()) {
        ++result_->signatures_verified;
        Line("  " + what + ": VERIFIED by " + k.label + " (" + AlgText(alg) + ")");
        signature_json_.push_back(sig.String("verified_by", k.label).Finish());
        return;
      }
    }
    Problem(what + ": NOT verified by any of the " + std::to_string(options_.keys.size()) +
            " key(s) given");
    signature_json_.push_back(sig.Raw("verified_by", "null").Finish());
  }

  void Payload(std::optional<ByteView> payload, std::string_view name) {
    if (!payload) {
      Line("  " + std::string(name) + ": nil (detached)");
      return;
    }
    Line("  " + std::string(name) + ": " + std::to_string(payload->size()) + " bytes");
    if (LooksLikeTeepMessage(*payload, *options_.profile)) {
      TeepMessage(*payload, "    ");
    } else if (!cbor::Check(*payload, cbor::RelaxedOptions())) {
      Line(Indent(Diag(*payload, 2), "    "));
    } else {
      Line("    h'" + HexEncode(*payload) + "'");
    }
  }

  // Names the TEEP message and its fields, and reports every violation of
  // the CDDL and the spec's cross-field rules, not just the first.
  void TeepMessage(ByteView data, std::string_view indent) {
    const msg::WireProfile& profile = *options_.profile;
    std::vector<std::string> violations = msg::LintMessage(data, profile);
    json_.String("teep_profile", profile.name);
    if (violations.empty()) {
      auto m = msg::DecodeMessage(data, profile);
      if (m.ok()) {
        std::string text = msg::DescribeMessage(*m, profile);
        if (!text.empty() && text.back() == '\n') text.pop_back();
        Line(Indent(text, indent));
        CarriedItems(*m, std::string(indent) + "  ");
        return;
      }
      violations.push_back(m.status().message());
    }
    Line(std::string(indent) + "TEEP message (" + std::string(profile.name) + ") with " +
         std::to_string(violations.size()) + " violation(s):");
    for (const auto& v : violations) Problem(v);
    Line(Indent(Diag(data, 2), std::string(indent) + "  "));
  }

  // Attestation payloads (EAT claims, possibly in a COSE_Sign1 whose
  // signature is verified like any other) and SUIT reports carried by a TEEP
  // message, with their keys named.
  void CarriedItems(const msg::Message& message, const std::string& indent) {
    std::visit(
        [&](const auto& m) {
          if constexpr (requires { m.attestation_payload; }) {
            if (m.attestation_payload) {
              Carried(*m.attestation_payload, "attestation-payload", KeyNames::kEatClaims, indent);
            }
          }
          if constexpr (requires { m.suit_reports; }) {
            if (m.suit_reports) {
              for (size_t i = 0; i < m.suit_reports->size(); ++i) {
                Carried((*m.suit_reports)[i], "suit-reports[" + std::to_string(i) + "]",
                        KeyNames::kSuitReport, indent);
              }
            }
          }
        },
        message);
  }

  void Carried(ByteView item, const std::string& what, KeyNames names, const std::string& indent) {
    if (cbor::Check(item, cbor::RelaxedOptions())) return;  // opaque bytes, already shown
    Structure s = Classify(item);
    if (s == Structure::kSign1) {
      auto m = cose::DecodeSign1(item);
      if (m.ok()) {
        Line(indent + what + ": COSE_Sign1, " + AlgText(m->headers.alg()));
        Verify(what + " signature", m->headers.alg(),
               [&](const crypto::PublicKey& k) { return cose::VerifySign1(*m, k); });
        if (m->payload) text_ += NamedMap(*m->payload, names, indent + "  ");
        return;
      }
    }
    if (s == Structure::kMac0) {
      auto m = cose::DecodeMac0(item);
      if (m.ok()) {
        Line(indent + what + ": COSE_Mac0, " + AlgText(m->headers.alg()) +
             "   / MAC not checked: needs the shared secret /");
        if (m->payload) text_ += NamedMap(*m->payload, names, indent + "  ");
        return;
      }
    }
    Line(indent + what + ":");
    text_ += NamedMap(item, names, indent + "  ");
  }

  // `detached` is the payload to use when the message carries nil.
  void Sign1(ByteView data, std::optional<ByteView> detached, std::string_view label = "") {
    auto m = cose::DecodeSign1(data);
    if (!m.ok()) {
      Problem(m.status().message());
      return;
    }
    Line(std::string(label) + "COSE_Sign1" + (m->tagged ? " (tag 18)" : " (untagged)") + ", " +
         std::to_string(data.size()) + " bytes");
    Headers(m->headers, "  ", UnprotectedRaw(data));
    Payload(m->payload, "payload");
    Line("  signature: " + std::to_string(m->signature.size()) + " bytes h'" + HexEncode(m->signature) + "'");
    std::optional<ByteView> use = m->payload ? std::nullopt : detached;
    Verify("COSE_Sign1 signature", m->headers.alg(),
           [&](const crypto::PublicKey& k) { return cose::VerifySign1(*m, k, {}, use); });
  }

  void Sign(ByteView data) {
    auto m = cose::DecodeSign(data);
    if (!m.ok()) {
      Problem(m.status().message());
      return;
    }
    Line(std::string("COSE_Sign") + (m->tagged ? " (tag 98)" : " (untagged)") + ", " +
         std::to_string(m->signatures.size()) + " signature(s)");
    Headers(m->headers, "  ", UnprotectedRaw(data));
    Payload(m->payload, "payload");
    for (size_t i = 0; i < m->signatures.size(); ++i) {
      const auto& s = m->signatures[i];
      Line("  signatures[" + std::to_string(i) + "]: " + AlgText(s.headers.alg()) +
           (s.headers.kid() ? ", kid h'" + HexEncode(*s.headers.kid()) + "'" : ""));
      Verify("COSE_Sign signatures[" + std::to_string(i) + "]", s.headers.alg(),
             [&](const crypto::PublicKey& k) { return cose::VerifySignature(*m, i, k); });
    }
  }

  void Mac0(ByteView data) {
    auto m = cose::DecodeMac0(data);
    if (!m.ok()) {
      Problem(m.status().message());
      return;
    }
    Line(std::string("COSE_Mac0") + (m->tagged ? " (tag 17)" : " (untagged)"));
    Headers(m->headers, "  ", UnprotectedRaw(data));
    Payload(m->payload, "payload");
    Line("  tag: h'" + HexEncode(m->tag) + "'   / not checked: needs the shared secret /");
  }

  void Encrypt0(ByteView data) {
    auto m = cose::DecodeEncrypt0(data);
    if (!m.ok()) {
      Problem(m.status().message());
      return;
    }
    Line(std::string("COSE_Encrypt0") + (m->tagged ? " (tag 16)" : " (untagged)") + ", " +
         AlgText(m->headers.alg()));
    Headers(m->headers, "  ", UnprotectedRaw(data));
    Line("  ciphertext: " + (m->ciphertext ? std::to_string(m->ciphertext->size()) + " bytes" : "nil (detached)"));
  }

  void Encrypt(ByteView data) {
    auto m = cose::DecodeEncrypt(data);
    if (!m.ok()) {
      Problem(m.status().message());
      return;
    }
    Line(std::string("COSE_Encrypt") + (m->tagged ? " (tag 96)" : " (untagged)") + ", " +
         AlgText(m->headers.alg()));
    Headers(m->headers, "  ", UnprotectedRaw(data));
    Line("  ciphertext: " + (m->ciphertext ? std::to_string(m->ciphertext->size()) + " bytes" : "nil (detached)"));
    for (size_t i = 0; i < m->recipients.size(); ++i) {
      const auto& rc = m->recipients[i];
      Line("  recipients[" + std::to_string(i) + "]: " + AlgText(rc.headers.alg()) +
           (rc.headers.kid() ? ", kid h'" + HexEncode(*rc.headers.kid()) + "'" : "") +
           ", encrypted key " + std::to_string(rc.encrypted_key.size()) + " bytes");
    }
  }

  // SUIT_Envelope (draft-ietf-suit-manifest §5): the authentication wrapper
  // signs the SUIT_Digest of the bstr-wrapped manifest with a detached payload.
  void SuitEnvelope(ByteView data) {
    cbor::Reader r = cbor::Reader::Open(data, cbor::RelaxedOptions());
    bool tagged = r.ConsumeTag(107);
    uint64_t pairs;
    r.ReadMapHeader(&pairs);
    ByteView auth, manifest_bstr;
    for (uint64_t i = 0; i < pairs && r.ok(); ++i) {
      int64_t key = -1;
      cbor::Reader probe = r;
      bool int_key = probe.ReadInt(&key);
      r.Skip();
      if (int_key && key == 2) {
        r.ReadBytes(&auth);
      } else if (int_key && key == 3) {
        r.ReadRaw(&manifest_bstr);  // keep the bstr head: the digest covers it
      } else {
        r.Skip();
      }
    }
    Line(std::string("SUIT_Envelope") + (tagged ? " (tag 107)" : " (untagged)") + ", " +
         std::to_string(data.size()) + " bytes");
    cbor::Reader a = cbor::Reader::Open(auth, cbor::RelaxedOptions());
    uint64_t blocks;
    ByteView digest;
    if (!a.ReadArrayHeader(&blocks) || blocks < 1 || !a.ReadBytes(&digest)) {
      Problem("SUIT_Envelope: authentication wrapper (2) is not [bstr digest, * bstr COSE]");
      return;
    }
    Line("  authentication digest: " + Diag(digest));
    CheckManifestDigest(digest, manifest_bstr);
    if (blocks == 1) Problem("SUIT_Envelope: no authentication block (unsigned manifest)");
    for (uint64_t i = 1; i < blocks; ++i) {
      ByteView block;
      if (!a.ReadBytes(&block)) {
        Problem("SUIT_Envelope: authentication block " + std::to_string(i) + " is not a bstr");
        return;
      }
      Structure s = Classify(block);
      if (s == Structure::kSign1) {
        Sign1(block, digest, "  authentication block " + std::to_string(i) + ": ");
      } else {
        Line("  authentication block " + std::to_string(i) + ": " + std::string(StructureName(s)));
      }
    }
    Line("  envelope:");
    Line(Indent(Diag(data, 2), "    "));
  }

  void CheckManifestDigest(ByteView digest_item, ByteView manifest_bstr) {
    cbor::Reader d = cbor::Reader::Open(digest_item, cbor::RelaxedOptions());
    uint64_t n;
    int64_t alg;
    ByteView value;
    if (!d.ReadArrayHeader(&n) || n < 2 || !d.ReadInt(&alg) || !d.ReadBytes(&value)) {
      Problem("SUIT_Envelope: SUIT_Digest is not [alg, bstr]");
      return;
    }
    if (alg != cose::kAlgSha256) {
      Line("  manifest digest: algorithm " + std::to_string(alg) + " not checked");
      return;
    }
    auto actual = crypto::Sha256(manifest_bstr);
    if (crypto::ConstantTimeEqual(actual, value)) {
      Line("  manifest digest: matches SHA-256 of the bstr-wrapped manifest");
    } else {
      Problem("SUIT_Envelope: manifest digest does not match the manifest (3)");
    }
  }

  // The raw unprotected map of a [tag?] [bstr, map, ...] structure.
  static ByteView UnprotectedRaw(ByteView data) {
    cbor::Reader r = cbor::Reader::Open(data, cbor::RelaxedOptions());
    uint64_t tag, n;
    if (r.PeekTag()) r.ReadTag(&tag);
    ByteView prot, unprot;
    r.ReadArrayHeader(&n);
    r.ReadBytes(&prot);
    r.ReadRaw(&unprot);
    return unprot;
  }

  const InspectOptions& options_;
  InspectResult* result_;
  std::string text_;
  JsonObject json_;
  std::vector<std::string> signature_json_;
};

}  // namespace

Result<InspectResult> Inspect(ByteView data, const InspectOptions& options) {
  if (auto err = cbor::Check(data, cbor::RelaxedOptions())) {
    return cbor::ToStatus(*err).WithContext("not well-formed CBOR");
  }
  InspectResult result;
  Inspector(options, &result).Run(data);
  return result;
}

}  // namespace teep::host
