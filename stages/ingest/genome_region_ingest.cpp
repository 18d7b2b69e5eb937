#include "stages/ingest/genome_region_ingest.hpp"

#include <htslib/hts.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "pipeline/progress.hpp"
#include "stages/ingest/bit_transpose.hpp"
#include "stages/ingest/genetic_map.hpp"
#include "stages/ingest/genome_populations.hpp"
#include "stages/ingest/genome_store.hpp"
#include "stages/ingest/genome_vcf_reader.hpp"
#include "stages/ingest/genome_window_codec.hpp"
#include "stages/ingest/haplotype_window_bits.hpp"
#include "stages/ingest/sleeping_rendezvous.hpp"

namespace sc {
namespace {

constexpr int kCursorTag = 4208;
constexpr SiteProblem kProblems[] = {SiteProblem::unsorted, SiteProblem::multiallelic, SiteProblem::missing,
                                     SiteProblem::unphased};

// One region as decoded: its kept sites (genotypes as site-major rows) and what went wrong first.
struct RegionSites {
  int64_t records = 0;
  std::array<int64_t, 4> skipped{};
  std::string contig;  // the region's contig (every region lies in one)
  std::vector<int64_t> position;
  std::vector<double> cm;
  std::vector<std::string> id, ref, alt;
  std::vector<uint64_t> rows;  // words_for_bits(haplotypes) words per kept site
  // The first problem: at region record `problem_record`, `problem_detail` following the record's
  // location in the message; or, for a problem with no record (`problem_record` 0), the message.
  bool failed = false;
  int64_t problem_record = 0;
  std::string problem_detail;
  ExitCode problem_code = ExitCode::ok;

