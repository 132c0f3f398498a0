// OpenSSL 3.0 backend for crypto.h: key types, PublicKey / PrivateKey,
// COSE-form signatures and key agreement.
//
// ECDSA signatures cross this boundary only as raw r||s (RFC 9053 §2.1);
// OpenSSL speaks DER, so Sign converts DER -> raw and Verify raw -> DER.
#include "core/crypto/openssl_handles.h"  // first: pins the OpenSSL API level

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/pem.h>

#include <climits>
#include <string>

#include "core/crypto/crypto.h"

namespace teep::crypto {

using internal::BignumPtr;
using internal::BioPtr;
using internal::BnCtxPtr;
using internal::ClearOpensslErrors;
using internal::EcdsaSigPtr;
using internal::EcGroupPtr;
using internal::EcPointPtr;
using internal::MdCtxPtr;
using internal::NonNullData;
using internal::OpensslFailure;
using internal::ParamBldPtr;
using internal::ParamsPtr;
using internal::PkeyCtxPtr;
using internal::PkeyPtr;

// ---- key type facts ------------------------------------------------------------

std::string_view KeyTypeName(KeyType type) {
  switch (type) {
    case KeyType::kP256: return "P-256";
    case KeyType::kP384: return "P-384";
    case KeyType::kEd25519: return "Ed25519";
    case KeyType::kX25519: return "X25519";
  }
  return "unknown key type";
}

size_t KeyCoordinateSize(KeyType type) {
  switch (type) {
    case KeyType::kP256: return 32;
    case KeyType::kP384: return 48;
    case KeyType::kEd25519: return 32;
    case KeyType::kX25519: return 32;
  }
  return 0;
}

bool KeyTypeCanSign(KeyType type) {
  return type == KeyType::kP256 || type == KeyType::kP384 || type == KeyType::kEd25519;
}

bool KeyTypeCanAgree(KeyType type) {
  return type == KeyType::kP256 || type == KeyType::kP384 || type == KeyType::kX25519;
}

// ---- backend handles -------------------------------------------------------------

struct PublicKey::Impl {
  PkeyPtr pkey;
};

struct PrivateKey::Impl {
  PkeyPtr pkey;
  // A separate public-only EVP_PKEY, built once when the key is made, so that
  // Public() cannot fail and never hands out an object carrying the secret.
  PkeyPtr public_only;
};

// Declared a friend by both key classes: the only way the backend reaches
// their private constructors and handles.
struct BackendAccess {
  // A null `pkey` gives an empty key (as after a move): every method then
  // fails cleanly or returns empty bytes.
  static PublicKey MakePublic(KeyType type, PkeyPtr pkey) {
    if (!pkey) return PublicKey(type, nullptr);
    auto impl = std::make_unique<PublicKey::Impl>();
    impl->pkey = std::move(pkey);
    return PublicKey(type, std::move(impl));
  }
  static PrivateKey MakePrivate(KeyType type, PkeyPtr pkey, PkeyPtr public_only) {
    auto impl = std::make_unique<PrivateKey::Impl>();
    impl->pkey = std::move(pkey);
    impl->public_only = std::move(public_only);
    return PrivateKey(type, std::move(impl));
  }
  // Null for a moved-from key.
  static EVP_PKEY* Pkey(const PublicKey& key) {
    return key.impl_ ? key.impl_->pkey.get() : nullptr;
  }
};

namespace {

bool IsEc(KeyType type) { return type == KeyType::kP256 || type == KeyType::kP384; }

std::string Str(size_t n) { return std::to_string(n); }
std::string Name(KeyType type) { return std::string(KeyTypeName(type)); }

// OpenSSL names: group names for EC, key type names for OKP.
const char* EcGroupName(KeyType type) {
  return type == KeyType::kP384 ? SN_secp384r1 : SN_X9_62_prime256v1;
}
int EcGroupNid(KeyType type) {
  return type == KeyType::kP384 ? NID_secp384r1 : NID_X9_62_prime256v1;
}
const char* OkpTypeName(KeyType type) { return type == KeyType::kEd25519 ? "ED25519" : "X25519"; }

// RFC 9053 §2.1: ECDSA with SHA-256 on P-256 (ES256), SHA-384 on P-384 (ES384).
const EVP_MD* EcdsaDigest(KeyType type) {
  return internal::MdFor(type == KeyType::kP384 ? HashAlg::kSha384 : HashAlg::kSha256);
}

Status UnknownType(const std::string& caller, KeyType type) {
  return Status(StatusCode::kInvalidArgument,
                caller + ": unknown key type " + Str(static_cast<size_t>(type)));
}

PkeyPtr UpRef(EVP_PKEY* pkey) {
  if (pkey == nullptr || EVP_PKEY_up_ref(pkey) != 1) return nullptr;
  return PkeyPtr(pkey);
}

// Which of our key types an EVP_PKEY is, or kUnsupported naming what it is.
Result<KeyType> DetectKeyType(const std::string& caller, const EVP_PKEY* pkey) {
  switch (EVP_PKEY_get_base_id(pkey)) {
    case EVP_PKEY_ED25519: return KeyType::kEd25519;
    case EVP_PKEY_X25519: return KeyType::kX25519;
    case EVP_PKEY_EC: {
      char group[80] = {};
      size_t group_len = 0;
      if (EVP_PKEY_get_group_name(pkey, group, sizeof(group), &group_len) != 1) {
        ClearOpensslErrors();
        return Status(StatusCode::kUnsupported,
                      caller + ": EC key without a named curve (explicit parameters)");
      }
      int nid = OBJ_txt2nid(group);
      if (nid == NID_undef) nid = EC_curve_nist2nid(group);
      if (nid == NID_X9_62_prime256v1) return KeyType::kP256;
      if (nid == NID_secp384r1) return KeyType::kP384;
      return Status(StatusCode::kUnsupported,
                    caller + ": unsupported EC curve " + std::string(group) +
                        " (P-256 and P-384 are supported)");
    }
    default: {
      const char* name = EVP_PKEY_get0_type_name(pkey);
      return Status(StatusCode::kUnsupported,
                    caller + ": unsupported key type " + (name != nullptr ? name : "(unnamed)") +
                        " (P-256, P-384, Ed25519 and X25519 are supported)");
    }
  }
}

// An EC public key from an uncompressed point 0x04||x||y. Rejects points that
// are not on the curve: OpenSSL's import decodes the point with
// EC_POINT_oct2point, which checks the curve equation, and the explicit
// EVP_PKEY_public_check below makes that independent of import internals.
Result<PkeyPtr> BuildEcPublic(const std::string& caller, KeyType type, ByteView point) {
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, EcGroupName(type),
                                      0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return OpensslFailure(StatusCode::kCryptoError, caller + ": building key parameters failed");
  }
  ParamsPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  if (!params) return OpensslFailure(StatusCode::kCryptoError, caller + ": OSSL_PARAM_BLD_to_param failed");
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) {
    return OpensslFailure(StatusCode::kCryptoError, caller + ": EVP_PKEY_fromdata_init failed");
  }
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return OpensslFailure(StatusCode::kInvalidArgument,
                          caller + ": not a valid " + Name(type) + " public point");
  }
  PkeyPtr pkey(raw);
  PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
  if (!check) return OpensslFailure(StatusCode::kCryptoError, caller + ": EVP_PKEY_CTX_new failed");
  if (EVP_PKEY_public_check(check.get()) != 1) {
    return OpensslFailure(StatusCode::kInvalidArgument,
                          caller + ": point is not a valid " + Name(type) + " public key");
  }
  return pkey;
}

