// Per-variant allele ages for HAPNEST's allele-age rule (docs/genome-generator.md, "Allele ages"),
// read by `fit` from the file genome.allele_ages in the Atlas of Variant Age's CSV layout (GEVA;
// Albers & McVean 2020, PLoS Biol 18:e3000586; human.genome.dating/bulk/atlas.chrN.csv, the file
// HAPNEST reads): '#' comment lines, a header naming comma-separated columns, one row per site
// and data source. Columns used: Chromosome, Position, AlleleRef, AlleleAlt, AgeMean_Mut
// (generations), and when present AlleleAnc (the ancestral allele; REF otherwise) and DataSource
// (Combined preferred, then TGP, then SGDP, as HAPNEST does). Rows are matched to panel variants
// by contig (a leading "chr" ignored), position and the two alleles (in either order).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace sc {

struct AlleleAgeRow {
  std::string ref, alt, ancestral;
  double generations = 0;
  int source_rank = 0;  // lower is preferred
};

// Rows by site key (allele_age_site_key), only for the sites in `wanted`.
using AlleleAgeRows = std::unordered_map<std::string, std::vector<AlleleAgeRow>>;

std::string allele_age_site_key(const std::string& contig, int64_t position);

// Reads the file; throws InputError naming the file, line and column of the first bad row (or
// the missing column, or that it cannot be opened).
AlleleAgeRows read_allele_age_file(const std::string& path, const std::unordered_set<std::string>& wanted);

// The age of a panel variant's derived allele and whether ALT is its ancestral allele; the age is
// +infinity (the rule leaves the variant alone) when no row matches the site and alleles or the
// row's ancestral allele is neither of them.
struct VariantAlleleAge {
  double generations;
  bool alt_ancestral;
};
VariantAlleleAge match_allele_age(const AlleleAgeRows& rows, const std::string& contig, int64_t position,
                                  const std::string& ref, const std::string& alt);

}  // namespace sc
