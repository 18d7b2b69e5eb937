#include "stages/sample/phenotype_effects.hpp"

#include <algorithm>
#include <numeric>

#include "kernels/random/philox_stream.hpp"
#include "pipeline/error.hpp"
#include "pipeline/hdf5_handles.hpp"

namespace sc {
namespace {

// Traits joined by genetic_correlation (either side) form a group: group[t] is the index of the
// group's first trait (traits are sorted by name).
std::vector<size_t> correlation_groups(const std::vector<TraitSpec>& traits) {
  std::vector<size_t> group(traits.size());
  std::iota(group.begin(), group.end(), size_t{0});
  auto root = [&](size_t t) {
    while (group[t] != t) t = group[t];
    return t;
  };
  for (size_t a = 0; a < traits.size(); ++a)
    for (size_t b = 0; b < traits.size(); ++b)
      if (traits[a].genetic_correlation.count(traits[b].name)) {
        const size_t ra = root(a), rb = root(b);
        group[std::max(ra, rb)] = std::min(ra, rb);
      }
  for (size_t t = 0; t < traits.size(); ++t) group[t] = root(t);
  return group;
}

// Lower Cholesky factor of the traits' genetic correlation matrix (1 on the diagonal, rg where
// configured, 0 elsewhere).
std::vector<std::vector<double>> correlation_factor(const Config& config, const std::vector<TraitSpec>& traits) {
  const size_t n = traits.size();
  std::vector<std::vector<double>> r(n, std::vector<double>(n, 0.0)), l(n, std::vector<double>(n, 0.0));
  for (size_t a = 0; a < n; ++a) {
    r[a][a] = 1;
    for (size_t b = 0; b < n; ++b)
      if (traits[a].genetic_correlation.count(traits[b].name)) r[a][b] = r[b][a] = traits[a].genetic_correlation.at(traits[b].name);
  }
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j <= i; ++j) {
      double s = r[i][j];
      for (size_t k = 0; k < j; ++k) s -= l[i][k] * l[j][k];
      if (i == j) {
        if (!(s > 1e-9)) {
          std::string key;
          for (size_t t = 0; t <= i && key.empty(); ++t)
            if (!traits[i - t].genetic_correlation.empty()) key = traits[i - t].key("genetic_correlation");
          config.reject(key.empty() ? traits[i].key("genetic_correlation") : key,
                        "genetic correlations that form a positive-definite matrix over the traits");
        }
        l[i][i] = std::sqrt(s);
      } else {
        l[i][j] = s / l[j][j];
      }
    }
  }
  return l;
}

}  // namespace

// u1 in (0, 1] keeps the logarithm finite, u2 in [0, 1).
double phenotype_normal(const kernels::DrawKey& key, uint64_t entity) {
  const kernels::DrawWords w = kernels::draw_words(key, entity, 0);
  const double u1 = 1.0 - kernels::unit_interval(w.w[0], w.w[1]);
  const double u2 = kernels::unit_interval(w.w[2], w.w[3]);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

std::vector<double> panel_alt_frequencies(const StageReader& fit, int64_t windows) {
  std::vector<double> out;
  for (int64_t w = 0; w < windows; ++w) {
    const h5::File file = h5::File::open_read(fit.path(shard_name("genome/frequencies", w)));
    const std::vector<int64_t> alt = file.read<int64_t>("/alt_count");
    const std::vector<int64_t> haplotypes = file.read<int64_t>("/donor_haplotypes");
    SC_EXPECTS(haplotypes.size() == 1 && haplotypes[0] > 0, IoError, file.path() + ": /donor_haplotypes is not one positive count");
    for (int64_t a : alt) out.push_back(static_cast<double>(a) / static_cast<double>(haplotypes[0]));
  }
  return out;
}

std::vector<TraitEffects> draw_trait_effects(const Config& config, const std::vector<TraitSpec>& traits,
                                             const std::vector<double>& alt_frequency, uint64_t seed) {
  const size_t n = traits.size();
  const std::vector<size_t> group = correlation_groups(traits);
  const std::vector<std::vector<double>> factor = correlation_factor(config, traits);
  std::vector<std::vector<double>> raw(n);
  std::vector<TraitEffects> effects(n);
  std::vector<double> causal_uniform(n), z(n);
  for (size_t j = 0; j < alt_frequency.size(); ++j) {
    const double p = alt_frequency[j];
    if (!(p > 0 && p < 1)) continue;  // monomorphic in the donors: no effect can show
    const double maf = std::min(p, 1 - p), heterozygosity = 2 * p * (1 - p);
    bool any = false;
    std::vector<uint8_t> causal(n, 0);
    for (size_t t = 0; t < n; ++t) {
      if (group[t] == t) {
        const kernels::DrawWords w = kernels::draw_words({seed, kernels::DrawPurpose::phenotype_causal, traits[t].stream}, j, 0);
        causal_uniform[t] = kernels::unit_interval(w.w[0], w.w[1]);
      }
      causal[t] = maf >= traits[t].min_maf && causal_uniform[group[t]] < traits[t].causal_fraction;
      any = any || causal[t];
    }
    if (!any) continue;
    for (size_t t = 0; t < n; ++t) z[t] = phenotype_normal({seed, kernels::DrawPurpose::phenotype_effect, traits[t].stream}, j);
    for (size_t t = 0; t < n; ++t) {
      if (!causal[t]) continue;
      double correlated = 0;
      for (size_t k = 0; k <= t; ++k) correlated += factor[t][k] * z[k];
      effects[t].variant.push_back(static_cast<int64_t>(j));
      effects[t].alt_frequency.push_back(p);
      raw[t].push_back(std::pow(heterozygosity, traits[t].maf_alpha / 2) * correlated);
    }
  }
  for (size_t t = 0; t < n; ++t) {
    if (effects[t].variant.empty())
      config.reject(traits[t].key("causal_fraction"),
                    "a share that leaves at least one causal variant among the panel's variants with MAF >= " +
                        std::to_string(traits[t].min_maf));
    // The most bits that keep any genetic value, a sum of at most 2 |beta_j| over all j, below 2^62.
    double bound = 0;
    for (double b : raw[t]) bound += 2 * std::abs(b);
    int exponent = 0;
    std::frexp(bound, &exponent);  // bound < 2^exponent
    effects[t].fraction_bits = std::min(40, 62 - exponent);
    SC_EXPECTS(effects[t].fraction_bits >= 8, ConfigError,
               traits[t].key("causal_fraction") + ": too many causal variants for exact genetic values");
    for (double b : raw[t]) effects[t].fixed_beta.push_back(std::llround(std::ldexp(b, effects[t].fraction_bits)));
  }
  return effects;
}

}  // namespace sc
