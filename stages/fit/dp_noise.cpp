#include "stages/fit/dp_noise.hpp"

#include <cmath>

#include "kernels/random/philox_stream.hpp"

namespace sc {

std::vector<TableDpBudget> plan_dp_budget(double epsilon, const std::vector<int64_t>& rows_per_person,
                                          const std::vector<bool>& has_references) {
  std::vector<TableDpBudget> plan(rows_per_person.size());
  if (plan.empty()) return plan;
  const double per_table = epsilon / static_cast<double>(plan.size());
  for (size_t t = 0; t < plan.size(); ++t) {
    TableDpBudget& b = plan[t];
    b.stream = static_cast<uint32_t>(t);
    b.rows_per_person = rows_per_person[t];
    const double histograms = 0.3 * per_table;
    b.references = has_references[t] ? 0.05 * histograms : 0.0;
    b.histograms = histograms - b.references;
    b.pairs = 0.3 * per_table;
    b.families = per_table - histograms - b.pairs;  // the rest, so that the parts sum to the share
  }
  return plan;
}

double laplace_noise(uint64_t seed, uint32_t stream, DpQuery query, uint64_t cell, double scale) {
  kernels::DrawWords w = kernels::draw_words(kernels::DrawKey{seed, kernels::DrawPurpose::dp_noise, stream}, cell,
                                             static_cast<uint32_t>(query));
  // 53 random bits plus one half: u is never 0 or 1, so the logarithm is finite.
  uint64_t bits = ((static_cast<uint64_t>(w.w[0]) << 21) ^ (static_cast<uint64_t>(w.w[1]) >> 11)) & ((uint64_t{1} << 53) - 1);
  double u = (static_cast<double>(bits) + 0.5) / 9007199254740992.0 - 0.5;  // (-1/2, 1/2)
  return (u < 0 ? scale : -scale) * std::log(1.0 - 2.0 * std::fabs(u));
}

std::vector<int64_t> noisy_counts(const std::vector<int64_t>& counts, uint64_t seed, uint32_t stream, DpQuery query,
                                  uint64_t first_cell, double sensitivity, double epsilon) {
  const double scale = sensitivity / epsilon;
  std::vector<int64_t> out(counts.size());
  for (size_t i = 0; i < counts.size(); ++i) {
    double noisy = static_cast<double>(counts[i]) + laplace_noise(seed, stream, query, first_cell + i, scale);
    // Cells whose noisy count stays under one noise scale are taken as empty: in a sparse table
    // most cells are, and keeping their positive noise would spread mass uniformly over them.
    out[i] = noisy > scale ? static_cast<int64_t>(std::llround(noisy)) : 0;
  }
  return out;
}

nlohmann::json dp_query_record(const std::string& table, DpQuery query, double epsilon, double sensitivity) {
  const char* names[] = {"", "histograms", "references", "pairs", "families"};
  return {{"table", table},
          {"query", names[static_cast<uint32_t>(query)]},
          {"epsilon", epsilon},
          {"l1_sensitivity", sensitivity},
          {"laplace_scale", epsilon > 0 ? sensitivity / epsilon : 0.0}};
}

}  // namespace sc
