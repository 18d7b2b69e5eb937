#include "stages/ingest/csv_line_scanner.hpp"

#include <immintrin.h>

#include <cstring>

namespace sc {
namespace {

// Bit i of each mask is set when byte i of the 64-byte window is a newline, a delimiter or a quote.
struct WindowMasks {
  uint64_t newline, delimiter, quote;
};

__attribute__((target("avx512f,avx512bw"))) WindowMasks masks_avx512(const char* window, char delimiter, char quote) {
  const __m512i bytes = _mm512_loadu_si512(window);
  return {_mm512_cmpeq_epi8_mask(bytes, _mm512_set1_epi8('\n')),
          _mm512_cmpeq_epi8_mask(bytes, _mm512_set1_epi8(delimiter)),
          _mm512_cmpeq_epi8_mask(bytes, _mm512_set1_epi8(quote))};
}

__attribute__((target("avx2"))) uint64_t equal_mask_avx2(__m256i low, __m256i high, char c) {
  const __m256i wanted = _mm256_set1_epi8(c);
  const uint64_t lo = static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(low, wanted)));
  const uint64_t hi = static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(high, wanted)));
  return lo | (hi << 32);
}

__attribute__((target("avx2"))) WindowMasks masks_avx2(const char* window, char delimiter, char quote) {
  const __m256i low = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(window));
  const __m256i high = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(window + 32));
  return {equal_mask_avx2(low, high, '\n'), equal_mask_avx2(low, high, delimiter), equal_mask_avx2(low, high, quote)};
}

// Bits first .. stop-1 (stop <= 63).
inline uint64_t bit_range(size_t first, size_t stop) { return ((uint64_t{1} << stop) - 1) & ~((uint64_t{1} << first) - 1); }

// Fields of the line p[0, end) (end < 64, trailing CR already left out) from its delimiter and
// quote masks, when every field is unquoted without quotes or quoted without doubled quotes; such
// fields are exactly the tokenizer's. False for anything else, which the tokenizer then takes.
bool split_simple_line(const char* p, size_t end, uint64_t delimiters, uint64_t quotes,
                       std::vector<std::string_view>& fields) {
  const uint64_t in_line = bit_range(0, end);
  delimiters &= in_line;
  quotes &= in_line;
  if (quotes) {
    // A well-formed line has its quotes in pairs (open, close); delimiters between them are text.
    if (__builtin_popcountll(quotes) & 1) return false;
    uint64_t inside = 0;
    for (uint64_t q = quotes; q;) {
      const uint64_t open = q & (~q + 1);
      q &= q - 1;
      const uint64_t close = q & (~q + 1);
      q &= q - 1;
      inside |= close - open;  // bits open .. close-1
    }
    delimiters &= ~inside;
  }
  fields.clear();
  size_t start = 0;
  auto add_field = [&](size_t stop) {
    const uint64_t field_quotes = quotes & bit_range(start, stop);
    if (field_quotes == 0) {
      fields.emplace_back(p + start, stop - start);
      return true;
    }
    if (stop - start >= 2 && field_quotes == ((uint64_t{1} << start) | (uint64_t{1} << (stop - 1)))) {
      fields.emplace_back(p + start + 1, stop - start - 2);
      return true;
    }
    return false;  // a doubled quote, or a quote where the tokenizer reports malformed quoting
  };
  while (delimiters) {
    const size_t at = static_cast<size_t>(__builtin_ctzll(delimiters));
    delimiters &= delimiters - 1;
    if (!add_field(at)) return false;
    start = at + 1;
  }
  return add_field(end);
}

bool structural(char c) { return c == '\n' || c == '\r'; }

size_t kth_newline_bytes(const char* data, size_t from, size_t to, int64_t& k) {
  for (size_t pos = from; pos < to; ++pos) {
    if (data[pos] != '\n') continue;
    if (k == 0) return pos;
    --k;
  }
  return to;
}

// The k-th set bit of `mask` (k < popcount).
inline size_t kth_bit(uint64_t mask, int64_t k) {
  for (; k > 0; --k) mask &= mask - 1;
  return static_cast<size_t>(__builtin_ctzll(mask));
}

