// The genetic map of genome ingest: base-pair positions to centimorgans, read from a shapeit map
// (`pos chr cM`) or a HapMap map (`Chromosome Position(bp) Rate(cM/Mb) Map(cM)`), plain or gzip,
// and interpolated to every variant of the reference panel. The generator draws haplotype segment
// boundaries along these cM positions (DESIGN.md, "Genomes"), so every stored variant carries
// one. Between map positions the cM value is linear in bp; outside the map it is extrapolated at
// the rate (cM per bp) of the first or last map interval. Contig names compare with a leading
// "chr" removed, so a map for "chr20" serves a VCF that says "20".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sc {

enum class MapFormat { automatic, shapeit, hapmap };

// "auto", "shapeit" or "hapmap"; false for anything else.
bool parse_map_format(const std::string& text, MapFormat& format);

// The contig name used for comparisons: without a leading "chr".
std::string normalized_contig(const std::string& name);

// One contig's part of the map: strictly increasing positions with non-decreasing cM values.
class ContigMap {
 public:
  ContigMap(std::string name, int64_t first_line, std::vector<int64_t> positions, std::vector<double> cm);
  const std::string& name() const { return name_; }  // as written in the map file
  int64_t first_line() const { return first_line_; }
  size_t size() const { return positions_.size(); }
  // cM at a 1-based bp position: interpolated inside the map, extrapolated at the edge rate outside.
  double cm_at(int64_t position) const;

 private:
  std::string name_;
  int64_t first_line_;
  std::vector<int64_t> positions_;
  std::vector<double> cm_;
};

class GeneticMap {
 public:
  // Reads and checks the whole map; an InputError names the file, the line and what was expected
  // (unsorted positions, decreasing cM, a contig with fewer than two positions, a bad number, a
  // header that names no known format under `auto`).
  static GeneticMap read(const std::string& path, MapFormat format);

  const std::string& path() const { return path_; }
  MapFormat format() const { return format_; }
  // The map of a contig (compared without "chr"), or nullptr when the map has none.
  const ContigMap* find(const std::string& contig) const;
  const std::vector<ContigMap>& contigs() const { return contigs_; }

  // Every contig of the map must be one of `vcf_contigs` (compared without "chr"): a map for
  // another contig than the panel's is an InputError naming the map file and the line where that
  // contig starts.
  void check_contigs_belong_to(const std::vector<std::string>& vcf_contigs, const std::string& vcf_path) const;

 private:
  std::string path_;
  MapFormat format_ = MapFormat::automatic;
  std::vector<ContigMap> contigs_;
};

}  // namespace sc