// One affine coordinate of an EC public key, left-padded to `size` bytes.
Bytes EcCoordinate(const EVP_PKEY* pkey, const char* param, size_t size) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, param, &raw) != 1) {
    ClearOpensslErrors();
    return {};
  }
  BignumPtr bn(raw);
  Bytes out(size);
  if (BN_bn2binpad(bn.get(), out.data(), static_cast<int>(size)) != static_cast<int>(size)) {
    ClearOpensslErrors();
    return {};
  }
  return out;
}

Bytes OkpPublic(const EVP_PKEY* pkey, size_t size) {
  Bytes out(size);
  size_t len = out.size();
  if (EVP_PKEY_get_raw_public_key(pkey, out.data(), &len) != 1 || len != size) {
    ClearOpensslErrors();
    return {};
  }
  return out;
}

// A public-only EVP_PKEY carrying the public half of `pkey`.
Result<PkeyPtr> PublicOnly(const std::string& caller, KeyType type, const EVP_PKEY* pkey) {
  const size_t n = KeyCoordinateSize(type);
  if (IsEc(type)) {
    Bytes x = EcCoordinate(pkey, OSSL_PKEY_PARAM_EC_PUB_X, n);
    Bytes y = EcCoordinate(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, n);
    if (x.empty() || y.empty()) {
      return Status(StatusCode::kCryptoError, caller + ": reading the public point failed");
    }
    Bytes point;
    point.reserve(1 + 2 * n);
    point.push_back(0x04);  // SEC 1 §2.3.3 uncompressed
    point.insert(point.end(), x.begin(), x.end());
    point.insert(point.end(), y.begin(), y.end());
    return BuildEcPublic(caller, type, point);
  }
  Bytes pub = OkpPublic(pkey, n);
  if (pub.empty()) return Status(StatusCode::kCryptoError, caller + ": reading the public key failed");
  PkeyPtr out(EVP_PKEY_new_raw_public_key_ex(nullptr, OkpTypeName(type), nullptr, pub.data(),
                                             pub.size()));
  if (!out) return OpensslFailure(StatusCode::kCryptoError, caller + ": EVP_PKEY_new_raw_public_key_ex failed");
  return out;
}

