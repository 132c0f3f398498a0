#include "host/fleet/public_keys.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>

#include "core/base/strings.h"

namespace teep::host::fleet {
namespace {

// SubjectPublicKeyInfo of an uncompressed P-256 point (RFC 5480 §2):
// SEQUENCE { SEQUENCE { id-ecPublicKey, secp256r1 }, BIT STRING { 04 x y } },
// everything up to the point's x.
constexpr uint8_t kP256SpkiPrefix[] = {0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d,
                                       0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01,
                                       0x07, 0x03, 0x42, 0x00};
constexpr size_t kPointSize = 65;  // 04 || x || y
constexpr unsigned kMaxAttempts = 16;  // as identity.cc

struct GroupFree { void operator()(EC_GROUP* g) const { EC_GROUP_free(g); } };
struct PointFree { void operator()(EC_POINT* p) const { EC_POINT_free(p); } };
struct BnFree { void operator()(BIGNUM* b) const { BN_clear_free(b); } };
struct BnCtxFree { void operator()(BN_CTX* c) const { BN_CTX_free(c); } };

}  // namespace

struct PublicKeyDeriver::Impl {
  std::unique_ptr<EC_GROUP, GroupFree> group;
  std::unique_ptr<EC_POINT, PointFree> point;
  std::unique_ptr<BIGNUM, BnFree> scalar;
  std::unique_ptr<BN_CTX, BnCtxFree> ctx;
};

PublicKeyDeriver::PublicKeyDeriver(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PublicKeyDeriver::~PublicKeyDeriver() = default;

Result<std::unique_ptr<PublicKeyDeriver>> PublicKeyDeriver::Create() {
  auto impl = std::make_unique<Impl>();
  impl->group.reset(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
  if (impl->group) impl->point.reset(EC_POINT_new(impl->group.get()));
  impl->scalar.reset(BN_new());
  impl->ctx.reset(BN_CTX_new());
  if (!impl->group || !impl->point || !impl->scalar || !impl->ctx) {
    return Status(StatusCode::kCryptoError, "PublicKeyDeriver: out of memory");
  }
  BN_set_flags(impl->scalar.get(), BN_FLG_CONSTTIME);
  return std::unique_ptr<PublicKeyDeriver>(new PublicKeyDeriver(std::move(impl)));
}

Result<Bytes> PublicKeyDeriver::SpkiDer(std::string_view seed, uint64_t index, KeyPurpose purpose) {
  const EC_GROUP* group = impl_->group.get();
  for (unsigned attempt = 0; attempt < kMaxAttempts; ++attempt) {
    const std::string data = DerivationData(KeyPurposeLabel(purpose), index, attempt);
    TEEP_ASSIGN_OR_RETURN(Bytes d, crypto::Hmac(crypto::HashAlg::kSha256, AsBytes(seed), AsBytes(data)));
    const bool converted = BN_bin2bn(d.data(), static_cast<int>(d.size()), impl_->scalar.get()) != nullptr;
    crypto::Wipe(d.data(), d.size());
    if (!converted) return Status(StatusCode::kCryptoError, "PublicKeyDeriver: BN_bin2bn failed");
    // SEC 1 §3.2.1, as PrivateKey::FromRaw refuses: d in [1, n-1], else the next attempt.
    if (BN_is_zero(impl_->scalar.get()) || BN_cmp(impl_->scalar.get(), EC_GROUP_get0_order(group)) >= 0) continue;
    if (EC_POINT_mul(group, impl_->point.get(), impl_->scalar.get(), nullptr, nullptr, impl_->ctx.get()) != 1) {
      return Status(StatusCode::kCryptoError, "PublicKeyDeriver: EC_POINT_mul failed");
    }
    Bytes der(kP256SpkiPrefix, kP256SpkiPrefix + sizeof(kP256SpkiPrefix));
    der.resize(sizeof(kP256SpkiPrefix) + kPointSize);
    if (EC_POINT_point2oct(group, impl_->point.get(), POINT_CONVERSION_UNCOMPRESSED, der.data() + sizeof(kP256SpkiPrefix),
                           kPointSize, impl_->ctx.get()) != kPointSize) {
      return Status(StatusCode::kCryptoError, "PublicKeyDeriver: encoding the point failed");
    }
    return der;
  }
  return Status(StatusCode::kInternal, Cat("fleet key derivation: no valid P-256 scalar for ",
                                           KeyPurposeLabel(purpose), " ", index));
}

}  // namespace teep::host::fleet
