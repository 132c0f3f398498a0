#include "host/inspect/claim_names.h"

#include "core/cbor/diag.h"
#include "core/cbor/reader.h"

namespace teep::host {

std::string_view KeyName(KeyNames table, int64_t key) {
  if (table == KeyNames::kEatClaims) {
    switch (key) {  // RFC 8392 §4, RFC 9711 §4 (the EAT claims TEEP uses)
      case 1: return "iss";
      case 2: return "sub";
      case 3: return "aud";
      case 4: return "exp";
      case 5: return "nbf";
      case 6: return "iat";
      case 7: return "cti";
      case 8: return "cnf";
      case 10: return "eat_nonce";
      case 256: return "ueid";
      case 257: return "sueids";
      case 258: return "oemid";
      case 259: return "hwmodel";
      case 260: return "hwversion";
      case 261: return "uptime";
      case 262: return "oemboot";
      case 263: return "dbgstat";
      case 264: return "location";
      case 265: return "eat_profile";
      case 266: return "submods";
      case 267: return "bootcount";
      case 268: return "bootseed";
      case 269: return "dloas";
      case 270: return "swname";
      case 271: return "swversion";
      case 272: return "manifests";
      case 273: return "measurements";
      case 274: return "measres";
      case 275: return "intuse";
      default: return {};
    }
  }
  switch (key) {  // draft-ietf-suit-report-18 §4
    case 2: return "suit-report-nonce";
    case 3: return "suit-report-records";
    case 4: return "suit-report-result";
    case 5: return "suit-report-result-code";
    case 6: return "suit-report-result-record";
    case 7: return "suit-report-result-reason";
    case 8: return "suit-report-capability-report";
    case 99: return "suit-reference";
    default: return {};
  }
}

std::string NamedMap(ByteView map, KeyNames table, std::string_view indent) {
  cbor::DiagOptions diag;
  diag.show_embedded_cbor = true;
  cbor::Reader r = cbor::Reader::Open(map, cbor::RelaxedOptions());
  uint64_t pairs;
  if (!r.ReadMapHeader(&pairs)) {
    auto d = cbor::ToDiagnostic(map, diag);
    return std::string(indent) + (d.ok() ? *d : "h'" + HexEncode(map) + "'") + "\n";
  }
  std::string out;
  for (uint64_t i = 0; i < pairs && r.ok(); ++i) {
    ByteView key, value;
    r.ReadRaw(&key);
    r.ReadRaw(&value);
    cbor::Reader kr = cbor::Reader::Open(key, cbor::RelaxedOptions());
    int64_t number;
    std::string name;
    if (kr.PeekType() != cbor::MajorType::kText && kr.ReadInt(&number)) {
      name = std::string(KeyName(table, number));
    }
    auto k = cbor::ToDiagnostic(key, diag);
    auto v = cbor::ToDiagnostic(value, diag);
    out += std::string(indent) + (k.ok() ? *k : "?") + (name.empty() ? "" : " / " + name + " /") +
           ": " + (v.ok() ? *v : "?") + "\n";
  }
  return out;
}

}  // namespace teep::host
