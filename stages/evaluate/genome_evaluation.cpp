#include "stages/evaluate/genome_evaluation.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>

#include "pipeline/error.hpp"
#include "pipeline/genome_holdout.hpp"
#include "pipeline/progress.hpp"
#include "pipeline/stage.hpp"
#include "stages/evaluate/metrics/genome_frequency.hpp"
#include "stages/evaluate/metrics/genome_ld.hpp"
#include "stages/evaluate/metrics/genome_pca.hpp"
#include "stages/evaluate/metrics/genome_relatedness.hpp"
#include "stages/evaluate/shard_pieces.hpp"
#include "stages/ingest/genome_store.hpp"

namespace sc {
namespace {

using metrics::GenomeRole;

nlohmann::json number(double value) { return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr); }

metrics::HaplotypeBits bits_of(const GenomeWindow& window) {
  return {std::span<const uint64_t>(window.bits), window.haplotypes, window.variants()};
}

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

// The two panels, their individuals' roles, and this rank's windows held in memory.
struct Panels {
  Panels(const StageReader& real_stage, const StageReader& synthetic_stage, const GenomeEvaluationOptions& o)
      : real_reader(real_stage), synthetic_reader(synthetic_stage), options(o) {}
  const StageReader& real_reader;
  const StageReader& synthetic_reader;
  const GenomeEvaluationOptions& options;
  std::vector<std::string> real_windows, synthetic_windows;
  int64_t panel = 0, synthetic = 0;     // individuals
  std::vector<bool> training, holdout;  // per panel individual
  std::vector<bool> everyone;           // per synthetic individual
  int64_t training_count = 0, holdout_count = 0;
  std::vector<GenomeRole> roles;        // panel individuals, then synthetic ones
  std::vector<int64_t> own;             // this rank's window indices
  std::vector<GenomeWindow> real, synth;  // this rank's windows, parallel to `own`

