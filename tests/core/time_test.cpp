#include "core/time.hpp"

#include <gtest/gtest.h>

#include "core/mac_address.hpp"

namespace netseen {
namespace {

TEST(Time, FormatsRfc3339WithMicroseconds) {
  EXPECT_EQ(format_rfc3339(Timestamp{0}), "1970-01-01T00:00:00.000000Z");
  auto t = civil_to_timestamp({2004, 9, 14, 10, 0, 0, 123456});
  ASSERT_TRUE(t);
  EXPECT_EQ(format_rfc3339(*t), "2004-09-14T10:00:00.123456Z");
  EXPECT_EQ(t->seconds(), 1095156000);
  EXPECT_EQ(format_rfc3339(Timestamp{-1}), "1969-12-31T23:59:59.999999Z");
}

TEST(Time, CivilRejectsImpossibleDates) {
  EXPECT_FALSE(civil_to_timestamp({2004, 2, 30, 0, 0, 0, 0}));
  EXPECT_TRUE(civil_to_timestamp({2004, 2, 29, 0, 0, 0, 0}));
  EXPECT_FALSE(civil_to_timestamp({2003, 2, 29, 0, 0, 0, 0}));
  EXPECT_FALSE(civil_to_timestamp({2004, 13, 1, 0, 0, 0, 0}));
  EXPECT_FALSE(civil_to_timestamp({2004, 4, 31, 0, 0, 0, 0}));
  EXPECT_FALSE(civil_to_timestamp({2004, 4, 1, 24, 0, 0, 0}));
}

TEST(Time, ParsesRfc3339) {
  EXPECT_EQ(parse_rfc3339("2004-09-14T10:00:00Z")->seconds(), 1095156000);
  EXPECT_EQ(parse_rfc3339("2004-09-14T12:00:00+02:00")->seconds(), 1095156000);
  EXPECT_EQ(parse_rfc3339("2004-09-14T05:30:00.5-04:30")->us, 1095156000LL * 1000000 + 500000);
  EXPECT_EQ(parse_rfc3339("2004-09-14")->seconds(), 1095120000);
  EXPECT_FALSE(parse_rfc3339("2004-09-14T10:00"));
  EXPECT_FALSE(parse_rfc3339("2004-09-14T10:00:00Q"));
  EXPECT_FALSE(parse_rfc3339("2004-09-14T10:00:00."));
  EXPECT_FALSE(parse_rfc3339(""));
}

TEST(Time, RoundTripsManyDays) {
  for (std::int64_t d = -1000; d < 100000; d += 37) {
    Timestamp t{d * 86400LL * 1000000 + 3723000001};
    auto c = civil_from_timestamp(t);
    EXPECT_EQ(civil_to_timestamp(c)->us, t.us);
  }
}

TEST(Time, MonthAbbrev) {
  EXPECT_EQ(month_from_abbrev("Jan"), 1);
  EXPECT_EQ(month_from_abbrev("Dec"), 12);
  EXPECT_EQ(month_from_abbrev("dec"), 0);
}

TEST(MacAddress, ParseFormat) {
  auto m = MacAddress::parse("00:0C:29:aa:bb:cc");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->to_string(), "00:0c:29:aa:bb:cc");
  EXPECT_EQ(m->to_string('-'), "00-0c-29-aa-bb-cc");
  EXPECT_FALSE(MacAddress::parse("00:0C:29:aa:bb"));
  EXPECT_FALSE(MacAddress::parse("00:0C:29:aa:bb:cg"));
  EXPECT_TRUE(MacAddress::parse("ff:ff:ff:ff:ff:ff")->is_broadcast());
  EXPECT_TRUE(MacAddress{}.is_zero());
}

}  // namespace
}  // namespace netseen
