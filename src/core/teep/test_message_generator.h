// Test and benchmark helper (not part of teep_teep): random valid TEEP
// messages from a seeded PRNG, and a re-encoder that turns deterministic CBOR
// into valid non-deterministic CBOR of the same value (shuffled maps,
// overlong heads), as peers may send.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/cbor/value.h"
#include "core/teep/codec.h"
#include "core/teep/errors.h"
#include "core/teep/messages.h"

namespace teep::msg::testing {

class MessageGenerator {
 public:
  explicit MessageGenerator(uint64_t seed) : rng_(seed) {}

  Message Make(MessageType type) {
    switch (type) {
      case MessageType::kQueryRequest: return MakeQueryRequest();
      case MessageType::kQueryResponse: return MakeQueryResponse();
      case MessageType::kUpdate: return MakeUpdate();
      case MessageType::kSuccess: return MakeSuccess();
      case MessageType::kError: return MakeError();
    }
    return MakeSuccess();
  }

  QueryRequest MakeQueryRequest() {
    QueryRequest m;
    m.data_item_requested = U(0, 15);
    if (Coin()) m.token = RandBytes(8, 64);
    if (m.data_item_requested & kDataItemAttestation) {
      if (Coin()) m.challenge = RandBytes(8, Coin(0.9) ? 64 : 512);
      if (Coin()) m.supported_freshness_mechanisms = List<uint64_t>([&] { return Uint(); });
    }
    if (Coin()) m.versions = List<uint32_t>([&] { return static_cast<uint32_t>(Uint() & 0xffffffff); });
    if (Coin(0.3)) m.attestation_payload_format = RandText(0, 60);
    if (Coin(0.3)) m.attestation_payload = RandBytes(0, 200);
    if (Coin(0.3)) m.suit_reports = List<Bytes>([&] { return EmbeddedItem(); });
    m.extensions = Extensions();
    m.supported_teep_cipher_suites = List<CipherSuite>([&] { return Suite(); });
    m.supported_suit_cose_profiles = List<SuitCoseProfile>([&] { return Profile(); });
    return m;
  }

  QueryResponse MakeQueryResponse() {
    QueryResponse m;
    if (Coin()) m.token = RandBytes(8, 64);
    if (Coin()) m.selected_version = static_cast<uint32_t>(Uint() & 0xffffffff);
    if (Coin(0.3)) m.attestation_payload_format = RandText(0, 60);
    if (Coin()) m.attestation_payload = RandBytes(0, 300);
    if (Coin(0.3)) m.suit_reports = List<Bytes>([&] { return EmbeddedItem(); });
    if (Coin()) m.tc_list = List<SystemPropertyClaims>([&] { return Claims(); });
    if (Coin()) m.requested_tc_list = List<RequestedTcInfo>([&] { return Requested(); });
    if (Coin()) m.unneeded_manifest_list = List<ComponentId>([&] { return Cid(); });
    if (Coin()) m.ext_list = List<uint32_t>([&] { return static_cast<uint32_t>(Uint() & 0xffffffff); });
    m.extensions = Extensions();
    return m;
  }

  Update MakeUpdate() {
    Update m;
    if (Coin()) m.token = RandBytes(8, 64);
    if (Coin()) m.unneeded_manifest_list = List<ComponentId>([&] { return Cid(); });
    if (Coin()) m.manifest_list = List<Bytes>([&] { return EmbeddedItem(); });
    if (Coin(0.3)) m.attestation_payload_format = RandText(0, 60);
    if (Coin(0.3)) m.attestation_payload = RandBytes(0, 200);
    if (Coin(0.3)) m.err_code = Code();
    if (Coin(0.3)) m.err_msg = RandText(1, 128);
    if (Coin(0.3)) m.err_lang = RandText(1, 35);
    m.extensions = Extensions();
    return m;
  }

  Success MakeSuccess() {
    Success m;
    if (Coin()) m.token = RandBytes(8, 64);
    if (Coin()) m.msg = RandText(1, 128);
    if (Coin()) m.suit_reports = List<Bytes>([&] { return EmbeddedItem(); });
    m.extensions = Extensions();
    return m;
  }

  Error MakeError() {
    Error m;
    m.err_code = Code();
    if (Coin()) m.token = RandBytes(8, 64);
    if (Coin()) m.err_msg = RandText(1, 128);
    if (Coin(0.3)) m.err_lang = RandText(1, 35);
    if (Coin(0.3)) m.supported_teep_cipher_suites = List<CipherSuite>([&] { return Suite(); });
    if (Coin(0.3)) m.supported_freshness_mechanisms = List<uint64_t>([&] { return Uint(); });
    if (Coin(0.3)) m.supported_suit_cose_profiles = List<SuitCoseProfile>([&] { return Profile(); });
    if (Coin(0.3)) m.challenge = RandBytes(8, 100);
    if (Coin(0.3)) m.versions = List<uint32_t>([&] { return static_cast<uint32_t>(Uint() & 0xffffffff); });
    if (Coin(0.3)) m.suit_reports = List<Bytes>([&] { return EmbeddedItem(); });
    // P §4.6: codes that oblige an option get it.
    if (auto known = m.err_code.known()) {
      if (auto required = GetErrorCodeInfo(*known).required_option) {
        switch (*required) {
          case Option::kSupportedTeepCipherSuites:
            if (!m.supported_teep_cipher_suites) m.supported_teep_cipher_suites = {SuiteSign1Esp256()};
            break;
          case Option::kSupportedFreshnessMechanisms:
            if (!m.supported_freshness_mechanisms) m.supported_freshness_mechanisms = {{0}};
            break;
          case Option::kVersions:
            if (!m.versions) m.versions = {{0}};
            break;
          case Option::kSupportedSuitCoseProfiles:
            if (!m.supported_suit_cose_profiles) m.supported_suit_cose_profiles = MandatorySuitCoseProfiles();
            break;
          default: break;
        }
      }
    }
    m.extensions = Extensions();
    return m;
  }

