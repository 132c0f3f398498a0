#include "core/cose/key.h"

#include <string>

#include "core/cbor/reader.h"
#include "core/cbor/writer.h"
#include "core/cose/algorithms.h"
#include "core/cose/cose_internal.h"

namespace teep::cose {
namespace {

constexpr std::string_view kWhere = "COSE_Key";

// Key-common labels (RFC 9052 §7.1) that we check but do not keep.
constexpr int64_t kKeyOps = 4;
constexpr int64_t kKeyBaseIv = 5;

Status Malformed(std::string_view what) { return internal::Malformed(kWhere, what); }

Status Unsupported(std::string what) {
  return Status(StatusCode::kUnsupported, std::string(kWhere) + ": " + what);
}

std::string CurveDescription(int64_t crv) {
  std::string s = std::to_string(crv);
  switch (crv) {
    case kCrvP256: return s + " (P-256)";
    case kCrvP384: return s + " (P-384)";
    case kCrvX25519: return s + " (X25519)";
    case kCrvEd25519: return s + " (Ed25519)";
    default: return s;
  }
}

// RFC 9053 §7.1 / §7.2: EC2 curves P-256 (1), P-384 (2); OKP curves X25519
// (4), Ed25519 (6). Other registered curves are not implemented.
Result<crypto::KeyType> TypeFor(int64_t kty, int64_t crv) {
  if (kty == kKtyEc2) {
    if (crv == kCrvP256) return crypto::KeyType::kP256;
    if (crv == kCrvP384) return crypto::KeyType::kP384;
    if (crv == kCrvX25519 || crv == kCrvEd25519) {
      return Malformed("crv " + CurveDescription(crv) + " is an OKP curve, but kty is EC2 (2)");
    }
    return Unsupported("EC2 curve " + CurveDescription(crv) + " is not supported");
  }
  if (kty == kKtyOkp) {
    if (crv == kCrvX25519) return crypto::KeyType::kX25519;
    if (crv == kCrvEd25519) return crypto::KeyType::kEd25519;
    if (crv == kCrvP256 || crv == kCrvP384) {
      return Malformed("crv " + CurveDescription(crv) + " is an EC2 curve, but kty is OKP (1)");
    }
    return Unsupported("OKP curve " + CurveDescription(crv) + " is not supported");
  }
  return Status(StatusCode::kInvalidArgument,
                std::string(kWhere) + ": kty " + std::to_string(kty) + " has no curve");
}

std::pair<int64_t, int64_t> KtyCrvFor(crypto::KeyType type) {
  switch (type) {
    case crypto::KeyType::kP256: return {kKtyEc2, kCrvP256};
    case crypto::KeyType::kP384: return {kKtyEc2, kCrvP384};
    case crypto::KeyType::kEd25519: return {kKtyOkp, kCrvEd25519};
    case crypto::KeyType::kX25519: return {kKtyOkp, kCrvX25519};
  }
  return {0, 0};
}

Status CheckLength(std::string_view field, size_t got, size_t want, int64_t crv) {
  if (got == want) return OkStatus();
  return Malformed(std::string(field) + " must be " + std::to_string(want) + " bytes for crv " +
                   CurveDescription(crv) + ", got " + std::to_string(got));
}

// Checks the key material of a CoseKey against its kty / crv (used by both
// DecodeKey and the conversions, so that a hand-built CoseKey is checked too).
Status CheckMaterial(const CoseKey& key) {
  if (key.kty == kKtySymmetric) {
    if (key.k.empty()) return Malformed("k (-1) is required for a symmetric key");
    return OkStatus();
  }
  if (key.kty != kKtyEc2 && key.kty != kKtyOkp) {
    return Unsupported("kty " + std::to_string(key.kty) + " is not supported");
  }
  if (!key.crv) return Malformed("crv (-1) is required for kty " + std::to_string(key.kty));
  TEEP_ASSIGN_OR_RETURN(crypto::KeyType type, TypeFor(key.kty, *key.crv));
  const size_t size = crypto::KeyCoordinateSize(type);
  // RFC 9053 §7.1.1: x and y are the curve-sized, left-padded coordinates;
  // §7.2: x of an OKP key is the public key, of the curve's size.
  if (key.x.empty()) return Malformed("x (-2) is required");
  TEEP_RETURN_IF_ERROR(CheckLength("x (-2)", key.x.size(), size, *key.crv));
  if (key.kty == kKtyEc2) {
    if (key.y.empty()) return Malformed("y (-3) is required for an EC2 key");
    TEEP_RETURN_IF_ERROR(CheckLength("y (-3)", key.y.size(), size, *key.crv));
  } else if (!key.y.empty()) {
    return Malformed("y (-3) is not allowed for an OKP key");
  }
  if (!key.d.empty()) TEEP_RETURN_IF_ERROR(CheckLength("d (-4)", key.d.size(), size, *key.crv));
  return OkStatus();
}

// Reads an int-valued parameter; text values (allowed by the RFC for kty and
// alg) are not supported.
Status ReadIntParam(cbor::Reader& r, std::string_view name, int64_t* out) {
  auto type = r.PeekType();
  if (type == cbor::MajorType::kText) {
    return Unsupported(std::string(name) + " as text is not supported");
  }
  if (type != cbor::MajorType::kUnsigned && type != cbor::MajorType::kNegative) {
    return Malformed(std::string(name) + " must be an integer");
  }
  if (!r.ReadInt(out)) return Malformed(std::string(name) + " is out of range");
  return OkStatus();
}

Status ReadBytesParam(cbor::Reader& r, std::string_view name, ByteView* out) {
  if (r.PeekType() != cbor::MajorType::kBytes) {
    return Malformed(std::string(name) + " must be a byte string");
  }
  r.ReadBytes(out);
  return OkStatus();
}

// First pass over the map: find kty, which decides what the negative labels
// mean. A relaxed (unsorted) map may carry kty after them.
Result<int64_t> FindKty(cbor::Reader r, uint64_t pairs) {
  for (uint64_t i = 0; i < pairs; ++i) {
    auto type = r.PeekType();
    if (type == cbor::MajorType::kUnsigned) {
      uint64_t label;
      r.ReadUint(&label);
      if (label == static_cast<uint64_t>(kKeyKty)) {
        int64_t kty;
        TEEP_RETURN_IF_ERROR(ReadIntParam(r, "kty (1)", &kty));
        return kty;
      }
    } else if (type == cbor::MajorType::kNegative || type == cbor::MajorType::kText) {
      r.Skip();
    } else {
      return Malformed("labels must be integers or text");
    }
    r.Skip();  // the value
  }
  if (!r.ok()) return r.status().WithContext(kWhere);
  return Malformed("kty (1) is required");
}

}  // namespace

CoseKey CoseKey::Clone() const {
  CoseKey c = PublicOnly();
  c.d = d.Clone();
  c.k = k.Clone();
  return c;
}

Result<CoseKey> CoseKey::FromPublicKey(const crypto::PublicKey& key) {
  CoseKey c;
  auto [kty, crv] = KtyCrvFor(key.type());
  c.kty = kty;
  c.crv = crv;
  c.x = key.x();
  if (kty == kKtyEc2) c.y = key.y();
  TEEP_RETURN_IF_ERROR(CheckMaterial(c));
  return c;
}

Result<CoseKey> CoseKey::FromPrivateKey(const crypto::PrivateKey& key) {
  TEEP_ASSIGN_OR_RETURN(CoseKey c, FromPublicKey(key.Public()));
  TEEP_ASSIGN_OR_RETURN(c.d, key.RawPrivate());
  TEEP_RETURN_IF_ERROR(CheckMaterial(c));
  return c;
}

CoseKey CoseKey::Symmetric(ByteView k) {
  CoseKey c;
  c.kty = kKtySymmetric;
  c.k = crypto::SecretBytes(k);
  return c;
}

Result<crypto::KeyType> CoseKey::CryptoType() const {
  if (kty != kKtyEc2 && kty != kKtyOkp) {
    return Status(StatusCode::kInvalidArgument,
                  std::string(kWhere) + ": kty " + std::to_string(kty) +
                      " does not map to an asymmetric key type");
  }
  if (!crv) return Malformed("crv (-1) is required for kty " + std::to_string(kty));
  return TypeFor(kty, *crv);
}

Result<crypto::PublicKey> CoseKey::ToPublicKey() const {
  TEEP_ASSIGN_OR_RETURN(crypto::KeyType type, CryptoType());
  TEEP_RETURN_IF_ERROR(CheckMaterial(*this));
  auto key = crypto::PublicKey::FromCoordinates(type, x, y);
  if (!key.ok()) return key.status().WithContext(kWhere);
  return key;
}

Result<crypto::PrivateKey> CoseKey::ToPrivateKey() const {
  TEEP_ASSIGN_OR_RETURN(crypto::KeyType type, CryptoType());
  TEEP_RETURN_IF_ERROR(CheckMaterial(*this));
  if (d.empty()) {
    return Status(StatusCode::kInvalidArgument,
                  std::string(kWhere) + ": d (-4) is absent; the key is public only");
  }
  auto key = crypto::PrivateKey::FromRaw(type, d.view());
  if (!key.ok()) return key.status().WithContext(kWhere);
  // The public part carried with d must belong to it; otherwise the key would
  // sign under one identity and advertise (and be thumbprinted as) another.
  crypto::PublicKey pub = key->Public();
  if (pub.x() != x || pub.y() != y) {
    return Status(StatusCode::kInvalidArgument,
                  std::string(kWhere) + ": the public coordinates do not match the private key");
  }
  return key;
}

CoseKey CoseKey::PublicOnly() const {
  CoseKey c;
  c.kty = kty;
  c.crv = crv;
  c.alg = alg;
  c.kid = kid;
  c.x = x;
  c.y = y;
  return c;
}

Result<CoseKey> DecodeKey(ByteView data) {
  cbor::Reader r = internal::OpenRelaxed(data);
  if (!r.ok()) return r.status().WithContext(kWhere);
  uint64_t pairs;
  if (r.PeekType() != cbor::MajorType::kMap) return Malformed("must be a map");
  r.ReadMapHeader(&pairs);
  TEEP_ASSIGN_OR_RETURN(int64_t kty, FindKty(r, pairs));
  if (kty != kKtyOkp && kty != kKtyEc2 && kty != kKtySymmetric) {
    return Unsupported("kty " + std::to_string(kty) + " is not supported");
  }

  CoseKey key;
  key.kty = kty;
  for (uint64_t i = 0; i < pairs; ++i) {
    auto type = r.PeekType();
    if (type == cbor::MajorType::kText) {
      // RFC 9052 §7: labels we do not know are ignored.
      r.Skip();
      r.Skip();
      continue;
    }
    int64_t label;
    if (!r.ReadInt(&label)) return Malformed("labels must be integers or text");
    ByteView b;
    switch (label) {
      case kKeyKty: {
        int64_t ignored;
        TEEP_RETURN_IF_ERROR(ReadIntParam(r, "kty (1)", &ignored));
        break;
      }
      case kKeyKid:
        TEEP_RETURN_IF_ERROR(ReadBytesParam(r, "kid (2)", &b));
        key.kid = ToBytes(b);
        break;
      case kKeyAlg: {
        int64_t alg;
        TEEP_RETURN_IF_ERROR(ReadIntParam(r, "alg (3)", &alg));
        key.alg = alg;
        break;
      }
      case kKeyOps: {
        // RFC 9052 §7.1: key_ops is an array of int / tstr.
        uint64_t n;
        if (!r.ReadArrayHeader(&n)) return Malformed("key_ops (4) must be an array");
        for (uint64_t k = 0; k < n; ++k) {
          auto t = r.PeekType();
          if (t != cbor::MajorType::kUnsigned && t != cbor::MajorType::kNegative &&
              t != cbor::MajorType::kText) {
            return Malformed("key_ops (4) entries must be integers or text");
          }
          r.Skip();
        }
        break;
      }
      case kKeyBaseIv:
        TEEP_RETURN_IF_ERROR(ReadBytesParam(r, "Base IV (5)", &b));
        break;
      case -1:  // crv (EC2/OKP) or k (Symmetric)
        if (kty == kKtySymmetric) {
          TEEP_RETURN_IF_ERROR(ReadBytesParam(r, "k (-1)", &b));
          key.k = crypto::SecretBytes(b);
        } else {
          int64_t crv;
          TEEP_RETURN_IF_ERROR(ReadIntParam(r, "crv (-1)", &crv));
          key.crv = crv;
        }
        break;
      case kKeyX:
        if (kty == kKtySymmetric) {
          r.Skip();
          break;
        }
        TEEP_RETURN_IF_ERROR(ReadBytesParam(r, "x (-2)", &b));
        key.x = ToBytes(b);
        break;
      case kKeyY:
        if (kty == kKtyEc2) {
          // RFC 9053 §7.1.1: y may be a bool (point compression sign bit).
          if (r.PeekType() == cbor::MajorType::kSimple) {
            bool sign;
            if (r.ReadBool(&sign)) {
              return Unsupported("y (-3) as a bool (compressed point) is not supported");
            }
          }
          TEEP_RETURN_IF_ERROR(ReadBytesParam(r, "y (-3)", &b));
          key.y = ToBytes(b);
        } else if (kty == kKtyOkp) {
          return Malformed("y (-3) is not allowed for an OKP key");
        } else {
          r.Skip();
        }
        break;
      case kKeyD:
        if (kty == kKtySymmetric) {
          r.Skip();
          break;
        }
        TEEP_RETURN_IF_ERROR(ReadBytesParam(r, "d (-4)", &b));
        key.d = crypto::SecretBytes(b);
        break;
      default:
        r.Skip();  // RFC 9052 §7: unknown labels are ignored
    }
  }
  if (!r.ok()) return r.status().WithContext(kWhere);
  TEEP_RETURN_IF_ERROR(CheckMaterial(key));
  return key;
}

Result<Bytes> EncodeKey(const CoseKey& key, bool include_private) {
  TEEP_RETURN_IF_ERROR(CheckMaterial(key));
  if (key.kty == kKtySymmetric && !include_private) {
    return Status(StatusCode::kInvalidArgument,
                  std::string(kWhere) + ": a symmetric key has no public form");
  }
  const bool asymmetric = key.kty != kKtySymmetric;
  const bool with_d = asymmetric && include_private && !key.d.empty();
  // Deterministic order (RFC 8949 §4.2.1) of the labels we emit is
  // 1, 2, 3, -1, -2, -3, -4: positive heads 0x01..0x03 sort before 0x20..0x23.
  uint64_t pairs = 2 + (key.kid.empty() ? 0 : 1) + (key.alg ? 1 : 0);
  if (asymmetric) pairs += 1 + (key.kty == kKtyEc2 ? 1 : 0) + (with_d ? 1 : 0);
  cbor::Writer w;
  w.BeginMap(pairs);
  w.WriteInt(kKeyKty);
  w.WriteInt(key.kty);
  if (!key.kid.empty()) {
    w.WriteInt(kKeyKid);
    w.WriteBytes(key.kid);
  }
  if (key.alg) {
    w.WriteInt(kKeyAlg);
    w.WriteInt(*key.alg);
  }
  if (asymmetric) {
    w.WriteInt(kKeyCrv);
    w.WriteInt(*key.crv);
    w.WriteInt(kKeyX);
    w.WriteBytes(key.x);
    if (key.kty == kKtyEc2) {
      w.WriteInt(kKeyY);
      w.WriteBytes(key.y);
    }
    if (with_d) {
      w.WriteInt(kKeyD);
      w.WriteBytes(key.d.view());
    }
  } else {
    w.WriteInt(kKeyK);
    w.WriteBytes(key.k.view());
  }
  return std::move(w).Finish();
}

Result<std::array<uint8_t, 32>> Thumbprint(const CoseKey& key) {
  TEEP_RETURN_IF_ERROR(CheckMaterial(key));
  // RFC 9679 §3: only the required parameters, deterministically encoded
  // (§4), hashed with SHA-256 (§5 example; the TEEP/SUIT kid).
  cbor::Writer w;
  if (key.kty == kKtyEc2) {
    w.BeginMap(4);
    w.WriteInt(kKeyKty);
    w.WriteInt(kKtyEc2);
    w.WriteInt(kKeyCrv);
    w.WriteInt(*key.crv);
    w.WriteInt(kKeyX);
    w.WriteBytes(key.x);
    w.WriteInt(kKeyY);
    w.WriteBytes(key.y);
  } else if (key.kty == kKtyOkp) {
    w.BeginMap(3);
    w.WriteInt(kKeyKty);
    w.WriteInt(kKtyOkp);
    w.WriteInt(kKeyCrv);
    w.WriteInt(*key.crv);
    w.WriteInt(kKeyX);
    w.WriteBytes(key.x);
  } else {
    w.BeginMap(2);
    w.WriteInt(kKeyKty);
    w.WriteInt(kKtySymmetric);
    w.WriteInt(kKeyK);
    w.WriteBytes(key.k.view());
  }
  auto encoded = std::move(w).Finish();
  if (!encoded.ok()) return encoded.status().WithContext(kWhere);
  std::array<uint8_t, 32> digest = crypto::Sha256(*encoded);
  // A symmetric thumbprint input holds the key itself.
  crypto::Wipe(encoded->data(), encoded->size());
  return digest;
}

Result<std::array<uint8_t, 32>> Thumbprint(const crypto::PublicKey& key) {
  TEEP_ASSIGN_OR_RETURN(CoseKey c, CoseKey::FromPublicKey(key));
  return Thumbprint(c);
}

}  // namespace teep::cose
