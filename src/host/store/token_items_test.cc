// The token list encoding (token_items.h): round trips and strict decoding.
#include "host/store/token_items.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "test_util.h"

namespace teep::host {
namespace {

using tam::InstalledRecord;
using test::H;

TEST(TokenItemsTest, InstallsRoundTripIncludingFullUint64) {
  std::vector<InstalledRecord> in = {
      {H("8141"), 1},
      {Bytes{}, 0},
      {H("00ff00"), std::numeric_limits<uint64_t>::max()},
  };
  ASSERT_OK_AND_ASSIGN(Bytes encoded, EncodeTokenInstalls(in));
  // [[h'8141', 1], [h'', 0], [h'00ff00', 18446744073709551615]]
  EXPECT_EQ(HexEncode(encoded), "838242814101824000824300ff001bffffffffffffffff");
  ASSERT_OK_AND_ASSIGN(auto out, DecodeTokenInstalls(encoded));
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(out[i].manifest_id, in[i].manifest_id);
    EXPECT_EQ(out[i].sequence_number, in[i].sequence_number);
  }
}

TEST(TokenItemsTest, RemovalsRoundTrip) {
  std::vector<Bytes> in = {H("8141"), Bytes{}, H("ff")};
  ASSERT_OK_AND_ASSIGN(Bytes encoded, EncodeTokenRemovals(in));
  EXPECT_EQ(HexEncode(encoded), "834281414041ff");
  ASSERT_OK_AND_ASSIGN(auto out, DecodeTokenRemovals(encoded));
  EXPECT_EQ(out, in);
}

TEST(TokenItemsTest, EmptyListsAreEmptyArrays) {
  ASSERT_OK_AND_ASSIGN(Bytes installs, EncodeTokenInstalls({}));
  ASSERT_OK_AND_ASSIGN(Bytes removals, EncodeTokenRemovals({}));
  EXPECT_EQ(HexEncode(installs), "80");
  EXPECT_EQ(HexEncode(removals), "80");
  ASSERT_OK_AND_ASSIGN(auto i, DecodeTokenInstalls(installs));
  ASSERT_OK_AND_ASSIGN(auto r, DecodeTokenRemovals(removals));
  EXPECT_TRUE(i.empty());
  EXPECT_TRUE(r.empty());
}

void ExpectMalformed(const Status& s, std::string_view needle) {
  EXPECT_EQ(s.code(), StatusCode::kMalformed) << s.ToString();
  EXPECT_NE(s.message().find(needle), std::string::npos) << s.message();
}

TEST(TokenItemsTest, DecodingIsStrict) {
  // Not CBOR at all / empty / trailing bytes / non-preferred head.
  ExpectMalformed(DecodeTokenInstalls(Bytes{}).status(), "tokens.installs");
  ExpectMalformed(DecodeTokenInstalls(H("8000")).status(), "tokens.installs");
  ExpectMalformed(DecodeTokenRemovals(H("9800")).status(), "tokens.removals");
  // Not an array.
  ExpectMalformed(DecodeTokenInstalls(H("a0")).status(), "tokens.installs: expected array");
  // An element of the wrong shape, named by path.
  ExpectMalformed(DecodeTokenInstalls(H("8181420000")).status(), "tokens.installs[0]");
  ExpectMalformed(DecodeTokenInstalls(H("8183400102")).status(),
                  "tokens.installs[0]: expected [manifest-id, sequence-number]");
  ExpectMalformed(DecodeTokenInstalls(H("81826161 01")).status(), "tokens.installs[0][0]");
  ExpectMalformed(DecodeTokenInstalls(H("81824020")).status(), "tokens.installs[0][1]");
  ExpectMalformed(DecodeTokenRemovals(H("824001")).status(), "tokens.removals[1]");
  // Short of the announced count.
  ExpectMalformed(DecodeTokenRemovals(H("8240")).status(), "tokens.removals");
}

}  // namespace
}  // namespace teep::host