bool HasPrivatePart(KeyType type, const EVP_PKEY* pkey) {
  if (IsEc(type)) {
    BIGNUM* raw = nullptr;
    bool ok = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &raw) == 1;
    BN_clear_free(raw);
    ClearOpensslErrors();
    return ok;
  }
  size_t len = 0;  // length query only: no copy of the secret
  bool ok = EVP_PKEY_get_raw_private_key(pkey, nullptr, &len) == 1 && len != 0;
  ClearOpensslErrors();
  return ok;
}

Result<PrivateKey> MakePrivateKey(const std::string& caller, KeyType type, PkeyPtr pkey) {
  TEEP_ASSIGN_OR_RETURN(PkeyPtr public_only, PublicOnly(caller, type, pkey.get()));
  return BackendAccess::MakePrivate(type, std::move(pkey), std::move(public_only));
}

// Refuses every password prompt, so encrypted PEM fails instead of OpenSSL's
// default callback reading a passphrase from the terminal. -1 means "error";
// 0 would mean "the empty password" and be tried.
int RefusePassword(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*userdata*/) { return -1; }

bool LooksEncrypted(std::string_view pem) {
  // PKCS#8 EncryptedPrivateKeyInfo, and the traditional RFC 1421 header.
  return pem.find("-----BEGIN ENCRYPTED PRIVATE KEY-----") != std::string_view::npos ||
         pem.find("Proc-Type: 4,ENCRYPTED") != std::string_view::npos;
}

Result<BioPtr> ReadOnlyBio(const std::string& caller, std::string_view pem) {
  if (pem.size() > static_cast<size_t>(INT_MAX)) {
    return Status(StatusCode::kLimitExceeded, caller + ": PEM text too long");
  }
  // A read-only memory BIO over the caller's buffer: no copy of the text.
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return OpensslFailure(StatusCode::kCryptoError, caller + ": BIO_new_mem_buf failed");
  return bio;
}

// Everything written to `bio`, as a string.
Result<std::string> BioContents(const std::string& caller, BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  if (len <= 0 || data == nullptr) {
    return OpensslFailure(StatusCode::kCryptoError, caller + ": PEM output is empty");
  }
  return std::string(data, static_cast<size_t>(len));
}

// DER ECDSA-Sig-Value (RFC 3279 §2.2.3) -> raw r||s, each left-padded to n.
Result<Bytes> DerToRawSignature(ByteView der, size_t n) {
  const unsigned char* p = der.data();
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig || p != der.data() + der.size()) {
    return OpensslFailure(StatusCode::kCryptoError, "PrivateKey::Sign: cannot parse OpenSSL's DER signature");
  }
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  Bytes raw(2 * n);
  if (BN_bn2binpad(r, raw.data(), static_cast<int>(n)) != static_cast<int>(n) ||
      BN_bn2binpad(s, raw.data() + n, static_cast<int>(n)) != static_cast<int>(n)) {
    return OpensslFailure(StatusCode::kCryptoError, "PrivateKey::Sign: r or s longer than the curve size");
  }
  return raw;
}

