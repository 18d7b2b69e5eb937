#include <gtest/gtest.h>

#include <charconv>
#include <cstring>
#include <algorithm>
#include <climits>
#include <random>
#include <string>
#include <vector>

#include "pipeline/error.hpp"
#include "stages/ingest/csv_line_scanner.hpp"
#include "stages/ingest/value_parsing.hpp"

namespace {

// Every row the scanner gives for `bytes` (line number and fields), then the error, if any.
struct Scan {
  std::vector<std::pair<int64_t, std::vector<std::string>>> rows;
  std::string error;
};

Scan scan(const std::string& bytes, sc::SimdPath path, sc::CsvDialect dialect = {}) {
  sc::CsvTokenizer tokenizer("t.csv", dialect);
  sc::CsvLineScanner lines(bytes, 7, tokenizer, path);
  std::vector<std::string_view> fields;
  int64_t line = 0;
  Scan result;
  try {
    while (lines.next(fields, line)) result.rows.emplace_back(line, std::vector<std::string>(fields.begin(), fields.end()));
  } catch (const sc::InputError& e) {
    result.error = e.what();
  }
  return result;
}

// Random CSV text: fields unquoted, quoted, quoted with doubled quotes or delimiters inside, and
// now and then a stray quote, a CR, a blank line or a line longer than one 64-byte window.
std::string random_csv(std::mt19937_64& random, size_t lines, bool allow_bad) {
  std::string text;
  std::uniform_int_distribution<int> kind(0, allow_bad ? 9 : 6), length(0, 6), fields(1, 6), letter(0, 25);
  for (size_t l = 0; l < lines; ++l) {
    if (kind(random) == 0) { text += "\n"; continue; }
    int count = kind(random) == 1 ? 14 : fields(random);  // 14 fields make lines past 64 bytes
    for (int f = 0; f < count; ++f) {
      if (f) text += ',';
      std::string body;
      for (int i = length(random); i > 0; --i) body += static_cast<char>('a' + letter(random));
      switch (kind(random)) {
        case 2: text += '"' + body + '"'; break;
        case 3: text += "\"" + body + ",x\""; break;
        case 4: text += "\"" + body + "\"\"q\""; break;  // a doubled quote: the tokenizer's path
        case 7: text += body + "\"" + body; break;       // stray quote: an error
        case 8: text += "\"" + body; break;              // unterminated: an error
        case 9: text += "\"" + body + "\"x"; break;      // text after the closing quote: an error
        default: text += body;
      }
    }
    if (kind(random) == 5) text += '\r';
    if (l + 1 < lines || kind(random) < 4) text += '\n';
  }
  return text;
}

}  // namespace

TEST(CsvLineScanner, FieldsLinesAndBlankLines) {
  for (sc::SimdPath path : sc::available_simd_paths()) {
    Scan s = scan("1,\"hdl\",75\n\n\r\n2,\"a,b\",\r\n3,\"say \"\"hi\"\"\",x", path);
    ASSERT_TRUE(s.error.empty()) << s.error;
    ASSERT_EQ(s.rows.size(), 3u) << sc::to_string(path);
    EXPECT_EQ(s.rows[0].first, 7);
    EXPECT_EQ(s.rows[0].second, (std::vector<std::string>{"1", "hdl", "75"}));
    EXPECT_EQ(s.rows[1].first, 10);
    EXPECT_EQ(s.rows[1].second, (std::vector<std::string>{"2", "a,b", ""}));
    EXPECT_EQ(s.rows[2].first, 11);
    EXPECT_EQ(s.rows[2].second, (std::vector<std::string>{"3", "say \"hi\"", "x"}));
  }
}