  int64_t windows() const { return static_cast<int64_t>(real_windows.size()); }
  GenomeWindow read_real(int64_t w) const {
    return read_genome_window(h5::File::open_read(real_reader.path(real_windows[static_cast<size_t>(w)])), w);
  }
  GenomeWindow read_synthetic(int64_t w) const {
    return read_genome_window(h5::File::open_read(synthetic_reader.path(synthetic_windows[static_cast<size_t>(w)])), w);
  }
  // Position of window w among this rank's windows.
  size_t slot(int64_t w) const { return static_cast<size_t>(std::find(own.begin(), own.end(), w) - own.begin()); }
};

GenomeSamples read_samples(const StageReader& reader, const std::string& group) {
  return read_genome_samples(h5::File::open_read(reader.path(genome_samples_shard(group))));
}

// Why window w of the two panels cannot be compared, or "" when it can.
std::string window_mismatch(const GenomeWindow& real, const GenomeWindow& synth, int64_t panel, int64_t synthetic) {
  const std::string where = "genome window " + std::to_string(real.index) + ": ";
  if (real.haplotypes != 2 * panel) return where + "the real panel's window has " + std::to_string(real.haplotypes) +
                                            " haplotypes, its sample table " + std::to_string(panel) + " individuals";
  if (synth.haplotypes != 2 * synthetic)
    return where + "the synthetic window has " + std::to_string(synth.haplotypes) + " haplotypes, its sample table " +
           std::to_string(synthetic) + " individuals";
  if (real.variants() != synth.variants())
    return where + "the real panel has " + std::to_string(real.variants()) + " variants, the synthetic one " +
           std::to_string(synth.variants()) + " (both stores must have the same variant windows)";
  for (int64_t v = 0; v < real.variants(); ++v) {
    const auto k = static_cast<size_t>(v);
    if (real.position[k] != synth.position[k] || real.contig[k] != synth.contig[k] || real.ref[k] != synth.ref[k] ||
        real.alt[k] != synth.alt[k])
      return where + "variant " + std::to_string(v) + " differs between the real and the synthetic panel (position " +
             std::to_string(real.position[k]) + " against " + std::to_string(synth.position[k]) +
             "; both stores must have the same variant windows)";
  }
  return "";
}

// Checks the panels' shapes (every rank the same) and reads this rank's windows, comparing them.
void load_into(Panels& p, const Communicator& comm, const StageReader& real, const StageReader& synthetic,
               const GenomeEvaluationOptions& options) {
  p.real_windows = real.shards(options.real_group);
  p.synthetic_windows = synthetic.shards(options.synthetic_group);
  if (p.real_windows.size() != p.synthetic_windows.size())
    throw InputError("the real panel (" + real.directory() + ", " + options.real_group + ") has " +
                     std::to_string(p.real_windows.size()) + " genome windows, the synthetic one (" +
                     synthetic.directory() + ", " + options.synthetic_group + ") " +
                     std::to_string(p.synthetic_windows.size()) + "; both must have the same variant windows");
  for (int64_t w = 0; w < p.windows(); ++w)
    if (p.real_windows[static_cast<size_t>(w)] != genome_window_shard(options.real_group, w) ||
        p.synthetic_windows[static_cast<size_t>(w)] != genome_window_shard(options.synthetic_group, w))
      throw IoError("genome windows of " + real.directory() + " or " + synthetic.directory() +
                    " are not numbered 0, 1, ... (window " + std::to_string(w) + " missing)");
  const GenomeSamples real_samples = read_samples(real, options.real_group);
  const GenomeSamples synthetic_samples = read_samples(synthetic, options.synthetic_group);
  if (real_samples.contigs != synthetic_samples.contigs)
    throw InputError("the real and the synthetic panel name different contigs; both must have the same variant windows");
  p.panel = static_cast<int64_t>(real_samples.names.size());
  p.synthetic = static_cast<int64_t>(synthetic_samples.names.size());
  if (options.holdout_samples < 0 || options.holdout_samples >= p.panel)
    throw ConfigError("genome.holdout_samples is " + std::to_string(options.holdout_samples) +
                      "; expected from 0 to the reference panel's individuals minus one (" + std::to_string(p.panel - 1) + ")");
  p.holdout = genome_holdout(options.seed, p.panel, options.holdout_samples);
  for (bool held : p.holdout) p.training.push_back(!held);
  p.everyone.assign(static_cast<size_t>(p.synthetic), true);
  p.holdout_count = options.holdout_samples;
  p.training_count = p.panel - p.holdout_count;
  for (int64_t i = 0; i < p.panel; ++i)
    p.roles.push_back(p.holdout[static_cast<size_t>(i)] ? GenomeRole::holdout : GenomeRole::training);
  p.roles.insert(p.roles.end(), static_cast<size_t>(p.synthetic), GenomeRole::synthetic);

  for (int64_t w = comm.rank(); w < p.windows(); w += comm.size()) {
    p.own.push_back(w);
    p.real.push_back(p.read_real(w));
    p.synth.push_back(p.read_synthetic(w));
    const std::string mismatch = window_mismatch(p.real.back(), p.synth.back(), p.panel, p.synthetic);
    if (!mismatch.empty()) throw InputError(mismatch);
  }
}

Panels load_panels(const Communicator& comm, const StageReader& real, const StageReader& synthetic,
                   const GenomeEvaluationOptions& options) {
  Panels p(real, synthetic, options);
  // A problem seen on any rank stops every rank together with its exit code (no abort).
  std::string problem;
  ExitCode code = ExitCode::input;
  try {
    load_into(p, comm, real, synthetic, options);
  } catch (const Error& e) {
    problem = e.what();
    code = e.code();
  } catch (const std::exception& e) {
    problem = e.what();
    code = ExitCode::io;
  }
  comm.agree_on_error(problem, code);
  return p;
}

// ---- allele frequencies -------------------------------------------------------------------

struct WindowCounts {
  std::vector<int64_t> training, holdout, synthetic;  // ALT counts per variant
};

WindowCounts counts_of(const Panels& p, const GenomeWindow& real, const GenomeWindow& synth) {
  return {metrics::alt_allele_counts(bits_of(real), p.training), metrics::alt_allele_counts(bits_of(real), p.holdout),
          metrics::alt_allele_counts(bits_of(synth), p.everyone)};
}

// Variants whose training minor allele frequency is at least maf_min.
std::vector<bool> maf_at_least(const std::vector<int64_t>& counts, int64_t haplotypes, double maf_min) {
  std::vector<bool> use(counts.size());
  for (size_t v = 0; v < counts.size(); ++v) {
    const int64_t minor = std::min(counts[v], haplotypes - counts[v]);
    use[v] = static_cast<double>(minor) >= maf_min * static_cast<double>(haplotypes);
  }
  return use;
}

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
          {"r2", number(a.r2)},
          {"mean_abs_diff", number(a.mean_abs_diff)},
          {"r2_holdout", number(h.r2)},
          {"mean_abs_diff_holdout", number(h.mean_abs_diff)},
          {"r2_train_vs_holdout", number(b.r2)},
          {"mean_abs_diff_train_vs_holdout", number(b.mean_abs_diff)}};
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
                        {"real", number(real)},
                        {"synthetic", number(synthetic)},
                        {"pairs_real", total.real_pairs[k]},
                        {"pairs_synthetic", total.synthetic_pairs[k]}});
  }
  return {{"bin_cm", ld.bin_cm},
          {"max_cm", ld.max_cm},
          {"maf_min", p.options.ld_maf_min},
          {"bins", out_bins},
          {"mean_abs_diff", number(diff_bins ? diff_sum / static_cast<double>(diff_bins)
                                             : std::numeric_limits<double>::quiet_NaN())}};
}