// Raw r||s (exactly 2n bytes, checked by the caller) -> DER for OpenSSL.
Result<Bytes> RawToDerSignature(ByteView raw, size_t n) {
  BignumPtr r(BN_bin2bn(raw.data(), static_cast<int>(n), nullptr));
  BignumPtr s(BN_bin2bn(raw.data() + n, static_cast<int>(n), nullptr));
  EcdsaSigPtr sig(ECDSA_SIG_new());
  if (!r || !s || !sig) return OpensslFailure(StatusCode::kCryptoError, "PublicKey::Verify: out of memory");
  if (ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
    return OpensslFailure(StatusCode::kCryptoError, "PublicKey::Verify: ECDSA_SIG_set0 failed");
  }
  // ECDSA_SIG_set0 took ownership of r and s.
  (void)r.release();
  (void)s.release();
  int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) return OpensslFailure(StatusCode::kCryptoError, "PublicKey::Verify: i2d_ECDSA_SIG failed");
  Bytes der(static_cast<size_t>(len));
  unsigned char* q = der.data();
  if (i2d_ECDSA_SIG(sig.get(), &q) != len) {
    return OpensslFailure(StatusCode::kCryptoError, "PublicKey::Verify: i2d_ECDSA_SIG failed");
  }
  return der;
}

// An EC private key from the scalar d; the public point d*G is computed here
// because OpenSSL 3.0's EC import does not derive it.
Result<PkeyPtr> EcPrivateFromScalar(KeyType type, ByteView d) {
  const std::string caller = "PrivateKey::FromRaw";
  const size_t n = KeyCoordinateSize(type);
  EcGroupPtr group(EC_GROUP_new_by_curve_name(EcGroupNid(type)));
  BnCtxPtr bn_ctx(BN_CTX_secure_new());
  BignumPtr priv(BN_secure_new());
  if (!group || !bn_ctx || !priv) {
    return OpensslFailure(StatusCode::kCryptoError, caller + ": out of memory");
  }
  BN_set_flags(priv.get(), BN_FLG_CONSTTIME);
  if (BN_bin2bn(d.data(), static_cast<int>(n), priv.get()) == nullptr) {
    return OpensslFailure(StatusCode::kCryptoError, caller + ": BN_bin2bn failed");
  }
  // SEC 1 §3.2.1: d in [1, n-1].
  if (BN_is_zero(priv.get()) || BN_cmp(priv.get(), EC_GROUP_get0_order(group.get())) >= 0) {
    return Status(StatusCode::kInvalidArgument,
                  caller + ": " + Name(type) + " private scalar is outside [1, n-1]");
  }
  EcPointPtr pub(EC_POINT_new(group.get()));
  if (!pub || EC_POINT_mul(group.get(), pub.get(), priv.get(), nullptr, nullptr, bn_ctx.get()) != 1) {
    return OpensslFailure(StatusCode::kCryptoError, caller + ": computing the public point failed");
  }
  uint8_t point[1 + 2 * 48];
  size_t point_len = EC_POINT_point2oct(group.get(), pub.get(), POINT_CONVERSION_UNCOMPRESSED,
                                        point, sizeof(point), bn_ctx.get());
  if (point_len != 1 + 2 * n) {
    return OpensslFailure(StatusCode::kCryptoError, caller + ": encoding the public point failed");
  }

  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  // The builder copies a secure BIGNUM into secure memory, and OSSL_PARAM_free
  // clears it.
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, EcGroupName(type),
                                      0) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, priv.get()) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point, point_len) != 1) {
    return OpensslFailure(StatusCode::kCryptoError, caller + ": building key parameters failed");
  }
  ParamsPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  if (!params) return OpensslFailure(StatusCode::kCryptoError, caller + ": OSSL_PARAM_BLD_to_param failed");
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) {
    return OpensslFailure(StatusCode::kCryptoError, caller + ": EVP_PKEY_fromdata_init failed");
  }
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_KEYPAIR, params.get()) != 1) {
    return OpensslFailure(StatusCode::kCryptoError, caller + ": EVP_PKEY_fromdata failed");
  }
  return PkeyPtr(raw);
}

}  // namespace

