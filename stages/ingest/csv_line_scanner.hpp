// Vectorised splitting of a CSV shard into lines and fields, the hot loop of table ingest. Each
// line is looked at through one 64-byte load: bitmasks of its newline, delimiters and quotes
// (AVX-512BW or AVX2, chosen at run time as for genome ingest, stages/ingest/simd_path.hpp) give
// the line's end and its field boundaries without a byte loop. Only the common shapes are taken
// this way: unquoted fields without quotes and quoted fields without doubled quotes, on lines
// shorter than 64 bytes. Every other line (doubled quotes, bad quoting, long lines) goes to
// CsvTokenizer, so the fields and every error message are exactly the tokenizer's.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "stages/ingest/csv_tokenizer.hpp"
#include "stages/ingest/simd_path.hpp"

namespace sc {

class CsvLineScanner {
 public:
  // `bytes` are whole lines (a shard); `first_line` is the file line number of the first one.
  // `path` portable uses CsvTokenizer for every line (the reference the tests compare with).
  CsvLineScanner(std::string_view bytes, int64_t first_line, CsvTokenizer& tokenizer,
                 SimdPath path = best_simd_path());
  // The next non-blank line's fields (blank lines, "" or "\r", carry no row and are passed over)
  // and its file line number; false at the end. Throws the tokenizer's InputError on bad quoting.
  bool next(std::vector<std::string_view>& fields, int64_t& line_number);

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
  int64_t line_;
  CsvTokenizer& tokenizer_;
  SimdPath path_;
  char delimiter_, quote_;
};

// Position of the k-th newline (k = 0 is the first) in data[from, to), or `to` when there are no
// more than k; `k` comes back less the newlines passed over. With k = INT64_MAX it counts them.
// Splitting a file into shards by lines uses it: 64 bytes per step instead of a search per line.
size_t find_kth_newline(const char* data, size_t from, size_t to, int64_t& k, SimdPath path = best_simd_path());

}  // namespace sc