// ---- kinship and adversarial accuracy -----------------------------------------------------

metrics::GenotypePlanes combined_planes(const GenomeWindow& real, const GenomeWindow& synth, int64_t panel, int64_t synthetic) {
  metrics::GenotypePlanes planes = metrics::genotype_planes(bits_of(real), 0, panel);
  metrics::append_individuals(planes, metrics::genotype_planes(bits_of(synth), 0, synthetic));
  return planes;
}

metrics::NearestRelatives nearest_relatives(const Communicator& comm, const Panels& p) {
  const int64_t n = p.panel + p.synthetic;
  metrics::NearestRelatives nearest(static_cast<size_t>(n));
  // Rows of pairs in blocks whose two int32 counters fit the budget; each block's counts are
  // summed over this rank's windows and then over ranks (exact), and every rank updates the
  // nearest relatives from the same totals.
  const int64_t rows_per_block = std::clamp<int64_t>(p.options.pair_block_bytes / (8 * std::max<int64_t>(n, 1)), 1,
                                                     (int64_t{1} << 30) / std::max<int64_t>(n, 1));
  const int64_t blocks = (n + rows_per_block - 1) / rows_per_block;
  // The planes of this rank's windows, built once for all blocks (three bit planes per individual).
  std::vector<metrics::GenotypePlanes> planes;
  for (size_t k = 0; k < p.own.size(); ++k) planes.push_back(combined_planes(p.real[k], p.synth[k], p.panel, p.synthetic));
  // Heterozygote counts: integers summed over this rank's windows, then over ranks.
  std::vector<int64_t> het(static_cast<size_t>(n), 0);
  for (const auto& window_planes : planes) {
    const auto counts = metrics::heterozygote_counts(window_planes);
    for (int64_t i = 0; i < n; ++i) het[static_cast<size_t>(i)] += counts[static_cast<size_t>(i)];
  }
  comm.allreduce_sum_inplace(het);
  Progress progress(comm, "evaluate", "genome kinship row blocks", blocks * comm.size(), "pairs");
  for (int64_t begin = 0; begin < n; begin += rows_per_block) {
    const int64_t end = std::min(n, begin + rows_per_block);
    std::vector<int32_t> hethet(static_cast<size_t>((end - begin) * n), 0), ibs0(hethet.size(), 0);
    for (const auto& window_planes : planes) metrics::add_pair_counts(window_planes, begin, end, hethet, ibs0);
    comm.allreduce_sum_inplace(hethet);
    comm.allreduce_sum_inplace(ibs0);
    metrics::update_nearest(nearest, p.roles, het, begin, end, hethet, ibs0);
    progress.shard_done((end - begin) * n);
  }
  return nearest;
}

std::vector<double> finite_values(const std::vector<double>& values, const Panels& p, GenomeRole role) {
  std::vector<double> out;
  for (size_t i = 0; i < values.size(); ++i)
    if (p.roles[i] == role && std::isfinite(values[i])) out.push_back(values[i]);
  return out;
}

nlohmann::json histogram(const std::vector<double>& values, const std::vector<double>& edges) {
  std::vector<int64_t> counts(edges.size() > 1 ? edges.size() - 1 : 0, 0);
  for (double v : values) {
    if (counts.empty()) break;
    auto bin = static_cast<int64_t>(std::upper_bound(edges.begin(), edges.end(), v) - edges.begin()) - 1;
    bin = std::clamp<int64_t>(bin, 0, static_cast<int64_t>(counts.size()) - 1);
    ++counts[static_cast<size_t>(bin)];
  }
  return {{"edges", edges}, {"counts", counts}};
}

nlohmann::json max_kinship_json(const std::vector<double>& values, const std::vector<double>& edges) {
  return {{"individuals", values.size()},
          {"median", number(metrics::quantile(values, 0.5))},
          {"p95", number(metrics::quantile(values, 0.95))},
          {"max", number(values.empty() ? std::numeric_limits<double>::quiet_NaN()
                                        : *std::max_element(values.begin(), values.end()))},
          {"histogram", histogram(values, edges)}};
}

