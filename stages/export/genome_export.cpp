#include "stages/export/genome_export.hpp"

#include <htslib/bgzf.h>
#include <htslib/hts.h>
#include <htslib/kstring.h>
#include <htslib/vcf.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <thread>

#include "pipeline/agreed_step.hpp"
#include "pipeline/error.hpp"
#include "pipeline/hdf5_handles.hpp"
#include "pipeline/progress.hpp"
#include "stages/export/bgzf_parts.hpp"
#include "stages/ingest/bit_transpose.hpp"
#include "stages/ingest/genome_store.hpp"

namespace sc {
namespace {

// htslib's writer objects, released in the right order whatever happens.
struct VcfWriter {
  htsFile* fp = nullptr;
  bcf_hdr_t* hdr = nullptr;
  bcf1_t* rec = nullptr;  // a site's fixed columns only: its genotypes are formatted here
  kstring_t line = KS_INITIALIZE;
  ~VcfWriter() {
    ks_free(&line);
    if (rec) bcf_destroy(rec);
    if (fp) hts_close(fp);
    if (hdr) bcf_hdr_destroy(hdr);
  }
};

void check(bool ok, const std::string& what, const std::string& path) {
  if (!ok) throw IoError("cannot write " + path + ": htslib failed to " + what);
}

bcf_hdr_t* make_header(const GenomeSamples& samples, const std::string& path) {
  bcf_hdr_t* hdr = bcf_hdr_init("w");  // ##fileformat and the PASS filter
  check(hdr != nullptr, "create a VCF header", path);
  const std::vector<std::string> lines = {
      "##source=synthcohort",
      "##INFO=<ID=CM,Number=1,Type=Float,Description=\"Genetic position (cM) from the genetic map used at ingest\">",
      "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Phased genotype\">"};
  for (const auto& line : lines) check(bcf_hdr_append(hdr, line.c_str()) == 0, "add a header line", path);
  for (const auto& contig : samples.contigs)
    check(bcf_hdr_append(hdr, ("##contig=<ID=" + contig + ">").c_str()) == 0, "declare contig " + contig, path);
  for (const auto& name : samples.names) check(bcf_hdr_add_sample(hdr, name.c_str()) == 0, "add a sample", path);
  check(bcf_hdr_sync(hdr) == 0, "complete the header", path);
  return hdr;
}

// "\ta|b" for the two alleles of one sample, indexed by a | b << 1 (haplotypes 2i and 2i+1).
constexpr char kGenotypeText[4][4] = {{'\t', '0', '|', '0'}, {'\t', '1', '|', '0'}, {'\t', '0', '|', '1'}, {'\t', '1', '|', '1'}};

// The text of four samples, indexed by the byte that holds their 8 haplotypes: one 16-byte copy
// per byte of the row in place of four table lookups and shifts.
struct ByteGenotypeText {
  char text[256][16];
  constexpr ByteGenotypeText() : text() {
    for (int byte = 0; byte < 256; ++byte)
      for (int sample = 0; sample < 4; ++sample)
        for (int c = 0; c < 4; ++c) text[byte][4 * sample + c] = kGenotypeText[(byte >> (2 * sample)) & 3][c];
  }
};
constexpr ByteGenotypeText kByteGenotypeText;

// Appends FORMAT and the samples' "a|b" and ends the line. Formatting them here rather than
// through bcf_update_genotypes and vcf_format gives the same text for a fraction of the work:
// htslib encodes and then decodes every genotype on the one writing thread, the part of the
// export that htslib's deflate thread pool does not spread over cores.
void append_genotypes(kstring_t& line, const uint64_t* row, int64_t haplotypes, const std::string& path) {
  // Up to 12 bytes past the last sample may be written by a whole byte's copy, then overwritten.
  const size_t bytes = 3 + 4 * static_cast<size_t>(haplotypes / 2) + 16;
  check(ks_resize(&line, line.l + bytes + 1) == 0, "grow a line buffer", path);
  char* out = line.s + line.l;
  // As vcf_format: a file without samples has no FORMAT column.
  if (haplotypes > 0) {
    std::memcpy(out, "\tGT", 3);
    out += 3;
  }
  // Bytes of the row in memory order are haplotypes in order (little-endian words): the samples
  // 4b to 4b+3 are byte b. A last partial byte is copied whole and the line cut after its samples.
  const int64_t samples = haplotypes / 2;
  const auto* row_bytes = reinterpret_cast<const unsigned char*>(row);
  for (int64_t b = 0; b < (samples + 3) / 4; ++b, out += 16) std::memcpy(out, kByteGenotypeText.text[row_bytes[b]], 16);
  out -= 4 * ((4 - samples % 4) % 4);
  *out++ = '\n';
  line.l = static_cast<size_t>(out - line.s);
  line.s[line.l] = '\0';
}

// A rank's share of the export: the sites [first, last) of the whole group, in the store's windows.
struct SiteRange {
  int64_t first = 0, last = 0;
};

// The group's windows in order and where each begins among all sites, from the store's index
// (each window's shape), so that every rank knows the layout without reading a window.
struct ExportLayout {
  std::vector<std::string> windows;
  std::vector<int64_t> first_site;  // one more entry than windows: the total last
  int64_t sites() const { return first_site.back(); }
};

ExportLayout export_layout(const StageReader& stage, const std::string& group) {
  ExportLayout layout;
  layout.windows = stage.shards(group);
  layout.first_site.push_back(0);
  for (const std::string& window : layout.windows) {
    int64_t variants = -1;
    for (const auto& shard : stage.index()["shards"])
      if (shard["file"].get<std::string>() == window) variants = shard["datasets"]["/variants/position"]["shape"][0].get<int64_t>();
    if (variants < 0) throw IoError("store index of " + stage.directory() + " gives no variant count for " + window);
    layout.first_site.push_back(layout.first_site.back() + variants);
  }
  return layout;
}

// Writes the sites [from, to) of one window (indices within it). A BGZF block ends before every
// site whose index in the group is a multiple of `chunk_sites`, so that the blocks, and so the
// bytes, do not depend on which rank writes a chunk nor on where the windows end.
void write_window(VcfWriter& out, const GenomeSamples& samples, const std::vector<int32_t>& rid_of_contig,
                  const GenomeWindow& window, int64_t window_first, int64_t from, int64_t to, int64_t chunk_sites,
                  const std::string& path) {
  const int64_t haplotypes = window.haplotypes;
  if (haplotypes != 2 * static_cast<int64_t>(samples.names.size()))
    throw IoError("genome window " + std::to_string(window.index) + " has " + std::to_string(haplotypes) +
                  " haplotypes, but the sample table has " + std::to_string(samples.names.size()) + " samples");
  // Site-major rows make each VCF line a sequential read of its bits.
  const std::vector<uint64_t> sites = haplotype_major_to_site_major(window.bits, window.variants(), haplotypes);
  const int64_t words = words_for_bits(haplotypes);
  BGZF* bgzf = out.fp->fp.bgzf;
  for (int64_t v = from; v < to; ++v) {
    const size_t i = static_cast<size_t>(v);
    const int32_t contig = window.contig[i];
    if (contig < 0 || static_cast<size_t>(contig) >= rid_of_contig.size())
      throw IoError("genome window " + std::to_string(window.index) + " names contig " + std::to_string(contig) +
                    ", which the sample table's contig list does not have");
    if ((window_first + v) % chunk_sites == 0) check(bgzf_flush(bgzf) == 0, "end a block at a chunk of sites", path);
    bcf1_t* rec = out.rec;
    bcf_clear(rec);
    rec->rid = rid_of_contig[static_cast<size_t>(contig)];
    rec->pos = window.position[i] - 1;
    check(bcf_update_id(out.hdr, rec, window.id[i].c_str()) == 0, "set an ID", path);
    const char* alleles[2] = {window.ref[i].c_str(), window.alt[i].c_str()};
    check(bcf_update_alleles(out.hdr, rec, alleles, window.alt[i] == "." ? 1 : 2) == 0, "set the alleles", path);
    const float cm = static_cast<float>(window.cm[i]);
    check(bcf_update_info_float(out.hdr, rec, "CM", &cm, 1) == 0, "set INFO/CM", path);
    // htslib formats CHROM to INFO (the record has no samples, so it stops there), which keeps
    // INFO/CM's float text exactly as before.
    out.line.l = 0;
    check(vcf_format(out.hdr, rec, &out.line) == 0 && out.line.l > 0 && out.line.s[out.line.l - 1] == '\n',
          "format a record", path);
    --out.line.l;
    append_genotypes(out.line, sites.data() + v * words, haplotypes, path);
    // As htslib's vcf_write: start a new BGZF block rather than split a line that fits in one.
    check(bgzf_flush_try(bgzf, static_cast<ssize_t>(out.line.l)) == 0, "flush a block", path);
    check(bgzf_write(bgzf, out.line.s, out.line.l) == static_cast<ssize_t>(out.line.l), "write a record", path);
  }
}

// Writes this rank's part: the header first on rank 0, then the sites of `range`, as a BGZF file
// whose EOF marker is then removed. Returns the part's bytes.
int64_t write_part(const StageContext& context, const StageReader& stage, const ExportLayout& layout,
                   const GenomeSamples& samples, const SiteRange& range, const VcfLayout& vcf, const std::string& part) {
  const int threads = std::max(1, context.threads > 0 ? context.threads : static_cast<int>(std::thread::hardware_concurrency()));
  Progress progress(context.comm, "export", "genome windows", static_cast<int64_t>(layout.windows.size()), "variants");
  {
    VcfWriter out;
    // "wz" plus a digit: htslib's BGZF writer at that deflate level.
    const std::string mode = "wz" + std::to_string(vcf.compression_level);
    out.fp = hts_open(part.c_str(), mode.c_str());
    check(out.fp != nullptr, "create the file", part);
    if (threads > 1) check(hts_set_threads(out.fp, threads) == 0, "start compression threads", part);
    out.hdr = make_header(samples, part);
    if (context.comm.is_root()) check(bcf_hdr_write(out.fp, out.hdr) == 0, "write the header", part);
    out.rec = bcf_init();
    std::vector<int32_t> rid_of_contig;
    for (const auto& contig : samples.contigs) rid_of_contig.push_back(bcf_hdr_name2id(out.hdr, contig.c_str()));
    for (size_t w = 0; w < layout.windows.size(); ++w) {
      const int64_t first = layout.first_site[w], last = layout.first_site[w + 1];
      if (last <= range.first || first >= range.last) continue;
      const std::string path = stage.path(layout.windows[w]);
      const GenomeWindow window = read_genome_window(h5::File::open_read(path), static_cast<int64_t>(w));
      if (window.variants() != last - first)
        throw IoError(path + " holds " + std::to_string(window.variants()) + " variants, but the store index says " +
                      std::to_string(last - first));
      const int64_t from = std::max(range.first, first) - first, to = std::min(range.last, last) - first;
      write_window(out, samples, rid_of_contig, window, first, from, to, vcf.chunk_sites, part);
      progress.shard_done(to - from);
    }
    const int closed = hts_close(out.fp);
    out.fp = nullptr;
    check(closed == 0, "close the file", part);
  }
  return strip_bgzf_eof(part);
}

// Runs `step` on every rank; if it fails on any rank, every rank removes its `leftovers` and
// raises the same error.
void on_every_rank(const Communicator& comm, const std::function<void()>& step, const std::vector<std::string>& leftovers) {
  try {
    run_agreed_step(comm, step, ExitCode::io);
  } catch (...) {
    for (const auto& path : leftovers) std::remove(path.c_str());
    throw;
  }
}

}  // namespace

void write_on_root(const Communicator& comm, const std::function<void()>& write, const std::vector<std::string>& temporaries) {
  on_every_rank(comm, [&] { if (comm.is_root()) write(); }, comm.is_root() ? temporaries : std::vector<std::string>{});
}

nlohmann::json export_genomes_vcf(const StageContext& context, const StageReader& stage, const std::string& group,
                                  const std::string& out_path, const VcfLayout& vcf) {
  const int64_t chunk_sites = vcf.chunk_sites;
  const Communicator& comm = context.comm;
  const std::string temp = out_path + ".tmp", temp_index = out_path + ".csi.tmp";
  const std::string part = out_path + ".part-r" + std::to_string(comm.rank()) + ".tmp";
  std::vector<std::string> leftovers = {part};
  if (comm.is_root()) leftovers.insert(leftovers.end(), {temp, temp_index});

  // Chunks of sites dealt to the ranks as contiguous runs, so that each rank's part is one piece
  // of the file.
  SiteRange range;
  int64_t part_bytes = 0;
  int64_t sites = 0;
  on_every_rank(comm, [&] {
    const ExportLayout layout = export_layout(stage, group);
    sites = layout.sites();
    const int64_t chunks = (sites + chunk_sites - 1) / chunk_sites;
    range.first = std::min(sites, chunks * comm.rank() / comm.size() * chunk_sites);
    range.last = std::min(sites, chunks * (comm.rank() + 1) / comm.size() * chunk_sites);
    const std::string samples_path = stage.path(genome_samples_shard(group));
    if (!std::filesystem::exists(samples_path))
      throw InputError("store " + stage.directory() + " has genome windows in " + group + " but no sample table (" +
                       samples_path + ")");
    const GenomeSamples samples = read_genome_samples(h5::File::open_read(samples_path));
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(out_path).parent_path(), ec);
    if (ec) throw IoError("cannot create directory for " + out_path + ": " + ec.message());
    part_bytes = write_part(context, stage, layout, samples, range, vcf, part);
  }, leftovers);

