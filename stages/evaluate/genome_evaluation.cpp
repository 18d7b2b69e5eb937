#include "stages/evaluate/genome_evaluation.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>

#include "pipeline/error.hpp"
#include "pipeline/progress.hpp"
#include "pipeline/stage.hpp"
#include "stages/evaluate/genome_kinship_evaluation.hpp"
#include "stages/evaluate/genome_panels.hpp"
#include "stages/evaluate/genome_pca_evaluation.hpp"
#include "stages/evaluate/metrics/genome_frequency.hpp"
#include "stages/evaluate/metrics/genome_ld.hpp"
#include "stages/fit/genome_fit_ld.hpp"
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
    const std::vector<bool> use = metrics::maf_at_least(c.training, n_train, p.options.af_maf_min);
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

// A window as LD spans use it: positions, the filter, and the variant-major planes of the
// training and synthetic individuals.
struct LdWindow {
  std::vector<double> cm;
  std::vector<int32_t> contig;
  std::vector<bool> use;
  std::shared_ptr<metrics::VariantPlanes> real, synthetic;
};

// The windows of this rank's spans, each built once: a window's span reaches into the next few
// windows (1 cM is several windows of 10,000 variants), which the rank's next windows need
// again. Windows before the one being paired are dropped and their storage is reused.
class LdWindows {
 public:
  LdWindows(const Panels& p, const std::vector<WindowCounts>& counts) : p_(p), counts_(counts) {}

  const LdWindow& get(int64_t w) {
    auto found = cache_.find(w);
    if (found != cache_.end()) return found->second;
    const size_t k = p_.slot(w);
    const bool own = k < p_.own.size();
    GenomeWindow real_read, synth_read;
    if (!own) {
      real_read = p_.read_real(w);
      synth_read = p_.read_synthetic(w);
    }
    const GenomeWindow& real = own ? p_.real[k] : real_read;
    const GenomeWindow& synth = own ? p_.synth[k] : synth_read;
    const std::vector<int64_t> training = own ? counts_[k].training : metrics::alt_allele_counts(bits_of(real), p_.training);
    LdWindow window{real.cm, real.contig, metrics::maf_at_least(training, 2 * p_.training_count, p_.options.ld_maf_min), nullptr, nullptr};
    window.real = std::make_shared<metrics::VariantPlanes>(metrics::variant_planes(bits_of(real), p_.training, spare()));
    window.synthetic =
        std::make_shared<metrics::VariantPlanes>(metrics::variant_planes(bits_of(synth), p_.everyone, spare()));
    return cache_.emplace(w, std::move(window)).first->second;
  }

  // Forgets the windows before w; their planes' storage serves the next windows built.
  void drop_before(int64_t w) {
    for (auto it = cache_.begin(); it != cache_.end() && it->first < w; it = cache_.erase(it))
      for (auto* planes : {&it->second.real, &it->second.synthetic})
        if (planes->use_count() == 1) spares_.push_back(std::move((*planes)->bits));
  }

 private:
  metrics::VariantPlanes::Storage spare() {
    if (spares_.empty()) return {};
    metrics::VariantPlanes::Storage storage = std::move(spares_.back());
    spares_.pop_back();
    return storage;
  }
  const Panels& p_;
  const std::vector<WindowCounts>& counts_;
  std::map<int64_t, LdWindow> cache_;
  std::vector<metrics::VariantPlanes::Storage> spares_;
};

void append_to_span(metrics::LdSpan& span, const LdWindow& window) {
  span.append(window.cm, window.contig, window.use, window.real, window.synthetic);
}