// ---- PublicKey ------------------------------------------------------------------------

PublicKey::PublicKey(KeyType type, std::unique_ptr<Impl> impl)
    : type_(type), impl_(std::move(impl)) {}

PublicKey::PublicKey(const PublicKey& other) : type_(other.type_) {
  // Keys are immutable once built, so a copy shares the EVP_PKEY.
  if (other.impl_) {
    impl_ = std::make_unique<Impl>();
    impl_->pkey = UpRef(other.impl_->pkey.get());
  }
}

PublicKey& PublicKey::operator=(const PublicKey& other) {
  if (this != &other) {
    PublicKey copy(other);
    *this = std::move(copy);
  }
  return *this;
}

PublicKey::PublicKey(PublicKey&&) noexcept = default;
PublicKey& PublicKey::operator=(PublicKey&&) noexcept = default;
PublicKey::~PublicKey() = default;

Result<PublicKey> PublicKey::FromPem(std::string_view pem) {
  const std::string caller = "PublicKey::FromPem";
  TEEP_ASSIGN_OR_RETURN(BioPtr bio, ReadOnlyBio(caller, pem));
  PkeyPtr pkey(PEM_read_bio_PUBKEY(bio.get(), nullptr, RefusePassword, nullptr));
  if (!pkey) {
    return OpensslFailure(StatusCode::kMalformed,
                          caller + ": no \"PUBLIC KEY\" PEM block could be decoded");
  }
  TEEP_ASSIGN_OR_RETURN(KeyType type, DetectKeyType(caller, pkey.get()));
  if (IsEc(type)) {
    PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
    if (!check || EVP_PKEY_public_check(check.get()) != 1) {
      return OpensslFailure(StatusCode::kInvalidArgument,
                            caller + ": point is not a valid " + Name(type) + " public key");
    }
  }
  return BackendAccess::MakePublic(type, std::move(pkey));
}

Result<PublicKey> PublicKey::FromCoordinates(KeyType type, ByteView x, ByteView y) {
  const std::string caller = "PublicKey::FromCoordinates";
  const size_t n = KeyCoordinateSize(type);
  if (n == 0) return UnknownType(caller, type);
  if (x.size() != n) {
    return Status(StatusCode::kInvalidArgument,
                  caller + ": " + Name(type) + " x must be " + Str(n) + " bytes, got " + Str(x.size()));
  }
  if (IsEc(type)) {
    if (y.size() != n) {
      return Status(StatusCode::kInvalidArgument, caller + ": " + Name(type) + " y must be " +
                                                      Str(n) + " bytes, got " + Str(y.size()));
    }
    Bytes point;
    point.reserve(1 + 2 * n);
    point.push_back(0x04);  // SEC 1 §2.3.3 uncompressed
    point.insert(point.end(), x.begin(), x.end());
    point.insert(point.end(), y.begin(), y.end());
    TEEP_ASSIGN_OR_RETURN(PkeyPtr pkey, BuildEcPublic(caller, type, point));
    return BackendAccess::MakePublic(type, std::move(pkey));
  }
  // RFC 9053 §7.2: OKP keys have x only.
  if (!y.empty()) {
    return Status(StatusCode::kInvalidArgument,
                  caller + ": " + Name(type) + " keys have no y coordinate, got " + Str(y.size()) +
                      " bytes");
  }
  PkeyPtr pkey(EVP_PKEY_new_raw_public_key_ex(nullptr, OkpTypeName(type), nullptr, x.data(),
                                              x.size()));
  if (!pkey) {
    return OpensslFailure(StatusCode::kInvalidArgument,
                          caller + ": not a valid " + Name(type) + " public key");
  }
  return BackendAccess::MakePublic(type, std::move(pkey));
}

Result<std::string> PublicKey::ToPem() const {
  const std::string caller = "PublicKey::ToPem";
  if (!impl_) return Status(StatusCode::kInvalidArgument, caller + ": moved-from key");
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) return OpensslFailure(StatusCode::kCryptoError, caller + ": BIO_new failed");
  if (PEM_write_bio_PUBKEY(bio.get(), impl_->pkey.get()) != 1) {
    return OpensslFailure(StatusCode::kCryptoError, caller + ": PEM_write_bio_PUBKEY failed");
  }
  return BioContents(caller, bio.get());
}

