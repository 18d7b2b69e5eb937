#include "stages/ingest/csv_tokenizer.hpp"

#include "pipeline/error.hpp"

namespace sc {

void CsvTokenizer::split(std::string_view line, int64_t line_number, std::vector<std::string_view>& fields) {
  fields.clear();
  unescaped_.clear();
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  auto fail = [&](size_t field, const std::string& what) {
    throw InputError(file_ + ":" + std::to_string(line_number) + ": column " + std::to_string(field + 1) + ": " + what);
  };
  const char delimiter = dialect_.delimiter, quote = dialect_.quote;
  size_t pos = 0;
  while (true) {
    size_t field = fields.size();
    if (pos < line.size() && line[pos] == quote) {
      // Quoted field: runs to the next lone quote; a doubled quote is a literal quote.
      size_t start = pos + 1, scan = start;
      bool doubled = false;
      while (true) {
        size_t q = line.find(quote, scan);
        if (q == std::string_view::npos)
          fail(field, "unterminated quoted field (expected a closing " + std::string(1, quote) +
                          " on the same line; quoted fields may not span lines)");
        if (q + 1 < line.size() && line[q + 1] == quote) {
          doubled = true;
          scan = q + 2;
          continue;
        }
        std::string_view body = line.substr(start, q - start);
        if (doubled) {
          std::string text;
          text.reserve(body.size());
          for (size_t i = 0; i < body.size(); ++i) {
            text += body[i];
            if (body[i] == quote) ++i;  // skip the second quote of a pair
          }
          unescaped_.push_back(std::move(text));
          fields.emplace_back(unescaped_.back());
        } else {
          fields.push_back(body);
        }
        pos = q + 1;
        break;
      }
      if (pos < line.size() && line[pos] != delimiter)
        fail(field, "malformed quoting: expected a delimiter or the end of the line after a closing quote");
    } else {
      // One pass for the delimiter and any stray quote: fields are short, so a byte loop beats
      // two library searches per field (docs/benchmarks.md, "Ingest of registry tables").
      size_t end = pos;
      while (end < line.size() && line[end] != delimiter) {
        if (line[end] == quote)
          fail(field, "malformed quoting: a quote inside an unquoted field (quote the whole field and double the quote)");
        ++end;
      }
      fields.push_back(line.substr(pos, end - pos));
      pos = end;
    }
    if (pos >= line.size()) break;
    ++pos;  // past the delimiter
    if (pos == line.size()) {  // a delimiter ends the line: one more, empty field
      fields.emplace_back();
      break;
    }
  }
}

}  // namespace sc