  // The parts side by side in rank order, then one EOF marker.
  const std::vector<int64_t> part_sizes = comm.allgather<int64_t>(part_bytes);
  int64_t offset = 0, total = 0;
  for (size_t r = 0; r < part_sizes.size(); ++r) {
    if (static_cast<int>(r) < comm.rank()) offset += part_sizes[r];
    total += part_sizes[r];
  }
  on_every_rank(comm, [&] { if (comm.is_root()) create_joined_bgzf(temp, total); }, leftovers);
  on_every_rank(comm, [&] {
    copy_part_into(part, temp, offset);
    std::remove(part.c_str());
  }, leftovers);

  write_on_root(comm, [&] {
    const int threads = std::max(1, context.threads > 0 ? context.threads : static_cast<int>(std::thread::hardware_concurrency()));
    // CSI (min_shift 14, as `bcftools index`) from the finished file. htslib 1.16's index built
    // while writing bgzipped VCF text with threads points into the middle of lines, so it is
    // built in a second pass.
    check(bcf_index_build3(temp.c_str(), temp_index.c_str(), 14, threads) == 0, "build the CSI index", temp_index);
    // The data first, then its index: an index never describes other bytes than the file beside it.
    std::error_code ec;
    std::filesystem::remove(out_path + ".csi", ec);
    std::filesystem::rename(temp, out_path, ec);
    if (!ec) std::filesystem::rename(temp_index, out_path + ".csi", ec);
    if (ec) throw IoError("cannot move the finished " + temp + " into place as " + out_path + ": " + ec.message());
  }, leftovers);

  return {{"file", out_path}, {"sites", sites}, {"chunk_sites", chunk_sites},
          {"compression_level", vcf.compression_level}, {"bytes", total + 28},
          {"sites_per_rank", comm.allgather<int64_t>(range.last - range.first)},
          {"bytes_per_rank", part_sizes}};
}

}  // namespace sc
