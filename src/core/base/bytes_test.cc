#include "core/base/bytes.h"

#include <gtest/gtest.h>

namespace teep {
namespace {

TEST(HexTest, EncodeIsLowerCaseTwoDigitsPerByte) {
  const Bytes b = {0x00, 0x0f, 0xa5, 0xff};
  EXPECT_EQ(HexEncode(b), "000fa5ff");
  EXPECT_EQ(HexEncode({}), "");
}

TEST(HexTest, DecodeAcceptsBothCases) {
  auto b = HexDecode("00aAfF10");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(*b, (Bytes{0x00, 0xaa, 0xff, 0x10}));
}

TEST(HexTest, DecodeIgnoresWhitespaceBetweenPairs) {
  auto b = HexDecode(" de ad\n\tbe\r\nef  ");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(*b, (Bytes{0xde, 0xad, 0xbe, 0xef}));
}

TEST(HexTest, DecodeEmptyAndAllWhitespace) {
  EXPECT_EQ(HexDecode(""), Bytes{});
  EXPECT_EQ(HexDecode(" \n "), Bytes{});
}

TEST(HexTest, DecodeRejectsOddDigitCount) {
  EXPECT_FALSE(HexDecode("abc").has_value());
  EXPECT_FALSE(HexDecode("a").has_value());
}

TEST(HexTest, DecodeRejectsNonHex) {
  EXPECT_FALSE(HexDecode("0g").has_value());
  EXPECT_FALSE(HexDecode("0x00").has_value());
  EXPECT_FALSE(HexDecode("00-11").has_value());
}

TEST(HexTest, DecodeRejectsWhitespaceInsideAPair) {
  EXPECT_FALSE(HexDecode("a b").has_value());
  EXPECT_FALSE(HexDecode("00a\nb").has_value());
}

TEST(HexTest, RoundTrip) {
  Bytes all(256);
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<uint8_t>(i);
  EXPECT_EQ(HexDecode(HexEncode(all)), all);
}

TEST(BytesTest, AsBytesAndAsCharsShareStorage) {
  std::string_view s = "hi!";
  ByteView v = AsBytes(s);
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0], 'h');
  EXPECT_EQ(static_cast<const void*>(v.data()), static_cast<const void*>(s.data()));
  EXPECT_EQ(AsChars(v), s);
  EXPECT_EQ(ToBytes(v), (Bytes{'h', 'i', '!'}));
}

}  // namespace
}  // namespace teep
