#include "stages/ingest/genome_ingest.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <optional>
#include <thread>

#include "pipeline/error.hpp"
#include "pipeline/progress.hpp"
#include "stages/ingest/genetic_map.hpp"
#include "stages/ingest/genome_options.hpp"
#include "stages/ingest/genome_panel_decoder.hpp"
#include "stages/ingest/genome_populations.hpp"
#include "stages/ingest/genome_region_ingest.hpp"
#include "stages/ingest/genome_regions.hpp"
#include "stages/ingest/genome_store.hpp"
#include "stages/ingest/genome_vcf_reader.hpp"
#include "stages/ingest/genome_window_codec.hpp"
#include "stages/ingest/genome_window_queue.hpp"
#include "stages/ingest/sleeping_rendezvous.hpp"

namespace sc {
namespace {

const std::string kGroup = "genomes/reference";
constexpr int kWindowTag = 4207;
// Windows rank 0 may hold before writing any (see GenomeWindowQueue): 256 MiB of packed
// haplotypes, e.g. 5,000 haplotypes x 400,000 sites, are checked whole before the first commit.
constexpr size_t kWindowBudgetBytes = size_t{256} << 20;

// htslib's BGZF inflate threads on rank 0 for a bgzipped VCF: the rank's threads, and never fewer
// than two, so that inflating overlaps the decoder thread's record decoding and packing even at
// one thread per rank, where the other ranks only write their windows and sleep between them
// (docs/benchmarks.md, "Genome ingest of a BCF panel"). A bgzipped BCF is inflated by our own
// batches on TBB's threads instead (bgzf_batch_reader.hpp), and this number is not used for it.
int decompression_threads(const StageContext& context) {
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  return std::max(2, context.threads > 0 ? context.threads : cores);
}

void commit_window(StageWriter& writer, const GenomeWindow& window, int deflate) {
  const std::string name = genome_window_shard(kGroup, window.index);
  if (writer.committed(name)) return;
  ShardFile shard = writer.begin(name);
  write_genome_window(shard, window, deflate);
  writer.commit(shard);
}

// Rank 0's windows that may not be committed or sent yet (GenomeWindowQueue::released): its own
// are written at once into sealed temporary files, so that writing and digesting overlap the
// decoding; the other ranks' wait here, encoded. Dropped uncommitted (temporary files removed)
// when the panel turns out bad.
class HeldWindows {
 public:
  HeldWindows(const Communicator& comm, StageWriter& writer, int deflate) : comm_(comm), writer_(writer), deflate_(deflate) {}

  // Writes the window (rank 0's) into a sealed temporary file, or keeps it for its owner.
  void take(const GenomeWindow& window, int owner) {
    if (owner != 0) {
      outbox_.emplace_back(owner, encode_window(window));
      return;
    }
    const std::string name = genome_window_shard(kGroup, window.index);
    if (writer_.committed(name)) return;  // an interrupted run's
    ShardFile shard = writer_.begin(name);
    write_genome_window(shard, window, deflate_);
    writer_.seal(shard);
    sealed_.push_back(std::move(shard));
  }
  // Commits and sends everything held, in window order within each kind.
  void release() {
    for (ShardFile& shard : sealed_) writer_.commit(shard);
    sealed_.clear();
    for (auto& [owner, bytes] : outbox_) comm_.send_bytes(bytes, owner, kWindowTag);
    outbox_.clear();
  }

 private:
  const Communicator& comm_;
  StageWriter& writer_;
  const int deflate_;
  std::vector<ShardFile> sealed_;
  std::vector<std::pair<int, std::vector<uint8_t>>> outbox_;
};

// The owner ranks wait in a receive for their windows until rank 0 says the stream has ended;
// this tells them, however rank 0 leaves (normally or with an error), so none is left hanging.
class EndOfStream {
 public:
  explicit EndOfStream(const Communicator& comm) : comm_(comm) {}
  ~EndOfStream() {
    for (int rank = 1; rank < comm_.size(); ++rank) {
      try {
        comm_.send_bytes({}, rank, kWindowTag);
      } catch (...) {  // MPI itself failed: the job is ending anyway, and a destructor must not throw
      }
    }
  }
  EndOfStream(const EndOfStream&) = delete;
  EndOfStream& operator=(const EndOfStream&) = delete;

