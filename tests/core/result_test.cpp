#include "core/result.hpp"

#include <gtest/gtest.h>

namespace netseen {
namespace {

Result<int> parse_positive(int v) {
  if (v < 0) return fail(ErrorKind::Malformed, "test", 7, "negative");
  return v;
}

Result<int> doubled(int v) {
  NETSEEN_TRY_ASSIGN(int x, parse_positive(v));
  return x * 2;
}

Result<void> check(int v) {
  NETSEEN_TRY(parse_positive(v));
  return Ok{};
}

TEST(Result, ValueAndErrorPropagate) {
  auto ok = doubled(21);
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, 42);
  auto bad = doubled(-1);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::Malformed);
  EXPECT_EQ(bad.error().offset, 7U);
  EXPECT_EQ(bad.error().message(), "malformed test at offset 7: negative");
  EXPECT_EQ(bad.value_or(5), 5);
  EXPECT_TRUE(check(1));
  EXPECT_FALSE(check(-1));
  EXPECT_EQ(check(-1).error().layer, "test");
}

TEST(Result, KindNames) {
  EXPECT_EQ(to_string(ErrorKind::Truncated), "truncated");
  EXPECT_EQ(to_string(ErrorKind::LimitExceeded), "limit exceeded");
  EXPECT_EQ(to_string(ErrorKind::Unsupported), "unsupported");
  EXPECT_EQ(to_string(ErrorKind::Io), "i/o error");
}

}  // namespace
}  // namespace netseen
