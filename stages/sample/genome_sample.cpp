#include "stages/sample/genome_sample.hpp"

#include <algorithm>
#include <chrono>
#include <climits>
#include <cmath>
#include <filesystem>
#include <memory>
#include <cstdio>
#include <stdexcept>

#include "kernels/mosaic/mosaic_kernel.hpp"
#include "pipeline/error.hpp"
#include "pipeline/progress.hpp"
#include "stages/fit/genome_fit.hpp"
#include "stages/ingest/genome_store.hpp"
#include "pipeline/shard_committer.hpp"

namespace sc {
namespace {

void read_options(const Communicator& comm, const Config& config, GenomeSamplePlan& o) {
  o.individuals = config.integer("genome.individuals");
  if (o.individuals < 0 || o.individuals > (int64_t{1} << 40))
    config.reject("genome.individuals", "a number of individuals from 0 to 2^40");
  o.individuals_per_segment_shard = config.integer("genome.individuals_per_segment_shard");
  if (o.individuals_per_segment_shard <= 0) config.reject("genome.individuals_per_segment_shard", "a positive number of individuals");
  const double mutation_rate = config.real("genome.mutation_rate");
  if (!(mutation_rate >= 0 && mutation_rate <= 0.5)) config.reject("genome.mutation_rate", "a probability from 0 to 0.5");
  for (const char* key : {"genome.max_segment_cm", "genome.max_donor_cm"}) {
    const double v = config.real(key);
    if (!(v >= 0) || !std::isfinite(v)) config.reject(key, "a length in cM, 0 or more (0 = no cap)");
  }
  const std::string backend = config.text("genome.backend");
  if (backend != "auto" && backend != "cpu" && backend != "cuda") config.reject("genome.backend", "cpu, cuda or auto");
  const bool gpu_here = backend != "cpu" && comm.all(kernels::mosaic_cuda_available());
  if (backend == "cuda" && !gpu_here)
    config.reject("genome.backend", "a backend this job has: no CUDA device answers on every rank (or the build has no CUDA); use cpu or auto");
  o.use_cuda = backend == "cuda" || (backend == "auto" && gpu_here);
  o.split_draw = config.flag("genome.split_segment_draw");
  o.deflate = static_cast<int>(config.integer("store.compression"));
}

// Each synthetic individual's population: Philox word (seed, genome_population, individual)
// against cumulative integer thresholds of the weights.
std::vector<int32_t> draw_populations(const Config& config, const GenomeModel& model, int64_t individuals) {
  std::vector<std::string> names;
  for (const auto& p : model.populations) names.push_back(p.name);
  const auto given = population_values(config, "genome.population_weights", names, true);
  std::vector<double> weights;
  for (const auto& p : model.populations)
    weights.push_back(given.empty() ? static_cast<double>(p.individuals) : (given.count(p.name) ? given.at(p.name) : 0.0));
  double total = 0;
  for (double w : weights) total += w;
  if (!(total > 0)) config.reject("genome.population_weights", "at least one population with a weight above 0");
  // thresholds[p] = round(2^32 * cumulative share), the last one 2^32: word < thresholds[p] picks p.
  std::vector<uint64_t> thresholds;
  double cumulative = 0;
  for (double w : weights) {
    cumulative += w;
    thresholds.push_back(static_cast<uint64_t>(std::llround(cumulative / total * 4294967296.0)));
  }
  thresholds.back() = uint64_t{1} << 32;
  std::vector<int32_t> population(static_cast<size_t>(individuals));
  const kernels::DrawKey key{static_cast<uint64_t>(config.integer("run.seed")), kernels::DrawPurpose::genome_population, 0};
  for (int64_t i = 0; i < individuals; ++i) {
    const uint64_t word = kernels::draw_words(key, static_cast<uint64_t>(i), 0).w[0];
    int32_t p = 0;
    while (word >= thresholds[static_cast<size_t>(p)]) ++p;
    population[static_cast<size_t>(i)] = p;
  }
  return population;
}

kernels::MosaicArrays mosaic_arrays(const Config& config, const GenomeModel& model, int64_t individuals) {
  kernels::MosaicArrays arrays;
  arrays.seed = static_cast<uint64_t>(config.integer("run.seed"));
  arrays.max_segment_cm = config.real("genome.max_segment_cm");
  arrays.max_donor_cm = config.real("genome.max_donor_cm");
  arrays.mutation_rate = config.real("genome.mutation_rate");
  for (const auto& p : model.populations) {
    kernels::MosaicPopulation population;
    // HAPNEST: T ~ Gamma(2, Ne / N) with N the population's reference individuals.
    population.theta = p.ne / static_cast<double>(p.individuals);
    population.rho = p.rho;
    population.donor_first = static_cast<int64_t>(arrays.donors.size());
    population.donor_count = static_cast<int64_t>(p.donors.size());
    arrays.donors.insert(arrays.donors.end(), p.donors.begin(), p.donors.end());
    arrays.populations.push_back(population);
  }
  for (const auto& c : model.contigs) arrays.contigs.push_back({c.first_cm, c.last_cm, c.first_variant, c.variants});
  arrays.individual_population = draw_populations(config, model, individuals);
  const std::string problem = kernels::mosaic_caps_problem(arrays);
  if (!problem.empty()) config.reject(arrays.max_donor_cm > 0 ? "genome.max_donor_cm" : "genome.holdout_samples", problem);
  return arrays;
}

// Wall seconds and bytes of this rank's phases of sample_genomes, for the stage summary (the
// benchmark's store bandwidth: bytes written / write seconds, bench/genome/run.sh).
struct GenomePhases {
  // write_windows: writing into the page cache and sealing; commit_wait: waiting at the end for
  // the last windows' fsyncs; windows: the whole window loop, from the first read to the last
  // window on disk (the store's write rate in the benchmark is the window bytes over this).
  double draw = 0, read = 0, copy = 0, write_windows = 0, commit_wait = 0, windows = 0, write_segments = 0;
  int64_t window_bytes = 0, segment_bytes = 0;
};

// Seconds since `start`, added to `total`; returns now as the next start.
std::chrono::steady_clock::time_point add_seconds(double& total, std::chrono::steady_clock::time_point start) {
  const auto now = std::chrono::steady_clock::now();
  total += std::chrono::duration<double>(now - start).count();
  return now;
}

int64_t committed_bytes(const StageWriter& writer, const std::string& shard) {
  return static_cast<int64_t>(std::filesystem::file_size(writer.directory() + "/" + shard));
}

// Per phase: the slowest rank's seconds (max is exact, DESIGN.md decision 3) and all ranks' bytes.
nlohmann::json phase_summary(const Communicator& comm, const GenomePhases& p) {
  return {{"draw_seconds_max", comm.allreduce_max(p.draw)},
          {"read_reference_seconds_max", comm.allreduce_max(p.read)},
          {"copy_seconds_max", comm.allreduce_max(p.copy)},
          {"write_windows_seconds_max", comm.allreduce_max(p.write_windows)},
          {"commit_wait_seconds_max", comm.allreduce_max(p.commit_wait)},
          {"windows_seconds_max", comm.allreduce_max(p.windows)},
          {"write_segments_seconds_max", comm.allreduce_max(p.write_segments)},
          {"window_bytes", comm.allreduce_sum(p.window_bytes)},
          {"segment_bytes", comm.allreduce_sum(p.segment_bytes)}};
}

void write_segment_shard(StageWriter& writer, const std::string& name, const kernels::SegmentLists& lists,
                         int64_t first_haplotype, int64_t haplotypes, int deflate) {
  const int64_t first = lists.offsets[static_cast<size_t>(first_haplotype)];
  const int64_t last = lists.offsets[static_cast<size_t>(first_haplotype + haplotypes)];
  std::vector<int64_t> offsets;
  for (int64_t h = first_haplotype; h <= first_haplotype + haplotypes; ++h) offsets.push_back(lists.offsets[static_cast<size_t>(h)] - first);
  std::vector<double> start, end, age;
  std::vector<int32_t> donor, contig;
  // Sized once: growing them by doubling faulted in and copied every column several times.
  const size_t count = static_cast<size_t>(last - first);
  start.reserve(count);
  end.reserve(count);
  age.reserve(count);
  donor.reserve(count);
  contig.reserve(count);
  for (int64_t s = first; s < last; ++s) {
    const kernels::MosaicSegment& segment = lists.segments[static_cast<size_t>(s)];
    start.push_back(segment.start_cm);
    end.push_back(segment.end_cm);
    age.push_back(segment.age);
    donor.push_back(segment.donor);
    contig.push_back(segment.contig);
  }
  ShardFile file = writer.begin(name);
  file.write("/first_haplotype", std::vector<int64_t>{first_haplotype});
  file.write("/segment_offsets", offsets);
  file.write("/start_cm", start, deflate);
  file.write("/end_cm", end, deflate);
  file.write("/age", age, deflate);
  file.write("/donor", donor, deflate);
  file.write("/contig", contig, deflate);
  writer.commit(file);
}

// Longest piece copied (cM, within its contig's span) and segments per donor haplotype.
nlohmann::json provenance_summary(const kernels::MosaicArrays& arrays, const GenomeModel& model,
                                  const kernels::SegmentLists& lists) {
  double longest = 0, total_cm = 0;
  std::vector<int64_t> uses(static_cast<size_t>(2 * model.reference_individuals), 0);
  for (const auto& s : lists.segments) {
    const double length = std::min(s.end_cm, arrays.contigs[static_cast<size_t>(s.contig)].last_cm) - s.start_cm;
    longest = std::max(longest, length);
    total_cm += length;
    ++uses[static_cast<size_t>(s.donor)];
  }
  int64_t max_uses = 0, total_uses = 0;
  for (int32_t d : arrays.donors) {
    max_uses = std::max(max_uses, uses[static_cast<size_t>(d)]);
    total_uses += uses[static_cast<size_t>(d)];
  }
  const double donors = static_cast<double>(arrays.donors.size());
  const double segments = static_cast<double>(lists.segments.size());
  return {{"segments", lists.segments.size()},
          {"longest_segment_cm", longest},
          {"mean_segment_cm", segments > 0 ? total_cm / segments : 0.0},
          {"donor_haplotypes", arrays.donors.size()},
          {"max_uses_per_donor", max_uses},
          {"mean_uses_per_donor", donors > 0 ? static_cast<double>(total_uses) / donors : 0.0}};
}

// One window's allele ages as the kernel takes them: generations per variant and the ancestral
// alleles packed like a haplotype row.
struct AlleleAgeWindow {
  std::vector<double> generations;
  std::vector<uint64_t> ancestral_bits;
};
AlleleAgeWindow read_allele_age_window(const std::string& path, int64_t variants) {
  const h5::File file = h5::File::open_read(path);
  AlleleAgeWindow out;
  out.generations = file.read<double>("/allele_age");
  const std::vector<uint8_t> alt_ancestral = file.read<uint8_t>("/alt_ancestral");
  SC_EXPECTS(static_cast<int64_t>(out.generations.size()) == variants && alt_ancestral.size() == out.generations.size(), IoError,
             path + ": allele ages do not match the window's variants");
  out.ancestral_bits.assign(static_cast<size_t>((variants + 63) / 64), 0);
  for (int64_t v = 0; v < variants; ++v)
    out.ancestral_bits[static_cast<size_t>(v / 64)] |= static_cast<uint64_t>(alt_ancestral[static_cast<size_t>(v)] & 1u) << (v % 64);
  return out;
}

// Every haplotype's segment list on every rank, each drawn once: rank r draws the r-th contiguous
// share of the haplotypes and the shares are joined by all-gathers (the lists of each rank's
// windows may come from any haplotype, and each rank writes the provenance of its individuals). A
// list depends only on its haplotype, so the joined lists are the ones a single rank drawing all
// of them gets, bit for bit. Only with genome.split_segment_draw: it divides the draw by the rank
// count where ranks have cores of their own, but on the shared 2-core machine of
// docs/benchmarks.md the all-gather cost what it saved, and each rank holds its share and the
// joined lists at once while gathering. MPI counts are ints: past 2^31 - 1 segments in all, every
// rank draws every list instead (the same lists again).
kernels::SegmentLists draw_segments_across_ranks(const Communicator& comm, const kernels::MosaicArrays& arrays) {
  const int64_t haplotypes = arrays.haplotypes();
  if (comm.size() == 1) return kernels::draw_segments_cpu(arrays);
  const int64_t first = haplotypes * comm.rank() / comm.size(), last = haplotypes * (comm.rank() + 1) / comm.size();
  kernels::SegmentLists mine = kernels::draw_segments_cpu(arrays, first, last - first);
  const int64_t total = comm.allreduce_sum<int64_t>(static_cast<int64_t>(mine.segments.size()));
  if (total > INT_MAX) {
    mine = {};
    return kernels::draw_segments_cpu(arrays);
  }
  std::vector<int64_t> counts(static_cast<size_t>(last - first));
  for (size_t h = 0; h < counts.size(); ++h) counts[h] = mine.offsets[h + 1] - mine.offsets[h];
  const std::vector<int64_t> all_counts = comm.allgatherv(counts);  // rank order = haplotype order
  kernels::SegmentLists lists;
  lists.offsets.assign(static_cast<size_t>(haplotypes) + 1, 0);
  for (int64_t h = 0; h < haplotypes; ++h)
    lists.offsets[static_cast<size_t>(h) + 1] = lists.offsets[static_cast<size_t>(h)] + all_counts[static_cast<size_t>(h)];
  lists.segments = comm.allgatherv_records(mine.segments);  // rank order = haplotype order
  return lists;
}

}  // namespace

std::string synthetic_sample_name(int64_t individual) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "SYN%08lld", static_cast<long long>(individual + 1));
  return buffer;
}