__attribute__((target("avx512f,avx512bw"))) size_t kth_newline_avx512(const char* data, size_t from, size_t to,
                                                                        int64_t& k) {
  const __m512i newline = _mm512_set1_epi8('\n');
  size_t pos = from;
  for (; pos + 64 <= to; pos += 64) {
    const uint64_t mask = _mm512_cmpeq_epi8_mask(_mm512_loadu_si512(data + pos), newline);
    const int64_t count = __builtin_popcountll(mask);
    if (k < count) return pos + kth_bit(mask, k);
    k -= count;
  }
  return kth_newline_bytes(data, pos, to, k);
}

__attribute__((target("avx2"))) size_t kth_newline_avx2(const char* data, size_t from, size_t to, int64_t& k) {
  size_t pos = from;
  for (; pos + 64 <= to; pos += 64) {
    const __m256i low = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(data + pos));
    const __m256i high = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(data + pos + 32));
    const uint64_t mask = equal_mask_avx2(low, high, '\n');
    const int64_t count = __builtin_popcountll(mask);
    if (k < count) return pos + kth_bit(mask, k);
    k -= count;
  }
  return kth_newline_bytes(data, pos, to, k);
}

}  // namespace

CsvLineScanner::CsvLineScanner(std::string_view bytes, int64_t first_line, CsvTokenizer& tokenizer, SimdPath path)
    : bytes_(bytes), line_(first_line), tokenizer_(tokenizer), path_(path),
      delimiter_(tokenizer.dialect().delimiter), quote_(tokenizer.dialect().quote) {
  // Dialects whose delimiter or quote is itself a line byte are left to the tokenizer.
  if (delimiter_ == quote_ || structural(delimiter_) || structural(quote_)) path_ = SimdPath::portable;
}

bool CsvLineScanner::next(std::vector<std::string_view>& fields, int64_t& line_number) {
  while (pos_ < bytes_.size()) {
    const char* p = bytes_.data() + pos_;
    const size_t left = bytes_.size() - pos_;
    if (path_ != SimdPath::portable) {
      // The last bytes of the shard are copied so that the load never runs past the data.
      alignas(64) char tail[64];
      const char* window = p;
      if (left < 64) {
        std::memcpy(tail, p, left);
        std::memset(tail + left, 0, 64 - left);
        window = tail;
      }
      const WindowMasks masks = path_ == SimdPath::avx512 ? masks_avx512(window, delimiter_, quote_)
                                                          : masks_avx2(window, delimiter_, quote_);
      const uint64_t newlines = left < 64 ? masks.newline & bit_range(0, left) : masks.newline;
      if (newlines != 0 || left < 64) {
        const size_t length = newlines ? static_cast<size_t>(__builtin_ctzll(newlines)) : left;
        line_number = line_++;
        pos_ += length + 1;
        if (length == 0 || (length == 1 && p[0] == '\r')) continue;  // blank lines carry no row
        const size_t end = p[length - 1] == '\r' ? length - 1 : length;
        if (!split_simple_line(p, end, masks.delimiter, masks.quote, fields))
          tokenizer_.split(std::string_view(p, length), line_number, fields);
        return true;
      }
    }
    // Portable path, or a line of 64 bytes or more.
    size_t end = bytes_.find('\n', pos_);
    if (end == std::string_view::npos) end = bytes_.size();
    const std::string_view line = bytes_.substr(pos_, end - pos_);
    line_number = line_++;
    pos_ = end + 1;
    if (line.empty() || line == "\r") continue;
    tokenizer_.split(line, line_number, fields);
    return true;
  }
  return false;
}

size_t find_kth_newline(const char* data, size_t from, size_t to, int64_t& k, SimdPath path) {
  switch (path) {
    case SimdPath::avx512: return kth_newline_avx512(data, from, to, k);
    case SimdPath::avx2: return kth_newline_avx2(data, from, to, k);
    case SimdPath::portable: break;
  }
  for (size_t pos = from; pos < to;) {
    const void* found = std::memchr(data + pos, '\n', to - pos);
    if (!found) break;
    const size_t at = static_cast<size_t>(static_cast<const char*>(found) - data);
    if (k == 0) return at;
    --k;
    pos = at + 1;
  }
  return to;
}

}  // namespace sc