Bytes PublicKey::x() const {
  if (!impl_) return {};
  const size_t n = KeyCoordinateSize(type_);
  if (IsEc(type_)) return EcCoordinate(impl_->pkey.get(), OSSL_PKEY_PARAM_EC_PUB_X, n);
  return OkpPublic(impl_->pkey.get(), n);
}

Bytes PublicKey::y() const {
  if (!impl_ || !IsEc(type_)) return {};
  return EcCoordinate(impl_->pkey.get(), OSSL_PKEY_PARAM_EC_PUB_Y, KeyCoordinateSize(type_));
}

Status PublicKey::Verify(ByteView message, ByteView signature) const {
  constexpr std::string_view caller = "PublicKey::Verify";
  if (!impl_) return Status(StatusCode::kInvalidArgument, std::string(caller) + ": moved-from key");
  if (!KeyTypeCanSign(type_)) {
    return Status(StatusCode::kInvalidArgument,
                  std::string(caller) + ": " + Name(type_) + " keys cannot verify signatures");
  }
  // COSE form only: raw r||s for ECDSA (RFC 9053 §2.1), 64 bytes for Ed25519
  // (RFC 8032 §5.1.6). Anything else, DER included, is a wrong signature.
  const size_t expected = IsEc(type_) ? 2 * KeyCoordinateSize(type_) : 64;
  if (signature.size() != expected) {
    return Status(StatusCode::kVerificationFailed,
                  std::string(caller) + ": " + Name(type_) + " signature must be " + Str(expected) +
                      " bytes, got " + Str(signature.size()));
  }
  Bytes der;
  ByteView to_check = signature;
  const EVP_MD* md = nullptr;  // Ed25519 is one-shot "pure" EdDSA: no digest
  if (IsEc(type_)) {
    md = EcdsaDigest(type_);
    if (md == nullptr) return Status(StatusCode::kUnsupported, std::string(caller) + ": digest is not available");
    TEEP_ASSIGN_OR_RETURN(der, RawToDerSignature(signature, KeyCoordinateSize(type_)));
    to_check = der;
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) return OpensslFailure(StatusCode::kCryptoError, std::string(caller) + ": EVP_MD_CTX_new failed");
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, impl_->pkey.get()) != 1) {
    return OpensslFailure(StatusCode::kCryptoError, std::string(caller) + ": EVP_DigestVerifyInit failed");
  }
  if (EVP_DigestVerify(ctx.get(), to_check.data(), to_check.size(), NonNullData(message),
                       message.size()) != 1) {
    ClearOpensslErrors();
    return Status(StatusCode::kVerificationFailed,
                  std::string(caller) + ": " + Name(type_) + " signature does not verify");
  }
  return OkStatus();
}

// ---- PrivateKey -------------------------------------------------------------------------

PrivateKey::PrivateKey(KeyType type, std::unique_ptr<Impl> impl)
    : type_(type), impl_(std::move(impl)) {}
PrivateKey::PrivateKey(PrivateKey&&) noexcept = default;
PrivateKey& PrivateKey::operator=(PrivateKey&&) noexcept = default;
PrivateKey::~PrivateKey() = default;  // EVP_PKEY_free clears the key material

Result<PrivateKey> PrivateKey::Generate(KeyType type) {
  const std::string caller = "PrivateKey::Generate";
  if (KeyCoordinateSize(type) == 0) return UnknownType(caller, type);
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, IsEc(type) ? "EC" : OkpTypeName(type),
                                            nullptr));
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1) {
    return OpensslFailure(StatusCode::kCryptoError, caller + ": EVP_PKEY_keygen_init failed");
  }
  if (IsEc(type) && EVP_PKEY_CTX_set_group_name(ctx.get(), EcGroupName(type)) != 1) {
    return OpensslFailure(StatusCode::kCryptoError, caller + ": setting the curve failed");
  }
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_generate(ctx.get(), &raw) != 1) {
    return OpensslFailure(StatusCode::kCryptoError, caller + ": EVP_PKEY_generate failed");
  }
  return MakePrivateKey(caller, type, PkeyPtr(raw));
}

