// Parsing of single CSV values into the store's types: integers, reals, ISO dates (days since
// 1970-01-01) and UTF-8 checks. Each parser says whether the text is a valid value of its type;
// callers turn a failure into an error that names the file, line and column.
#pragma once

#include <cstdint>
#include <string_view>

namespace sc {

bool parse_int64(std::string_view text, int64_t& out);
bool parse_real(std::string_view text, double& out);  // finite values only
bool parse_iso_date(std::string_view text, int64_t& days_since_epoch);
bool valid_utf8(std::string_view text);
// Days since 1970-01-01 of a proleptic Gregorian date, and back (for export).
int64_t days_from_civil(int64_t year, unsigned month, unsigned day);
void civil_from_days(int64_t days, int64_t& year, unsigned& month, unsigned& day);

}  // namespace sc