  // ---- pieces -----------------------------------------------------------------------
  uint64_t U(uint64_t lo, uint64_t hi) { return std::uniform_int_distribution<uint64_t>(lo, hi)(rng_); }
  bool Coin(double p = 0.5) { return std::bernoulli_distribution(p)(rng_); }

  // Integers spread over every CBOR head size.
  uint64_t Uint() {
    switch (U(0, 4)) {
      case 0: return U(0, 23);
      case 1: return U(24, 255);
      case 2: return U(256, 65535);
      case 3: return U(65536, 0xffffffff);
      default: return rng_();
    }
  }
  int64_t Int() {
    const uint64_t u = Uint() >> 1;
    return Coin() ? static_cast<int64_t>(u) : -1 - static_cast<int64_t>(u);
  }
  Bytes RandBytes(size_t lo, size_t hi) {
    Bytes b(U(lo, hi));
    for (auto& x : b) x = static_cast<uint8_t>(rng_());
    return b;
  }
  // Valid UTF-8 of lo..hi bytes, with some two- and three-byte characters.
  std::string RandText(size_t lo, size_t hi) {
    const size_t target = U(lo, hi);
    std::string s;
    while (s.size() < target) {
      const size_t room = target - s.size();
      const uint64_t pick = U(0, 9);
      if (pick == 0 && room >= 3) {
        s += "\xe2\x82\xac";  // U+20AC
      } else if (pick == 1 && room >= 2) {
        s += "\xc3\xa9";  // U+00E9
      } else {
        s += static_cast<char>(U(0x20, 0x7e));
      }
    }
    return s;
  }
  template <typename T, typename F>
  std::vector<T> List(F&& make, size_t max = 4) {
    std::vector<T> v(U(1, max));
    for (auto& x : v) x = make();
    return v;
  }
  cbor::Value RandValue(int depth) {
    switch (U(0, depth > 0 ? 6 : 3)) {
      case 0: return cbor::Value::Uint(Uint());
      case 1: return cbor::Value::Int(Int());
      case 2: return cbor::Value::Bytes(RandBytes(0, 20));
      case 3: return cbor::Value::Text(RandText(0, 12));
      case 4: {
        cbor::Value::Array a;
        for (uint64_t i = U(0, 3); i > 0; --i) a.push_back(RandValue(depth - 1));
        return cbor::Value::MakeArray(std::move(a));
      }
      case 5: {
        cbor::Value::Map m;
        std::vector<uint64_t> keys;
        for (uint64_t i = U(0, 3); i > 0; --i) keys.push_back(U(0, 50));
        std::sort(keys.begin(), keys.end());
        keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
        for (uint64_t k : keys) m.emplace_back(cbor::Value::Uint(k), RandValue(depth - 1));
        return cbor::Value::MakeMap(std::move(m));
      }
      default: return cbor::Value::Tag(U(0, 100), RandValue(depth - 1));
    }
  }
  Bytes Encode(const cbor::Value& v) {
    auto out = cbor::Encode(v);
    return out.ok() ? *out : Bytes{0xf6};
  }
  // One CBOR item, for bstr .cbor fields.
  Bytes EmbeddedItem() { return Encode(RandValue(2)); }
  ComponentId Cid() {
    ComponentId c(U(0, 4));
    for (auto& b : c) b = RandBytes(0, 16);
    return c;
  }
  CipherSuite Suite() {
    switch (U(0, 3)) {
      case 0: return SuiteSign1Esp256();
      case 1: return SuiteSign1Ed25519();
      default: {
        CipherSuite s(U(1, 3));
        for (auto& op : s) op = CipherOperation{Uint(), Int()};
        return s;
      }
    }
  }
  SuitCoseProfile Profile() {
    if (Coin()) return MandatorySuitCoseProfiles()[U(0, 3)];
    SuitCoseProfile p(U(1, 5));
    for (auto& v : p) v = Int();
    return p;
  }
  SystemPropertyClaims Claims() {
    const ComponentId id = Cid();
    cbor::Value::Map m;
    cbor::Value::Array ids;
    for (const Bytes& b : id) ids.push_back(cbor::Value::Bytes(b));
    m.emplace_back(cbor::Value::Uint(0), cbor::Value::MakeArray(std::move(ids)));
    for (uint64_t i = U(0, 3); i > 0; --i) {
      const int64_t key = Coin() ? static_cast<int64_t>(U(1, 30)) : -static_cast<int64_t>(U(1, 30));
      bool dup = false;
      for (auto& [k, v] : m) dup |= (k == cbor::Value::Int(key));
      if (!dup) m.emplace_back(cbor::Value::Int(key), RandValue(1));
    }
    auto parsed = SystemPropertyClaims::Parse(Encode(cbor::Value::MakeMap(std::move(m))));
    return parsed.ok() ? *parsed : SystemPropertyClaims::ForComponent(id);
  }
  RequestedTcInfo Requested() {
    RequestedTcInfo r;
    r.component_id = Cid();
    if (Coin()) r.tc_manifest_sequence_number = Uint();
    if (Coin()) r.have_binary = r.tc_manifest_sequence_number ? Coin() : false;
    return r;
  }
  ErrCode Code() {
    if (Coin(0.8)) return static_cast<ErrorCode>(U(0, kErrorCodeCount - 1));
    return ErrCode::Unknown(U(24, UINT64_MAX));
  }
  // Sorted, unique labels unknown to both profiles (0, and 24 up).
  std::vector<Extension> Extensions() {
    std::vector<Extension> out;
    if (!Coin(0.3)) return out;
    std::vector<uint64_t> labels;
    for (uint64_t i = U(1, 3); i > 0; --i) labels.push_back(Coin(0.2) ? 0 : U(24, 100000));
    std::sort(labels.begin(), labels.end());
    labels.erase(std::unique(labels.begin(), labels.end()), labels.end());
    for (uint64_t l : labels) out.push_back(Extension{l, EmbeddedItem()});
    return out;
  }