nlohmann::json ld_decay(const Communicator& comm, const Panels& p, const std::vector<WindowCounts>& counts) {
  metrics::LdOptions ld{p.options.ld_bin_cm, p.options.ld_max_cm};
  const int bins = ld.bins();
  Progress progress(comm, "evaluate", "genome LD pairs", p.windows(), "variants");
  LdWindows windows(p, counts);
  auto pieces = gather_shard_pieces(comm, p.windows(), [&](int64_t w) {
    windows.drop_before(w);
    metrics::LdSpan span;
    append_to_span(span, windows.get(w));
    span.own_variants = static_cast<int64_t>(span.cm.size());
    // Later windows while their first variant may pair with this window's last.
    for (int64_t next = w + 1; next < p.windows() && span.own_variants > 0; ++next) {
      const LdWindow& later = windows.get(next);
      if (later.cm.empty()) continue;
      if (!span.reaches(later.contig.front(), later.cm.front(), ld.max_cm)) break;
      append_to_span(span, later);
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

// evaluate.genome_metrics: names separated by commas (spaces around them allowed), each known.
void read_metric_list(const Config& config, GenomeEvaluationOptions& o) {
  const char* key = "evaluate.genome_metrics";
  const char* expected = "a comma list of one or more of af, ld, pca, kinship, aats";
  o.allele_frequency = o.ld_decay = o.pca = o.kinship = o.aats = false;
  const std::string list = config.text(key);
  size_t from = 0;
  while (true) {
    const size_t comma = std::min(list.find(',', from), list.size());
    std::string name = list.substr(from, comma - from);
    name.erase(0, name.find_first_not_of(" \t"));
    name.erase(name.find_last_not_of(" \t") + 1);
    bool* flag = name == "af" ? &o.allele_frequency : name == "ld" ? &o.ld_decay : name == "pca" ? &o.pca
               : name == "kinship" ? &o.kinship : name == "aats" ? &o.aats : nullptr;
    if (!flag) config.reject(key, std::string(expected) + " (found '" + name + "')");
    *flag = true;
    if (comma == list.size()) break;
    from = comma + 1;
  }
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
       "kinship: memory (MiB) of pair counters per block of individuals")
      ("evaluate.genome_metrics", po::value<std::string>()->default_value("af,ld,pca,kinship,aats"),
       "genome metrics to compute, a comma list of af, ld, pca, kinship, aats");
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
  o.pca_maf_min = share("evaluate.genome_pca_maf_min");
  const LdCurveOptions ld = read_ld_curve_options(config);  // shared with fit's Ne search
  o.ld_maf_min = ld.maf_min;
  o.ld_bin_cm = ld.bin_cm;
  o.ld_max_cm = ld.max_cm;
  o.pca_components = config.integer("evaluate.genome_pca_components");
  if (o.pca_components < 1 || o.pca_components > 100) config.reject("evaluate.genome_pca_components", "1 to 100");
  const int64_t iterations = config.integer("evaluate.genome_pca_power_iterations");
  if (iterations < 0 || iterations > 20) config.reject("evaluate.genome_pca_power_iterations", "0 to 20");
  o.pca_power_iterations = static_cast<int>(iterations);
  const int64_t block_mb = config.integer("evaluate.genome_pair_block_mb");
  if (block_mb < 1 || block_mb > (int64_t{1} << 20)) config.reject("evaluate.genome_pair_block_mb", "1 to 1048576 MiB");
  o.pair_block_bytes = block_mb << 20;
  read_metric_list(config, o);
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
  if (options.allele_frequency) {
    m["allele_frequency"] = allele_frequency(comm, p, counts);
    result.timings["allele_frequency"] = clock.lap();
    log_root(comm, "evaluate", "genomes: allele frequencies done");
  }
  if (options.ld_decay) {
    m["ld_decay"] = ld_decay(comm, p, counts);
    result.timings["ld_decay"] = clock.lap();
  }
  if (options.pca) {
    m["pca"] = evaluate_pca(comm, p, counts);
    result.timings["pca"] = clock.lap();
    log_root(comm, "evaluate", "genomes: PCA done");
  }
  if (options.kinship || options.aats) {
    RelatednessMetrics relatedness = evaluate_relatedness(comm, p);
    if (options.kinship) m["kinship"] = std::move(relatedness.kinship);
    if (options.aats) m["aats"] = std::move(relatedness.aats);
    result.timings[options.kinship && options.aats ? "kinship_and_aats" : options.kinship ? "kinship" : "aats"] = clock.lap();
  }
  m["longest_copied_segment_cm"] = longest_copied_segment(synthetic);
  result.windows_per_rank = comm.allgather<int64_t>(static_cast<int64_t>(p.own.size()));

  char line[256];
  // Skipped metrics print as nan (a const lookup: no key is added to metrics.json).
  const nlohmann::json& metrics = m;
  auto value = [&](const char* pointer) {
    const nlohmann::json::json_pointer at(pointer);
    return metrics.contains(at) && metrics[at].is_number() ? metrics[at].get<double>() : std::nan("");
  };
  std::snprintf(line, sizeof line, "genomes: AF r2 %.4f, LD |diff| %.4f, kinship closer than hold-out %.3f, AATS %.3f",
                value("/allele_frequency/r2"), value("/ld_decay/mean_abs_diff"), value("/kinship/share_closer_than_holdout"),
                value("/aats/aats"));
  result.summary_line = line;
  return result;
}

}  // namespace sc