Result<PrivateKey> PrivateKey::FromPem(std::string_view pem) {
  const std::string caller = "PrivateKey::FromPem";
  if (LooksEncrypted(pem)) {
    return Status(StatusCode::kUnsupported,
                  caller + ": encrypted PEM is not accepted; provide an unencrypted PKCS#8 key");
  }
  TEEP_ASSIGN_OR_RETURN(BioPtr bio, ReadOnlyBio(caller, pem));
  PkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, RefusePassword, nullptr));
  if (!pkey) {
    return OpensslFailure(StatusCode::kMalformed,
                          caller + ": no unencrypted private key PEM block could be decoded");
  }
  TEEP_ASSIGN_OR_RETURN(KeyType type, DetectKeyType(caller, pkey.get()));
  if (!HasPrivatePart(type, pkey.get())) {
    return Status(StatusCode::kMalformed, caller + ": the PEM key has no private part");
  }
  return MakePrivateKey(caller, type, std::move(pkey));
}

Result<PrivateKey> PrivateKey::FromRaw(KeyType type, ByteView d) {
  const std::string caller = "PrivateKey::FromRaw";
  const size_t n = KeyCoordinateSize(type);
  if (n == 0) return UnknownType(caller, type);
  if (d.size() != n) {
    return Status(StatusCode::kInvalidArgument, caller + ": " + Name(type) +
                                                    " private key must be " + Str(n) +
                                                    " bytes, got " + Str(d.size()));
  }
  if (IsEc(type)) {
    TEEP_ASSIGN_OR_RETURN(PkeyPtr pkey, EcPrivateFromScalar(type, d));
    return MakePrivateKey(caller, type, std::move(pkey));
  }
  // OKP: the RFC 8032 seed / RFC 7748 scalar; OpenSSL derives the public key.
  PkeyPtr pkey(
      EVP_PKEY_new_raw_private_key_ex(nullptr, OkpTypeName(type), nullptr, d.data(), d.size()));
  if (!pkey) {
    return OpensslFailure(StatusCode::kCryptoError,
                          caller + ": EVP_PKEY_new_raw_private_key_ex failed");
  }
  return MakePrivateKey(caller, type, std::move(pkey));
}

PublicKey PrivateKey::Public() const {
  if (!impl_) return BackendAccess::MakePublic(type_, nullptr);
  return BackendAccess::MakePublic(type_, UpRef(impl_->public_only.get()));
}

Result<std::string> PrivateKey::ToPem() const {
  const std::string caller = "PrivateKey::ToPem";
  if (!impl_) return Status(StatusCode::kInvalidArgument, caller + ": moved-from key");
  // A secure-memory BIO: its buffer is cleared when it grows and when it is
  // freed, so no copy of the private key's PEM is left behind in the heap.
  BioPtr bio(BIO_new(BIO_s_secmem()));
  if (!bio) return OpensslFailure(StatusCode::kCryptoError, caller + ": BIO_new failed");
  if (PEM_write_bio_PKCS8PrivateKey(bio.get(), impl_->pkey.get(), nullptr, nullptr, 0, nullptr,
                                    nullptr) != 1) {
    return OpensslFailure(StatusCode::kCryptoError, caller + ": PEM_write_bio_PKCS8PrivateKey failed");
  }
  return BioContents(caller, bio.get());
}

Result<SecretBytes> PrivateKey::RawPrivate() const {
  const std::string caller = "PrivateKey::RawPrivate";
  if (!impl_) return Status(StatusCode::kInvalidArgument, caller + ": moved-from key");
  const size_t n = KeyCoordinateSize(type_);
  SecretBytes out(n);
  if (IsEc(type_)) {
    BIGNUM* raw = nullptr;
    if (EVP_PKEY_get_bn_param(impl_->pkey.get(), OSSL_PKEY_PARAM_PRIV_KEY, &raw) != 1) {
      return OpensslFailure(StatusCode::kCryptoError, caller + ": reading the private scalar failed");
    }
    BignumPtr priv(raw);
    if (BN_bn2binpad(priv.get(), out.data(), static_cast<int>(n)) != static_cast<int>(n)) {
      return OpensslFailure(StatusCode::kCryptoError, caller + ": private scalar too long");
    }
    return out;
  }
  size_t len = out.size();
  if (EVP_PKEY_get_raw_private_key(impl_->pkey.get(), out.data(), &len) != 1 || len != n) {
    return OpensslFailure(StatusCode::kCryptoError, caller + ": EVP_PKEY_get_raw_private_key failed");
  }
  return out;
}

