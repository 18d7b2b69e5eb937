// The genome layout of the store, in one place for the stages that write it (ingest, sample) and
// those that read it (export, fit, evaluate). A genome group (e.g. "genomes/reference") holds one
// shard per variant window, numbered from 0, and a "samples" subgroup with one shard:
//
//   <group>/shard-NNNNN.h5            /haplotypes          u64 [haplotypes][ceil(variants/64)]
//                                     /variants/position   i64  1-based VCF POS
//                                     /variants/cm         f64  genetic position
//                                     /variants/contig     i32  index into /contigs
//                                     /variants/{id,ref,alt}    string tables
//   <group>/samples/shard-00000.h5    /samples/name, /populations, /contigs (string tables),
//                                     /samples/population  i32  index into /populations, -1 = none
//
// Haplotypes are bit-packed haplotype-major, LSB first: bit j of word w of row h is the allele
// (1 = ALT) of haplotype h at variant 64*w + j of the window; rows are sample0 hap0 (the allele
// before '|'), sample0 hap1, sample1 hap0, ... A window holds variants of one contig only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/hdf5_handles.hpp"
#include "pipeline/store.hpp"

namespace sc {

struct GenomeWindow {
  int64_t index = 0;       // window number within the group = shard number
  int64_t haplotypes = 0;  // rows of `bits`
  std::vector<int64_t> position;
  std::vector<double> cm;
  std::vector<int32_t> contig;
  std::vector<std::string> id, ref, alt;
  std::vector<uint64_t> bits;  // haplotypes x words_for_bits(variants()), haplotype-major

  int64_t variants() const { return static_cast<int64_t>(position.size()); }
  int64_t words_per_haplotype() const { return (variants() + 63) / 64; }
  // The allele (0 = REF, 1 = ALT) of haplotype h at variant v of the window.
  int allele(int64_t h, int64_t v) const {
    return static_cast<int>((bits[static_cast<size_t>(h * words_per_haplotype() + v / 64)] >> (v % 64)) & 1u);
  }
  // Approximate memory held, for the budget of windows kept back on rank 0.
  size_t bytes() const;
};

struct GenomeSamples {
  std::vector<std::string> names;        // VCF sample names, in VCF order
  std::vector<std::string> populations;  // sorted; empty without a population file
  std::vector<int32_t> population;       // per sample, index into `populations` or -1
  std::vector<std::string> contigs;      // in order of first appearance in the panel
};

std::string genome_window_shard(const std::string& group, int64_t window);
std::string genome_samples_shard(const std::string& group);

void write_genome_window(ShardFile& shard, const GenomeWindow& window, int deflate);
void write_genome_samples(ShardFile& shard, const GenomeSamples& samples);

// Reading checks the shapes against each other, so a damaged or foreign file is an IoError naming
// it rather than an out-of-bounds read.
GenomeWindow read_genome_window(const h5::File& file, int64_t index);
// The variant table and shape only (bits left empty): for readers that need sites, not genotypes.
GenomeWindow read_genome_window_variants(const h5::File& file, int64_t index);
GenomeSamples read_genome_samples(const h5::File& file);

}  // namespace sc
