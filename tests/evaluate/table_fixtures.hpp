// Test tables for the metric tests: a random mixed table (categorical, numeric, date columns with
// missing values and ties) and a splitter that cuts a table into shards of uneven sizes, so that
// a test can compute pieces per shard and check that merging them gives the same bits as one piece.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "stages/evaluate/metrics/column_view.hpp"

namespace sc::metrics::testing {

// `rows` rows of: categorical (5 codes, ~10 % missing), numeric (2 decimals, ~5 % missing),
// categorical (2 codes), date (days, ~5 % missing), numeric (whole numbers, none missing), numeric
// correlated with column 1 (~10 % missing). `seed` changes every value.
TableData random_mixed_table(std::int64_t rows, std::uint64_t seed);

// Rows [first, end) of `table` as a table of their own.
TableData slice_rows(const TableData& table, std::int64_t first, std::int64_t end);

// `table` cut into `shards` consecutive shards whose sizes differ (the first ones are smaller).
std::vector<TableData> split_into_shards(const TableData& table, int shards);

// Bitwise equality of doubles (NaN equals NaN with the same bits), for "same bits" checks.
inline bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace sc::metrics::testing