GenomeSamplePlan plan_genome_sample(const StageContext& context, const StageReader& fit) {
  GenomeSamplePlan plan;
  read_options(context.comm, context.config, plan);
  if (plan.individuals == 0) return plan;
  plan.model = read_genome_model(fit);
  plan.arrays = mosaic_arrays(context.config, plan.model, plan.individuals);
  if (!plan.model.allele_age_file.empty())
    for (size_t w = 0; w < plan.model.window_variants.size(); ++w)
      plan.allele_age_paths.push_back(fit.path(shard_name("genome/allele_ages", static_cast<int64_t>(w))));
  return plan;
}

GenomeSampleSummary sample_genomes(const StageContext& context, const StageReader& ingest, const GenomeSamplePlan& options,
                                   StageWriter& writer, std::vector<std::string>& expected, const SyntheticWindowVisitor& visit) {
  const Communicator& comm = context.comm;
  GenomeSampleSummary out;
  if (options.individuals == 0) {
    out.summary = {{"individuals", 0}};
    return out;
  }
  const GenomeModel& model = options.model;
  const kernels::MosaicArrays& arrays = options.arrays;
  std::vector<std::string> windows = ingest.shards("genomes/reference");
  std::sort(windows.begin(), windows.end());
  SC_EXPECTS(windows.size() == model.window_variants.size(), InputError,
             "the genome model was fitted on another ingest (window count differs)");

  GenomePhases phases;
  auto clock = std::chrono::steady_clock::now();
  kernels::SegmentLists lists;
  try {
    lists = options.use_cuda     ? kernels::draw_segments_cuda(arrays)
            : options.split_draw ? draw_segments_across_ranks(comm, arrays)
                                 : kernels::draw_segments_cpu(arrays);
  } catch (const std::runtime_error& e) {
    throw Error(ExitCode::cuda, "CUDA error", std::string("drawing genome segments: ") + e.what());
  }
  add_seconds(phases.draw, clock);

  const int64_t haplotypes = arrays.haplotypes();
  Progress progress(comm, "sample", "genome windows", static_cast<int64_t>(windows.size()), "variants");
  // Which of this rank's windows an interrupted run committed, asked before the committer starts:
  // the StageWriter takes no other call while it commits on the committer's thread.
  std::vector<std::string> window_shards;
  std::vector<uint8_t> resumed(windows.size(), 0);
  for (size_t w = 0; w < windows.size(); ++w) {
    window_shards.push_back(genome_window_shard("genomes/synthetic", static_cast<int64_t>(w)));
    expected.push_back(window_shards.back());
    if (static_cast<int>(w % static_cast<size_t>(comm.size())) == comm.rank()) resumed[w] = writer.committed(window_shards[w]);
  }
  const auto windows_start = std::chrono::steady_clock::now();
  int64_t first_variant = 0;
  std::vector<uint64_t> synthetic;  // the copied window, its storage kept from window to window
  std::vector<int64_t> cursors;     // per haplotype, where its copy of this rank's previous window ended
  // The GPU's copier keeps the segment lists (and the cursors) on the device across this rank's windows.
  std::unique_ptr<kernels::MosaicCudaCopier> gpu_copier;
  try {
    if (options.use_cuda) gpu_copier = std::make_unique<kernels::MosaicCudaCopier>(arrays, lists);
  } catch (const std::runtime_error& e) {
    throw Error(ExitCode::cuda, "CUDA error", std::string("uploading genome segments: ") + e.what());
  }
  {
    // Each window's fsync and rename run on the committer's thread while this one copies and
    // writes the next window, so the disk writes one window back while the next one is made and
    // copied into the page cache, rather than standing idle between one window's fsync and the
    // next one's (docs/benchmarks.md, "Uncompressed store writes against dd").
    ShardCommitter committer(writer);
    for (size_t w = 0; w < windows.size(); ++w) {
      const std::string& shard = window_shards[w];
      const int64_t window_first = first_variant;
      first_variant += model.window_variants[w];
      if (static_cast<int>(w % static_cast<size_t>(comm.size())) != comm.rank()) continue;
      if (resumed[w]) {
        if (visit) visit(window_first, read_genome_window(h5::File::open_read(writer.directory() + "/" + shard), static_cast<int64_t>(w)));
        continue;
      }
      clock = std::chrono::steady_clock::now();
      GenomeWindow window = read_genome_window(h5::File::open_read(ingest.path(windows[w])), static_cast<int64_t>(w));
      SC_EXPECTS(window.variants() == model.window_variants[w], InputError,
                 ingest.path(windows[w]) + " does not match the fitted genome model (variant count)");
      kernels::ReferenceWindowView view;
      view.bits = window.bits.data();
      view.rows = window.haplotypes;
      view.words = window.words_per_haplotype();
      view.variants = window.variants();
      view.first_variant = window_first;
      view.contig = window.variants() > 0 ? window.contig[0] : 0;
      view.cm = window.cm.data();
      AlleleAgeWindow ages;
      if (!options.allele_age_paths.empty()) {
        ages = read_allele_age_window(options.allele_age_paths[w], window.variants());
        view.allele_age = ages.generations.data();
        view.ancestral = ages.ancestral_bits.data();
      }
      clock = add_seconds(phases.read, clock);
      try {
        if (gpu_copier) gpu_copier->copy(view, synthetic);
        else kernels::copy_window_cpu(arrays, lists, view, synthetic, &cursors);
      } catch (const std::runtime_error& e) {
        throw Error(ExitCode::cuda, "CUDA error", "copying genome window " + std::to_string(w) + ": " + e.what());
      }
      window.bits.swap(synthetic);
      window.haplotypes = haplotypes;
      clock = add_seconds(phases.copy, clock);
      ShardFile file = writer.begin(shard);
      write_genome_window(file, window, options.deflate);
      writer.seal(file, false);
      phases.window_bytes += static_cast<int64_t>(std::filesystem::file_size(file.temporary_path()));
      committer.commit(std::move(file));
      add_seconds(phases.write_windows, clock);
      if (visit) visit(window_first, window);
      synthetic.swap(window.bits);  // back for the next window
      progress.shard_done(window.variants());
    }
    clock = std::chrono::steady_clock::now();
    committer.finish();
    add_seconds(phases.commit_wait, clock);
  }
  add_seconds(phases.windows, windows_start);

  // The sample table: written by the rank after the last window's, so that it is not always rank 0.
  const std::string samples_shard = genome_samples_shard("genomes/synthetic");
  expected.push_back(samples_shard);
  if (static_cast<int>(windows.size() % static_cast<size_t>(comm.size())) == comm.rank() && !writer.committed(samples_shard)) {
    const GenomeSamples reference = read_genome_samples(h5::File::open_read(ingest.path(genome_samples_shard("genomes/reference"))));
    GenomeSamples samples;
    samples.contigs = reference.contigs;
    for (const auto& p : model.populations) samples.populations.push_back(p.name);
    // genome_store.hpp keeps population names sorted; the model's order is the panel's sorted
    // labels with "unlabelled" last, so map through a sorted copy.
    std::vector<std::string> sorted = samples.populations;
    std::sort(sorted.begin(), sorted.end());
    for (int64_t i = 0; i < options.individuals; ++i) {
      samples.names.push_back(synthetic_sample_name(i));
      const std::string& name = samples.populations[static_cast<size_t>(arrays.individual_population[static_cast<size_t>(i)])];
      samples.population.push_back(static_cast<int32_t>(std::lower_bound(sorted.begin(), sorted.end(), name) - sorted.begin()));
    }
    samples.populations = sorted;
    ShardFile file = writer.begin(samples_shard);
    write_genome_samples(file, samples);
    writer.commit(file);
  }

  // Segment provenance, in blocks of individuals dealt round-robin.
  const int64_t block = options.individuals_per_segment_shard;
  const int64_t blocks = (options.individuals + block - 1) / block;
  for (int64_t b = 0; b < blocks; ++b) {
    const std::string shard = shard_name("genomes/segments", b);
    expected.push_back(shard);
    if (b % comm.size() != comm.rank() || writer.committed(shard)) continue;
    const int64_t first = b * block, count = std::min(block, options.individuals - first);
    clock = std::chrono::steady_clock::now();
    write_segment_shard(writer, shard, lists, 2 * first, 2 * count, options.deflate);
    add_seconds(phases.write_segments, clock);
    phases.segment_bytes += committed_bytes(writer, shard);
  }

  out.summary = provenance_summary(arrays, model, lists);
  out.summary["individuals"] = options.individuals;
  out.summary["haplotypes"] = haplotypes;
  out.summary["windows"] = windows.size();
  out.summary["backend"] = options.use_cuda ? "cuda" : "cpu";
  if (!model.allele_age_file.empty()) out.summary["variants_with_allele_age"] = model.variants_with_age;
  out.phases = phase_summary(comm, phases);
  char line[160];
  std::snprintf(line, sizeof line, "%lld genomes (%s segments, longest %.3f cM, donor uses max %lld mean %.1f)",
                static_cast<long long>(options.individuals), human_count(static_cast<double>(lists.segments.size())).c_str(),
                out.summary["longest_segment_cm"].get<double>(),
                static_cast<long long>(out.summary["max_uses_per_donor"].get<int64_t>()),
                out.summary["mean_uses_per_donor"].get<double>());
  out.line = line;
  return out;
}

}  // namespace sc
