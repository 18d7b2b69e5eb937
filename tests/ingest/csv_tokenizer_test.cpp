#include <gtest/gtest.h>

#include "pipeline/error.hpp"
#include "stages/ingest/csv_tokenizer.hpp"

namespace {
std::vector<std::string> split(const std::string& line, sc::CsvDialect dialect = {}) {
  sc::CsvTokenizer tokenizer("t.csv", dialect);
  std::vector<std::string_view> fields;
  tokenizer.split(line, 5, fields);
  return {fields.begin(), fields.end()};
}
std::string error_of(const std::string& line) {
  try {
    split(line);
  } catch (const sc::InputError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(CsvTokenizer, PlainQuotedAndEmptyFields) {
  EXPECT_EQ(split("1,abc,,2.5"), (std::vector<std::string>{"1", "abc", "", "2.5"}));
  EXPECT_EQ(split("\"a,b\",\"say \"\"hi\"\"\",x"), (std::vector<std::string>{"a,b", "say \"hi\"", "x"}));
  EXPECT_EQ(split("a,b,"), (std::vector<std::string>{"a", "b", ""}));
  EXPECT_EQ(split("a,b\r"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(split("a;b", {';', '\''}), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(split("\"\""), (std::vector<std::string>{""}));
}

TEST(CsvTokenizer, MalformedQuotingNamesLineAndColumn) {
  std::string unterminated = error_of("1,\"abc,3");
  EXPECT_NE(unterminated.find("t.csv:5: column 2"), std::string::npos) << unterminated;
  EXPECT_NE(unterminated.find("unterminated"), std::string::npos) << unterminated;
  std::string after = error_of("1,\"abc\"x,3");
  EXPECT_NE(after.find("t.csv:5: column 2"), std::string::npos) << after;
  std::string inside = error_of("1,ab\"c,3");
  EXPECT_NE(inside.find("t.csv:5: column 2"), std::string::npos) << inside;
  // The offending text is not in the message (logs leave the secure zone).
  EXPECT_EQ(inside.find("ab\"c"), std::string::npos) << inside;
}

TEST(CsvTokenizer, LinesOfABuffer) {
  std::vector<std::pair<std::string, int64_t>> lines;
  sc::for_each_line("a\nb\n\nc", 10, [&](std::string_view l, int64_t n) { lines.emplace_back(l, n); });
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[2].first, "");
  EXPECT_EQ(lines[3].second, 13);
}