 private:
  std::mt19937_64 rng_;
};

// ---- non-deterministic re-encoding of the same value -------------------------------

inline void PerturbHead(Bytes& out, uint8_t major, uint64_t arg, std::mt19937_64& rng) {
  const uint8_t mt = static_cast<uint8_t>(major << 5);
  // Pick a head width that can hold arg, sometimes wider than needed.
  int width;  // 0 = in the initial byte, then 1, 2, 4, 8 bytes
  int min_width = arg < 24 ? 0 : arg <= 0xff ? 1 : arg <= 0xffff ? 2 : arg <= 0xffffffff ? 4 : 8;
  std::uniform_int_distribution<int> d(0, 3);
  width = min_width;
  if (d(rng) == 0) {
    static constexpr int kWidths[] = {1, 2, 4, 8};
    int w = kWidths[std::uniform_int_distribution<int>(0, 3)(rng)];
    if (w > width) width = w;
  }
  switch (width) {
    case 0: out.push_back(static_cast<uint8_t>(mt | arg)); return;
    case 1: out.push_back(mt | 24); break;
    case 2: out.push_back(mt | 25); break;
    case 4: out.push_back(mt | 26); break;
    default: out.push_back(mt | 27); break;
  }
  for (int i = width - 1; i >= 0; --i) out.push_back(static_cast<uint8_t>(arg >> (8 * i)));
}

inline void PerturbValue(const cbor::Value& v, Bytes& out, std::mt19937_64& rng) {
  using K = cbor::Value::Kind;
  switch (v.kind()) {
    case K::kUnsigned: PerturbHead(out, 0, v.arg(), rng); return;
    case K::kNegative: PerturbHead(out, 1, v.arg(), rng); return;
    case K::kBytes:
      PerturbHead(out, 2, v.bytes().size(), rng);
      out.insert(out.end(), v.bytes().begin(), v.bytes().end());
      return;
    case K::kText:
      PerturbHead(out, 3, v.text().size(), rng);
      out.insert(out.end(), v.text().begin(), v.text().end());
      return;
    case K::kArray:
      PerturbHead(out, 4, v.array().size(), rng);
      for (const auto& item : v.array()) PerturbValue(item, out, rng);
      return;
    case K::kMap: {
      PerturbHead(out, 5, v.map().size(), rng);
      std::vector<size_t> order(v.map().size());
      for (size_t i = 0; i < order.size(); ++i) order[i] = i;
      std::shuffle(order.begin(), order.end(), rng);
      for (size_t i : order) {
        PerturbValue(v.map()[i].first, out, rng);
        PerturbValue(v.map()[i].second, out, rng);
      }
      return;
    }
    case K::kTag:
      PerturbHead(out, 6, v.arg(), rng);
      PerturbValue(v.tag_content(), out, rng);
      return;
    default: {
      auto enc = cbor::Encode(v);  // simple values and floats: as is
      if (enc.ok()) out.insert(out.end(), enc->begin(), enc->end());
      return;
    }
  }
}

// Same value, valid but (usually) not deterministic encoding.
inline Bytes Perturb(ByteView deterministic, std::mt19937_64& rng) {
  auto v = cbor::Decode(deterministic);
  if (!v.ok()) return ToBytes(deterministic);
  Bytes out;
  PerturbValue(*v, out, rng);
  return out;
}

}  // namespace teep::msg::testing
