#include <gtest/gtest.h>

#include "stages/ingest/value_parsing.hpp"

TEST(ValueParsing, Integers) {
  int64_t v = 0;
  EXPECT_TRUE(sc::parse_int64("42", v));
  EXPECT_EQ(v, 42);
  EXPECT_TRUE(sc::parse_int64("-7", v));
  EXPECT_EQ(v, -7);
  EXPECT_TRUE(sc::parse_int64(" +3 ", v));
  EXPECT_EQ(v, 3);
  EXPECT_FALSE(sc::parse_int64("4.0", v));
  EXPECT_FALSE(sc::parse_int64("", v));
  EXPECT_FALSE(sc::parse_int64("12a", v));
  EXPECT_FALSE(sc::parse_int64("99999999999999999999", v));
}

TEST(ValueParsing, IntegersAtTheEdgesOfTheDigitLoop) {
  // Up to 18 digits are summed directly, longer ones go through from_chars: both must agree.
  int64_t v = 0;
  EXPECT_FALSE(sc::parse_int64("-", v));
  EXPECT_FALSE(sc::parse_int64("--1", v));
  EXPECT_FALSE(sc::parse_int64("1-", v));
  EXPECT_TRUE(sc::parse_int64("-0", v));
  EXPECT_EQ(v, 0);
  EXPECT_TRUE(sc::parse_int64("007", v));
  EXPECT_EQ(v, 7);
  EXPECT_TRUE(sc::parse_int64("999999999999999999", v));  // 18 digits
  EXPECT_EQ(v, 999999999999999999);
  EXPECT_TRUE(sc::parse_int64("-999999999999999999", v));
  EXPECT_EQ(v, -999999999999999999);
  EXPECT_TRUE(sc::parse_int64("9223372036854775807", v));  // 19 digits: the largest
  EXPECT_EQ(v, INT64_MAX);
  EXPECT_TRUE(sc::parse_int64("-9223372036854775808", v));
  EXPECT_EQ(v, INT64_MIN);
  EXPECT_FALSE(sc::parse_int64("9223372036854775808", v));
  EXPECT_FALSE(sc::parse_int64("12 3", v));
}

TEST(ValueParsing, Reals) {
  double v = 0;
  EXPECT_TRUE(sc::parse_real("22.6909394821587", v));
  EXPECT_DOUBLE_EQ(v, 22.6909394821587);
  EXPECT_TRUE(sc::parse_real("1e-3", v));
  EXPECT_DOUBLE_EQ(v, 0.001);
  EXPECT_FALSE(sc::parse_real("inf", v));
  EXPECT_FALSE(sc::parse_real("nan", v));
  EXPECT_FALSE(sc::parse_real("1,5", v));
}

TEST(ValueParsing, IsoDates) {
  int64_t d = 0;
  EXPECT_TRUE(sc::parse_iso_date("1970-01-01", d));
  EXPECT_EQ(d, 0);
  EXPECT_TRUE(sc::parse_iso_date("1989-06-07", d));
  EXPECT_EQ(d, 7097);
  EXPECT_TRUE(sc::parse_iso_date("2000-02-29", d));
  EXPECT_FALSE(sc::parse_iso_date("1900-02-29", d));
  EXPECT_FALSE(sc::parse_iso_date("2001-13-01", d));
  EXPECT_FALSE(sc::parse_iso_date("2001-1-01", d));
  for (int64_t days : {-800000, -1, 0, 59, 11016, 2932896}) {
    int64_t y;
    unsigned m, dd;
    sc::civil_from_days(days, y, m, dd);
    EXPECT_EQ(sc::days_from_civil(y, m, dd), days);
  }
}

TEST(ValueParsing, Utf8) {
  EXPECT_TRUE(sc::valid_utf8("Circulatory"));
  EXPECT_TRUE(sc::valid_utf8("S\xc3\xb8ren"));
  EXPECT_FALSE(sc::valid_utf8("S\xf8ren"));  // latin-1 ø
  EXPECT_FALSE(sc::valid_utf8("\xc3"));
  EXPECT_FALSE(sc::valid_utf8(std::string_view("a\0b", 3)));
}