  int64_t sites() const { return static_cast<int64_t>(position.size()); }
};

// `rows` is a buffer to reuse (an earlier region's, handed back): its pages are faulted in already.
RegionSites decode_region(PhasedVcfReader& reader, const PanelRegionPlan& plan, const PanelRegion& region,
                          const GeneticMap& map, const std::vector<std::string>& header_contigs,
                          std::vector<uint64_t> rows) {
  RegionSites out;
  out.rows = std::move(rows);
  out.rows.clear();
  const int64_t words = words_for_bits(reader.haplotypes());
  out.contig = header_contigs.at(static_cast<size_t>(region.rid));
  const ContigMap* contig_map = nullptr;
  // Room for a region's share of the records and a quarter more (regions hold about equal
  // bytes): grown a site at a time, the rows would be copied at every doubling, and each new
  // buffer's pages faulted in again (a third of the kernel's time at 2 ranks, docs/benchmarks.md).
  const int64_t expected_sites = plan.records / std::max<int64_t>(1, static_cast<int64_t>(plan.regions.size())) * 5 / 4;
  out.rows.reserve(static_cast<size_t>(expected_sites * words));
  PhasedSite site;
  try {
    reader.read_region(plan.index, region.rid, region.begin, region.end);
    for (;;) {
      out.rows.resize(out.rows.size() + static_cast<size_t>(words));
      if (!reader.next(site, out.rows.data() + out.rows.size() - words, 1)) break;
      if (!contig_map) {
        contig_map = map.find(out.contig);
        if (!contig_map)  // the stream decoder's message (genome_panel_decoder.cpp)
          throw InputError(reader.location() + ": column 1 (CHROM): contig " + out.contig +
                           " has no positions in the genetic map " + map.path() +
                           "; expected a map that covers every contig of the panel");
      }
      out.position.push_back(site.position);
      out.cm.push_back(contig_map->cm_at(site.position));
      out.id.push_back(std::move(site.id));
      out.ref.push_back(std::move(site.ref));
      out.alt.push_back(std::move(site.alt));
    }
  } catch (const Error& e) {
    out.failed = true;
    out.problem_code = e.code();
    const std::string located = reader.location(), message = e.what();
    if (reader.records_read() > 0 && message.compare(0, located.size(), located) == 0) {
      out.problem_record = reader.records_read();
      out.problem_detail = message.substr(located.size());
    } else {
      out.problem_detail = message;
    }
  } catch (const std::exception& e) {
    out.failed = true;
    out.problem_code = ExitCode::internal;
    out.problem_detail = e.what();
  }
  out.rows.resize(static_cast<size_t>(out.sites() * words));
  out.records = reader.records_read();
  const auto skipped = reader.skipped();
  for (size_t p = 0; p < 4; ++p) out.skipped[p] = skipped.at(to_string(kProblems[p]));
  return out;
}

// The decoding thread of a rank: its regions in order, at most two ahead of the main thread.
class RegionDecoder {
 public:
  RegionDecoder(PhasedVcfReader& reader, const PanelRegionPlan& plan, std::vector<size_t> mine, const GeneticMap& map,
                std::vector<std::string> header_contigs)
      : thread_([this, &reader, &plan, mine = std::move(mine), &map, contigs = std::move(header_contigs)] {
          bool failed = false;
          for (size_t r : mine) {
            // After a problem the rest of the file no longer counts: pass empty regions on.
            RegionSites sites = failed ? RegionSites() : decode_region(reader, plan, plan.regions[r], map, contigs, spare_rows());
            failed = failed || sites.failed;
            std::unique_lock lock(mutex_);
            changed_.wait(lock, [&] { return stop_ || ready_.size() < 2; });
            if (stop_) return;
            ready_.push_back(std::move(sites));
            changed_.notify_all();
          }
        }) {}
  ~RegionDecoder() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }
  // The main thread hands back the rows of a region it is done with.
  void recycle(std::vector<uint64_t> rows) {
    std::lock_guard lock(mutex_);
    if (spare_.size() < 2) spare_.push_back(std::move(rows));
  }
  RegionSites next() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !ready_.empty(); });
    RegionSites sites = std::move(ready_.front());
    ready_.pop_front();
    changed_.notify_all();
    return sites;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<uint64_t> spare_rows() {
    std::lock_guard lock(mutex_);
    if (spare_.empty()) return {};
    std::vector<uint64_t> rows = std::move(spare_.back());
    spare_.pop_back();
    return rows;
  }

  std::deque<RegionSites> ready_;
  std::vector<std::vector<uint64_t>> spare_;
  bool stop_ = false;
  std::thread thread_;  // last: starts once the members above exist
};

// What region i's rank hands to region i+1's (see the header).
struct PanelCursor {
  int64_t records = 0, variants = 0, windows = 0, checked_bytes = 0;
  std::array<int64_t, 4> skipped{};
  std::vector<std::string> contigs;
  std::string problem;
  ExitCode code = ExitCode::ok;
  GenomeWindow partial;            // the unfinished window; its genotypes in partial_rows
  std::vector<uint64_t> partial_rows;
};

std::vector<uint8_t> encode_cursor(const PanelCursor& cursor) {
  const nlohmann::json head = {{"records", cursor.records},   {"variants", cursor.variants},
                               {"windows", cursor.windows},   {"checked_bytes", cursor.checked_bytes},
                               {"skipped", cursor.skipped},   {"contigs", cursor.contigs},
                               {"problem", cursor.problem},   {"code", static_cast<int>(cursor.code)}};
  const std::string text = head.dump();
  GenomeWindow partial = cursor.partial;  // without bits: the rows travel after it
  partial.bits.clear();
  partial.haplotypes = 0;
  const std::vector<uint8_t> window = encode_window(partial);
  std::vector<uint8_t> out;
  auto put_size = [&](uint64_t n) { out.insert(out.end(), reinterpret_cast<uint8_t*>(&n), reinterpret_cast<uint8_t*>(&n) + 8); };
  put_size(text.size());
  out.insert(out.end(), text.begin(), text.end());
  put_size(window.size());
  out.insert(out.end(), window.begin(), window.end());
  const auto* rows = reinterpret_cast<const uint8_t*>(cursor.partial_rows.data());
  out.insert(out.end(), rows, rows + cursor.partial_rows.size() * sizeof(uint64_t));
  return out;
}

