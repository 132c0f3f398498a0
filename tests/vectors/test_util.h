// Helpers shared by the GoogleTest suites: hex literals and Status/Result
// assertions.
#pragma once

#include <gtest/gtest.h>

#include <string_view>

#include "core/base/bytes.h"
#include "core/base/status.h"

namespace teep::test {

// Bytes from a hex literal in a test; a typo in the literal fails the test.
inline Bytes H(std::string_view hex) {
  auto b = HexDecode(hex);
  EXPECT_TRUE(b.has_value()) << "bad hex in test: " << hex;
  return b.value_or(Bytes{});
}

}  // namespace teep::test

#define TEEP_TEST_CONCAT_INNER(a, b) a##b
#define TEEP_TEST_CONCAT(a, b) TEEP_TEST_CONCAT_INNER(a, b)

// ASSERT_OK(status_expr): fails the test with the status text.
#define ASSERT_OK(expr)                                                \
  do {                                                                 \
    const ::teep::Status TEEP_TEST_CONCAT(s_, __LINE__) = (expr);      \
    ASSERT_TRUE(TEEP_TEST_CONCAT(s_, __LINE__).ok())                   \
        << TEEP_TEST_CONCAT(s_, __LINE__).ToString();                  \
  } while (0)

// ASSERT_OK_AND_ASSIGN(auto x, result_expr): unwraps or fails the test.
#define ASSERT_OK_AND_ASSIGN(lhs, expr)                         \
  auto TEEP_TEST_CONCAT(r_, __LINE__) = (expr);                 \
  ASSERT_TRUE(TEEP_TEST_CONCAT(r_, __LINE__).ok())              \
      << TEEP_TEST_CONCAT(r_, __LINE__).status().ToString();    \
  lhs = std::move(TEEP_TEST_CONCAT(r_, __LINE__)).value()
