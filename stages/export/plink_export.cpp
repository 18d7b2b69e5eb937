#include "stages/export/plink_export.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "pipeline/error.hpp"
#include "stages/export/genome_export.hpp"
#include "stages/ingest/bit_transpose.hpp"
#include "stages/ingest/genome_store.hpp"

namespace sc {
namespace {

// The PLINK codes of 32 individuals from one site-major word of their 64 haplotype bits
// (individual j's alleles at bits 2j and 2j+1), A1 = ALT: hom ALT 00, het 10, hom REF 11, read
// LSB first; the same bit positions as the .bed byte stream, so the word is 8 .bed bytes.
uint64_t plink_codes(uint64_t haplotype_bits) {
  constexpr uint64_t even = 0x5555555555555555ull;
  const uint64_t first = haplotype_bits & even, second = (haplotype_bits >> 1) & even;
  const uint64_t low = ~(first | second) & even;   // set for hom REF only
  const uint64_t high = (~(first & second) & even) << 1;  // clear for hom ALT only
  return low | high;
}

class OutputFile {
 public:
  explicit OutputFile(const std::string& path) : path_(path), out_(path, std::ios::binary | std::ios::trunc) {
    if (!out_) throw IoError("cannot create " + path + ": " + std::strerror(errno));
  }
  void write(const void* data, size_t size) {
    out_.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
    if (!out_) throw IoError("cannot write " + path_ + ": " + std::strerror(errno));
  }
  void write(const std::string& text) { write(text.data(), text.size()); }
  void close() {
    out_.close();
    if (!out_) throw IoError("cannot finish " + path_ + ": " + std::strerror(errno));
  }

 private:
  std::string path_;
  std::ofstream out_;
};

std::string cm_text(double cm) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", cm);
  return buffer;
}

void write_plink(const StageReader& stage, const std::string& group, const std::string& prefix) {
  std::vector<std::string> windows = stage.shards(group);
  std::sort(windows.begin(), windows.end());
  const GenomeSamples samples = read_genome_samples(h5::File::open_read(stage.path(genome_samples_shard(group))));
  const int64_t individuals = static_cast<int64_t>(samples.names.size());
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(prefix).parent_path(), ec);
  if (ec) throw IoError("cannot create directory for " + prefix + ": " + ec.message());
  OutputFile bed(prefix + ".bed.tmp"), bim(prefix + ".bim.tmp"), fam(prefix + ".fam.tmp");
  for (const auto& name : samples.names) fam.write(name + " " + name + " 0 0 0 -9\n");
  const uint8_t magic[3] = {0x6c, 0x1b, 0x01};  // PLINK 1 .bed, SNP-major
  bed.write(magic, 3);
  const size_t bytes_per_variant = static_cast<size_t>((individuals + 3) / 4);
  std::vector<uint8_t> row;
  for (size_t w = 0; w < windows.size(); ++w) {
    const GenomeWindow window = read_genome_window(h5::File::open_read(stage.path(windows[w])), static_cast<int64_t>(w));
    if (window.haplotypes != 2 * individuals)
      throw IoError(stage.path(windows[w]) + " has " + std::to_string(window.haplotypes) + " haplotypes, the sample table " +
                    std::to_string(individuals) + " individuals");
    const std::vector<uint64_t> sites = haplotype_major_to_site_major(window.bits, window.variants(), window.haplotypes);
    const int64_t words = words_for_bits(window.haplotypes);
    row.assign(static_cast<size_t>(words) * 8, 0);
    std::string text;
    for (int64_t v = 0; v < window.variants(); ++v) {
      const size_t i = static_cast<size_t>(v);
      const uint64_t* bits = sites.data() + v * words;
      for (int64_t k = 0; k < words; ++k) {
        const uint64_t codes = plink_codes(bits[k]);
        for (int b = 0; b < 8; ++b) row[static_cast<size_t>(k * 8 + b)] = static_cast<uint8_t>(codes >> (8 * b));
      }
      // Bits past the last individual are zero, as PLINK writes them.
      if (individuals % 4) row[bytes_per_variant - 1] &= static_cast<uint8_t>((1u << (2 * (individuals % 4))) - 1);
      bed.write(row.data(), bytes_per_variant);
      const int32_t contig = window.contig[i];
      if (contig < 0 || static_cast<size_t>(contig) >= samples.contigs.size())
        throw IoError(stage.path(windows[w]) + " names a contig the sample table does not list");
      text += samples.contigs[static_cast<size_t>(contig)] + "\t" + window.id[i] + "\t" + cm_text(window.cm[i]) + "\t" +
              std::to_string(window.position[i]) + "\t" + window.alt[i] + "\t" + window.ref[i] + "\n";
    }
    bim.write(text);
  }
  bed.close();
  bim.close();
  fam.close();
  for (const char* suffix : {".bed", ".bim", ".fam"}) {
    const std::string final_path = prefix + suffix;
    std::filesystem::rename(final_path + ".tmp", final_path, ec);
    if (ec) throw IoError("cannot move " + final_path + ".tmp into place: " + ec.message());
  }
}

}  // namespace

void export_genomes_plink(const StageContext& context, const StageReader& stage, const std::string& group,
                          const std::string& prefix) {
  write_on_root(context.comm, [&] { write_plink(stage, group, prefix); },
                {prefix + ".bed.tmp", prefix + ".bim.tmp", prefix + ".fam.tmp"});
}

}  // namespace sc