PanelCursor decode_cursor(const std::vector<uint8_t>& bytes) {
  auto damaged = [] { return IoError("a genome region cursor arrived damaged (shorter than its own lengths say)"); };
  size_t pos = 0;
  auto take = [&](size_t n) {
    if (n > bytes.size() - pos) throw damaged();
    const uint8_t* p = bytes.data() + pos;
    pos += n;
    return p;
  };
  auto get_size = [&] {
    uint64_t n;
    std::memcpy(&n, take(8), 8);
    return static_cast<size_t>(n);
  };
  PanelCursor cursor;
  const size_t text_size = get_size();
  const auto* text = reinterpret_cast<const char*>(take(text_size));
  const nlohmann::json head = nlohmann::json::parse(text, text + text_size);
  cursor.records = head["records"];
  cursor.variants = head["variants"];
  cursor.windows = head["windows"];
  cursor.checked_bytes = head["checked_bytes"];
  cursor.skipped = head["skipped"].get<std::array<int64_t, 4>>();
  cursor.contigs = head["contigs"].get<std::vector<std::string>>();
  cursor.problem = head["problem"];
  cursor.code = static_cast<ExitCode>(head["code"].get<int>());
  const size_t window_size = get_size();
  const uint8_t* window = take(window_size);
  cursor.partial = decode_window(std::vector<uint8_t>(window, window + window_size));
  const size_t row_bytes = bytes.size() - pos;
  if (row_bytes % sizeof(uint64_t) != 0) throw damaged();
  cursor.partial_rows.resize(row_bytes / sizeof(uint64_t));
  std::memcpy(cursor.partial_rows.data(), take(row_bytes), row_bytes);
  return cursor;
}

// A site of the sequence "unfinished window, then this region's sites".
struct SiteSource {
  const PanelCursor& cursor;
  const RegionSites& region;
  int32_t region_contig;
  int64_t words;
  int64_t carried() const { return cursor.partial.variants(); }
  const uint64_t* row(int64_t i) const {
    return i < carried() ? &cursor.partial_rows[static_cast<size_t>(i * words)]
                         : &region.rows[static_cast<size_t>((i - carried()) * words)];
  }
  void append(GenomeWindow& window, int64_t i) const {
    const auto k = static_cast<size_t>(i < carried() ? i : i - carried());
    if (i < carried()) {
      const GenomeWindow& from = cursor.partial;
      window.position.push_back(from.position[k]);
      window.cm.push_back(from.cm[k]);
      window.contig.push_back(from.contig[k]);
      window.id.push_back(from.id[k]);
      window.ref.push_back(from.ref[k]);
      window.alt.push_back(from.alt[k]);
    } else {
      window.position.push_back(region.position[k]);
      window.cm.push_back(region.cm[k]);
      window.contig.push_back(region_contig);
      window.id.push_back(region.id[k]);
      window.ref.push_back(region.ref[k]);
      window.alt.push_back(region.alt[k]);
    }
  }
};

class RegionPipeline {
 public:
  RegionPipeline(const StageContext& context, const GenomeOptions& options, const PanelRegionPlan& plan,
                 StageWriter& writer, const std::string& group, size_t budget_bytes, int64_t haplotypes)
      : comm_(context.comm), options_(options), plan_(plan), writer_(writer), group_(group), budget_(budget_bytes),
        haplotypes_(haplotypes), words_(words_for_bits(haplotypes)), bits_(haplotypes, options.variants_per_window) {}

