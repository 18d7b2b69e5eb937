// Population labels of the reference samples, from the optional `genome.populations` file: one
// line per sample, `sample population`, whitespace separated, with or without a header line.
// The generator uses them for per-population recombination and coalescent parameters (DESIGN.md,
// "Genomes"), so every sample of the panel must have one; lines for samples the panel does not
// have are ignored (a population file often covers a larger panel). Further columns, such as the
// super-population of a 1000 Genomes panel file, are ignored.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sc {

struct SamplePopulations {
  std::vector<std::string> names;  // populations, sorted
  std::vector<int32_t> of_sample;  // index into `names` per VCF sample; -1 when there is no file
};

// Every sample labelled -1 and no population names: the store's form for "no population file".
SamplePopulations no_populations(size_t samples);

// Reads the file and labels `samples` (the VCF's, in order). An InputError names the file and line
// (a line with fewer than two fields, a sample given two populations) or the sample without a
// label (by index and VCF column; its name only when log.show_values is set).
SamplePopulations read_populations(const std::string& path, const std::vector<std::string>& samples);

}  // namespace sc
