#include "stages/ingest/value_parsing.hpp"

#include <charconv>
#include <cmath>

namespace sc {
namespace {
std::string_view trim_blanks(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}
}  // namespace

bool parse_int64(std::string_view text, int64_t& out) {
  // The common case first: an optional minus and at most 18 digits cannot overflow, so they are
  // summed directly; anything else (blanks, '+', longer numbers, junk) takes from_chars below,
  // which gives the same value or the same refusal.
  if (!text.empty() && text.size() <= 19) {
    const bool negative = text.front() == '-';
    const size_t first = negative ? 1 : 0;
    if (text.size() > first) {
      int64_t value = 0;
      size_t i = first;
      for (; i < text.size(); ++i) {
        const unsigned digit = static_cast<unsigned char>(text[i]) - '0';
        if (digit > 9) break;
        value = value * 10 + digit;
      }
      if (i == text.size() && text.size() - first <= 18) {
        out = negative ? -value : value;
        return true;
      }
    }
  }
  text = trim_blanks(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

namespace {
// Exact powers of ten as doubles (10^22 is the largest that a double holds exactly).
constexpr double kExactPowersOfTen[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

// Plain decimals ("-12", "75", "3.25") of at most 15 digits: the digits as an integer are below
// 2^53 and so exact, as is 10^k for the k digits after the point, and one IEEE division of two
// exact values is correctly rounded, which is what from_chars gives too (Clinger 1990, "How to
// read floating point numbers accurately"; the fast path of fast_float, which GCC 12's from_chars
// uses). False for every other shape, which from_chars then takes.
bool parse_plain_decimal(std::string_view text, double& out) {
  if (text.empty() || text.size() > 17) return false;
  const bool negative = text.front() == '-';
  size_t i = negative ? 1 : 0;
  uint64_t digits = 0;
  size_t integer_digits = 0, fraction_digits = 0;
  for (; i < text.size(); ++i, ++integer_digits) {
    const unsigned digit = static_cast<unsigned char>(text[i]) - '0';
    if (digit > 9) break;
    digits = digits * 10 + digit;
  }
  if (integer_digits == 0) return false;
  if (i < text.size()) {
    if (text[i] != '.') return false;
    for (++i; i < text.size(); ++i, ++fraction_digits) {
      const unsigned digit = static_cast<unsigned char>(text[i]) - '0';
      if (digit > 9) return false;
      digits = digits * 10 + digit;
    }
    if (fraction_digits == 0) return false;
  }
  if (integer_digits + fraction_digits > 15) return false;
  const double value = static_cast<double>(digits) / kExactPowersOfTen[fraction_digits];
  out = negative ? -value : value;
  return true;
}
}  // namespace

bool parse_real(std::string_view text, double& out) {
  if (parse_plain_decimal(text, out)) return true;
  text = trim_blanks(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out, std::chars_format::general);
  return ec == std::errc() && end == text.data() + text.size() && std::isfinite(out);
}

// Howard Hinnant's days_from_civil algorithm (public domain description,
// http://howardhinnant.github.io/date_algorithms.html), written out here.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

bool parse_iso_date(std::string_view text, int64_t& days) {
  text = trim_blanks(text);
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  int64_t y = 0, m = 0, d = 0;
  if (!parse_int64(text.substr(0, 4), y) || !parse_int64(text.substr(5, 2), m) || !parse_int64(text.substr(8, 2), d))
    return false;
  static const unsigned month_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1 || d > month_days[m - 1]) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (m == 2 && d == 29 && !leap) return false;
  days = days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  return true;
}

bool valid_utf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    size_t extra;
    if (c == 0) return false;  // NUL would end the string in other tools
    if (c < 0x80) extra = 0;
    else if ((c >> 5) == 0x6) extra = 1;
    else if ((c >> 4) == 0xE) extra = 2;
    else if ((c >> 3) == 0x1E) extra = 3;
    else return false;
    if (i + extra >= text.size()) return false;
    for (size_t k = 1; k <= extra; ++k)
      if ((static_cast<unsigned char>(text[i + k]) >> 6) != 0x2) return false;
    i += extra + 1;
  }
  return true;
}

}  // namespace sc