  // Region `r` (this rank's) with its decoded sites; returns the cursor after it (on the last
  // region's rank, the final one).
  PanelCursor take(size_t r, const RegionSites& sites, std::optional<Progress>& progress) {
    PanelCursor cursor = r == 0 ? PanelCursor() : decode_cursor(comm_.recv_bytes_sleeping(rank_of(r - 1), kCursorTag));
    if (cursor.checked_bytes >= static_cast<int64_t>(budget_)) commit_sealed();  // all before r is checked
    if (cursor.problem.empty() && sites.failed) {
      cursor.problem = sites.problem_record > 0 ? plan_path() + ": record " + std::to_string(cursor.records + sites.problem_record) +
                                                      sites.problem_detail
                                                : sites.problem_detail;
      cursor.code = sites.problem_code;
    }
    cursor.records += sites.records;
    for (size_t p = 0; p < 4; ++p) cursor.skipped[p] += sites.skipped[p];
    std::vector<GenomeWindow> complete;
    PanelCursor next = cursor;
    next.partial = GenomeWindow();
    next.partial_rows.clear();
    if (cursor.problem.empty()) {
      int32_t contig = -1;
      if (sites.sites() > 0) {
        if (cursor.contigs.empty() || cursor.contigs.back() != sites.contig) next.contigs.push_back(sites.contig);
        contig = static_cast<int32_t>(next.contigs.size()) - 1;
      }
      const SiteSource source{cursor, sites, contig, words_};
      const int64_t window = options_.variants_per_window;
      const int64_t carried = source.carried(), total = carried + sites.sites();
      // Cut points: a window ends after `window` sites or where the contig changes.
      std::vector<std::pair<int64_t, int64_t>> cuts;  // [first, last) of each complete window
      int64_t start = 0;
      if (carried > 0 && sites.sites() > 0 && cursor.partial.contig.back() != contig) {
        cuts.push_back({0, carried});
        start = carried;
      }
      while (total - start >= window) {
        cuts.push_back({start, start + window});
        start += window;
      }
      // The rest travels on, unless this is the last region: then it is the last window.
      const bool last = r + 1 == plan_.regions.size();
      if (last && total > start) {
        cuts.push_back({start, total});
        start = total;
      }
      next.partial.index = cursor.windows + static_cast<int64_t>(cuts.size());
      next.partial.haplotypes = haplotypes_;
      for (int64_t i = start; i < total; ++i) {
        source.append(next.partial, i);
        next.partial_rows.insert(next.partial_rows.end(), source.row(i), source.row(i) + words_);
      }
      next.windows += static_cast<int64_t>(cuts.size());
      for (const auto& [first, end] : cuts) next.variants += end - first;
      next.checked_bytes += sites.sites() * words_ * 8;
      if (!last) pass_on(next, r);
      // Now that the next rank can go on, this one makes and writes its windows.
      try {
        for (size_t w = 0; w < cuts.size(); ++w) {
          GenomeWindow made;
          made.index = cursor.windows + static_cast<int64_t>(w);
          for (int64_t i = cuts[w].first; i < cuts[w].second; ++i) {
            const uint64_t* row = source.row(i);
            uint64_t* into = bits_.next_row();
            for (int64_t k = 0; k < words_; ++k) into[k * HaplotypeWindowBits::kRowStride] = row[k];
            bits_.accept();
            source.append(made, i);
          }
          made.haplotypes = haplotypes_;
          made.bits = bits_.take();
          write(made);
          if (progress) progress->shard_done(made.variants());
        }
      } catch (const Error& e) {
        if (problem_.empty()) problem_ = e.what(), code_ = e.code();
      }
    } else if (r + 1 != plan_.regions.size()) {
      pass_on(next, r);
    }
    return next;
  }

  void finish_sending() { outgoing_.wait(); }
  void commit_sealed() {
    try {
      for (ShardFile& shard : sealed_) writer_.commit(shard);
      sealed_.clear();
      committed_early_ = true;
    } catch (const Error& e) {
      if (problem_.empty()) problem_ = e.what(), code_ = e.code();
    }
  }
  int rank_of(size_t region) const { return static_cast<int>(region % static_cast<size_t>(comm_.size())); }
  const std::string& problem() const { return problem_; }
  ExitCode code() const { return code_; }
  void fail(const std::string& problem, ExitCode code) {
    if (problem_.empty()) problem_ = problem, code_ = code;
  }

