#include "core/eat/claims.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>

#include "core/cbor/path_read.h"
#include "core/cbor/reader.h"
#include "core/cbor/writer.h"

namespace teep::eat {
namespace {

using cbor::MajorType;
using namespace cbor::path_read;  // NOLINT: Malformed, ReadBstr, Index, ...

constexpr std::string_view kRoot = "EAT";

// Size limits of the TEEP EAT profile (RFC 9711 §4.1 eat_nonce, §4.2.1 ueid,
// §4.2.4 hwmodel; RFC 7252 §12.3 content-format is 16 bits).
constexpr size_t kNonceMin = 8, kNonceMax = 64;
constexpr size_t kUeidMin = 7, kUeidMax = 33;
constexpr size_t kHwmodelMin = 1, kHwmodelMax = 32;
constexpr uint64_t kContentFormatMax = 65535;
constexpr uint64_t kDbgstatMax = 4;

std::string Path(std::string_view member) {
  std::string p(kRoot);
  p += '.';
  p += member;
  return p;
}

Status Error(StatusCode code, std::string_view path, std::string_view message) {
  std::string text(path);
  text += ": ";
  text += message;
  return Status(code, std::move(text));
}

std::string SizeMessage(size_t min, size_t max, size_t got) {
  return "must be " + std::to_string(min) + ".." + std::to_string(max) + " bytes, got " +
         std::to_string(got);
}

// ---- rules shared by the encoder and the decoder ---------------------------

Status CheckNonce(ByteView nonce, StatusCode code) {
  // RFC 9711 §4.1: each nonce is 8..64 bytes.
  if (nonce.size() < kNonceMin || nonce.size() > kNonceMax) {
    return Error(code, Path("eat_nonce"), SizeMessage(kNonceMin, kNonceMax, nonce.size()));
  }
  return OkStatus();
}

Status CheckUeid(ByteView ueid, StatusCode code) {
  // RFC 9711 §4.2.1: 7..33 bytes, the first byte is the type (RAND, EUI, IMEI).
  if (ueid.size() < kUeidMin || ueid.size() > kUeidMax) {
    return Error(code, Path("ueid"), SizeMessage(kUeidMin, kUeidMax, ueid.size()));
  }
  if (ueid[0] < static_cast<uint8_t>(UeidType::kRand) ||
      ueid[0] > static_cast<uint8_t>(UeidType::kImei)) {
    return Error(code, Path("ueid"),
                 "unknown UEID type byte 0x" + HexEncode(ueid.first(1)) +
                     " (expected 0x01 RAND, 0x02 EUI or 0x03 IMEI)");
  }
  return OkStatus();
}

Status CheckHwmodel(ByteView hwmodel, StatusCode code) {
  // RFC 9711 §4.2.4: 1..32 bytes.
  if (hwmodel.size() < kHwmodelMin || hwmodel.size() > kHwmodelMax) {
    return Error(code, Path("hwmodel"), SizeMessage(kHwmodelMin, kHwmodelMax, hwmodel.size()));
  }
  return OkStatus();
}

Status CheckContentFormat(uint64_t format, std::string_view path, StatusCode code) {
  if (format > kContentFormatMax) {
    return Error(code, path,
                 "CoAP content-format must be 0..65535, got " + std::to_string(format));
  }
  return OkStatus();
}

Status CheckCnfKid(ByteView kid, StatusCode code) {
  // teep-26 §5 / RFC 8747 §3.4: cnf identifies the TEEP-message key by kid.
  if (kid.empty()) return Error(code, Path("cnf.kid"), "must not be empty");
  return OkStatus();
}

Status CheckClaims(const Claims& c, StatusCode code) {
  if (c.eat_nonce) TEEP_RETURN_IF_ERROR(CheckNonce(*c.eat_nonce, code));
  TEEP_RETURN_IF_ERROR(CheckUeid(c.ueid, code));
  TEEP_RETURN_IF_ERROR(CheckHwmodel(c.hwmodel, code));
  // teep-26 §5: manifests is required, and RFC 9711 §4.2.15 says [+ ...].
  if (c.manifests.empty()) return Error(code, Path("manifests"), "must have at least one entry");
  for (size_t i = 0; i < c.manifests.size(); ++i) {
    TEEP_RETURN_IF_ERROR(CheckContentFormat(c.manifests[i].content_format,
                                            Index(Index(Path("manifests"), i), 0), code));
  }
  TEEP_RETURN_IF_ERROR(CheckCnfKid(c.cnf_kid, code));
  if (c.dbgstat && static_cast<uint64_t>(*c.dbgstat) > kDbgstatMax) {
    return Error(code, Path("dbgstat"),
                 "must be 0..4, got " + std::to_string(static_cast<uint64_t>(*c.dbgstat)));
  }
  return OkStatus();
}

// ---- typed reads: core/cbor/path_read.h, plus what only claims need --------

bool IsInt(const cbor::Reader& r) {
  auto t = r.PeekType();
  return t == MajorType::kUnsigned || t == MajorType::kNegative;
}

Status Skip(cbor::Reader& r, std::string_view path) {
  r.Skip();
  return Latched(r, path);
}

// A map key we understand: an int within int64. Anything else (a text label,
// an integer beyond int64) is reported as nullopt and treated as unknown.
Status ReadKey(cbor::Reader& r, std::string_view path, std::optional<int64_t>* key) {
  *key = std::nullopt;
  if (IsInt(r)) {
    cbor::Reader probe = r;
    int64_t k = 0;
    if (probe.ReadInt(&k)) {
      r = probe;
      *key = k;
      return OkStatus();
    }
  }
  return Skip(r, path);
}

// ---- claim decoders --------------------------------------------------------

Status DecodeNonce(cbor::Reader& r, Claims* c) {
  const std::string path = Path("eat_nonce");
  // teep-26 §5: the TEEP profile uses a single nonce, not RFC 9711's array form.
  if (r.PeekType() == MajorType::kArray) {
    return Malformed(path, "the TEEP profile allows a single bstr nonce, got an array");
  }
  ByteView nonce;
  TEEP_RETURN_IF_ERROR(ReadBstr(r, path, &nonce));
  TEEP_RETURN_IF_ERROR(CheckNonce(nonce, StatusCode::kMalformed));
  c->eat_nonce = ToBytes(nonce);
  return OkStatus();
}

Status DecodeOemid(cbor::Reader& r, Claims* c) {
  const std::string path = Path("oemid");
  // RFC 9711 §4.2.3: a receiver must accept all three forms.
  if (IsInt(r)) {
    int64_t pen = 0;
    TEEP_RETURN_IF_ERROR(ReadInt(r, path, &pen));
    c->oemid = pen;
    return OkStatus();
  }
  if (r.PeekType() != MajorType::kBytes) {
    return Malformed(path, "expected int or bstr, got " + cbor::DescribeNextItem(r));
  }
  ByteView id;
  TEEP_RETURN_IF_ERROR(ReadBstr(r, path, &id));
  if (id.size() == 3) {
    OemidIeee ieee{};
    std::copy(id.begin(), id.end(), ieee.begin());
    c->oemid = ieee;
  } else if (id.size() == 16) {
    OemidRandom random{};
    std::copy(id.begin(), id.end(), random.begin());
    c->oemid = random;
  } else {
    return Malformed(path, "a bstr oemid must be 3 (IEEE OUI) or 16 (random) bytes, got " +
                               std::to_string(id.size()));
  }
  return OkStatus();
}

Status DecodeHwversion(cbor::Reader& r, Claims* c) {
  const std::string path = Path("hwversion");
  uint64_t count = 0;
  TEEP_RETURN_IF_ERROR(ReadArray(r, path, &count));
  if (count < 1 || count > 2) {
    return Malformed(path, "must be [version, ?scheme], got " + std::to_string(count) +
                               " elements");
  }
  std::string_view version;
  TEEP_RETURN_IF_ERROR(ReadText(r, Index(path, 0), &version));
  c->hwversion.version = std::string(version);
  c->hwversion.scheme.reset();
  if (count == 2) {
    int64_t scheme = 0;
    TEEP_RETURN_IF_ERROR(ReadInt(r, Index(path, 1), &scheme));
    c->hwversion.scheme = scheme;
  }
  return OkStatus();
}

Status DecodeManifests(cbor::Reader& r, Claims* c) {
  const std::string path = Path("manifests");
  uint64_t count = 0;
  TEEP_RETURN_IF_ERROR(ReadArray(r, path, &count));
  if (count == 0) return Malformed(path, "must have at least one entry");
  c->manifests.clear();
  for (uint64_t i = 0; i < count; ++i) {
    const std::string entry = Index(path, i);
    uint64_t n = 0;
    TEEP_RETURN_IF_ERROR(ReadArray(r, entry, &n));
    if (n != 2) {
      return Malformed(entry, "must be [content-format, manifest], got " + std::to_string(n) +
                                  " elements");
    }
    Manifest m;
    TEEP_RETURN_IF_ERROR(ReadUint(r, Index(entry, 0), &m.content_format));
    TEEP_RETURN_IF_ERROR(
        CheckContentFormat(m.content_format, Index(entry, 0), StatusCode::kMalformed));
    ByteView raw;
    r.ReadRaw(&raw);
    TEEP_RETURN_IF_ERROR(Latched(r, Index(entry, 1)));
    m.manifest = ToBytes(raw);
    c->manifests.push_back(std::move(m));
  }
  return OkStatus();
}

Status DecodeCnf(cbor::Reader& r, Claims* c) {
  const std::string path = Path("cnf");
  uint64_t pairs = 0;
  TEEP_RETURN_IF_ERROR(ReadMap(r, path, &pairs));
  bool have_kid = false;
  for (uint64_t i = 0; i < pairs; ++i) {
    std::optional<int64_t> key;
    TEEP_RETURN_IF_ERROR(ReadKey(r, path, &key));
    if (key == kCnfKid) {
      ByteView kid;
      TEEP_RETURN_IF_ERROR(ReadBstr(r, Path("cnf.kid"), &kid));
      TEEP_RETURN_IF_ERROR(CheckCnfKid(kid, StatusCode::kMalformed));
      c->cnf_kid = ToBytes(kid);
      have_kid = true;
    } else if (key == 1 || key == 2) {
      // RFC 8747 §3.1 / §3.3: COSE_Key and Encrypted_COSE_Key forms are legal
      // but the TEEP profile identifies keys by kid (teep-26 §5).
      return Error(StatusCode::kUnsupported, path,
                   "only the kid form {3: kid} is supported, got member " +
                       std::to_string(*key));
    } else {
      TEEP_RETURN_IF_ERROR(Skip(r, path));  // extension member
    }
  }
  if (!have_kid) return Malformed(path, "missing kid (3)");
  return OkStatus();
}

// Presence bits of the claims the profile requires.
enum Required : uint32_t {
  kHaveUeid = 1 << 0,
  kHaveOemid = 1 << 1,
  kHaveHwmodel = 1 << 2,
  kHaveHwversion = 1 << 3,
  kHaveManifests = 1 << 4,
  kHaveCnf = 1 << 5,
};

Status DecodeClaim(cbor::Reader& r, int64_t key, Claims* c, uint32_t* have) {
  switch (key) {
    case kClaimIat: {
      const std::string path = Path("iat");
      if (r.PeekType() == MajorType::kSimple) {
        // RFC 8392 NumericDate may be a float; we only issue and accept seconds.
        return Error(StatusCode::kUnsupported, path,
                     "only integer seconds are supported, got " + cbor::DescribeNextItem(r));
      }
      int64_t iat = 0;
      TEEP_RETURN_IF_ERROR(ReadInt(r, path, &iat));
      c->iat = iat;
      return OkStatus();
    }
    case kClaimCnf:
      *have |= kHaveCnf;
      return DecodeCnf(r, c);
    case kClaimEatNonce:
      return DecodeNonce(r, c);
    case kClaimUeid: {
      ByteView ueid;
      TEEP_RETURN_IF_ERROR(ReadBstr(r, Path("ueid"), &ueid));
      TEEP_RETURN_IF_ERROR(CheckUeid(ueid, StatusCode::kMalformed));
      c->ueid = ToBytes(ueid);
      *have |= kHaveUeid;
      return OkStatus();
    }
    case kClaimOemid:
      *have |= kHaveOemid;
      return DecodeOemid(r, c);
    case kClaimHwmodel: {
      ByteView hwmodel;
      TEEP_RETURN_IF_ERROR(ReadBstr(r, Path("hwmodel"), &hwmodel));
      TEEP_RETURN_IF_ERROR(CheckHwmodel(hwmodel, StatusCode::kMalformed));
      c->hwmodel = ToBytes(hwmodel);
      *have |= kHaveHwmodel;
      return OkStatus();
    }
    case kClaimHwversion:
      *have |= kHaveHwversion;
      return DecodeHwversion(r, c);
    case kClaimDbgstat: {
      const std::string path = Path("dbgstat");
      uint64_t v = 0;
      TEEP_RETURN_IF_ERROR(ReadUint(r, path, &v));
      if (v > kDbgstatMax) return Malformed(path, "must be 0..4, got " + std::to_string(v));
      c->dbgstat = static_cast<DebugStatus>(v);
      return OkStatus();
    }
    case kClaimEatProfile: {
      const std::string path = Path("eat_profile");
      if (r.PeekType() == MajorType::kBytes) {
        // RFC 9711 §4.3.2 allows an OID; the TEEP profile id is a URI (teep-26 §5).
        return Error(StatusCode::kUnsupported, path, "the OID form is not supported");
      }
      std::string_view profile;
      TEEP_RETURN_IF_ERROR(ReadText(r, path, &profile));
      c->eat_profile = std::string(profile);
      return OkStatus();
    }
    case kClaimManifests:
      *have |= kHaveManifests;
      return DecodeManifests(r, c);
    default:
      // RFC 9711 §4: claims a receiver does not understand are ignored.
      return Skip(r, kRoot);
  }
}

}  // namespace

Result<Claims> DecodeClaims(ByteView data) {
  // Peers may send valid non-deterministic CBOR; duplicates, indefinite
  // lengths and trailing bytes are still refused by the reader.
  cbor::Reader r = cbor::Reader::Open(data, cbor::RelaxedOptions());
  TEEP_RETURN_IF_ERROR(Latched(r, kRoot));
  uint64_t pairs = 0;
  TEEP_RETURN_IF_ERROR(ReadMap(r, kRoot, &pairs));
  Claims c;
  uint32_t have = 0;
  for (uint64_t i = 0; i < pairs; ++i) {
    std::optional<int64_t> key;
    TEEP_RETURN_IF_ERROR(ReadKey(r, kRoot, &key));
    if (key) {
      TEEP_RETURN_IF_ERROR(DecodeClaim(r, *key, &c, &have));
    } else {
      TEEP_RETURN_IF_ERROR(Skip(r, kRoot));
    }
  }
  // teep-26 §5: the claims the TEEP EAT profile requires.
  static constexpr struct {
    uint32_t bit;
    std::string_view name;
    int64_t key;
  } kRequired[] = {
      {kHaveCnf, "cnf", kClaimCnf},
      {kHaveUeid, "ueid", kClaimUeid},
      {kHaveOemid, "oemid", kClaimOemid},
      {kHaveHwmodel, "hwmodel", kClaimHwmodel},
      {kHaveHwversion, "hwversion", kClaimHwversion},
      {kHaveManifests, "manifests", kClaimManifests},
  };
  for (const auto& req : kRequired) {
    if ((have & req.bit) == 0) {
      return Malformed(Path(req.name), "required claim (" + std::to_string(req.key) +
                                           ") of the TEEP EAT profile is missing");
    }
  }
  return c;
}

Result<Bytes> EncodeClaims(const Claims& c) {
  TEEP_RETURN_IF_ERROR(CheckClaims(c, StatusCode::kInvalidArgument));
  uint64_t pairs = 6;  // cnf, ueid, oemid, hwmodel, hwversion, manifests
  pairs += c.iat.has_value() + c.eat_nonce.has_value() + c.dbgstat.has_value() +
           c.eat_profile.has_value();
  cbor::Writer w;
  w.BeginMap(pairs);
  // Keys in RFC 8949 §4.2.1 bytewise order: 06, 08, 0a, 19 01 00 .. 19 01 10.
  if (c.iat) {
    w.WriteInt(kClaimIat);
    w.WriteInt(*c.iat);
  }
  w.WriteInt(kClaimCnf);
  w.BeginMap(1);
  w.WriteInt(kCnfKid);
  w.WriteBytes(c.cnf_kid);
  if (c.eat_nonce) {
    w.WriteInt(kClaimEatNonce);
    w.WriteBytes(*c.eat_nonce);
  }
  w.WriteInt(kClaimUeid);
  w.WriteBytes(c.ueid);
  w.WriteInt(kClaimOemid);
  if (const auto* pen = std::get_if<OemidPen>(&c.oemid)) {
    w.WriteInt(*pen);
  } else if (const auto* ieee = std::get_if<OemidIeee>(&c.oemid)) {
    w.WriteBytes(*ieee);
  } else {
    w.WriteBytes(std::get<OemidRandom>(c.oemid));
  }
  w.WriteInt(kClaimHwmodel);
  w.WriteBytes(c.hwmodel);
  w.WriteInt(kClaimHwversion);
  w.BeginArray(c.hwversion.scheme ? 2 : 1);
  w.WriteText(c.hwversion.version);
  if (c.hwversion.scheme) w.WriteInt(*c.hwversion.scheme);
  if (c.dbgstat) {
    w.WriteInt(kClaimDbgstat);
    w.WriteUint(static_cast<uint64_t>(*c.dbgstat));
  }
  if (c.eat_profile) {
    w.WriteInt(kClaimEatProfile);
    w.WriteText(*c.eat_profile);
  }
  w.WriteInt(kClaimManifests);
  w.BeginArray(c.manifests.size());
  for (const Manifest& m : c.manifests) {
    w.BeginArray(2);
    w.WriteUint(m.content_format);
    w.WriteRaw(m.manifest);  // checked to be one deterministic item
  }
  if (!w.ok()) return w.status().WithContext(kRoot);
  return std::move(w).Finish();
}

}  // namespace teep::eat