Result<Bytes> PrivateKey::Sign(ByteView message) const {
  constexpr std::string_view caller = "PrivateKey::Sign";
  if (!impl_) return Status(StatusCode::kInvalidArgument, std::string(caller) + ": moved-from key");
  if (!KeyTypeCanSign(type_)) {
    return Status(StatusCode::kInvalidArgument, std::string(caller) + ": " + Name(type_) + " keys cannot sign");
  }
  const EVP_MD* md = nullptr;  // Ed25519 is one-shot "pure" EdDSA: no digest
  if (IsEc(type_)) {
    md = EcdsaDigest(type_);
    if (md == nullptr) return Status(StatusCode::kUnsupported, std::string(caller) + ": digest is not available");
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) return OpensslFailure(StatusCode::kCryptoError, std::string(caller) + ": EVP_MD_CTX_new failed");
  if (EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, impl_->pkey.get()) != 1) {
    return OpensslFailure(StatusCode::kCryptoError, std::string(caller) + ": EVP_DigestSignInit failed");
  }
  const int max_size = EVP_PKEY_get_size(impl_->pkey.get());  // largest DER / raw signature
  if (max_size <= 0) return OpensslFailure(StatusCode::kCryptoError, std::string(caller) + ": EVP_PKEY_get_size failed");
  Bytes sig(static_cast<size_t>(max_size));
  size_t sig_len = sig.size();
  if (EVP_DigestSign(ctx.get(), sig.data(), &sig_len, NonNullData(message), message.size()) != 1) {
    return OpensslFailure(StatusCode::kCryptoError, std::string(caller) + ": EVP_DigestSign failed");
  }
  sig.resize(sig_len);
  if (!IsEc(type_)) {
    if (sig.size() != 64) {
      return Status(StatusCode::kCryptoError,
                    std::string(caller) + ": Ed25519 signature is " + Str(sig.size()) + " bytes, expected 64");
    }
    return sig;
  }
  return DerToRawSignature(sig, KeyCoordinateSize(type_));
}

Result<SecretBytes> PrivateKey::Agree(const PublicKey& peer) const {
  constexpr std::string_view caller = "PrivateKey::Agree";
  if (!impl_) return Status(StatusCode::kInvalidArgument, std::string(caller) + ": moved-from key");
  if (!KeyTypeCanAgree(type_)) {
    return Status(StatusCode::kInvalidArgument,
                  std::string(caller) + ": " + Name(type_) + " keys cannot do key agreement");
  }
  if (peer.type() != type_) {
    return Status(StatusCode::kInvalidArgument,
                  std::string(caller) + ": peer key is " + Name(peer.type()) + ", own key is " + Name(type_));
  }
  EVP_PKEY* peer_pkey = BackendAccess::Pkey(peer);
  if (peer_pkey == nullptr) return Status(StatusCode::kInvalidArgument, std::string(caller) + ": moved-from peer key");
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, impl_->pkey.get(), nullptr));
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1) {
    return OpensslFailure(StatusCode::kCryptoError, std::string(caller) + ": EVP_PKEY_derive_init failed");
  }
  // set_peer validates the peer key (EVP_PKEY_derive_set_peer_ex(..., 1)).
  if (EVP_PKEY_derive_set_peer(ctx.get(), peer_pkey) != 1) {
    return OpensslFailure(StatusCode::kInvalidArgument, std::string(caller) + ": peer key rejected");
  }
  size_t len = 0;
  if (EVP_PKEY_derive(ctx.get(), nullptr, &len) != 1 || len == 0) {
    return OpensslFailure(StatusCode::kCryptoError, std::string(caller) + ": EVP_PKEY_derive (size) failed");
  }
  SecretBytes out(len);
  // For X25519 this also fails on an all-zero result (a small-order peer),
  // the check RFC 7748 §6.1 allows.
  if (EVP_PKEY_derive(ctx.get(), out.data(), &len) != 1 || len != out.size()) {
    return OpensslFailure(StatusCode::kCryptoError, std::string(caller) + ": EVP_PKEY_derive failed");
  }
  return out;
}

}  // namespace teep::crypto
