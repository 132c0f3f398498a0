#include "host/fleet/spki.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>

#include <algorithm>

#include "core/cose/key.h"

namespace teep::host::fleet {
namespace {

// RFC 5480 §2 (EC, uncompressed point 04 || x || y) and RFC 8410 §4 (OKP):
// the DER up to the key bytes.
constexpr uint8_t kP256Prefix[] = {0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
                                   0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00};
constexpr uint8_t kP384Prefix[] = {0x30, 0x76, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02,
                                   0x01, 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22, 0x03, 0x62, 0x00};
constexpr uint8_t kEd25519Prefix[] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
constexpr uint8_t kX25519Prefix[] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00};

struct Format {
  crypto::KeyType type;
  ByteView prefix;
  size_t key_size;  // bytes after the prefix
};
constexpr Format kFormats[] = {
    {crypto::KeyType::kP256, kP256Prefix, 65},
    {crypto::KeyType::kP384, kP384Prefix, 97},
    {crypto::KeyType::kEd25519, kEd25519Prefix, 32},
    {crypto::KeyType::kX25519, kX25519Prefix, 32},
};

struct GroupFree { void operator()(EC_GROUP* g) const { EC_GROUP_free(g); } };
struct PointFree { void operator()(EC_POINT* p) const { EC_POINT_free(p); } };
struct BnCtxFree { void operator()(BN_CTX* c) const { BN_CTX_free(c); } };

}  // namespace

struct SpkiReader::Impl {
  std::unique_ptr<EC_GROUP, GroupFree> p256, p384;
  std::unique_ptr<EC_POINT, PointFree> p256_point, p384_point;
  std::unique_ptr<BN_CTX, BnCtxFree> ctx;
};

SpkiReader::SpkiReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SpkiReader::~SpkiReader() = default;

Result<std::unique_ptr<SpkiReader>> SpkiReader::Create() {
  auto impl = std::make_unique<Impl>();
  impl->p256.reset(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
  impl->p384.reset(EC_GROUP_new_by_curve_name(NID_secp384r1));
  if (impl->p256) impl->p256_point.reset(EC_POINT_new(impl->p256.get()));
  if (impl->p384) impl->p384_point.reset(EC_POINT_new(impl->p384.get()));
  impl->ctx.reset(BN_CTX_new());
  if (!impl->p256_point || !impl->p384_point || !impl->ctx) {
    return Status(StatusCode::kCryptoError, "SpkiReader: out of memory");
  }
  return std::unique_ptr<SpkiReader>(new SpkiReader(std::move(impl)));
}

Result<std::optional<SpkiKey>> SpkiReader::Read(ByteView der) {
  for (const Format& f : kFormats) {
    if (der.size() != f.prefix.size() + f.key_size || !std::equal(f.prefix.begin(), f.prefix.end(), der.begin())) {
      continue;
    }
    const ByteView key = der.subspan(f.prefix.size());
    SpkiKey out;
    out.type = f.type;
    if (f.type == crypto::KeyType::kP256 || f.type == crypto::KeyType::kP384) {
      const bool p256 = f.type == crypto::KeyType::kP256;
      // EC_POINT_oct2point refuses a point that is not on the curve.
      if (key[0] != 0x04 || EC_POINT_oct2point(p256 ? impl_->p256.get() : impl_->p384.get(),
                                               p256 ? impl_->p256_point.get() : impl_->p384_point.get(), key.data(),
                                               key.size(), impl_->ctx.get()) != 1) {
        return Status(StatusCode::kMalformed, std::string("not a point on ") + (p256 ? "P-256" : "P-384"));
      }
      const size_t n = (key.size() - 1) / 2;
      out.x.assign(key.begin() + 1, key.begin() + 1 + n);
      out.y.assign(key.begin() + 1 + n, key.end());
    } else {
      out.x.assign(key.begin(), key.end());
    }
    return std::optional<SpkiKey>(std::move(out));
  }
  return std::optional<SpkiKey>();
}

Result<std::array<uint8_t, 32>> SpkiThumbprint(const SpkiKey& key) {
  cose::CoseKey c;
  switch (key.type) {
    case crypto::KeyType::kP256: c.kty = cose::kKtyEc2, c.crv = cose::kCrvP256; break;
    case crypto::KeyType::kP384: c.kty = cose::kKtyEc2, c.crv = cose::kCrvP384; break;
    case crypto::KeyType::kEd25519: c.kty = cose::kKtyOkp, c.crv = cose::kCrvEd25519; break;
    case crypto::KeyType::kX25519: c.kty = cose::kKtyOkp, c.crv = cose::kCrvX25519; break;
  }
  c.x = key.x;
  c.y = key.y;
  return cose::Thumbprint(c);
}

}  // namespace teep::host::fleet
