// The Laplace mechanism of the private fit: the noise has mean 0 and the variance 2 b^2 that the
// documented mechanism promises (measured over many independent cells and seeds), it is the same
// for the same (seed, table, query, cell) and independent otherwise, and the budget plan's parts
// sum to epsilon.
#include <gtest/gtest.h>

#include <cmath>

#include "stages/fit/dp_noise.hpp"

namespace sc {
namespace {

TEST(DpNoise, LaplaceVarianceOverManySeeds) {
  for (double scale : {0.5, 8.0, 360.0}) {
    const int seeds = 40, cells = 5000;
    double sum = 0, sum_sq = 0, abs_sum = 0;
    for (int seed = 1; seed <= seeds; ++seed)
      for (int cell = 0; cell < cells; ++cell) {
        double x = laplace_noise(static_cast<uint64_t>(seed), 3, DpQuery::families, static_cast<uint64_t>(cell), scale);
        sum += x;
        sum_sq += x * x;
        abs_sum += std::fabs(x);
      }
    const double n = static_cast<double>(seeds) * cells;
    const double mean = sum / n, variance = sum_sq / n - mean * mean;
    // Standard error of the mean: sqrt(2) b / sqrt(n); of the variance: sqrt(20) b^2 / sqrt(n)
    // (Laplace kurtosis 6). Five standard errors either way.
    EXPECT_NEAR(mean, 0.0, 5 * std::sqrt(2.0) * scale / std::sqrt(n)) << scale;
    EXPECT_NEAR(variance, 2 * scale * scale, 5 * std::sqrt(20.0) * scale * scale / std::sqrt(n)) << scale;
    EXPECT_NEAR(abs_sum / n, scale, 5 * scale / std::sqrt(n)) << scale;  // E|X| = b
  }
}

TEST(DpNoise, CounterBasedAndKeyedByEveryPart) {
  const double a = laplace_noise(7, 1, DpQuery::pairs, 42, 10.0);
  EXPECT_EQ(a, laplace_noise(7, 1, DpQuery::pairs, 42, 10.0));
  EXPECT_NE(a, laplace_noise(8, 1, DpQuery::pairs, 42, 10.0));
  EXPECT_NE(a, laplace_noise(7, 2, DpQuery::pairs, 42, 10.0));
  EXPECT_NE(a, laplace_noise(7, 1, DpQuery::families, 42, 10.0));
  EXPECT_NE(a, laplace_noise(7, 1, DpQuery::pairs, 43, 10.0));
}

TEST(DpNoise, NoisyCountsDropCellsUnderOneScale) {
  std::vector<int64_t> counts(20000, 0);
  counts[0] = 1000000;
  std::vector<int64_t> noisy = noisy_counts(counts, 5, 0, DpQuery::histograms, 0, 2.0, 1.0);
  EXPECT_NEAR(static_cast<double>(noisy[0]), 1e6, 100.0);
  int64_t kept = 0;
  for (size_t i = 1; i < noisy.size(); ++i) {
    EXPECT_GE(noisy[i], 0);
    kept += noisy[i] > 0;
  }
  // P(Laplace(b) > b) = exp(-1) / 2 = 0.184.
  EXPECT_NEAR(static_cast<double>(kept) / 19999.0, 0.5 * std::exp(-1.0), 0.02);
}

TEST(DpNoise, BudgetPartsSumToEpsilon) {
  for (double epsilon : {0.1, 1.0, 3.7}) {
    auto plan = plan_dp_budget(epsilon, {1, 32, 32, 1024}, {true, false, false, true});
    double total = 0;
    for (const auto& t : plan) {
      EXPECT_GT(t.histograms, 0);
      EXPECT_GT(t.pairs, 0);
      EXPECT_GT(t.families, 0);
      total += t.total();
    }
    EXPECT_NEAR(total, epsilon, 1e-12 * epsilon);
    EXPECT_GT(plan[0].references, 0);
    EXPECT_EQ(plan[1].references, 0);
    EXPECT_EQ(plan[3].rows_per_person, 1024);
  }
}

}  // namespace
}  // namespace sc
