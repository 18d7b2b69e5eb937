// What the table metrics compute on: non-owning views of one shard's scored columns. The evaluate
// stage reads a shard of a real or synthetic table from the store and hands its categorical,
// numeric and date columns to the metrics as these views (key and reference columns are never
// passed: they are identities, not values). Categorical codes of one column must index the same
// dictionary in the real and in the synthetic table; the stage remaps them when the dictionaries
// differ. Dates are seen by the metrics the way SDMetrics sees a datetime column, as nanoseconds
// since the epoch (exact in a double for |days| < 6.8 million).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace sc::metrics {

enum class ColumnKind : std::uint8_t { categorical, numeric, date };

inline constexpr std::int32_t kMissingCode = -1;
inline constexpr double kNanosecondsPerDay = 86400e9;

struct ColumnView {
  ColumnKind kind = ColumnKind::numeric;
  std::span<const std::int32_t> codes;    // categorical: dictionary codes, -1 = missing; date: days
  std::span<const double> values;         // numeric
  std::span<const std::uint8_t> missing;  // numeric, date: 1 = missing; may be empty (none missing)

  static ColumnView categorical(std::span<const std::int32_t> codes) {
    return {ColumnKind::categorical, codes, {}, {}};
  }
  static ColumnView numeric(std::span<const double> values, std::span<const std::uint8_t> missing = {}) {
    return {ColumnKind::numeric, {}, values, missing};
  }
  static ColumnView date(std::span<const std::int32_t> days, std::span<const std::uint8_t> missing = {}) {
    return {ColumnKind::date, days, {}, missing};
  }

  std::int64_t rows() const {
    return static_cast<std::int64_t>(kind == ColumnKind::numeric ? values.size() : codes.size());
  }
  bool is_numeric_like() const { return kind != ColumnKind::categorical; }
  bool is_missing(std::int64_t row) const {
    if (kind == ColumnKind::categorical) return codes[row] < 0;
    return !missing.empty() && missing[row] != 0;
  }
  // The value SDMetrics computes with: the number itself, or a date's nanoseconds since the epoch.
  double number(std::int64_t row) const {
    return kind == ColumnKind::numeric ? values[row] : static_cast<double>(codes[row]) * kNanosecondsPerDay;
  }
};

// One shard of one table: its scored columns, all of the same length, in the table's column order.
struct ShardView {
  std::vector<ColumnView> columns;
  std::int64_t rows() const { return columns.empty() ? 0 : columns.front().rows(); }
};

// Owning storage behind a ColumnView, for data the metrics make themselves (the random baseline of
// DCRBaselineProtection) and for tests and tools that read CSV files.
struct ColumnData {
  ColumnKind kind = ColumnKind::numeric;
  std::vector<std::int32_t> codes;
  std::vector<double> values;
  std::vector<std::uint8_t> missing;

  ColumnView view() const { return {kind, codes, values, missing}; }
};

struct TableData {
  std::vector<ColumnData> columns;
  ShardView view() const {
    ShardView shard;
    for (const auto& column : columns) shard.columns.push_back(column.view());
    return shard;
  }
};

}  // namespace sc::metrics
