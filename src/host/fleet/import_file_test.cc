#include "host/fleet/import_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "core/cose/key.h"
#include "host/fleet/base64.h"
#include "host/fleet/identity.h"

namespace teep::host::fleet {
namespace {

using ::testing::HasSubstr;

// ---- base64 -------------------------------------------------------------------

TEST(Base64Test, Rfc4648Vectors) {
  const std::pair<std::string, std::string> vectors[] = {
      {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Base64Encode(AsBytes(plain)), encoded);
    auto decoded = Base64Decode(encoded);
    ASSERT_TRUE(decoded) << encoded;
    EXPECT_EQ(std::string(AsChars(*decoded)), plain);
  }
  EXPECT_EQ(Base64Encode(Bytes{0xfb, 0xff}), "+/8=");
}

TEST(Base64Test, OnlyCanonicalTextDecodes) {
  for (const char* bad : {"", "Zg", "Zg=", "Zm9v\n", " Zm9v", "Zm 9", "Zm9v====", "Z===", "Zh==", "Zm9=",
                          "Zm-v", "Zm_v", "Z=9v", "====", "Zm9vYg==Zm9v"}) {
    std::string why;
    EXPECT_FALSE(Base64Decode(bad, &why)) << "\"" << bad << "\"";
    EXPECT_FALSE(why.empty()) << bad;
  }
}

// ---- the import file ---------------------------------------------------------------

struct Fixture {
  DeviceKeys keys = *DeriveDeviceKeys(kDefaultSeed, 0);
  DeviceKeys other = *DeriveDeviceKeys(kDefaultSeed, 1);
  std::string teep = *SpkiBase64(keys.teep_key.Public());
  std::string attestation = *SpkiBase64(keys.attestation_key.Public());
  std::string other_teep = *SpkiBase64(other.teep_key.Public());
};

Result<std::vector<tam::DeviceRecord>> Parse(const std::string& text) {
  std::istringstream in(text);
  return ParseImportFile(in, "devices.txt");
}

// The error of a file that must not parse.
std::string ErrorOf(const std::string& text) {
  auto parsed = Parse(text);
  EXPECT_FALSE(parsed.ok()) << text;
  return parsed.ok() ? "" : parsed.status().message();
}

std::string SpkiOf(crypto::KeyType type) {
  auto key = crypto::PrivateKey::Generate(type);
  return *SpkiBase64(key->Public());
}

TEST(ImportFileTest, FormatThenParse) {
  Fixture f;
  const crypto::PublicKey attestation = f.keys.attestation_key.Public();
  auto line = FormatImportLine("fleet-0", f.keys.teep_key.Public(), &attestation);
  ASSERT_TRUE(line.ok());
  EXPECT_EQ(*line, "fleet-0 " + f.teep + " " + f.attestation);
  auto parsed = Parse("# a comment\n\n" + *line + "\nfleet-1 " + f.other_teep + " -");  // no final LF
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->size(), 2u);
  auto expected = MakeDeviceRecord("fleet-0", f.keys.teep_key.Public(), &attestation);
  ASSERT_TRUE(expected.ok());
  const tam::DeviceRecord& d = (*parsed)[0];
  EXPECT_EQ(d.device_id, expected->device_id);
  auto kid = cose::Thumbprint(f.keys.teep_key.Public());
  EXPECT_EQ(d.device_id, Bytes(kid->begin(), kid->end()));
  EXPECT_EQ(d.teep_key_pem, *f.keys.teep_key.Public().ToPem());
  EXPECT_EQ(d.attestation_key_pem, *f.keys.attestation_key.Public().ToPem());
  EXPECT_EQ(d.name, "fleet-0");
  EXPECT_EQ(d.attestation, "none");
  EXPECT_EQ((*parsed)[1].name, "fleet-1");
  EXPECT_EQ((*parsed)[1].attestation_key_pem, "");
}

TEST(ImportFileTest, EmptyFileHasNoDevices) {
  auto parsed = Parse("# nothing\n\n");
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->empty());
}

TEST(ImportFileTest, Ed25519TeepKeyAndP384AttestationKeyAreAccepted) {
  auto teep = crypto::PrivateKey::Generate(crypto::KeyType::kEd25519);
  auto attestation = crypto::PrivateKey::Generate(crypto::KeyType::kP384);
  auto parsed = Parse("d " + *SpkiBase64(teep->Public()) + " " + *SpkiBase64(attestation->Public()) + "\n");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->size(), 1u);
  auto kid = cose::Thumbprint(teep->Public());
  EXPECT_EQ((*parsed)[0].device_id, Bytes(kid->begin(), kid->end()));
  EXPECT_EQ((*parsed)[0].teep_key_pem, *teep->Public().ToPem());
  EXPECT_EQ((*parsed)[0].attestation_key_pem, *attestation->Public().ToPem());
}

TEST(ImportFileTest, APointOffTheCurveIsRefused) {
  Fixture f;
  auto der = Base64Decode(f.teep);
  der->back() ^= 1;  // y no longer matches x
  EXPECT_EQ(ErrorOf("a " + Base64Encode(*der) + " -\n"), "devices.txt:1: teep-key: not a point on P-256");
  der = Base64Decode(f.teep);
  (*der)[26] = 0x05;  // not an uncompressed point
  EXPECT_EQ(ErrorOf("a " + Base64Encode(*der) + " -\n"), "devices.txt:1: teep-key: not a point on P-256");
}

