#include "table_fixtures.hpp"

#include <cmath>
#include <random>

namespace sc::metrics::testing {

TableData random_mixed_table(std::int64_t rows, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  TableData table;
  table.columns.resize(6);
  auto& category = table.columns[0];
  auto& amount = table.columns[1];
  auto& flag = table.columns[2];
  auto& day = table.columns[3];
  auto& count = table.columns[4];
  auto& related = table.columns[5];
  category.kind = ColumnKind::categorical;
  amount.kind = ColumnKind::numeric;
  flag.kind = ColumnKind::categorical;
  day.kind = ColumnKind::date;
  count.kind = ColumnKind::numeric;
  related.kind = ColumnKind::numeric;
  for (std::int64_t r = 0; r < rows; ++r) {
    category.codes.push_back(unit(rng) < 0.1 ? kMissingCode : static_cast<std::int32_t>(rng() % 5));
    const double a = std::round(unit(rng) * 10000.0) / 100.0;  // two decimals: many ties
    const bool a_missing = unit(rng) < 0.05;
    amount.values.push_back(a_missing ? 0.0 : a);
    amount.missing.push_back(a_missing ? 1 : 0);
    flag.codes.push_back(static_cast<std::int32_t>(rng() % 2));
    const bool d_missing = unit(rng) < 0.05;
    day.codes.push_back(d_missing ? 0 : 10000 + static_cast<std::int32_t>(rng() % 3000));
    day.missing.push_back(d_missing ? 1 : 0);
    count.values.push_back(static_cast<double>(rng() % 40));
    const bool rel_missing = unit(rng) < 0.1;
    related.values.push_back(rel_missing ? 0.0 : 0.7 * a + 30.0 * unit(rng) - 15.0 * category.codes.back());
    related.missing.push_back(rel_missing ? 1 : 0);
  }
  return table;
}

TableData slice_rows(const TableData& table, std::int64_t first, std::int64_t end) {
  TableData part;
  for (const auto& column : table.columns) {
    ColumnData slice;
    slice.kind = column.kind;
    auto cut = [&](const auto& values, auto& out) {
      if (!values.empty()) out.assign(values.begin() + first, values.begin() + end);
    };
    cut(column.codes, slice.codes);
    cut(column.values, slice.values);
    cut(column.missing, slice.missing);
    part.columns.push_back(std::move(slice));
  }
  return part;
}

std::vector<TableData> split_into_shards(const TableData& table, int shards) {
  const std::int64_t rows = table.view().rows();
  // Shard k gets a share proportional to k + 1, so sizes differ and some fall on odd counts.
  const std::int64_t weights = static_cast<std::int64_t>(shards) * (shards + 1) / 2;
  std::vector<TableData> parts;
  std::int64_t first = 0, weight = 0;
  for (int k = 0; k < shards; ++k) {
    weight += k + 1;
    const std::int64_t end = k + 1 == shards ? rows : rows * weight / weights;
    parts.push_back(slice_rows(table, first, end));
    first = end;
  }
  return parts;
}

}  // namespace sc::metrics::testing
