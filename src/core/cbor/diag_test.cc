#include "core/cbor/diag.h"

#include <gtest/gtest.h>

namespace teep::cbor {
namespace {

std::string Diag(std::string_view hex, DiagOptions o = {}) {
  Bytes b = *HexDecode(hex);
  auto r = ToDiagnostic(b, o);
  EXPECT_TRUE(r.ok()) << hex << ": " << r.status().ToString();
  return r.ok() ? *r : "";
}

TEST(CborDiag, PrintsRfc8949AppendixAExamples) {
  EXPECT_EQ(Diag("00"), "0");
  EXPECT_EQ(Diag("3903e7"), "-1000");
  EXPECT_EQ(Diag("3bffffffffffffffff"), "-18446744073709551616");
  EXPECT_EQ(Diag("f93e00"), "1.5");
  EXPECT_EQ(Diag("f93c00"), "1.0");
  EXPECT_EQ(Diag("fb3ff199999999999a"), "1.1");
  EXPECT_EQ(Diag("fa47c35000"), "100000.0");
  EXPECT_EQ(Diag("fb7e37e43c8800759c"), "1.0e+300");
  EXPECT_EQ(Diag("f90001"), "5.960464477539063e-8");
  EXPECT_EQ(Diag("f90400"), "0.00006103515625");
  EXPECT_EQ(Diag("fa7f7fffff"), "3.4028234663852886e+38");
  EXPECT_EQ(Diag("f9c400"), "-4.0");
  EXPECT_EQ(Diag("f97c00"), "Infinity");
  EXPECT_EQ(Diag("f9fc00"), "-Infinity");
  EXPECT_EQ(Diag("f97e00"), "NaN");
  EXPECT_EQ(Diag("f4"), "false");
  EXPECT_EQ(Diag("f7"), "undefined");
  EXPECT_EQ(Diag("f0"), "simple(16)");
  EXPECT_EQ(Diag("f8ff"), "simple(255)");
  EXPECT_EQ(Diag("c074323031332d30332d32315432303a30343a30305a"), "0(\"2013-03-21T20:04:00Z\")");
  EXPECT_EQ(Diag("4401020304"), "h'01020304'");
  EXPECT_EQ(Diag("62225c"), "\"\\\"\\\\\"");
  EXPECT_EQ(Diag("826161a161626163"), "[\"a\", {\"b\": \"c\"}]");
  EXPECT_EQ(Diag("a26161016162820203"), "{\"a\": 1, \"b\": [2, 3]}");
  EXPECT_EQ(Diag("80"), "[]");
  EXPECT_EQ(Diag("a0"), "{}");
}

TEST(CborDiag, ShowsEncodingIndicatorsForNonPreferredHeads) {
  EXPECT_EQ(Diag("1817"), "23_0");
  EXPECT_EQ(Diag("1a00000001"), "1_2");
  EXPECT_EQ(Diag("fa3fc00000"), "1.5_2");
  EXPECT_EQ(Diag("9801 01"), "[_0 1]");
}

TEST(CborDiag, EscapesControlCharacters) {
  EXPECT_EQ(Diag("63610a01"), "\"a\\n\\u0001\"");
}

TEST(CborDiag, ShowsEmbeddedCborWhenAsked) {
  DiagOptions o;
  o.show_embedded_cbor = true;
  EXPECT_EQ(Diag("4401020304", o), "h'01020304'");  // not a structured item
  EXPECT_EQ(Diag("43a10126", o), "<<{1: -7}>>");
  EXPECT_EQ(Diag("4101", o), "h'01'");               // a lone byte stays a byte
}

TEST(CborDiag, DeeplyNestedEmbeddedCborDoesNotExhaustTheStack) {
  // [<<[<<[ ... ]>>]>>] 5000 levels deep: each level is a well-formed item.
  Bytes item = {0x81, 0x00};
  for (int i = 0; i < 5000; ++i) {
    Bytes wrapped = {0x81};
    if (item.size() < 24) {
      wrapped.push_back(static_cast<uint8_t>(0x40 | item.size()));
    } else if (item.size() < 256) {
      wrapped.push_back(0x58);
      wrapped.push_back(static_cast<uint8_t>(item.size()));
    } else {
      wrapped.push_back(0x59);
      wrapped.push_back(static_cast<uint8_t>(item.size() >> 8));
      wrapped.push_back(static_cast<uint8_t>(item.size()));
    }
    wrapped.insert(wrapped.end(), item.begin(), item.end());
    item = std::move(wrapped);
  }
  DiagOptions o;
  o.show_embedded_cbor = true;
  auto r = ToDiagnostic(item, o);
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->find("h'"), std::string::npos);  // deep levels fall back to bytes
}

TEST(CborDiag, IndentsWhenAsked) {
  DiagOptions o;
  o.indent = 2;
  EXPECT_EQ(Diag("82a1010280", o), "[\n  {\n    1: 2\n  },\n  []\n]");
}

TEST(CborDiag, RefusesMalformedInput) {
  Bytes b = *HexDecode("a201020103");
  auto r = ToDiagnostic(b);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "offset 3: duplicate map key");
}

}  // namespace
}  // namespace teep::cbor