 private:
  const std::string& plan_path() const { return options_.vcf; }
  // Sends the cursor after region r to region r+1's rank in the background: that rank may still
  // be decoding, and this one has windows to write meanwhile.
  void pass_on(const PanelCursor& next, size_t r) {
    outgoing_.wait();
    outgoing_bytes_ = encode_cursor(next);
    comm_.isend_bytes(outgoing_bytes_, rank_of(r + 1), kCursorTag, outgoing_);
  }
  void write(const GenomeWindow& window) {
    if (!problem_.empty()) return;
    const std::string name = genome_window_shard(group_, window.index);
    if (writer_.committed(name)) return;  // an interrupted run's
    ShardFile shard = writer_.begin(name);
    write_genome_window(shard, window, options_.deflate);
    writer_.seal(shard);
    sealed_.push_back(std::move(shard));
  }

  const Communicator& comm_;
  const GenomeOptions& options_;
  const PanelRegionPlan& plan_;
  StageWriter& writer_;
  const std::string group_;
  const size_t budget_;
  const int64_t haplotypes_, words_;
  HaplotypeWindowBits bits_;
  std::vector<ShardFile> sealed_;
  bool committed_early_ = false;
  std::vector<uint8_t> outgoing_bytes_;
  Communicator::PendingSend outgoing_;  // after outgoing_bytes_: destroyed (waited for) first
  std::string problem_;
  ExitCode code_ = ExitCode::ok;
};

}  // namespace

