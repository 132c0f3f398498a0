#include "host/fleet/identity.h"

#include <gtest/gtest.h>

#include "core/base/strings.h"
#include "host/fleet/base64.h"
#include "host/fleet/import_file.h"
#include "host/fleet/public_keys.h"

namespace teep::host::fleet {
namespace {

Bytes Raw(const crypto::PrivateKey& key) {
  auto raw = key.RawPrivate();
  EXPECT_TRUE(raw.ok());
  return ToBytes(raw->view());
}

TEST(FleetIdentityTest, TheScalarIsTheDocumentedHmac) {
  auto key = DeriveKey(kDefaultSeed, 7, KeyPurpose::kTeepKey);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->type(), crypto::KeyType::kP256);
  auto expected = crypto::Hmac(crypto::HashAlg::kSha256, AsBytes("teep-fleet-simulation"),
                               AsBytes("teep-fleet teep-key 7"));
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(Raw(*key), *expected);
  auto attestation = DeriveKey("s", 12345678901, KeyPurpose::kAttestationKey);
  ASSERT_TRUE(attestation.ok());
  EXPECT_EQ(Raw(*attestation),
            *crypto::Hmac(crypto::HashAlg::kSha256, AsBytes("s"), AsBytes("teep-fleet attestation-key 12345678901")));
}

TEST(FleetIdentityTest, RetriesAppendAnAttemptNumber) {
  EXPECT_EQ(DerivationData("teep-key", 3, 0), "teep-fleet teep-key 3");
  EXPECT_EQ(DerivationData("teep-key", 3, 1), "teep-fleet teep-key 3/1");
  EXPECT_EQ(DerivationData("attestation-key", 0, 2), "teep-fleet attestation-key 0/2");
}

TEST(FleetIdentityTest, Deterministic) {
  auto a = DeriveDeviceKeys(kDefaultSeed, 42);
  auto b = DeriveDeviceKeys(kDefaultSeed, 42);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(Raw(a->teep_key), Raw(b->teep_key));
  EXPECT_EQ(Raw(a->attestation_key), Raw(b->attestation_key));
  EXPECT_EQ(*a->teep_key.Public().ToPem(), *b->teep_key.Public().ToPem());
  EXPECT_EQ(*DeriveUeid(kDefaultSeed, 42), *DeriveUeid(kDefaultSeed, 42));
}

TEST(FleetIdentityTest, IndicesPurposesAndSeedsDiffer) {
  auto base = DeriveDeviceKeys(kDefaultSeed, 0);
  auto next = DeriveDeviceKeys(kDefaultSeed, 1);
  auto other_seed = DeriveDeviceKeys("another seed", 0);
  ASSERT_TRUE(base.ok() && next.ok() && other_seed.ok());
  EXPECT_NE(Raw(base->teep_key), Raw(base->attestation_key));
  EXPECT_NE(Raw(base->teep_key), Raw(next->teep_key));
  EXPECT_NE(Raw(base->attestation_key), Raw(next->attestation_key));
  EXPECT_NE(Raw(base->teep_key), Raw(other_seed->teep_key));
  EXPECT_NE(*DeriveUeid(kDefaultSeed, 0), *DeriveUeid(kDefaultSeed, 1));
  EXPECT_NE(*DeriveUeid(kDefaultSeed, 0), *DeriveUeid("another seed", 0));
}

TEST(FleetIdentityTest, KeysSignAndVerify) {
  auto keys = DeriveDeviceKeys(kDefaultSeed, 3);
  ASSERT_TRUE(keys.ok());
  const Bytes message = ToBytes(AsBytes("a TEEP message"));
  for (const crypto::PrivateKey* key : {&keys->teep_key, &keys->attestation_key}) {
    auto signature = key->Sign(message);
    ASSERT_TRUE(signature.ok());
    EXPECT_TRUE(key->Public().Verify(message, *signature).ok());
  }
  auto signature = keys->teep_key.Sign(message);
  EXPECT_FALSE(keys->attestation_key.Public().Verify(message, *signature).ok());
}

TEST(FleetIdentityTest, UeidIsRandomTypeOf33Bytes) {
  auto ueid = DeriveUeid(kDefaultSeed, 9);
  ASSERT_TRUE(ueid.ok());
  ASSERT_EQ(ueid->size(), 33u);
  EXPECT_EQ((*ueid)[0], 0x01);
}

TEST(FleetIdentityTest, TheFastPublicKeysAreTheSameKeys) {
  auto deriver = PublicKeyDeriver::Create();
  ASSERT_TRUE(deriver.ok());
  for (std::string_view seed : {kDefaultSeed, std::string_view("x")}) {
    for (uint64_t index : {uint64_t{0}, uint64_t{1}, uint64_t{999}, uint64_t{1} << 40}) {
      for (KeyPurpose purpose : {KeyPurpose::kTeepKey, KeyPurpose::kAttestationKey}) {
        auto key = DeriveKey(seed, index, purpose);
        ASSERT_TRUE(key.ok());
        auto spki = (*deriver)->SpkiDer(seed, index, purpose);
        ASSERT_TRUE(spki.ok());
        EXPECT_EQ(Base64Encode(*spki), *SpkiBase64(key->Public())) << seed << " " << index;
      }
    }
  }
}

TEST(FleetIdentityTest, Names) {
  EXPECT_EQ(DeviceName(kDefaultNamePrefix, 17), "fleet-17");
  EXPECT_EQ(DeviceName("lab/", 0), "lab/0");
}

}  // namespace
}  // namespace teep::host::fleet