nlohmann::json kinship(const Panels& p, const metrics::NearestRelatives& nearest) {
  const std::vector<double> synthetic = finite_values(nearest.max_kinship_to_training, p, GenomeRole::synthetic);
  const std::vector<double> holdout = finite_values(nearest.max_kinship_to_training, p, GenomeRole::holdout);
  // Shared edges: 20 equal bins over the range of both samples.
  std::vector<double> both = synthetic;
  both.insert(both.end(), holdout.begin(), holdout.end());
  std::vector<double> edges;
  if (!both.empty()) {
    double lo = *std::min_element(both.begin(), both.end()), hi = *std::max_element(both.begin(), both.end());
    if (hi - lo < 1e-3) { lo -= 0.0005; hi += 0.0005; }
    for (int e = 0; e <= 20; ++e) edges.push_back(e == 20 ? hi : lo + (hi - lo) * e / 20.0);
  }
  const double holdout_p95 = metrics::quantile(holdout, 0.95);
  const double holdout_max = holdout.empty() ? std::numeric_limits<double>::quiet_NaN()
                                             : *std::max_element(holdout.begin(), holdout.end());
  auto share_above = [&](double threshold) {
    if (!std::isfinite(threshold) || synthetic.empty()) return std::numeric_limits<double>::quiet_NaN();
    return static_cast<double>(std::count_if(synthetic.begin(), synthetic.end(), [&](double k) { return k > threshold; })) /
           static_cast<double>(synthetic.size());
  };
  return {{"estimator", "KING-robust"},
          {"synthetic_max", max_kinship_json(synthetic, edges)},
          {"holdout_max", max_kinship_json(holdout, edges)},
          {"share_closer_than_holdout", number(metrics::share_greater(synthetic, holdout))},
          {"share_above_holdout_p95", number(share_above(holdout_p95))},
          {"share_above_holdout_max", number(share_above(holdout_max))}};
}

nlohmann::json aats(const Panels& p, const metrics::NearestRelatives& nearest) {
  const auto train = metrics::adversarial_accuracy(nearest, p.roles, GenomeRole::training);
  nlohmann::json out = {{"distance", "genotype L1"},
                        {"aa_truth", number(train.aa_truth)},
                        {"aa_synthetic", number(train.aa_synthetic)},
                        {"aats", number(train.aats)}};
  const auto held = metrics::adversarial_accuracy(nearest, p.roles, GenomeRole::holdout);
  out["aats_holdout"] = number(held.aats);
  out["aa_truth_holdout"] = number(held.aa_truth);
  out["aa_synthetic_holdout"] = number(held.aa_synthetic);
  out["privacy_loss"] = number(held.aats - train.aats);
  return out;
}

// ---- PCA ----------------------------------------------------------------------------------

// sum over windows (in window order) of the matrices compute(w) that the windows' owners return.
Eigen::MatrixXd sum_over_windows(const Communicator& comm, const Panels& p,
                                 const std::function<Eigen::MatrixXd(size_t)>& compute) {
  auto pieces = gather_shard_pieces(comm, p.windows(), [&](int64_t w) { return metrics::serialize(compute(p.slot(w))); });
  Eigen::MatrixXd total;
  for (const auto& bytes : pieces) {
    Eigen::MatrixXd piece = metrics::deserialize_matrix(bytes);
    if (total.size() == 0) total = piece;
    else total += piece;
  }
  return total;
}

std::vector<int64_t> indices_where(const std::vector<bool>& flags) {
  std::vector<int64_t> out;
  for (size_t i = 0; i < flags.size(); ++i)
    if (flags[i]) out.push_back(static_cast<int64_t>(i));
  return out;
}

nlohmann::json score_rows(const Eigen::MatrixXd& scores) {
  nlohmann::json rows = nlohmann::json::array();
  for (Eigen::Index i = 0; i < scores.rows(); ++i) {
    nlohmann::json row = nlohmann::json::array();
    for (Eigen::Index c = 0; c < std::min<Eigen::Index>(2, scores.cols()); ++c) row.push_back(number(scores(i, c)));
    rows.push_back(row);
  }
  return rows;
}