RegionIngestResult ingest_panel_by_regions(const StageContext& context, const GenomeOptions& options,
                                           const PanelRegionPlan& plan, StageWriter& writer,
                                           const std::string& group, size_t budget_bytes, int bgzf_threads) {
  const Communicator& comm = context.comm;
  RegionIngestResult result;
  // Every rank opens the panel and reads the map; a problem here is every rank's before any region.
  std::unique_ptr<PhasedVcfReader> reader;
  std::optional<GeneticMap> map;
  SamplePopulations populations;
  std::vector<std::string> header_contigs;
  try {
    reader = std::make_unique<PhasedVcfReader>(options.vcf, options.policies, bgzf_threads,
                                                PhasedVcfReader::Access::regions);
    map.emplace(GeneticMap::read(options.map, options.map_format));
    header_contigs = reader->header_contigs();
    map->check_contigs_belong_to(header_contigs, options.vcf);
    if (comm.is_root())
      populations = options.populations.empty() ? no_populations(reader->samples().size())
                                                : read_populations(options.populations, reader->samples());
  } catch (const Error& e) {
    result.problem = e.what();
    result.code = e.code();
  }
  if (comm.any(!result.problem.empty())) {
    if (result.problem.empty()) result.problem = "another rank could not open the genome inputs", result.code = ExitCode::input;
    return result;
  }

  std::vector<size_t> mine;
  for (size_t r = static_cast<size_t>(comm.rank()); r < plan.regions.size(); r += static_cast<size_t>(comm.size()))
    mine.push_back(r);
  RegionPipeline pipeline(context, options, plan, writer, group, budget_bytes, reader->haplotypes());
  std::optional<Progress> progress;
  const int64_t estimate = std::max<int64_t>(1, (plan.records + options.variants_per_window - 1) / options.variants_per_window);
  progress.emplace(comm, "ingest", "genome windows", estimate, "variants");
  PanelCursor final_cursor;
  {
    RegionDecoder decoder(*reader, plan, mine, *map, header_contigs);
    for (size_t r : mine) {
      RegionSites sites = decoder.next();
      final_cursor = pipeline.take(r, sites, progress);
      decoder.recycle(std::move(sites.rows));
    }
  }

  // The ranks finish at different times; the collectives below would spin while they wait.
  pipeline.finish_sending();
  sleep_until_every_rank_arrives(comm);
  // The last region's rank knows how it ended: the index's count and the whole-panel checks.
  const int last_rank = pipeline.rank_of(plan.regions.size() - 1);
  std::string ending;
  if (comm.rank() == last_rank) {
    PanelCursor& c = final_cursor;
    if (c.problem.empty() && c.records != plan.records) {
      c.problem = options.vcf + ": " + std::to_string(c.records) + " records read by region, but its index " + plan.index +
                  " counts " + std::to_string(plan.records) +
                  "; expected a sorted BCF file and its own, current index (bcftools index -f)";
      c.code = ExitCode::input;
    }
    if (c.problem.empty() && c.variants == 0) {
      std::string skipped;
      for (size_t p = 0; p < 4; ++p)
        if (c.skipped[p]) skipped += (skipped.empty() ? "" : ", ") + std::to_string(c.skipped[p]) + " " + to_string(kProblems[p]);
      c.problem = options.vcf + ": no site to keep (" + std::to_string(c.records) + " records read" +
                  (skipped.empty() ? "" : "; skipped: " + skipped) + "); expected at least one phased biallelic site";
      c.code = ExitCode::input;
    }
    nlohmann::json skipped = nlohmann::json::object();
    for (size_t p = 0; p < 4; ++p) skipped[to_string(kProblems[p])] = c.skipped[p];
    ending = nlohmann::json({{"records", c.records}, {"variants", c.variants}, {"windows", c.windows},
                             {"contigs", c.contigs}, {"skipped_sites", skipped}, {"problem", c.problem},
                             {"code", static_cast<int>(c.code)}, {"checked_bytes", c.checked_bytes}})
                 .dump();
  }
  comm.broadcast(ending, last_rank);
  const nlohmann::json end = nlohmann::json::parse(ending);
  if (!end["problem"].get<std::string>().empty())
    pipeline.fail(end["problem"].get<std::string>(), static_cast<ExitCode>(end["code"].get<int>()));
  if (comm.any(!pipeline.problem().empty())) {
    result.problem = pipeline.problem().empty() ? "another rank failed to write its genome windows" : pipeline.problem();
    result.code = pipeline.problem().empty() ? ExitCode::io : pipeline.code();
    return result;  // sealed windows are dropped uncommitted
  }
  pipeline.commit_sealed();
  if (!pipeline.problem().empty()) {
    result.problem = pipeline.problem();
    result.code = pipeline.code();
    return result;
  }
  if (comm.is_root()) {
    try {
      const std::string samples_shard = genome_samples_shard(group);
      if (!writer.committed(samples_shard)) {
        ShardFile shard = writer.begin(samples_shard);
        write_genome_samples(shard, {reader->samples(), populations.names, populations.of_sample,
                                     end["contigs"].get<std::vector<std::string>>()});
        writer.commit(shard);
      }
    } catch (const Error& e) {
      result.problem = e.what();
      result.code = e.code();
    }
    result.summary = {{"file", options.vcf},
                      {"format", "BCF"},
                      {"samples", reader->samples().size()},
                      {"haplotypes", reader->haplotypes()},
                      {"records", end["records"]},
                      {"variants", end["variants"]},
                      {"windows", end["windows"]},
                      {"variants_per_window", options.variants_per_window},
                      {"contigs", end["contigs"]},
                      {"skipped_sites", end["skipped_sites"]},
                      {"genetic_map", {{"file", options.map}, {"format", map->format() == MapFormat::shapeit ? "shapeit" : "hapmap"}}},
                      {"populations", populations.names},
                      {"checked_before_first_commit", end["checked_bytes"].get<int64_t>() < static_cast<int64_t>(budget_bytes)},
                      {"decoded_by_regions", plan.regions.size()}};
  }
  return result;
}

}  // namespace sc
