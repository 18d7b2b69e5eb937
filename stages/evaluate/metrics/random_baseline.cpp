#include "stages/evaluate/metrics/random_baseline.hpp"

#include <cmath>
#include <string>

#include <Random123/philox.h>

#include "pipeline/error.hpp"

namespace sc::metrics {

namespace {

// The purpose word of the Philox key: draws for other purposes never collide with these.
constexpr std::uint32_t kPurposeDcrBaseline = 0x44435242;  // "DCRB"
__extension__ typedef unsigned __int128 Uint128;

struct Draw {
  std::uint64_t bits64;  // for the value
  double unit_missing;   // in [0, 1), for the missing-value decision
};

Draw draw(std::uint64_t seed, std::int64_t row, std::size_t column) {
  r123::Philox4x32 generator;
  const r123::Philox4x32::ctr_type counter = {{static_cast<std::uint32_t>(row), static_cast<std::uint32_t>(row >> 32),
                                               static_cast<std::uint32_t>(column), kPurposeDcrBaseline}};
  const r123::Philox4x32::key_type key = {{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
  const auto words = generator(counter, key);
  return {(static_cast<std::uint64_t>(words[0]) << 32) | words[1], static_cast<double>(words[2]) * 0x1p-32};
}

// Uniform in [0, 1) with 53 random bits.
double unit(std::uint64_t bits) { return static_cast<double>(bits >> 11) * 0x1p-53; }

}  // namespace

TableData random_baseline_rows(const BaselineSource& source, std::int64_t first_row, std::int64_t end_row,
                               std::uint64_t seed) {
  const std::size_t columns = source.kinds.size();
  SC_EXPECTS(source.profile.ranges.size() == columns && source.categories.size() == columns, InternalError,
             "DCR baseline: the real profile does not match the columns");
  SC_EXPECTS(0 <= first_row && first_row <= end_row, InternalError, "DCR baseline: bad row range");
  const std::int64_t rows = end_row - first_row;
  TableData table;
  table.columns.resize(columns);
  for (std::size_t c = 0; c < columns; ++c) {
    ColumnData& out = table.columns[c];
    const RangePiece& range = source.profile.ranges[c];
    if (source.kinds[c] == ColumnKind::categorical) {
      std::vector<std::int32_t> present;
      const auto& counts = source.categories[c];
      for (std::size_t k = 0; k < counts.counts.size(); ++k)
        if (counts.counts[k] > 0) present.push_back(static_cast<std::int32_t>(k));
      const double missing_share = counts.present() + counts.missing == 0
                                       ? 0.0
                                       : static_cast<double>(counts.missing) / static_cast<double>(counts.present() + counts.missing);
      out.kind = ColumnKind::categorical;
      out.codes.resize(rows);
      for (std::int64_t i = 0; i < rows; ++i) {
        const Draw d = draw(seed, first_row + i, c);
        const bool missing = present.empty() || d.unit_missing < missing_share;
        const auto pick = static_cast<std::size_t>((static_cast<Uint128>(d.bits64) * present.size()) >> 64);
        out.codes[i] = missing ? kMissingCode : present[pick];
      }
      continue;
    }
    const double missing_share = range.present + range.missing == 0
                                     ? 0.0
                                     : static_cast<double>(range.missing) / static_cast<double>(range.present + range.missing);
    // pandas reads a whole-number column without missing values as int64, and SDMetrics then draws
    // integers; any other numeric column is float64 and drawn uniformly.
    const bool integers = source.kinds[c] == ColumnKind::numeric && range.all_whole && range.missing == 0;
    out.kind = ColumnKind::numeric;
    out.values.resize(rows);
    out.missing.resize(rows);
    for (std::int64_t i = 0; i < rows; ++i) {
      const Draw d = draw(seed, first_row + i, c);
      const bool missing = range.present == 0 || d.unit_missing < missing_share;
      double value = 0.0;
      if (!missing && integers) {
        const auto span = static_cast<std::uint64_t>(range.max - range.min) + 1;
        value = range.min + static_cast<double>(static_cast<std::uint64_t>((static_cast<Uint128>(d.bits64) * span) >> 64));
      } else if (!missing) {
        value = range.min + (range.max - range.min) * unit(d.bits64);
      }
      out.values[i] = value;
      out.missing[i] = missing ? 1 : 0;
    }
  }
  return table;
}

}  // namespace sc::metrics