nlohmann::json pca(const Communicator& comm, const Panels& p, const std::vector<WindowCounts>& counts) {
  std::vector<metrics::PcaColumns> columns;
  int64_t selected = 0;
  for (size_t k = 0; k < p.own.size(); ++k) {
    columns.push_back(metrics::pca_columns(bits_of(p.real[k]), p.own[k], counts[k].training, 2 * p.training_count,
                                           p.options.pca_maf_min));
    selected += static_cast<int64_t>(columns.back().variants.size());
  }
  selected = comm.allreduce_sum(selected);
  const std::vector<int64_t> train = indices_where(p.training), held = indices_where(p.holdout);
  const std::vector<int64_t> synthetic = indices_where(p.everyone);
  const int64_t components = std::min({p.options.pca_components, p.training_count - 1, selected});
  if (components < 1) return {{"components", 0}, {"variants", selected}, {"explained_variance", nlohmann::json::array()},
                              {"reference", nlohmann::json::array()}, {"synthetic", nlohmann::json::array()}};
  const int64_t width = std::min({components + 10, p.training_count, selected});
  const uint64_t seed = p.options.seed;
  // Range finder with power iterations: Y = X Omega, then Y = X (X^T Q) with Q = orth(Y).
  Eigen::MatrixXd y = sum_over_windows(comm, p, [&](size_t k) {
    return metrics::times(columns[k], train, metrics::rademacher_rows(seed, columns[k], width));
  });
  for (int it = 0; it < p.options.pca_power_iterations; ++it) {
    const Eigen::MatrixXd q = metrics::orthonormal_basis(y);
    y = sum_over_windows(comm, p, [&](size_t k) {
      return metrics::times(columns[k], train, metrics::transpose_times(columns[k], train, q));
    });
  }
  const Eigen::MatrixXd q = metrics::orthonormal_basis(y);
  // Z_w = X_w^T Q stays with the window's owner; the Gram matrix of B = Q^T X is sum Z_w^T Z_w.
  std::vector<Eigen::MatrixXd> z(columns.size());
  for (size_t k = 0; k < columns.size(); ++k) z[k] = metrics::transpose_times(columns[k], train, q);
  const Eigen::MatrixXd gram = sum_over_windows(comm, p, [&](size_t k) { return Eigen::MatrixXd(z[k].transpose() * z[k]); });
  const metrics::PcaAxes axes = metrics::pca_axes(gram, components);
  const Eigen::MatrixXd total_variance = sum_over_windows(comm, p, [&](size_t k) {
    return Eigen::MatrixXd::Constant(1, 1, metrics::squared_norm(columns[k], train));
  });
  Eigen::MatrixXd reference = q * axes.w * axes.singular.asDiagonal();
  // Loadings V_w = Z_w W S^-1 project any individual standardized with the training frequencies.
  const Eigen::VectorXd inverse = axes.singular.unaryExpr([](double s) { return s > 0.0 ? 1.0 / s : 0.0; });
  auto project = [&](bool synthetic_side, const std::vector<int64_t>& individuals) {
    if (individuals.empty()) return Eigen::MatrixXd(0, axes.w.cols());
    return sum_over_windows(comm, p, [&](size_t k) {
      metrics::PcaColumns on = columns[k];
      if (synthetic_side) on.window = bits_of(p.synth[k]);
      return metrics::times(on, individuals, Eigen::MatrixXd(z[k] * axes.w * inverse.asDiagonal()));
    });
  };
  Eigen::MatrixXd synthetic_scores = project(true, synthetic), holdout_scores = project(false, held);
  // A component's sign is arbitrary: the reference individual farthest along it is made positive.
  for (Eigen::Index c = 0; c < reference.cols(); ++c) {
    Eigen::Index far = 0;
    reference.col(c).cwiseAbs().maxCoeff(&far);
    if (reference(far, c) < 0) {
      reference.col(c) *= -1.0;
      if (synthetic_scores.rows()) synthetic_scores.col(c) *= -1.0;
      if (holdout_scores.rows()) holdout_scores.col(c) *= -1.0;
    }
  }
  nlohmann::json explained = nlohmann::json::array();
  for (Eigen::Index c = 0; c < axes.singular.size(); ++c)
    explained.push_back(number(axes.singular(c) * axes.singular(c) / total_variance(0, 0)));
  return {{"components", components},
          {"variants", selected},
          {"maf_min", p.options.pca_maf_min},
          {"power_iterations", p.options.pca_power_iterations},
          {"explained_variance", explained},
          {"reference", score_rows(reference)},
          {"holdout", score_rows(holdout_scores)},
          {"synthetic", score_rows(synthetic_scores)}};
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
  m["pca"] = pca(comm, p, counts);
  result.timings["pca"] = clock.lap();
  log_root(comm, "evaluate", "genomes: PCA done");
  const metrics::NearestRelatives nearest = nearest_relatives(comm, p);
  m["kinship"] = kinship(p, nearest);
  m["aats"] = aats(p, nearest);
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