TEST(CsvLineScanner, EverySimdPathAgreesWithTheTokenizer) {
  // The portable path is the line loop and tokenizer of before; the vector paths must give the
  // same rows, line numbers and first error (message included) on well-formed and bad text.
  std::mt19937_64 random(20261203);
  for (int round = 0; round < 400; ++round) {
    const bool allow_bad = round % 2 == 1;
    std::string text = random_csv(random, 1 + round % 37, allow_bad);
    Scan reference = scan(text, sc::SimdPath::portable);
    if (!allow_bad) {
      ASSERT_TRUE(reference.error.empty()) << reference.error;
    }
    for (sc::SimdPath path : sc::available_simd_paths()) {
      Scan other = scan(text, path);
      EXPECT_EQ(other.rows, reference.rows) << sc::to_string(path) << " on:\n" << text;
      EXPECT_EQ(other.error, reference.error) << sc::to_string(path) << " on:\n" << text;
    }
  }
}

TEST(CsvLineScanner, OtherDialects) {
  std::mt19937_64 random(7);
  for (int round = 0; round < 50; ++round) {
    std::string text = random_csv(random, 20, round % 2 == 1);
    for (char& c : text) c = c == ',' ? ';' : c == '"' ? '\'' : c;
    Scan reference = scan(text, sc::SimdPath::portable, {';', '\''});
    for (sc::SimdPath path : sc::available_simd_paths()) {
      Scan other = scan(text, path, {';', '\''});
      EXPECT_EQ(other.rows, reference.rows) << sc::to_string(path);
      EXPECT_EQ(other.error, reference.error) << sc::to_string(path);
    }
  }
}

TEST(ValueParsing, PlainDecimalsEqualFromChars) {
  // parse_real takes plain decimals of up to 15 digits without from_chars: the values must be
  // the same bits as from_chars gives for them.
  std::mt19937_64 random(11);
  std::uniform_int_distribution<int> digits(1, 16), point(0, 16), digit(0, 9);
  for (int i = 0; i < 200000; ++i) {
    std::string text = random() % 3 == 0 ? "-" : "";
    int n = digits(random), at = point(random);
    for (int k = 0; k < n; ++k) {
      if (k == at && k > 0) text += '.';
      text += static_cast<char>('0' + digit(random));
    }
    double fast = 0, reference = 0;
    ASSERT_TRUE(sc::parse_real(text, fast)) << text;
    std::string_view body(text);
    if (body.front() == '-') body.remove_prefix(1);
    std::from_chars(body.data(), body.data() + body.size(), reference);
    if (text.front() == '-') reference = -reference;
    ASSERT_EQ(std::memcmp(&fast, &reference, sizeof fast), 0) << text;
  }
}

TEST(CsvLineScanner, KthNewlineOnEveryPath) {
  // Shard splitting finds the k-th newline 64 bytes at a time: every path must agree with a count.
  std::mt19937_64 random(3);
  std::string text;
  for (int i = 0; i < 5000; ++i) text += random() % 5 == 0 ? '\n' : 'x';
  std::vector<size_t> newlines;
  for (size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') newlines.push_back(i);
  for (sc::SimdPath path : sc::available_simd_paths()) {
    for (int trial = 0; trial < 300; ++trial) {
      size_t from = random() % text.size(), to = from + random() % (text.size() - from + 1);
      size_t first = std::lower_bound(newlines.begin(), newlines.end(), from) - newlines.begin();
      size_t last = std::lower_bound(newlines.begin(), newlines.end(), to) - newlines.begin();
      int64_t all = INT64_MAX;
      EXPECT_EQ(sc::find_kth_newline(text.data(), from, to, all, path), to);
      EXPECT_EQ(INT64_MAX - all, static_cast<int64_t>(last - first)) << sc::to_string(path);
      int64_t k = static_cast<int64_t>(random() % (last - first + 2));
      size_t expected = first + static_cast<size_t>(k) < last ? newlines[first + static_cast<size_t>(k)] : to;
      EXPECT_EQ(sc::find_kth_newline(text.data(), from, to, k, path), expected) << sc::to_string(path);
    }
  }
}
