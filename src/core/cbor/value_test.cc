#include "core/cbor/value.h"

#include <gtest/gtest.h>

namespace teep::cbor {
namespace {

TEST(CborValue, RoundTripsDeterministicInputByteExact) {
  for (const char* hex : {"00", "3bffffffffffffffff", "1bffffffffffffffff", "83010203",
                          "a201f5206161", "d28443a10126a0f6f6", "f97e00", "fb3ff199999999999a",
                          "a2818101f6818102f6", "f8ff"}) {
    Bytes b = *HexDecode(hex);
    auto v = Decode(b);
    ASSERT_TRUE(v.ok()) << hex << ": " << v.status().ToString();
    auto again = Encode(*v);
    ASSERT_TRUE(again.ok()) << hex;
    EXPECT_EQ(HexEncode(*again), hex);
  }
}

TEST(CborValue, EncodeSortsMapKeysAndRejectsDuplicates) {
  Value m = Value::MakeMap({{Value::Text("b"), Value::Uint(1)},
                            {Value::Int(-1), Value::Uint(2)},
                            {Value::Uint(300), Value::Uint(3)}});
  auto e = Encode(m);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(HexEncode(*e), "a319012c0320026162" "01");
  Value dup = Value::MakeMap({{Value::Uint(1), Value::Null()}, {Value::Uint(1), Value::Null()}});
  EXPECT_FALSE(Encode(dup).ok());
}

TEST(CborValue, EncodeReportsAnErrorInsideAMapKey) {
  // A map key that is itself a map with a duplicate key: the error must be the
  // duplicate, not a symptom such as truncation.
  Value inner = Value::MakeMap({{Value::Uint(1), Value::Null()}, {Value::Uint(1), Value::Null()}});
  Value outer = Value::MakeMap({{std::move(inner), Value::Null()}});
  auto e = Encode(outer);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("duplicate"), std::string::npos) << e.status().message();
}

TEST(CborValue, RelaxedDecodeThenEncodeCanonicalises) {
  Bytes b = *HexDecode("a2020318010a");  // {2: 3, 1: 10} with an overlong key
  auto v = Decode(b, RelaxedOptions());
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(HexEncode(*Encode(*v)), "a2010a0203");
  EXPECT_FALSE(Decode(b).ok());  // strict by default
}

TEST(CborValue, FindLooksUpIntegerKeys) {
  Bytes b = *HexDecode("a2016161206162");
  auto v = Decode(b);
  ASSERT_TRUE(v.ok());
  ASSERT_NE(v->Find(-1), nullptr);
  EXPECT_EQ(v->Find(-1)->text(), "b");
  EXPECT_EQ(v->Find(2), nullptr);
}

}  // namespace
}  // namespace teep::cbor