TEST(ImportFileTest, ErrorsNameFileAndLine) {
  Fixture f;
  const std::string good = "a " + f.teep + " " + f.attestation + "\n";
  EXPECT_EQ(ErrorOf("# c\n\n" + good + "b " + f.other_teep + "\n"),
            "devices.txt:4: expected 3 fields (name teep-key attestation-key), got 2");
  EXPECT_EQ(ErrorOf("a " + f.teep + " - extra\n"),
            "devices.txt:1: expected 3 fields (name teep-key attestation-key), got 4");
  EXPECT_EQ(ErrorOf("a  " + f.teep + " -\n"), "devices.txt:1: fields must be separated by single spaces");
  EXPECT_EQ(ErrorOf("a " + f.teep + " - \n"), "devices.txt:1: fields must be separated by single spaces");
  EXPECT_EQ(ErrorOf(" a " + f.teep + " -\n"), "devices.txt:1: fields must be separated by single spaces");
  EXPECT_EQ(ErrorOf("a\t" + f.teep + " -\n"), "devices.txt:1: expected 3 fields (name teep-key attestation-key), got 2");
  EXPECT_EQ(ErrorOf("a " + f.teep + " -\r\n"),
            "devices.txt:1: the line ends with a carriage return (use LF line ends)");
}

TEST(ImportFileTest, BadKeys) {
  Fixture f;
  EXPECT_THAT(ErrorOf("a " + f.teep.substr(1) + " -\n"), HasSubstr("devices.txt:1: teep-key: bad base64: "));
  EXPECT_THAT(ErrorOf("a " + f.teep + " " + f.attestation + "!\n"),
              HasSubstr("devices.txt:1: attestation-key: bad base64: "));
  EXPECT_EQ(ErrorOf("a " + Base64Encode(AsBytes("not a key at all")) + " -\n"),
            "devices.txt:1: teep-key: not a SubjectPublicKeyInfo");
  // Trailing bytes after the DER.
  auto der = Base64Decode(f.teep);
  der->push_back(0);
  EXPECT_EQ(ErrorOf("a " + Base64Encode(*der) + " -\n"),
            "devices.txt:1: teep-key: not a canonical SubjectPublicKeyInfo (extra or re-encoded bytes)");
  EXPECT_EQ(ErrorOf("a " + SpkiOf(crypto::KeyType::kX25519) + " -\n"),
            "devices.txt:1: teep-key: unsupported key type X25519 (a TEEP key is P-256 or Ed25519)");
  EXPECT_THAT(ErrorOf("a " + SpkiOf(crypto::KeyType::kP384) + " -\n"),
              HasSubstr("devices.txt:1: teep-key: unsupported key type"));
  EXPECT_EQ(ErrorOf("a " + f.teep + " " + SpkiOf(crypto::KeyType::kX25519) + "\n"),
            "devices.txt:1: attestation-key: unsupported key type X25519 (it cannot sign Evidence)");
  EXPECT_THAT(ErrorOf("a - -\n"), HasSubstr("devices.txt:1: teep-key: bad base64"));
}

TEST(ImportFileTest, Names) {
  Fixture f;
  const std::string keys = " " + f.teep + " -\n";
  EXPECT_TRUE(Parse(std::string(255, 'n') + keys).ok());
  EXPECT_TRUE(Parse("caf\xc3\xa9-\xe2\x82\xac-\xf0\x9f\x98\x80" + keys).ok());
  EXPECT_EQ(ErrorOf(std::string(256, 'n') + keys), "devices.txt:1: name is 256 bytes; at most 255 are allowed");
  EXPECT_EQ(ErrorOf("a\x01z" + keys), "devices.txt:1: name contains a control character (byte 2)");
  EXPECT_EQ(ErrorOf("a\x7f" + keys), "devices.txt:1: name contains a control character (byte 2)");
  EXPECT_EQ(ErrorOf("a\xc2\x85" + keys), "devices.txt:1: name contains a control character (byte 2)");  // NEL
  EXPECT_EQ(ErrorOf(std::string("a\0b", 3) + keys), "devices.txt:1: name contains a control character (byte 2)");
  for (const char* bad : {"a\xff", "a\xc3", "a\xc0\xaf", "a\xed\xa0\x80", "a\xf4\x90\x80\x80", "a\x80"}) {
    EXPECT_EQ(ErrorOf(bad + keys), "devices.txt:1: name is not UTF-8 (byte 2)") << bad;
  }
}

TEST(ImportFileTest, ADeviceIdTwiceIsAnError) {
  Fixture f;
  const std::string text = "a " + f.teep + " -\n# x\nb " + f.other_teep + " -\nc " + f.teep + " " + f.attestation + "\n";
  auto kid = cose::Thumbprint(f.keys.teep_key.Public());
  EXPECT_EQ(ErrorOf(text), "devices.txt:4: device " + HexEncode(Bytes(kid->begin(), kid->end())) +
                               " (its teep-key) is already on line 1");
}

TEST(ImportFileTest, FormatRefusesBadNames) {
  Fixture f;
  EXPECT_FALSE(FormatImportLine("two words", f.keys.teep_key.Public(), nullptr).ok());
  EXPECT_FALSE(FormatImportLine("", f.keys.teep_key.Public(), nullptr).ok());
  EXPECT_FALSE(FormatImportLine("tab\t", f.keys.teep_key.Public(), nullptr).ok());
  auto line = FormatImportLine("x", f.keys.teep_key.Public(), nullptr);
  ASSERT_TRUE(line.ok());
  EXPECT_EQ(*line, "x " + f.teep + " -");
}

}  // namespace
}  // namespace teep::host::fleet
