#include "stages/ingest/genome_store.hpp"

#include "pipeline/error.hpp"
#include "pipeline/string_table.hpp"

namespace sc {

size_t GenomeWindow::bytes() const {
  size_t total = bits.size() * sizeof(uint64_t) + position.size() * (sizeof(int64_t) + sizeof(double) + sizeof(int32_t));
  for (const auto* strings : {&id, &ref, &alt})
    for (const auto& s : *strings) total += s.size() + sizeof(std::string);
  return total;
}

std::string genome_window_shard(const std::string& group, int64_t window) { return shard_name(group, window); }
std::string genome_samples_shard(const std::string& group) { return shard_name(group + "/samples", 0); }

void write_genome_window(ShardFile& shard, const GenomeWindow& window, int deflate) {
  shard.write<uint64_t>("/haplotypes", window.bits.data(),
                        {static_cast<hsize_t>(window.haplotypes), static_cast<hsize_t>(window.words_per_haplotype())},
                        deflate);
  shard.write("/variants/position", window.position);
  shard.write("/variants/cm", window.cm);
  shard.write("/variants/contig", window.contig);
  write_strings(shard, "/variants/id", window.id);
  write_strings(shard, "/variants/ref", window.ref);
  write_strings(shard, "/variants/alt", window.alt);
}

void write_genome_samples(ShardFile& shard, const GenomeSamples& samples) {
  write_strings(shard, "/samples/name", samples.names);
  shard.write("/samples/population", samples.population);
  write_strings(shard, "/populations", samples.populations);
  write_strings(shard, "/contigs", samples.contigs);
}

GenomeWindow read_genome_window_variants(const h5::File& file, int64_t index) {
  GenomeWindow window;
  window.index = index;
  window.position = file.read<int64_t>("/variants/position");
  window.cm = file.read<double>("/variants/cm");
  window.contig = file.read<int32_t>("/variants/contig");
  window.id = read_strings(file, "/variants/id");
  window.ref = read_strings(file, "/variants/ref");
  window.alt = read_strings(file, "/variants/alt");
  std::vector<hsize_t> dims = file.dimensions("/haplotypes");
  const size_t n = window.position.size();
  if (dims.size() != 2 || dims[1] != static_cast<hsize_t>(window.words_per_haplotype()) || window.cm.size() != n ||
      window.contig.size() != n || window.id.size() != n || window.ref.size() != n || window.alt.size() != n)
    throw IoError("store file " + file.path() + " is not a genome window: its datasets disagree on the variant count");
  window.haplotypes = static_cast<int64_t>(dims[0]);
  return window;
}

GenomeWindow read_genome_window(const h5::File& file, int64_t index) {
  GenomeWindow window = read_genome_window_variants(file, index);
  window.bits = file.read<uint64_t>("/haplotypes");
  return window;
}

GenomeSamples read_genome_samples(const h5::File& file) {
  GenomeSamples samples;
  samples.names = read_strings(file, "/samples/name");
  samples.population = file.read<int32_t>("/samples/population");
  samples.populations = read_strings(file, "/populations");
  samples.contigs = read_strings(file, "/contigs");
  if (samples.population.size() != samples.names.size())
    throw IoError("store file " + file.path() + " is not a genome sample table: names and populations differ in length");
  for (int32_t p : samples.population)
    if (p < -1 || p >= static_cast<int32_t>(samples.populations.size()))
      throw IoError("store file " + file.path() + ": /samples/population points outside /populations");
  return samples;
}

}  // namespace sc
