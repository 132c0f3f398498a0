#include "core/cbor/reader.h"

#include <gtest/gtest.h>

#include <string>

namespace teep::cbor {
namespace {

Bytes H(std::string_view hex) { return *HexDecode(hex); }

std::optional<Error> CheckHex(std::string_view hex, const DecodeOptions& o = {}) {
  Bytes b = H(hex);
  return Check(b, o);
}

void ExpectError(std::string_view hex, ErrorKind kind, size_t offset,
                 const DecodeOptions& o = {}) {
  auto err = CheckHex(hex, o);
  ASSERT_TRUE(err.has_value()) << hex << " was accepted";
  EXPECT_EQ(err->kind, kind) << hex << ": " << ErrorKindText(err->kind);
  EXPECT_EQ(err->offset, offset) << hex;
}

TEST(CborCheck, AcceptsWellFormedDeterministicItems) {
  for (const char* hex : {"00", "17", "1818", "190100", "1a00010000", "1b0000000100000000", "20",
                          "3903e7", "40", "4401020304", "60", "6449455446", "80", "83010203", "a0",
                          "a201020304", "c11a514b67b0", "f4", "f5", "f6", "f7", "f93c00", "f97e00",
                          "fa47c35000", "fb3ff199999999999a", "f820", "a2616101616202",
                          "a20102413b03"}) {
    EXPECT_FALSE(CheckHex(hex).has_value()) << hex << ": " << ErrorKindText(CheckHex(hex)->kind);
  }
}

TEST(CborCheck, RejectsTruncation) {
  ExpectError("", ErrorKind::kTruncated, 0);
  ExpectError("18", ErrorKind::kTruncated, 0);
  ExpectError("1901", ErrorKind::kTruncated, 0);
  ExpectError("430102", ErrorKind::kTruncated, 0);
  ExpectError("8301", ErrorKind::kTruncated, 0);       // count larger than the bytes left
  ExpectError("830102", ErrorKind::kTruncated, 0);      // 3 items cannot fit in 2 bytes
  ExpectError("82810182", ErrorKind::kTruncated, 3);    // inner array cut short
  ExpectError("a201", ErrorKind::kTruncated, 0);
  ExpectError("c1", ErrorKind::kTruncated, 1);
}

TEST(CborCheck, RejectsTrailingBytes) { ExpectError("0000", ErrorKind::kTrailingBytes, 1); }

TEST(CborCheck, RejectsReservedAdditionalInfo) {
  ExpectError("1c", ErrorKind::kReservedAdditionalInfo, 0);
  ExpectError("5d", ErrorKind::kReservedAdditionalInfo, 0);
  ExpectError("811e", ErrorKind::kReservedAdditionalInfo, 1);
}

TEST(CborCheck, RejectsIndefiniteLengthsInEveryMode) {
  ExpectError("5f4101ff", ErrorKind::kIndefiniteLength, 0);
  ExpectError("9f01ff", ErrorKind::kIndefiniteLength, 0);
  ExpectError("bf0102ff", ErrorKind::kIndefiniteLength, 0);
  ExpectError("ff", ErrorKind::kIndefiniteLength, 0);  // lone break
  ExpectError("9f01ff", ErrorKind::kIndefiniteLength, 0, RelaxedOptions());
}

TEST(CborCheck, RejectsNonPreferredHeadsWhenDeterministic) {
  ExpectError("1817", ErrorKind::kNonPreferredEncoding, 0);        // 23 in two bytes
  ExpectError("190017", ErrorKind::kNonPreferredEncoding, 0);
  ExpectError("1a0000ffff", ErrorKind::kNonPreferredEncoding, 0);
  ExpectError("1b00000000ffffffff", ErrorKind::kNonPreferredEncoding, 0);
  ExpectError("3800", ErrorKind::kNonPreferredEncoding, 0);
  ExpectError("5801ff", ErrorKind::kNonPreferredEncoding, 0);       // length
  ExpectError("82019800", ErrorKind::kNonPreferredEncoding, 2);  // array count
  ExpectError("d80101", ErrorKind::kNonPreferredEncoding, 0);       // tag number
  ExpectError("fa3f800000", ErrorKind::kNonPreferredEncoding, 0);   // 1.0 as single
  ExpectError("fb3ff0000000000000", ErrorKind::kNonPreferredEncoding, 0);
  ExpectError("fb3ff8000000000000", ErrorKind::kNonPreferredEncoding, 0);  // 1.5 fits a half
  ExpectError("f97e01", ErrorKind::kNonPreferredEncoding, 0);       // NaN with payload
  ExpectError("fa7fc00000", ErrorKind::kNonPreferredEncoding, 0);   // NaN as single
}

TEST(CborCheck, RelaxedModeAcceptsNonPreferredHeadsAndUnsortedMaps) {
  auto relaxed = RelaxedOptions();
  EXPECT_FALSE(CheckHex("1817", relaxed));
  EXPECT_FALSE(CheckHex("fb3ff0000000000000", relaxed));
  EXPECT_FALSE(CheckHex("a203040102", relaxed));
}

TEST(CborCheck, RejectsInvalidSimpleValues) {
  ExpectError("f800", ErrorKind::kInvalidSimpleValue, 0);
  ExpectError("f81f", ErrorKind::kInvalidSimpleValue, 0);
}

TEST(CborCheck, RejectsInvalidUtf8AtTheBadByte) {
  ExpectError("62c328", ErrorKind::kInvalidUtf8, 1);       // bad continuation
  ExpectError("62c0af", ErrorKind::kInvalidUtf8, 1);       // overlong '/'
  ExpectError("63eda080", ErrorKind::kInvalidUtf8, 1);     // surrogate U+D800
  ExpectError("64f4908080", ErrorKind::kInvalidUtf8, 1);   // above U+10FFFF
  ExpectError("636161ff", ErrorKind::kInvalidUtf8, 3);
  ExpectError("62e282", ErrorKind::kInvalidUtf8, 1);       // cut sequence
  EXPECT_FALSE(CheckHex("63e282ac"));                      // the euro sign is fine
  ExpectError("62c328", ErrorKind::kInvalidUtf8, 1, RelaxedOptions());
}

TEST(CborCheck, RejectsDuplicateKeys) {
  ExpectError("a201020103", ErrorKind::kDuplicateKey, 3);
  ExpectError("a201020103", ErrorKind::kDuplicateKey, 3, RelaxedOptions());
  // Same value, different widths: only a value comparison catches it.
  ExpectError("a20102180103", ErrorKind::kDuplicateKey, 3, RelaxedOptions());
  // Unsorted and duplicated.
  ExpectError("a3030401020304", ErrorKind::kDuplicateKey, 5, RelaxedOptions());
  ExpectError("a2616101616102", ErrorKind::kDuplicateKey, 4, RelaxedOptions());
  // Floats equal in value (RFC 8949 §5.6.1): 0.0 and -0.0, and one value at
  // two widths, in either mode.
  ExpectError("a2f9000001f9800002", ErrorKind::kDuplicateKey, 5);
  ExpectError("a2f9000001f9800002", ErrorKind::kDuplicateKey, 5, RelaxedOptions());
  ExpectError("a2f9000000fa0000000000", ErrorKind::kDuplicateKey, 5, RelaxedOptions());
  ExpectError("a2f93e0000fb3ff800000000000000", ErrorKind::kDuplicateKey, 5, RelaxedOptions());
  ExpectError("a2f97e0000fa7fc0000000", ErrorKind::kDuplicateKey, 5, RelaxedOptions());
  ExpectError("a3f9000001f93c0002f9800003", ErrorKind::kDuplicateKey, 9);  // not adjacent
  ExpectError("a2f93c0000fa3f80000000", ErrorKind::kDuplicateKey, 5, RelaxedOptions());
  ExpectError("a2f97e0000f97e0100", ErrorKind::kDuplicateKey, 5, RelaxedOptions());  // NaN payloads
  // Array keys equal by value.
  ExpectError("a28101018118010a", ErrorKind::kDuplicateKey, 0 + 4, RelaxedOptions());
}

TEST(CborCheck, RejectsUnsortedKeysWhenDeterministic) {
  ExpectError("a203040102", ErrorKind::kUnsortedKeys, 3);
  // Bytewise order, not length-first: 0x18 0x18 (24) sorts before 0x20 (-1).
  EXPECT_FALSE(CheckHex("a21818012002"));
  ExpectError("a22002181801", ErrorKind::kUnsortedKeys, 3);
}

TEST(CborCheck, KeysHoldingMapsMustBeDeterministicEvenWhenRelaxed) {
  // {{1: 0, 2: 0}: true, {2: 0, 1: 0}: false}: the two keys are the same map.
  // Requiring deterministic key maps makes that decidable without sorting.
  ExpectError("a2a201000200f5a202000100f4", ErrorKind::kUnsortedKeys, 10, RelaxedOptions());
  EXPECT_FALSE(CheckHex("a2a201000200f5a201000201f4", RelaxedOptions()));  // different maps
  ExpectError("a2a201000200f5a201000200f4", ErrorKind::kDuplicateKey, 7, RelaxedOptions());
}

TEST(CborCheck, EnforcesDepthLimit) {
  DecodeOptions o;
  o.max_depth = 3;
  EXPECT_FALSE(CheckHex("818100", o));
  ExpectError("8181818100", ErrorKind::kTooDeep, 3, o);  // the fourth level
  ExpectError("c1c1c1c100", ErrorKind::kTooDeep, 3, o);
  // Deep nesting from a hostile input is stopped by the default limit.
  std::string deep(2000, '8');
  for (size_t i = 1; i < deep.size(); i += 2) deep[i] = '1';
  deep += "00";
  ExpectError(deep, ErrorKind::kTooDeep, 32);
}

TEST(CborCheck, EnforcesLengthLimit) {
  DecodeOptions o;
  o.max_length = 4;
  ExpectError("450102030405", ErrorKind::kTooLong, 0, o);
  ExpectError("850102030405", ErrorKind::kTooLong, 0, o);
  EXPECT_FALSE(CheckHex("4401020304", o));
  // A claimed length of 2^64-1 must fail fast, not allocate or loop.
  ExpectError("5bffffffffffffffff", ErrorKind::kTooLong, 0);
  ExpectError("9bffffffffffffffff", ErrorKind::kTooLong, 0);
}

TEST(CborCheck, CapsUnsortedMapsInRelaxedMode) {
  DecodeOptions o = RelaxedOptions();
  o.max_unsorted_map_pairs = 2;
  ExpectError("a3030401020506", ErrorKind::kTooManyUnsortedPairs, 1, o);
  EXPECT_FALSE(CheckHex("a3010203040506", o));  // sorted maps are not capped
}

TEST(CborCheck, ReportsOffsetsRelativeToTheOuterBuffer) {
  Bytes b = H("1817");
  auto err = Check(b, {}, 100);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->offset, 100u);
  EXPECT_EQ(ToStatus(*err).message(), "offset 100: non-preferred (overlong) encoding");
}

TEST(CborReader, ReadsTypedValuesInOrder) {
  // [1, -500, h'0102', "hi", true, null, {1: 2}, 1(3), 1.5]
  Bytes b = H("89013901f3420102626869f5f6a10102c103f93e00");
  Reader r = Reader::Open(b);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  uint64_t n, u;
  int64_t i;
  ByteView bytes;
  std::string_view text;
  bool flag;
  double f;
  ASSERT_TRUE(r.ReadArrayHeader(&n));
  EXPECT_EQ(n, 9u);
  ASSERT_TRUE(r.ReadUint(&u));
  EXPECT_EQ(u, 1u);
  ASSERT_TRUE(r.ReadInt(&i));
  EXPECT_EQ(i, -500);
  ASSERT_TRUE(r.ReadBytes(&bytes));
  EXPECT_EQ(HexEncode(bytes), "0102");
  ASSERT_TRUE(r.ReadText(&text));
  EXPECT_EQ(text, "hi");
  ASSERT_TRUE(r.ReadBool(&flag));
  EXPECT_TRUE(flag);
  EXPECT_TRUE(r.PeekNull());
  ASSERT_TRUE(r.ReadNull());
  ASSERT_TRUE(r.ReadMapHeader(&n));
  EXPECT_EQ(n, 1u);
  ASSERT_TRUE(r.Skip());
  ASSERT_TRUE(r.Skip());
  EXPECT_EQ(r.PeekTag(), 1u);
  EXPECT_TRUE(r.ConsumeTag(1));
  ASSERT_TRUE(r.ReadUint(&u));
  ASSERT_TRUE(r.ReadFloat(&f));
  EXPECT_EQ(f, 1.5);
  EXPECT_TRUE(r.AtEnd());
}

TEST(CborReader, TypeMismatchLatchesWithOffsetAndFoundType) {
  Bytes b = H("8201626869");
  Reader r = Reader::Open(b);
  uint64_t n, u;
  ASSERT_TRUE(r.ReadArrayHeader(&n));
  ASSERT_TRUE(r.ReadUint(&u));
  ByteView bytes;
  EXPECT_FALSE(r.ReadBytes(&bytes));
  EXPECT_EQ(r.error().kind, ErrorKind::kUnexpectedType);
  EXPECT_EQ(r.error().found, MajorType::kText);
  EXPECT_EQ(r.error().offset, 2u);
  // Latched: even a read of the right type now fails.
  std::string_view text;
  EXPECT_FALSE(r.ReadText(&text));
  EXPECT_EQ(r.status().message(), "offset 2: unexpected text");
}

TEST(CborReader, IntRangeIsChecked) {
  Bytes b = H("3b8000000000000000");  // -2^63 - 1
  Reader r = Reader::Open(b);
  int64_t i;
  EXPECT_FALSE(r.ReadInt(&i));
  EXPECT_EQ(r.error().kind, ErrorKind::kOutOfRange);
  Bytes min = H("3b7fffffffffffffff");  // -2^63
  Reader r2 = Reader::Open(min);
  ASSERT_TRUE(r2.ReadInt(&i));
  EXPECT_EQ(i, INT64_MIN);
}

TEST(CborReader, OpenFailureMakesEveryReadFail) {
  Bytes b = H("a201020103");
  Reader r = Reader::Open(b);
  EXPECT_FALSE(r.ok());
  uint64_t n;
  EXPECT_FALSE(r.ReadMapHeader(&n));
  EXPECT_EQ(r.error().kind, ErrorKind::kDuplicateKey);
}

TEST(CborReader, ReadRawReturnsTheWholeEncodedItem) {
  Bytes b = H("82a1010243010203");
  Reader r = Reader::Open(b);
  uint64_t n;
  ByteView raw;
  ASSERT_TRUE(r.ReadArrayHeader(&n));
  ASSERT_TRUE(r.ReadRaw(&raw));
  EXPECT_EQ(HexEncode(raw), "a10102");
  ASSERT_TRUE(r.ReadRaw(&raw));
  EXPECT_EQ(HexEncode(raw), "43010203");
  EXPECT_FALSE(r.ReadRaw(&raw));  // nothing left
  EXPECT_EQ(r.error().kind, ErrorKind::kTruncated);
}

}  // namespace
}  // namespace teep::cbor
