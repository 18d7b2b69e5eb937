#include "stages/evaluate/genome_evaluation.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>

#include "pipeline/error.hpp"
#include "pipeline/progress.hpp"
#include "pipeline/stage.hpp"
#include "stages/evaluate/genome_kinship_evaluation.hpp"
#include "stages/evaluate/genome_panels.hpp"
#include "stages/evaluate/genome_pca_evaluation.hpp"
#include "stages/evaluate/metrics/genome_frequency.hpp"
#include "stages/evaluate/metrics/genome_ld.hpp"
#include "stages/evaluate/shard_pieces.hpp"

namespace sc {
namespace {

class Stopwatch {
 public:
  double lap() {
    auto now = std::chrono::steady_clock::now();
    double seconds = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    return seconds;
  }

 private:
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

// ---- allele frequencies -------------------------------------------------------------------

nlohmann::json allele_frequency(const Communicator& comm, const Panels& p, const std::vector<WindowCounts>& counts) {
  const int64_t n_train = 2 * p.training_count, n_hold = 2 * p.holdout_count, n_syn = 2 * p.synthetic;
  auto pieces = gather_shard_pieces(comm, p.windows(), [&](int64_t w) {
    const WindowCounts& c = counts[p.slot(w)];
    const std::vector<bool> use = maf_at_least(c.training, n_train, p.options.af_maf_min);
    metrics::FrequencyPairPiece train_syn, hold_syn, train_hold;
    metrics::add_variants(train_syn, c.training, n_train, c.synthetic, n_syn, use);
    metrics::add_variants(hold_syn, c.holdout, n_hold, c.synthetic, n_syn, use);
    metrics::add_variants(train_hold, c.training, n_train, c.holdout, n_hold, use);
    metrics::ByteWriter out("GAFQ", 1);
    for (const auto* piece : {&train_syn, &hold_syn, &train_hold}) metrics::write(out, *piece);
    return out.take();
  });
  metrics::FrequencyPairPiece train_syn, hold_syn, train_hold;
  for (const auto& bytes : pieces) {
    metrics::ByteReader in(bytes, "GAFQ", 1);
    metrics::merge(train_syn, metrics::read_frequency_pair(in));
    metrics::merge(hold_syn, metrics::read_frequency_pair(in));
    metrics::merge(train_hold, metrics::read_frequency_pair(in));
    in.expect_end();
  }
  const auto a = metrics::frequency_agreement(train_syn, n_train, n_syn);
  const auto h = metrics::frequency_agreement(hold_syn, n_hold, n_syn);
  const auto b = metrics::frequency_agreement(train_hold, n_train, n_hold);
  return {{"variants", a.variants},
          {"maf_min", p.options.af_maf_min},
          {"r2", finite_or_null(a.r2)},
          {"mean_abs_diff", finite_or_null(a.mean_abs_diff)},
          {"r2_holdout", finite_or_null(h.r2)},
          {"mean_abs_diff_holdout", finite_or_null(h.mean_abs_diff)},
          {"r2_train_vs_holdout", finite_or_null(b.r2)},
          {"mean_abs_diff_train_vs_holdout", finite_or_null(b.mean_abs_diff)}};
}

// ---- LD decay -----------------------------------------------------------------------------

void append_to_span(metrics::LdSpan& span, const Panels& p, const GenomeWindow& real, const GenomeWindow& synth,
                    const std::vector<int64_t>& training_counts) {
  span.cm.insert(span.cm.end(), real.cm.begin(), real.cm.end());
  span.contig.insert(span.contig.end(), real.contig.begin(), real.contig.end());
  const std::vector<bool> use = maf_at_least(training_counts, 2 * p.training_count, p.options.ld_maf_min);
  span.use.insert(span.use.end(), use.begin(), use.end());
  metrics::append_variants(span.real, metrics::allele_rows(bits_of(real), p.training));
  metrics::append_variants(span.synthetic, metrics::allele_rows(bits_of(synth), p.everyone));
}

nlohmann::json ld_decay(const Communicator& comm, const Panels& p, const std::vector<WindowCounts>& counts) {
  metrics::LdOptions ld{p.options.ld_bin_cm, p.options.ld_max_cm};
  const int bins = ld.bins();
  Progress progress(comm, "evaluate", "genome LD pairs", p.windows(), "variants");
  auto pieces = gather_shard_pieces(comm, p.windows(), [&](int64_t w) {
    const size_t k = p.slot(w);
    metrics::LdSpan span;
    append_to_span(span, p, p.real[k], p.synth[k], counts[k].training);
    span.own_variants = p.real[k].variants();
    // Later windows, read from the store, while their first variant may pair with this window's last.
    for (int64_t next = w + 1; next < p.windows() && span.own_variants > 0; ++next) {
      GenomeWindow real = p.read_real(next), synth = p.read_synthetic(next);
      if (real.variants() == 0) continue;
      if (real.contig.front() != span.contig.back() || real.cm.front() - span.cm[static_cast<size_t>(span.own_variants - 1)] >= ld.max_cm) break;
      append_to_span(span, p, real, synth, metrics::alt_allele_counts(bits_of(real), p.training));
    }
    metrics::LdPiece piece(bins);
    metrics::add_ld_pairs(piece, span, ld);
    progress.shard_done(span.own_variants);
    return metrics::serialize(piece);
  });
  metrics::LdPiece total(bins);
  for (const auto& bytes : pieces) metrics::merge(total, metrics::deserialize_ld(bytes));
  nlohmann::json out_bins = nlohmann::json::array();
  double diff_sum = 0.0;
  int64_t diff_bins = 0;
  for (int b = 0; b < bins; ++b) {
    const auto k = static_cast<size_t>(b);
    const double real = total.real_pairs[k] ? total.real_sum[k].value() / static_cast<double>(total.real_pairs[k])
                                            : std::numeric_limits<double>::quiet_NaN();
    const double synthetic = total.synthetic_pairs[k]
                                 ? total.synthetic_sum[k].value() / static_cast<double>(total.synthetic_pairs[k])
                                 : std::numeric_limits<double>::quiet_NaN();
    if (std::isfinite(real) && std::isfinite(synthetic)) {
      diff_sum += std::fabs(real - synthetic);
      ++diff_bins;
    }
    // Bin edges rounded to 1e-9 cM, so that 3 x 0.1 reads 0.3.
    auto edge = [](double cm) { return std::round(cm * 1e9) / 1e9; };
    out_bins.push_back({{"cm_from", edge(b * ld.bin_cm)},
                        {"cm_to", edge(std::min(ld.max_cm, (b + 1) * ld.bin_cm))},
                        {"real", finite_or_null(real)},
                        {"synthetic", finite_or_null(synthetic)},
                        {"pairs_real", total.real_pairs[k]},
                        {"pairs_synthetic", total.synthetic_pairs[k]}});
  }
  return {{"bin_cm", ld.bin_cm},
          {"max_cm", ld.max_cm},
          {"maf_min", p.options.ld_maf_min},
          {"bins", out_bins},
          {"mean_abs_diff", finite_or_null(diff_bins ? diff_sum / static_cast<double>(diff_bins)
                                             : std::numeric_limits<double>::quiet_NaN())}};
}

// The generator's own figure, when its stage summary has one (sample stage, genome part).
nlohmann::json longest_copied_segment(const StageReader& synthetic) {
  const nlohmann::json& summary = synthetic.index().contains("summary") ? synthetic.index()["summary"] : nlohmann::json();
  for (const nlohmann::json* where : {&summary, summary.contains("genomes") ? &summary["genomes"] : nullptr}) {
    if (where && where->is_object() && where->contains("longest_copied_segment_cm") &&
        (*where)["longest_copied_segment_cm"].is_number())
      return (*where)["longest_copied_segment_cm"];
  }
  return nullptr;
}

}  // namespace

void add_genome_evaluate_options(po::options_description& options) {
  options.add_options()
      ("evaluate.genome_real_group", po::value<std::string>()->default_value("genomes/reference"),
       "genome group of the real panel in evaluate.real_stage")
      ("evaluate.genome_synthetic_group", po::value<std::string>()->default_value("genomes/synthetic"),
       "genome group of the synthetic panel in evaluate.synthetic_stage")
      ("evaluate.genome_af_maf_min", po::value<double>()->default_value(0.0),
       "allele-frequency agreement over variants whose training minor allele frequency is at least this")
      ("evaluate.genome_ld_maf_min", po::value<double>()->default_value(0.05), "LD decay: training MAF of both variants")
      ("evaluate.genome_ld_bin_cm", po::value<double>()->default_value(0.1), "LD decay: bin width in cM")
      ("evaluate.genome_ld_max_cm", po::value<double>()->default_value(1.0), "LD decay: largest pair distance in cM")
      ("evaluate.genome_pca_components", po::value<int64_t>()->default_value(10), "PCA: principal components")
      ("evaluate.genome_pca_maf_min", po::value<double>()->default_value(0.05), "PCA: training MAF of the variants used")
      ("evaluate.genome_pca_power_iterations", po::value<int64_t>()->default_value(4),
       "PCA: power iterations of the randomized SVD")
      ("evaluate.genome_pair_block_mb", po::value<int64_t>()->default_value(512),
       "kinship: memory (MiB) of pair counters per block of individuals");
}

GenomeEvaluationOptions read_genome_evaluation_options(const Config& config) {
  GenomeEvaluationOptions o;
  o.seed = static_cast<uint64_t>(config.integer("run.seed"));
  o.holdout_samples = config.integer("genome.holdout_samples");
  if (o.holdout_samples < 0) config.reject("genome.holdout_samples", "a count of individuals, 0 or more");
  o.real_group = config.text("evaluate.genome_real_group");
  o.synthetic_group = config.text("evaluate.genome_synthetic_group");
  auto share = [&](const char* key) {
    const double v = config.real(key);
    if (!(v >= 0.0 && v <= 0.5)) config.reject(key, "a minor allele frequency from 0 to 0.5");
    return v;
  };
  o.af_maf_min = share("evaluate.genome_af_maf_min");
  o.ld_maf_min = share("evaluate.genome_ld_maf_min");
  o.pca_maf_min = share("evaluate.genome_pca_maf_min");
  o.ld_bin_cm = config.real("evaluate.genome_ld_bin_cm");
  if (!(o.ld_bin_cm > 0.0)) config.reject("evaluate.genome_ld_bin_cm", "a positive distance in cM");
  o.ld_max_cm = config.real("evaluate.genome_ld_max_cm");
  if (!(o.ld_max_cm > 0.0) || o.ld_max_cm / o.ld_bin_cm > 10000)
    config.reject("evaluate.genome_ld_max_cm", "a positive distance in cM, at most 10,000 bins");
  o.pca_components = config.integer("evaluate.genome_pca_components");
  if (o.pca_components < 1 || o.pca_components > 100) config.reject("evaluate.genome_pca_components", "1 to 100");
  const int64_t iterations = config.integer("evaluate.genome_pca_power_iterations");
  if (iterations < 0 || iterations > 20) config.reject("evaluate.genome_pca_power_iterations", "0 to 20");
  o.pca_power_iterations = static_cast<int>(iterations);
  const int64_t block_mb = config.integer("evaluate.genome_pair_block_mb");
  if (block_mb < 1 || block_mb > (int64_t{1} << 20)) config.reject("evaluate.genome_pair_block_mb", "1 to 1048576 MiB");
  o.pair_block_bytes = block_mb << 20;
  return o;
}

bool stage_has_genomes(const StageReader& reader, const std::string& group) {
  return !reader.shards(group).empty() && std::filesystem::exists(reader.path(genome_samples_shard(group)));
}

GenomeEvaluation evaluate_genomes(const Communicator& comm, const StageReader& real, const StageReader& synthetic,
                                  const GenomeEvaluationOptions& options) {
  GenomeEvaluation result;
  Stopwatch clock;
  Panels p = load_panels(comm, real, synthetic, options);
  result.timings["load"] = clock.lap();
  log_root(comm, "evaluate", "genomes: " + std::to_string(p.synthetic) + " synthetic against " +
                                 std::to_string(p.training_count) + " training and " + std::to_string(p.holdout_count) +
                                 " held-out individuals, " + std::to_string(p.windows()) + " windows");
  std::vector<WindowCounts> counts;
  for (size_t k = 0; k < p.own.size(); ++k) counts.push_back(counts_of(p, p.real[k], p.synth[k]));
  nlohmann::json& m = result.metrics;
  m["individuals"] = {{"synthetic", p.synthetic}, {"training", p.training_count}, {"holdout", p.holdout_count}};
  m["windows"] = p.windows();
  m["allele_frequency"] = allele_frequency(comm, p, counts);
  result.timings["allele_frequency"] = clock.lap();
  log_root(comm, "evaluate", "genomes: allele frequencies done");
  m["ld_decay"] = ld_decay(comm, p, counts);
  result.timings["ld_decay"] = clock.lap();
  m["pca"] = evaluate_pca(comm, p, counts);
  result.timings["pca"] = clock.lap();
  log_root(comm, "evaluate", "genomes: PCA done");
  RelatednessMetrics relatedness = evaluate_relatedness(comm, p);
  m["kinship"] = std::move(relatedness.kinship);
  m["aats"] = std::move(relatedness.aats);
  result.timings["kinship_and_aats"] = clock.lap();
  m["longest_copied_segment_cm"] = longest_copied_segment(synthetic);
  result.windows_per_rank = comm.allgather<int64_t>(static_cast<int64_t>(p.own.size()));

  char line[256];
  auto value = [](const nlohmann::json& j) { return j.is_number() ? j.get<double>() : std::nan(""); };
  std::snprintf(line, sizeof line, "genomes: AF r2 %.4f, LD |diff| %.4f, kinship closer than hold-out %.3f, AATS %.3f",
                value(m["allele_frequency"]["r2"]), value(m["ld_decay"]["mean_abs_diff"]),
                value(m["kinship"]["share_closer_than_holdout"]), value(m["aats"]["aats"]));
  result.summary_line = line;
  return result;
}

}  // namespace sc