 private:
  const Communicator& comm_;
};

// Rank 0: decodes the panel on a second thread while this one writes each of its windows or keeps
// it for its owner (window i -> rank i % size), committing and sending once the queue releases
// them; then writes the sample table. Returns the summary.
nlohmann::json ingest_on_root(const StageContext& context, const GenomeOptions& options, StageWriter& writer) {
  const Communicator& comm = context.comm;
  EndOfStream end_of_stream(comm);

  PhasedVcfReader reader(options.vcf, options.policies, decompression_threads(context));
  const GeneticMap map = GeneticMap::read(options.map, options.map_format);
  const std::vector<std::string> header_contigs = reader.header_contigs();
  if (!header_contigs.empty()) map.check_contigs_belong_to(header_contigs, options.vcf);
  const SamplePopulations populations = options.populations.empty()
                                            ? no_populations(reader.samples().size())
                                            : read_populations(options.populations, reader.samples());

  GenomeWindowQueue queue(kWindowBudgetBytes);
  PanelTally tally;
  std::exception_ptr decode_error;
  std::thread decoder([&] {
    try {
      tally = decode_panel(reader, map, options.variants_per_window, queue);
      queue.finish(true);
    } catch (...) {
      decode_error = std::current_exception();
      queue.finish(false);
    }
  });
  std::optional<Progress> progress;
  HeldWindows held(comm, writer, options.deflate);
  try {
    while (std::optional<DecodedWindow> item = queue.pop()) {
      const GenomeWindow& window = item->window;
      if (!progress) {
        // The first window tells how much of the file a window takes: the estimate of the total.
        const double estimate = static_cast<double>(window.index + 1) / std::max(item->fraction_read, 1e-9);
        progress.emplace(comm, "ingest", "genome windows", static_cast<int64_t>(std::ceil(std::min(estimate, 1e9))),
                         "variants");
      }
      const int owner = static_cast<int>(window.index % comm.size());
      held.take(window, owner);
      if (queue.released()) held.release();
      // Rank 0 counts its own windows only: Progress scales its count by the rank count.
      if (owner == 0) progress->shard_done(window.variants());
    }
  } catch (...) {
    queue.cancel();
    decoder.join();
    throw;
  }
  decoder.join();
  if (decode_error) std::rethrow_exception(decode_error);
  held.release();

  const std::string samples_shard = genome_samples_shard(kGroup);
  if (!writer.committed(samples_shard)) {
    ShardFile shard = writer.begin(samples_shard);
    write_genome_samples(shard, {reader.samples(), populations.names, populations.of_sample, tally.contigs});
    writer.commit(shard);
  }
  return {{"file", options.vcf},
          {"format", reader.is_bcf() ? "BCF" : "VCF"},
          {"samples", reader.samples().size()},
          {"haplotypes", reader.haplotypes()},
          {"records", tally.records},
          {"variants", tally.variants},
          {"windows", tally.windows},
          {"variants_per_window", options.variants_per_window},
          {"contigs", tally.contigs},
          {"skipped_sites", tally.skipped},
          {"genetic_map", {{"file", options.map}, {"format", map.format() == MapFormat::shapeit ? "shapeit" : "hapmap"}}},
          {"populations", populations.names},
          {"checked_before_first_commit", queue.held_whole_input()}};
}

// Every other rank: commits the windows rank 0 sends until the stream ends. After an error of
// its own it keeps receiving (and dropping) so that rank 0 is never left blocked in a send; the
// error is raised on every rank together afterwards.
void ingest_on_owner(const StageContext& context, const GenomeOptions& options, StageWriter& writer,
                     std::string& problem, ExitCode& code) {
  Progress progress(context.comm, "ingest", "genome windows", 1, "variants");  // only rank 0 prints
  for (;;) {
    // Sleeping, not spinning, between windows: rank 0's decoder needs the cores (mpi_comm.hpp).
    const std::vector<uint8_t> bytes = context.comm.recv_bytes_sleeping(0, kWindowTag);
    if (bytes.empty()) return;
    if (!problem.empty()) continue;
    try {
      const GenomeWindow window = decode_window(bytes);
      commit_window(writer, window, options.deflate);
      progress.shard_done(window.variants());
    } catch (const Error& e) {
      problem = e.what();
      code = e.code();
    } catch (const std::exception& e) {
      problem = e.what();
      code = ExitCode::internal;
    }
  }
}

// Rank 0 decides whether the panel is decoded by regions on every rank (genome_regions.hpp) and
// tells the others, so that all take the same path. Not with on_unsorted = skip: which sites an
// unsorted panel keeps depends on the sites before them, which a region does not see.
std::optional<PanelRegionPlan> agreed_region_plan(const Communicator& comm, const GenomeOptions& options) {
  std::string text;
  if (comm.is_root() && !options.policies.skip_unsorted) {
    if (const auto plan = plan_panel_regions(options.vcf, comm.size(), options.variants_per_window)) {
      nlohmann::json regions = nlohmann::json::array();
      for (const PanelRegion& r : plan->regions) regions.push_back({r.rid, r.begin, r.end});
      text = nlohmann::json({{"index", plan->index}, {"records", plan->records}, {"regions", regions}}).dump();
    }
  }
  comm.broadcast(text);
  if (text.empty()) return std::nullopt;
  const nlohmann::json json = nlohmann::json::parse(text);
  PanelRegionPlan plan;
  plan.index = json["index"];
  plan.records = json["records"];
  for (const auto& r : json["regions"]) plan.regions.push_back({r[0].get<int32_t>(), r[1].get<int64_t>(), r[2].get<int64_t>()});
  return plan;
}

}  // namespace

std::vector<std::string> genome_input_files(const Config& config) {
  const GenomeOptions options = read_genome_options(config);
  if (options.vcf.empty()) return {};
  std::vector<std::string> files = {options.vcf, options.map};
  if (!options.populations.empty()) files.push_back(options.populations);
  return files;
}

GenomeIngestOutcome ingest_genomes(const StageContext& context, StageWriter& writer) {
  const Communicator& comm = context.comm;
  const GenomeOptions options = read_genome_options(context.config);
  GenomeIngestOutcome outcome;
  if (options.vcf.empty()) return outcome;

  const auto started = std::chrono::steady_clock::now();
  std::string problem, summary;
  ExitCode code = ExitCode::ok;
  if (const auto plan = agreed_region_plan(comm, options)) {
    RegionIngestResult result = ingest_panel_by_regions(context, options, *plan, writer, kGroup, kWindowBudgetBytes,
                                                        decompression_threads(context));
    problem = result.problem;
    code = result.code;
    if (comm.is_root()) summary = result.summary.dump();
  } else if (comm.is_root()) {
    try {
      summary = ingest_on_root(context, options, writer).dump();
    } catch (const Error& e) {
      problem = e.what();
      code = e.code();
    } catch (const std::exception& e) {
      problem = e.what();
      code = ExitCode::internal;
    }
  } else {
    ingest_on_owner(context, options, writer, problem, code);
  }
  // Rank 0 is done once it has sent the last window, its owner only once that one is written.
  sleep_until_every_rank_arrives(comm);
  comm.agree_on_error(problem, code);
  comm.broadcast(summary);
  outcome.summary = nlohmann::json::parse(summary);

  const int64_t windows = outcome.summary["windows"].get<int64_t>();
  outcome.shards.push_back(genome_samples_shard(kGroup));
  for (int64_t w = 0; w < windows; ++w) outcome.shards.push_back(genome_window_shard(kGroup, w));
  int64_t skipped = 0;
  std::string skipped_text;
  for (const auto& [problem_kind, count] : outcome.summary["skipped_sites"].items()) {
    skipped += count.get<int64_t>();
    if (count.get<int64_t>() > 0) skipped_text += (skipped_text.empty() ? "" : ", ") + std::to_string(count.get<int64_t>()) + " " + problem_kind;
  }
  const int64_t variants = outcome.summary["variants"].get<int64_t>();
  outcome.summary_line = "genomes " + std::to_string(outcome.summary["samples"].get<int64_t>()) + " samples x " +
                         std::to_string(variants) + " variants in " + std::to_string(windows) + " windows" +
                         (skipped ? " (skipped " + skipped_text + " sites)" : "");
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  log_root(comm, "ingest",
           "genomes: " + std::to_string(variants) + " variants x " +
               std::to_string(outcome.summary["haplotypes"].get<int64_t>()) + " haplotypes, " +
               std::to_string(windows) + " windows, " + std::to_string(skipped) + " sites skipped, " +
               human_count(static_cast<double>(variants) / std::max(seconds, 1e-9)) + " variants/s");
  return outcome;
}

}  // namespace sc
