#include "core/cbor/writer.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/cbor/reader.h"

namespace teep::cbor {
namespace {

std::string Hex(Writer& w) {
  auto r = std::move(w).Finish();
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? HexEncode(*r) : "";
}

TEST(CborWriter, UsesPreferredIntegerHeads) {
  // RFC 8949 Appendix A examples.
  struct Case {
    int64_t v;
    const char* hex;
  } cases[] = {{0, "00"},           {23, "17"},         {24, "1818"},     {255, "18ff"},
               {256, "190100"},     {65535, "19ffff"},  {65536, "1a00010000"},
               {4294967296, "1b0000000100000000"},     {-1, "20"},       {-24, "37"},
               {-25, "3818"},       {-1000, "3903e7"}};
  for (const auto& c : cases) {
    Writer w;
    w.WriteInt(c.v);
    EXPECT_EQ(Hex(w), c.hex) << c.v;
  }
  Writer w;
  w.WriteUint(UINT64_MAX);
  EXPECT_EQ(Hex(w), "1bffffffffffffffff");
  Writer n;
  n.WriteNegativeArg(UINT64_MAX);
  EXPECT_EQ(Hex(n), "3bffffffffffffffff");
}

TEST(CborWriter, WritesShortestFloats) {
  struct Case {
    double v;
    const char* hex;
  } cases[] = {{0.0, "f90000"},          {-0.0, "f98000"},         {1.0, "f93c00"},
               {1.1, "fb3ff199999999999a"}, {1.5, "f93e00"},       {65504.0, "f97bff"},
               {100000.0, "fa47c35000"}, {3.4028234663852886e+38, "fa7f7fffff"},
               {1.0e+300, "fb7e37e43c8800759c"}, {5.960464477539063e-8, "f90001"},
               {0.00006103515625, "f90400"}, {-4.0, "f9c400"},     {INFINITY, "f97c00"},
               {NAN, "f97e00"},          {-INFINITY, "f9fc00"}};
  for (const auto& c : cases) {
    Writer w;
    w.WriteFloat(c.v);
    EXPECT_EQ(Hex(w), c.hex) << c.v;
  }
}

TEST(CborWriter, WritesContainersAndStrings) {
  Writer w;
  w.BeginArray(3);
  w.WriteBytes(Bytes{1, 2});
  w.WriteText("IETF");
  w.BeginMap(2);
  w.WriteUint(1);
  w.WriteBool(true);
  w.WriteInt(-1);
  w.BeginArray(0);
  EXPECT_EQ(Hex(w), "834201026449455446a201f52080");
}

TEST(CborWriter, WritesTags) {
  Writer w;
  w.WriteTag(18);
  w.BeginArray(1);
  w.WriteNull();
  EXPECT_EQ(Hex(w), "d281f6");
}

TEST(CborWriter, RejectsUnsortedAndDuplicateKeys) {
  Writer unsorted;
  unsorted.BeginMap(2);
  unsorted.WriteUint(2);
  unsorted.WriteUint(0);
  unsorted.WriteUint(1);
  unsorted.WriteUint(0);
  EXPECT_FALSE(unsorted.ok());
  EXPECT_NE(unsorted.status().message().find("deterministic"), std::string::npos);

  Writer dup;
  dup.BeginMap(2);
  dup.WriteText("a");
  dup.WriteUint(0);
  dup.WriteText("a");
  dup.WriteUint(0);
  EXPECT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("duplicate"), std::string::npos);

  // Bytewise order puts uint 24 (0x1818) before -1 (0x20).
  Writer ok;
  ok.BeginMap(2);
  ok.WriteUint(24);
  ok.WriteNull();
  ok.WriteInt(-1);
  ok.WriteNull();
  EXPECT_EQ(Hex(ok), "a21818f620f6");
}

TEST(CborWriter, RejectsFloatKeysEqualInValue) {
  // 0.0 (f90000) sorts before 1.0 (f93c00) before -0.0 (f98000): bytewise
  // order alone cannot see that the first and last are the same key.
  Writer w;
  w.BeginMap(3);
  w.WriteFloat(0.0);
  w.WriteNull();
  w.WriteFloat(1.0);
  w.WriteNull();
  w.WriteFloat(-0.0);
  w.WriteNull();
  EXPECT_FALSE(w.ok());
  EXPECT_NE(w.status().message().find("duplicate"), std::string::npos);
}

TEST(CborWriter, ChecksOrderOfContainerKeysToo) {
  // Keys that are arrays: [1] (0x8101) must come before [2] (0x8102).
  Writer w;
  w.BeginMap(2);
  w.BeginArray(1);
  w.WriteUint(2);
  w.WriteNull();
  w.BeginArray(1);
  w.WriteUint(1);
  w.WriteNull();
  EXPECT_FALSE(w.ok());
}

TEST(CborWriter, RejectsWrongItemCounts) {
  Writer open;
  open.BeginArray(2);
  open.WriteUint(1);
  EXPECT_FALSE(std::move(open).Finish().ok());

  Writer extra;
  extra.BeginArray(1);
  extra.WriteUint(1);
  extra.WriteUint(2);  // a second top-level item
  EXPECT_FALSE(extra.ok());

  Writer inner;
  inner.BeginArray(1);
  inner.BeginArray(1);
  inner.WriteUint(1);
  inner.WriteUint(2);  // both arrays were already complete
  EXPECT_FALSE(inner.ok());

  Writer empty;
  EXPECT_FALSE(std::move(empty).Finish().ok());
}

TEST(CborWriter, RejectsInvalidText) {
  Writer w;
  w.WriteText(std::string_view("\xc3\x28", 2));
  EXPECT_FALSE(w.ok());
}

TEST(CborWriter, WriteRawChecksItsInput) {
  Writer good;
  good.BeginArray(1);
  good.WriteRaw(Bytes{0xa1, 0x01, 0x02});
  EXPECT_EQ(Hex(good), "81a10102");
  Writer bad;
  bad.WriteRaw(Bytes{0x18, 0x01});
  EXPECT_FALSE(bad.ok());
}

TEST(CborWriter, OutputPassesTheStrictChecker) {
  Writer w;
  w.BeginMap(3);
  w.WriteUint(1);
  w.WriteFloat(0.1);
  w.WriteUint(2);
  w.WriteText("x");
  w.WriteInt(-300);
  w.WriteBytes(Bytes(300, 7));
  auto bytes = std::move(w).Finish();
  ASSERT_TRUE(bytes.ok());
  EXPECT_FALSE(Check(*bytes).has_value());
}

}  // namespace
}  // namespace teep::cbor
