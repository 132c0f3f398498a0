#include "core/base/status.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace teep {
namespace {

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.ToString(), "ok");
  EXPECT_TRUE(OkStatus().ok());
}

TEST(StatusTest, CarriesCodeAndMessage) {
  Status s(StatusCode::kMalformed, "offset 3: truncated");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kMalformed);
  EXPECT_EQ(s.message(), "offset 3: truncated");
  EXPECT_EQ(s.ToString(), "malformed: offset 3: truncated");
}

TEST(StatusTest, WithContextPrefixesAndKeepsCode) {
  Status inner(StatusCode::kMalformed, "expected array, got text");
  Status outer = inner.WithContext("QueryResponse.options.tc-list[2]");
  EXPECT_EQ(outer.code(), StatusCode::kMalformed);
  EXPECT_EQ(outer.message(), "QueryResponse.options.tc-list[2]: expected array, got text");
  // The original is unchanged.
  EXPECT_EQ(inner.message(), "expected array, got text");
  // Contexts nest outermost-first.
  EXPECT_EQ(outer.WithContext("QueryResponse").message(),
            "QueryResponse: QueryResponse.options.tc-list[2]: expected array, got text");
}

TEST(StatusTest, WithContextOnOkStaysOk) {
  Status s = OkStatus().WithContext("anything");
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.message(), "");
}

TEST(StatusTest, EveryCodeHasAName) {
  EXPECT_EQ(StatusCodeName(StatusCode::kOk), "ok");
  EXPECT_EQ(StatusCodeName(StatusCode::kVerificationFailed), "verification failed");
  EXPECT_EQ(StatusCodeName(StatusCode::kInternal), "internal error");
}

TEST(ResultTest, HoldsValue) {
  Result<int> r(42);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.status().ok());
  EXPECT_EQ(r.value(), 42);
  EXPECT_EQ(*r, 42);
}

TEST(ResultTest, HoldsStatus) {
  Result<int> r(Status(StatusCode::kNotFound, "no such key"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(), "no such key");
}

TEST(ResultTest, MoveOnlyValueAndArrow) {
  Result<std::unique_ptr<std::string>> r(std::make_unique<std::string>("abc"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->size(), 3u);
  std::unique_ptr<std::string> taken = std::move(r).value();
  EXPECT_EQ(*taken, "abc");

  Result<std::string> s(std::string("xyz"));
  EXPECT_EQ(s->size(), 3u);
}

Result<int> ParsePositive(int v) {
  if (v <= 0) return Status(StatusCode::kInvalidArgument, "not positive: " + std::to_string(v));
  return v;
}

Result<int> DoubledPlusOne(int v) {
  TEEP_ASSIGN_OR_RETURN(int x, ParsePositive(v));
  TEEP_ASSIGN_OR_RETURN(int y, ParsePositive(x * 2));  // two on one function: distinct temporaries
  return y + 1;
}

TEST(MacroTest, AssignOrReturnUnwrapsValue) {
  Result<int> r = DoubledPlusOne(5);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 11);
}

TEST(MacroTest, AssignOrReturnPropagatesStatus) {
  Result<int> r = DoubledPlusOne(-3);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "not positive: -3");
}

Status CheckBoth(int a, int b, int* calls) {
  auto check = [calls](int v) -> Status {
    ++*calls;
    return v > 0 ? OkStatus() : Status(StatusCode::kInvalidArgument, "bad " + std::to_string(v));
  };
  TEEP_RETURN_IF_ERROR(check(a));
  TEEP_RETURN_IF_ERROR(check(b));
  return OkStatus();
}

TEST(MacroTest, ReturnIfErrorStopsAtFirstFailure) {
  int calls = 0;
  EXPECT_TRUE(CheckBoth(1, 2, &calls).ok());
  EXPECT_EQ(calls, 2);
  calls = 0;
  Status s = CheckBoth(-1, 2, &calls);
  EXPECT_EQ(s.message(), "bad -1");
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace teep
