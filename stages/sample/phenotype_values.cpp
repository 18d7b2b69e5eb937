#include "stages/sample/phenotype_values.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>

#include "kernels/random/philox_stream.hpp"
#include "pipeline/error.hpp"

namespace sc {

GeneticValueSums::GeneticValueSums(const std::vector<TraitEffects>& effects, int64_t individuals)
    : effects_(effects), individuals_(individuals), sums_(effects.size(), std::vector<int64_t>(static_cast<size_t>(individuals), 0)) {}

void GeneticValueSums::add_window(int64_t first_variant, const GenomeWindow& window) {
  SC_EXPECTS(window.haplotypes == 2 * individuals_, InternalError, "a synthetic window without two haplotypes per individual");
  const int64_t words = window.words_per_haplotype();
  for (size_t t = 0; t < effects_.size(); ++t) {
    const TraitEffects& e = effects_[t];
    const auto begin = std::lower_bound(e.variant.begin(), e.variant.end(), first_variant);
    const auto end = std::lower_bound(begin, e.variant.end(), first_variant + window.variants());
    if (begin == end) continue;
    const size_t first = static_cast<size_t>(begin - e.variant.begin()), last = static_cast<size_t>(end - e.variant.begin());
    std::vector<int64_t>& sums = sums_[t];
    tbb::parallel_for(tbb::blocked_range<int64_t>(0, individuals_, 256), [&](const tbb::blocked_range<int64_t>& range) {
      for (int64_t i = range.begin(); i < range.end(); ++i) {
        const uint64_t* a = window.bits.data() + 2 * i * words;
        const uint64_t* b = a + words;
        int64_t sum = 0;
        for (size_t k = first; k < last; ++k) {
          const int64_t v = e.variant[k] - first_variant;
          const int64_t count = static_cast<int64_t>(((a[v / 64] >> (v % 64)) & 1u) + ((b[v / 64] >> (v % 64)) & 1u));
          sum += count * e.fixed_beta[k];
        }
        sums[static_cast<size_t>(i)] += sum;
      }
    });
  }
}

void GeneticValueSums::combine(const Communicator& comm) {
  for (auto& sums : sums_) comm.allreduce_sum_inplace(sums);
}

namespace {

// Mean and population variance, summed in individual order (the same bits on every rank).
void moments(const std::vector<double>& x, double& mean, double& variance) {
  double sum = 0;
  for (double v : x) sum += v;
  mean = sum / static_cast<double>(x.size());
  double squares = 0;
  for (double v : x) squares += (v - mean) * (v - mean);
  variance = squares / static_cast<double>(x.size());
}

}  // namespace

std::vector<TraitValues> trait_values(const std::vector<TraitSpec>& traits, const std::vector<TraitEffects>& effects,
                                      const GeneticValueSums& sums, uint64_t seed) {
  std::vector<TraitValues> out(traits.size());
  for (size_t t = 0; t < traits.size(); ++t) {
    const TraitSpec& spec = traits[t];
    TraitValues& v = out[t];
    const std::vector<int64_t>& fixed = sums.sums(t);
    const size_t n = fixed.size();
    std::vector<double> raw(n);
    for (size_t i = 0; i < n; ++i) raw[i] = std::ldexp(static_cast<double>(fixed[i]), -effects[t].fraction_bits);
    double mean = 0, variance = 0;
    moments(raw, mean, variance);
    SC_EXPECTS(variance > 0, ConfigError,
               spec.key("causal_fraction") + ": the causal variants give every synthetic individual the same genetic value; "
               "expected more causal variants or more individuals");
    // GCTA --simu: effects scaled so that the genetic values have variance h2 in this cohort.
    const double scale = std::sqrt(spec.heritability / variance);
    for (size_t k = 0; k < effects[t].fixed_beta.size(); ++k) v.beta.push_back(scale * effects[t].raw_beta(k));
    v.offset = scale * mean;
    v.genetic.resize(n);
    v.liability.resize(n);
    const double environment_sd = std::sqrt(1 - spec.heritability);
    const kernels::DrawKey key{seed, kernels::DrawPurpose::phenotype_environment, spec.stream};
    for (size_t i = 0; i < n; ++i) {
      v.genetic[i] = scale * (raw[i] - mean);
      v.liability[i] = v.genetic[i] + environment_sd * phenotype_normal(key, i);
    }
    double genetic_mean = 0, genetic_variance = 0, liability_mean = 0, liability_variance = 0;
    moments(v.genetic, genetic_mean, genetic_variance);
    moments(v.liability, liability_mean, liability_variance);
    v.realized_heritability = genetic_variance / liability_variance;
    if (spec.binary) {
      v.threshold = boost::math::quantile(boost::math::complement(boost::math::normal_distribution<double>(0, 1), spec.prevalence));
      v.is_case.resize(n);
      for (size_t i = 0; i < n; ++i) {
        v.is_case[i] = v.liability[i] > v.threshold;
        v.cases += v.is_case[i];
      }
    }
  }
  return out;
}

std::string trait_shard(const std::string& trait) { return shard_name("phenotypes/" + trait, 0); }

void write_trait_shards(StageWriter& writer, const Communicator& comm, const std::vector<TraitSpec>& traits,
                        const std::vector<TraitEffects>& effects, const std::vector<TraitValues>& values, int deflate,
                        std::vector<std::string>& expected) {
  for (size_t t = 0; t < traits.size(); ++t) {
    const std::string shard = trait_shard(traits[t].name);
    expected.push_back(shard);
    if (static_cast<int>(t % static_cast<size_t>(comm.size())) != comm.rank() || writer.committed(shard)) continue;
    ShardFile file = writer.begin(shard);
    file.write("/effects/variant", effects[t].variant, deflate);
    file.write("/effects/alt_frequency", effects[t].alt_frequency, deflate);
    file.write("/effects/beta", values[t].beta, deflate);
    file.write("/offset", std::vector<double>{values[t].offset});
    file.write("/genetic_value", values[t].genetic, deflate);
    file.write("/liability", values[t].liability, deflate);
    if (traits[t].binary) file.write("/is_case", values[t].is_case, deflate);
    writer.commit(file);
  }
}

}  // namespace sc
