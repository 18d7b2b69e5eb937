#include "stages/evaluate/genome_panels.hpp"

#include <algorithm>
#include <cmath>

#include "pipeline/agreed_step.hpp"
#include "pipeline/error.hpp"
#include "pipeline/genome_holdout.hpp"
#include "stages/evaluate/metrics/genome_frequency.hpp"

namespace sc {
namespace {

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

}  // namespace

metrics::HaplotypeBits bits_of(const GenomeWindow& window) {
  return {std::span<const uint64_t>(window.bits), window.haplotypes, window.variants()};
}

nlohmann::json finite_or_null(double value) { return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr); }

Panels load_panels(const Communicator& comm, const StageReader& real, const StageReader& synthetic,
                   const GenomeEvaluationOptions& options) {
  Panels p(real, synthetic, options);
  // A problem seen on any rank stops every rank together with its exit code (no abort).
  run_agreed_step(comm, [&] { load_into(p, comm, real, synthetic, options); }, ExitCode::io);
  return p;
}

WindowCounts counts_of(const Panels& p, const GenomeWindow& real, const GenomeWindow& synth) {
  return {metrics::alt_allele_counts(bits_of(real), p.training), metrics::alt_allele_counts(bits_of(real), p.holdout),
          metrics::alt_allele_counts(bits_of(synth), p.everyone)};
}

}  // namespace sc
