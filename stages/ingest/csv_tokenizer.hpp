// Splits CSV lines into fields (RFC 4180 quoting: a quoted field may hold delimiters and doubled
// quotes). Quoted fields may not span lines: plain CSV is cut across ranks at line boundaries, so
// a newline inside quotes is reported as an unterminated quote. Errors name the file, line and
// column (1-based field number and column name) and what was expected, never the data.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace sc {

struct CsvDialect {
  char delimiter = ',';
  char quote = '"';
};

class CsvTokenizer {
 public:
  CsvTokenizer(std::string file, CsvDialect dialect) : file_(std::move(file)), dialect_(dialect) {}
  // Splits `line` (without its newline; a trailing CR is dropped) into `fields`. The views stay
  // valid until the next call. `line_number` is 1-based within the file, for messages.
  void split(std::string_view line, int64_t line_number, std::vector<std::string_view>& fields);
  const std::string& file() const { return file_; }
  const CsvDialect& dialect() const { return dialect_; }

 private:
  std::string file_;
  CsvDialect dialect_;
  std::deque<std::string> unescaped_;  // storage for quoted fields that contained doubled quotes
};

// Calls `on_line(line_view, line_number)` for every line of `bytes`; `first_line` is the file line
// number of the first one. Empty lines are passed too (callers decide).
template <class OnLine>
void for_each_line(std::string_view bytes, int64_t first_line, OnLine&& on_line) {
  size_t pos = 0;
  int64_t line = first_line;
  while (pos < bytes.size()) {
    size_t end = bytes.find('\n', pos);
    if (end == std::string_view::npos) end = bytes.size();
    on_line(bytes.substr(pos, end - pos), line);
    ++line;
    pos = end + 1;
  }
}

}  // namespace sc
