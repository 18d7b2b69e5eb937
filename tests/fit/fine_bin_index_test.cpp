// FineBinIndex gives fine_bin_of's bin for every value: on equal-width edges, on merged (uneven)
// edges with atoms, on point values, on one-value columns; at every edge, next to every edge (one
// ulp either side), outside the range, at infinities and NaN.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "stages/fit/column_states.hpp"

namespace sc {
namespace {

void expect_same_bins(const ModelNode& node) {
  const FineBinIndex index(node);
  std::vector<double> values = {-std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity(),
                                std::nan(""), -1e300, 1e300, 0.0, -0.0};
  for (double e : node.fine_edges) {
    values.push_back(e);
    values.push_back(std::nextafter(e, -INFINITY));
    values.push_back(std::nextafter(e, INFINITY));
  }
  std::mt19937_64 random(7);
  const double lo = node.fine_edges.front(), hi = node.fine_edges.back();
  std::uniform_real_distribution<double> within(lo - (hi - lo) * 0.1 - 1, hi + (hi - lo) * 0.1 + 1);
  for (int i = 0; i < 20000; ++i) values.push_back(within(random));
  for (double v : values) ASSERT_EQ(index.bin(v), fine_bin_of(node, v)) << "value " << v;
}

TEST(FineBinIndex, EqualWidthEdges) {
  ModelNode node;
  set_fine_bins(node, NumericRange{-3.25, 117.5, true, false}, 256, {}, kIntegerSuperFine);
  expect_same_bins(node);
}

TEST(FineBinIndex, WholeNumberEdgesCountedPerValue) {
  ModelNode node;
  node.integer_values = true;
  set_fine_bins(node, NumericRange{0, 40000, true, false}, 256, {}, kIntegerSuperFine);
  expect_same_bins(node);
}

TEST(FineBinIndex, MergedUnevenEdgesWithAtoms) {
  ModelNode node;
  set_fine_bins(node, NumericRange{0, 1000, true, false}, 256, {}, kIntegerSuperFine);
  std::vector<int64_t> counts(static_cast<size_t>(node.fine_bins), 0);
  std::mt19937_64 random(3);
  for (size_t k = 0; k < counts.size(); ++k) counts[k] = static_cast<int64_t>(random() % 7 == 0 ? random() % 1000 : 0);
  counts[17] = 500000;  // an atom
  merge_fine_bins(node, counts, 64);
  expect_same_bins(node);
}

TEST(FineBinIndex, PointValues) {
  ModelNode node;
  set_fine_bins(node, NumericRange{0.1, 9.9, true, false}, 256, {0.1, 0.2, 0.25, 3.0, 7.5, 9.9}, kIntegerSuperFine);
  ASSERT_TRUE(node.point_values);
  expect_same_bins(node);
}

TEST(FineBinIndex, OneValue) {
  ModelNode node;
  set_fine_bins(node, NumericRange{5, 5, true, false}, 256, {}, kIntegerSuperFine);
  expect_same_bins(node);
}

}  // namespace
}  // namespace sc
