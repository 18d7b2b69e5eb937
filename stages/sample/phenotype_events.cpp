#include "stages/sample/phenotype_events.hpp"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>

#include "kernels/random/philox_stream.hpp"

namespace sc {
namespace {

constexpr double kDaysPerYear = 365.25;

// A draw of N(0, 1) restricted to [lo, hi] by inverse CDF, u in [0, 1). Works in the tail nearer
// the window so that a window far from the mean keeps its precision; a window beyond double range
// gives its end nearest the mean.
double truncated_standard_normal(double lo, double hi, double u) {
  const boost::math::normal_distribution<double> normal(0, 1);
  if (lo > 0) {  // the window lies above the mean: upper-tail probabilities
    const double q_lo = boost::math::cdf(boost::math::complement(normal, lo));
    const double q_hi = boost::math::cdf(boost::math::complement(normal, hi));
    const double q = q_lo - u * (q_lo - q_hi);
    if (!(q_lo > q_hi) || !(q > 0)) return q_lo > q_hi ? hi : lo;
    return std::clamp(boost::math::quantile(boost::math::complement(normal, q)), lo, hi);
  }
  const double p_lo = boost::math::cdf(normal, lo), p_hi = boost::math::cdf(normal, hi);
  const double p = p_lo + u * (p_hi - p_lo);
  if (!(p_hi > p_lo) || !(p > 0) || !(p < 1)) return p_hi > p_lo ? lo : hi;
  return std::clamp(boost::math::quantile(normal, p), lo, hi);
}

}  // namespace

int64_t PhenotypeEventRows::rows(const std::string& table) const {
  const auto it = by_table.find(table);
  return it == by_table.end() ? 0 : static_cast<int64_t>(it->second.size());
}

PhenotypeEventRows onset_events(const PhenotypePlan& plan, const std::vector<double>& age, const std::vector<double>& followup,
                                uint64_t seed) {
  PhenotypeEventRows out;
  out.events.assign(plan.traits.size(), 0);
  out.cases_without_event.assign(plan.traits.size(), 0);
  for (int64_t i = 0; i < plan.individuals; ++i) {
    for (size_t t = 0; t < plan.traits.size(); ++t) {
      const TraitSpec& trait = plan.traits[t];
      const std::string& table = plan.events[t].table;
      if (table.empty() || !plan.values[t].is_case[static_cast<size_t>(i)]) continue;
      const double a = age[static_cast<size_t>(i)], f = followup[static_cast<size_t>(i)];
      if (!(a >= 0) || !(f >= 0)) {
        ++out.cases_without_event[t];
        continue;
      }
      const double excess = plan.values[t].liability[static_cast<size_t>(i)] - plan.values[t].threshold;
      const double mean = trait.onset_age_mean - trait.onset_age_per_liability * excess;
      const double end = a + f / kDaysPerYear;
      const kernels::DrawWords w = kernels::draw_words({seed, kernels::DrawPurpose::phenotype_onset, trait.stream},
                                                       static_cast<uint64_t>(i), 0);
      const double x = truncated_standard_normal((a - mean) / trait.onset_age_sd, (end - mean) / trait.onset_age_sd,
                                                 kernels::unit_interval(w.w[0], w.w[1]));
      const double onset = std::clamp(mean + trait.onset_age_sd * x, a, end);
      const double days = std::clamp(std::floor((onset - a) * kDaysPerYear), 0.0, std::floor(f));
      out.by_table[table].push_back({i, static_cast<int32_t>(t), static_cast<int64_t>(days)});
      ++out.events[t];
    }
  }
  return out;
}

TableShard event_rows_shard(const PhenotypePlan& plan, const PhenotypeEventRows& events, const std::string& table,
                            const TableMeta& meta, int64_t sampled_rows, int64_t first, int64_t count) {
  TableShard shard;
  const size_t rows = static_cast<size_t>(std::max<int64_t>(count, 0));
  shard.columns.resize(meta.columns.size());
  for (size_t c = 0; c < meta.columns.size(); ++c) {
    ColumnValues& column = shard.columns[c];
    column.missing.assign(rows, 1);
    if (stored_as_code(meta.types[c])) column.codes.assign(rows, -1);
    else if (stored_as_double(meta.types[c])) column.f64.assign(rows, 0.0);
    else column.i64.assign(rows, 0);
  }
  const int pk = meta.primary_key.empty() ? -1 : meta.column_index(meta.primary_key);
  const int fk = meta.column_index(meta.foreign_key);
  const std::vector<PhenotypeEvent>& list = events.by_table.at(table);
  for (size_t r = 0; r < rows; ++r) {
    const int64_t row = first + static_cast<int64_t>(r);
    const PhenotypeEvent& event = list[static_cast<size_t>(row - sampled_rows)];
    const TraitEventTarget& target = plan.events[static_cast<size_t>(event.trait)];
    auto set_i64 = [&](int column, int64_t value) {
      shard.columns[static_cast<size_t>(column)].i64[r] = value;
      shard.columns[static_cast<size_t>(column)].missing[r] = 0;
    };
    if (pk >= 0) set_i64(pk, row + 1);
    set_i64(fk, event.person + 1);  // synthetic keys are row numbers + 1
    set_i64(target.day_column, event.days);
    shard.columns[static_cast<size_t>(target.event_column)].codes[r] = target.code;
    shard.columns[static_cast<size_t>(target.event_column)].missing[r] = 0;
  }
  return shard;
}

void append_shard_rows(TableShard& shard, const TableShard& more) {
  if (shard.columns.empty()) {
    shard = more;
    return;
  }
  for (size_t c = 0; c < shard.columns.size(); ++c) {
    ColumnValues& into = shard.columns[c];
    const ColumnValues& from = more.columns[c];
    into.i64.insert(into.i64.end(), from.i64.begin(), from.i64.end());
    into.f64.insert(into.f64.end(), from.f64.begin(), from.f64.end());
    into.codes.insert(into.codes.end(), from.codes.begin(), from.codes.end());
    into.missing.insert(into.missing.end(), from.missing.begin(), from.missing.end());
  }
}

}  // namespace sc
